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
    // The store's refresh was asked for, and its failure did not fail the upgrade.
    expect(out.refreshed).toEqual([o.customerId]);
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
