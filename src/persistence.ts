/**
 * The composition root's choice of storage engine: PostgreSQL when DATABASE_URL is set (several replicas share
 * it), else SQLite in DATA_DIR (one machine). Both give the same ports; the rest of the bot never knows which
 * one runs. Only `src/index.ts` and the scripts import this module.
 */
import type { Config } from './config.js';
import type { CustomerRepository } from './core/customers.js';
import type { UpgradeGateway } from './core/gateway.js';
import type { LeaseStore } from './core/leases.js';
import type { UpgradeLedger } from './core/ledger.js';
import type { KeyValueStore } from './core/state.js';
import type { DirectoryData } from './directory/load.js';
import type { Customer, LicencePlan, UpgradePlan } from './rules/index.js';
import { isPgUnavailable } from './postgres/errors.js';
import { sqlState } from './postgres/migrations.js';
import { openPgStore, serverOf } from './postgres/store.js';
import { StorageError, errorCode } from './storage/errors.js';
import { openStore } from './storage/store.js';
import type { LedgerEvent } from './storage/upgrade-ledger.js';

export type Engine = 'sqlite' | 'postgresql';

export interface Persistence {
  readonly engine: Engine;
  /** The database file, or host:port/database (never the credentials). */
  readonly location: string;
  /** True when this open seeded an empty database. */
  readonly seeded: boolean;
  readonly customers: CustomerRepository;
  readonly ledger: UpgradeLedger;
  readonly gateway: UpgradeGateway;
  readonly state: KeyValueStore;
  /** Named leases shared by the replicas (one of them syncs at a time). */
  readonly leases: LeaseStore;
  /** Stores a customer as a sync does (added or replaced; no rule is checked). */
  saveCustomer(customer: Customer): Promise<void>;
  /** Removes a customer as a sync does (the system of record no longer has it); false when there was none. */
  removeCustomer(customerId: string): Promise<boolean>;
  /** The audit trail of one upgrade request, oldest first. */
  auditEvents(token: string): Promise<readonly LedgerEvent[]>;
  /** True when an error says the database cannot be reached now: the user is told to try again shortly. */
  isUnavailable(error: unknown): boolean;
  /** Follows the changes other processes or replicas commit, every `intervalMs`; returns the stop function. */
  watch(intervalMs: number): () => void;
  close(): Promise<void>;
}

export interface PersistenceOptions {
  /** The customers an empty database is seeded with (read only then). */
  readonly seed: () => DirectoryData;
  readonly seedSource: string;
  /** Fault injection for tests, inside the gateway's transaction. */
  readonly faults?: { readonly beforeCommit?: (plan: UpgradePlan | LicencePlan) => void };
  readonly onWarning?: (message: string) => void;
}

/** SQLite errors of a database that is locked or cannot be read now. */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL)/;

/** Opens (migrating and seeding as needed) the engine the configuration names. */
export async function openPersistence(config: Config, options: PersistenceOptions): Promise<Persistence> {
  return config.DATABASE_URL === undefined ? openSqlite(config, options) : openPostgres(config, options);
}

function openSqlite(config: Config, options: PersistenceOptions): Persistence {
  const store = openStore({
    dataDir: config.DATA_DIR,
    seed: options.seed,
    seedSource: options.seedSource,
    cacheSize: config.DIRECTORY_CACHE_SIZE,
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
  });
  return {
    engine: 'sqlite',
    location: store.path,
    seeded: store.seeded,
    customers: store.customers,
    ledger: store.ledger,
    gateway: store.gateway,
    state: store.state,
    leases: store.leases,
    saveCustomer: async (customer) => store.directory.saveCustomer(customer),
    removeCustomer: async (customerId) => store.directory.removeCustomer(customerId),
    auditEvents: async (token) => store.ledger.events(token),
    isUnavailable: (error) => SQLITE_UNAVAILABLE.test(errorCode(error) ?? ''),
    watch: (intervalMs) => store.watch(intervalMs),
    close: async () => store.close(),
  };
}

async function openPostgres(config: Config, options: PersistenceOptions): Promise<Persistence> {
  const url = config.DATABASE_URL!;
  let store;
  try {
    store = await openPgStore({
      connectionString: url,
      pool: {
        max: config.DATABASE_POOL_SIZE,
        connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000,
        idleTimeoutMs: config.DATABASE_IDLE_TIMEOUT_SECONDS * 1000,
        statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_SECONDS * 1000,
      },
      seed: options.seed,
      seedSource: options.seedSource,
      cacheSize: config.DIRECTORY_CACHE_SIZE,
      ...(options.faults === undefined ? {} : { faults: options.faults }),
    });
  } catch (error) {
    // One line naming the server (never the password), whatever stopped the start: unreachable, refused
    // credentials (28P01), no such database (3D000), TLS required (28000), a schema too new…
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const state = sqlState(cause);
    const what = isPgUnavailable(error) ? 'cannot connect' : 'cannot be used';
    throw new StorageError(
      `PostgreSQL at ${serverOf(url)}`,
      `${what} (${reason || 'no answer'}${state === undefined ? '' : `, ${state}`})`,
      'Check that the server is running and reachable from here, and the host, port, database, user and ' +
        'password in DATABASE_URL (add ?sslmode=verify-full for a server that requires TLS, as Azure Database for PostgreSQL does).',
      { cause: error },
    );
  }
  const pgStore = store;
  return {
    engine: 'postgresql',
    location: serverOf(url),
    seeded: pgStore.seeded,
    customers: pgStore.customers,
    ledger: pgStore.ledger,
    gateway: pgStore.gateway,
    state: pgStore.state,
    leases: pgStore.leases,
    saveCustomer: (customer) => pgStore.customers.saveCustomer(customer),
    removeCustomer: (customerId) => pgStore.customers.removeCustomer(customerId),
    auditEvents: (token) => pgStore.ledger.events(token),
    isUnavailable: isPgUnavailable,
    watch: (intervalMs) => pgStore.watch(intervalMs),
    close: () => pgStore.close(),
  };
}
