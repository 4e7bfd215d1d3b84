/**
 * The upgrade ledger in PostgreSQL: the same states and transitions as the SQLite ledger, each a single
 * conditional UPDATE … RETURNING, so that one caller only wins each transition whatever the number of
 * connections or replicas. Concurrent claims of one token queue on its row lock; the losers find it executing.
 */
import type { Pool, PoolClient } from 'pg';
import {
  LedgerError,
  requestProblems,
  type Actor,
  type CancelOutcome,
  type ClaimOutcome,
  type LedgerEntry,
  type UpgradeLedger,
  type UpgradeRequestRecord,
} from '../core/ledger.js';
import { OutcomeRecorder, type OutcomeRecord, type OutcomeStatus } from '../core/ledger-outcomes.js';
import {
  toEntry,
  type LedgerEvent,
  type LedgerEventKind,
  type LedgerRow,
  changeColumns,
  requestDetail,
} from '../storage/upgrade-ledger.js';
import { UNIQUE_VIOLATION, inTransaction, sqlState } from './migrations.js';

type PgLedgerRow = Omit<
  LedgerRow,
  'requested_at' | 'expires_at' | 'decided_at' | 'lease_until' | 'affected_accounts' | 'reasons'
> & {
  readonly requested_at: Date;
  readonly expires_at: Date;
  readonly decided_at: Date | null;
  readonly lease_until: Date | null;
  readonly affected_accounts: unknown;
  readonly reasons: unknown;
};

interface EventRow {
  readonly token: string;
  readonly at: Date;
  readonly actor_id: string | null;
  readonly actor_name: string | null;
  readonly what: string;
  readonly detail: string | null;
}

function fromRow(row: PgLedgerRow): LedgerEntry {
  return toEntry({
    ...row,
    requested_at: row.requested_at.toISOString(),
    expires_at: row.expires_at.toISOString(),
    decided_at: row.decided_at?.toISOString() ?? null,
    lease_until: row.lease_until?.toISOString() ?? null,
    affected_accounts: JSON.stringify(row.affected_accounts),
    reasons: JSON.stringify(row.reasons),
  });
}

const SELECT = 'SELECT * FROM upgrade_ledger WHERE token = $1';

export class PgUpgradeLedger extends OutcomeRecorder implements UpgradeLedger {
  constructor(private readonly pool: Pool) {
    super();
  }

  async record(request: UpgradeRequestRecord, expiresAt: Date): Promise<LedgerEntry> {
    const problems = requestProblems(request);
    if (problems.length > 0) throw new LedgerError(`Invalid upgrade request: ${problems.join('; ')}`);
    const requestedAt = new Date(request.requestedAt);
    const columns = changeColumns(request);
    return inTransaction(this.pool, async (client) => {
      let row: PgLedgerRow;
      try {
        const result = await client.query<PgLedgerRow>(
          `INSERT INTO upgrade_ledger (token, customer_id, subscription_id, from_offer, target, quantity,
             change, previous_quantity, upgrade_type, requested_by_id, requested_by_name,
             requested_by_aad_object_id, requested_at, conversation_id, channel_id, tenant_id, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING *`,
          [
            request.token,
            request.customerId,
            request.subscriptionId,
            request.fromOffer,
            request.target,
            request.quantity,
            columns.change,
            columns.previous_quantity,
            columns.upgrade_type,
            request.requestedBy.id,
            request.requestedBy.name ?? null,
            request.requestedBy.aadObjectId ?? null,
            requestedAt,
            request.place?.conversationId ?? null,
            request.place?.channelId ?? null,
            request.place?.tenantId ?? null,
            expiresAt,
          ],
        );
        row = result.rows[0]!;
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION) {
          throw new LedgerError(`An upgrade request with token "${request.token}" already exists`, {
            cause: error,
          });
        }
        throw error;
      }
      const detail = requestDetail(request);
      await addEvent(client, request.token, requestedAt, request.requestedBy, 'requested', detail);
      return fromRow(row);
    });
  }

  async get(token: string): Promise<LedgerEntry | undefined> {
    const { rows } = await this.pool.query<PgLedgerRow>(SELECT, [token]);
    return rows[0] === undefined ? undefined : fromRow(rows[0]);
  }

  async claim(token: string, by: Actor, now: Date, leaseUntil: Date): Promise<ClaimOutcome> {
    return inTransaction(this.pool, async (client): Promise<ClaimOutcome> => {
      await client.query('SAVEPOINT claim');
      let claimed: PgLedgerRow | undefined;
      try {
        const result = await client.query<PgLedgerRow>(
          `UPDATE upgrade_ledger SET status = 'executing', decided_by_id = $1, decided_by_name = $2,
             decided_by_aad_object_id = $3, lease_until = $4, attempts = attempts + 1
           WHERE token = $5 AND status = 'pending' AND expires_at > $6 RETURNING *`,
          [by.id, by.name ?? null, by.aadObjectId ?? null, leaseUntil, token, now],
        );
        claimed = result.rows[0];
      } catch (error) {
        // The unique index on executing subscriptions: another change to it is under way.
        if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
        await client.query('ROLLBACK TO SAVEPOINT claim');
        const { rows } = await client.query<PgLedgerRow>(SELECT, [token]);
        if (rows[0] === undefined) throw error;
        await addEvent(client, token, now, by, 'confirm_ignored', 'busy');
        return { kind: 'busy', entry: fromRow(rows[0]) };
      }
      if (claimed !== undefined) {
        await addEvent(client, token, now, by, 'claimed');
        return { kind: 'claimed', entry: fromRow(claimed) };
      }
      return notPending(client, token, now, by, 'confirm_ignored');
    });
  }

  async reclaim(token: string, now: Date, leaseUntil: Date): Promise<LedgerEntry | undefined> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<PgLedgerRow>(
        `UPDATE upgrade_ledger SET lease_until = $1, attempts = attempts + 1
         WHERE token = $2 AND status = 'executing' AND lease_until < $3 RETURNING *`,
        [leaseUntil, token, now],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      await addEvent(client, token, now, undefined, 'resumed', `attempt ${row.attempts}`);
      return fromRow(row);
    });
  }

  async cancel(token: string, by: Actor, now: Date): Promise<CancelOutcome> {
    return inTransaction(this.pool, async (client): Promise<CancelOutcome> => {
      const { rows } = await client.query<PgLedgerRow>(
        `UPDATE upgrade_ledger SET status = 'cancelled', decided_by_id = $1, decided_by_name = $2,
           decided_by_aad_object_id = $3, decided_at = $4
         WHERE token = $5 AND status = 'pending' AND expires_at > $4 RETURNING *`,
        [by.id, by.name ?? null, by.aadObjectId ?? null, now, token],
      );
      if (rows[0] !== undefined) {
        await addEvent(client, token, now, by, 'cancelled');
        return { kind: 'cancelled', entry: fromRow(rows[0]) };
      }
      return notPending(client, token, now, by, 'cancel_ignored');
    });
  }

  async history(customerId: string): Promise<readonly LedgerEntry[]> {
    const { rows } = await this.pool.query<PgLedgerRow>(
      // seq breaks ties between requests of the same instant, as rowid does in SQLite (the last recorded first).
      'SELECT * FROM upgrade_ledger WHERE customer_id = $1 ORDER BY requested_at DESC, seq DESC',
      [customerId],
    );
    return rows.map(fromRow);
  }

  async unfinished(now: Date): Promise<readonly LedgerEntry[]> {
    const { rows } = await this.pool.query<PgLedgerRow>(
      `SELECT * FROM upgrade_ledger WHERE status = 'executing' AND lease_until < $1 ORDER BY lease_until`,
      [now],
    );
    return rows.map(fromRow);
  }

  async prune(before: Date): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      // Pending requests past their lifetime long ago are expired first, so that they can go too.
      await client.query(
        `UPDATE upgrade_ledger SET status = 'expired', decided_at = expires_at
         WHERE status = 'pending' AND expires_at < $1`,
        [before],
      );
      const requests = await client.query(
        `DELETE FROM upgrade_ledger
         WHERE status IN ('cancelled', 'expired', 'refused', 'failed') AND decided_at < $1`,
        [before],
      );
      const events = await client.query(
        `DELETE FROM events WHERE at < $1 AND token NOT IN
           (SELECT token FROM upgrade_ledger WHERE status IN ('pending', 'executing', 'done'))`,
        [before],
      );
      return (requests.rowCount ?? 0) + (events.rowCount ?? 0);
    });
  }

  /** The audit trail of one request, oldest first. */
  async events(token: string): Promise<readonly LedgerEvent[]> {
    const { rows } = await this.pool.query<EventRow>('SELECT * FROM events WHERE token = $1 ORDER BY id', [
      token,
    ]);
    return rows.map((row) => ({
      token: row.token,
      at: row.at.toISOString(),
      ...(row.actor_id === null
        ? {}
        : { actor: { id: row.actor_id, ...(row.actor_name === null ? {} : { name: row.actor_name }) } }),
      what: row.what as LedgerEventKind,
      ...(row.detail === null ? {} : { detail: row.detail }),
    }));
  }

  protected override finish(
    token: string,
    status: OutcomeStatus,
    now: Date,
    attempt: number | undefined,
    outcome: OutcomeRecord,
  ): Promise<LedgerEntry> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<PgLedgerRow>(
        `UPDATE upgrade_ledger SET status = $1, decided_at = $2, lease_until = NULL,
           new_subscription_id = $3, affected_accounts = $4, reasons = $5, error = $6
         WHERE token = $7 AND status = 'executing' AND ($8::integer IS NULL OR attempts = $8::integer)
         RETURNING *`,
        [
          status,
          now,
          outcome.newSubscriptionId ?? null,
          JSON.stringify(outcome.affectedAccounts ?? []),
          JSON.stringify(outcome.reasons ?? []),
          outcome.error ?? null,
          token,
          attempt ?? null,
        ],
      );
      const row = rows[0];
      if (row === undefined) {
        const current = (await client.query<PgLedgerRow>(SELECT, [token])).rows[0];
        const state =
          current?.status === 'executing' && attempt !== undefined
            ? `attempt ${current.attempts} holds it, not attempt ${attempt}`
            : `it is ${current?.status ?? 'unknown'}`;
        throw new LedgerError(`Upgrade request "${token}" cannot become ${status}: ${state}`);
      }
      await addEvent(client, token, now, undefined, status, outcome.detail);
      return fromRow(row);
    });
  }
}

/** Why a claim or cancel did not take: unknown, expired (recorded now), or not pending. */
async function notPending(
  client: PoolClient,
  token: string,
  now: Date,
  by: Actor,
  ignored: LedgerEventKind,
): Promise<ClaimOutcome & CancelOutcome> {
  const row = (await client.query<PgLedgerRow>(SELECT, [token])).rows[0];
  if (row === undefined) return { kind: 'unknown' };
  if (row.status === 'pending') {
    const { rows } = await client.query<PgLedgerRow>(
      `UPDATE upgrade_ledger SET status = 'expired', decided_at = $1
       WHERE token = $2 AND status = 'pending' RETURNING *`,
      [now, token],
    );
    if (rows[0] !== undefined) {
      await addEvent(client, token, now, by, 'expired');
      return { kind: 'expired', entry: fromRow(rows[0]), expiredNow: true };
    }
  }
  await addEvent(client, token, now, by, ignored, row.status);
  return row.status === 'expired'
    ? { kind: 'expired', entry: fromRow(row), expiredNow: false }
    : { kind: 'already', entry: fromRow(row) };
}

async function addEvent(
  client: PoolClient,
  token: string,
  at: Date,
  actor: Actor | undefined,
  what: LedgerEventKind,
  detail?: string,
): Promise<void> {
  await client.query(
    'INSERT INTO events (token, at, actor_id, actor_name, what, detail) VALUES ($1, $2, $3, $4, $5, $6)',
    [token, at, actor?.id ?? null, actor?.name ?? null, what, detail ?? null],
  );
}
