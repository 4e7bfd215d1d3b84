/**
 * The Partner Center sync: every customer of the system of record copied into the store, at start and then
 * every period, so that the bot answers from the store. One replica syncs at a time (a lease in the shared
 * store, renewed on a timer while the sync runs); a replica refused the lease tries again soon after it runs
 * out, so that a holder that died does not cost a whole period. A customer absent from a complete listing is
 * removed, unless a refresh read it after the listing began; a customer listed but unreadable keeps its last
 * data; a listing that failed or stopped part way removes nothing, and a failed sync keeps the last good data
 * (an empty listing counts as failed: it would remove everyone). The outcome is kept in the shared key-value
 * store, so that every replica reports the same freshness.
 */
import type { CustomerFeed } from './customer-feed.js';
import type { CustomerRepository } from './customers.js';
import type { LeaseStore } from './leases.js';
import type { KeyValueStore } from './state.js';
import type { DirectorySource, RefreshResult, SyncStatus } from './system-of-record.js';
import type { Customer } from '../rules/index.js';

export const SYNC_LEASE = 'partner-center-sync';
/** The shared key-value store's key of the sync status (lastSuccessAt, lastFailureAt, lastError). */
export const SYNC_STATUS_KEY = 'partner-center-sync/status';

export type SyncEvent =
  | {
      readonly kind: 'synced';
      readonly customers: number;
      readonly removed: number;
      /** Customers listed whose details could not be read: they keep their last stored data. */
      readonly unreadable: number;
      readonly durationMs: number;
    }
  | { readonly kind: 'failed'; readonly error: unknown; readonly durationMs: number }
  /**
   * Another replica holds the lease (`another-replica`), or took it over part way because this sync could not
   * renew it in time (`lease-lost`): neither is the system of record failing.
   */
  | { readonly kind: 'skipped'; readonly reason: 'another-replica' | 'lease-lost' }
  | { readonly kind: 'unreadable'; readonly customerId: string; readonly reason: string }
  | { readonly kind: 'refreshed'; readonly customerId: string };

/** What one full sync did. */
export type SyncReport = Exclude<SyncEvent, { readonly kind: 'refreshed' | 'unreadable' }>;

export interface DirectorySyncDeps {
  readonly feed: CustomerFeed;
  readonly customers: CustomerRepository;
  save(customer: Customer): Promise<void>;
  remove(customerId: string): Promise<boolean>;
  readonly leases: LeaseStore;
  readonly state: KeyValueStore;
  readonly periodMinutes: number;
  /** This replica's name in the lease (unique per process). */
  readonly holder: string;
  readonly now?: () => Date;
  readonly onEvent?: (event: SyncEvent) => void;
  /**
   * How long the lease is taken for at a time (default 5 minutes); renewed every third of it while a sync
   * runs, and after every page.
   */
  readonly leaseMs?: number;
  /** How long `stop()` waits for a running sync (default 10 s). */
  readonly stopTimeoutMs?: number;
}

interface StoredStatus {
  readonly lastSuccessAt?: string;
  readonly lastFailureAt?: string;
  readonly lastError?: string;
}

/** How long `status()` answers from memory: a turn does not read the store each time. */
const STATUS_CACHE_MS = 2000;
/** After a lease held by another replica runs out, how long before trying again (its holder's clock may differ). */
const RETRY_AFTER_LEASE_MS = 1000;

/** This sync's lease was taken over by another replica: it stops, and that one's sync carries on. */
class LeaseLostError extends Error {}

export class DirectorySync implements DirectorySource {
  readonly kind = 'partner-center' as const;
  private readonly now: () => Date;
  private readonly periodMs: number;
  private readonly leaseMs: number;
  /** When no sync ever succeeded, freshness counts from here: a fresh start is not stale at once. */
  private readonly startedAt: Date;
  private running: Promise<SyncReport> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The try after a lease held by another replica runs out. */
  private retry: NodeJS.Timeout | undefined;
  private stopping = false;
  private cached: { readonly status: SyncStatus; readonly at: number } | undefined;

  constructor(private readonly deps: DirectorySyncDeps) {
    if (!(deps.periodMinutes > 0)) throw new Error('The sync period must be above 0 minutes');
    this.now = deps.now ?? (() => new Date());
    this.periodMs = deps.periodMinutes * 60_000;
    this.leaseMs = deps.leaseMs ?? 5 * 60_000;
    this.startedAt = this.now();
  }

  /** A sync now, then one every period (a sync still running then is not started twice). */
  start(): void {
    if (this.timer !== undefined || this.stopping) return;
    this.timer = setInterval(() => void this.syncAll(), this.periodMs);
    this.timer.unref();
    void this.syncAll();
  }

  /** No more syncs; a running one stops after its current page, waited for a bounded time. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    clearTimeout(this.retry);
    this.retry = undefined;
    const running = this.running;
    if (running === undefined) return;
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      running.then(() => undefined),
      new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, this.deps.stopTimeoutMs ?? 10_000);
        timeout.unref();
      }),
    ]);
    clearTimeout(timeout);
  }

  /** One full sync (joining the one running in this process, if any). Never rejects: the report says. */
  syncAll(): Promise<SyncReport> {
    if (this.running !== undefined) return this.running;
    const run = this.run().finally(() => {
      this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /** Reads one customer again now and stores it, or removes it when the system of record no longer has it. */
  async refresh(customerId: string): Promise<RefreshResult> {
    const customer = await this.deps.feed.customer(customerId);
    if (customer === undefined) {
      await this.deps.remove(customerId);
      return { kind: 'removed' };
    }
    const stored = this.withSyncedAt(customer);
    await this.deps.save(stored);
    this.deps.onEvent?.({ kind: 'refreshed', customerId });
    return { kind: 'refreshed', customer: stored };
  }

  async status(): Promise<SyncStatus> {
    const at = this.now().getTime();
    if (this.cached !== undefined && at - this.cached.at < STATUS_CACHE_MS) return this.cached.status;
    const stored = await this.readStatus();
    const lastGood = stored.lastSuccessAt === undefined ? this.startedAt : new Date(stored.lastSuccessAt);
    const status: SyncStatus = {
      source: 'partner-center',
      periodMinutes: this.deps.periodMinutes,
      ...stored,
      stale: at - lastGood.getTime() > 2 * this.periodMs,
    };
    this.cached = { status, at };
    return status;
  }

  private async run(): Promise<SyncReport> {
    const started = this.now();
    const holder = this.deps.holder;
    const report = (event: SyncReport): SyncReport => {
      this.deps.onEvent?.(event);
      return event;
    };
    try {
      if (!(await this.deps.leases.acquire(SYNC_LEASE, holder, this.leaseUntil(), started))) {
        await this.retryAfterLease(started);
        return report({ kind: 'skipped', reason: 'another-replica' });
      }
    } catch (error) {
      return report(await this.failed(error, started));
    }
    const renewal = this.renewWhileRunning();
    try {
      const seen = new Set<string>();
      const unreadable = new Set<string>();
      for await (const page of this.deps.feed.pages()) {
        for (const customer of page.customers) {
          await this.deps.save(this.withSyncedAt(customer));
          seen.add(customer.id);
        }
        for (const { customerId, reason } of page.unreadable) {
          unreadable.add(customerId);
          this.deps.onEvent?.({ kind: 'unreadable', customerId, reason });
        }
        if (this.stopping) throw new Error('the sync was stopped before the listing was complete');
        if (!(await this.deps.leases.acquire(SYNC_LEASE, holder, this.leaseUntil(), this.now()))) {
          throw new LeaseLostError();
        }
      }
      const stored = await this.deps.customers.names();
      // Far likelier a fault of the listing (or of the partner's access) than every customer gone at once.
      if (seen.size + unreadable.size === 0 && stored.length > 0) {
        throw new Error('Partner Center listed no customers; the last good data is kept');
      }
      if (seen.size === 0 && unreadable.size > 0) {
        throw new Error(
          `Partner Center would not give the subscriptions of any customer it listed (${unreadable.size} listed); the last good data is kept`,
        );
      }
      // The listing is complete: what it did not hold is gone from the system of record, unless a refresh read
      // it after the listing began (that read is newer than the listing).
      let removed = 0;
      for (const { id } of stored) {
        if (seen.has(id) || unreadable.has(id)) continue;
        const syncedAt = (await this.deps.customers.get(id))?.syncedAt;
        if (syncedAt !== undefined && Date.parse(syncedAt) > started.getTime()) continue;
        if (await this.deps.remove(id)) removed++;
      }
      const finished = this.now();
      await this.writeStatus({ lastSuccessAt: finished.toISOString() });
      return report({
        kind: 'synced',
        customers: seen.size,
        removed,
        unreadable: unreadable.size,
        durationMs: finished.getTime() - started.getTime(),
      });
    } catch (error) {
      if (error instanceof LeaseLostError) return report({ kind: 'skipped', reason: 'lease-lost' });
      return report(await this.failed(error, started));
    } finally {
      // The renewals end before the release, so that none takes the lease again after it.
      await renewal.stop();
      await this.deps.leases.release(SYNC_LEASE, holder).catch(() => undefined);
    }
  }

  /**
   * Renews the lease every third of its length until stopped: a page slowed by Partner Center's throttling
   * must not let the lease lapse under it. A failed renewal is left to the check after the page.
   */
  private renewWhileRunning(): { stop(): Promise<void> } {
    let pending: Promise<unknown> = Promise.resolve();
    const timer = setInterval(
      () => {
        // One renewal after another, so that `stop()` waits for every one.
        pending = pending
          .then(() => this.deps.leases.acquire(SYNC_LEASE, this.deps.holder, this.leaseUntil(), this.now()))
          .catch(() => undefined);
      },
      Math.max(1, Math.floor(this.leaseMs / 3)),
    );
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await pending;
      },
    };
  }

  /**
   * Refused the lease (at `skippedAt`): tries again soon after it runs out rather than a whole period later
   * (its holder may have died), unless a sync succeeded meanwhile. Only while the periodic syncs run.
   */
  private async retryAfterLease(skippedAt: Date): Promise<void> {
    if (this.timer === undefined || this.stopping) return;
    const until = await this.deps.leases.heldUntil(SYNC_LEASE).catch(() => undefined);
    const delay = Math.max(0, (until?.getTime() ?? 0) - this.now().getTime()) + RETRY_AFTER_LEASE_MS;
    // The period's own sync comes first.
    if (delay >= this.periodMs) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.syncUnlessSyncedSince(skippedAt);
    }, delay);
    this.retry.unref();
  }

  private async syncUnlessSyncedSince(since: Date): Promise<void> {
    const { lastSuccessAt } = await this.readStatus().catch((): StoredStatus => ({}));
    if (lastSuccessAt !== undefined && Date.parse(lastSuccessAt) >= since.getTime()) return;
    if (this.timer !== undefined && !this.stopping) await this.syncAll();
  }

  /**
   * Records the failure (keeping the last success) and gives the report. A sync cut short by `stop()` (a
   * shutdown, a rolling deploy) is not recorded as the data source failing.
   */
  private async failed(error: unknown, started: Date): Promise<SyncReport> {
    const finished = this.now();
    if (this.stopping) return { kind: 'failed', error, durationMs: finished.getTime() - started.getTime() };
    try {
      const previous = await this.readStatus();
      await this.writeStatus({
        ...(previous.lastSuccessAt === undefined ? {} : { lastSuccessAt: previous.lastSuccessAt }),
        lastFailureAt: finished.toISOString(),
        lastError: error instanceof Error ? error.message : String(error),
      });
    } catch {
      // The store is away too: the report still says what failed.
    }
    return { kind: 'failed', error, durationMs: finished.getTime() - started.getTime() };
  }

  private leaseUntil(): Date {
    return new Date(this.now().getTime() + this.leaseMs);
  }

  private withSyncedAt(customer: Customer): Customer {
    return customer.syncedAt === undefined ? { ...customer, syncedAt: this.now().toISOString() } : customer;
  }

  private async readStatus(): Promise<StoredStatus> {
    const stored = (await this.deps.state.read([SYNC_STATUS_KEY]))[SYNC_STATUS_KEY]?.value;
    if (stored === null || typeof stored !== 'object') return {};
    const { lastSuccessAt, lastFailureAt, lastError } = stored as Record<string, unknown>;
    return {
      ...(typeof lastSuccessAt === 'string' ? { lastSuccessAt } : {}),
      ...(typeof lastFailureAt === 'string' ? { lastFailureAt } : {}),
      ...(typeof lastError === 'string' ? { lastError } : {}),
    };
  }

  private async writeStatus(status: StoredStatus): Promise<void> {
    await this.deps.state.write([{ key: SYNC_STATUS_KEY, value: status, eTag: '*' }]);
    this.cached = undefined;
  }
}
