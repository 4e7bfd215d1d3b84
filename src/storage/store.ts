/**
 * The composition root's entry to the embedded storage: one SQLite database (one connection) holding the
 * customer directory, the upgrade ledger and the bot's state, and the gateway that upgrades in it.
 */
import { openDatabase, type OpenDatabaseOptions } from './database.js';
import { SqliteKeyValueStore } from './key-value-store.js';
import { SqliteLeaseStore } from './leases.js';
import { SqliteCustomerRepository } from './sqlite-customers.js';
import { SqliteDirectory, type Seed } from './sqlite-directory.js';
import { SqliteUpgradeGateway, type GatewayFaults } from './sqlite-upgrade-gateway.js';
import { SqliteUpgradeLedger } from './upgrade-ledger.js';

export interface StoreOptions extends OpenDatabaseOptions {
  /** The data directory holding `upgrade-assistant.db` (created when missing), or ':memory:'. */
  readonly dataDir: string;
  /**
   * The customers to seed a new database with, or a function reading them (called only for a new database);
   * ignored when the database was seeded before.
   */
  readonly seed: Seed;
  /** How many parsed customers memory keeps (the directory's default when unset). */
  readonly cacheSize?: number;
  /** Where the seed came from (e.g. the directory file's path), recorded with it. */
  readonly seedSource?: string;
  /** The clock (default: the system clock): seed time and state update times. */
  readonly now?: () => Date;
  /** Fault injection for tests. */
  readonly faults?: GatewayFaults;
}

export interface Store {
  readonly directory: SqliteDirectory;
  readonly customers: SqliteCustomerRepository;
  readonly ledger: SqliteUpgradeLedger;
  readonly gateway: SqliteUpgradeGateway;
  readonly state: SqliteKeyValueStore;
  readonly leases: SqliteLeaseStore;
  /** True when this open created the customers from the seed (first start). */
  readonly seeded: boolean;
  /** The database file, or ':memory:'. */
  readonly path: string;
  /** The schema version before this open ran the migrations (0 for a new database). */
  readonly migratedFrom: number;
  readonly schemaVersion: number;
  /**
   * Looks for changes other processes committed every `intervalMs` (cheap when there are none), so that the
   * caches and the change listeners follow them; returns the function that stops it.
   */
  watch(intervalMs: number): () => void;
  close(): void;
}

/** Opens (creating, migrating and seeding as needed) the store; throws a `StorageError` when it cannot. */
export function openStore(options: StoreOptions): Store {
  const now = options.now ?? (() => new Date());
  const { db, path, migratedFrom, schemaVersion } = openDatabase(options.dataDir, options);
  try {
    const directory = SqliteDirectory.open(db, options.seed, {
      ...(options.seedSource === undefined ? {} : { source: options.seedSource }),
      ...(options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize }),
      now: now(),
    });
    const ledger = new SqliteUpgradeLedger(db);
    const gateway = new SqliteUpgradeGateway(db, directory, {
      now,
      ...(options.faults === undefined ? {} : { faults: options.faults }),
    });
    const state = new SqliteKeyValueStore(db, { now });
    return {
      directory,
      customers: new SqliteCustomerRepository(directory),
      ledger,
      gateway,
      state,
      leases: new SqliteLeaseStore(db),
      seeded: directory.seeded,
      path,
      migratedFrom,
      schemaVersion,
      watch: (intervalMs) => {
        const timer = setInterval(() => {
          if (db.open) directory.refresh();
        }, intervalMs);
        timer.unref();
        return () => clearInterval(timer);
      },
      close: () => {
        if (!db.open) return;
        try {
          db.pragma('optimize');
        } finally {
          db.close();
        }
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
