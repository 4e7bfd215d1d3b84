/**
 * A small durable key-value store with optimistic concurrency, for the bot's conversation and user state. The
 * bot layer wraps it as a botbuilder `Storage`; this module knows nothing of botbuilder. Values are stored as
 * JSON.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';

export interface StoredValue {
  readonly value: unknown;
  readonly eTag: string;
}

export interface WriteItem {
  readonly key: string;
  /** Anything `JSON.stringify` can store (not `undefined`). */
  readonly value: unknown;
  /** Absent, '' or '*': write unconditionally. Otherwise the eTag the value was read with. */
  readonly eTag?: string;
}

export interface KeyValueStore {
  /** The stored values of the keys that exist; missing keys are absent from the result. */
  read(keys: readonly string[]): Record<string, StoredValue>;
  /**
   * Writes all the items or none: an item whose eTag does not match the stored one (or whose row is missing
   * while an eTag other than '*' is given) throws an `ETagConflictError` and nothing of the batch is written.
   * Returns the new eTag of each key written.
   */
  write(items: readonly WriteItem[]): Record<string, string>;
  /** Deletes the keys (missing keys are ignored). */
  delete(keys: readonly string[]): void;
}

/** A write whose eTag is stale: someone else wrote (or deleted) the value since it was read. */
export class ETagConflictError extends Error {
  readonly key: string;
  /** The eTag the write was made with. */
  readonly expected: string;
  /** The stored eTag, `undefined` when the key does not exist. */
  readonly actual: string | undefined;

  constructor(key: string, expected: string, actual: string | undefined) {
    super(
      actual === undefined
        ? `Storage: "${key}" was written with eTag "${expected}" but it does not exist (any more)`
        : `Storage: "${key}" was written with eTag "${expected}" but it has eTag "${actual}" now`,
    );
    this.name = 'ETagConflictError';
    this.key = key;
    this.expected = expected;
    this.actual = actual;
  }
}

interface StateRow {
  readonly value: string;
  readonly etag: string;
}

function isUnconditional(eTag: string | undefined): boolean {
  return eTag === undefined || eTag === '' || eTag === '*';
}

export class SqliteKeyValueStore implements KeyValueStore {
  private readonly db: Database.Database;
  private readonly now: () => Date;
  private readonly select: Database.Statement<[string], StateRow>;
  private readonly selectETag: Database.Statement<[string], string>;
  private readonly upsert: Database.Statement<[string, string, string, string]>;
  private readonly remove: Database.Statement<[string]>;

  constructor(db: Database.Database, options: { now?: () => Date } = {}) {
    this.db = db;
    this.now = options.now ?? (() => new Date());
    this.select = db.prepare<[string], StateRow>('SELECT value, etag FROM state WHERE key = ?');
    this.selectETag = db.prepare<[string], string>('SELECT etag FROM state WHERE key = ?').pluck();
    this.upsert = db.prepare<[string, string, string, string]>(
      `INSERT INTO state (key, value, etag, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = excluded.etag,
         updated_at = excluded.updated_at`,
    );
    this.remove = db.prepare<[string]>('DELETE FROM state WHERE key = ?');
  }

  read(keys: readonly string[]): Record<string, StoredValue> {
    // One read transaction: the values are a consistent snapshot.
    const entries = this.db
      .transaction((): [string, StoredValue][] => {
        const found: [string, StoredValue][] = [];
        for (const key of new Set(keys)) {
          const row = this.select.get(key);
          if (row !== undefined) found.push([key, { value: JSON.parse(row.value), eTag: row.etag }]);
        }
        return found;
      })
      .deferred();
    return Object.fromEntries(entries);
  }

  write(items: readonly WriteItem[]): Record<string, string> {
    // Serialise first: a value JSON cannot hold fails the batch before anything is written.
    const serialised = items.map((item) => {
      const json: unknown = JSON.stringify(item.value);
      if (typeof json !== 'string') {
        throw new TypeError(`Storage: the value of "${item.key}" cannot be stored as JSON`);
      }
      return { ...item, json };
    });
    const updatedAt = this.now().toISOString();
    const entries = this.db
      .transaction((): [string, string][] => {
        const written: [string, string][] = [];
        for (const item of serialised) {
          if (!isUnconditional(item.eTag)) {
            const stored = this.selectETag.get(item.key);
            if (stored !== item.eTag) throw new ETagConflictError(item.key, item.eTag ?? '', stored);
          }
          const eTag = randomUUID();
          this.upsert.run(item.key, item.json, eTag, updatedAt);
          written.push([item.key, eTag]);
        }
        return written;
      })
      .immediate();
    return Object.fromEntries(entries);
  }

  delete(keys: readonly string[]): void {
    if (keys.length === 0) return;
    this.db
      .transaction(() => {
        for (const key of keys) this.remove.run(key);
      })
      .immediate();
  }
}
