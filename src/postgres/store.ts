/**
 * The composition root's entry to PostgreSQL: one pool shared by the customer repository, the upgrade ledger,
 * the conversation state and the gateway that upgrades in the shared directory. Opening migrates the schema
 * and seeds an empty database, both under an advisory lock (replicas may start at once).
 */
import pg from 'pg';
import type { DirectoryData } from '../directory/load.js';
import { PgCustomerRepository, seedCustomers } from './customers.js';
import { PgKeyValueStore } from './key-value-store.js';
import { PgLeaseStore } from './leases.js';
import { errorMessage } from '../storage/errors.js';
import { migrate, sqlState } from './migrations.js';
import { PgUpgradeGateway, type PgGatewayFaults } from './upgrade-gateway.js';
import { PgUpgradeLedger } from './upgrade-ledger.js';

export interface PgPoolOptions {
  /** Connections at most (default 10). */
  readonly max?: number;
  /** How long to wait for a connection before failing, in ms (default 5000). */
  readonly connectionTimeoutMs?: number;
  /** How long an idle connection is kept, in ms (default 30000). */
  readonly idleTimeoutMs?: number;
  /** The server-side limit of one statement, in ms (default none). */
  readonly statementTimeoutMs?: number;
}

export interface PgStoreOptions {
  /** postgres://user@host:port/database */
  readonly connectionString: string;
  readonly pool?: PgPoolOptions;
  /** The customers to seed an empty database with, or a function reading them (called only then). */
  readonly seed: DirectoryData | (() => DirectoryData);
  readonly seedSource?: string;
  readonly cacheSize?: number;
  /** The clock (default: the system clock): seed time, state update times, execution times. */
  readonly now?: () => Date;
  readonly faults?: PgGatewayFaults;
}

export interface PgStore {
  readonly pool: pg.Pool;
  readonly customers: PgCustomerRepository;
  readonly ledger: PgUpgradeLedger;
  readonly gateway: PgUpgradeGateway;
  readonly state: PgKeyValueStore;
  readonly leases: PgLeaseStore;
  /** True when this open seeded the database. */
  readonly seeded: boolean;
  readonly migratedFrom: number;
  readonly schemaVersion: number;
  /** Looks for changes other replicas committed every `intervalMs`; returns the function that stops it. */
  watch(intervalMs: number): () => void;
  close(): Promise<void>;
}

export function createPool(connectionString: string, options: PgPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    // A connection whose server vanished without a reset (a failover) is found out, not waited on for minutes.
    keepAlive: true,
    ...(options.statementTimeoutMs === undefined
      ? {}
      : {
          statement_timeout: options.statementTimeoutMs,
          // The client gives up a little after the server would have: a half-open connection never answers.
          query_timeout: options.statementTimeoutMs + 5000,
          // A replica frozen inside a transaction does not hold its row locks (the directory revision) forever.
          idle_in_transaction_session_timeout: options.statementTimeoutMs * 2,
        }),
  });
  // A connection that the server drops must not crash the process: an idle one is replaced by the pool, and
  // the query of a busy one rejects (the error event is then a duplicate).
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export async function openPgStore(options: PgStoreOptions): Promise<PgStore> {
  const now = options.now ?? (() => new Date());
  const pool = createPool(options.connectionString, options.pool);
  try {
    let migrated: { from: number; to: number };
    try {
      migrated = await migrate(pool);
    } catch (error) {
      if (sqlState(error)?.match(/^[0-9A-Z]{5}$/) && !sqlState(error)?.startsWith('08')) throw error;
      throw new Error(
        `PostgreSQL at ${serverOf(options.connectionString)}: cannot connect (${errorMessage(error)})`,
        {
          cause: error,
        },
      );
    }
    const { from, to } = migrated;
    const seeded = await seedCustomers(pool, options.seed, {
      now: now(),
      ...(options.seedSource === undefined ? {} : { source: options.seedSource }),
    });
    const customers = await PgCustomerRepository.open(
      pool,
      options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize },
    );
    let closed = false;
    return {
      pool,
      customers,
      ledger: new PgUpgradeLedger(pool),
      gateway: new PgUpgradeGateway(pool, customers, {
        now,
        ...(options.faults === undefined ? {} : { faults: options.faults }),
      }),
      state: new PgKeyValueStore(pool, { now }),
      leases: new PgLeaseStore(pool),
      seeded,
      migratedFrom: from,
      schemaVersion: to,
      watch: (intervalMs) => {
        const timer = setInterval(() => {
          // A failed look (the database away for a moment) is retried at the next tick.
          if (!closed) customers.refresh().catch(() => undefined);
        }, intervalMs);
        timer.unref();
        return () => clearInterval(timer);
      },
      close: async () => {
        if (closed) return;
        closed = true;
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** host:port/database of a connection string, without the user or password. */
export function serverOf(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'the DATABASE_URL (not a valid URL)';
  }
}
