/**
 * The directory sync over a fake in-memory feed and a real SQLite store: full syncs, removal only after a
 * complete listing, failures that keep the data and mark the status, staleness by a fake clock, one replica
 * syncing at a time, refresh of one customer, and stop.
 */
import { describe, expect, it } from 'vitest';
import type { CustomerFeed } from '../../src/core/customer-feed.js';
import { DirectorySync, type SyncEvent } from '../../src/core/sync.js';
import { SystemOfRecordUnavailableError } from '../../src/core/system-of-record.js';
import type { Customer } from '../../src/rules/index.js';
import type { Store } from '../../src/storage/store.js';
import { open, tempDir } from '../storage/support.js';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const PERIOD_MINUTES = 10;

function customer(id: string, quantity = 10): Customer {
  return {
    id,
    companyProfile: { companyName: `Company ${id}`, domain: `${id}.onmicrosoft.com` },
    delegatedAdmin: 'unknown',
    subscriptions: [{ id: `${id}-sub`, offerId: 'O365_E1', quantity, status: 'active', channel: 'partner' }],
  };
}

/** A feed serving `pages`; `failAfter` pages then throws; `gate` holds the first page until it resolves. */
class FakeFeed implements CustomerFeed {
  reads = 0;
  constructor(
    public pagesToServe: Customer[][],
    public failAfter?: number,
    public gate?: Promise<void>,
  ) {}

  async *pages(): AsyncIterable<readonly Customer[]> {
    this.reads++;
    let served = 0;
    for (const page of this.pagesToServe) {
      if (this.gate !== undefined) await this.gate;
      if (this.failAfter !== undefined && served >= this.failAfter) {
        throw new SystemOfRecordUnavailableError('Partner Center: no answer after 7 attempts');
      }
      served++;
      yield page;
    }
  }

  async customer(customerId: string): Promise<Customer | undefined> {
    return this.pagesToServe.flat().find((c) => c.id === customerId);
  }
}

interface Setup {
  readonly store: Store;
  readonly sync: DirectorySync;
  readonly events: SyncEvent[];
  readonly clock: { now: Date };
}

function setup(
  feed: CustomerFeed,
  options: { dataDir?: string; holder?: string; clock?: { now: Date } } = {},
): Setup {
  const clock = options.clock ?? { now: T0 };
  const store = open(options.dataDir ?? tempDir(), {
    seed: { partner: { name: 'Test CSP' }, customers: [] },
  });
  const events: SyncEvent[] = [];
  const sync = new DirectorySync({
    feed,
    customers: store.customers,
    save: async (c) => store.directory.saveCustomer(c),
    remove: async (id) => store.directory.removeCustomer(id),
    leases: store.leases,
    state: store.state,
    periodMinutes: PERIOD_MINUTES,
    holder: options.holder ?? 'replica-1',
    now: () => clock.now,
    onEvent: (event) => events.push(event),
  });
  return { store, sync, events, clock };
}

async function ids(store: Store): Promise<string[]> {
  return (await store.customers.names()).map((c) => c.id).sort();
}

const minutes = (n: number): Date => new Date(T0.getTime() + n * 60_000);

describe('DirectorySync', () => {
  it('a full sync stores every customer of every page, with when it was read, and says so in the status', async () => {
    const feed = new FakeFeed([[customer('a'), customer('b')], [customer('c')]]);
    const { store, sync, events } = setup(feed);
    expect(await sync.syncAll()).toEqual({ kind: 'synced', customers: 3, removed: 0, durationMs: 0 });
    expect(await ids(store)).toEqual(['a', 'b', 'c']);
    expect(await store.customers.get('c')).toEqual({ ...customer('c'), syncedAt: T0.toISOString() });
    expect(events).toEqual([{ kind: 'synced', customers: 3, removed: 0, durationMs: 0 }]);
    expect(await sync.status()).toEqual({
      source: 'partner-center',
      periodMinutes: PERIOD_MINUTES,
      lastSuccessAt: T0.toISOString(),
      stale: false,
    });
    // The lease was given back: another replica may sync at once.
    expect(await store.leases.acquire('partner-center-sync', 'replica-2', minutes(5), T0)).toBe(true);
  });

  it('removes customers only after a complete listing, never after a failed one', async () => {
    const feed = new FakeFeed([[customer('a'), customer('b')], [customer('c')]]);
    const { store, sync, clock } = setup(feed);
    await sync.syncAll();

    // c is gone and b changed, but the listing fails after its first page: b is saved, nothing is removed.
    feed.pagesToServe = [[customer('a'), customer('b', 20)], [customer('d')]];
    feed.failAfter = 1;
    clock.now = minutes(10);
    const failed = await sync.syncAll();
    expect(failed).toMatchObject({ kind: 'failed', error: expect.any(SystemOfRecordUnavailableError) });
    expect(await ids(store)).toEqual(['a', 'b', 'c']);
    expect((await store.customers.get('b'))?.subscriptions[0]?.quantity).toBe(20);

    feed.failAfter = undefined;
    clock.now = minutes(20);
    expect(await sync.syncAll()).toMatchObject({ kind: 'synced', customers: 3, removed: 1 });
    expect(await ids(store)).toEqual(['a', 'b', 'd']);
  });

  it('a failed sync keeps the last good data and marks the status; the next success clears the error', async () => {
    const feed = new FakeFeed([[customer('a')]]);
    const { store, sync, clock, events } = setup(feed);
    await sync.syncAll();
    const before = await store.customers.get('a');

    feed.failAfter = 0;
    clock.now = minutes(10);
    expect(await sync.syncAll()).toMatchObject({ kind: 'failed' });
    expect(await store.customers.get('a')).toEqual(before);
    expect(await sync.status()).toEqual({
      source: 'partner-center',
      periodMinutes: PERIOD_MINUTES,
      lastSuccessAt: T0.toISOString(),
      lastFailureAt: minutes(10).toISOString(),
      lastError: 'Partner Center: no answer after 7 attempts',
      stale: false,
    });
    expect(events.map((e) => e.kind)).toEqual(['synced', 'failed']);

    feed.failAfter = undefined;
    clock.now = minutes(20);
    await sync.syncAll();
    expect(await sync.status()).toEqual({
      source: 'partner-center',
      periodMinutes: PERIOD_MINUTES,
      lastSuccessAt: minutes(20).toISOString(),
      stale: false,
    });
  });

  it('is stale after two periods without a success, counted from the start when none ever succeeded', async () => {
    const feed = new FakeFeed([[customer('a')]], 0);
    const { sync, clock } = setup(feed);
    expect((await sync.status()).stale).toBe(false);
    await sync.syncAll();
    clock.now = minutes(2 * PERIOD_MINUTES);
    expect((await sync.status()).stale).toBe(false);
    clock.now = minutes(2 * PERIOD_MINUTES + 1);
    expect((await sync.status()).stale).toBe(true);

    // A success (at 21 minutes) makes it fresh again, for two periods.
    feed.failAfter = undefined;
    await sync.syncAll();
    expect((await sync.status()).stale).toBe(false);
    clock.now = minutes(4 * PERIOD_MINUTES + 1);
    expect((await sync.status()).stale).toBe(false);
    clock.now = minutes(4 * PERIOD_MINUTES + 2);
    expect((await sync.status()).stale).toBe(true);
  });

  it('two replicas sharing one store: only the lease holder syncs, and both report its freshness', async () => {
    const dataDir = tempDir();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const first = setup(new FakeFeed([[customer('a')], [customer('b')]], undefined, gate), {
      dataDir,
      holder: 'replica-1',
    });
    const secondFeed = new FakeFeed([[customer('z')]]);
    const second = setup(secondFeed, { dataDir, holder: 'replica-2', clock: first.clock });

    const running = first.sync.syncAll();
    // The first one holds the lease while it waits for its feed.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await second.sync.syncAll()).toEqual({ kind: 'skipped', reason: 'another-replica' });
    expect(second.events).toEqual([{ kind: 'skipped', reason: 'another-replica' }]);
    expect(secondFeed.reads).toBe(0);
    // In this process, a second call joins the running sync.
    expect(first.sync.syncAll()).toBe(running);
    open();
    expect(await running).toMatchObject({ kind: 'synced', customers: 2 });
    expect(await ids(second.store)).toEqual(['a', 'b']);
    expect(await second.sync.status()).toMatchObject({ lastSuccessAt: T0.toISOString(), stale: false });
    // Once released, the other replica syncs.
    expect(await second.sync.syncAll()).toMatchObject({ kind: 'synced', customers: 1, removed: 2 });
  });

  it('refresh reads one customer again: stored with when it was read, or removed when gone', async () => {
    const feed = new FakeFeed([[customer('a'), customer('b')]]);
    const { store, sync, clock, events } = setup(feed);
    await sync.syncAll();
    feed.pagesToServe = [[customer('a', 99)]];
    clock.now = minutes(3);
    const refreshed = await sync.refresh('a');
    expect(refreshed).toEqual({
      kind: 'refreshed',
      customer: { ...customer('a', 99), syncedAt: minutes(3).toISOString() },
    });
    expect(await store.customers.get('a')).toEqual({
      ...customer('a', 99),
      syncedAt: minutes(3).toISOString(),
    });
    expect(await sync.refresh('b')).toEqual({ kind: 'removed' });
    expect(await ids(store)).toEqual(['a']);
    expect(events.at(-1)).toEqual({ kind: 'refreshed', customerId: 'a' });
    feed.customer = async () => {
      throw new SystemOfRecordUnavailableError('down');
    };
    await expect(sync.refresh('a')).rejects.toBeInstanceOf(SystemOfRecordUnavailableError);
  });

  it('stop() ends a running sync after its page, removes nothing, and releases the lease', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const feed = new FakeFeed([[customer('a')], [customer('b')]]);
    const { store, sync } = setup(feed);
    await sync.syncAll();
    feed.pagesToServe = [[customer('a')], [customer('c')]];
    feed.gate = gate;
    const running = sync.syncAll();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stopped = sync.stop();
    open();
    await stopped;
    expect(await running).toMatchObject({ kind: 'failed' });
    expect(await ids(store)).toEqual(['a', 'b']);
    // Not recorded as Partner Center failing.
    expect((await sync.status()).lastError).toBeUndefined();
    expect(await store.leases.acquire('partner-center-sync', 'replica-2', minutes(5), T0)).toBe(true);
  });
});
