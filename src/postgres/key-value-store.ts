/**
 * The key-value store port in PostgreSQL, for the bot's conversation and user state: JSON values with an eTag
 * (optimistic concurrency when the caller gives one). A conditional write locks the row it checks, so two
 * writers with the same eTag cannot both win.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ETagConflictError, type KeyValueStore, type StoredValue, type WriteItem } from '../core/state.js';
import { inTransaction } from './migrations.js';

function isUnconditional(eTag: string | undefined): boolean {
  return eTag === undefined || eTag === '' || eTag === '*';
}

export class PgKeyValueStore implements KeyValueStore {
  private readonly now: () => Date;

  constructor(
    private readonly pool: Pool,
    options: { now?: () => Date } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async read(keys: readonly string[]): Promise<Record<string, StoredValue>> {
    if (keys.length === 0) return {};
    // One statement: the values are a consistent snapshot.
    const { rows } = await this.pool.query<{ key: string; value: string; etag: string }>(
      'SELECT key, value, etag FROM state WHERE key = ANY($1::text[])',
      [[...new Set(keys)]],
    );
    return Object.fromEntries(
      rows.map((row) => [row.key, { value: JSON.parse(row.value) as unknown, eTag: row.etag }]),
    );
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
    if (serialised.length === 0) return {};
    const updatedAt = this.now();
    const entries = await inTransaction(this.pool, async (client) => {
      const written: [string, string][] = [];
      for (const item of serialised) {
        if (!isUnconditional(item.eTag)) {
          const { rows } = await client.query<{ etag: string }>(
            'SELECT etag FROM state WHERE key = $1 FOR UPDATE',
            [item.key],
          );
          const stored = rows[0]?.etag;
          if (stored !== item.eTag) throw new ETagConflictError(item.key, item.eTag ?? '', stored);
        }
        const eTag = randomUUID();
        await client.query(
          `INSERT INTO state (key, value, etag, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = excluded.etag,
             updated_at = excluded.updated_at`,
          [item.key, item.json, eTag, updatedAt],
        );
        written.push([item.key, eTag]);
      }
      return written;
    });
    return Object.fromEntries(entries);
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.pool.query('DELETE FROM state WHERE key = ANY($1::text[])', [[...keys]]);
  }

  async prune(before: Date): Promise<number> {
    const result = await this.pool.query('DELETE FROM state WHERE updated_at < $1', [before]);
    return result.rowCount ?? 0;
  }
}
