import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { CustomerChange } from '../../src/core/customers.js';
import { UpgradeFailedError, UpgradeRefusedError } from '../../src/core/gateway.js';
import type { Customer } from '../../src/rules/index.js';
import { DATABASE_FILE, openDatabase } from '../../src/storage/database.js';
import { MIGRATIONS } from '../../src/storage/migrations.js';
import { conflictOf, plan } from '../support/upgrades.js';
import {
  CONTOSO_ID,
  DEMO,
  ESSENTIALS,
  applyUpgrade,
  contosoRequest,
  open,
  openDirectory,
  rewriteCustomer,
  snapshot,
  subscription,
  tempDir,
  withRawDatabase,
} from './support.js';

const ADATUM = DEMO.customers.find((c) => c.companyProfile.companyName === 'A. Datum Corporation')!;
const FABRIKAM = DEMO.customers.find((c) => c.companyProfile.companyName === 'Fabrikam Inc')!;

/** What a promise rejected with (fails the test when it resolved). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

/** The subscription ids the database records as held by a customer. */
function ownedBy(dataDir: string, customerId: string): string[] {
  return withRawDatabase(dataDir, (db) =>
    db
      .prepare<[string], string>(
        'SELECT subscription_id FROM subscription_owners WHERE customer_id = ? ORDER BY 1',
      )
      .pluck()
      .all(customerId),
  );
}

describe('SqliteDirectory', () => {
  it('is seeded from the directory data on the first open only, and serves it like the file', () => {
    const dataDir = tempDir();
    const first = open(dataDir, {
      seedSource: 'data/demo-directory.json',
      now: () => new Date('2025-01-02T03:04:05Z'),
    });
    expect(first.seeded).toBe(true);
    expect(first.directory.seeded).toBe(true);
    expect(first.directory.seedInfo).toEqual({
      source: 'data/demo-directory.json',
      at: '2025-01-02T03:04:05.000Z',
      partnerName: 'Adatum CSP',
    });
    expect(first.directory.info.partnerName).toBe('Adatum CSP');
    expect(first.directory.count()).toBe(DEMO.customers.length);
    expect([...first.directory.all()]).toEqual(DEMO.customers);
    expect(first.directory.byId(CONTOSO_ID)?.companyProfile.companyName).toBe('Contoso Ltd');
    expect(first.directory.byId('nobody')).toBeUndefined();
    first.close();

    // A second start with other seed data keeps what the database holds.
    const other = { partner: { name: 'Someone else' }, customers: DEMO.customers.slice(0, 2) };
    const second = open(dataDir, { seed: other });
    expect(second.seeded).toBe(false);
    expect(second.directory.info.partnerName).toBe('Adatum CSP');
    expect(second.directory.seedInfo.source).toBe('data/demo-directory.json');
    expect(second.directory.count()).toBe(DEMO.customers.length);
  });

  it('refuses seed data with a duplicate customer id, and writes nothing', () => {
    const dataDir = tempDir();
    const twice = { ...DEMO, customers: [DEMO.customers[0]!, DEMO.customers[0]!] };
    expect(() => open(dataDir, { seed: twice })).toThrow(/Duplicate customer id/);
    const count = withRawDatabase(dataDir, (db) =>
      db.prepare<[], number>('SELECT count(*) FROM customers').pluck().get(),
    );
    expect(count).toBe(0);
    expect(open(dataDir).seeded).toBe(true);
  });

  it('an upgrade through the gateway is durable: it survives closing and re-opening', async () => {
    const dataDir = tempDir();
    const store = open(dataDir);
    const { newSubscriptionId } = await store.gateway.execute(contosoRequest('key-1'), 'key-1');
    const after = store.directory.byId(CONTOSO_ID)!;
    expect(subscription(after, ESSENTIALS)).toMatchObject({ status: 'deleted', users: [] });
    expect(subscription(after, newSubscriptionId)).toMatchObject({
      offerId: 'O365_E3',
      status: 'active',
      quantity: 40,
    });
    store.close();

    const reopened = open(dataDir);
    expect(reopened.seeded).toBe(false);
    expect(reopened.directory.byId(CONTOSO_ID)).toEqual(after);
    const others = [...reopened.directory.all()].filter((c) => c.id !== CONTOSO_ID);
    expect(others).toEqual(DEMO.customers.filter((c) => c.id !== CONTOSO_ID));
    // The row keeps the company name column in step and carries a new version.
    const row = withRawDatabase(dataDir, (db) =>
      db.prepare('SELECT company_name, version FROM customers WHERE id = ?').get(CONTOSO_ID),
    );
    expect(row).toEqual({ company_name: 'Contoso Ltd', version: 2 });
  });

  it('refuses plans that no longer fit, changing nothing on disk or in memory', () => {
    const dataDir = tempDir();
    const connection = openDirectory(dataDir);
    const { directory } = connection;
    const customer = directory.byId(CONTOSO_ID)!;
    const first = plan(customer, ESSENTIALS, 'O365_E3', 'sub-new-1');
    const stale = plan(customer, ESSENTIALS, 'O365_E1', 'sub-new-2');
    const upgraded = applyUpgrade(connection, first);
    const before = snapshot(dataDir);

    expect(conflictOf(() => applyUpgrade(connection, stale)).conflict).toBe('source_changed');
    expect(conflictOf(() => applyUpgrade(connection, { ...first, customerId: 'nobody' })).conflict).toBe(
      'unknown_customer',
    );
    expect(
      conflictOf(() => applyUpgrade(connection, { ...first, source: { ...first.source, id: 'sub-nope' } }))
        .conflict,
    ).toBe('unknown_subscription');
    const taken = plan(ADATUM, 'sub-adatum-essentials', 'O365_E3', 'sub-contoso-exchange');
    const error = conflictOf(() => applyUpgrade(connection, taken));
    expect(error.conflict).toBe('subscription_id_taken');
    expect(error.message).toMatch(/Contoso Ltd/);
    expect(snapshot(dataDir)).toEqual(before);
    expect(directory.byId(CONTOSO_ID)).toEqual(upgraded);
    expect(directory.byId(ADATUM.id)).toEqual(ADATUM);
  });

  it('writes an upgrade only inside a write transaction', () => {
    const { directory } = openDirectory(':memory:');
    const upgrade = plan(directory.byId(CONTOSO_ID)!, ESSENTIALS, 'O365_E3', 'sub-new');
    expect(() => directory.prepareUpgrade(upgrade)).toThrow(/inside a write transaction/);
    expect(() => directory.currentForWrite(CONTOSO_ID)).toThrow(/inside a write transaction/);
    expect(subscription(directory.byId(CONTOSO_ID), ESSENTIALS)?.status).toBe('active');
  });

  it('the gateway fails an order for an unknown customer or subscription, and refuses one no longer eligible', async () => {
    const dataDir = tempDir();
    const { gateway } = open(dataDir);
    const done = await gateway.execute(contosoRequest('key-1'), 'key-1');
    const before = snapshot(dataDir);

    const unknownCustomer = await rejectionOf(
      gateway.execute(contosoRequest('key-2', { customerId: 'nobody' }), 'key-2'),
    );
    expect(unknownCustomer).toBeInstanceOf(UpgradeFailedError);
    expect((unknownCustomer as Error).message).toMatch(/customer "nobody" is not in the directory/);
    const unknownSubscription = await rejectionOf(
      gateway.execute(contosoRequest('key-3', { subscriptionId: 'sub-nope' }), 'key-3'),
    );
    expect(unknownSubscription).toBeInstanceOf(UpgradeFailedError);
    expect((unknownSubscription as Error).message).toMatch(/subscription "sub-nope" is not in the directory/);
    // Essentials was upgraded (deleted) by key-1: another key for it is refused with the current reasons.
    const refused = await rejectionOf(gateway.execute(contosoRequest('key-4'), 'key-4'));
    expect(refused).toBeInstanceOf(UpgradeRefusedError);
    expect((refused as UpgradeRefusedError).reasons.map((r) => r.code)).toEqual([
      'subscription_not_active',
      'target_already_owned',
    ]);
    expect((refused as UpgradeRefusedError).reasons[0]).toEqual({
      code: 'subscription_not_active',
      status: 'deleted',
    });
    expect(snapshot(dataDir)).toEqual(before);
    // key-1 still answers what it did.
    expect(await gateway.execute(contosoRequest('key-1'), 'key-1')).toEqual(done);
  });

  it('a gateway fault after the directory write rolls the upgrade and its record back: the key runs again', async () => {
    const dataDir = tempDir();
    let faults = 1;
    const { gateway, directory } = open(dataDir, {
      faults: {
        beforeCommit: (upgrade) => {
          if (faults-- > 0)
            throw new Error(
              `injected fault (${'newSubscription' in upgrade ? upgrade.newSubscription.id : ''})`,
            );
        },
      },
    });
    const contoso = directory.byId(CONTOSO_ID);
    const before = snapshot(dataDir);
    const error = await rejectionOf(gateway.execute(contosoRequest('key-1'), 'key-1'));
    expect(error).toBeInstanceOf(UpgradeFailedError);
    expect((error as Error).message).toMatch(/^injected fault \(/);
    // Unchanged on disk, in this store's cache and for another connection.
    expect(snapshot(dataDir)).toEqual(before);
    expect(directory.byId(CONTOSO_ID)).toEqual(contoso);
    expect(subscription(openDirectory(dataDir).directory.byId(CONTOSO_ID), ESSENTIALS)?.status).toBe(
      'active',
    );
    expect(withRawDatabase(dataDir, (db) => db.prepare('SELECT * FROM executions').all())).toEqual([]);

    const { newSubscriptionId } = await gateway.execute(contosoRequest('key-1'), 'key-1');
    expect(subscription(directory.byId(CONTOSO_ID), newSubscriptionId)?.status).toBe('active');
  });

  it('the gateway gives up on a write lock held too long with an error that leaves the outcome open', async () => {
    const dataDir = tempDir();
    const { gateway, directory } = open(dataDir, { busyTimeoutMs: 50 });
    const other = new Database(join(dataDir, DATABASE_FILE));
    let error: unknown;
    try {
      other.exec('BEGIN IMMEDIATE');
      error = await rejectionOf(gateway.execute(contosoRequest('key-1'), 'key-1'));
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    expect(error).not.toBeInstanceOf(UpgradeFailedError);
    expect(error).not.toBeInstanceOf(UpgradeRefusedError);
    expect((error as { code?: string }).code).toBe('SQLITE_BUSY');
    expect(subscription(directory.byId(CONTOSO_ID), ESSENTIALS)?.status).toBe('active');
    // Nothing happened: the same key runs later.
    const { newSubscriptionId } = await gateway.execute(contosoRequest('key-1'), 'key-1');
    expect(subscription(directory.byId(CONTOSO_ID), newSubscriptionId)?.status).toBe('active');
  });

  it('a second connection on the same file sees the gateway’s upgrade (data_version), and only reloads changes', async () => {
    const dataDir = tempDir();
    const a = open(dataDir);
    const b = openDirectory(dataDir);
    expect(b.directory.seeded).toBe(false);
    const untouched = b.directory.byId(FABRIKAM.id);
    expect(subscription(b.directory.byId(CONTOSO_ID), ESSENTIALS)?.status).toBe('active');

    const { newSubscriptionId } = await a.gateway.execute(contosoRequest('key-a'), 'key-a');
    const upgraded = a.directory.byId(CONTOSO_ID);

    expect(b.directory.byId(CONTOSO_ID)).toEqual(upgraded);
    expect(subscription(b.directory.byId(CONTOSO_ID), newSubscriptionId)?.offerId).toBe('O365_E3');
    // Unchanged customers keep their (same) objects: only the changed row was reloaded.
    expect(b.directory.byId(FABRIKAM.id)).toBe(untouched);
    expect([...b.directory.all()].map((c) => c.id)).toEqual(DEMO.customers.map((c) => c.id));

    // The new subscription id is now taken for b too.
    const clash = plan(ADATUM, 'sub-adatum-essentials', 'O365_E3', newSubscriptionId);
    expect(conflictOf(() => applyUpgrade(b, clash)).conflict).toBe('subscription_id_taken');
  });

  it('the gateway plans on the data as committed, another connection’s upgrade included', async () => {
    const dataDir = tempDir();
    const a = open(dataDir);
    const b = openDirectory(dataDir);
    expect(subscription(a.directory.byId(CONTOSO_ID), ESSENTIALS)?.status).toBe('active'); // cached in a
    applyUpgrade(b, plan(b.directory.byId(CONTOSO_ID)!, ESSENTIALS, 'O365_E3', 'sub-e3-from-b'));
    const refused = await rejectionOf(a.gateway.execute(contosoRequest('key-a'), 'key-a'));
    expect(refused).toBeInstanceOf(UpgradeRefusedError);
    expect((refused as UpgradeRefusedError).reasons).toContainEqual({
      code: 'subscription_not_active',
      status: 'deleted',
    });
    expect(subscription(a.directory.byId(CONTOSO_ID), 'sub-e3-from-b')?.status).toBe('active');
    expect(withRawDatabase(dataDir, (db) => db.prepare('SELECT * FROM executions').all())).toEqual([]);
  });

  it('sees a change made by another connection outside the bot', () => {
    const dataDir = tempDir();
    const { directory } = open(dataDir);
    expect(subscription(directory.byId(CONTOSO_ID), ESSENTIALS)?.status).toBe('active');
    rewriteCustomer(dataDir, CONTOSO_ID, (c) => ({
      ...c,
      subscriptions: c.subscriptions.map((s) => (s.id === ESSENTIALS ? { ...s, status: 'suspended' } : s)),
    }));
    expect(subscription(directory.byId(CONTOSO_ID), ESSENTIALS)?.status).toBe('suspended');
  });

  it('saveCustomer stores a customer as given (directory sync): replaced or added, durable, seen by others', () => {
    const dataDir = tempDir();
    const a = open(dataDir);
    const b = open(dataDir);
    const contoso = a.directory.byId(CONTOSO_ID)!;
    const changed: Customer = {
      ...contoso,
      subscriptions: [
        ...contoso.subscriptions,
        { id: 'sub-elsewhere', offerId: 'O365_E1', quantity: 5, status: 'active', channel: 'other-partner' },
      ],
    };
    const added: Customer = {
      ...contoso,
      id: 'new-customer',
      companyProfile: { companyName: 'Newco', domain: 'newco.example' },
    };
    expect([...b.directory.all()]).toHaveLength(DEMO.customers.length); // b holds them all in memory
    a.directory.saveCustomer(changed);
    a.directory.saveCustomer(added);
    expect(a.directory.byId(CONTOSO_ID)).toEqual(changed);
    expect(a.directory.count()).toBe(DEMO.customers.length + 1);
    expect(b.directory.byId(CONTOSO_ID)).toEqual(changed);
    expect(b.directory.byId('new-customer')).toEqual(added);
    expect([...b.directory.all()].at(-1)?.id).toBe('new-customer');
    a.close();
    b.close();
    expect(open(dataDir).directory.byId(CONTOSO_ID)).toEqual(changed);
  });

  it('works in memory', async () => {
    const store = open(':memory:');
    expect(store.seeded).toBe(true);
    const { newSubscriptionId } = await store.gateway.execute(contosoRequest('key-1'), 'key-1');
    expect(subscription(store.directory.byId(CONTOSO_ID), newSubscriptionId)?.status).toBe('active');
  });

  it('a directory larger than its cache: every customer served from the database, memory bounded', () => {
    const dataDir = tempDir();
    open(dataDir).close();
    const connection = openDirectory(dataDir, { cacheSize: 3 });
    const { directory } = connection;
    const cached = () => (directory as unknown as { cache: { size: number } }).cache.size;
    expect(directory.count()).toBe(DEMO.customers.length);
    expect(DEMO.customers.length).toBeGreaterThan(10);
    expect(cached()).toBe(0); // too large to load whole at open
    for (const c of DEMO.customers) expect(directory.byId(c.id)).toEqual(c);
    expect(cached()).toBe(3);
    expect([...directory.all()]).toEqual(DEMO.customers);
    expect([...directory.all()]).toEqual(DEMO.customers); // iterable again
    expect(cached()).toBe(3);
    expect([...directory.names()]).toEqual(
      DEMO.customers.map((c) => ({ id: c.id, companyProfile: c.companyProfile })),
    );

    // Upgrades and conflicts work on customers that are not cached.
    const taken = plan(ADATUM, 'sub-adatum-essentials', 'O365_E3', 'sub-contoso-exchange');
    expect(conflictOf(() => applyUpgrade(connection, taken)).conflict).toBe('subscription_id_taken');
    const upgraded = applyUpgrade(
      connection,
      plan(
        DEMO.customers.find((c) => c.id === CONTOSO_ID)!,
        ESSENTIALS,
        'O365_E3',
        'sub-big-e3',
      ),
    );
    for (const c of DEMO.customers) directory.byId(c.id); // push Contoso out of the cache
    expect(directory.byId(CONTOSO_ID)).toEqual(upgraded);
    expect([...directory.all()].find((c) => c.id === CONTOSO_ID)).toEqual(upgraded);
  });

  it('a directory larger than its cache sees other connections’ changes to cached and uncached customers', () => {
    const dataDir = tempDir();
    const a = openDirectory(dataDir);
    const b = openDirectory(dataDir, { cacheSize: 2 });
    const contoso = b.directory.byId(CONTOSO_ID)!; // cached in b
    const upgraded = applyUpgrade(a, plan(contoso, ESSENTIALS, 'O365_E3', 'sub-e3-a'));
    expect(b.directory.byId(CONTOSO_ID)).toEqual(upgraded);
    const other = DEMO.customers.at(-1)!;
    a.directory.saveCustomer({
      ...other,
      companyProfile: { ...other.companyProfile, companyName: 'Renamed' },
    });
    expect(b.directory.byId(other.id)?.companyProfile.companyName).toBe('Renamed');
    expect([...b.directory.names()].at(-1)?.companyProfile.companyName).toBe('Renamed');
    // The new subscription id is taken for b too, though b never cached the customer holding it after the change.
    expect(
      conflictOf(() => applyUpgrade(b, plan(ADATUM, 'sub-adatum-essentials', 'O365_E3', 'sub-e3-a')))
        .conflict,
    ).toBe('subscription_id_taken');
  });

  it('reads the seed only for a new database: a restart does not call the seed function', () => {
    const dataDir = tempDir();
    let calls = 0;
    const seed = () => {
      calls++;
      return DEMO;
    };
    expect(open(dataDir, { seed }).seeded).toBe(true);
    expect(calls).toBe(1);
    const again = open(dataDir, { seed });
    expect(again.seeded).toBe(false);
    expect(calls).toBe(1);
    expect(again.directory.count()).toBe(DEMO.customers.length);
  });

  it('subscription owners are kept by the database, whoever writes the customers (an admin tool too)', () => {
    const dataDir = tempDir();
    open(dataDir).close();
    const owners = () => ownedBy(dataDir, CONTOSO_ID);
    const contoso = DEMO.customers.find((c) => c.id === CONTOSO_ID)!;
    expect(owners()).toEqual(contoso.subscriptions.map((s) => s.id).sort());
    rewriteCustomer(dataDir, CONTOSO_ID, (c) => ({
      ...c,
      subscriptions: c.subscriptions.map((s) =>
        s.id === ESSENTIALS ? { ...s, id: 'sub-renamed-by-tool' } : s,
      ),
    }));
    expect(owners()).toEqual(
      contoso.subscriptions.map((s) => (s.id === ESSENTIALS ? 'sub-renamed-by-tool' : s.id)).sort(),
    );
    const connection = openDirectory(dataDir, { cacheSize: 1 });
    expect(
      conflictOf(() =>
        applyUpgrade(connection, plan(ADATUM, 'sub-adatum-essentials', 'O365_E3', 'sub-renamed-by-tool')),
      ).conflict,
    ).toBe('subscription_id_taken');
  });

  it('a database of schema 1 (customers, no owners table) is migrated with its subscription owners', () => {
    const dataDir = tempDir();
    const v1 = openDatabase(dataDir, { migrations: MIGRATIONS.slice(0, 1) });
    const insert = v1.db.prepare(
      'INSERT INTO customers (id, company_name, document, version) VALUES (?, ?, ?, 1)',
    );
    for (const c of DEMO.customers) insert.run(c.id, c.companyProfile.companyName, JSON.stringify(c));
    v1.db.close();
    const { db, migratedFrom } = openDatabase(dataDir);
    try {
      expect(migratedFrom).toBe(1);
      const count = db.prepare<[], number>('SELECT count(*) FROM subscription_owners').pluck().get();
      expect(count).toBe(DEMO.customers.flatMap((c) => c.subscriptions).length);
      expect(
        db
          .prepare<[string], string>('SELECT customer_id FROM subscription_owners WHERE subscription_id = ?')
          .pluck()
          .get(ESSENTIALS),
      ).toBe(CONTOSO_ID);
    } finally {
      db.close();
    }
  });

  it('a customer added by another connection shows in all() of a directory held whole in memory', () => {
    const dataDir = tempDir();
    const a = open(dataDir);
    const b = open(dataDir);
    expect([...b.directory.all()]).toEqual(DEMO.customers);
    const contoso = DEMO.customers.find((c) => c.id === CONTOSO_ID)!;
    a.directory.saveCustomer({ ...contoso, id: 'added-by-a', subscriptions: [] });
    expect([...b.directory.all()].map((c) => c.id)).toEqual([
      ...DEMO.customers.map((c) => c.id),
      'added-by-a',
    ]);
    expect(b.directory.count()).toBe(DEMO.customers.length + 1);
  });

  it('refuses a cache size below 1', () => {
    expect(() => open(':memory:', { cacheSize: 0 })).toThrow(/cache size/);
  });
});

describe('SqliteDirectory: removals and change listeners', () => {
  it('removeCustomer removes the customer, its subscription owners and its cached copy, durably', async () => {
    const dataDir = tempDir();
    const store = open(dataDir);
    const { directory } = store;
    expect([...directory.all()]).toEqual(DEMO.customers); // held whole in memory
    await store.ledger.record(
      contosoRequest('tok-f', { customerId: FABRIKAM.id, subscriptionId: 'sub-fabrikam-premium' }),
      new Date('2025-03-02T10:00:00.000Z'),
    );
    const changes: CustomerChange[] = [];
    directory.onChanged((change) => changes.push(change));
    expect(ownedBy(dataDir, FABRIKAM.id)).toEqual(FABRIKAM.subscriptions.map((s) => s.id).sort());

    expect(directory.removeCustomer(FABRIKAM.id)).toBe(true);
    expect(changes).toEqual([{ kind: 'removed', customerId: FABRIKAM.id }]);
    const remaining = DEMO.customers.filter((c) => c.id !== FABRIKAM.id);
    expect(directory.byId(FABRIKAM.id)).toBeUndefined();
    expect(directory.count()).toBe(remaining.length);
    expect([...directory.all()]).toEqual(remaining);
    expect([...directory.names()].map((c) => c.id)).toEqual(remaining.map((c) => c.id));
    expect(ownedBy(dataDir, FABRIKAM.id)).toEqual([]);
    // Removing again, or someone unknown, removes nothing and tells no one.
    expect(directory.removeCustomer(FABRIKAM.id)).toBe(false);
    expect(directory.removeCustomer('nobody')).toBe(false);
    expect(changes).toHaveLength(1);
    // The ledger keeps the customer's requests.
    expect((await store.ledger.history(FABRIKAM.id)).map((e) => e.token)).toEqual(['tok-f']);
    store.close();

    const reopened = open(dataDir);
    expect(reopened.directory.byId(FABRIKAM.id)).toBeUndefined();
    expect([...reopened.directory.all()]).toEqual(remaining);
  });

  it('tells its listeners of its own saves and removals at once, until they stop listening', () => {
    const { directory } = openDirectory(':memory:');
    const changes: CustomerChange[] = [];
    const stop = directory.onChanged((change) => changes.push(change));
    const renamed = {
      ...FABRIKAM,
      companyProfile: { ...FABRIKAM.companyProfile, companyName: 'Fabrikam 2' },
    };
    directory.saveCustomer(renamed);
    directory.removeCustomer(ADATUM.id);
    expect(changes).toEqual([
      { kind: 'upserted', customer: { id: FABRIKAM.id, companyProfile: renamed.companyProfile } },
      { kind: 'removed', customerId: ADATUM.id },
    ]);
    stop();
    directory.removeCustomer(FABRIKAM.id);
    expect(changes).toHaveLength(2);
  });

  it('another connection’s rename and removal are told after refresh(): upserted, then removed', () => {
    const dataDir = tempDir();
    const a = openDirectory(dataDir);
    const b = openDirectory(dataDir);
    const cache = (b.directory as unknown as { cache: { has(id: string): boolean } }).cache;
    expect(b.directory.byId(FABRIKAM.id)).toEqual(FABRIKAM);
    expect(cache.has(FABRIKAM.id)).toBe(true);
    const changes: CustomerChange[] = [];
    const stop = b.directory.onChanged((change) => changes.push(change));

    const profile = { ...FABRIKAM.companyProfile, companyName: 'Fabrikam Renamed' };
    a.directory.saveCustomer({ ...FABRIKAM, companyProfile: profile });
    expect(changes).toEqual([]); // b has not looked yet
    b.directory.refresh();
    expect(changes).toEqual([{ kind: 'upserted', customer: { id: FABRIKAM.id, companyProfile: profile } }]);
    expect(b.directory.byId(FABRIKAM.id)?.companyProfile).toEqual(profile);
    b.directory.refresh();
    expect(changes).toHaveLength(1); // told once

    expect(b.directory.byId(ADATUM.id)).toEqual(ADATUM);
    expect(cache.has(ADATUM.id)).toBe(true);
    expect(a.directory.removeCustomer(ADATUM.id)).toBe(true);
    b.directory.refresh();
    expect(changes.slice(1)).toEqual([{ kind: 'removed', customerId: ADATUM.id }]);
    expect(cache.has(ADATUM.id)).toBe(false);
    expect(b.directory.byId(ADATUM.id)).toBeUndefined();
    expect(b.directory.count()).toBe(DEMO.customers.length - 1);
    expect(ownedBy(dataDir, ADATUM.id)).toEqual([]);
    // Its subscription ids are free for b too.
    const upgraded = applyUpgrade(
      b,
      plan(b.directory.byId(CONTOSO_ID)!, ESSENTIALS, 'O365_E3', 'sub-adatum-essentials'),
    );
    expect(subscription(upgraded, 'sub-adatum-essentials')?.offerId).toBe('O365_E3');

    stop();
    a.directory.removeCustomer(FABRIKAM.id);
    b.directory.refresh();
    expect(changes).toHaveLength(2);
  });

  // BUG (src/storage/sqlite-directory.ts, removeCustomer): the removal's version is read after the DELETE, so
  // removing the customer that holds the highest version reuses that version, and connections that saw it never
  // see the removal: the removed customer stays in their cache and their listeners are not told. Remove
  // `.fails` once fixed.
  it('a removal of the customer changed last is seen by other connections', () => {
    const dataDir = tempDir();
    const a = openDirectory(dataDir);
    const b = openDirectory(dataDir);
    const profile = { ...FABRIKAM.companyProfile, companyName: 'Fabrikam Renamed' };
    a.directory.saveCustomer({ ...FABRIKAM, companyProfile: profile });
    expect(b.directory.byId(FABRIKAM.id)?.companyProfile).toEqual(profile);
    const changes: CustomerChange[] = [];
    b.directory.onChanged((change) => changes.push(change));
    a.directory.removeCustomer(FABRIKAM.id);
    b.directory.refresh();
    expect(changes).toEqual([{ kind: 'removed', customerId: FABRIKAM.id }]);
    expect(b.directory.byId(FABRIKAM.id)).toBeUndefined();
  });

  it('a customer removed then added again by another connection is kept', () => {
    const dataDir = tempDir();
    const a = openDirectory(dataDir);
    const b = openDirectory(dataDir);
    expect(b.directory.byId(FABRIKAM.id)).toEqual(FABRIKAM);
    const changes: CustomerChange[] = [];
    b.directory.onChanged((change) => changes.push(change));
    a.directory.removeCustomer(FABRIKAM.id);
    a.directory.saveCustomer(FABRIKAM);
    b.directory.refresh();
    expect(changes).toEqual([
      { kind: 'upserted', customer: { id: FABRIKAM.id, companyProfile: FABRIKAM.companyProfile } },
    ]);
    expect(b.directory.byId(FABRIKAM.id)).toEqual(FABRIKAM);
    expect(b.directory.count()).toBe(DEMO.customers.length);
  });
});
