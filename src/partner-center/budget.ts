/**
 * The request budget of one partner tenant (Partner Center publishes 500 requests a minute per tenant for
 * customers and subscriptions) and the concurrency, with Bottleneck. Requests are spread evenly (one every
 * window / budget), so that no sliding minute holds more than the budget, whenever Partner Center's own
 * window starts. Two lanes:
 *
 * - `live`: what a person waits for (the re-check of one subscription before an upgrade, the upgrade itself):
 *   the whole budget, ahead of bulk work in the queue;
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
  /** The length of the budget's window; default one minute. */
  readonly windowMs?: number;
}

const LIVE_PRIORITY = 1;
const BULK_PRIORITY = 5;

export class RequestBudget {
  private readonly tenant: Bottleneck;
  private readonly bulk: Bottleneck;

  constructor(options: BudgetOptions = {}) {
    const perWindow = options.requestsPerMinute ?? 500;
    const reserved = options.reservedForLive ?? 100;
    const maxConcurrent = options.maxConcurrent ?? 8;
    const windowMs = options.windowMs ?? 60_000;
    if (
      !Number.isInteger(perWindow) ||
      perWindow < 2 ||
      !Number.isInteger(maxConcurrent) ||
      maxConcurrent < 1
    ) {
      throw new Error('requestsPerMinute must be 2 or more and maxConcurrent 1 or more');
    }
    if (!Number.isInteger(reserved) || reserved < 0 || reserved > perWindow - 2) {
      throw new Error('reservedForLive must be 0 or more and leave at least 2 requests to bulk work');
    }
    this.tenant = new Bottleneck({ maxConcurrent, minTime: spacing(windowMs, perWindow) });
    this.bulk = new Bottleneck({ maxConcurrent, minTime: spacing(windowMs, perWindow - reserved) });
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

/** The time between two starts so that any window of `windowMs`, wherever it begins, holds at most `n` starts. */
export function spacing(windowMs: number, n: number): number {
  return Math.ceil(windowMs / (n - 1));
}
