/**
 * The Partner Center client against the simulator, each a real process: the simulator serves HTTPS with a CA
 * it made at start, and the client runs in a process started with NODE_EXTRA_CA_CERTS naming that CA (the
 * production TLS path), signing in through MSAL at the simulator's token endpoint.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../scripts/partner-center-sim/start.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import {
  upgradeErrorName,
  upgradeRequestId,
  type CreateUpgradeOutcome,
  type PcSubscription,
  type PcUpgrade,
} from '../../src/partner-center/index.js';
import { CATALOG, evaluateSubscription, type Customer } from '../../src/rules/index.js';
import { runClient, value } from './support/run-client.js';

const directory = loadDemoDirectory();
const byName = (name: string): Customer => {
  const found = directory.customers.find((c) => c.companyProfile.companyName === name);
  if (found === undefined) throw new Error(`no demo customer ${name}`);
  return found;
};
const contoso = byName('Contoso Ltd');
const fast = { minDelayMs: 10, maxDelayMs: 50, timeoutMs: 5000 };

// Each test starts a client process (tsx); on a busy machine that alone takes seconds.
vi.setConfig({ testTimeout: 90_000 });

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ rateLimitPerMinute: 0 });
});
afterAll(async () => {
  await sim?.stop();
});
beforeEach(async () => {
  await sim.clearFaults();
  await sim.secret('valid');
  await sim.config({ errorCodeStyle: 'int', refusalStyle: 'result' });
  await sim.resetStats();
});

describe('reading', () => {
  it('lists every customer across pages, and of each customer the subscriptions this partner sold', async () => {
    const out = await runClient(sim, [{ op: 'customersWithSubscriptions' }], { pageSize: 5, ...fast });
    const listed = value<{ id: string; subscriptions: string[] }[]>(out.results[0]);

    expect(listed.map((c) => c.id)).toEqual(directory.customers.map((c) => c.id));
    for (const customer of directory.customers) {
      const expected = customer.subscriptions
        .filter((s) => s.channel === 'partner')
        .flatMap((s) => [s.id, ...(s.addOns ?? []).map((_, i) => `${s.id}-addon-${i + 1}`)]);
      expect(
        listed.find((c) => c.id === customer.id)?.subscriptions,
        customer.companyProfile.companyName,
      ).toEqual(expected);
    }
    const stats = await sim.stats();
    expect(stats.byRoute['GET customers']?.['200']).toBe(Math.ceil(directory.customers.length / 5));
    expect(stats.byRoute['GET subscriptions']?.['200']).toBe(directory.customers.length);
    // Every Partner Center call the client made reached the simulator; MSAL read the OpenID configuration and
    // got one token, and never asked for instance discovery.
    const v1 = Object.entries(stats.byRoute)
      .filter(([route]) => route.startsWith('GET customer') || route.startsWith('GET subscription'))
      .reduce((sum, [, outcomes]) => sum + (outcomes['received'] ?? 0), 0);
    expect(out.counters['attempts']).toBe(v1);
    expect(stats.requests).toBe(v1 + 2);
    expect(stats.byRoute['GET openid-configuration']?.['200']).toBe(1);
    expect(stats.byRoute['POST token']?.['200']).toBe(1);
    expect(stats.byRoute['GET instance-discovery']).toBeUndefined();
  });

  it('a subscription bought elsewhere is not listed, an add-on is, under its parent', async () => {
    const adventure = byName('Adventure Works Cycles');
    const out = await runClient(
      sim,
      [
        { op: 'listSubscriptions', customerId: contoso.id },
        { op: 'listSubscriptions', customerId: adventure.id },
      ],
      fast,
    );
    const contosoSubs = value<PcSubscription[]>(out.results[0]);
    expect(contosoSubs.map((s) => s.id)).not.toContain('sub-contoso-powerbi');
    expect(contosoSubs.find((s) => s.id === 'sub-contoso-essentials')).toMatchObject({
      offerName: 'Microsoft 365 Business Basic',
      quantity: 40,
      status: 'active',
    });
    const addOn = value<PcSubscription[]>(out.results[1]).find((s) => s.parentSubscriptionId !== undefined);
    expect(addOn).toMatchObject({
      parentSubscriptionId: 'sub-adventureworks-premium',
      offerName: CATALOG.CLOUD_PBX.name,
    });
  });

  it("a subscription's upgrades carry isEligible and upgradeErrors computed from the rules", async () => {
    const source = contoso.subscriptions.find((s) => s.id === 'sub-contoso-essentials');
    if (source === undefined) throw new Error('demo data changed');
    const out = await runClient(
      sim,
      [{ op: 'getUpgrades', customerId: contoso.id, subscriptionId: source.id }],
      fast,
    );
    const upgrades = value<PcUpgrade[]>(out.results[0]);
    const verdict = evaluateSubscription(contoso, source);

    expect(upgrades.map((u) => u.isEligible)).toEqual(verdict.targets.map((t) => t.eligible));
    expect(upgrades.some((u) => u.isEligible)).toBe(true);
    expect(upgrades.some((u) => !u.isEligible)).toBe(true);
    const e5 = upgrades.find((u) => u.targetOffer.name === CATALOG.O365_E5.name);
    // Contoso holds Power BI Pro bought direct: E5 would add it again.
    expect(e5?.upgradeErrors.map((e) => e.code)).toEqual([3]);
    expect(e5?.upgradeErrors[0]?.additionalDetails).toContain('sub-contoso-powerbi');
  });

  it('upgrade error codes are understood whether sent as numbers or names', async () => {
    const step = {
      op: 'getUpgrades',
      customerId: contoso.id,
      subscriptionId: 'sub-contoso-essentials',
    } as const;
    const asNumbers = value<PcUpgrade[]>((await runClient(sim, [step], fast)).results[0]);
    await sim.config({ errorCodeStyle: 'name' });
    const asNames = value<PcUpgrade[]>((await runClient(sim, [step], fast)).results[0]);

    const names = (list: PcUpgrade[]) =>
      list.flatMap((u) => u.upgradeErrors.map((e) => upgradeErrorName(e.code)));
    expect(asNames.flatMap((u) => u.upgradeErrors.map((e) => e.code))).toEqual(['conflicting_service_types']);
    expect(names(asNumbers)).toEqual(['conflicting_service_types']);
    expect(names(asNames)).toEqual(names(asNumbers));
  });

  it('an unknown subscription is a clear 404 with its request and correlation ids, not retried', async () => {
    const out = await runClient(
      sim,
      [{ op: 'getUpgrades', customerId: contoso.id, subscriptionId: 'nope' }],
      fast,
    );
    const result = out.results[0];
    expect(result?.ok).toBe(false);
    if (result?.ok !== false) return;
    expect(result.error).toMatchObject({ name: 'PartnerCenterHttpError', status: 404, code: 20003 });
    expect(result.error.message).toMatch(/MS-RequestId [0-9a-f-]{36}, MS-CorrelationId [0-9a-f-]{36}/);
    expect(out.counters['attempts']).toBe(1);
  });
});

describe('throttling and faults', () => {
  it("waits a 429's Retry-After, then retries; a 500 and a lost connection are retried with backoff", async () => {
    const subscriptions = { method: 'GET', path: '/subscriptions$' } as const;
    await sim.faults([
      { ...subscriptions, action: 'status', status: 429, retryAfterSeconds: 1, times: 2 },
      { ...subscriptions, action: 'status', status: 500, skip: 3, times: 1 },
      { ...subscriptions, action: 'drop', skip: 6, times: 1 },
    ]);
    const out = await runClient(sim, [{ op: 'customersWithSubscriptions' }], { pageSize: 50, ...fast });
    expect(value<unknown[]>(out.results[0])).toHaveLength(directory.customers.length);
    expect(out.counters).toMatchObject({ throttled: 2, retries: 4, retryAfterWaitedMs: 2000 });
    const stats = await sim.stats();
    expect(stats.byRoute['GET subscriptions']).toEqual({
      received: directory.customers.length + 4,
      'fault:status': 3,
      'fault:drop': 1,
      '200': directory.customers.length,
    });
  });

  it('sends MS-RequestId the same on every retry of a call, a new MS-CorrelationId on every attempt', async () => {
    await sim.faults([{ method: 'GET', path: '/upgrades$', action: 'status', status: 503, times: 2 }]);
    const step = {
      op: 'getUpgrades',
      customerId: contoso.id,
      subscriptionId: 'sub-contoso-essentials',
    } as const;
    const out = await runClient(sim, [step, step], fast);
    expect(out.results.map((r) => r.ok)).toEqual([true, true]);
    const seen = (await sim.stats()).recent.filter((r) => r.path.endsWith('/upgrades'));
    expect(seen).toHaveLength(4);
    const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const r of seen) {
      expect(r.requestId).toMatch(guid);
      expect(r.correlationId).toMatch(guid);
      expect(r).toMatchObject({ contractVersion: 'v1', locale: 'en-US', application: 'upgrade-assistant' });
    }
    // The first call took three attempts (two 503s), the second one.
    expect(new Set(seen.slice(0, 3).map((r) => r.requestId)).size).toBe(1);
    expect(seen[3]?.requestId).not.toBe(seen[0]?.requestId);
    expect(new Set(seen.map((r) => r.correlationId)).size).toBe(4);
  });

  it('gives up after its retries with an error saying no answer could be had', async () => {
    await sim.faults([{ method: 'GET', path: '^/v1/customers$', action: 'status', status: 503, times: 0 }]);
    const out = await runClient(sim, [{ op: 'listCustomers' }], { ...fast, retries: 2 });
    const result = out.results[0];
    expect(result?.ok).toBe(false);
    if (result?.ok !== false) return;
    expect(result.error.name).toBe('PartnerCenterUnavailableError');
    expect(result.error.message).toMatch(/no answer after 3 attempts \(last: HTTP 503/);
    expect((await sim.stats()).byRoute['GET customers']?.['fault:status']).toBe(3);
  });
});

describe('creating an upgrade', () => {
  const e3 = CATALOG.O365_E3.name;

  it('is carried out once when the answer is lost after it was applied: the retry sends the same MS-RequestId', async () => {
    await sim.faults([{ method: 'POST', path: '/upgrades$', action: 'drop-after-apply', times: 1 }]);
    const ledgerToken = 'ledger-token-contoso-e3';
    const step = {
      op: 'createUpgrade',
      customerId: contoso.id,
      subscriptionId: 'sub-contoso-essentials',
      target: e3,
      upgradeType: 'upgrade_with_license_transfer',
      ledgerToken,
    } as const;
    const out = await runClient(sim, [step], fast);
    const outcome = value<CreateUpgradeOutcome>(out.results[0]);
    expect(outcome.outcome).toBe('upgraded');
    if (outcome.outcome !== 'upgraded') return;
    expect(outcome.requestId).toBe(upgradeRequestId(ledgerToken));

    const stats = await sim.stats();
    expect(stats.upgradeRequestIds).toEqual([outcome.requestId, outcome.requestId]);
    expect(stats.upgradesApplied).toBe(1);
    expect(stats.idempotentReplays).toBe(1);

    // The customer in the simulator: the source cancelled, one new E3 subscription with the users moved.
    const after = (await sim.customer(contoso.id)) as Customer;
    expect(after.subscriptions.find((s) => s.id === 'sub-contoso-essentials')?.status).toBe('deleted');
    const created = after.subscriptions.filter((s) => s.offerId === 'O365_E3' && s.status === 'active');
    expect(created.map((s) => s.id)).toEqual([outcome.targetSubscriptionId]);

    // Resumed later by another process with the same ledger token: the same answer, nothing done twice.
    const again = value<CreateUpgradeOutcome>((await runClient(sim, [step], fast)).results[0]);
    expect(again).toMatchObject({ outcome: 'upgraded', targetSubscriptionId: outcome.targetSubscriptionId });
    expect((await sim.stats()).upgradesApplied).toBe(1);
  });

  it('is retried with the same MS-RequestId after a timeout', async () => {
    const woodgrove = byName('Woodgrove Bank');
    await sim.faults([{ method: 'POST', path: '/upgrades$', action: 'hang', times: 1 }]);
    const out = await runClient(
      sim,
      [
        {
          op: 'createUpgrade',
          customerId: woodgrove.id,
          subscriptionId: 'sub-woodgrove-business',
          target: e3,
          upgradeType: 'upgrade_only',
          ledgerToken: 'ledger-token-woodgrove',
        },
      ],
      { ...fast, timeoutMs: 1000 },
    );
    const outcome = value<CreateUpgradeOutcome>(out.results[0]);
    expect(outcome.outcome).toBe('upgraded');
    const stats = await sim.stats();
    expect(stats.upgradeRequestIds).toEqual([outcome.requestId, outcome.requestId]);
    expect(stats.upgradesApplied).toBe(1);
    if (outcome.outcome === 'upgraded') {
      // upgrade_only: every licensed user needs a licence in the new subscription.
      expect(outcome.licenseErrors.map((e) => e.userObjectId).sort()).toEqual(
        (woodgrove.subscriptions[0]?.users ?? []).map((u) => u.objectId).sort(),
      );
    }
  });

  it('a refusal (200 with upgradeErrors) changes nothing and says why', async () => {
    const fabrikam = byName('Fabrikam Inc');
    const out = await runClient(
      sim,
      [
        {
          op: 'createUpgrade',
          customerId: fabrikam.id,
          subscriptionId: 'sub-fabrikam-premium',
          target: CATALOG.O365_E5.name,
          upgradeType: 'upgrade_with_license_transfer',
          ledgerToken: 'ledger-token-fabrikam',
        },
      ],
      fast,
    );
    const outcome = value<CreateUpgradeOutcome>(out.results[0]);
    expect(outcome.outcome).toBe('refused');
    if (outcome.outcome !== 'refused') return;
    expect(outcome.errors.map((e) => upgradeErrorName(e.code))).toContain('concurrency_conflicts');
    expect((await sim.stats()).upgradesApplied).toBe(0);
    expect(await sim.customer(fabrikam.id)).toEqual(fabrikam);
  });

  it('a refusal sent as a 400 error body is a refusal too', async () => {
    await sim.config({ refusalStyle: 'error' });
    const fabricam = byName('Fabricam Ltd');
    const out = await runClient(
      sim,
      [
        {
          op: 'createUpgrade',
          customerId: fabricam.id,
          subscriptionId: 'sub-fabricam-essentials',
          target: e3,
          upgradeType: 'upgrade_with_license_transfer',
          ledgerToken: 'ledger-token-fabricam',
        },
      ],
      fast,
    );
    const outcome = value<CreateUpgradeOutcome>(out.results[0]);
    expect(outcome).toMatchObject({ outcome: 'refused', errors: [{ code: 1 }] });
    expect((await sim.stats()).upgradesApplied).toBe(0);
  });
});

describe('credentials', () => {
  const list = { op: 'listSubscriptions', customerId: contoso.id } as const;
  const expireTokens = { op: 'control', method: 'POST', path: '/_sim/tokens/expire' } as const;

  it('a token Partner Center rejects is renewed once, without the caller noticing', async () => {
    const out = await runClient(sim, [list, expireTokens, list], fast);
    expect(out.results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(out.counters['tokenRenewals']).toBe(1);
    const stats = await sim.stats();
    expect(stats.byRoute['POST token']?.['200']).toBe(2);
    expect(stats.byRoute['GET subscriptions']).toMatchObject({ '200': 2, '401': 1 });
  });

  it('calls waiting behind the one that renewed the token use the new one', async () => {
    const upgrades = (subscriptionId: string) =>
      ({ op: 'getUpgrades', customerId: contoso.id, subscriptionId }) as const;
    const six = ['sub-contoso-essentials', 'sub-contoso-exchange', 'sub-contoso-e3-2019'].flatMap((id) => [
      upgrades(id),
      upgrades(id),
    ]);
    // One start a second: the renewal (milliseconds) is over before the next call leaves the queue.
    const out = await runClient(sim, [list, expireTokens, { op: 'parallel', steps: six }], {
      ...fast,
      requestsPerMinute: 60,
      reservedForLive: 10,
    });
    expect(out.results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(out.counters['tokenRenewals']).toBe(1);
    const stats = await sim.stats();
    expect(stats.byRoute['POST token']?.['200']).toBe(2);
    expect(stats.byRoute['GET upgrades']).toEqual({ received: 7, '200': 6, '401': 1 });
  });

  it('an expired client secret is a clear error, and is not retried', async () => {
    const out = await runClient(
      sim,
      [
        list,
        { op: 'control', method: 'POST', path: '/_sim/credentials', body: { secretState: 'expired' } },
        expireTokens,
        list,
      ],
      fast,
    );
    expect(out.results[0]?.ok).toBe(true);
    const failed = out.results[3];
    expect(failed?.ok).toBe(false);
    if (failed?.ok !== false) return;
    expect(failed.error.name).toBe('PartnerCenterAuthError');
    expect(failed.error.message).toMatch(/client secret has expired/);
    expect(failed.error.message).toContain('AADSTS7000222');
    expect(failed.error.message).toContain(sim.ready.clientId);
    const stats = await sim.stats();
    expect(stats.byRoute['POST token']).toEqual({ received: 2, '200': 1, '401': 1 });
  });

  it('a wrong or revoked secret is a clear error before any Partner Center call', async () => {
    const out = await runClient(sim, [list], fast, 'not-the-secret');
    const failed = out.results[0];
    expect(failed?.ok).toBe(false);
    if (failed?.ok !== false) return;
    expect(failed.error.name).toBe('PartnerCenterAuthError');
    expect(failed.error.message).toMatch(/client secret is wrong or was removed/);
    expect(failed.error.message).toContain('AADSTS7000215');
    expect(out.counters['attempts']).toBe(0);
  });
});
