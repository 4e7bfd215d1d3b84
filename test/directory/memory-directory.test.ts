import { describe, expect, it } from 'vitest';
import { loadDemoDirectory, type DirectoryData } from '../../src/directory/load.js';
import { MemoryDirectory } from '../../src/directory/memory-directory.js';
import type { UpgradePlan } from '../../src/rules/index.js';
import { conflictOf, plan } from '../support/upgrades.js';

const CONTOSO_ID = loadDemoDirectory().customers.find(
  (c) => c.companyProfile.companyName === 'Contoso Ltd',
)!.id;

function demoDirectory(): MemoryDirectory {
  return new MemoryDirectory(loadDemoDirectory());
}

describe('MemoryDirectory', () => {
  it('serves the customers of the directory data', () => {
    const data = loadDemoDirectory();
    const directory = new MemoryDirectory(data);
    expect(directory.info.partnerName).toBe('Adatum CSP');
    expect(directory.count()).toBe(data.customers.length);
    expect([...directory.all()].map((c) => c.id)).toEqual(data.customers.map((c) => c.id));
    expect(directory.byId(CONTOSO_ID)?.companyProfile.companyName).toBe('Contoso Ltd');
    expect(directory.byId('nobody')).toBeUndefined();
  });

  it('refuses data with a duplicate customer id', () => {
    const data = loadDemoDirectory();
    const twice: DirectoryData = { ...data, customers: [data.customers[0]!, data.customers[0]!] };
    expect(() => new MemoryDirectory(twice)).toThrow(/Duplicate customer id/);
  });

  it('applies an upgrade: source cancelled, new subscription added, other subscriptions untouched', () => {
    const directory = demoDirectory();
    const before = directory.byId(CONTOSO_ID)!;
    const p = plan(before, 'sub-contoso-essentials', 'O365_E3', 'sub-contoso-e3-new');
    const after = directory.applyUpgrade(p);

    expect(directory.byId(CONTOSO_ID)).toBe(after);
    const byId = new Map(after.subscriptions.map((s) => [s.id, s]));
    expect(byId.get('sub-contoso-essentials')?.status).toBe('deleted');
    expect(byId.get('sub-contoso-essentials')?.users).toEqual([]);
    const created = byId.get('sub-contoso-e3-new');
    expect(created).toMatchObject({ offerId: 'O365_E3', status: 'active', channel: 'partner', quantity: 40 });
    expect(created?.users).toHaveLength(8);
    for (const s of before.subscriptions) {
      if (s.id !== 'sub-contoso-essentials') expect(byId.get(s.id)).toEqual(s);
    }
    expect(after.subscriptions).toHaveLength(before.subscriptions.length + 1);
    // Other customers are untouched.
    const others = [...directory.all()].filter((c) => c.id !== CONTOSO_ID);
    expect(others).toEqual(loadDemoDirectory().customers.filter((c) => c.id !== CONTOSO_ID));
  });

  it('refuses a stale plan (source already upgraded) and changes nothing', () => {
    const directory = demoDirectory();
    const customer = directory.byId(CONTOSO_ID)!;
    const first = plan(customer, 'sub-contoso-essentials', 'O365_E3', 'sub-new-1');
    const stale = plan(customer, 'sub-contoso-essentials', 'O365_E1', 'sub-new-2');
    directory.applyUpgrade(first);
    const snapshot = structuredClone([...directory.all()]);

    const error = conflictOf(() => directory.applyUpgrade(stale));
    expect(error.conflict).toBe('source_changed');
    expect(error.message).toContain('sub-contoso-essentials');
    expect(error.message).toContain('Contoso Ltd');
    expect([...directory.all()]).toEqual(snapshot);
  });

  it('refuses the same plan twice', () => {
    const directory = demoDirectory();
    const p = plan(directory.byId(CONTOSO_ID)!, 'sub-contoso-essentials', 'O365_E3', 'sub-new');
    directory.applyUpgrade(p);
    expect(conflictOf(() => directory.applyUpgrade(p)).conflict).toBe('source_changed');
  });

  it('accepts a plan that went through JSON (e.g. stored in a card)', () => {
    const directory = demoDirectory();
    const p = plan(directory.byId(CONTOSO_ID)!, 'sub-contoso-essentials', 'O365_E3', 'sub-new');
    const roundTripped = JSON.parse(JSON.stringify(p)) as UpgradePlan;
    expect(directory.applyUpgrade(roundTripped).subscriptions.some((s) => s.id === 'sub-new')).toBe(true);
  });

  it('refuses unknown customers and subscriptions', () => {
    const directory = demoDirectory();
    const p = plan(directory.byId(CONTOSO_ID)!, 'sub-contoso-essentials', 'O365_E3', 'sub-new');
    expect(conflictOf(() => directory.applyUpgrade({ ...p, customerId: 'nobody' })).conflict).toBe(
      'unknown_customer',
    );
    const ghost = { ...p, source: { ...p.source, id: 'sub-ghost' } };
    const error = conflictOf(() => directory.applyUpgrade(ghost));
    expect(error.conflict).toBe('unknown_subscription');
    expect(error.message).toContain('sub-ghost');
  });

  it('refuses a new subscription id that is already taken', () => {
    const directory = demoDirectory();
    const p = plan(directory.byId(CONTOSO_ID)!, 'sub-contoso-essentials', 'O365_E3', 'sub-fabrikam-e5');
    expect(conflictOf(() => directory.applyUpgrade(p)).conflict).toBe('subscription_id_taken');
    expect(
      directory.byId(CONTOSO_ID)!.subscriptions.find((s) => s.id === 'sub-contoso-essentials')?.status,
    ).toBe('active');
  });

  it('refuses a plan whose upgrade became ineligible since (rules re-checked), changing nothing', () => {
    const data = loadDemoDirectory();
    const directory = new MemoryDirectory(data);
    const contoso = directory.byId(CONTOSO_ID)!;
    const p = plan(contoso, 'sub-contoso-essentials', 'O365_E3', 'sub-new');
    // Meanwhile the customer bought E3 elsewhere: a directory built from that state must refuse the plan.
    const changed: DirectoryData = {
      ...data,
      customers: data.customers.map((c) =>
        c.id !== CONTOSO_ID
          ? c
          : {
              ...c,
              subscriptions: [
                ...c.subscriptions,
                { id: 'sub-e3-direct', offerId: 'O365_E3', quantity: 5, status: 'active', channel: 'direct' },
              ],
            },
      ),
    };
    const later = new MemoryDirectory(changed);
    const error = conflictOf(() => later.applyUpgrade(p));
    expect(error.conflict).toBe('not_eligible');
    expect(error.reasons.map((r) => r.code)).toContain('target_already_owned');
    expect(later.byId(CONTOSO_ID)).toEqual(changed.customers.find((c) => c.id === CONTOSO_ID));
  });
});
