/**
 * The customer repository port in PostgreSQL, shared by every replica. Memory holds a bounded cache of parsed
 * customers. Every customer write raises the directory revision (one row, written under its row lock, so
 * writes commit in revision order); `refresh()` compares the revision with the one last seen and reloads only
 * the rows written since, telling the change listeners. `watch(intervalMs)` on the store calls it on a timer:
 * the cache follows the other replicas within that interval.
 */
import { LRUCache } from 'lru-cache';
import type { Pool, PoolClient } from 'pg';
import type { CustomerChange, CustomerRepository, DirectoryInfo } from '../core/customers.js';
import type { DirectoryData } from '../directory/load.js';
import type { CustomerName } from '../directory/lookup-types.js';
import type { Customer } from '../rules/index.js';
import { inTransaction, waitForMigrationLock } from './migrations.js';

/** Customers handed over at a time by `pages()`. */
const PAGE = 500;
/** Customers kept parsed in memory by default. */
const DEFAULT_CACHE_SIZE = 20_000;

const META = { partnerName: 'partner_name', seededFrom: 'seeded_from', seededAt: 'seeded_at' } as const;

interface CustomerRow {
  readonly id: string;
  readonly document: Customer;
  readonly version: string;
}

interface ChangedRow extends CustomerRow {
  readonly company_name: string;
  readonly domain: string | null;
}

interface Cached {
  readonly customer: Customer;
  readonly version: number;
}

export interface PgSeedOptions {
  readonly source?: string;
  readonly now?: Date;
}

/**
 * Seeds an empty database with the directory data (a function is called only then); false when it was seeded
 * before. Under the migrations' advisory lock: replicas starting at once seed it once.
 */
export async function seedCustomers(
  pool: Pool,
  seed: DirectoryData | (() => DirectoryData),
  options: PgSeedOptions = {},
): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    await waitForMigrationLock(client);
    if ((await readMeta(client, META.seededAt)) !== undefined) return false;
    const data = typeof seed === 'function' ? seed() : seed;
    const seen = new Set<string>();
    for (const customer of data.customers) {
      if (seen.has(customer.id)) throw new Error(`Duplicate customer id "${customer.id}" in the directory`);
      seen.add(customer.id);
    }
    // In batches, in file order (seq follows the insert order).
    for (let i = 0; i < data.customers.length; i += PAGE) {
      const batch = data.customers.slice(i, i + PAGE);
      await client.query(
        `INSERT INTO customers (id, company_name, document, version)
         SELECT c ->> 'id', c -> 'companyProfile' ->> 'companyName', c, 1
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t (c, n) ORDER BY n`,
        [JSON.stringify(batch)],
      );
    }
    await client.query('UPDATE directory_revision SET revision = greatest(revision, 1)');
    const setMeta = `INSERT INTO meta (key, value) VALUES ($1, $2)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
    await client.query(setMeta, [META.partnerName, data.partner.name]);
    await client.query(setMeta, [META.seededFrom, options.source ?? 'directory data']);
    await client.query(setMeta, [META.seededAt, (options.now ?? new Date()).toISOString()]);
    return true;
  });
}

async function readMeta(client: Pool | PoolClient, key: string): Promise<string | undefined> {
  const { rows } = await client.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
  return rows[0]?.value;
}

/** Takes the next directory revision; the row stays locked until the transaction ends. */
export async function nextRevision(client: PoolClient): Promise<number> {
  const { rows } = await client.query<{ revision: string }>(
    'UPDATE directory_revision SET revision = revision + 1 RETURNING revision',
  );
  return Number(rows[0]!.revision);
}

export class PgCustomerRepository implements CustomerRepository {
  private readonly cache: LRUCache<string, Cached>;
  private readonly listeners = new Set<(change: CustomerChange) => void>();
  /** The highest directory revision whose changes this repository has taken in. */
  private revision = 0;
  private refreshing: Promise<void> | undefined;

  private constructor(
    private readonly pool: Pool,
    readonly info: DirectoryInfo,
    revision: number,
    cacheSize: number,
  ) {
    this.revision = revision;
    this.cache = new LRUCache<string, Cached>({ max: cacheSize });
  }

  static async open(
    pool: Pool,
    options: { readonly cacheSize?: number } = {},
  ): Promise<PgCustomerRepository> {
    const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
    if (!Number.isInteger(cacheSize) || cacheSize < 1) {
      throw new Error(`The directory cache size must be a whole number above 0 (got ${cacheSize})`);
    }
    const partnerName = (await readMeta(pool, META.partnerName)) ?? '';
    return new PgCustomerRepository(pool, { partnerName }, await currentRevision(pool), cacheSize);
  }

  async get(customerId: string): Promise<Customer | undefined> {
    const cached = this.cache.get(customerId);
    if (cached !== undefined) return cached.customer;
    const seen = this.revision;
    const { rows } = await this.pool.query<CustomerRow>(
      'SELECT id, document, version FROM customers WHERE id = $1',
      [customerId],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    // Kept only when no refresh took changes in meanwhile: that refresh skipped this customer (not cached then),
    // so a row read before its change would otherwise stay in the cache for good.
    if (this.revision !== seen) return row.document;
    return this.remember(row.document, Number(row.version));
  }

  async *pages(): AsyncIterable<readonly Customer[]> {
    let after = 0;
    for (;;) {
      const { rows } = await this.pool.query<CustomerRow & { seq: string }>(
        'SELECT seq, id, document, version FROM customers WHERE seq > $1 ORDER BY seq LIMIT $2',
        [after, PAGE],
      );
      if (rows.length > 0) yield rows.map((row) => row.document);
      if (rows.length < PAGE) return;
      after = Number(rows[rows.length - 1]!.seq);
    }
  }

  async names(): Promise<readonly CustomerName[]> {
    const { rows } = await this.pool.query<{ id: string; company_name: string; domain: string | null }>(
      `SELECT id, company_name, document -> 'companyProfile' ->> 'domain' AS domain FROM customers ORDER BY seq`,
    );
    return rows.map((r) => ({
      id: r.id,
      companyProfile: { companyName: r.company_name, domain: r.domain ?? '' },
    }));
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM customers');
    return Number(rows[0]!.n);
  }

  onChanged(listener: (change: CustomerChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stores a customer as given, adding it or replacing the stored one (a sync); no rule is checked. */
  async saveCustomer(customer: Customer): Promise<void> {
    if (typeof customer.id !== 'string' || customer.id.trim() === '') {
      throw new Error('Cannot save a customer without an id');
    }
    await inTransaction(this.pool, async (client) => {
      await lockCustomer(client, customer.id);
      const version = await nextRevision(client);
      await client.query(
        `INSERT INTO customers (id, company_name, document, version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET company_name = excluded.company_name, document = excluded.document,
           version = excluded.version`,
        [customer.id, customer.companyProfile.companyName, JSON.stringify(customer), version],
      );
    });
    await this.refresh();
  }

  /** Removes a customer (a sync found it gone); false when there was none. Its ledger entries are kept. */
  async removeCustomer(customerId: string): Promise<boolean> {
    const removed = await inTransaction(this.pool, async (client) => {
      await lockCustomer(client, customerId);
      const version = await nextRevision(client);
      const { rowCount } = await client.query('DELETE FROM customers WHERE id = $1', [customerId]);
      if (rowCount === 0) throw new NothingRemoved();
      await client.query('INSERT INTO customer_removals (id, version) VALUES ($1, $2)', [
        customerId,
        version,
      ]);
      return true;
    }).catch((error: unknown) => {
      if (error instanceof NothingRemoved) return false;
      throw error;
    });
    if (removed) await this.refresh();
    return removed;
  }

  /** Takes in the changes committed since the revision last seen (one cheap query when there are none). */
  refresh(): Promise<void> {
    // One look at a time; a caller arriving during a look waits for the next one.
    const run = async (): Promise<void> => {
      const revision = await currentRevision(this.pool);
      if (revision === this.revision) return;
      const since = this.revision;
      const changed = await this.pool.query<ChangedRow>(
        `SELECT id, document, version, company_name, document -> 'companyProfile' ->> 'domain' AS domain
         FROM customers WHERE version > $1 AND version <= $2 ORDER BY version`,
        [since, revision],
      );
      const removed = await this.pool.query<{ id: string }>(
        `SELECT r.id FROM customer_removals r WHERE r.version > $1 AND r.version <= $2
           AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = r.id) ORDER BY r.version`,
        [since, revision],
      );
      this.revision = revision;
      for (const row of changed.rows) {
        if (this.cache.has(row.id)) this.remember(row.document, Number(row.version));
        const companyProfile = { companyName: row.company_name, domain: row.domain ?? '' };
        this.emit({ kind: 'upserted', customer: { id: row.id, companyProfile } });
      }
      for (const row of removed.rows) {
        this.cache.delete(row.id);
        this.emit({ kind: 'removed', customerId: row.id });
      }
    };
    const next = (this.refreshing ?? Promise.resolve()).then(run);
    this.refreshing = next.catch(() => undefined);
    return next;
  }

  private emit(change: CustomerChange): void {
    for (const listener of this.listeners) listener(change);
  }

  private remember(customer: Customer, version: number): Customer {
    this.cache.set(customer.id, { customer, version });
    return customer;
  }
}

class NothingRemoved extends Error {}

/**
 * Locks the customer's row (when it exists) before the directory revision, in the order the gateway takes
 * them: a sync writing a customer while an upgrade of that customer runs waits for it, never deadlocks.
 */
async function lockCustomer(client: PoolClient, customerId: string): Promise<void> {
  await client.query('SELECT 1 FROM customers WHERE id = $1 FOR UPDATE', [customerId]);
}

async function currentRevision(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ revision: string }>('SELECT revision FROM directory_revision');
  return Number(rows[0]?.revision ?? 0);
}
