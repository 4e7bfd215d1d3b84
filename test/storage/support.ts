/** Shared helpers of the storage tests: temp data directories, the demo directory, requests, raw SQL access. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach } from 'vitest';
import type { Actor, UpgradeOrder, UpgradeRequestRecord } from '../../src/core/ledger.js';
import { loadDemoDirectory, type DirectoryData } from '../../src/directory/load.js';
import type { Customer, Subscription, UpgradePlan } from '../../src/rules/index.js';
import { DATABASE_FILE, openDatabase } from '../../src/storage/database.js';
import { SqliteDirectory, type SeedOptions } from '../../src/storage/sqlite-directory.js';
import { openStore, type Store, type StoreOptions } from '../../src/storage/store.js';

export const DEMO: DirectoryData = loadDemoDirectory();
export const CONTOSO_ID: string = DEMO.customers.find(
  (c) => c.companyProfile.companyName === 'Contoso Ltd',
)!.id;
export const ESSENTIALS = 'sub-contoso-essentials';

export const ALICE: Actor = { id: 'user-alice', name: 'Alice Martin', aadObjectId: 'aad-alice' };
export const BOB: Actor = { id: 'user-bob', name: 'Bob Durand' };

const dirs: string[] = [];
const closers: (() => void)[] = [];

afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ua-storage-'));
  dirs.push(dir);
  return dir;
}

/** Opens a store (closed after the test) on `dataDir`, seeded with the demo directory. */
export function open(dataDir: string, options: Partial<StoreOptions> = {}): Store {
  const store = openStore({ dataDir, seed: DEMO, ...options });
  closers.push(() => store.close());
  return store;
}

/** A directory on its own connection, as the gateway holds it: what `applyUpgrade` writes through. */
export interface DirectoryConnection {
  readonly db: Database.Database;
  readonly directory: SqliteDirectory;
}

/** Opens the directory in `dataDir` (seeded with the demo directory if new) on a connection closed after the test. */
export function openDirectory(dataDir: string, options: SeedOptions = {}): DirectoryConnection {
  const { db } = openDatabase(dataDir);
  closers.push(() => db.close());
  return { db, directory: SqliteDirectory.open(db, DEMO, options) };
}

/**
 * Writes a plan as the gateway does (`prepareUpgrade` in an immediate transaction, then `upgradeCommitted`),
 * without the gateway's planning: for the directory's own checks on plans that no longer fit.
 */
export function applyUpgrade({ db, directory }: DirectoryConnection, plan: UpgradePlan): Customer {
  const prepared = db.transaction(() => directory.prepareUpgrade(plan)).immediate();
  directory.upgradeCommitted(prepared);
  return prepared.customer;
}

/** The Contoso Essentials → O365_E3 request (eligible in the demo directory). */
export function contosoRequest(
  token: string,
  overrides: Partial<UpgradeRequestRecord & UpgradeOrder> = {},
): UpgradeRequestRecord & UpgradeOrder {
  return {
    token,
    customerId: CONTOSO_ID,
    subscriptionId: ESSENTIALS,
    fromOffer: 'O365_BUSINESS_ESSENTIALS',
    target: 'O365_E3',
    quantity: 40,
    upgradeType: 'upgrade_with_license_transfer',
    requestedBy: ALICE,
    requestedAt: '2025-03-01T10:00:00.000Z',
    place: { channelId: 'msteams', conversationId: 'conv-1', tenantId: 'tenant-a' },
    ...overrides,
  };
}

export function subscription(customer: Customer | undefined, id: string): Subscription | undefined {
  return customer?.subscriptions.find((s) => s.id === id);
}

/** The active O365_E3 subscriptions of a customer (an upgrade of Contoso Essentials adds one). */
export function e3Subscriptions(customer: Customer | undefined): Subscription[] {
  return (customer?.subscriptions ?? []).filter((s) => s.offerId === 'O365_E3' && s.status === 'active');
}

/** A raw connection to the database file in `dataDir` (closed after the test's callback). */
export function withRawDatabase<T>(dataDir: string, run: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, DATABASE_FILE), { timeout: 5000 });
  try {
    return run(db);
  } finally {
    db.close();
  }
}

/** Changes a customer's document directly in the file, as another process (e.g. an admin tool) would. */
export function rewriteCustomer(
  dataDir: string,
  customerId: string,
  change: (c: Customer) => Customer,
): void {
  withRawDatabase(dataDir, (db) => {
    db.transaction(() => {
      const document = db
        .prepare<[string], string>('SELECT document FROM customers WHERE id = ?')
        .pluck()
        .get(customerId);
      if (document === undefined) throw new Error(`no customer ${customerId}`);
      const updated = change(JSON.parse(document) as Customer);
      // The next directory revision: above every change and removal written so far.
      const revision = db
        .prepare<[], number>(
          `SELECT max(v) FROM (SELECT max(version) AS v FROM customers
             UNION ALL SELECT max(version) FROM customer_removals)`,
        )
        .pluck()
        .get();
      db.prepare<[string, number, string]>('UPDATE customers SET document = ?, version = ? WHERE id = ?').run(
        JSON.stringify(updated),
        (revision ?? 0) + 1,
        customerId,
      );
    }).immediate();
  });
}

/** Every table row of the ledger and the customers, for "nothing changed" checks. */
export function snapshot(dataDir: string): { customers: unknown[]; ledger: unknown[] } {
  return withRawDatabase(dataDir, (db) => ({
    customers: db.prepare('SELECT * FROM customers ORDER BY id').all(),
    ledger: db.prepare('SELECT * FROM upgrade_ledger ORDER BY token').all(),
  }));
}
