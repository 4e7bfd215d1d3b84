/**
 * The checks a directory makes before applying a planned upgrade (src/directory/upgrade-checks.ts), on the
 * demo customers: what the upgraded customer is, and each conflict that refuses a plan without changing it.
 */
import { describe, expect, it } from 'vitest';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { checkedUpgrade } from '../../src/directory/upgrade-checks.js';
import type { Customer, UpgradePlan } from '../../src/rules/index.js';
import { conflictOf, plan } from '../support/upgrades.js';

function demo(): Customer[] {
  return loadDemoDirectory().customers;
}

function contosoOf(customers: readonly Customer[]): Customer {
  return customers.find((c) => c.companyProfile.companyName === 'Contoso Ltd')!;
}

/** The customer that holds a subscription id, as a directory of `customers` answers it. */
function ownerIn(customers: readonly Customer[]): (subscriptionId: string) => Customer | undefined {
  return (subscriptionId) => customers.find((c) => c.subscriptions.some((s) => s.id === subscriptionId));
}

describe('checkedUpgrade', () => {
  it('gives the upgraded customer: source cancelled, new subscription added, other subscriptions untouched', () => {
    const customers = demo();
    const before = contosoOf(customers);
    const snapshot = structuredClone(before);
    const p = plan(before, 'sub-contoso-essentials', 'O365_E3', 'sub-contoso-e3-new');
    const after = checkedUpgrade(before, p, ownerIn(customers));

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
    // Checking changes nothing: the customer given is as it was.
    expect(before).toEqual(snapshot);
  });

  it('refuses a stale plan (source already upgraded), naming the subscription and the customer', () => {
    const customers = demo();
    const customer = contosoOf(customers);
    const first = plan(customer, 'sub-contoso-essentials', 'O365_E3', 'sub-new-1');
    const stale = plan(customer, 'sub-contoso-essentials', 'O365_E1', 'sub-new-2');
    const upgraded = checkedUpgrade(customer, first, ownerIn(customers));
    const now = customers.map((c) => (c.id === upgraded.id ? upgraded : c));

    const error = conflictOf(() => checkedUpgrade(upgraded, stale, ownerIn(now)));
    expect(error.conflict).toBe('source_changed');
    expect(error.message).toContain('sub-contoso-essentials');
    expect(error.message).toContain('Contoso Ltd');
  });

  it('refuses the same plan twice', () => {
    const customers = demo();
    const p = plan(contosoOf(customers), 'sub-contoso-essentials', 'O365_E3', 'sub-new');
    const upgraded = checkedUpgrade(contosoOf(customers), p, ownerIn(customers));
    const now = customers.map((c) => (c.id === upgraded.id ? upgraded : c));
    expect(conflictOf(() => checkedUpgrade(upgraded, p, ownerIn(now))).conflict).toBe('source_changed');
  });

  it('accepts a plan that went through JSON (e.g. stored in a card)', () => {
    const customers = demo();
    const p = plan(contosoOf(customers), 'sub-contoso-essentials', 'O365_E3', 'sub-new');
    const roundTripped = JSON.parse(JSON.stringify(p)) as UpgradePlan;
    const after = checkedUpgrade(contosoOf(customers), roundTripped, ownerIn(customers));
    expect(after.subscriptions.some((s) => s.id === 'sub-new')).toBe(true);
  });

  it('refuses unknown customers and subscriptions', () => {
    const customers = demo();
    const p = plan(contosoOf(customers), 'sub-contoso-essentials', 'O365_E3', 'sub-new');
    expect(conflictOf(() => checkedUpgrade(undefined, p, ownerIn(customers))).conflict).toBe(
      'unknown_customer',
    );
    const ghost = { ...p, source: { ...p.source, id: 'sub-ghost' } };
    const error = conflictOf(() => checkedUpgrade(contosoOf(customers), ghost, ownerIn(customers)));
    expect(error.conflict).toBe('unknown_subscription');
    expect(error.message).toContain('sub-ghost');
  });

  it('refuses a new subscription id that is already taken', () => {
    const customers = demo();
    const p = plan(contosoOf(customers), 'sub-contoso-essentials', 'O365_E3', 'sub-fabrikam-e5');
    expect(conflictOf(() => checkedUpgrade(contosoOf(customers), p, ownerIn(customers))).conflict).toBe(
      'subscription_id_taken',
    );
  });

  it('refuses a plan whose upgrade became ineligible since (rules re-checked)', () => {
    const customers = demo();
    const contoso = contosoOf(customers);
    const p = plan(contoso, 'sub-contoso-essentials', 'O365_E3', 'sub-new');
    // Meanwhile the customer bought E3 elsewhere.
    const changed: Customer = {
      ...contoso,
      subscriptions: [
        ...contoso.subscriptions,
        { id: 'sub-e3-direct', offerId: 'O365_E3', quantity: 5, status: 'active', channel: 'direct' },
      ],
    };
    const now = customers.map((c) => (c.id === changed.id ? changed : c));
    const error = conflictOf(() => checkedUpgrade(changed, p, ownerIn(now)));
    expect(error.conflict).toBe('not_eligible');
    expect(error.reasons.map((r) => r.code)).toContain('target_already_owned');
  });
});
