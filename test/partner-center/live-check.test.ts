/**
 * The live re-check against the simulator (a separate HTTPS process; the check runs in a process that trusts
 * its CA the production way): Partner Center's upgradeErrors, computed from its own data, in the rules' terms.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../scripts/partner-center-sim/start.js';
import type { LiveVerdict } from '../../src/core/live-check.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import type { Customer } from '../../src/rules/index.js';
import { value } from './support/run-client.js';
import { runAdapter } from './support/run-adapter.js';

vi.setConfig({ testTimeout: 90_000 });

/** The customer as a sync from Partner Center holds it: the partner's own subscriptions, no delegated admin. */
function synced(name: string): Customer {
  const c = loadDemoDirectory().customers.find((x) => x.companyProfile.companyName === name);
  if (c === undefined) throw new Error(`no demo customer ${name}`);
  return {
    ...c,
    delegatedAdmin: 'unknown',
    subscriptions: c.subscriptions.filter((s) => s.channel === 'partner'),
  };
}

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ rateLimitPerMinute: 0 });
});
afterAll(async () => {
  await sim?.stop();
});

describe('the live re-check', () => {
  it("Partner Center's verdicts, mapped: eligible, bought elsewhere, delegated admin, not active, add-ons", async () => {
    const contoso = synced('Contoso Ltd');
    const fabricam = synced('Fabricam Ltd');
    const northwind = synced('Northwind Traders');
    const adventure = synced('Adventure Works Cycles');
    const out = await runAdapter(sim, [
      { op: 'live', customer: contoso, subscriptionId: 'sub-contoso-essentials' },
      { op: 'live', customer: fabricam, subscriptionId: 'sub-fabricam-essentials' },
      { op: 'live', customer: northwind, subscriptionId: 'sub-northwind-essentials' },
      { op: 'live', customer: adventure, subscriptionId: 'sub-adventureworks-premium' },
    ]);
    const [c, f, n, a] = out.results.map((r) => value<LiveVerdict>(r));

    const e3 = c!.targets.find((t) => t.target === 'O365_E3');
    const e5 = c!.targets.find((t) => t.target === 'O365_E5');
    expect(e3).toMatchObject({ eligible: true, findings: [] });
    // Power BI Pro was bought directly: Partner Center sees it, the partner's API does not.
    expect(e5).toMatchObject({
      eligible: false,
      findings: [{ kind: 'conflict-elsewhere', target: 'O365_E5' }],
    });
    expect(c!.notChecked).toEqual(['service-settings', 'per-user-licences']);

    for (const t of f!.targets) {
      expect(t.eligible).toBe(false);
      expect(t.findings).toContainEqual({
        kind: 'reason',
        reason: { code: 'delegated_admin_missing', service: 'Office 365', status: 'none' },
      });
    }
    expect(n!.targets[0]!.findings).toContainEqual({
      kind: 'reason',
      reason: { code: 'subscription_not_active', status: 'suspended' },
    });
    expect(a!.targets[0]!.findings).toContainEqual({
      kind: 'reason',
      reason: { code: 'add_ons_present', addOns: ['CLOUD_PBX'] },
    });
  });

  it("refused credentials are the core's SystemOfRecordAuthError", async () => {
    await sim.secret('revoked');
    try {
      const out = await runAdapter(sim, [
        { op: 'live', customer: synced('Contoso Ltd'), subscriptionId: 'sub-contoso-essentials' },
      ]);
      expect(out.results[0]).toMatchObject({ ok: false, error: { name: 'SystemOfRecordAuthError' } });
    } finally {
      await sim.secret('valid');
    }
  });

  it("403 and 404 are the core's SystemOfRecordRejectedError with their status (no answer to retry)", async () => {
    await sim.faults([{ method: 'GET', path: '/upgrades$', action: 'status', status: 403, times: 1 }]);
    try {
      const out = await runAdapter(sim, [
        { op: 'live', customer: synced('Contoso Ltd'), subscriptionId: 'sub-contoso-essentials' },
        // Partner Center no longer has this subscription: its own 404.
        { op: 'live', customer: synced('Contoso Ltd'), subscriptionId: 'sub-contoso-gone' },
      ]);
      expect(out.results[0]).toMatchObject({
        ok: false,
        error: { name: 'SystemOfRecordRejectedError', status: 403 },
      });
      expect(out.results[1]).toMatchObject({
        ok: false,
        error: { name: 'SystemOfRecordRejectedError', status: 404 },
      });
    } finally {
      await sim.clearFaults();
    }
  });

  it("an unreachable Partner Center is the core's SystemOfRecordUnavailableError", async () => {
    await sim.faults([{ method: 'GET', path: '/upgrades$', action: 'status', status: 503, times: 0 }]);
    try {
      const out = await runAdapter(sim, [
        { op: 'live', customer: synced('Contoso Ltd'), subscriptionId: 'sub-contoso-essentials' },
      ]);
      expect(out.results[0]).toMatchObject({ ok: false, error: { name: 'SystemOfRecordUnavailableError' } });
    } finally {
      await sim.clearFaults();
    }
  });
});
