/**
 * What the Partner Center sync needs of the store, the same assertions on SQLite and PostgreSQL: named leases
 * (two holders racing: one wins; expiry; renewal; when it runs out; release), and customers with the fields
 * only a sync writes (otherSubscriptions, syncedAt, delegatedAdmin "unknown") stored and read back unchanged,
 * and removed.
 */
import { describe, expect, it } from 'vitest';
import type { Customer } from '../../src/rules/index.js';
import { engines } from './engines.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const NAME = 'partner-center-sync';

const SYNCED: Customer = {
  id: 'pc-customer-1',
  companyProfile: { companyName: 'Northwind Traders', domain: 'northwind.onmicrosoft.com' },
  delegatedAdmin: 'unknown',
  subscriptions: [
    {
      id: 'pc-sub-1',
      offerId: 'O365_E1',
      friendlyName: 'E1 for HQ',
      quantity: 12,
      status: 'active',
      channel: 'partner',
      isTrial: false,
      addOns: ['EXCHANGE_ONLINE_PLAN_1'],
    },
  ],
  otherSubscriptions: [
    {
      id: 'pc-sub-2',
      kind: 'new-commerce',
      offerId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971',
      offerName: 'Microsoft 365 Business Basic',
      friendlyName: 'Basic',
      quantity: 5,
      status: 'active',
    },
    {
      id: 'pc-sub-3',
      kind: 'other-product',
      offerId: '5EAF0000-0000-4000-8000-000000051399',
      offerName: 'Microsoft 365 E3',
      quantity: 3,
      status: 'suspended',
    },
  ],
  syncedAt: '2025-03-01T10:00:00.000Z',
};

describe.each(engines())('leases on $name', (engine) => {
  it('two holders racing for a free lease: exactly one wins, the other is refused while it holds', async () => {
    const first = await engine.open();
    const second = await first.another();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 === 0 ? first : second).leases.acquire(NAME, `replica-${i}`, at(60), T0),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = `replica-${results.indexOf(true)}`;
    expect(await second.leases.acquire(NAME, 'latecomer', at(90), at(30))).toBe(false);
    // Another name is another lease.
    expect(await second.leases.acquire('other-job', 'latecomer', at(90), at(30))).toBe(true);
    // The holder renews it (also before it ran out), and holds it for longer.
    expect(await first.leases.acquire(NAME, winner, at(120), at(30))).toBe(true);
    expect(await second.leases.acquire(NAME, 'latecomer', at(200), at(90))).toBe(false);
  });

  it('tells when the lease runs out, whoever holds it, renewed or not; nothing once released', async () => {
    const stores = await engine.open();
    const { leases } = stores;
    const other = await stores.another();
    expect(await leases.heldUntil(NAME)).toBeUndefined();
    expect(await leases.acquire(NAME, 'a', at(60), T0)).toBe(true);
    expect(await other.leases.heldUntil(NAME)).toEqual(at(60));
    expect(await leases.acquire(NAME, 'a', at(90), at(30))).toBe(true);
    expect(await other.leases.heldUntil(NAME)).toEqual(at(90));
    expect(await leases.heldUntil('other-job')).toBeUndefined();
    await leases.release(NAME, 'a');
    expect(await other.leases.heldUntil(NAME)).toBeUndefined();
  });

  it('a lease that ran out is taken over; its old holder then cannot renew it', async () => {
    const { leases } = await engine.open();
    expect(await leases.acquire(NAME, 'a', at(60), T0)).toBe(true);
    expect(await leases.acquire(NAME, 'b', at(60), at(59))).toBe(false);
    expect(await leases.acquire(NAME, 'b', at(180), at(61))).toBe(true);
    expect(await leases.acquire(NAME, 'a', at(240), at(62))).toBe(false);
  });

  it("release frees the lease for another holder, and does not free someone else's", async () => {
    const { leases } = await engine.open();
    expect(await leases.acquire(NAME, 'a', at(60), T0)).toBe(true);
    await leases.release(NAME, 'b');
    expect(await leases.acquire(NAME, 'b', at(60), at(1))).toBe(false);
    await leases.release(NAME, 'a');
    expect(await leases.acquire(NAME, 'b', at(60), at(2))).toBe(true);
    await leases.release('never-taken', 'a');
  });
});

describe.each(engines())('synced customers on $name', (engine) => {
  it('are stored and read back unchanged, by this connection and another; then removed', async () => {
    const stores = await engine.open();
    const other = await stores.another();
    await stores.saveCustomer(SYNCED);
    expect(await stores.customers.get(SYNCED.id)).toEqual(SYNCED);
    expect(await other.customers.get(SYNCED.id)).toEqual(SYNCED);

    expect(await other.removeCustomer(SYNCED.id)).toBe(true);
    expect(await other.removeCustomer(SYNCED.id)).toBe(false);
    expect(await other.customers.get(SYNCED.id)).toBeUndefined();
  });
});
