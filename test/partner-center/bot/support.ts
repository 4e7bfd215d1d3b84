/**
 * The bot (the real entry point, a child process) reading the Partner Center simulator (another process), as
 * an operator runs it: CUSTOMER_SOURCE=partner-center, the simulator's URL as both the API and the authority,
 * and its CA trusted through NODE_EXTRA_CA_CERTS. Helpers read the bot's SQLite ledger and its metrics.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { RunningSimulator } from '../../../scripts/partner-center-sim/start.js';
import { teamsInvoke, type ChildBot } from '../../hardening/support.js';
import { post } from '../../support/server.js';
import { startReplica, waitUntil } from '../../support/child-bots.js';

export function partnerCenterEnv(sim: RunningSimulator, extra: Record<string, string> = {}) {
  return {
    ...sim.botEnv(),
    PARTNER_CENTER_SYNC_MINUTES: '60',
    ...extra,
  };
}

export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'ua-pc-bot-'));
}

/** Starts a bot on the simulator and waits until its first sync has stored `customers` customers. */
export async function startSyncedBot(
  sim: RunningSimulator,
  dataDir: string,
  customers: number,
  extra: Record<string, string> = {},
): Promise<ChildBot> {
  const bot = await startReplica(partnerCenterEnv(sim, { DATA_DIR: dataDir, ...extra }));
  await waitUntil('the first sync', () => storedCustomers(dataDir) === customers, { timeoutMs: 120_000 });
  return bot;
}

function withDb<T>(dataDir: string, read: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'upgrade-assistant.db'), { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

export function storedCustomers(dataDir: string): number {
  return withDb(
    dataDir,
    (db) => (db.prepare('SELECT count(*) AS n FROM customers').get() as { n: number }).n,
  );
}

export interface LedgerRow {
  readonly status: string;
  readonly attempts: number;
  readonly newSubscriptionId: string | null;
}

export function ledgerEntry(dataDir: string, token: string): LedgerRow | undefined {
  return withDb(
    dataDir,
    (db) =>
      db
        .prepare(
          'SELECT status, attempts, new_subscription_id AS newSubscriptionId FROM upgrade_ledger WHERE token = ?',
        )
        .get(token) as LedgerRow | undefined,
  );
}

export function ledgerCount(dataDir: string): number {
  return withDb(
    dataDir,
    (db) => (db.prepare('SELECT count(*) AS n FROM upgrade_ledger').get() as { n: number }).n,
  );
}

/** The bot's /metrics text. */
export async function metricsOf(bot: ChildBot): Promise<string> {
  const res = await fetch(`${bot.url}/metrics`);
  return res.text();
}

/** The value of one metric series (0 when absent). */
export function metricValue(text: string, series: RegExp): number {
  const line = text.split('\n').find((l) => !l.startsWith('#') && series.test(l));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

/** A Teams card action (Action.Execute) by `user`: the invoke response's body as text. */
export async function invoke(
  bot: ChildBot,
  serviceUrl: string,
  verb: string,
  data: Record<string, unknown>,
  user = 'user-1',
): Promise<string> {
  const res = await post(bot.url, teamsInvoke(serviceUrl, verb, data, { user }));
  return res.text();
}
