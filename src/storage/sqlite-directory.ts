/**
 * The durable customer directory: one row per customer in SQLite, seeded once from the directory data, changed
 * by upgrades. Reads come from an in-memory copy loaded at open and kept in step by write-through; changes
 * committed by other connections (other processes on the same file) are noticed through
 * `PRAGMA data_version` and only the changed rows are reloaded.
 *
 * One `SqliteDirectory` per connection: two on the same connection would not see each other's writes.
 */
import type Database from 'better-sqlite3';
import type { CustomerDirectory, DirectoryInfo } from '../directory/directory.js';
import type { DirectoryData } from '../directory/load.js';
import { checkedUpgrade } from '../directory/upgrade-checks.js';
import type { Customer, UpgradePlan } from '../rules/index.js';
import { StorageError, errorMessage } from './errors.js';

export interface SeedOptions {
  /** Where the seed came from (a file path, "demo"…), kept in the meta table. */
  readonly source?: string;
  /** When the seed happened (default now). */
  readonly now?: Date;
}

/** Where the customers came from: the seed of the very first start. */
export interface SeedInfo {
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

interface Cached {
  readonly customer: Customer;
  readonly version: number;
}

const META = { partnerName: 'partner_name', seededFrom: 'seeded_from', seededAt: 'seeded_at' } as const;

export class SqliteDirectory implements CustomerDirectory {
  readonly info: DirectoryInfo;
  readonly seedInfo: SeedInfo;
  /** True when this open seeded the database (its first start); false when it already held customers. */
  readonly seeded: boolean;

  private readonly db: Database.Database;
  private readonly cache = new Map<string, Cached>();
  /** Subscription id → the id of the customer that holds it. */
  private readonly subscriptionOwners = new Map<string, string>();
  private allCustomers: readonly Customer[] | undefined;
  /** The highest row version in the cache: rows above it are news. */
  private maxVersion = 0;
  private dataVersion = -1;

  private readonly dataVersionStatement: Database.Statement<[], number>;
  private readonly changedSince: Database.Statement<[number], CustomerRow>;
  private readonly maxVersionStatement: Database.Statement<[], number | null>;
  private readonly updateCustomer: Database.Statement<[string, string, number, string]>;
  private readonly upsertCustomer: Database.Statement<[string, string, string, number]>;

  /** Opens the directory held in `db`, seeding it from `seed` if the database has never been seeded. */
  static open(db: Database.Database, seed: DirectoryData, options: SeedOptions = {}): SqliteDirectory {
    const seeded = db
      .transaction((): boolean => {
        if (readMeta(db, META.seededAt) !== undefined) return false;
        writeSeed(db, seed, options);
        return true;
      })
      .immediate();
    return new SqliteDirectory(db, seeded);
  }

  private constructor(db: Database.Database, seeded: boolean) {
    this.db = db;
    this.seeded = seeded;
    const partnerName = readMeta(db, META.partnerName) ?? '';
    this.info = { partnerName };
    this.seedInfo = {
      source: readMeta(db, META.seededFrom) ?? '',
      at: readMeta(db, META.seededAt) ?? '',
      partnerName,
    };
    this.dataVersionStatement = db.prepare<[], number>('PRAGMA data_version').pluck();
    // Through the version index: no ORDER BY rowid here, which would scan the whole table.
    this.changedSince = db.prepare<[number], CustomerRow>(
      'SELECT id, document, version FROM customers WHERE version > ? ORDER BY version',
    );
    this.maxVersionStatement = db.prepare<[], number | null>('SELECT max(version) FROM customers').pluck();
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
    // The first load in file order, which `all()` keeps (later changes replace rows in place).
    const rows = db
      .prepare<[], CustomerRow>('SELECT id, document, version FROM customers ORDER BY rowid')
      .all();
    for (const row of rows) this.remember(parseCustomer(db.name, row), row.version);
  }

  byId(customerId: string): Customer | undefined {
    this.refresh();
    return this.cache.get(customerId)?.customer;
  }

  all(): Iterable<Customer> {
    this.refresh();
    this.allCustomers ??= Object.freeze([...this.cache.values()].map((c) => c.customer));
    return this.allCustomers;
  }

  count(): number {
    this.refresh();
    return this.cache.size;
  }

  /**
   * Applies a planned upgrade in its own transaction; throws an `UpgradeConflictError` (nothing changed) when
   * the plan no longer fits: unknown customer or subscription, source changed, new id taken, not eligible.
   */
  applyUpgrade(plan: UpgradePlan): Customer {
    if (this.db.inTransaction) {
      throw new Error('SqliteDirectory.applyUpgrade runs its own transaction: use prepareUpgrade inside one');
    }
    const prepared = this.db.transaction(() => this.prepareUpgrade(plan)).immediate();
    this.upgradeCommitted(prepared);
    return prepared.customer;
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
        return next;
      })
      .immediate();
    // The stored form (as other connections will read it), not the caller's object.
    this.remember(JSON.parse(document) as Customer, version);
  }

  /** Picks up the changes other connections committed since the last look (cheap when there are none). */
  refresh(): void {
    const version = this.dataVersionStatement.get() ?? -1;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    this.pullChanges();
  }

  /**
   * For the ledger, inside its write transaction: the customer as committed now (other connections' commits
   * included).
   */
  currentForWrite(customerId: string): Customer | undefined {
    this.requireWriteTransaction();
    this.pullChanges();
    return this.cache.get(customerId)?.customer;
  }

  /**
   * For the ledger, inside its write transaction: checks the plan against the current data and writes the
   * upgraded customer. Throws `UpgradeConflictError` before writing anything when the plan no longer fits.
   * Call `upgradeCommitted` once the transaction has committed (the cache is not touched before).
   */
  prepareUpgrade(plan: UpgradePlan): PreparedUpgrade {
    this.requireWriteTransaction();
    this.pullChanges();
    const updated = checkedUpgrade(this.cache.get(plan.customerId)?.customer, plan, (subscriptionId) => {
      const owner = this.subscriptionOwners.get(subscriptionId);
      return owner === undefined ? undefined : this.cache.get(owner)?.customer;
    });
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

  /** Loads the rows written since the highest version in the cache. */
  private pullChanges(): void {
    for (const row of this.changedSince.all(this.maxVersion)) {
      this.remember(parseCustomer(this.db.name, row), row.version);
    }
  }

  private remember(customer: Customer, version: number): void {
    const previous = this.cache.get(customer.id);
    for (const s of previous?.customer.subscriptions ?? []) {
      if (this.subscriptionOwners.get(s.id) === customer.id) this.subscriptionOwners.delete(s.id);
    }
    for (const s of customer.subscriptions) this.subscriptionOwners.set(s.id, customer.id);
    this.cache.set(customer.id, { customer, version });
    this.allCustomers = undefined;
    if (version > this.maxVersion) this.maxVersion = version;
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
