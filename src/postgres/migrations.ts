/**
 * The PostgreSQL schema, versioned with the SQLite one (src/storage/migrations.ts): the same numbering, so that
 * version N means the same tables on both engines. PostgreSQL starts at version 4, the schema SQLite reaches
 * after its migrations 1–4; a later change adds a migration to both lists with the same version.
 *
 * The migrations run in one transaction under an advisory lock: replicas starting at once wait for each other,
 * and the first one migrates.
 */
import type { Pool, PoolClient, QueryConfig } from 'pg';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../storage/migrations.js';

export interface PgMigration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** The advisory lock key of the migrations and the seed (any constant both sides agree on). */
export const MIGRATION_LOCK = 7_245_019_311;

const SCHEMA_4 = `
-- Facts about the database: partner name, where and when the customers were seeded from.
CREATE TABLE meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);

-- The directory revision: one row, incremented (under its row lock) by every customer write, so that writes
-- commit in revision order and other replicas reload only what changed since the revision they saw.
CREATE TABLE directory_revision (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  revision bigint NOT NULL
);
INSERT INTO directory_revision (revision) VALUES (0);

-- One row per customer: the customer as JSON (the directory-file shape). version is the directory revision at
-- which the row was last written (seed = 1). seq keeps the order of the directory file.
CREATE TABLE customers (
  id           text PRIMARY KEY,
  seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  company_name text NOT NULL,
  document     jsonb NOT NULL,
  version      bigint NOT NULL
);
CREATE INDEX customers_by_version ON customers (version);
-- Which customer holds a subscription id: answered from the documents through this index.
CREATE INDEX customers_by_subscription ON customers USING gin ((document -> 'subscriptions') jsonb_path_ops);

-- Customers removed (by a sync), with the directory revision of the removal, so that other replicas drop them.
CREATE TABLE customer_removals (
  id      text NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX customer_removals_by_version ON customer_removals (version);

-- The upgrade ledger: one row per confirm card (token), moved forward through explicit states. No foreign key
-- to customers: the record of a change outlives a customer that a sync removes.
CREATE TABLE upgrade_ledger (
  token                      text PRIMARY KEY,
  seq                        bigint GENERATED ALWAYS AS IDENTITY,
  customer_id                text NOT NULL,
  subscription_id            text NOT NULL,
  from_offer                 text NOT NULL,
  target                     text NOT NULL,
  quantity                   integer NOT NULL CHECK (quantity > 0),
  upgrade_type               text NOT NULL,
  requested_by_id            text NOT NULL,
  requested_by_name          text,
  requested_by_aad_object_id text,
  requested_at               timestamptz NOT NULL,
  conversation_id            text,
  channel_id                 text,
  tenant_id                  text,
  expires_at                 timestamptz NOT NULL,
  status                     text NOT NULL DEFAULT 'pending' CHECK (status IN
                               ('pending', 'executing', 'done', 'failed', 'refused', 'unknown', 'cancelled',
                                'expired')),
  decided_by_id              text,
  decided_by_name            text,
  decided_by_aad_object_id   text,
  decided_at                 timestamptz,
  lease_until                timestamptz,
  attempts                   integer NOT NULL DEFAULT 0,
  new_subscription_id        text UNIQUE,
  affected_accounts          jsonb NOT NULL DEFAULT '[]',
  reasons                    jsonb NOT NULL DEFAULT '[]',
  error                      text,
  CHECK ((status IN ('pending', 'executing')) = (decided_at IS NULL)),
  CHECK ((status = 'executing') = (lease_until IS NOT NULL)),
  CHECK ((status = 'done') = (new_subscription_id IS NOT NULL))
);
CREATE INDEX upgrade_ledger_by_customer ON upgrade_ledger (customer_id, requested_at);
CREATE INDEX upgrade_ledger_executing ON upgrade_ledger (lease_until) WHERE status = 'executing';
-- One source subscription has at most one change under way.
CREATE UNIQUE INDEX upgrade_ledger_one_executing ON upgrade_ledger (subscription_id) WHERE status = 'executing';

-- Only forward: pending → executing, cancelled or expired; executing → executing (a new lease), done, failed,
-- refused or unknown. A final entry is kept as is, and what was requested never changes.
CREATE FUNCTION upgrade_ledger_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT ((OLD.status = 'pending' AND NEW.status IN ('executing', 'cancelled', 'expired'))
       OR (OLD.status = 'executing' AND NEW.status IN ('executing', 'done', 'failed', 'refused', 'unknown'))) THEN
    RAISE EXCEPTION 'upgrade request already decided';
  END IF;
  IF (NEW.token, NEW.customer_id, NEW.subscription_id, NEW.from_offer, NEW.target, NEW.quantity,
      NEW.upgrade_type, NEW.requested_by_id, NEW.requested_at, NEW.conversation_id)
     IS DISTINCT FROM (OLD.token, OLD.customer_id, OLD.subscription_id, OLD.from_offer, OLD.target,
      OLD.quantity, OLD.upgrade_type, OLD.requested_by_id, OLD.requested_at, OLD.conversation_id) THEN
    RAISE EXCEPTION 'what was requested never changes';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER upgrade_ledger_forward BEFORE UPDATE ON upgrade_ledger
  FOR EACH ROW EXECUTE FUNCTION upgrade_ledger_forward();

-- Retention: requests that changed nothing may be pruned; pending, executing, done and unknown ones never.
CREATE FUNCTION upgrade_ledger_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status IN ('pending', 'executing', 'done', 'unknown') THEN
    RAISE EXCEPTION 'pending, executing, done and unknown upgrade requests are never deleted';
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER upgrade_ledger_kept BEFORE DELETE ON upgrade_ledger
  FOR EACH ROW EXECUTE FUNCTION upgrade_ledger_kept();

-- The audit trail of the ledger: who did what to which request, when. Never updated; pruned when old.
CREATE TABLE events (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token      text NOT NULL,
  at         timestamptz NOT NULL,
  actor_id   text,
  actor_name text,
  what       text NOT NULL,
  detail     text
);
CREATE INDEX events_by_token ON events (token);
CREATE INDEX events_by_time ON events (at);
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only';
END $$;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
  FOR EACH ROW EXECUTE FUNCTION events_append_only();

-- What the embedded gateway carried out, by idempotency key: running the same change again answers the same.
CREATE TABLE executions (
  idempotency_key     text PRIMARY KEY,
  customer_id         text NOT NULL,
  subscription_id     text NOT NULL,
  new_subscription_id text NOT NULL,
  affected_accounts   jsonb NOT NULL,
  at                  timestamptz NOT NULL
);

-- The bot's conversation and user state: JSON text with an eTag for optimistic concurrency.
CREATE TABLE state (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  etag       text NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX state_by_update ON state (updated_at);
`;

const SCHEMA_6 = `
-- A confirm card changes a plan (upgrade) or adds licences to a subscription (change = 'add_licences': the
-- seats go from previous_quantity to quantity on the same offer, and there is no upgrade type).
-- previous_quantity is the subscription's seats when the card was made, for both: a different count at
-- confirm is a change made elsewhere. The subscription that holds the result is the same one every time
-- licences are added: new_subscription_id is unique for upgrades only.
ALTER TABLE upgrade_ledger
  ADD COLUMN change text NOT NULL DEFAULT 'upgrade' CHECK (change IN ('upgrade', 'add_licences')),
  ADD COLUMN previous_quantity integer CHECK (previous_quantity >= 0),
  ALTER COLUMN upgrade_type DROP NOT NULL,
  ADD CHECK ((change = 'upgrade') = (upgrade_type IS NOT NULL)),
  -- Licences: the seats before (required), more after, on the same offer. Upgrades: the source's seats when the
  -- card was made (absent on requests made before it was kept).
  ADD CHECK (change = 'upgrade' OR (previous_quantity IS NOT NULL AND quantity > previous_quantity
    AND target = from_offer)),
  DROP CONSTRAINT upgrade_ledger_new_subscription_id_key;
CREATE UNIQUE INDEX upgrade_ledger_new_subscription ON upgrade_ledger (new_subscription_id)
  WHERE change = 'upgrade';
CREATE OR REPLACE FUNCTION upgrade_ledger_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT ((OLD.status = 'pending' AND NEW.status IN ('executing', 'cancelled', 'expired'))
       OR (OLD.status = 'executing' AND NEW.status IN ('executing', 'done', 'failed', 'refused', 'unknown'))) THEN
    RAISE EXCEPTION 'upgrade request already decided';
  END IF;
  IF (NEW.token, NEW.customer_id, NEW.subscription_id, NEW.change, NEW.from_offer, NEW.target, NEW.quantity,
      NEW.previous_quantity, NEW.upgrade_type, NEW.requested_by_id, NEW.requested_at, NEW.conversation_id)
     IS DISTINCT FROM (OLD.token, OLD.customer_id, OLD.subscription_id, OLD.change, OLD.from_offer, OLD.target,
      OLD.quantity, OLD.previous_quantity, OLD.upgrade_type, OLD.requested_by_id, OLD.requested_at,
      OLD.conversation_id) THEN
    RAISE EXCEPTION 'what was requested never changes';
  END IF;
  RETURN NEW;
END $$;
`;

const SCHEMA_5 = `
-- Named leases: one replica at a time does a job (the Partner Center sync), until the time in "until".
CREATE TABLE leases (
  name   text PRIMARY KEY,
  holder text NOT NULL,
  until  timestamptz NOT NULL
);
`;

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 4,
    description:
      'the schema of SQLite migrations 1–4: customers, ledger with leases, events, executions, state',
    sql: SCHEMA_4,
  },
  { version: 5, description: 'named leases (one replica syncs at a time)', sql: SCHEMA_5 },
  {
    version: 6,
    description: 'licences added to a subscription: the kind of change and the seats before it',
    sql: SCHEMA_6,
  },
];

/** The schema version this code expects: the same on both engines. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.at(-1)!.version;

if (PG_SCHEMA_VERSION !== SQLITE_MIGRATIONS.at(-1)!.version) {
  throw new Error('The PostgreSQL and SQLite migrations must end at the same version');
}

export interface MigrationResult {
  /** The version before (0 for an empty database). */
  readonly from: number;
  readonly to: number;
}

/** Brings the database to the latest schema, under an advisory lock (safe when replicas start at once). */
export async function migrate(pool: Pool): Promise<MigrationResult> {
  return inTransaction(pool, async (client) => {
    await waitForMigrationLock(client);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version     integer PRIMARY KEY,
         description text NOT NULL,
         applied_at  timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM schema_migrations',
    );
    const from = rows[0]?.version ?? 0;
    if (from > PG_SCHEMA_VERSION) {
      throw new Error(
        `The database schema is at version ${from}, newer than this code (${PG_SCHEMA_VERSION}): ` +
          'run the newer release, or restore a backup.',
      );
    }
    for (const migration of PG_MIGRATIONS) {
      if (migration.version <= from) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, description) VALUES ($1, $2)', [
        migration.version,
        migration.description,
      ]);
    }
    return { from, to: PG_SCHEMA_VERSION };
  });
}

/**
 * Takes the advisory lock of the migrations and the seed for this transaction. Waiting for a replica that
 * migrates or seeds a large directory is not a statement to time out, on the server or on the client.
 */
export async function waitForMigrationLock(client: PoolClient): Promise<void> {
  await client.query('SET LOCAL statement_timeout = 0');
  // node-postgres reads a query's own query_timeout (its types do not list it).
  const lock: QueryConfig & { readonly query_timeout: number } = {
    text: 'SELECT pg_advisory_xact_lock($1)',
    values: [MIGRATION_LOCK],
    query_timeout: 24 * 3_600_000,
  };
  await client.query(lock);
}

/** Runs `work` in a transaction on one pooled connection: committed when it resolves, rolled back otherwise. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // The connection is gone: the server rolled back; this client is not reused.
      broken = true;
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/** The SQLSTATE of a PostgreSQL error, if it has one. */
export function sqlState(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object' || !('code' in error)) return undefined;
  const { code } = error as { code: unknown };
  return typeof code === 'string' ? code : undefined;
}

export const UNIQUE_VIOLATION = '23505';
