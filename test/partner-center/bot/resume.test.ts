/**
 * The bot is killed (SIGKILL) after Partner Center applied its upgrade POST and before the answer came back;
 * restarted on the same data, it resumes the claim: it finds the target subscription in Partner Center and
 * records the upgrade done, without a second upgrade. Killed before its POST reached Partner Center, it POSTs
 * again on the restart, with the same MS-RequestId.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../scripts/partner-center-sim/start.js';
import { loadDemoDirectory } from '../../../src/directory/load.js';
import { upgradeRequestId } from '../../../src/partner-center/index.js';
import type { Customer } from '../../../src/rules/index.js';
import { ScriptedChannel } from '../../hardening/support.js';
import { kill, press, review, startReplica, stopAll, waitUntil } from '../../support/child-bots.js';
import { ledgerEntry, newDataDir, partnerCenterEnv, startSyncedBot } from './support.js';

vi.setConfig({ testTimeout: 180_000 });

const demo = loadDemoDirectory();
const contoso = demo.customers.find((c) => c.companyProfile.companyName === 'Contoso Ltd')!;
const adatum = demo.customers.find((c) => c.companyProfile.companyName === 'A. Datum Corporation')!;
// A short lease, so that the restarted bot resumes the claim within the test (the gateway gives up on Partner
// Center at half of it: long enough for a restarted process's first sign-in).
const timings = { UPGRADE_LEASE_SECONDS: '6', UPGRADE_RETRY_DELAY_SECONDS: '1' };
const channel = new ScriptedChannel();
let serviceUrl = '';
let sim: RunningSimulator;

beforeAll(async () => {
  serviceUrl = await channel.start();
  sim = await startSimulator({ rateLimitPerMinute: 0 });
}, 120_000);
afterAll(async () => {
  await stopAll();
  await sim?.stop();
  await channel.close();
});

it('SIGKILL between the POST and its answer, then a restart: one upgrade, and the ledger says done', async () => {
  const dataDir = newDataDir();
  const first = await startSyncedBot(sim, dataDir, demo.customers.length, timings);
  const token = await review(first, serviceUrl, {
    customerId: contoso.id,
    subscriptionId: 'sub-contoso-essentials',
    target: 'O365_E3',
    seats: 40,
  });
  await sim.resetStats();
  await sim.faults([{ method: 'POST', path: '/upgrades$', action: 'hang-after-apply', times: 1 }]);
  const pressed = press(first, serviceUrl, token);
  await waitUntil(
    'Partner Center applied the upgrade',
    async () => (await sim.stats()).upgradesApplied === 1,
    {
      timeoutMs: 30_000,
    },
  );
  await kill(first);
  await pressed; // "in progress", or no answer: the process is gone
  expect(ledgerEntry(dataDir, token)?.status).toBe('executing');

  await sim.clearFaults();
  // Real Partner Center suspends the source of an upgrade (the simulator marks it deleted).
  const applied = (await sim.customer(contoso.id)) as Customer;
  await sim.replaceCustomer({
    ...applied,
    subscriptions: applied.subscriptions.map((s) =>
      s.id === 'sub-contoso-essentials' ? { ...s, status: 'suspended' } : s,
    ),
  });
  await startReplica(partnerCenterEnv(sim, { DATA_DIR: dataDir, ...timings }));
  await waitUntil('the resumed upgrade recorded', () => ledgerEntry(dataDir, token)?.status !== 'executing', {
    timeoutMs: 60_000,
  });
  const entry = ledgerEntry(dataDir, token)!;
  expect(entry.status).toBe('done');
  const stats = await sim.stats();
  expect(stats.upgradesApplied).toBe(1);
  // The resumption found the new subscription in Partner Center: no second POST at all.
  expect(stats.upgradeRequestIds).toHaveLength(1);
  const now = (await sim.customer(contoso.id)) as Customer;
  const e3 = now.subscriptions.filter((s) => s.offerId === 'O365_E3' && s.status === 'active');
  expect(e3).toHaveLength(1);
  expect(entry.newSubscriptionId).toBe(e3[0]!.id);
});

it('SIGKILL before the POST reached Partner Center, then a restart: POSTed again with the same MS-RequestId, one upgrade, done', async () => {
  await stopAll();
  const dataDir = newDataDir();
  const first = await startSyncedBot(sim, dataDir, demo.customers.length, timings);
  const token = await review(first, serviceUrl, {
    customerId: adatum.id,
    subscriptionId: 'sub-adatum-essentials',
    target: 'O365_E3',
    seats: 320,
  });
  await sim.resetStats();
  // The POST is received and never carried out nor answered.
  await sim.faults([{ method: 'POST', path: '/upgrades$', action: 'hang', times: 1 }]);
  const pressed = press(first, serviceUrl, token);
  await waitUntil('the POST sent', async () => (await sim.stats()).upgradeRequestIds.length === 1, {
    timeoutMs: 30_000,
  });
  await kill(first);
  await pressed;
  expect(ledgerEntry(dataDir, token)?.status).toBe('executing');
  expect((await sim.stats()).upgradesApplied).toBe(0);

  await sim.clearFaults();
  await startReplica(partnerCenterEnv(sim, { DATA_DIR: dataDir, ...timings }));
  await waitUntil('the resumed upgrade recorded', () => ledgerEntry(dataDir, token)?.status !== 'executing', {
    timeoutMs: 60_000,
  });
  const entry = ledgerEntry(dataDir, token)!;
  expect(entry.status).toBe('done');
  const stats = await sim.stats();
  expect(stats.upgradesApplied).toBe(1);
  expect(stats.upgradeRequestIds).toEqual([upgradeRequestId(token), upgradeRequestId(token)]);
  const now = (await sim.customer(adatum.id)) as Customer;
  const e3 = now.subscriptions.filter((s) => s.offerId === 'O365_E3' && s.status === 'active');
  expect(e3).toHaveLength(1);
  expect(entry.newSubscriptionId).toBe(e3[0]!.id);
});
