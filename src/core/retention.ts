/**
 * Retention: conversation state, audit events and the requests that changed nothing (cancelled, expired,
 * refused, failed) are deleted once older than the configured number of days; the ledger of done upgrades is
 * kept. Runs at start, then daily.
 */
import type { UpgradeLedger } from './ledger.js';
import type { KeyValueStore } from './state.js';

const DAY_MS = 86_400_000;

export interface RetentionDeps {
  readonly ledger: UpgradeLedger;
  readonly state: KeyValueStore;
  readonly days: number;
  readonly now?: () => Date;
  readonly onPruned?: (rows: number) => void;
  readonly onError?: (error: unknown) => void;
}

/** Prunes what is older than the retention period; resolves with the number of rows deleted. */
export async function pruneOld(deps: RetentionDeps): Promise<number> {
  const before = new Date((deps.now?.() ?? new Date()).getTime() - deps.days * DAY_MS);
  return (await deps.ledger.prune(before)) + (await deps.state.prune(before));
}

/** Prunes now, then every day; returns the function that stops it. */
export function startRetention(deps: RetentionDeps): () => void {
  const pass = () =>
    void pruneOld(deps).then(
      (rows) => deps.onPruned?.(rows),
      (error: unknown) => deps.onError?.(error),
    );
  pass();
  const timer = setInterval(pass, DAY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
