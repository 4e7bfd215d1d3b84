/**
 * The bot is killed (SIGKILL) after Partner Center applied its upgrade POST and before the answer came back;
 * restarted on the same data, it resumes the claim: it finds the target subscription in Partner Center and
 * records the upgrade done, without a second upgrade.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../scripts/partner-center-sim/start.js';
import { loadDemoDirectory } from '../../../src/directory/load.js';
import type { Customer } from '../../../src/rules/index.js';
import { ScriptedChannel } from '../../hardening/support.js';
import { kill, press, review, startReplica, stopAll, waitUntil } from '../../support/child-bots.js';
import { ledgerEntry, newDataDir, partnerCenterEnv, startSyncedBot } from './support.js';

vi.setConfig({ testTimeout: 180_000 });

const demo = loadDemoDirectory();
const contoso = demo.customers.find((c) => c.companyProfile.companyName === 'Contoso Ltd')!;
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
  // A short lease, so that the restarted bot resumes the claim within the test.
  const timings = { UPGRADE_LEASE_SECONDS: '3', UPGRADE_RETRY_DELAY_SECONDS: '1' };
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
  await startReplica(partnerCenterEnv(sim, { DATA_DIR: dataDir, ...timings }));
  await waitUntil('the resumed upgrade recorded', () => ledgerEntry(dataDir, token)?.status === 'done', {
    timeoutMs: 60_000,
  });
  const entry = ledgerEntry(dataDir, token)!;
  const stats = await sim.stats();
  expect(stats.upgradesApplied).toBe(1);
  // The resumption found the new subscription in Partner Center: no second POST at all.
  expect(stats.upgradeRequestIds).toHaveLength(1);
  const now = (await sim.customer(contoso.id)) as Customer;
  const e3 = now.subscriptions.filter((s) => s.offerId === 'O365_E3' && s.status === 'active');
  expect(e3).toHaveLength(1);
  expect(entry.newSubscriptionId).toBe(e3[0]!.id);
});
