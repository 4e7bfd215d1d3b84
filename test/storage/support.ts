/** Shared helpers of the storage tests: temp data directories, the demo directory, plans, raw SQL access. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach } from 'vitest';
import { loadDemoDirectory, type DirectoryData } from '../../src/directory/load.js';
import { planUpgrade, type Customer, type Subscription } from '../../src/rules/index.js';
import { DATABASE_FILE } from '../../src/storage/database.js';
import { openStore, type Store, type StoreOptions } from '../../src/storage/store.js';
import type { Actor, ConfirmPlanner, UpgradeRequestRecord } from '../../src/storage/upgrade-ledger.js';

export const DEMO: DirectoryData = loadDemoDirectory();
export const CONTOSO_ID: string = DEMO.customers.find(
  (c) => c.companyProfile.companyName === 'Contoso Ltd',
)!.id;
export const ESSENTIALS = 'sub-contoso-essentials';

export const ALICE: Actor = { id: 'user-alice', name: 'Alice Martin', aadObjectId: 'aad-alice' };
export const BOB: Actor = { id: 'user-bob', name: 'Bob Durand' };

const dirs: string[] = [];
const stores: Store[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
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
  stores.push(store);
  return store;
}

/** The Contoso Essentials → O365_E3 request (eligible in the demo directory). */
export function contosoRequest(
  token: string,
  overrides: Partial<UpgradeRequestRecord> = {},
): UpgradeRequestRecord {
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
    conversationId: 'conv-1',
    ...overrides,
  };
}

/** What the bot does on confirm: plan the recorded request on the customer as it is now. */
export function planner(newSubscriptionId: string): ConfirmPlanner {
  return (customer, request) => planUpgrade(customer, request, newSubscriptionId);
}

export function subscription(customer: Customer | undefined, id: string): Subscription | undefined {
  return customer?.subscriptions.find((s) => s.id === id);
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
      db.prepare<[string, number, string]>('UPDATE customers SET document = ?, version = ? WHERE id = ?').run(
        JSON.stringify(updated),
        (db.prepare<[], number>('SELECT max(version) FROM customers').pluck().get() ?? 0) + 1,
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
