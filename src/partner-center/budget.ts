/**
 * The request budget of one partner tenant (Partner Center publishes 500 requests a minute per tenant for
 * customers and subscriptions) and the concurrency, with Bottleneck. Two lanes:
 *
 * - `live`: what a person waits for (the re-check of one subscription before an upgrade, the upgrade itself):
 *   the whole budget, ahead of bulk work;
 * - `bulk`: listings and syncs: a smaller budget of its own (the whole one less `reservedForLive`), chained
 *   to the tenant's, so that a sync never takes the requests kept for live checks.
 *
 * Every attempt, retries included, spends one request: that is what Partner Center counts.
 */
import Bottleneck from 'bottleneck';

export type Lane = 'live' | 'bulk';

export interface BudgetOptions {
  /** Requests a minute for the tenant; default 500. */
  readonly requestsPerMinute?: number;
  /** Of those, kept for the live lane; default 100. */
  readonly reservedForLive?: number;
  /** Requests in flight at once; default 8. */
  readonly maxConcurrent?: number;
  /** The length of the budget's window; default one minute (shorter in tests). */
  readonly windowMs?: number;
}

const LIVE_PRIORITY = 1;
const BULK_PRIORITY = 5;

export class RequestBudget {
  private readonly tenant: Bottleneck;
  private readonly bulk: Bottleneck;

  constructor(options: BudgetOptions = {}) {
    const perWindow = options.requestsPerMinute ?? 500;
    const reserved = Math.min(options.reservedForLive ?? 100, perWindow - 1);
    const maxConcurrent = options.maxConcurrent ?? 8;
    const windowMs = options.windowMs ?? 60_000;
    if (!(perWindow >= 1) || reserved < 0 || maxConcurrent < 1) {
      throw new Error('requestsPerMinute and maxConcurrent must be 1 or more, reservedForLive 0 or more');
    }
    this.tenant = new Bottleneck({
      maxConcurrent,
      reservoir: perWindow,
      reservoirRefreshAmount: perWindow,
      reservoirRefreshInterval: windowMs,
    });
    const bulkPerWindow = perWindow - reserved;
    this.bulk = new Bottleneck({
      maxConcurrent,
      reservoir: bulkPerWindow,
      reservoirRefreshAmount: bulkPerWindow,
      reservoirRefreshInterval: windowMs,
    });
    this.bulk.chain(this.tenant);
  }

  /** Runs `task` when the lane's budget and the concurrency allow. */
  schedule<T>(lane: Lane, task: () => Promise<T>): Promise<T> {
    return lane === 'live'
      ? this.tenant.schedule({ priority: LIVE_PRIORITY }, task)
      : this.bulk.schedule({ priority: BULK_PRIORITY }, task);
  }

  /** Refuses new work, drops what waits, and resolves when what runs has finished. */
  async stop(): Promise<void> {
    // Both at once: the bulk lane's running jobs are the ones waiting in the tenant's queue.
    await Promise.all([
      this.bulk.stop({ dropWaitingJobs: true }),
      this.tenant.stop({ dropWaitingJobs: true }),
    ]);
  }
}
