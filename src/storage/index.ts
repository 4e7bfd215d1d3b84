/** Durable storage: SQLite database, customer directory, upgrade ledger, bot state. */
export { DATABASE_FILE, IN_MEMORY, openDatabase, migrate } from './database.js';
export type { OpenDatabaseOptions, OpenedDatabase } from './database.js';
export { StorageError } from './errors.js';
export { ETagConflictError, SqliteKeyValueStore } from './key-value-store.js';
export type { KeyValueStore, StoredValue, WriteItem } from './key-value-store.js';
export { MIGRATIONS } from './migrations.js';
export type { Migration } from './migrations.js';
export { SqliteDirectory } from './sqlite-directory.js';
export type { PreparedUpgrade, SeedInfo, SeedOptions } from './sqlite-directory.js';
export { openStore } from './store.js';
export type { Store, StoreOptions } from './store.js';
export { LedgerError, SqliteUpgradeLedger, newUpgradeToken } from './upgrade-ledger.js';
export type {
  Actor,
  CancelOutcome,
  ConfirmOutcome,
  ConfirmPlanner,
  LedgerEntry,
  LedgerEvent,
  LedgerEventKind,
  LedgerFaults,
  LedgerOptions,
  UpgradeLedger,
  UpgradeRequestRecord,
  UpgradeStatus,
} from './upgrade-ledger.js';
