/**
 * The upgrade ledger: one row per confirm card (its token), in the same database as the customers, so that
 * confirming applies the upgrade and records it in ONE transaction, exactly once, whatever the number of
 * clicks, replicas or restarts (spec conversation.md, "Rules of the flow"). An append-only `events` table
 * keeps who did what, when.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { UpgradeConflictError } from '../directory/upgrade-checks.js';
import type {
  AffectedAccount,
  Customer,
  OfferId,
  PlanResult,
  Reason,
  UpgradePlan,
  UpgradeType,
} from '../rules/index.js';
import { errorCode, errorMessage } from './errors.js';
import type { PreparedUpgrade, SqliteDirectory } from './sqlite-directory.js';

export type UpgradeStatus = 'pending' | 'done' | 'cancelled' | 'refused' | 'failed';

export interface Actor {
  readonly id: string;
  readonly name?: string;
  readonly aadObjectId?: string;
}

/** What the confirm card was made for. */
export interface UpgradeRequestRecord {
  /** Unique, random, carried by the confirm card (see `newUpgradeToken`). */
  readonly token: string;
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly fromOffer: OfferId;
  readonly target: OfferId;
  readonly quantity: number;
  readonly upgradeType: UpgradeType;
  readonly requestedBy: Actor;
  /** ISO date-time. */
  readonly requestedAt: string;
  readonly conversationId?: string;
}

export interface LedgerEntry extends UpgradeRequestRecord {
  readonly status: UpgradeStatus;
  readonly decidedBy?: Actor;
  readonly decidedAt?: string;
  readonly newSubscriptionId?: string;
  readonly affectedAccounts: readonly AffectedAccount[];
  /** Why refused: the reasons that held at confirm time. */
  readonly reasons: readonly Reason[];
  /** Why failed (or, for a refusal without reasons, what was missing). */
  readonly error?: string;
}

export type ConfirmOutcome =
  | { readonly kind: 'done'; readonly entry: LedgerEntry; readonly plan: UpgradePlan }
  /** Not pending any more: done, cancelled, refused or failed (the entry says by whom and when). */
  | { readonly kind: 'already'; readonly entry: LedgerEntry }
  | { readonly kind: 'unknown_token' }
  /** The rules say no now: nothing changed; `entry.reasons` are the current reasons. */
  | { readonly kind: 'refused'; readonly entry: LedgerEntry }
  /** Applying failed: the directory is unchanged, the ledger says so (`entry.error`). */
  | { readonly kind: 'failed'; readonly entry: LedgerEntry };

export type CancelOutcome =
  | { readonly kind: 'cancelled'; readonly entry: LedgerEntry }
  | { readonly kind: 'already'; readonly entry: LedgerEntry }
  | { readonly kind: 'unknown_token' };

/**
 * Plans the upgrade on the customer as it is now. The caller runs `planUpgrade` with the request's
 * subscription, target, quantity and upgrade type and a fresh new-subscription id; a plan that does not match
 * the request is not applied (the confirm fails).
 */
export type ConfirmPlanner = (customer: Customer, request: LedgerEntry) => PlanResult;

export interface UpgradeLedger {
  /** Records a new pending request; throws a `LedgerError` if the token is taken or the request is invalid. */
  record(request: UpgradeRequestRecord): LedgerEntry;
  get(token: string): LedgerEntry | undefined;
  /**
   * Exactly once, in ONE transaction: if the token is pending, reads the customer, plans, applies the plan to
   * the directory and records `done`. Not eligible now → `refused` with the current reasons, nothing else
   * changes. Any exception while applying → everything rolled back, then `failed` recorded in a second
   * transaction. A token that is not pending → `already`.
   */
  confirm(token: string, by: Actor, now: Date, plan: ConfirmPlanner): ConfirmOutcome;
  cancel(token: string, by: Actor, now: Date): CancelOutcome;
  /** Every request for the customer, whatever its status, newest first. */
  history(customerId: string): readonly LedgerEntry[];
}

export type LedgerEventKind =
  | 'requested'
  | 'done'
  | 'refused'
  | 'failed'
  | 'cancelled'
  /** A confirm of a request that was already decided (a second click, another replica…). */
  | 'confirm_ignored'
  /** A cancel of a request that was already decided. */
  | 'cancel_ignored';

/** One line of the audit trail. */
export interface LedgerEvent {
  readonly token: string;
  readonly at: string;
  readonly actor?: Actor;
  readonly what: LedgerEventKind;
  readonly detail?: string;
}

/** Fault injection for tests. */
export interface LedgerFaults {
  /** Called inside the confirm transaction after the directory write and before the ledger write. */
  readonly beforeCommit?: (plan: UpgradePlan) => void;
}

export interface LedgerOptions {
  readonly faults?: LedgerFaults;
}

/** A request that cannot be recorded (duplicate token, unknown customer, invalid field). */
export class LedgerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerError';
  }
}

/** A random token for a confirm card: 128 bits, URL-safe. */
export function newUpgradeToken(): string {
  return randomBytes(16).toString('base64url');
}

interface LedgerRow {
  readonly token: string;
  readonly customer_id: string;
  readonly subscription_id: string;
  readonly from_offer: string;
  readonly target: string;
  readonly quantity: number;
  readonly upgrade_type: string;
  readonly requested_by_id: string;
  readonly requested_by_name: string | null;
  readonly requested_by_aad_object_id: string | null;
  readonly requested_at: string;
  readonly conversation_id: string | null;
  readonly status: string;
  readonly decided_by_id: string | null;
  readonly decided_by_name: string | null;
  readonly decided_by_aad_object_id: string | null;
  readonly decided_at: string | null;
  readonly new_subscription_id: string | null;
  readonly affected_accounts: string;
  readonly reasons: string;
  readonly error: string | null;
}

interface EventRow {
  readonly token: string;
  readonly at: string;
  readonly actor_id: string | null;
  readonly actor_name: string | null;
  readonly what: string;
  readonly detail: string | null;
}

interface Decision {
  readonly status: Exclude<UpgradeStatus, 'pending'>;
  readonly by: Actor;
  readonly at: string;
  readonly newSubscriptionId?: string;
  readonly affectedAccounts?: readonly AffectedAccount[];
  readonly reasons?: readonly Reason[];
  readonly error?: string;
}

/** What the confirm transaction returns when it applied the upgrade (the cache is updated after commit). */
interface Applied {
  readonly kind: 'applied';
  readonly entry: LedgerEntry;
  readonly plan: UpgradePlan;
  readonly prepared: PreparedUpgrade;
}

export class SqliteUpgradeLedger implements UpgradeLedger {
  private readonly db: Database.Database;
  private readonly directory: SqliteDirectory;
  private readonly faults: LedgerFaults;
  private readonly statements;

  constructor(db: Database.Database, directory: SqliteDirectory, options: LedgerOptions = {}) {
    this.db = db;
    this.directory = directory;
    this.faults = options.faults ?? {};
    this.statements = {
      select: db.prepare<[string], LedgerRow>('SELECT * FROM upgrade_ledger WHERE token = ?'),
      insert: db.prepare(
        `INSERT INTO upgrade_ledger (token, customer_id, subscription_id, from_offer, target, quantity,
           upgrade_type, requested_by_id, requested_by_name, requested_by_aad_object_id, requested_at,
           conversation_id)
         VALUES (@token, @customer_id, @subscription_id, @from_offer, @target, @quantity, @upgrade_type,
           @requested_by_id, @requested_by_name, @requested_by_aad_object_id, @requested_at, @conversation_id)`,
      ),
      decide: db.prepare(
        `UPDATE upgrade_ledger SET status = @status, decided_by_id = @decided_by_id,
           decided_by_name = @decided_by_name, decided_by_aad_object_id = @decided_by_aad_object_id,
           decided_at = @decided_at, new_subscription_id = @new_subscription_id,
           affected_accounts = @affected_accounts, reasons = @reasons, error = @error
         WHERE token = @token AND status = 'pending'`,
      ),
      history: db.prepare<[string], LedgerRow>(
        'SELECT * FROM upgrade_ledger WHERE customer_id = ? ORDER BY requested_at DESC, rowid DESC',
      ),
      event: db.prepare<[string, string, string | null, string | null, string, string | null]>(
        'INSERT INTO events (token, at, actor_id, actor_name, what, detail) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      events: db.prepare<[string], EventRow>('SELECT * FROM events WHERE token = ? ORDER BY id'),
    };
  }

  record(request: UpgradeRequestRecord): LedgerEntry {
    validateRequest(request);
    return this.db
      .transaction((): LedgerEntry => {
        try {
          this.statements.insert.run({
            token: request.token,
            customer_id: request.customerId,
            subscription_id: request.subscriptionId,
            from_offer: request.fromOffer,
            target: request.target,
            quantity: request.quantity,
            upgrade_type: request.upgradeType,
            requested_by_id: request.requestedBy.id,
            requested_by_name: request.requestedBy.name ?? null,
            requested_by_aad_object_id: request.requestedBy.aadObjectId ?? null,
            // Normalised, so that history sorts by time whatever the offset the caller wrote.
            requested_at: new Date(request.requestedAt).toISOString(),
            conversation_id: request.conversationId ?? null,
          });
        } catch (error) {
          const code = errorCode(error);
          if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
            throw new LedgerError(`An upgrade request with token "${request.token}" already exists`, {
              cause: error,
            });
          }
          if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
            throw new LedgerError(`No customer with id "${request.customerId}" in the directory`, {
              cause: error,
            });
          }
          throw error;
        }
        this.addEvent(
          request.token,
          new Date(request.requestedAt).toISOString(),
          request.requestedBy,
          'requested',
          `${request.subscriptionId} → ${request.target}`,
        );
        return this.mustGet(request.token);
      })
      .immediate();
  }

  get(token: string): LedgerEntry | undefined {
    const row = this.statements.select.get(token);
    return row === undefined ? undefined : toEntry(row);
  }

  confirm(token: string, by: Actor, now: Date, plan: ConfirmPlanner): ConfirmOutcome {
    const at = now.toISOString();
    let entered = false;
    const run = this.db.transaction((): ConfirmOutcome | Applied => {
      entered = true;
      const row = this.statements.select.get(token);
      if (row === undefined) return { kind: 'unknown_token' };
      const entry = toEntry(row);
      if (entry.status !== 'pending') {
        this.addEvent(token, at, by, 'confirm_ignored', entry.status);
        return { kind: 'already', entry };
      }
      const customer = this.directory.currentForWrite(entry.customerId);
      if (customer === undefined) {
        return this.refuse(token, by, at, [], `customer "${entry.customerId}" is not in the directory`);
      }
      const result = plan(customer, entry);
      if (!result.ok) {
        return result.problem === 'not_eligible'
          ? this.refuse(token, by, at, result.verdict.reasons)
          : this.refuse(token, by, at, [], `subscription "${entry.subscriptionId}" is not in the directory`);
      }
      checkPlanMatches(entry, result.plan);
      let prepared: PreparedUpgrade;
      try {
        prepared = this.directory.prepareUpgrade(result.plan);
      } catch (error) {
        // Thrown before anything was written: the rules say no now.
        if (error instanceof UpgradeConflictError && error.conflict === 'not_eligible') {
          return this.refuse(token, by, at, error.reasons);
        }
        throw error;
      }
      this.faults.beforeCommit?.(result.plan);
      this.decide(token, {
        status: 'done',
        by,
        at,
        newSubscriptionId: result.plan.newSubscription.id,
        affectedAccounts: result.plan.affectedAccounts,
      });
      this.addEvent(token, at, by, 'done', result.plan.newSubscription.id);
      return { kind: 'applied', entry: this.mustGet(token), plan: result.plan, prepared };
    });

    let outcome: ConfirmOutcome | Applied;
    try {
      outcome = run.immediate();
    } catch (error) {
      // The write lock was never obtained (busy for too long): nothing happened, the caller may retry.
      if (!entered) throw error;
      return this.recordFailure(token, by, at, error);
    }
    if (outcome.kind !== 'applied') return outcome;
    this.directory.upgradeCommitted(outcome.prepared);
    return { kind: 'done', entry: outcome.entry, plan: outcome.plan };
  }

  cancel(token: string, by: Actor, now: Date): CancelOutcome {
    const at = now.toISOString();
    return this.db
      .transaction((): CancelOutcome => {
        const row = this.statements.select.get(token);
        if (row === undefined) return { kind: 'unknown_token' };
        if (row.status !== 'pending') {
          this.addEvent(token, at, by, 'cancel_ignored', row.status);
          return { kind: 'already', entry: toEntry(row) };
        }
        this.decide(token, { status: 'cancelled', by, at });
        this.addEvent(token, at, by, 'cancelled');
        return { kind: 'cancelled', entry: this.mustGet(token) };
      })
      .immediate();
  }

  history(customerId: string): readonly LedgerEntry[] {
    return this.statements.history.all(customerId).map(toEntry);
  }

  /** The audit trail of one request, oldest first. */
  events(token: string): readonly LedgerEvent[] {
    return this.statements.events.all(token).map((row) => ({
      token: row.token,
      at: row.at,
      ...(row.actor_id === null
        ? {}
        : { actor: { id: row.actor_id, ...(row.actor_name === null ? {} : { name: row.actor_name }) } }),
      what: row.what as LedgerEventKind,
      ...(row.detail === null ? {} : { detail: row.detail }),
    }));
  }

  private refuse(
    token: string,
    by: Actor,
    at: string,
    reasons: readonly Reason[],
    error?: string,
  ): ConfirmOutcome {
    this.decide(token, { status: 'refused', by, at, reasons, ...(error === undefined ? {} : { error }) });
    this.addEvent(token, at, by, 'refused', error ?? reasons.map((r) => r.code).join(', '));
    return { kind: 'refused', entry: this.mustGet(token) };
  }

  /** The second transaction of a failed confirm: the first one was rolled back entirely. */
  private recordFailure(token: string, by: Actor, at: string, failure: unknown): ConfirmOutcome {
    const message = errorMessage(failure);
    return this.db
      .transaction((): ConfirmOutcome => {
        const row = this.statements.select.get(token);
        if (row === undefined) return { kind: 'unknown_token' };
        // Another connection decided it in between: that decision stands.
        if (row.status !== 'pending') return { kind: 'already', entry: toEntry(row) };
        this.decide(token, { status: 'failed', by, at, error: message });
        this.addEvent(token, at, by, 'failed', message);
        return { kind: 'failed', entry: this.mustGet(token) };
      })
      .immediate();
  }

  private decide(token: string, decision: Decision): void {
    const { changes } = this.statements.decide.run({
      token,
      status: decision.status,
      decided_by_id: decision.by.id,
      decided_by_name: decision.by.name ?? null,
      decided_by_aad_object_id: decision.by.aadObjectId ?? null,
      decided_at: decision.at,
      new_subscription_id: decision.newSubscriptionId ?? null,
      affected_accounts: JSON.stringify(decision.affectedAccounts ?? []),
      reasons: JSON.stringify(decision.reasons ?? []),
      error: decision.error ?? null,
    });
    if (changes !== 1) throw new Error(`Upgrade request "${token}" is not pending any more`);
  }

  private addEvent(token: string, at: string, actor: Actor, what: LedgerEventKind, detail?: string): void {
    this.statements.event.run(token, at, actor.id, actor.name ?? null, what, detail ?? null);
  }

  private mustGet(token: string): LedgerEntry {
    const entry = this.get(token);
    if (entry === undefined) throw new Error(`Upgrade request "${token}" vanished`);
    return entry;
  }
}

function validateRequest(request: UpgradeRequestRecord): void {
  const problems: string[] = [];
  if (request.token.trim() === '') problems.push('the token is empty');
  if (!Number.isInteger(request.quantity) || request.quantity < 1) {
    problems.push(`the quantity must be a whole number of 1 or more, got ${request.quantity}`);
  }
  if (Number.isNaN(Date.parse(request.requestedAt))) {
    problems.push(`requestedAt is not a date-time: "${request.requestedAt}"`);
  }
  if (request.requestedBy.id.trim() === '') problems.push('requestedBy has no id');
  if (problems.length > 0) throw new LedgerError(`Invalid upgrade request: ${problems.join('; ')}`);
}

/** The plan the caller made must be for what the card was made for: never trust a mismatch. */
function checkPlanMatches(entry: LedgerEntry, plan: UpgradePlan): void {
  const mismatches: string[] = [];
  const compare = (field: string, expected: unknown, actual: unknown): void => {
    if (expected !== actual) mismatches.push(`${field} ${String(actual)} instead of ${String(expected)}`);
  };
  compare('customer', entry.customerId, plan.customerId);
  compare('subscription', entry.subscriptionId, plan.source.id);
  compare('source offer', entry.fromOffer, plan.source.offerId);
  compare('target', entry.target, plan.target);
  compare('quantity', entry.quantity, plan.quantity);
  compare('upgrade type', entry.upgradeType, plan.upgradeType);
  if (mismatches.length > 0) {
    throw new Error(`The upgrade plan does not match the request: ${mismatches.join(', ')}`);
  }
}

function actor(id: string | null, name: string | null, aadObjectId: string | null): Actor | undefined {
  if (id === null) return undefined;
  return {
    id,
    ...(name === null ? {} : { name }),
    ...(aadObjectId === null ? {} : { aadObjectId }),
  };
}

function toEntry(row: LedgerRow): LedgerEntry {
  const decidedBy = actor(row.decided_by_id, row.decided_by_name, row.decided_by_aad_object_id);
  return {
    token: row.token,
    customerId: row.customer_id,
    subscriptionId: row.subscription_id,
    fromOffer: row.from_offer as OfferId,
    target: row.target as OfferId,
    quantity: row.quantity,
    upgradeType: row.upgrade_type as UpgradeType,
    requestedBy: actor(row.requested_by_id, row.requested_by_name, row.requested_by_aad_object_id) ?? {
      id: row.requested_by_id,
    },
    requestedAt: row.requested_at,
    ...(row.conversation_id === null ? {} : { conversationId: row.conversation_id }),
    status: row.status as UpgradeStatus,
    ...(decidedBy === undefined ? {} : { decidedBy }),
    ...(row.decided_at === null ? {} : { decidedAt: row.decided_at }),
    ...(row.new_subscription_id === null ? {} : { newSubscriptionId: row.new_subscription_id }),
    affectedAccounts: JSON.parse(row.affected_accounts) as AffectedAccount[],
    reasons: JSON.parse(row.reasons) as Reason[],
    ...(row.error === null ? {} : { error: row.error }),
  };
}
