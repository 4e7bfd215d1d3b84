/**
 * STAND-IN (branch pc-wire): the real DirectorySync (leases, one replica at a time, status shared through the
 * store) comes from the sync helper's branch at merge. This one keeps the constructor and the methods the
 * composition root and the tests use, and does a plain sync in this process.
 */
import type { CustomerFeed } from './customer-feed.js';
import type { CustomerRepository } from './customers.js';
import type { KeyValueStore } from './state.js';
import type { DirectorySource, RefreshResult, SyncStatus } from './system-of-record.js';
import type { Customer } from '../rules/index.js';

/** Who syncs now, among the replicas (stand-in shape). */
export interface SyncLeases {
  acquire(name: string, holder: string, ms: number): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
}

export type SyncEvent =
  | {
      readonly kind: 'synced';
      readonly customers: number;
      readonly removed: number;
      readonly durationMs: number;
    }
  | { readonly kind: 'failed'; readonly error: unknown; readonly durationMs: number }
  | { readonly kind: 'skipped'; readonly holder?: string }
  | { readonly kind: 'refreshed'; readonly customerId: string; readonly removed: boolean };

export interface DirectorySyncOptions {
  readonly feed: CustomerFeed;
  readonly customers: CustomerRepository;
  readonly save: (customer: Customer) => Promise<void>;
  readonly remove: (customerId: string) => Promise<unknown>;
  readonly leases: SyncLeases;
  readonly state: KeyValueStore;
  readonly periodMinutes: number;
  readonly holder: string;
  readonly now?: () => Date;
  readonly onEvent?: (event: SyncEvent) => void;
}

export class DirectorySync implements DirectorySource {
  readonly kind = 'partner-center' as const;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastSuccessAt: string | undefined;
  private lastFailureAt: string | undefined;
  private lastError: string | undefined;
  private readonly startedAt: Date;

  constructor(private readonly options: DirectorySyncOptions) {
    this.startedAt = this.now();
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.running = this.syncAll();
    this.timer = setInterval(() => {
      this.running ??= this.syncAll().finally(() => (this.running = undefined));
    }, this.options.periodMinutes * 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  async syncAll(): Promise<void> {
    const started = Date.now();
    try {
      const seen = new Set<string>();
      const syncedAt = this.now().toISOString();
      for await (const page of this.options.feed.pages()) {
        for (const customer of page) {
          seen.add(customer.id);
          await this.options.save({ ...customer, syncedAt });
        }
      }
      let removed = 0;
      for (const { id } of await this.options.customers.names()) {
        if (seen.has(id)) continue;
        await this.options.remove(id);
        removed += 1;
      }
      this.lastSuccessAt = this.now().toISOString();
      this.lastFailureAt = this.lastError = undefined;
      this.options.onEvent?.({
        kind: 'synced',
        customers: seen.size,
        removed,
        durationMs: Date.now() - started,
      });
    } catch (error) {
      this.lastFailureAt = this.now().toISOString();
      this.lastError = error instanceof Error ? error.message : String(error);
      this.options.onEvent?.({ kind: 'failed', error, durationMs: Date.now() - started });
    }
  }

  async refresh(customerId: string): Promise<RefreshResult> {
    const customer = await this.options.feed.customer(customerId);
    if (customer === undefined) {
      await this.options.remove(customerId);
      this.options.onEvent?.({ kind: 'refreshed', customerId, removed: true });
      return { kind: 'removed' };
    }
    const synced = { ...customer, syncedAt: this.now().toISOString() };
    await this.options.save(synced);
    this.options.onEvent?.({ kind: 'refreshed', customerId, removed: false });
    return { kind: 'refreshed', customer: synced };
  }

  async status(): Promise<SyncStatus> {
    const since = this.lastSuccessAt === undefined ? this.startedAt : new Date(this.lastSuccessAt);
    const stale = this.now().getTime() - since.getTime() > 2 * this.options.periodMinutes * 60_000;
    return {
      source: 'partner-center',
      periodMinutes: this.options.periodMinutes,
      ...(this.lastSuccessAt === undefined ? {} : { lastSuccessAt: this.lastSuccessAt }),
      ...(this.lastFailureAt === undefined ? {} : { lastFailureAt: this.lastFailureAt }),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      stale,
    };
  }
}
