/**
 * The bot syncs 5,000 customers from the simulator across pages, through two 429s (with Retry-After) and a 500:
 * every customer is in the bot's store, with its subscriptions. The number of calls and the time at Partner
 * Center's budget are measured by `npm run bench` (docs/benchmarks.md), not here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../scripts/partner-center-sim/start.js';
import { generateCustomers } from '../../support/generate-customers.js';
import { stopAll } from '../../support/child-bots.js';
import { newDataDir, startSyncedBot } from './support.js';

const COUNT = 5000;
const customers = generateCustomers(COUNT, 21);

vi.setConfig({ testTimeout: 300_000 });

let sim: RunningSimulator;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pc-bot-5000-'));
  const file = join(dir, 'directory.json');
  writeFileSync(file, JSON.stringify({ partner: { name: 'Simulated partner' }, customers }));
  sim = await startSimulator({ directory: file, rateLimitPerMinute: 0, stateDir: dir });
}, 120_000);
afterAll(async () => {
  await stopAll();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('syncs 5,000 customers through 429s and a 500: every customer and subscription is stored', async () => {
  await sim.faults([
    {
      method: 'GET',
      path: '^/v1/customers$',
      action: 'status',
      status: 429,
      retryAfterSeconds: 1,
      skip: 3,
      times: 2,
    },
    { method: 'GET', path: '/subscriptions$', action: 'status', status: 500, skip: 100, times: 1 },
  ]);
  const dataDir = newDataDir();
  // The test lifts the request budget (the simulator's limit is off): the 429s come from the faults.
  await startSyncedBot(sim, dataDir, COUNT, { PARTNER_CENTER_REQUESTS_PER_MINUTE: '100000' });
  const stats = await sim.stats();
  expect(stats.byRoute['GET customers']?.['fault:status']).toBe(2);
  expect(stats.byRoute['GET subscriptions']?.['fault:status']).toBe(1);

  const db = new Database(join(dataDir, 'upgrade-assistant.db'), { readonly: true });
  try {
    const stored = new Map(
      (db.prepare('SELECT id, document FROM customers').all() as { id: string; document: string }[]).map(
        (r) => [
          r.id,
          JSON.parse(r.document) as {
            subscriptions: { id: string }[];
            otherSubscriptions?: { id: string }[];
          },
        ],
      ),
    );
    expect(stored.size).toBe(COUNT);
    for (const c of customers) {
      const got = stored.get(c.id);
      expect(got, c.companyProfile.companyName).toBeDefined();
      const partnerIds = c.subscriptions
        .filter((s) => s.channel === 'partner')
        .map((s) => s.id)
        .sort();
      const gotIds = [...got!.subscriptions, ...(got!.otherSubscriptions ?? [])].map((s) => s.id).sort();
      expect(gotIds).toEqual(expect.arrayContaining(partnerIds));
    }
  } finally {
    db.close();
  }
});
