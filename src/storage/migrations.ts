/**
 * The database schema, as an ordered list of migrations. `PRAGMA user_version` holds the number of
 * migrations applied; a migration is never edited once released: add a new one at the end.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  /** 1 for the first migration, then 2, 3, … in order. */
  readonly version: number;
  readonly description: string;
  readonly up: (db: Database.Database) => void;
}

const SCHEMA_1 = `
-- Facts about the database: partner name, where and when the customers were seeded from.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- One row per customer: the customer as JSON (the directory-file shape). version is the directory revision
-- at which the row was last written (seed = 1), so other connections reload only what changed.
CREATE TABLE customers (
  id           TEXT PRIMARY KEY,
  company_name TEXT NOT NULL,
  document     TEXT NOT NULL CHECK (json_valid(document)),
  version      INTEGER NOT NULL
) STRICT;
CREATE INDEX customers_by_version ON customers (version);

-- The upgrade ledger: one row per confirm card (token), decided at most once.
CREATE TABLE upgrade_ledger (
  token                    TEXT PRIMARY KEY,
  customer_id              TEXT NOT NULL REFERENCES customers (id),
  subscription_id          TEXT NOT NULL,
  from_offer               TEXT NOT NULL,
  target                   TEXT NOT NULL,
  quantity                 INTEGER NOT NULL CHECK (quantity > 0),
  upgrade_type             TEXT NOT NULL,
  requested_by_id          TEXT NOT NULL,
  requested_by_name        TEXT,
  requested_by_aad_object_id TEXT,
  requested_at             TEXT NOT NULL,
  conversation_id          TEXT,
  status                   TEXT NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'done', 'cancelled', 'refused', 'failed')),
  decided_by_id            TEXT,
  decided_by_name          TEXT,
  decided_by_aad_object_id TEXT,
  decided_at               TEXT,
  new_subscription_id      TEXT UNIQUE,
  affected_accounts        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(affected_accounts)),
  reasons                  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(reasons)),
  error                    TEXT,
  CHECK ((status = 'pending') = (decided_at IS NULL)),
  CHECK ((status = 'done') = (new_subscription_id IS NOT NULL))
) STRICT;
CREATE INDEX upgrade_ledger_by_customer ON upgrade_ledger (customer_id, requested_at);

-- A decided request is final: the database itself refuses to change it again.
CREATE TRIGGER upgrade_ledger_decided_once BEFORE UPDATE ON upgrade_ledger
WHEN OLD.status <> 'pending'
BEGIN
  SELECT RAISE(ABORT, 'upgrade request already decided');
END;
CREATE TRIGGER upgrade_ledger_kept BEFORE DELETE ON upgrade_ledger
BEGIN
  SELECT RAISE(ABORT, 'the upgrade ledger is never deleted from');
END;

-- Append-only audit trail of the ledger: who did what to which request, when.
CREATE TABLE events (
  id         INTEGER PRIMARY KEY,
  token      TEXT NOT NULL,
  at         TEXT NOT NULL,
  actor_id   TEXT,
  actor_name TEXT,
  what       TEXT NOT NULL,
  detail     TEXT
) STRICT;
CREATE INDEX events_by_token ON events (token);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;

-- The bot's conversation and user state: JSON values with an eTag for optimistic concurrency.
CREATE TABLE state (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL CHECK (json_valid(value)),
  etag       TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
`;

const SUBSCRIPTIONS_OF_CUSTOMER = `SELECT json_extract(value, '$.id'), NEW.id
    FROM json_each(NEW.document, '$.subscriptions') WHERE json_extract(value, '$.id') IS NOT NULL`;

const SCHEMA_2 = `
-- Which customer holds each subscription id, kept by triggers from the customer documents (whoever writes
-- them), so that a subscription id is checked without holding every customer in memory.
CREATE TABLE subscription_owners (
  subscription_id TEXT PRIMARY KEY,
  customer_id     TEXT NOT NULL
) STRICT;
CREATE INDEX subscription_owners_by_customer ON subscription_owners (customer_id);
INSERT OR REPLACE INTO subscription_owners
  SELECT json_extract(s.value, '$.id'), c.id FROM customers c, json_each(c.document, '$.subscriptions') s
  WHERE json_extract(s.value, '$.id') IS NOT NULL ORDER BY c.rowid;
CREATE TRIGGER customers_owners_insert AFTER INSERT ON customers
BEGIN
  INSERT OR REPLACE INTO subscription_owners ${SUBSCRIPTIONS_OF_CUSTOMER};
END;
CREATE TRIGGER customers_owners_update AFTER UPDATE OF id, document ON customers
BEGIN
  DELETE FROM subscription_owners WHERE customer_id = OLD.id;
  INSERT OR REPLACE INTO subscription_owners ${SUBSCRIPTIONS_OF_CUSTOMER};
END;
`;

const SCHEMA_3 = `
-- The ledger with explicit states for exactly-once changes (pending, executing under a lease, then done, failed
-- or refused; or cancelled, or expired past its lifetime). No foreign key to customers: the record of a change
-- outlives a customer that a sync removes. Rebuilt, since SQLite cannot change a CHECK constraint.
DROP TRIGGER upgrade_ledger_decided_once;
DROP TRIGGER upgrade_ledger_kept;
ALTER TABLE upgrade_ledger RENAME TO upgrade_ledger_2;
CREATE TABLE upgrade_ledger (
  token                    TEXT PRIMARY KEY,
  customer_id              TEXT NOT NULL,
  subscription_id          TEXT NOT NULL,
  from_offer               TEXT NOT NULL,
  target                   TEXT NOT NULL,
  quantity                 INTEGER NOT NULL CHECK (quantity > 0),
  upgrade_type             TEXT NOT NULL,
  requested_by_id          TEXT NOT NULL,
  requested_by_name        TEXT,
  requested_by_aad_object_id TEXT,
  requested_at             TEXT NOT NULL,
  conversation_id          TEXT,
  expires_at               TEXT NOT NULL,
  status                   TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                             ('pending', 'executing', 'done', 'failed', 'refused', 'unknown', 'cancelled',
                              'expired')),
  decided_by_id            TEXT,
  decided_by_name          TEXT,
  decided_by_aad_object_id TEXT,
  decided_at               TEXT,
  lease_until              TEXT,
  attempts                 INTEGER NOT NULL DEFAULT 0,
  new_subscription_id      TEXT UNIQUE,
  affected_accounts        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(affected_accounts)),
  reasons                  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(reasons)),
  error                    TEXT,
  CHECK ((status IN ('pending', 'executing')) = (decided_at IS NULL)),
  CHECK ((status = 'executing') = (lease_until IS NOT NULL)),
  CHECK ((status = 'done') = (new_subscription_id IS NOT NULL))
) STRICT;
INSERT INTO upgrade_ledger (token, customer_id, subscription_id, from_offer, target, quantity, upgrade_type,
    requested_by_id, requested_by_name, requested_by_aad_object_id, requested_at, conversation_id, expires_at,
    status, decided_by_id, decided_by_name, decided_by_aad_object_id, decided_at, attempts, new_subscription_id,
    affected_accounts, reasons, error)
  SELECT token, customer_id, subscription_id, from_offer, target, quantity, upgrade_type, requested_by_id,
    requested_by_name, requested_by_aad_object_id, requested_at, conversation_id,
    strftime('%Y-%m-%dT%H:%M:%fZ', requested_at, '+1 day'), status, decided_by_id, decided_by_name,
    decided_by_aad_object_id, decided_at, CASE WHEN status = 'pending' THEN 0 ELSE 1 END, new_subscription_id,
    affected_accounts, reasons, error
  FROM upgrade_ledger_2 ORDER BY rowid;
DROP TABLE upgrade_ledger_2;
CREATE INDEX upgrade_ledger_by_customer ON upgrade_ledger (customer_id, requested_at);
CREATE INDEX upgrade_ledger_executing ON upgrade_ledger (lease_until) WHERE status = 'executing';
-- One source subscription has at most one change under way.
CREATE UNIQUE INDEX upgrade_ledger_one_executing ON upgrade_ledger (subscription_id) WHERE status = 'executing';

-- Only forward: pending → executing, cancelled or expired; executing → executing (a new lease), done, failed,
-- refused or unknown. A final entry is kept as is, and what was requested never changes.
CREATE TRIGGER upgrade_ledger_forward BEFORE UPDATE ON upgrade_ledger
WHEN NOT ((OLD.status = 'pending' AND NEW.status IN ('executing', 'cancelled', 'expired'))
       OR (OLD.status = 'executing' AND NEW.status IN ('executing', 'done', 'failed', 'refused', 'unknown')))
BEGIN
  SELECT RAISE(ABORT, 'upgrade request already decided');
END;
CREATE TRIGGER upgrade_ledger_order_kept BEFORE UPDATE OF token, customer_id, subscription_id, from_offer, target,
  quantity, upgrade_type, requested_by_id, requested_at, conversation_id ON upgrade_ledger
WHEN NEW.token IS NOT OLD.token OR NEW.customer_id IS NOT OLD.customer_id
  OR NEW.subscription_id IS NOT OLD.subscription_id OR NEW.from_offer IS NOT OLD.from_offer
  OR NEW.target IS NOT OLD.target OR NEW.quantity IS NOT OLD.quantity OR NEW.upgrade_type IS NOT OLD.upgrade_type
  OR NEW.requested_by_id IS NOT OLD.requested_by_id OR NEW.requested_at IS NOT OLD.requested_at
  OR NEW.conversation_id IS NOT OLD.conversation_id
BEGIN
  SELECT RAISE(ABORT, 'what was requested never changes');
END;
CREATE TRIGGER upgrade_ledger_kept BEFORE DELETE ON upgrade_ledger
BEGIN
  SELECT RAISE(ABORT, 'the upgrade ledger is never deleted from');
END;

-- What the embedded gateway carried out, by idempotency key: running the same change again answers the same.
CREATE TABLE executions (
  idempotency_key     TEXT PRIMARY KEY,
  customer_id         TEXT NOT NULL,
  subscription_id     TEXT NOT NULL,
  new_subscription_id TEXT NOT NULL,
  affected_accounts   TEXT NOT NULL CHECK (json_valid(affected_accounts)),
  at                  TEXT NOT NULL
) STRICT;

-- Customers removed (by a sync), with the directory revision of the removal, so that other connections drop them.
CREATE TABLE customer_removals (
  id      TEXT NOT NULL,
  version INTEGER NOT NULL
) STRICT;
CREATE INDEX customer_removals_by_version ON customer_removals (version);
CREATE TRIGGER customers_owners_delete AFTER DELETE ON customers
BEGIN
  DELETE FROM subscription_owners WHERE customer_id = OLD.id;
END;
`;

const SCHEMA_4 = `
-- Where the confirm card was issued: a token is confirmed or cancelled only there. Requests recorded before
-- were bound to no place: they expire now (their cards cannot be confirmed anywhere).
ALTER TABLE upgrade_ledger ADD COLUMN channel_id TEXT;
ALTER TABLE upgrade_ledger ADD COLUMN tenant_id TEXT;
UPDATE upgrade_ledger SET status = 'expired', decided_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE status = 'pending';

-- Retention: requests that changed nothing (cancelled, expired, refused, failed) and the audit trail may be
-- pruned once old; pending, executing, done and unknown requests are never deleted.
DROP TRIGGER upgrade_ledger_kept;
CREATE TRIGGER upgrade_ledger_kept BEFORE DELETE ON upgrade_ledger
WHEN OLD.status IN ('pending', 'executing', 'done', 'unknown')
BEGIN
  SELECT RAISE(ABORT, 'pending, executing, done and unknown upgrade requests are never deleted');
END;
DROP TRIGGER events_append_only_delete;
CREATE INDEX events_by_time ON events (at);
CREATE INDEX state_by_update ON state (updated_at);
`;

const SCHEMA_5 = `
-- Named leases: one replica at a time does a job (the Partner Center sync), until the time in "until" (ISO).
CREATE TABLE leases (
  name   TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  until  TEXT NOT NULL
) STRICT;
`;

const SCHEMA_6 = `
-- A confirm card changes a plan (upgrade) or adds licences to a subscription (change = 'add_licences': the
-- seats go from previous_quantity to quantity on the same offer, and there is no upgrade type).
-- previous_quantity is the subscription's seats when the card was made, for both: a different count at
-- confirm is a change made elsewhere. The subscription that holds the result is the same one every time
-- licences are added: new_subscription_id is unique for upgrades only.
-- Rebuilt, since SQLite cannot change a column's constraints.
DROP TRIGGER upgrade_ledger_forward;
DROP TRIGGER upgrade_ledger_order_kept;
DROP TRIGGER upgrade_ledger_kept;
ALTER TABLE upgrade_ledger RENAME TO upgrade_ledger_5;
CREATE TABLE upgrade_ledger (
  token                    TEXT PRIMARY KEY,
  customer_id              TEXT NOT NULL,
  subscription_id          TEXT NOT NULL,
  change                   TEXT NOT NULL DEFAULT 'upgrade' CHECK (change IN ('upgrade', 'add_licences')),
  from_offer               TEXT NOT NULL,
  target                   TEXT NOT NULL,
  quantity                 INTEGER NOT NULL CHECK (quantity > 0),
  previous_quantity        INTEGER CHECK (previous_quantity >= 0),
  upgrade_type             TEXT,
  requested_by_id          TEXT NOT NULL,
  requested_by_name        TEXT,
  requested_by_aad_object_id TEXT,
  requested_at             TEXT NOT NULL,
  conversation_id          TEXT,
  expires_at               TEXT NOT NULL,
  status                   TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                             ('pending', 'executing', 'done', 'failed', 'refused', 'unknown', 'cancelled',
                              'expired')),
  decided_by_id            TEXT,
  decided_by_name          TEXT,
  decided_by_aad_object_id TEXT,
  decided_at               TEXT,
  lease_until              TEXT,
  attempts                 INTEGER NOT NULL DEFAULT 0,
  new_subscription_id      TEXT,
  affected_accounts        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(affected_accounts)),
  reasons                  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(reasons)),
  error                    TEXT,
  channel_id               TEXT,
  tenant_id                TEXT,
  CHECK ((status IN ('pending', 'executing')) = (decided_at IS NULL)),
  CHECK ((status = 'executing') = (lease_until IS NOT NULL)),
  CHECK ((status = 'done') = (new_subscription_id IS NOT NULL)),
  CHECK ((change = 'upgrade') = (upgrade_type IS NOT NULL)),
  -- Licences: the seats before (required), more after, on the same offer. Upgrades: the source's seats when the
  -- card was made (absent on requests made before it was kept).
  CHECK (change = 'upgrade' OR (previous_quantity IS NOT NULL AND quantity > previous_quantity
    AND target = from_offer))
) STRICT;
INSERT INTO upgrade_ledger (token, customer_id, subscription_id, from_offer, target, quantity, upgrade_type,
    requested_by_id, requested_by_name, requested_by_aad_object_id, requested_at, conversation_id, expires_at,
    status, decided_by_id, decided_by_name, decided_by_aad_object_id, decided_at, lease_until, attempts,
    new_subscription_id, affected_accounts, reasons, error, channel_id, tenant_id)
  SELECT token, customer_id, subscription_id, from_offer, target, quantity, upgrade_type, requested_by_id,
    requested_by_name, requested_by_aad_object_id, requested_at, conversation_id, expires_at, status,
    decided_by_id, decided_by_name, decided_by_aad_object_id, decided_at, lease_until, attempts,
    new_subscription_id, affected_accounts, reasons, error, channel_id, tenant_id
  FROM upgrade_ledger_5 ORDER BY rowid;
DROP TABLE upgrade_ledger_5;
CREATE INDEX upgrade_ledger_by_customer ON upgrade_ledger (customer_id, requested_at);
CREATE INDEX upgrade_ledger_executing ON upgrade_ledger (lease_until) WHERE status = 'executing';
CREATE UNIQUE INDEX upgrade_ledger_one_executing ON upgrade_ledger (subscription_id) WHERE status = 'executing';
CREATE UNIQUE INDEX upgrade_ledger_new_subscription ON upgrade_ledger (new_subscription_id)
  WHERE change = 'upgrade';
CREATE TRIGGER upgrade_ledger_forward BEFORE UPDATE ON upgrade_ledger
WHEN NOT ((OLD.status = 'pending' AND NEW.status IN ('executing', 'cancelled', 'expired'))
       OR (OLD.status = 'executing' AND NEW.status IN ('executing', 'done', 'failed', 'refused', 'unknown')))
BEGIN
  SELECT RAISE(ABORT, 'upgrade request already decided');
END;
CREATE TRIGGER upgrade_ledger_order_kept BEFORE UPDATE OF token, customer_id, subscription_id, change, from_offer,
  target, quantity, previous_quantity, upgrade_type, requested_by_id, requested_at, conversation_id
  ON upgrade_ledger
WHEN NEW.token IS NOT OLD.token OR NEW.customer_id IS NOT OLD.customer_id
  OR NEW.subscription_id IS NOT OLD.subscription_id OR NEW.change IS NOT OLD.change
  OR NEW.from_offer IS NOT OLD.from_offer OR NEW.target IS NOT OLD.target OR NEW.quantity IS NOT OLD.quantity
  OR NEW.previous_quantity IS NOT OLD.previous_quantity OR NEW.upgrade_type IS NOT OLD.upgrade_type
  OR NEW.requested_by_id IS NOT OLD.requested_by_id OR NEW.requested_at IS NOT OLD.requested_at
  OR NEW.conversation_id IS NOT OLD.conversation_id
BEGIN
  SELECT RAISE(ABORT, 'what was requested never changes');
END;
CREATE TRIGGER upgrade_ledger_kept BEFORE DELETE ON upgrade_ledger
WHEN OLD.status IN ('pending', 'executing', 'done', 'unknown')
BEGIN
  SELECT RAISE(ABORT, 'pending, executing, done and unknown upgrade requests are never deleted');
END;
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'customers, meta, upgrade ledger, events, key-value state',
    up: (db) => db.exec(SCHEMA_1),
  },
  {
    version: 2,
    description: 'subscription owners, kept by triggers',
    up: (db) => db.exec(SCHEMA_2),
  },
  {
    version: 3,
    description: 'ledger states with leases and lifetimes, gateway executions, customer removals',
    up: (db) => db.exec(SCHEMA_3),
  },
  {
    version: 4,
    description: 'where a confirm card was issued (channel, tenant); retention of what changed nothing',
    up: (db) => db.exec(SCHEMA_4),
  },
  {
    version: 5,
    description: 'named leases (one replica syncs at a time)',
    up: (db) => db.exec(SCHEMA_5),
  },
  {
    version: 6,
    description: 'licences added to a subscription: the kind of change and the seats before it',
    up: (db) => db.exec(SCHEMA_6),
  },
];

/** The tables this code creates, for telling an Upgrade Assistant database from another SQLite file. */
export const OWN_TABLES: readonly string[] = [
  'meta',
  'customers',
  'upgrade_ledger',
  'events',
  'state',
  'subscription_owners',
  'executions',
  'customer_removals',
  'leases',
];
