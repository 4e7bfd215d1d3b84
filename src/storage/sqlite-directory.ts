/**
 * The durable customer directory: one row per customer in SQLite, seeded once from the directory data, changed
 * by upgrades. The customers live in the database; memory holds a bounded cache of parsed customers (all of
 * them when they fit), filled as they are asked for and kept in step by write-through. Changes committed by
 * other connections (other processes on the same file) are noticed through `PRAGMA data_version` and only the
 * changed rows are reloaded. Memory thus stays bounded whatever the size of the directory: `all()` reads the
 * rows in pages.
 *
 * One `SqliteDirectory` per connection: two on the same connection would not see each other's writes.
 */
import type Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import type { CustomerChange, DirectoryInfo } from '../core/customers.js';
import type { DirectoryData } from '../directory/load.js';
import type { CustomerName } from '../directory/lookup-types.js';
import { checkedUpgrade } from '../directory/upgrade-checks.js';
import { applyLicencePlan, type Customer, type LicencePlan, type UpgradePlan } from '../rules/index.js';
import { StorageError, errorMessage } from './errors.js';

export interface SeedOptions {
  /** Where the seed came from (a file path, "demo"…), kept in the meta table. */
  readonly source?: string;
  /** When the seed happened (default now). */
  readonly now?: Date;
  /** How many parsed customers memory keeps (default `DEFAULT_CACHE_SIZE`); the rest are read when asked. */
  readonly cacheSize?: number;
}

/** Customers kept parsed in memory by default: a directory this size or smaller is held whole. */
const DEFAULT_CACHE_SIZE = 20_000;
/** Rows read at a time by `all()`. */
const PAGE = 1000;

/** The seed data, or a function giving it: called only when the database has never been seeded. */
export type Seed = DirectoryData | (() => DirectoryData);

/** Where the customers came from: the seed of the very first start. */
interface SeedInfo {
  readonly source: string;
  /** ISO date-time. */
  readonly at: string;
  readonly partnerName: string;
}

/** An upgrade written inside a transaction that is not committed yet (see `prepareUpgrade`). */
export interface PreparedUpgrade {
  readonly customer: Customer;
  readonly version: number;
}

interface CustomerRow {
  readonly id: string;
  readonly document: string;
  readonly version: number;
}

interface ChangedRow extends CustomerRow {
  readonly companyName: string;
  readonly domain: string | null;
}

interface RemovalRow {
  readonly id: string;
  readonly version: number;
}

interface PageRow extends CustomerRow {
  readonly rowid: number;
}

interface NameRow {
  readonly id: string;
  readonly companyName: string;
  readonly domain: string | null;
}

interface Cached {
  readonly customer: Customer;
  readonly version: number;
}

const META = { partnerName: 'partner_name', seededFrom: 'seeded_from', seededAt: 'seeded_at' } as const;

export class SqliteDirectory {
  readonly info: DirectoryInfo;
  readonly seedInfo: SeedInfo;
  /** True when this open seeded the database (its first start); false when it already held customers. */
  readonly seeded: boolean;

  private readonly db: Database.Database;
  private readonly cache: LRUCache<string, Cached>;
  /** Every customer in rowid order, while the cache holds them all and nothing changed. */
  private whole: readonly Customer[] | undefined;
  /** The highest row version seen: rows above it are news. */
  private maxVersion = 0;
  private dataVersion = -1;
  private rowCount: number;

  private readonly dataVersionStatement: Database.Statement<[], number>;
  private readonly changedSince: Database.Statement<[number], ChangedRow>;
  private readonly removedSince: Database.Statement<[number], RemovalRow>;
  private readonly maxVersionStatement: Database.Statement<[], number | null>;
  private readonly deleteCustomer: Database.Statement<[string]>;
  private readonly insertRemoval: Database.Statement<[string, number]>;
  private readonly listeners = new Set<(change: CustomerChange) => void>();
  private readonly countStatement: Database.Statement<[], number>;
  private readonly rowById: Database.Statement<[string], CustomerRow>;
  private readonly page: Database.Statement<[number, number], PageRow>;
  private readonly idsInOrder: Database.Statement<[], string>;
  private readonly ownerOf: Database.Statement<[string], string>;
  private readonly updateCustomer: Database.Statement<[string, string, number, string]>;
  private readonly upsertCustomer: Database.Statement<[string, string, string, number]>;

  /**
   * Opens the directory held in `db`, seeding it from `seed` if the database has never been seeded (a function
   * is only called then: a restart does not read the directory file).
   */
  static open(db: Database.Database, seed: Seed, options: SeedOptions = {}): SqliteDirectory {
    const seeded = db
      .transaction((): boolean => {
        if (readMeta(db, META.seededAt) !== undefined) return false;
        writeSeed(db, typeof seed === 'function' ? seed() : seed, options);
        return true;
      })
      .immediate();
    return new SqliteDirectory(db, seeded, options.cacheSize ?? DEFAULT_CACHE_SIZE);
  }

  private constructor(db: Database.Database, seeded: boolean, cacheSize: number) {
    if (!Number.isInteger(cacheSize) || cacheSize < 1) {
      throw new Error(`The directory cache size must be a whole number above 0 (got ${cacheSize})`);
    }
    this.db = db;
    this.seeded = seeded;
    this.cache = new LRUCache<string, Cached>({ max: cacheSize });
    const partnerName = readMeta(db, META.partnerName) ?? '';
    this.info = { partnerName };
    this.seedInfo = {
      source: readMeta(db, META.seededFrom) ?? '',
      at: readMeta(db, META.seededAt) ?? '',
      partnerName,
    };
    this.dataVersionStatement = db.prepare<[], number>('PRAGMA data_version').pluck();
    // Through the version index: no ORDER BY rowid here, which would scan the whole table.
    this.changedSince = db.prepare<[number], ChangedRow>(
      `SELECT id, document, version, company_name AS companyName,
         json_extract(document, '$.companyProfile.domain') AS domain
       FROM customers WHERE version > ? ORDER BY version`,
    );
    this.removedSince = db.prepare<[number], RemovalRow>(
      'SELECT id, version FROM customer_removals WHERE version > ? ORDER BY version',
    );
    // The directory revision: the highest version written, by a change or a removal.
    this.maxVersionStatement = db
      .prepare<[], number | null>(
        `SELECT max(v) FROM (SELECT max(version) AS v FROM customers
           UNION ALL SELECT max(version) FROM customer_removals)`,
      )
      .pluck();
    this.deleteCustomer = db.prepare<[string]>('DELETE FROM customers WHERE id = ?');
    this.insertRemoval = db.prepare<[string, number]>(
      'INSERT INTO customer_removals (id, version) VALUES (?, ?)',
    );
    this.countStatement = db.prepare<[], number>('SELECT count(*) FROM customers').pluck();
    this.rowById = db.prepare<[string], CustomerRow>(
      'SELECT id, document, version FROM customers WHERE id = ?',
    );
    this.page = db.prepare<[number, number], PageRow>(
      'SELECT rowid, id, document, version FROM customers WHERE rowid > ? ORDER BY rowid LIMIT ?',
    );
    this.idsInOrder = db.prepare<[], string>('SELECT id FROM customers ORDER BY rowid').pluck();
    this.ownerOf = db
      .prepare<[string], string>('SELECT customer_id FROM subscription_owners WHERE subscription_id = ?')
      .pluck();
    this.updateCustomer = db.prepare<[string, string, number, string]>(
      'UPDATE customers SET company_name = ?, document = ?, version = ? WHERE id = ?',
    );
    this.upsertCustomer = db.prepare<[string, string, string, number]>(
      `INSERT INTO customers (id, company_name, document, version) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET company_name = excluded.company_name, document = excluded.document,
         version = excluded.version`,
    );
    // data_version first: a commit made while the rows load is then noticed at the next read.
    this.dataVersion = this.dataVersionStatement.get() ?? -1;
    this.maxVersion = this.maxVersionStatement.get() ?? 0;
    this.rowCount = this.countStatement.get() ?? 0;
    // Nothing is parsed at open: customers are read when first asked for (the first `all()` fills the cache
    // while it has room), so that start-up does not wait for the whole directory.
  }

  byId(customerId: string): Customer | undefined {
    this.refresh();
    return this.load(customerId);
  }

  /**
   * Every customer in file order (then in the order they were added): from memory when the cache holds them
   * all, else read in pages.
   */
  all(): Iterable<Customer> {
    this.refresh();
    if (this.whole === undefined && this.cache.size === this.rowCount) {
      const customers = this.idsInOrder.all().map((id) => this.cache.peek(id)?.customer);
      if (customers.every((c) => c !== undefined)) this.whole = Object.freeze(customers);
    }
    return this.whole ?? { [Symbol.iterator]: () => this.pages() };
  }

  /** The names and domains of every customer (what the lookup indexes), without parsing the documents. */
  names(): Iterable<CustomerName> {
    this.refresh();
    const rows = this.db
      .prepare<[], NameRow>(
        `SELECT id, company_name AS companyName, json_extract(document, '$.companyProfile.domain') AS domain
         FROM customers ORDER BY rowid`,
      )
      .all();
    return rows.map((r) => ({
      id: r.id,
      companyProfile: { companyName: r.companyName, domain: r.domain ?? '' },
    }));
  }

  count(): number {
    this.refresh();
    return this.rowCount;
  }

  /**
   * Stores a customer as given, adding it or replacing the stored one (a directory sync bringing in changes
   * made elsewhere). No rule is checked: the data is taken as the truth.
   */
  saveCustomer(customer: Customer): void {
    if (this.db.inTransaction) {
      throw new Error('SqliteDirectory.saveCustomer runs its own transaction');
    }
    if (typeof customer.id !== 'string' || customer.id.trim() === '') {
      throw new Error('Cannot save a customer without an id');
    }
    const document = JSON.stringify(customer);
    const version = this.db
      .transaction((): number => {
        this.pullChanges();
        const next = (this.maxVersionStatement.get() ?? 0) + 1;
        this.upsertCustomer.run(customer.id, customer.companyProfile.companyName, document, next);
        this.rowCount = this.countStatement.get() ?? 0;
        return next;
      })
      .immediate();
    // The stored form (as other connections will read it), not the caller's object.
    const stored = this.remember(JSON.parse(document) as Customer, version);
    this.emit({ kind: 'upserted', customer: { id: stored.id, companyProfile: stored.companyProfile } });
  }

  /** Removes a customer (a sync found it gone); false when there was none. Its ledger entries are kept. */
  removeCustomer(customerId: string): boolean {
    if (this.db.inTransaction) {
      throw new Error('SqliteDirectory.removeCustomer runs its own transaction');
    }
    const removed = this.db
      .transaction((): number | undefined => {
        this.pullChanges();
        // The next revision, read before the delete: the removed row may hold the highest version.
        const version = (this.maxVersionStatement.get() ?? 0) + 1;
        if (this.deleteCustomer.run(customerId).changes === 0) return undefined;
        this.insertRemoval.run(customerId, version);
        this.rowCount = this.countStatement.get() ?? 0;
        return version;
      })
      .immediate();
    if (removed === undefined) return false;
    this.forget(customerId, removed);
    return true;
  }

  /** Calls `listener` for every customer added, renamed, changed or removed, by this connection or another. */
  onChanged(listener: (change: CustomerChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Picks up the changes other connections committed since the last look (cheap when there are none). */
  refresh(): void {
    const version = this.dataVersionStatement.get() ?? -1;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    this.whole = undefined;
    this.pullChanges();
    this.rowCount = this.countStatement.get() ?? 0;
  }

  /**
   * For the upgrade gateway, inside its write transaction: the customer as committed now (other connections' commits
   * included).
   */
  currentForWrite(customerId: string): Customer | undefined {
    this.requireWriteTransaction();
    this.pullChanges();
    return this.load(customerId);
  }

  /**
   * For the upgrade gateway, inside its write transaction: checks the plan against the current data and writes the
   * upgraded customer. Throws `UpgradeConflictError` before writing anything when the plan no longer fits.
   * Call `upgradeCommitted` once the transaction has committed (the cache is not touched before).
   */
  prepareUpgrade(plan: UpgradePlan): PreparedUpgrade {
    this.requireWriteTransaction();
    this.pullChanges();
    const updated = checkedUpgrade(this.load(plan.customerId), plan, (subscriptionId) => {
      const owner = this.ownerOf.get(subscriptionId);
      return owner === undefined ? undefined : this.load(owner);
    });
    return this.prepareWrite(updated);
  }

  /**
   * For the upgrade gateway, inside its write transaction: writes the customer with the licences added. The plan
   * was made (and checked) on `currentForWrite` in the same transaction. Call `upgradeCommitted` once committed.
   */
  prepareLicences(plan: LicencePlan): PreparedUpgrade {
    this.requireWriteTransaction();
    const current = this.load(plan.customerId);
    if (current === undefined) throw new Error(`Customer "${plan.customerId}" vanished from the database`);
    return this.prepareWrite(applyLicencePlan(current, plan));
  }

  private prepareWrite(updated: Customer): PreparedUpgrade {
    const version = (this.maxVersionStatement.get() ?? 0) + 1;
    const { changes } = this.updateCustomer.run(
      updated.companyProfile.companyName,
      JSON.stringify(updated),
      version,
      updated.id,
    );
    if (changes !== 1) throw new Error(`Customer "${updated.id}" vanished from the database`);
    return { customer: updated, version };
  }

  /** Writes through to the cache once the transaction that ran `prepareUpgrade` has committed. */
  upgradeCommitted(prepared: PreparedUpgrade): void {
    this.remember(prepared.customer, prepared.version);
  }

  private requireWriteTransaction(): void {
    if (!this.db.inTransaction) throw new Error('Must run inside a write transaction');
  }

  /**
   * Reads the rows written since the highest version seen: the cached customers among them are replaced, the
   * others are read when asked for.
   */
  private pullChanges(): void {
    const since = this.maxVersion;
    for (const row of this.changedSince.all(since)) {
      if (this.cache.has(row.id)) this.remember(parseCustomer(this.db.name, row), row.version);
      this.maxVersion = Math.max(this.maxVersion, row.version);
      const companyProfile = { companyName: row.companyName, domain: row.domain ?? '' };
      this.emit({ kind: 'upserted', customer: { id: row.id, companyProfile } });
    }
    for (const row of this.removedSince.all(since)) {
      // Removed, unless added again since.
      if (this.rowById.get(row.id) === undefined) this.forget(row.id, row.version);
      else this.maxVersion = Math.max(this.maxVersion, row.version);
    }
  }

  private forget(customerId: string, version: number): void {
    this.cache.delete(customerId);
    this.whole = undefined;
    this.maxVersion = Math.max(this.maxVersion, version);
    this.emit({ kind: 'removed', customerId });
  }

  private emit(change: CustomerChange): void {
    for (const listener of this.listeners) listener(change);
  }

  /** The customer from the cache, or read from the database (and cached). */
  private load(customerId: string): Customer | undefined {
    const cached = this.cache.get(customerId);
    if (cached !== undefined) return cached.customer;
    const row = this.rowById.get(customerId);
    if (row === undefined) return undefined;
    return this.remember(parseCustomer(this.db.name, row), row.version);
  }

  /**
   * The customers in rowid order, a page at a time: cached customers as they are, the others parsed (and cached
   * while the cache has room: a walk over a directory larger than the cache does not push out the customers
   * being talked about).
   */
  private *pages(): Generator<Customer> {
    let after = 0;
    for (;;) {
      const page = this.page.all(after, PAGE);
      for (const row of page) {
        const cached = this.cache.peek(row.id);
        if (cached !== undefined && cached.version === row.version) {
          yield cached.customer;
          continue;
        }
        const customer = parseCustomer(this.db.name, row);
        if (this.cache.size < this.cache.max) this.remember(customer, row.version);
        yield customer;
      }
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.rowid;
    }
  }

  private remember(customer: Customer, version: number): Customer {
    this.cache.set(customer.id, { customer, version });
    this.whole = undefined;
    this.maxVersion = Math.max(this.maxVersion, version);
    return customer;
  }
}

function readMeta(db: Database.Database, key: string): string | undefined {
  return db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck().get(key);
}

function writeSeed(db: Database.Database, seed: DirectoryData, options: SeedOptions): void {
  const seen = new Set<string>();
  for (const customer of seed.customers) {
    if (seen.has(customer.id)) throw new Error(`Duplicate customer id "${customer.id}" in the directory`);
    seen.add(customer.id);
  }
  const insert = db.prepare<[string, string, string]>(
    'INSERT INTO customers (id, company_name, document, version) VALUES (?, ?, ?, 1)',
  );
  for (const customer of seed.customers) {
    insert.run(customer.id, customer.companyProfile.companyName, JSON.stringify(customer));
  }
  const setMeta = db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  setMeta.run(META.partnerName, seed.partner.name);
  setMeta.run(META.seededFrom, options.source ?? 'directory data');
  setMeta.run(META.seededAt, (options.now ?? new Date()).toISOString());
}

function parseCustomer(path: string, row: CustomerRow): Customer {
  let customer: Customer;
  try {
    customer = JSON.parse(row.document) as Customer;
  } catch (error) {
    throw new StorageError(
      path,
      `customer "${row.id}" is stored as invalid JSON (${errorMessage(error)})`,
      'Restore a backup of the database.',
    );
  }
  if (
    customer === null ||
    typeof customer !== 'object' ||
    customer.id !== row.id ||
    !Array.isArray(customer.subscriptions)
  ) {
    throw new StorageError(
      path,
      `customer "${row.id}" is stored in an unexpected shape`,
      'Restore a backup of the database.',
    );
  }
  return customer;
}
