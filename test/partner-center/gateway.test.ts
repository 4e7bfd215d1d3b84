/**
 * The upgrade gateway against the simulator (separate processes, the production TLS path): the upgrade is made
 * in Partner Center once, whatever the lost answers and resumptions; refusals and failures change nothing.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../scripts/partner-center-sim/start.js';
import type { Execution, UpgradeOrder } from '../../src/core/ledger.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { upgradeRequestId } from '../../src/partner-center/index.js';
import type { Customer, OfferId } from '../../src/rules/index.js';
import { value } from './support/run-client.js';
import { runAdapter } from './support/run-adapter.js';

vi.setConfig({ testTimeout: 90_000 });

const directory = loadDemoDirectory();
function order(
  name: string,
  subscriptionId: string,
  target: OfferId,
  over: Partial<UpgradeOrder> = {},
): UpgradeOrder {
  const c = directory.customers.find((x) => x.companyProfile.companyName === name);
  const s = c?.subscriptions.find((x) => x.id === subscriptionId);
  if (c === undefined || s === undefined) throw new Error(`no ${name} ${subscriptionId}`);
  return {
    customerId: c.id,
    subscriptionId,
    fromOffer: s.offerId,
    target,
    quantity: s.quantity,
    upgradeType: 'upgrade_with_license_transfer',
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

async function simCustomer(id: string): Promise<Customer> {
  return (await sim.customer(id)) as Customer;
}

/** An order of the subscription's whole quantity, asked for a second ago (as the ledger's entry carries it). */
function ledgerOrder(
  subscriptionId: string,
  target: OfferId,
  over: Partial<UpgradeOrder> = {},
): UpgradeOrder & { requestedAt: string } {
  const c = directory.customers.find((x) => x.subscriptions.some((s) => s.id === subscriptionId));
  if (c === undefined) throw new Error(`no ${subscriptionId}`);
  return {
    ...order(c.companyProfile.companyName, subscriptionId, target, over),
    requestedAt: new Date(Date.now() - 1000).toISOString(),
  };
}

/** The customer's live subscriptions of an offer, in the simulator. */
async function liveOf(customerId: string, offerId: OfferId): Promise<string[]> {
  const c = await simCustomer(customerId);
  return c.subscriptions.filter((s) => s.offerId === offerId && s.status === 'active').map((s) => s.id);
}

const failure = (r: unknown) => (r as { ok: false; error: { name: string; message: string } }).error;

describe('the Partner Center gateway', () => {
  it('upgrades once; licence errors are accounts that need manual work; a resumption records the same upgrade', async () => {
    await sim.resetStats();
    const o = order('Contoso Ltd', 'sub-contoso-essentials', 'O365_E3', { upgradeType: 'upgrade_only' });
    const out = await runAdapter(sim, [
      { op: 'execute', order: o, key: 'token-contoso' },
      // The process died before recording it: the resumption reads the subscriptions and finds the upgrade.
      { op: 'execute', order: o, key: 'token-contoso', attempt: 2 },
    ]);
    const first = value<Execution>(out.results[0]);
    const resumed = value<Execution>(out.results[1]);
    expect(resumed.newSubscriptionId).toBe(first.newSubscriptionId);
    expect(first.affectedAccounts.length).toBeGreaterThan(0);
    for (const a of first.affectedAccounts) {
      expect(a.cause).toBe('partner_center_licence_error');
      expect(a.faults?.[0]).toContain('licence_not_transferred');
    }
    // The store's refresh was asked for after each (the upgrade, then the resumption that found it), and its
    // failure did not fail the upgrade.
    expect(out.refreshed).toEqual([o.customerId, o.customerId]);
    const stats = await sim.stats();
    expect(stats.upgradesApplied).toBe(1);
    expect(stats.upgradeRequestIds).toEqual([upgradeRequestId('token-contoso')]);
    const after = await simCustomer(o.customerId);
    expect(after.subscriptions.find((s) => s.id === first.newSubscriptionId)).toMatchObject({
      offerId: 'O365_E3',
    });
    expect(after.subscriptions.find((s) => s.id === o.subscriptionId)?.status).toBe('deleted');
  });

  it('the connection dropped after the POST was applied: retried with the same MS-RequestId, one upgrade', async () => {
    await sim.resetStats();
    await sim.faults([{ method: 'POST', path: '/upgrades$', action: 'drop-after-apply', times: 1 }]);
    try {
      const o = order('A. Datum Corporation', 'sub-adatum-essentials', 'O365_E3');
      const out = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-adatum' }]);
      expect(value<Execution>(out.results[0]).newSubscriptionId).not.toBe('');
      const stats = await sim.stats();
      expect(stats.upgradesApplied).toBe(1);
      expect(stats.idempotentReplays).toBe(1);
      expect(new Set(stats.upgradeRequestIds)).toEqual(new Set([upgradeRequestId('token-adatum')]));
    } finally {
      await sim.clearFaults();
    }
  });

  it('Partner Center says no: refused with our reasons, nothing changed', async () => {
    await sim.resetStats();
    const o = order('Fabricam Ltd', 'sub-fabricam-essentials', 'O365_E3');
    const out = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-fabricam' }]);
    expect(out.results[0]).toMatchObject({
      ok: false,
      error: {
        name: 'UpgradeRefusedError',
        code: [{ code: 'delegated_admin_missing', service: 'Office 365', status: 'none' }],
      },
    });
    expect((await sim.stats()).upgradesApplied).toBe(0);
  });

  it('a target Partner Center does not list: refused, target not available', async () => {
    const o = order('Fabrikam Inc', 'sub-fabrikam-premium', 'O365_PROPLUS');
    const out = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-fabrikam' }]);
    expect(out.results[0]).toMatchObject({
      ok: false,
      error: {
        name: 'UpgradeRefusedError',
        code: [{ code: 'target_not_available', target: 'O365_PROPLUS' }],
      },
    });
  });

  it('refused credentials: failed, nothing sent; on a resumption the outcome stays unknown', async () => {
    await sim.resetStats();
    await sim.secret('revoked');
    try {
      const o = order('Wingtip Toys', 'sub-wingtip-trial', 'O365_E3');
      const out = await runAdapter(sim, [
        { op: 'execute', order: o, key: 'token-wingtip' },
        { op: 'execute', order: o, key: 'token-wingtip', attempt: 2 },
      ]);
      expect(out.results[0]).toMatchObject({ ok: false, error: { name: 'UpgradeFailedError' } });
      expect((out.results[0] as { error: { message: string } }).error.message).toContain('credentials');
      expect(out.results[1]).toMatchObject({ ok: false, error: { name: 'PartnerCenterAuthError' } });
      expect((await sim.stats()).upgradeRequestIds).toEqual([]);
    } finally {
      await sim.secret('valid');
    }
  });

  it.each([
    ['suspended, as Partner Center leaves the source of an upgrade', 'sub-woodgrove-business', undefined],
    ['still active: only part of its seats were upgraded', 'sub-lamna-essentials', 5],
  ])(
    'a resumption after the POST was applied and its answer lost, the source %s: done, one upgrade',
    async (_, subscriptionId, seatsLeft) => {
      await sim.resetStats();
      const o = ledgerOrder(subscriptionId, 'O365_E3');
      await sim.faults([{ method: 'POST', path: '/upgrades$', action: 'drop-after-apply', times: 0 }]);
      try {
        const lost = await runAdapter(sim, [{ op: 'execute', order: o, key: `token-${subscriptionId}` }]);
        expect(failure(lost.results[0]).name).toBe('PartnerCenterUnavailableError');
      } finally {
        await sim.clearFaults();
      }
      // Partner Center's data as it really is after such an upgrade (the simulator marks the source deleted).
      const applied = await simCustomer(o.customerId);
      await sim.replaceCustomer({
        ...applied,
        subscriptions: applied.subscriptions.map((s) =>
          s.id !== subscriptionId
            ? s
            : seatsLeft === undefined
              ? { ...s, status: 'suspended' }
              : { ...s, status: 'active', quantity: seatsLeft },
        ),
      });
      const [target] = await liveOf(o.customerId, 'O365_E3');

      const out = await runAdapter(sim, [
        { op: 'execute', order: o, key: `token-${subscriptionId}`, attempt: 2 },
      ]);
      expect(value<Execution>(out.results[0]).newSubscriptionId).toBe(target);
      expect((await sim.stats()).upgradesApplied).toBe(1);
      expect(await liveOf(o.customerId, 'O365_E3')).toEqual([target]);
    },
  );

  it('a resumption that finds no new subscription and a source Partner Center now calls not active: unknown, not refused', async () => {
    await sim.resetStats();
    const o = ledgerOrder('sub-hikari-business-essentials', 'O365_E3');
    // As if the first attempt's upgrade had suspended the source and Partner Center had not listed the new
    // subscription yet: nothing here says "nothing changed".
    const now = await simCustomer(o.customerId);
    await sim.replaceCustomer({
      ...now,
      subscriptions: now.subscriptions.map((s) =>
        s.id === o.subscriptionId ? { ...s, status: 'suspended' } : s,
      ),
    });
    try {
      const out = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-hikari', attempt: 2 }]);
      expect(failure(out.results[0]).name).toBe('PartnerCenterOutcomeUnknownError');
      expect((await sim.stats()).upgradeRequestIds).toEqual([]);
    } finally {
      await sim.replaceCustomer(now);
    }
  });

  it.each([
    ['a 409', 'sub-sakura-business-essentials', 409],
    ['a 403', 'sub-midori-business-premium', 403],
  ])(
    'the first POST applied but unanswered, its retry gets %s: done (the new subscription is there), not refused or failed',
    async (_, subscriptionId, status) => {
      await sim.resetStats();
      const o = ledgerOrder(subscriptionId, 'O365_E3');
      const key = `token-${subscriptionId}`;
      await sim.faults([
        { method: 'POST', path: '/upgrades$', action: 'drop-after-apply', times: 1 },
        { method: 'POST', path: '/upgrades$', action: 'status', status, times: 1 },
      ]);
      try {
        const out = await runAdapter(sim, [{ op: 'execute', order: o, key }]);
        expect(value<Execution>(out.results[0]).newSubscriptionId).toBe(
          (await liveOf(o.customerId, 'O365_E3'))[0],
        );
        expect((await sim.stats()).upgradesApplied).toBe(1);

        // Each POST attempt is logged with its MS-RequestId and MS-CorrelationId; the retry warning too.
        const posts = out.logs.filter((l) => l['msg'] === 'Partner Center POST attempt');
        expect(posts.map((l) => [l['requestId'], l['attempt'], l['status']])).toEqual([
          [upgradeRequestId(key), 1, undefined],
          [upgradeRequestId(key), 2, status],
        ]);
        expect(posts[0]?.['reason']).toBeTypeOf('string');
        const correlationIds = posts.map((l) => l['correlationId']);
        for (const id of correlationIds) expect(id).toMatch(/^[0-9a-f-]{36}$/);
        expect(new Set(correlationIds).size).toBe(2);
        const retry = out.logs.find((l) => l['msg'] === 'Partner Center call failed for now; retrying');
        expect(retry).toMatchObject({ requestId: upgradeRequestId(key), correlationId: correlationIds[0] });
        const logged = JSON.stringify(out.logs);
        expect(logged).not.toContain(sim.clientSecret);
        expect(logged).not.toMatch(/bearer/i);
      } finally {
        await sim.clearFaults();
      }
    },
  );

  it("the first POST applied but unanswered, its retry's new token refused: done, not failed", async () => {
    await sim.resetStats();
    const o = ledgerOrder('sub-yamada-business', 'O365_E3');
    await sim.faults([
      { method: 'POST', path: '/upgrades$', action: 'drop-after-apply', times: 1 },
      { method: 'POST', path: '/upgrades$', action: 'status', status: 401, times: 1 },
    ]);
    try {
      const out = await runAdapter(sim, [
        // A token first, then the secret revoked: the renewal the 401 asks for fails.
        {
          op: 'live',
          customer: directory.customers.find((c) => c.id === o.customerId)!,
          subscriptionId: o.subscriptionId,
        },
        { op: 'control', method: 'POST', path: '/_sim/credentials', body: { secretState: 'revoked' } },
        { op: 'execute', order: o, key: 'token-yamada' },
      ]);
      expect(value<Execution>(out.results[2]).newSubscriptionId).toBe(
        (await liveOf(o.customerId, 'O365_E3'))[0],
      );
      expect((await sim.stats()).upgradesApplied).toBe(1);
    } finally {
      await sim.secret('valid');
      await sim.clearFaults();
    }
  });

  it('the first POST unanswered and not applied, its retry gets a 409: outcome unknown, never refused', async () => {
    await sim.resetStats();
    const o = ledgerOrder('sub-hikari-business-essentials', 'O365_E3');
    await sim.faults([
      { method: 'POST', path: '/upgrades$', action: 'drop', times: 1 },
      { method: 'POST', path: '/upgrades$', action: 'status', status: 409, times: 1 },
    ]);
    try {
      const out = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-hikari' }]);
      const error = failure(out.results[0]);
      expect(error.name).toBe('PartnerCenterOutcomeUnknownError');
      expect(error.message).toContain('409');
      expect((await sim.stats()).upgradesApplied).toBe(0);
    } finally {
      await sim.clearFaults();
    }
  });

  it('Partner Center never answers the POST: given up at the deadline, well before the retries run out', async () => {
    await sim.faults([{ method: 'POST', path: '/upgrades$', action: 'hang', times: 0 }]);
    try {
      const o = ledgerOrder('sub-merand-business-essentials', 'O365_E3');
      // Three attempts of 3 s each without the deadline.
      const out = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-merand' }], {
        deadlineMs: 1500,
      });
      expect(failure(out.results[0]).name).toBe('PartnerCenterUnavailableError');
      expect(failure(out.results[0]).message).toContain('deadline');
      expect(out.stepMs[0]).toBeLessThan(3000);
    } finally {
      await sim.clearFaults();
    }
  });

  it("the store's refresh after an upgrade is not waited for", async () => {
    const o = ledgerOrder('sub-berard-business-premium', 'O365_E3');
    const out = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-berard' }], {
      refreshMs: 10_000,
    });
    expect(value<Execution>(out.results[0]).newSubscriptionId).not.toBe('');
    expect(out.refreshed).toEqual([o.customerId]);
    expect(out.stepMs[0]).toBeLessThan(10_000);
  });

  it('Partner Center unreachable: the error is passed on (outcome unknown, the ledger resumes)', async () => {
    await sim.faults([{ method: 'GET', path: '/upgrades$', action: 'status', status: 503, times: 0 }]);
    try {
      const o = order('Contoso Ltd', 'sub-contoso-exchange', 'O365_E3');
      const out = await runAdapter(sim, [{ op: 'execute', order: o, key: 'token-503' }]);
      expect(out.results[0]).toMatchObject({ ok: false, error: { name: 'PartnerCenterUnavailableError' } });
    } finally {
      await sim.clearFaults();
    }
  });
});
