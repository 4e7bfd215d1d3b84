/**
 * The key-value store port in SQLite, for the bot's conversation and user state: JSON values with an eTag
 * (optimistic concurrency when the caller gives one).
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ETagConflictError, type KeyValueStore, type StoredValue, type WriteItem } from '../core/state.js';

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

  async read(keys: readonly string[]): Promise<Record<string, StoredValue>> {
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

  async write(items: readonly WriteItem[]): Promise<Record<string, string>> {
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

  async prune(before: Date): Promise<number> {
    return this.db.prepare<[string]>('DELETE FROM state WHERE updated_at < ?').run(before.toISOString())
      .changes;
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    this.db
      .transaction(() => {
        for (const key of keys) this.remove.run(key);
      })
      .immediate();
  }
}
