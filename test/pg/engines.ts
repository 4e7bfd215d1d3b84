/**
 * The storage engines the contract tests run against: SQLite (a file in a temporary folder) and PostgreSQL (a
 * database of its own on the server of the global setup). Each `open()` gives stores on a new, empty,
 * migrated and seeded database; `another()` a second connection (SQLite) or pool (PostgreSQL) on the same one.
 *
 * Without a PostgreSQL server the PostgreSQL engine is left out with a loud warning, or fails in CI.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, inject, it } from 'vitest';
import type { CustomerRepository } from '../../src/core/customers.js';
import type { UpgradeGateway } from '../../src/core/gateway.js';
import type { LeaseStore } from '../../src/core/leases.js';
import type { UpgradeLedger } from '../../src/core/ledger.js';
import type { KeyValueStore } from '../../src/core/state.js';
import { openPgStore } from '../../src/postgres/store.js';
import type { Customer, LicencePlan, UpgradePlan } from '../../src/rules/index.js';
import type { LedgerEvent } from '../../src/storage/upgrade-ledger.js';
import { DEMO, open, tempDir, withRawDatabase } from '../storage/support.js';

export interface EngineOptions {
  readonly now?: () => Date;
  readonly beforeCommit?: (plan: UpgradePlan | LicencePlan) => void;
}

export interface Stores {
  readonly ledger: UpgradeLedger;
  readonly gateway: UpgradeGateway;
  readonly state: KeyValueStore;
  readonly customers: CustomerRepository;
  readonly leases: LeaseStore;
  events(token: string): Promise<readonly LedgerEvent[]>;
  /** Stores a customer as a sync would. */
  saveCustomer(customer: Customer): Promise<void>;
  /** Removes a customer as a sync would; false when there was none. */
  removeCustomer(customerId: string): Promise<boolean>;
  /** The single number a SQL query answers (written to run on both engines). */
  scalar(sql: string): Promise<number>;
  /** Follows other connections' changes every `intervalMs`. */
  watch(intervalMs: number): () => void;
  /** Stores on the same database through another connection (SQLite) or pool (PostgreSQL). */
  another(options?: EngineOptions & { readonly poolSize?: number }): Promise<Stores>;
}

export interface Engine {
  readonly name: 'sqlite' | 'postgresql';
  open(options?: EngineOptions & { readonly poolSize?: number }): Promise<Stores>;
}

const postgres = inject('postgres');
const IN_CI = process.env.CI === 'true';
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sqlite: Engine = {
  name: 'sqlite',
  open: async (options = {}) => sqliteStores(tempDir(), options),
};

function sqliteStores(dataDir: string, options: EngineOptions): Stores {
  const store = open(dataDir, {
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.beforeCommit === undefined ? {} : { faults: { beforeCommit: options.beforeCommit } }),
  });
  return {
    ledger: store.ledger,
    gateway: store.gateway,
    state: store.state,
    customers: store.customers,
    leases: store.leases,
    events: async (token) => store.ledger.events(token),
    saveCustomer: async (customer) => store.directory.saveCustomer(customer),
    removeCustomer: async (customerId) => store.directory.removeCustomer(customerId),
    scalar: async (sql) =>
      withRawDatabase(dataDir, (db) => {
        const statement = db.prepare(sql);
        return statement.reader ? Number(statement.pluck().get()) : statement.run().changes;
      }),
    watch: (intervalMs) => store.watch(intervalMs),
    another: async (more = {}) => sqliteStores(dataDir, more),
  };
}

/** A new, empty database on the server at `url` (dropped after the test, after `closers`); its URL. */
async function createDatabase(url: string, closers: (() => Promise<void>)[]): Promise<string> {
  const name = `ua_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  cleanups.push(async () => {
    for (const close of closers) await close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  });
  const databaseUrl = new URL(url);
  databaseUrl.pathname = `/${name}`;
  return databaseUrl.toString();
}

/**
 * A new, empty PostgreSQL database for a test (dropped after it), and `track` to close pools opened on it
 * before that. Undefined without a server.
 */
export async function emptyPostgresDatabase(): Promise<
  { readonly url: string; track(store: { close(): Promise<void> }): void } | undefined
> {
  if (postgres.url === undefined) return undefined;
  const closers: (() => Promise<void>)[] = [];
  const url = await createDatabase(postgres.url, closers);
  return { url, track: (store) => closers.push(() => store.close()) };
}

function postgresEngine(url: string): Engine {
  return {
    name: 'postgresql',
    open: async (options = {}) => {
      const closers: (() => Promise<void>)[] = [];
      const databaseUrl = await createDatabase(url, closers);
      const stores = async (more: EngineOptions & { readonly poolSize?: number } = {}): Promise<Stores> => {
        const store = await openPgStore({
          connectionString: databaseUrl,
          seed: DEMO,
          pool: { max: more.poolSize ?? 5 },
          ...(more.now === undefined ? {} : { now: more.now }),
          ...(more.beforeCommit === undefined ? {} : { faults: { beforeCommit: more.beforeCommit } }),
        });
        closers.push(() => store.close());
        return {
          ledger: store.ledger,
          gateway: store.gateway,
          state: store.state,
          customers: store.customers,
          leases: store.leases,
          events: (token) => store.ledger.events(token),
          saveCustomer: (customer) => store.customers.saveCustomer(customer),
          removeCustomer: (customerId) => store.customers.removeCustomer(customerId),
          scalar: async (sql) => {
            const result = await store.pool.query(sql);
            const first = result.rows[0] as Record<string, unknown> | undefined;
            return first === undefined ? (result.rowCount ?? 0) : Number(Object.values(first)[0]);
          },
          watch: (intervalMs) => store.watch(intervalMs),
          another: stores,
        };
      };
      return stores(options);
    },
  };
}

if (postgres.url === undefined) {
  if (IN_CI) {
    describe('PostgreSQL suites', () => {
      it('need a PostgreSQL server', () => {
        throw new Error(
          `No PostgreSQL for the tests: ${postgres.problem ?? 'unknown'}. ` +
            'CI must install it (.ci/run runs apt-get install postgresql), or set DATABASE_URL.',
        );
      });
    });
  } else {
    // The global setup printed why, once.
    describe.skip('PostgreSQL suites (no server)', () => {
      it('run against PostgreSQL', () => undefined);
    });
  }
}

/** SQLite, and PostgreSQL when there is a server: for `describe.each`. */
export function engines(): Engine[] {
  return postgres.url === undefined ? [sqlite] : [sqlite, postgresEngine(postgres.url)];
}

/** PostgreSQL only (empty without a server): for the tests of what only PostgreSQL has. */
export function postgresOnly(): Engine[] {
  return postgres.url === undefined ? [] : [postgresEngine(postgres.url)];
}
