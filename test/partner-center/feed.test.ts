/**
 * The customer feed against the simulator, each a real process (the feed's process trusts the simulator's CA
 * through NODE_EXTRA_CA_CERTS): the demo directory, plus a customer holding offers the catalog does not judge,
 * read in the rules' model; a customer whose subscriptions cannot be read, apart from the others.
 */
import { runDriver, signIn } from './support/run-driver.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../scripts/partner-center-sim/start.js';
import { loadDemoDirectory, type DirectoryData } from '../../src/directory/load.js';
import type { Customer } from '../../src/rules/index.js';
import type { FeedDriverInput, FeedDriverOutput, Outcome } from './support/feed-driver.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

const DRIVER = fileURLToPath(new URL('./support/feed-driver.ts', import.meta.url));
const demo = loadDemoDirectory();
const NORTHWIND: Customer = {
  id: 'northwind-traders',
  companyProfile: { companyName: 'Northwind Traders', domain: 'northwind.onmicrosoft.com' },
  delegatedAdmin: [{ service: 'Office 365', status: 'active' }],
  subscriptions: [
    { id: 'sub-northwind-e1', offerId: 'O365_E1', quantity: 12, status: 'active', channel: 'partner' },
  ],
  otherSubscriptions: [
    {
      id: 'sub-northwind-basic',
      kind: 'new-commerce',
      offerId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971',
      offerName: 'Microsoft 365 Business Basic',
      quantity: 5,
      status: 'active',
    },
    {
      id: 'sub-northwind-m365',
      kind: 'other-product',
      offerId: 'A1B2C3D4-0000-4000-8000-000000000001',
      offerName: 'Microsoft 365 E3',
      quantity: 3,
      status: 'active',
    },
    {
      id: 'sub-northwind-visio',
      kind: 'unknown',
      offerId: 'A1B2C3D4-0000-4000-8000-000000000002',
      offerName: 'Visio Online Plan 2',
      quantity: 2,
      status: 'suspended',
    },
  ],
};
const directory: DirectoryData = { ...demo, customers: [...demo.customers, NORTHWIND] };

let sim: RunningSimulator;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pc-feed-'));
  const file = join(dir, 'directory.json');
  writeFileSync(file, JSON.stringify(directory));
  sim = await startSimulator({ directory: file, rateLimitPerMinute: 0 });
});
afterAll(async () => {
  await sim?.stop();
});

async function runFeed(
  customerIds: readonly string[],
  clientSecret = sim.clientSecret,
): Promise<FeedDriverOutput> {
  const input: FeedDriverInput = { ...signIn(sim, clientSecret), pageSize: 5, customerIds };
  return runDriver<FeedDriverOutput>(sim, DRIVER, input, 'feed driver');
}

function value<T>(outcome: Outcome<T> | undefined): T {
  if (outcome === undefined) throw new Error('no such outcome');
  if (!outcome.ok) throw new Error(`${outcome.error.name}: ${outcome.error.message}`);
  return outcome.value;
}

/** What the feed should read of a directory customer: the partner's own subscriptions, add-ons on them. */
function expectedSubscriptions(customer: Customer) {
  return customer.subscriptions
    .filter((s) => s.channel === 'partner')
    .map((s) => ({
      id: s.id,
      offerId: s.offerId,
      quantity: s.quantity,
      status: s.status,
      channel: 'partner',
      addOns: s.addOns === undefined || s.addOns.length === 0 ? undefined : s.addOns,
    }));
}

describe('PartnerCenterFeed against the simulator', () => {
  it('reads every customer of every page with its catalog subscriptions, and the other offers apart', async () => {
    const ids = [NORTHWIND.id, 'no-such-customer'];
    const out = await runFeed(ids);
    const pages = value(out.pages);
    expect(pages.map((p) => p.length)).toEqual(
      Array.from({ length: Math.ceil(directory.customers.length / 5) }, (_, i) =>
        Math.min(5, directory.customers.length - i * 5),
      ),
    );
    const read = pages.flat();
    expect(read.map((c) => c.id)).toEqual(directory.customers.map((c) => c.id));
    expect(out.unreadable).toEqual([]);
    for (const customer of directory.customers) {
      const got = read.find((c) => c.id === customer.id)!;
      const name = customer.companyProfile.companyName;
      expect(got.companyProfile, name).toEqual(customer.companyProfile);
      expect(got.delegatedAdmin, name).toBe('unknown');
      expect(Date.parse(got.syncedAt ?? ''), name).not.toBeNaN();
      expect(
        got.subscriptions.map((s) => ({
          id: s.id,
          offerId: s.offerId,
          quantity: s.quantity,
          status: s.status,
          channel: s.channel,
          addOns: s.addOns,
        })),
        name,
      ).toEqual(expectedSubscriptions(customer));
      expect(got.otherSubscriptions, name).toEqual(
        customer.otherSubscriptions?.map((o) => ({ ...o, friendlyName: o.offerName })),
      );
    }

    // One customer read again; one that Partner Center does not have.
    const northwind = value(out.customers[0]);
    expect(northwind).toMatchObject({
      id: NORTHWIND.id,
      subscriptions: [expect.objectContaining({ id: 'sub-northwind-e1', offerId: 'O365_E1' })],
    });
    expect(northwind?.otherSubscriptions?.map((o) => o.kind)).toEqual([
      'new-commerce',
      'other-product',
      'unknown',
    ]);
    expect(value(out.customers[1])).toBeNull();
  });

  it('a customer whose subscriptions Partner Center refuses (404) is listed as unreadable; the others are read', async () => {
    await sim.faults([
      { method: 'GET', path: '/subscriptions$', action: 'status', status: 404, skip: 2, times: 1 },
    ]);
    try {
      const out = await runFeed([]);
      const read = value(out.pages).flat();
      expect(out.unreadable).toHaveLength(1);
      const [unreadable] = out.unreadable;
      expect(unreadable?.reason).toMatch(/HTTP 404/);
      // Every customer listed is either read or unreadable, none lost and none twice.
      expect([...read.map((c) => c.id), unreadable?.customerId].sort()).toEqual(
        directory.customers.map((c) => c.id).sort(),
      );
    } finally {
      await sim.clearFaults();
    }
  });

  it('a customer whose subscriptions call keeps failing (503 past the retries) is unreadable; the others are read', async () => {
    await sim.faults([
      {
        method: 'GET',
        path: `/customers/${NORTHWIND.id}/subscriptions$`,
        action: 'status',
        status: 503,
        times: 0,
      },
    ]);
    try {
      const out = await runFeed([]);
      const read = value(out.pages).flat();
      expect(out.unreadable.map((u) => u.customerId)).toEqual([NORTHWIND.id]);
      expect(read.map((c) => c.id)).not.toContain(NORTHWIND.id);
      expect(read).toHaveLength(directory.customers.length - 1);
    } finally {
      await sim.clearFaults();
    }
  });

  it('refused credentials are a system-of-record authentication error that keeps what to fix', async () => {
    const out = await runFeed([NORTHWIND.id], 'wrong-secret');
    expect(out.pages).toMatchObject({ ok: false, error: { name: 'SystemOfRecordAuthError' } });
    expect(out.pages.ok ? '' : out.pages.error.message).toMatch(/secret/i);
    expect(out.customers[0]).toMatchObject({ ok: false, error: { name: 'SystemOfRecordAuthError' } });
  });

  it('Partner Center failing past the retries is a system-of-record unavailable error', async () => {
    await sim.faults([{ method: 'GET', path: '^/v1/customers', action: 'status', status: 503, times: 0 }]);
    try {
      const out = await runFeed([NORTHWIND.id]);
      expect(out.pages).toMatchObject({ ok: false, error: { name: 'SystemOfRecordUnavailableError' } });
      expect(out.customers[0]).toMatchObject({
        ok: false,
        error: { name: 'SystemOfRecordUnavailableError' },
      });
    } finally {
      await sim.clearFaults();
    }
  });
});
