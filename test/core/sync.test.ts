/**
 * The directory sync over a fake in-memory feed and a real SQLite store: full syncs, removal only after a
 * complete listing (never of a customer listed but unreadable, or refreshed after the listing began, nor of
 * everyone on an empty listing), failures that keep the data and mark the status, staleness by a fake clock,
 * one replica syncing at a time (the lease renewed while a page is slow, lost without failing, retried soon
 * after a dead holder's lease runs out), refresh of one customer, and stop.
 */
import { describe, expect, it, vi } from 'vitest';
import type { CustomerFeed, FeedPage } from '../../src/core/customer-feed.js';
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

/**
 * A feed serving `pages`; `failAfter` pages then throws; `gate` holds the first page until it resolves;
 * `unreadable` customers are listed, unread, with the last page.
 */
class FakeFeed implements CustomerFeed {
  reads = 0;
  unreadable: string[] = [];
  constructor(
    public pagesToServe: Customer[][],
    public failAfter?: number,
    public gate?: Promise<void>,
  ) {}

  async *pages(): AsyncIterable<FeedPage> {
    this.reads++;
    let served = 0;
    for (const page of this.pagesToServe) {
      if (this.gate !== undefined) await this.gate;
      if (this.failAfter !== undefined && served >= this.failAfter) {
        throw new SystemOfRecordUnavailableError('Partner Center: no answer after 7 attempts');
      }
      served++;
      const last = served === this.pagesToServe.length;
      yield {
        customers: page,
        unreadable: last ? this.unreadable.map((customerId) => ({ customerId, reason: 'HTTP 404' })) : [],
      };
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
  options: { dataDir?: string; holder?: string; clock?: { now: Date }; leaseMs?: number } = {},
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
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
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
    expect(await sync.syncAll()).toEqual({
      kind: 'synced',
      customers: 3,
      removed: 0,
      unreadable: 0,
      durationMs: 0,
    });
    expect(await ids(store)).toEqual(['a', 'b', 'c']);
    expect(await store.customers.get('c')).toEqual({ ...customer('c'), syncedAt: T0.toISOString() });
    expect(events).toEqual([{ kind: 'synced', customers: 3, removed: 0, unreadable: 0, durationMs: 0 }]);
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

  it('a customer listed but unreadable keeps its last data and is counted; the listing still removes the others', async () => {
    const feed = new FakeFeed([
      [customer('a'), customer('b')],
      [customer('c'), customer('d')],
    ]);
    const { store, sync, clock, events } = setup(feed);
    await sync.syncAll();
    const b = await store.customers.get('b');

    // b could not be read (deleted since the listing, or out of reach), d is gone.
    feed.pagesToServe = [[customer('a', 20)], [customer('c')]];
    feed.unreadable = ['b'];
    clock.now = minutes(10);
    expect(await sync.syncAll()).toEqual({
      kind: 'synced',
      customers: 2,
      removed: 1,
      unreadable: 1,
      durationMs: 0,
    });
    expect(await ids(store)).toEqual(['a', 'b', 'c']);
    expect(await store.customers.get('b')).toEqual(b);
    expect(events).toContainEqual({ kind: 'unreadable', customerId: 'b', reason: 'HTTP 404' });
    expect((await sync.status()).lastSuccessAt).toBe(minutes(10).toISOString());
  });

  it('an empty listing removes nobody: a failed sync, the last good data kept (also when none could be read); on an empty store it is a sync', async () => {
    const feed = new FakeFeed([[customer('a'), customer('b')]]);
    const { store, sync, clock } = setup(feed);
    await sync.syncAll();

    feed.pagesToServe = [[]];
    clock.now = minutes(10);
    const failed = await sync.syncAll();
    expect(failed).toMatchObject({ kind: 'failed' });
    expect(failed.kind === 'failed' && (failed.error as Error).message).toBe(
      'Partner Center listed no customers; the last good data is kept',
    );
    expect(await ids(store)).toEqual(['a', 'b']);
    expect(await sync.status()).toMatchObject({
      lastSuccessAt: T0.toISOString(),
      lastFailureAt: minutes(10).toISOString(),
      lastError: 'Partner Center listed no customers; the last good data is kept',
    });

    // Removing some stays normal.
    feed.pagesToServe = [[customer('a')]];
    expect(await sync.syncAll()).toMatchObject({ kind: 'synced', removed: 1 });

    // Every customer listed but none readable (the partner's access to their subscriptions withdrawn, say).
    feed.pagesToServe = [[]];
    feed.unreadable = ['a'];
    expect(await sync.syncAll()).toMatchObject({ kind: 'failed' });
    expect((await sync.status()).lastError).toBe(
      'Partner Center would not give the subscriptions of any customer it listed (1 listed); the last good data is kept',
    );
    expect(await ids(store)).toEqual(['a']);

    const empty = setup(new FakeFeed([[]]));
    expect(await empty.sync.syncAll()).toMatchObject({ kind: 'synced', customers: 0, removed: 0 });
  });

  it('a customer refreshed after the listing began is not removed when the listing ends without it', async () => {
    const feed = new FakeFeed([[customer('a'), customer('b')]]);
    const { store, sync, clock } = setup(feed);
    await sync.syncAll();

    let open!: () => void;
    feed.gate = new Promise<void>((resolve) => (open = resolve));
    feed.pagesToServe = [[customer('a')], [customer('c')]];
    clock.now = minutes(10);
    const running = sync.syncAll();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // "refresh b" while the listing runs: Partner Center has it now (newer than the listing).
    clock.now = minutes(11);
    feed.customer = async (id) => (id === 'b' ? customer('b', 30) : undefined);
    await sync.refresh('b');
    open();
    expect(await running).toMatchObject({ kind: 'synced', customers: 2, removed: 0 });
    expect(await store.customers.get('b')).toEqual({
      ...customer('b', 30),
      syncedAt: minutes(11).toISOString(),
    });
  });

  it('renews the lease while a page is slow, so that another replica does not start a second sync', async () => {
    const dataDir = tempDir();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const first = setup(new FakeFeed([[customer('a')]], undefined, gate), { dataDir, leaseMs: 300 });
    const secondFeed = new FakeFeed([[customer('z')]]);
    const second = setup(secondFeed, { dataDir, holder: 'replica-2', clock: first.clock });

    const running = first.sync.syncAll();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The page takes longer than the lease: only the renewals while it waits keep it.
    first.clock.now = new Date(T0.getTime() + 1000);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await second.sync.syncAll()).toEqual({ kind: 'skipped', reason: 'another-replica' });
    expect(secondFeed.reads).toBe(0);
    open();
    expect(await running).toMatchObject({ kind: 'synced', customers: 1 });
    expect(await first.sync.status()).not.toHaveProperty('lastError');
  });

  it('a lease lost part way stops the sync without recording a failure of Partner Center', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const feed = new FakeFeed([[customer('a')], [customer('b')]], undefined, gate);
    const { store, sync, clock, events } = setup(feed);
    const running = sync.syncAll();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The lease (5 minutes) lapsed and another replica took it.
    clock.now = minutes(6);
    expect(await store.leases.acquire('partner-center-sync', 'replica-2', minutes(11), minutes(6))).toBe(
      true,
    );
    open();
    expect(await running).toEqual({ kind: 'skipped', reason: 'lease-lost' });
    expect(events).toEqual([{ kind: 'skipped', reason: 'lease-lost' }]);
    const status = await sync.status();
    expect(status).not.toHaveProperty('lastError');
    expect(status).not.toHaveProperty('lastFailureAt');
    // The other replica's lease is left to it.
    expect(await store.leases.acquire('partner-center-sync', 'replica-3', minutes(12), minutes(7))).toBe(
      false,
    );
  });

  it('refused the lease of a replica that died, it syncs soon after that lease runs out, not a period later', async () => {
    const { store, sync, clock, events } = setup(new FakeFeed([[customer('a')]]));
    // A replica killed mid-sync left its lease behind, until 200 ms after T0.
    const leaseEnd = new Date(T0.getTime() + 200);
    expect(await store.leases.acquire('partner-center-sync', 'dead-replica', leaseEnd, T0)).toBe(true);
    sync.start();
    try {
      await vi.waitFor(() => expect(events).toEqual([{ kind: 'skipped', reason: 'another-replica' }]));
      clock.now = new Date(T0.getTime() + 500);
      await vi.waitFor(() => expect(events.at(-1)).toMatchObject({ kind: 'synced', customers: 1 }), {
        timeout: 4000,
      });
      expect(await ids(store)).toEqual(['a']);
    } finally {
      await sync.stop();
    }
  });

  it('after the retry, a sync another replica finished meanwhile is not done again', async () => {
    const dataDir = tempDir();
    const firstFeed = new FakeFeed([[customer('a')]]);
    const first = setup(firstFeed, { dataDir });
    const second = setup(new FakeFeed([[customer('a')]]), {
      dataDir,
      holder: 'replica-2',
      clock: first.clock,
    });
    const leaseEnd = new Date(T0.getTime() + 200);
    expect(await first.store.leases.acquire('partner-center-sync', 'replica-2', leaseEnd, T0)).toBe(true);
    first.sync.start();
    try {
      await vi.waitFor(() => expect(first.events).toEqual([{ kind: 'skipped', reason: 'another-replica' }]));
      // The holder finishes its sync (later than the skip), then the retry comes.
      first.clock.now = new Date(T0.getTime() + 500);
      expect(await second.sync.syncAll()).toMatchObject({ kind: 'synced' });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(firstFeed.reads).toBe(0);
      expect(first.events).toEqual([{ kind: 'skipped', reason: 'another-replica' }]);
    } finally {
      await first.sync.stop();
    }
  });
});
