/**
 * Licences added through the Partner Center gateway, against the simulator (separate processes, the
 * production TLS path): the subscription's seats are PATCHed once, guarded by its ETag, with the ledger
 * token's MS-RequestId; a change made elsewhere is refused and never overwritten; lost answers and resumptions
 * never add the seats twice; what the rules refuse is never PATCHed.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../scripts/partner-center-sim/start.js';
import type { Execution, LicenceOrder } from '../../src/core/ledger.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { upgradeRequestId, type PcEtaggedSubscription } from '../../src/partner-center/index.js';
import type { Customer } from '../../src/rules/index.js';
import { runAdapter } from './support/run-adapter.js';
import { runClient, value } from './support/run-client.js';

vi.setConfig({ testTimeout: 90_000 });

const directory = loadDemoDirectory();

/** Licences for one of the demo's subscriptions: from its seats (or `previousQuantity`) to `quantity`. */
function licenceOrder(
  subscriptionId: string,
  quantity: number,
  over: Partial<LicenceOrder> = {},
): LicenceOrder {
  const c = directory.customers.find((x) => x.subscriptions.some((s) => s.id === subscriptionId));
  const s = c?.subscriptions.find((x) => x.id === subscriptionId);
  if (c === undefined || s === undefined) throw new Error(`no ${subscriptionId}`);
  return {
    change: 'add_licences',
    customerId: c.id,
    subscriptionId,
    fromOffer: s.offerId,
    target: s.offerId,
    previousQuantity: s.quantity,
    quantity,
    ...over,
  };
}

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ rateLimitPerMinute: 0 });
});
afterAll(async () => {
  await sim?.stop();
});

async function seats(order: LicenceOrder): Promise<number | undefined> {
  const c = (await sim.customer(order.customerId)) as Customer;
  return c.subscriptions.find((s) => s.id === order.subscriptionId)?.quantity;
}

type Failed = { ok: false; error: { name: string; message: string; code?: unknown } };
const failure = (r: unknown) => (r as Failed).error;

describe('licences added in Partner Center', () => {
  it('PATCHes the subscription as read with the new total, its ETag in If-Match and attributes.etag, the token’s MS-RequestId; a resumption answers done without a second PATCH', async () => {
    await sim.resetStats();
    const o = licenceOrder('sub-contoso-exchange', 14);
    const read = await runClient(sim, [
      { op: 'getSubscription', customerId: o.customerId, subscriptionId: o.subscriptionId },
    ]);
    const { etag } = value<PcEtaggedSubscription>(read.results[0]).attributes;
    expect(etag).not.toBe('');

    const out = await runAdapter(sim, [
      { op: 'execute', order: o, key: 'token-contoso-seats' },
      // The process died before recording it: the resumption reads the seats and finds them added.
      { op: 'execute', order: o, key: 'token-contoso-seats', attempt: 2 },
    ]);
    const done: Execution = { newSubscriptionId: o.subscriptionId, affectedAccounts: [] };
    expect(value<Execution>(out.results[0])).toEqual(done);
    expect(value<Execution>(out.results[1])).toEqual(done);
    expect(out.refreshed).toEqual([o.customerId, o.customerId]);

    const stats = await sim.stats();
    expect(stats.patches).toEqual([
      { requestId: upgradeRequestId('token-contoso-seats'), ifMatch: etag, etag, quantity: 14 },
    ]);
    expect(stats.quantityChanges).toBe(1);
    expect(await seats(o)).toBe(14);
    // The PATCH attempt is logged as an upgrade's POST is: its MS-RequestId and a new MS-CorrelationId.
    const attempts = out.logs.filter((l) => l['msg'] === 'Partner Center PATCH attempt');
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      method: 'PATCH',
      requestId: upgradeRequestId('token-contoso-seats'),
      attempt: 1,
      status: 200,
    });
    expect(attempts[0]?.['correlationId']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a change made elsewhere between the read and the PATCH: refused, seat count changed, with the count Partner Center holds; ours never applied', async () => {
    await sim.resetStats();
    const o = licenceOrder('sub-lamna-essentials', 20);
    await sim.faults([{ method: 'PATCH', action: 'concurrent-change', quantity: 17 }]);
    try {
      const out = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-lamna-seats' }]);
      expect(failure(out.results[0])).toMatchObject({
        name: 'UpgradeRefusedError',
        code: [{ code: 'seat_count_changed', expected: 15, actual: 17 }],
      });
      const stats = await sim.stats();
      expect(stats.byRoute['PATCH subscription']?.['412']).toBe(1);
      expect(stats.patches).toHaveLength(1);
      expect(stats.quantityChanges).toBe(0);
      expect(await seats(o)).toBe(17);
    } finally {
      await sim.clearFaults();
    }
  });

  it('what the rules refuse on the live subscription is refused with the reasons, and nothing is PATCHed', async () => {
    await sim.resetStats();
    const out = await runAdapter(sim, [
      { op: 'execute', order: licenceOrder('sub-wingtip-trial', 30), key: 'token-trial' },
      { op: 'execute', order: licenceOrder('sub-northwind-essentials', 30), key: 'token-suspended' },
      { op: 'execute', order: licenceOrder('sub-woodgrove-business', 301), key: 'token-too-many' },
      { op: 'execute', order: licenceOrder('sub-trey-proplus', 30), key: 'token-no-more' },
      // The card showed 10 seats; Partner Center holds 12: a change made elsewhere, reported.
      {
        op: 'execute',
        order: licenceOrder('sub-litware-e3', 15, { previousQuantity: 10 }),
        key: 'token-changed',
      },
      // Bought directly from Microsoft: Partner Center does not list it to the partner at all.
      { op: 'execute', order: licenceOrder('sub-contoso-powerbi', 8), key: 'token-elsewhere' },
    ]);
    const refused = (i: number) => {
      const e = failure(out.results[i]);
      expect(e.name).toBe('UpgradeRefusedError');
      return e.code;
    };
    expect(refused(0)).toEqual([{ code: 'trial_subscription' }]);
    expect(refused(1)).toEqual([{ code: 'subscription_not_active', status: 'suspended' }]);
    expect(refused(2)).toEqual([
      {
        code: 'quantity_out_of_range',
        target: 'O365_BUSINESS',
        quantity: 301,
        minQuantity: 1,
        maxQuantity: 300,
      },
    ]);
    expect(refused(3)).toEqual([{ code: 'seats_not_added', quantity: 30, asked: 30 }]);
    expect(refused(4)).toEqual([{ code: 'seat_count_changed', expected: 10, actual: 12 }]);
    expect(failure(out.results[5])).toMatchObject({ name: 'UpgradeFailedError' });
    expect(failure(out.results[5]).message).toContain('404');
    const stats = await sim.stats();
    expect(stats.patches).toEqual([]);
    expect(stats.quantityChanges).toBe(0);
  });

  it('the PATCH applied and every answer lost: outcome unknown; the resumption reads the new total: done, applied once, one MS-RequestId throughout', async () => {
    await sim.resetStats();
    const o = licenceOrder('sub-sakura-business-essentials', 30);
    await sim.faults([{ method: 'PATCH', action: 'hang-after-apply', times: 0 }]);
    try {
      const lost = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-sakura-seats' }], {
        deadlineMs: 2000,
      });
      expect(failure(lost.results[0]).name).toBe('PartnerCenterUnavailableError');
    } finally {
      await sim.clearFaults();
    }
    expect(await seats(o)).toBe(30);
    const out = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-sakura-seats', attempt: 2 }]);
    expect(value<Execution>(out.results[0]).newSubscriptionId).toBe(o.subscriptionId);
    const stats = await sim.stats();
    expect(stats.quantityChanges).toBe(1);
    expect(stats.patches.length).toBeGreaterThan(0);
    expect(new Set(stats.patches.map((p) => p.requestId))).toEqual(
      new Set([upgradeRequestId('token-sakura-seats')]),
    );
    expect(await seats(o)).toBe(30);
  });

  it('Partner Center answers 5xx to every PATCH: outcome unknown; resumed, the PATCH is made again with the same MS-RequestId, once applied', async () => {
    await sim.resetStats();
    const o = licenceOrder('sub-midori-business-premium', 65);
    const key = 'token-midori-seats';
    await sim.faults([{ method: 'PATCH', action: 'status', status: 503, times: 0 }]);
    try {
      const out = await runAdapter(sim, [{ op: 'execute', order: o, key }]);
      expect(failure(out.results[0]).name).toBe('PartnerCenterUnavailableError');
      // Each attempt logged with the same MS-RequestId and its own MS-CorrelationId.
      const attempts = out.logs.filter((l) => l['msg'] === 'Partner Center PATCH attempt');
      expect(attempts.map((l) => [l['requestId'], l['attempt'], l['status']])).toEqual([
        [upgradeRequestId(key), 1, 503],
        [upgradeRequestId(key), 2, 503],
        [upgradeRequestId(key), 3, 503],
      ]);
      expect(new Set(attempts.map((l) => l['correlationId'])).size).toBe(3);
    } finally {
      await sim.clearFaults();
    }
    expect(await seats(o)).toBe(60);
    const resumed = await runAdapter(sim, [{ op: 'execute', order: o, key, attempt: 2 }]);
    expect(value<Execution>(resumed.results[0]).newSubscriptionId).toBe(o.subscriptionId);
    const stats = await sim.stats();
    expect(stats.patches.map((p) => p.requestId)).toEqual(Array(4).fill(upgradeRequestId(key)));
    expect(stats.quantityChanges).toBe(1);
    expect(await seats(o)).toBe(65);
  });

  it('a resumption that Partner Center refuses (409, not ready): outcome unknown, since the first may still be carried out', async () => {
    const o = licenceOrder('sub-merand-business-essentials', 48);
    await sim.faults([{ method: 'PATCH', action: 'status', status: 409, times: 0 }]);
    try {
      const first = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-merand', attempt: 1 }]);
      expect(failure(first.results[0]).name).toBe('UpgradeRefusedError');
      const resumed = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-merand', attempt: 2 }]);
      expect(failure(resumed.results[0]).name).toBe('PartnerCenterOutcomeUnknownError');
    } finally {
      await sim.clearFaults();
    }
    expect(await seats(o)).toBe(45);
  });

  it('the first PATCH applied but its connection dropped: the retry gets the stored answer, done, applied once', async () => {
    await sim.resetStats();
    const o = licenceOrder('sub-hikari-business-essentials', 10);
    await sim.faults([{ method: 'PATCH', action: 'drop-after-apply', times: 1 }]);
    try {
      const out = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-hikari-seats' }]);
      expect(value<Execution>(out.results[0]).newSubscriptionId).toBe(o.subscriptionId);
      const stats = await sim.stats();
      expect(stats.quantityChanges).toBe(1);
      expect(stats.idempotentReplays).toBe(1);
      expect(await seats(o)).toBe(10);
    } finally {
      await sim.clearFaults();
    }
  });

  it.each([
    ['a 412: outcome unknown, never refused', 'sub-yamada-business', 12, 412],
    ['a 403: outcome unknown, never failed', 'sub-lefevre-business', 30, 403],
  ])(
    'the first PATCH unanswered and not applied, its retry gets %s',
    async (_, subscriptionId, before, status) => {
      await sim.resetStats();
      const o = licenceOrder(subscriptionId, before + 3);
      await sim.faults([
        { method: 'PATCH', action: 'drop', times: 1 },
        { method: 'PATCH', action: 'status', status, times: 1 },
      ]);
      try {
        const out = await runAdapter(sim, [{ op: 'execute', order: o, key: `token-${subscriptionId}` }]);
        const error = failure(out.results[0]);
        expect(error.name).toBe('PartnerCenterOutcomeUnknownError');
        expect(error.message).toContain(String(status));
        expect((await sim.stats()).quantityChanges).toBe(0);
        expect(await seats(o)).toBe(before);
      } finally {
        await sim.clearFaults();
      }
    },
  );

  it('a resumption that finds neither the card’s seat count nor the new total: outcome unknown, nothing PATCHed', async () => {
    await sim.resetStats();
    // The card showed 18; Partner Center holds 20, and 25 were asked for.
    const o = licenceOrder('sub-litware-premium', 25, { previousQuantity: 18 });
    const out = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-litware-seats', attempt: 2 }]);
    expect(failure(out.results[0]).name).toBe('PartnerCenterOutcomeUnknownError');
    expect((await sim.stats()).patches).toEqual([]);
  });

  it.each([
    ['done once the new total shows', 'sub-merand-business-essentials', 300, 'done'],
    ['outcome unknown while it does not show', 'sub-lefevre-paris', 20_000, 'unknown'],
  ])('Partner Center accepts the change for later (202): %s', async (_, subscriptionId, delayMs, outcome) => {
    await sim.resetStats();
    const o = licenceOrder(subscriptionId, 50);
    await sim.config({ acceptedPatchDelayMs: delayMs });
    try {
      const out = await runAdapter(sim, [{ op: 'execute', order: o, key: `token-${subscriptionId}` }]);
      if (outcome === 'done') {
        expect(value<Execution>(out.results[0]).newSubscriptionId).toBe(o.subscriptionId);
        expect(await seats(o)).toBe(50);
      } else {
        expect(failure(out.results[0]).name).toBe('PartnerCenterOutcomeUnknownError');
        expect(await seats(o)).toBe(o.previousQuantity);
      }
      expect((await sim.stats()).byRoute['PATCH subscription']?.['202']).toBe(1);
    } finally {
      await sim.config({ acceptedPatchDelayMs: 0 });
    }
  });

  it('the client: a stale ETag is a conflict (412), and nothing changes', async () => {
    await sim.resetStats();
    const o = licenceOrder('sub-berard-business-premium', 16);
    const out = await runClient(sim, [
      {
        op: 'updateSubscriptionQuantity',
        customerId: o.customerId,
        subscriptionId: o.subscriptionId,
        quantity: 16,
        ledgerToken: 'token-berard-seats',
        etag: 'c3RhbGU=',
      },
    ]);
    expect(out.results[0]).toMatchObject({
      ok: false,
      error: { name: 'PartnerCenterConflictError', status: 412, code: 2055 },
    });
    expect((await sim.stats()).quantityChanges).toBe(0);
    expect(await seats(o)).toBe(15);
  });
});
