import { describe, expect, it } from 'vitest';
import type { Customer } from '../../src/rules/index.js';
import { openDatabase } from '../../src/storage/database.js';
import { MIGRATIONS } from '../../src/storage/migrations.js';
import { conflictOf, plan } from '../support/upgrades.js';
import {
  CONTOSO_ID,
  DEMO,
  ESSENTIALS,
  open,
  rewriteCustomer,
  snapshot,
  subscription,
  tempDir,
  withRawDatabase,
} from './support.js';

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

  it('an upgrade is durable: it survives closing and re-opening', () => {
    const dataDir = tempDir();
    const store = open(dataDir);
    const before = store.directory.byId(CONTOSO_ID)!;
    const after = store.directory.applyUpgrade(plan(before, ESSENTIALS, 'O365_E3', 'sub-contoso-e3-new'));
    expect(store.directory.byId(CONTOSO_ID)).toEqual(after);
    expect(subscription(after, ESSENTIALS)).toMatchObject({ status: 'deleted', users: [] });
    expect(subscription(after, 'sub-contoso-e3-new')).toMatchObject({ offerId: 'O365_E3', status: 'active' });
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

  it('refuses stale plans like the in-memory directory, changing nothing', () => {
    const dataDir = tempDir();
    const { directory } = open(dataDir);
    const customer = directory.byId(CONTOSO_ID)!;
    const first = plan(customer, ESSENTIALS, 'O365_E3', 'sub-new-1');
    const stale = plan(customer, ESSENTIALS, 'O365_E1', 'sub-new-2');
    directory.applyUpgrade(first);
    const before = snapshot(dataDir);

    expect(conflictOf(() => directory.applyUpgrade(stale)).conflict).toBe('source_changed');
    expect(conflictOf(() => directory.applyUpgrade({ ...first, customerId: 'nobody' })).conflict).toBe(
      'unknown_customer',
    );
    expect(
      conflictOf(() => directory.applyUpgrade({ ...first, source: { ...first.source, id: 'sub-nope' } }))
        .conflict,
    ).toBe('unknown_subscription');
    const adatum = [...directory.all()].find((c) => c.companyProfile.companyName === 'A. Datum Corporation')!;
    const taken = plan(adatum, 'sub-adatum-essentials', 'O365_E3', 'sub-contoso-exchange');
    const error = conflictOf(() => directory.applyUpgrade(taken));
    expect(error.conflict).toBe('subscription_id_taken');
    expect(error.message).toMatch(/Contoso Ltd/);
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('a second store on the same file sees the first one’s upgrade (data_version), and only reloads changes', () => {
    const dataDir = tempDir();
    const a = open(dataDir);
    const b = open(dataDir);
    expect(b.seeded).toBe(false);
    const untouched = b.directory.byId(DEMO.customers[1]!.id);
    expect(subscription(b.directory.byId(CONTOSO_ID), ESSENTIALS)?.status).toBe('active');

    const customer = a.directory.byId(CONTOSO_ID)!;
    const upgraded = a.directory.applyUpgrade(plan(customer, ESSENTIALS, 'O365_E3', 'sub-e3-from-a'));

    expect(b.directory.byId(CONTOSO_ID)).toEqual(upgraded);
    expect(subscription(b.directory.byId(CONTOSO_ID), 'sub-e3-from-a')?.offerId).toBe('O365_E3');
    // Unchanged customers keep their (same) objects: only the changed row was reloaded.
    expect(b.directory.byId(DEMO.customers[1]!.id)).toBe(untouched);
    expect([...b.directory.all()].map((c) => c.id)).toEqual(DEMO.customers.map((c) => c.id));

    // The new subscription id is now taken for b too.
    const adatum = [...b.directory.all()].find(
      (c) => c.companyProfile.companyName === 'A. Datum Corporation',
    )!;
    const clash = plan(adatum, 'sub-adatum-essentials', 'O365_E3', 'sub-e3-from-a');
    expect(conflictOf(() => b.directory.applyUpgrade(clash)).conflict).toBe('subscription_id_taken');
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

  it('works in memory', () => {
    const store = open(':memory:');
    expect(store.seeded).toBe(true);
    const customer = store.directory.byId(CONTOSO_ID)!;
    store.directory.applyUpgrade(plan(customer, ESSENTIALS, 'O365_E3', 'sub-mem'));
    expect(subscription(store.directory.byId(CONTOSO_ID), 'sub-mem')?.status).toBe('active');
  });

  it('a directory larger than its cache: every customer served from the database, memory bounded', () => {
    const dataDir = tempDir();
    open(dataDir).close();
    const { directory } = open(dataDir, { cacheSize: 3 });
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
    const adatum = DEMO.customers.find((c) => c.companyProfile.companyName === 'A. Datum Corporation')!;
    const taken = plan(adatum, 'sub-adatum-essentials', 'O365_E3', 'sub-contoso-exchange');
    expect(conflictOf(() => directory.applyUpgrade(taken)).conflict).toBe('subscription_id_taken');
    const upgraded = directory.applyUpgrade(
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
    const a = open(dataDir);
    const b = open(dataDir, { cacheSize: 2 });
    const contoso = b.directory.byId(CONTOSO_ID)!; // cached in b
    const upgraded = a.directory.applyUpgrade(plan(contoso, ESSENTIALS, 'O365_E3', 'sub-e3-a'));
    expect(b.directory.byId(CONTOSO_ID)).toEqual(upgraded);
    const other = DEMO.customers.at(-1)!;
    a.directory.saveCustomer({
      ...other,
      companyProfile: { ...other.companyProfile, companyName: 'Renamed' },
    });
    expect(b.directory.byId(other.id)?.companyProfile.companyName).toBe('Renamed');
    expect([...b.directory.names()].at(-1)?.companyProfile.companyName).toBe('Renamed');
    // The new subscription id is taken for b too, though b never cached the customer holding it after the change.
    const adatum = DEMO.customers.find((c) => c.companyProfile.companyName === 'A. Datum Corporation')!;
    expect(
      conflictOf(() => b.directory.applyUpgrade(plan(adatum, 'sub-adatum-essentials', 'O365_E3', 'sub-e3-a')))
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
    const owners = () =>
      withRawDatabase(dataDir, (db) =>
        db
          .prepare<[string], string>(
            'SELECT subscription_id FROM subscription_owners WHERE customer_id = ? ORDER BY 1',
          )
          .pluck()
          .all(CONTOSO_ID),
      );
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
    const { directory } = open(dataDir, { cacheSize: 1 });
    const adatum = DEMO.customers.find((c) => c.companyProfile.companyName === 'A. Datum Corporation')!;
    expect(
      conflictOf(() =>
        directory.applyUpgrade(plan(adatum, 'sub-adatum-essentials', 'O365_E3', 'sub-renamed-by-tool')),
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
