/**
 * The upgrade ledger in SQLite: one row per confirm card (its token), moved forward through the states of the
 * ledger port by single conditional UPDATEs, so that one caller only wins each transition, whatever the number
 * of connections or processes. An append-only `events` table keeps who did what, when.
 */
import type Database from 'better-sqlite3';
import {
  LedgerError,
  isLicenceOrder,
  requestProblems,
  type Actor,
  type ChangeKind,
  type ChangeOrder,
  type CancelOutcome,
  type ClaimOutcome,
  type LedgerEntry,
  type RequestStatus,
  type UpgradeLedger,
  type UpgradeRequestRecord,
} from '../core/ledger.js';
import { OutcomeRecorder, type OutcomeRecord, type OutcomeStatus } from '../core/ledger-outcomes.js';
import type { AffectedAccount, OfferId, Reason, UpgradeType } from '../rules/index.js';
import { errorCode } from './errors.js';

export type LedgerEventKind =
  | 'requested'
  | 'claimed'
  | 'resumed'
  | 'done'
  | 'refused'
  | 'failed'
  | 'unknown'
  | 'cancelled'
  | 'expired'
  /** A confirm of a request that was not pending (a second click, another replica…). */
  | 'confirm_ignored'
  /** A cancel of a request that was not pending. */
  | 'cancel_ignored';

/** One line of the audit trail. */
export interface LedgerEvent {
  readonly token: string;
  readonly at: string;
  readonly actor?: Actor;
  readonly what: LedgerEventKind;
  readonly detail?: string;
}

export interface LedgerRow {
  readonly token: string;
  readonly customer_id: string;
  readonly subscription_id: string;
  readonly from_offer: string;
  readonly target: string;
  readonly quantity: number;
  readonly change: string;
  readonly previous_quantity: number | null;
  readonly upgrade_type: string | null;
  readonly requested_by_id: string;
  readonly requested_by_name: string | null;
  readonly requested_by_aad_object_id: string | null;
  readonly requested_at: string;
  readonly conversation_id: string | null;
  readonly channel_id: string | null;
  readonly tenant_id: string | null;
  readonly expires_at: string;
  readonly status: string;
  readonly decided_by_id: string | null;
  readonly decided_by_name: string | null;
  readonly decided_by_aad_object_id: string | null;
  readonly decided_at: string | null;
  readonly lease_until: string | null;
  readonly attempts: number;
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

const iso = (date: Date): string => date.toISOString();

export class SqliteUpgradeLedger extends OutcomeRecorder implements UpgradeLedger {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    super();
    const returning = 'RETURNING *';
    this.statements = {
      select: db.prepare<[string], LedgerRow>('SELECT * FROM upgrade_ledger WHERE token = ?'),
      insert: db.prepare(
        `INSERT INTO upgrade_ledger (token, customer_id, subscription_id, change, from_offer, target, quantity,
           previous_quantity, upgrade_type, requested_by_id, requested_by_name, requested_by_aad_object_id,
           requested_at, conversation_id, channel_id, tenant_id, expires_at)
         VALUES (@token, @customer_id, @subscription_id, @change, @from_offer, @target, @quantity,
           @previous_quantity, @upgrade_type, @requested_by_id, @requested_by_name, @requested_by_aad_object_id, @requested_at, @conversation_id,
           @channel_id, @tenant_id, @expires_at) ${returning}`,
      ),
      claim: db.prepare<[string, string | null, string | null, string, string, string], LedgerRow>(
        `UPDATE upgrade_ledger SET status = 'executing', decided_by_id = ?, decided_by_name = ?,
           decided_by_aad_object_id = ?, lease_until = ?, attempts = attempts + 1
         WHERE token = ? AND status = 'pending' AND expires_at > ? ${returning}`,
      ),
      expire: db.prepare<[string, string], LedgerRow>(
        `UPDATE upgrade_ledger SET status = 'expired', decided_at = ?
         WHERE token = ? AND status = 'pending' ${returning}`,
      ),
      reclaim: db.prepare<[string, string, string], LedgerRow>(
        `UPDATE upgrade_ledger SET lease_until = ?, attempts = attempts + 1
         WHERE token = ? AND status = 'executing' AND lease_until < ? ${returning}`,
      ),
      finish: db.prepare(
        `UPDATE upgrade_ledger SET status = @status, decided_at = @at, lease_until = NULL,
           new_subscription_id = @new_subscription_id, affected_accounts = @affected_accounts,
           reasons = @reasons, error = @error
         WHERE token = @token AND status = 'executing' AND (@attempt IS NULL OR attempts = @attempt)
         ${returning}`,
      ),
      cancel: db.prepare<[string, string | null, string | null, string, string, string], LedgerRow>(
        `UPDATE upgrade_ledger SET status = 'cancelled', decided_by_id = ?, decided_by_name = ?,
           decided_by_aad_object_id = ?, decided_at = ?
         WHERE token = ? AND status = 'pending' AND expires_at > ? ${returning}`,
      ),
      history: db.prepare<[string], LedgerRow>(
        'SELECT * FROM upgrade_ledger WHERE customer_id = ? ORDER BY requested_at DESC, rowid DESC',
      ),
      unfinished: db.prepare<[string], LedgerRow>(
        `SELECT * FROM upgrade_ledger WHERE status = 'executing' AND lease_until < ? ORDER BY lease_until`,
      ),
      event: db.prepare<[string, string, string | null, string | null, string, string | null]>(
        'INSERT INTO events (token, at, actor_id, actor_name, what, detail) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      events: db.prepare<[string], EventRow>('SELECT * FROM events WHERE token = ? ORDER BY id'),
      pruneLedger: db.prepare<[string]>(
        `DELETE FROM upgrade_ledger
         WHERE status IN ('cancelled', 'expired', 'refused', 'failed') AND decided_at < ?`,
      ),
      // Pending past its lifetime: expired when its lifetime ended.
      pruneExpired: db.prepare<[string]>(
        `UPDATE upgrade_ledger SET status = 'expired', decided_at = expires_at
         WHERE status = 'pending' AND expires_at < ?`,
      ),
      pruneEvents: db.prepare<[string]>(
        `DELETE FROM events WHERE at < ? AND token NOT IN
           (SELECT token FROM upgrade_ledger WHERE status IN ('pending', 'executing', 'done'))`,
      ),
    };
  }

  async record(request: UpgradeRequestRecord, expiresAt: Date): Promise<LedgerEntry> {
    const problems = requestProblems(request);
    if (problems.length > 0) throw new LedgerError(`Invalid upgrade request: ${problems.join('; ')}`);
    // Normalised, so that history sorts by time whatever the offset the caller wrote.
    const requestedAt = iso(new Date(request.requestedAt));
    return this.db
      .transaction((): LedgerEntry => {
        let row: LedgerRow;
        try {
          row = this.statements.insert.get({
            token: request.token,
            customer_id: request.customerId,
            subscription_id: request.subscriptionId,
            from_offer: request.fromOffer,
            target: request.target,
            quantity: request.quantity,
            ...changeColumns(request),
            requested_by_id: request.requestedBy.id,
            requested_by_name: request.requestedBy.name ?? null,
            requested_by_aad_object_id: request.requestedBy.aadObjectId ?? null,
            requested_at: requestedAt,
            conversation_id: request.place?.conversationId ?? null,
            channel_id: request.place?.channelId ?? null,
            tenant_id: request.place?.tenantId ?? null,
            expires_at: iso(expiresAt),
          }) as LedgerRow;
        } catch (error) {
          if (errorCode(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
            throw new LedgerError(`An upgrade request with token "${request.token}" already exists`, {
              cause: error,
            });
          }
          throw error;
        }
        const detail = requestDetail(request);
        this.addEvent(request.token, requestedAt, request.requestedBy, 'requested', detail);
        return toEntry(row);
      })
      .immediate();
  }

  async get(token: string): Promise<LedgerEntry | undefined> {
    const row = this.statements.select.get(token);
    return row === undefined ? undefined : toEntry(row);
  }

  async claim(token: string, by: Actor, now: Date, leaseUntil: Date): Promise<ClaimOutcome> {
    const at = iso(now);
    return this.db
      .transaction((): ClaimOutcome => {
        let claimed: LedgerRow | undefined;
        try {
          claimed = this.statements.claim.get(
            by.id,
            by.name ?? null,
            by.aadObjectId ?? null,
            iso(leaseUntil),
            token,
            at,
          );
        } catch (error) {
          // The unique index on executing subscriptions: another change to it is under way.
          if (errorCode(error) !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
          const row = this.statements.select.get(token);
          if (row === undefined) throw error;
          this.addEvent(token, at, by, 'confirm_ignored', 'busy');
          return { kind: 'busy', entry: toEntry(row) };
        }
        if (claimed !== undefined) {
          this.addEvent(token, at, by, 'claimed');
          return { kind: 'claimed', entry: toEntry(claimed) };
        }
        return this.notPending(token, at, by, 'confirm_ignored');
      })
      .immediate();
  }

  async reclaim(token: string, now: Date, leaseUntil: Date): Promise<LedgerEntry | undefined> {
    const at = iso(now);
    return this.db
      .transaction((): LedgerEntry | undefined => {
        const row = this.statements.reclaim.get(iso(leaseUntil), token, at);
        if (row === undefined) return undefined;
        this.addEvent(token, at, undefined, 'resumed', `attempt ${row.attempts}`);
        return toEntry(row);
      })
      .immediate();
  }

  async cancel(token: string, by: Actor, now: Date): Promise<CancelOutcome> {
    const at = iso(now);
    return this.db
      .transaction((): CancelOutcome => {
        const row = this.statements.cancel.get(by.id, by.name ?? null, by.aadObjectId ?? null, at, token, at);
        if (row !== undefined) {
          this.addEvent(token, at, by, 'cancelled');
          return { kind: 'cancelled', entry: toEntry(row) };
        }
        return this.notPending(token, at, by, 'cancel_ignored');
      })
      .immediate();
  }

  async history(customerId: string): Promise<readonly LedgerEntry[]> {
    return this.statements.history.all(customerId).map(toEntry);
  }

  async unfinished(now: Date): Promise<readonly LedgerEntry[]> {
    return this.statements.unfinished.all(iso(now)).map(toEntry);
  }

  async prune(before: Date): Promise<number> {
    const cutoff = iso(before);
    return this.db
      .transaction((): number => {
        // Pending requests past their lifetime long ago are expired first, so that they can go too.
        this.statements.pruneExpired.run(cutoff);
        const requests = this.statements.pruneLedger.run(cutoff).changes;
        return requests + this.statements.pruneEvents.run(cutoff).changes;
      })
      .immediate();
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

  /** Why a claim or cancel did not take: unknown, expired (recorded now), or not pending. */
  private notPending(
    token: string,
    at: string,
    by: Actor,
    ignored: LedgerEventKind,
  ): ClaimOutcome & CancelOutcome {
    const row = this.statements.select.get(token);
    if (row === undefined) return { kind: 'unknown' };
    if (row.status === 'pending') {
      const expired = this.statements.expire.get(at, token);
      if (expired !== undefined) {
        this.addEvent(token, at, by, 'expired');
        return { kind: 'expired', entry: toEntry(expired), expiredNow: true };
      }
    }
    this.addEvent(token, at, by, ignored, row.status);
    return row.status === 'expired'
      ? { kind: 'expired', entry: toEntry(row), expiredNow: false }
      : { kind: 'already', entry: toEntry(row) };
  }

  protected override async finish(
    token: string,
    status: OutcomeStatus,
    now: Date,
    attempt: number | undefined,
    outcome: OutcomeRecord,
  ): Promise<LedgerEntry> {
    const at = iso(now);
    return this.db
      .transaction((): LedgerEntry => {
        const row = this.statements.finish.get({
          token,
          status,
          at,
          new_subscription_id: outcome.newSubscriptionId ?? null,
          affected_accounts: JSON.stringify(outcome.affectedAccounts ?? []),
          reasons: JSON.stringify(outcome.reasons ?? []),
          error: outcome.error ?? null,
          attempt: attempt ?? null,
        }) as LedgerRow | undefined;
        if (row === undefined) {
          const current = this.statements.select.get(token);
          const state =
            current?.status === 'executing' && attempt !== undefined
              ? `attempt ${current.attempts} holds it, not attempt ${attempt}`
              : `it is ${current?.status ?? 'unknown'}`;
          throw new LedgerError(`Upgrade request "${token}" cannot become ${status}: ${state}`);
        }
        this.addEvent(token, at, undefined, status, outcome.detail);
        return toEntry(row);
      })
      .immediate();
  }

  private addEvent(
    token: string,
    at: string,
    actor: Actor | undefined,
    what: LedgerEventKind,
    detail?: string,
  ): void {
    this.statements.event.run(token, at, actor?.id ?? null, actor?.name ?? null, what, detail ?? null);
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

/** The columns that say what kind of change a request is (shared with the PostgreSQL ledger). */
export function changeColumns(request: ChangeOrder): {
  change: ChangeKind;
  previous_quantity: number | null;
  upgrade_type: string | null;
} {
  return isLicenceOrder(request)
    ? { change: 'add_licences', previous_quantity: request.previousQuantity, upgrade_type: null }
    : {
        change: 'upgrade',
        previous_quantity: request.previousQuantity ?? null,
        upgrade_type: request.upgradeType,
      };
}

/** What the audit trail says was requested: the subscription and the target, or its seats before → after. */
export function requestDetail(request: ChangeOrder): string {
  return isLicenceOrder(request)
    ? `${request.subscriptionId}: ${request.previousQuantity} → ${request.quantity} seats`
    : `${request.subscriptionId} → ${request.target}`;
}

/** A ledger row, as SQLite stores it, as the port's entry (shared with the PostgreSQL ledger). */
export function toEntry(row: LedgerRow): LedgerEntry {
  const decidedBy = actor(row.decided_by_id, row.decided_by_name, row.decided_by_aad_object_id);
  return {
    token: row.token,
    customerId: row.customer_id,
    subscriptionId: row.subscription_id,
    fromOffer: row.from_offer as OfferId,
    target: row.target as OfferId,
    quantity: row.quantity,
    ...(row.change === 'add_licences'
      ? { change: 'add_licences' as const, previousQuantity: row.previous_quantity ?? 0 }
      : {
          upgradeType: row.upgrade_type as UpgradeType,
          ...(row.previous_quantity === null ? {} : { previousQuantity: row.previous_quantity }),
        }),
    requestedBy: actor(row.requested_by_id, row.requested_by_name, row.requested_by_aad_object_id) ?? {
      id: row.requested_by_id,
    },
    requestedAt: row.requested_at,
    ...(row.channel_id === null || row.conversation_id === null
      ? {}
      : {
          place: {
            channelId: row.channel_id,
            conversationId: row.conversation_id,
            ...(row.tenant_id === null ? {} : { tenantId: row.tenant_id }),
          },
        }),
    expiresAt: row.expires_at,
    status: row.status as RequestStatus,
    ...(decidedBy === undefined ? {} : { decidedBy }),
    ...(row.decided_at === null ? {} : { decidedAt: row.decided_at }),
    ...(row.lease_until === null ? {} : { leaseUntil: row.lease_until }),
    attempts: row.attempts,
    ...(row.new_subscription_id === null ? {} : { newSubscriptionId: row.new_subscription_id }),
    affectedAccounts: JSON.parse(row.affected_accounts) as AffectedAccount[],
    reasons: JSON.parse(row.reasons) as Reason[],
    ...(row.error === null ? {} : { error: row.error }),
  };
}
