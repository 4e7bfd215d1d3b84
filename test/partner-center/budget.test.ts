/**
 * The request budget, on a fake clock: no sliding window holds more starts than the budget, bulk work never
 * takes what is kept for live checks, and no more requests run at once than allowed.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { RequestBudget, spacing } from '../../src/partner-center/budget.js';

const MINUTE = 60_000;
let budget: RequestBudget | undefined;
const starts: { lane: string; at: number }[] = [];
const releases: (() => void)[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  starts.length = 0;
});
afterEach(async () => {
  releases.splice(0).forEach((release) => release());
  const stopped = budget?.stop();
  await vi.runOnlyPendingTimersAsync();
  await stopped;
  vi.useRealTimers();
});

/** Schedules `n` tasks; each ends at once, or (held) only when the test ends. */
function flood(b: RequestBudget, lane: 'bulk' | 'live', n: number, held = false): void {
  for (let i = 0; i < n; i++) {
    b.schedule(lane, () => {
      starts.push({ lane, at: Date.now() });
      return held ? new Promise<void>((resolve) => releases.push(resolve)) : Promise.resolve();
    }).catch(() => undefined);
  }
}

/** The most starts of `lane` (all lanes if undefined) in any window of `windowMs`. */
function busiestWindow(windowMs: number, lane?: string): number {
  const times = starts.filter((s) => lane === undefined || s.lane === lane).map((s) => s.at);
  let most = 0;
  for (const [i, t] of times.entries()) {
    most = Math.max(most, times.slice(i).filter((u) => u < t + windowMs).length);
  }
  return most;
}

it('spaces the starts so that no minute, wherever it begins, holds more than the budget', () => {
  expect(spacing(MINUTE, 500)).toBe(121);
  expect(Math.floor(MINUTE / spacing(MINUTE, 500)) + 1).toBeLessThanOrEqual(500);
});

it('bulk work keeps to the budget less the reserve; live checks get the rest, ahead of bulk work', async () => {
  budget = new RequestBudget({
    requestsPerMinute: 20,
    reservedForLive: 8,
    maxConcurrent: 100,
    windowMs: MINUTE,
  });
  flood(budget, 'bulk', 200);
  await vi.advanceTimersByTimeAsync(3 * MINUTE);
  const bulkAlone = starts.length;
  expect(busiestWindow(MINUTE, 'bulk')).toBeLessThanOrEqual(12);
  expect(bulkAlone).toBeGreaterThanOrEqual(3 * 11);

  flood(budget, 'live', 200);
  await vi.advanceTimersByTimeAsync(10 * MINUTE);
  expect(busiestWindow(MINUTE)).toBeLessThanOrEqual(20);
  expect(busiestWindow(MINUTE, 'bulk')).toBeLessThanOrEqual(12);
  // Live checks are ahead in the queue: they take the tenant's budget while they wait.
  const live = starts.filter((s) => s.lane === 'live').length;
  expect(live).toBeGreaterThanOrEqual(10 * 19 - 12);
});

it('no more requests at once than maxConcurrent, across lanes', async () => {
  budget = new RequestBudget({
    requestsPerMinute: 600,
    reservedForLive: 100,
    maxConcurrent: 3,
    windowMs: MINUTE,
  });
  flood(budget, 'bulk', 5, true);
  flood(budget, 'live', 5, true);
  await vi.advanceTimersByTimeAsync(MINUTE);
  expect(starts).toHaveLength(3);
  // A finished request frees its place.
  releases.shift()?.();
  await vi.advanceTimersByTimeAsync(MINUTE);
  expect(starts).toHaveLength(4);
});
