/** The upgrade service on two replicas sharing one database, on both engines: exactly once, and resumption. */
import { describe, expect, it } from 'vitest';
import type { UpgradeGateway } from '../../src/core/gateway.js';
import type { Actor } from '../../src/core/ledger.js';
import { UpgradeService, type UpgradeTimings } from '../../src/core/upgrades.js';
import { BOB, CONTOSO_ID, contosoRequest, e3Subscriptions } from '../storage/support.js';
import { engines, type Stores } from './engines.js';

const START = new Date('2025-03-01T10:00:00.000Z');
const TIMINGS: UpgradeTimings = {
  leaseMs: 60_000,
  lifetimeMs: 3_600_000,
  retryDelayMs: 3_600_000,
  maxAttempts: 3,
};

function order(token: string) {
  const { requestedAt: _at, ...request } = contosoRequest(token);
  return request;
}

function service(stores: Stores, now: () => Date, gateway: UpgradeGateway = stores.gateway): UpgradeService {
  return new UpgradeService({
    customers: stores.customers,
    ledger: stores.ledger,
    gateway,
    timings: TIMINGS,
    now,
  });
}

describe.each(engines())('upgrade service on two replicas, $name', (engine) => {
  it('20 confirms of one token split between two replicas: one done, 19 already, one upgrade', async () => {
    const now = () => START;
    const a = await engine.open({ poolSize: 4 });
    const b = await a.another({ poolSize: 4 });
    const replicas = [service(a, now), service(b, now)];
    await replicas[0]!.request(order('tok-1'));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const clicker: Actor = { id: `clicker-${i}` };
        return replicas[i % 2]!.confirm('tok-1', clicker);
      }),
    );
    const kinds = results.map((r) => r.kind);
    expect(kinds.filter((k) => k === 'done')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'already')).toHaveLength(19);
    expect(await a.scalar("SELECT count(*) FROM upgrade_ledger WHERE status = 'done'")).toBe(1);
    expect(await a.scalar('SELECT count(*) FROM executions')).toBe(1);
    // Read through a connection of its own: each replica's cache follows the other's writes only when it looks
    // (every CACHE_REFRESH_SECONDS), and both read Contoso before their claims.
    const fresh = await a.another();
    expect(e3Subscriptions(await fresh.customers.get(CONTOSO_ID))).toHaveLength(1);
    const events = (await a.events('tok-1')).map((e) => e.what);
    expect(events.filter((w) => w === 'claimed')).toHaveLength(1);
    expect(events.filter((w) => w === 'done')).toHaveLength(1);
  });

  it('a replica that made the change but lost the answer: the other resumes after the lease, once', async () => {
    let now = START;
    const clock = () => now;
    const a = await engine.open();
    const b = await a.another();
    // Replica A's gateway makes the change, then its answer is lost (the replica dies before recording it).
    const lost: UpgradeGateway = {
      system: 'embedded',
      judgesEligibility: false,
      async execute(o, key) {
        await a.gateway.execute(o, key);
        throw new Error('socket hang up');
      },
    };
    const replicaA = service(a, clock, lost);
    const replicaB = service(b, clock);
    await replicaA.request(order('tok-1'));
    const first = await replicaA.confirm('tok-1', BOB);
    expect(first.kind).not.toBe('done');
    expect((await b.ledger.get('tok-1'))?.status).toBe('executing');
    // Within the lease, B leaves it alone; after, B takes it over and runs the same key again.
    expect(await replicaB.resume()).toBe(0);
    now = new Date(START.getTime() + TIMINGS.leaseMs + 1);
    expect(await replicaB.resume()).toBe(1);
    const entry = await b.ledger.get('tok-1');
    expect(entry).toMatchObject({ status: 'done', attempts: 2 });
    expect(await b.scalar('SELECT count(*) FROM executions')).toBe(1);
    expect(e3Subscriptions(await b.customers.get(CONTOSO_ID)).map((s) => s.id)).toEqual([
      entry?.newSubscriptionId,
    ]);
  });
});
