/**
 * Carrying an upgrade out exactly once: claim the ledger entry, check the rules again, run the gateway with the
 * token as idempotency key, then record the outcome. Written against the ports only, so that a remote gateway
 * (Partner Center) or a shared database fits without changing the bot. Claims left unfinished (a replica died,
 * the gateway's answer was lost) are resumed once their lease runs out, with the same idempotency key.
 */
import { planLicenceAddition, planUpgrade, type Customer, type Reason } from '../rules/index.js';
import type { CustomerRepository } from './customers.js';
import { UpgradeFailedError, UpgradeRefusedError, type UpgradeGateway } from './gateway.js';
import {
  LedgerError,
  isLicenceOrder,
  type Actor,
  type ChangeOrder,
  type CancelOutcome,
  type FinalStatus,
  type LedgerEntry,
  type UpgradeLedger,
  type UpgradeRequestRecord,
} from './ledger.js';

export interface UpgradeTimings {
  /** How long a claim holds before another attempt may take it over. */
  readonly leaseMs: number;
  /** How long a confirm card can be confirmed after it was issued. */
  readonly lifetimeMs: number;
  /** How often unfinished claims are looked for. */
  readonly retryDelayMs: number;
  /** Attempts after which an unfinished claim is recorded as failed. */
  readonly maxAttempts: number;
}

export const DEFAULT_TIMINGS: UpgradeTimings = {
  leaseMs: 120_000,
  lifetimeMs: 24 * 3_600_000,
  retryDelayMs: 30_000,
  maxAttempts: 5,
};

export type ConfirmResult =
  | { readonly kind: 'done'; readonly entry: LedgerEntry }
  /** Not pending: executing under another claim, or decided (the entry says by whom and when). */
  | { readonly kind: 'already'; readonly entry: LedgerEntry }
  | { readonly kind: 'expired'; readonly entry: LedgerEntry; readonly expiredNow: boolean }
  /** Still pending: another change to the same subscription is under way. */
  | { readonly kind: 'busy'; readonly entry: LedgerEntry }
  | { readonly kind: 'unknown' }
  /** The rules, or the system of record, say no now: nothing changed. */
  | { readonly kind: 'refused'; readonly entry: LedgerEntry }
  /** Failed for good: nothing changed. */
  | { readonly kind: 'failed'; readonly entry: LedgerEntry }
  /** Given up without learning the outcome (resumption only): a person checks the system of record. */
  | { readonly kind: 'gaveUp'; readonly entry: LedgerEntry }
  /** The outcome is not known, or not recorded, yet (no answer, or the database went away): resumed later. */
  | { readonly kind: 'executing'; readonly entry: LedgerEntry };

export interface UpgradeServiceDeps {
  readonly customers: CustomerRepository;
  readonly ledger: UpgradeLedger;
  readonly gateway: UpgradeGateway;
  readonly timings?: Partial<UpgradeTimings>;
  readonly now?: () => Date;
  /** Told of every final status reached (metrics). */
  readonly onFinal?: (status: FinalStatus, entry: LedgerEntry) => void;
  /** Told of a gateway error that leaves the outcome unknown, and of a failed resumption pass. */
  readonly onError?: (error: unknown, token?: string) => void;
}

/** `Omit` over each member of a union (the built-in one merges the members first). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

type CheckProblem =
  | { readonly kind: 'not_eligible'; readonly reasons: readonly Reason[] }
  | { readonly kind: 'unknown_subscription' };

/** What the rules say against an order on the customer as read now (undefined: it can be carried out). */
function checkProblem(customer: Customer, order: ChangeOrder): CheckProblem | undefined {
  if (isLicenceOrder(order)) {
    const planned = planLicenceAddition(customer, order);
    if (planned.ok) return undefined;
    return planned.problem === 'not_eligible'
      ? { kind: 'not_eligible', reasons: planned.reasons }
      : { kind: 'unknown_subscription' };
  }
  const planned = planUpgrade(customer, order, 'check');
  if (planned.ok) return undefined;
  return planned.problem === 'not_eligible'
    ? { kind: 'not_eligible', reasons: planned.verdict.reasons }
    : { kind: 'unknown_subscription' };
}

export class UpgradeService {
  readonly timings: UpgradeTimings;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private resuming: Promise<number> | undefined;

  constructor(private readonly deps: UpgradeServiceDeps) {
    this.timings = { ...DEFAULT_TIMINGS, ...deps.timings };
    this.now = deps.now ?? (() => new Date());
  }

  /** Which system the upgrades change (the outcome card says it). */
  get system(): UpgradeGateway['system'] {
    return this.deps.gateway.system;
  }

  /** True when the system of record judges eligibility itself: the rules' verdict on the synced copy does not refuse. */
  get judgesEligibility(): boolean {
    return this.deps.gateway.judgesEligibility;
  }

  /** Records a new pending request, valid for the configured lifetime. */
  request(record: DistributiveOmit<UpgradeRequestRecord, 'requestedAt'>): Promise<LedgerEntry> {
    const now = this.now();
    return this.deps.ledger.record(
      { ...record, requestedAt: now.toISOString() } as UpgradeRequestRecord,
      new Date(now.getTime() + this.timings.lifetimeMs),
    );
  }

  get(token: string): Promise<LedgerEntry | undefined> {
    return this.deps.ledger.get(token);
  }

  /**
   * The entry once no press is carrying it out any more (another press, here or on another replica, holds the
   * claim), or as it is after `withinMs`: a second press can then say what the first one did.
   */
  async settled(token: string, withinMs: number): Promise<LedgerEntry | undefined> {
    const deadline = performance.now() + withinMs;
    for (let delay = 20; ; delay = Math.min(delay * 2, 200)) {
      const entry = await this.deps.ledger.get(token);
      const left = deadline - performance.now();
      if (entry?.status !== 'executing' || left <= 0) return entry;
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
    }
  }

  history(customerId: string): Promise<readonly LedgerEntry[]> {
    return this.deps.ledger.history(customerId);
  }

  /** Confirms: at most one caller ever gets past the claim, whatever the clicks, replicas or restarts. */
  async confirm(token: string, by: Actor): Promise<ConfirmResult> {
    // The customer is read before the claim: a read that fails (the database away) then leaves the request
    // pending and nothing changed, rather than a claim held without its rules checked.
    const request = await this.deps.ledger.get(token);
    const customer = request === undefined ? undefined : await this.deps.customers.get(request.customerId);
    const now = this.now();
    const claim = await this.deps.ledger.claim(token, by, now, this.leaseFrom(now));
    if (claim.kind === 'expired' && claim.expiredNow) this.deps.onFinal?.('expired', claim.entry);
    if (claim.kind !== 'claimed') return claim;
    return this.carryOut(claim.entry, { customer });
  }

  async cancel(token: string, by: Actor): Promise<CancelOutcome> {
    const outcome = await this.deps.ledger.cancel(token, by, this.now());
    if (outcome.kind === 'cancelled') this.deps.onFinal?.('cancelled', outcome.entry);
    if (outcome.kind === 'expired' && outcome.expiredNow) this.deps.onFinal?.('expired', outcome.entry);
    return outcome;
  }

  /**
   * Resumes the claims whose lease ran out: each is taken over (one replica wins it) and the gateway is run
   * again with the same key, without checking the rules again (the first attempt may have changed the data).
   * Resolves with how many were resumed.
   */
  resume(): Promise<number> {
    this.resuming ??= this.resumeAll().finally(() => (this.resuming = undefined));
    return this.resuming;
  }

  /** Resumes now, then every `retryDelayMs`, until `stop()`. */
  start(): void {
    if (this.timer !== undefined) return;
    const pass = () => void this.resume().catch((error: unknown) => this.deps.onError?.(error));
    pass();
    this.timer = setInterval(pass, this.timings.retryDelayMs);
    this.timer.unref();
  }

  /** Stops resuming, and waits (at most `timeoutMs`) for a pass under way. */
  async stop(timeoutMs = this.timings.leaseMs): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.resuming?.catch(() => undefined), late]);
    clearTimeout(timer);
  }

  private async resumeAll(): Promise<number> {
    let resumed = 0;
    for (const stale of await this.deps.ledger.unfinished(this.now())) {
      const now = this.now();
      const entry = await this.deps.ledger.reclaim(stale.token, now, this.leaseFrom(now));
      if (entry === undefined) continue;
      resumed++;
      if (entry.attempts > this.timings.maxAttempts) {
        // Not "failed": the change may have been made. A person checks the system of record.
        const error = `no answer from the system of record after ${entry.attempts - 1} attempts`;
        await this.finish(entry, 'unknown', () =>
          this.deps.ledger.giveUp(entry.token, error, now, entry.attempts),
        );
        continue;
      }
      await this.carryOut(entry, undefined);
    }
    return resumed;
  }

  /**
   * A gateway call that outlasts the lease is left behind as an unknown outcome: the entry is resumed (with the
   * same key), and what the old call records later is refused (its attempt no longer holds the entry).
   */
  private async withinLease<T>(call: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('no answer from the system of record within the lease')),
        this.timings.leaseMs,
      );
    });
    try {
      return await Promise.race([call, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private leaseFrom(now: Date): Date {
    return new Date(now.getTime() + this.timings.leaseMs);
  }

  /**
   * Runs a claimed entry to its end; `check`: the rules are checked first against the customer as read before
   * the claim (the first attempt only; the gateway checks them again in its own transaction).
   */
  private async carryOut(
    entry: LedgerEntry,
    check: { readonly customer: Customer | undefined } | undefined,
  ): Promise<ConfirmResult> {
    if (check !== undefined) {
      const { customer } = check;
      if (customer === undefined) {
        return this.refuse(entry, [], `customer "${entry.customerId}" is not in the directory`);
      }
      // The recorded request is the request: subscription, target, quantity and upgrade type (or seats). A
      // system of record that judges eligibility itself (Partner Center) is not second-guessed on the synced copy.
      const problem = checkProblem(customer, entry);
      if (
        problem !== undefined &&
        !(this.deps.gateway.judgesEligibility && problem.kind === 'not_eligible')
      ) {
        return problem.kind === 'not_eligible'
          ? this.refuse(entry, problem.reasons)
          : this.refuse(entry, [], `subscription "${entry.subscriptionId}" is not in the directory`);
      }
    }
    let execution;
    try {
      execution = await this.withinLease(this.deps.gateway.execute(entry, entry.token, entry.attempts));
    } catch (error) {
      if (error instanceof UpgradeRefusedError) return this.refuse(entry, error.reasons, error.message);
      if (error instanceof UpgradeFailedError) {
        return this.finish(entry, 'failed', () =>
          this.deps.ledger.fail(entry.token, error.message, this.now(), entry.attempts),
        );
      }
      // Outcome unknown (a timeout, a lost connection…): keep the claim; it is resumed when the lease ends.
      this.deps.onError?.(error, entry.token);
      return { kind: 'executing', entry };
    }
    const done = execution;
    return this.finish(entry, 'done', () =>
      this.deps.ledger.complete(entry.token, done, this.now(), entry.attempts),
    );
  }

  private refuse(entry: LedgerEntry, reasons: readonly Reason[], error?: string): Promise<ConfirmResult> {
    return this.finish(entry, 'refused', () =>
      this.deps.ledger.refuse(entry.token, reasons, this.now(), error, entry.attempts),
    );
  }

  /**
   * Records a final status. When the entry was finished meanwhile (the lease ran out and another attempt, here
   * or on another replica, got there first), that record stands: `already`. When the outcome cannot be recorded
   * at all (the database went away), the entry stays executing and is resumed once its lease runs out: not an
   * error for the caller, whose answer would otherwise say that nothing was changed (the change may be made).
   */
  private async finish(
    entry: LedgerEntry,
    status: 'done' | 'failed' | 'refused' | 'unknown',
    record: () => Promise<LedgerEntry>,
  ): Promise<ConfirmResult> {
    let recorded: LedgerEntry;
    try {
      recorded = await record();
    } catch (error) {
      if (!(error instanceof LedgerError)) {
        this.deps.onError?.(error, entry.token);
        return { kind: 'executing', entry };
      }
      const now = await this.deps.ledger.get(entry.token);
      if (now === undefined) throw error;
      // Another attempt holds the entry now (this one outlasted its lease), or finished it: that one stands.
      return now.status === 'executing' ? { kind: 'executing', entry: now } : { kind: 'already', entry: now };
    }
    this.deps.onFinal?.(status, recorded);
    return status === 'unknown' ? { kind: 'gaveUp', entry: recorded } : { kind: status, entry: recorded };
  }
}
