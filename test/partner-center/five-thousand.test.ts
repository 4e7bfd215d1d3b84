/**
 * 5,000 customers through the simulator, with throttling and a server error injected on the way: every
 * customer comes back once, in order, and every call is accounted for on both sides.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../scripts/partner-center-sim/start.js';
import { generateCustomers } from '../support/generate-customers.js';
import { runClient, value } from './support/run-client.js';

const COUNT = 5000;
const PAGE = 100;
const customers = generateCustomers(COUNT, 14);

vi.setConfig({ testTimeout: 180_000 });

let sim: RunningSimulator;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pc-5000-'));
  const file = join(dir, 'directory.json');
  writeFileSync(file, JSON.stringify({ partner: { name: 'Simulated partner' }, customers }));
  sim = await startSimulator({ directory: file, rateLimitPerMinute: 0, stateDir: dir });
  expect(sim.ready.customers).toBe(COUNT);
}, 120_000);
afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const fast = { minDelayMs: 10, maxDelayMs: 100, timeoutMs: 10_000, pageSize: PAGE };

it('lists 5,000 customers across 50 pages through two 429s and a 500: every customer, once, in order', async () => {
  await sim.faults([
    {
      method: 'GET',
      path: '^/v1/customers$',
      action: 'status',
      status: 429,
      retryAfterSeconds: 1,
      skip: 5,
      times: 2,
    },
    { method: 'GET', path: '^/v1/customers$', action: 'status', status: 500, skip: 20, times: 1 },
  ]);
  await sim.resetStats();
  const out = await runClient(sim, [{ op: 'listCustomers' }], fast);
  const ids = value<string[]>(out.results[0]);

  expect(ids).toHaveLength(COUNT);
  expect(ids).toEqual(customers.map((c) => c.id));

  const pages = COUNT / PAGE;
  const stats = await sim.stats();
  expect(stats.byRoute['GET customers']).toEqual({ received: pages + 3, '200': pages, 'fault:status': 3 });
  expect(out.counters).toMatchObject({
    attempts: pages + 3,
    retries: 3,
    throttled: 2,
    retryAfterWaitedMs: 2000,
  });
  console.log(
    `5,000 customers: ${out.counters['attempts']} calls, ${out.stepMs[0]} ms (two 1 s Retry-After waits included)`,
  );
});

it("reads the 5,000 customers' subscriptions too, through 429s and 500s, within the request budget", async () => {
  await sim.faults([
    {
      method: 'GET',
      path: '/subscriptions$',
      action: 'status',
      status: 429,
      retryAfterSeconds: 1,
      skip: 100,
      times: 3,
    },
    { method: 'GET', path: '/subscriptions$', action: 'status', status: 500, skip: 2000, times: 2 },
  ]);
  await sim.resetStats();
  const out = await runClient(sim, [{ op: 'customersWithSubscriptions' }], {
    ...fast,
    requestsPerMinute: 60_000,
    reservedForLive: 1000,
    maxConcurrent: 8,
  });
  const listed = value<{ id: string; subscriptions: string[] }[]>(out.results[0]);

  expect(listed.map((c) => c.id)).toEqual(customers.map((c) => c.id));
  const expected = new Map(
    customers.map((c) => [
      c.id,
      c.subscriptions
        .filter((s) => s.channel === 'partner')
        .flatMap((s) => [s.id, ...(s.addOns ?? []).map((_, i) => `${s.id}-addon-${i + 1}`)]),
    ]),
  );
  for (const c of listed) expect(c.subscriptions, c.id).toEqual(expected.get(c.id));

  const stats = await sim.stats();
  expect(stats.byRoute['GET subscriptions']).toEqual({
    received: COUNT + 5,
    '200': COUNT,
    'fault:status': 5,
  });
  expect(out.counters).toMatchObject({ attempts: COUNT / PAGE + COUNT + 5, retries: 5, throttled: 3 });
  console.log(
    `5,000 customers with subscriptions: ${out.counters['attempts']} calls, ${out.stepMs[0]} ms (three 1 s Retry-After waits included)`,
  );
});
