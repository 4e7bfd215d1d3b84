/**
 * The request budget: the bulk lane never spends what is kept for live checks, and no more requests run at
 * once than allowed. The window is an hour, so the budget never refills during a test.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { RequestBudget } from '../../src/partner-center/budget.js';

const HOUR = 3_600_000;
let budget: RequestBudget | undefined;
const releases: (() => void)[] = [];

afterEach(async () => {
  releases.splice(0).forEach((release) => release());
  await budget?.stop();
});

/** Schedules `n` tasks that run until the test ends; returns how many have started. */
function flood(b: RequestBudget, lane: 'bulk' | 'live', n: number): () => number {
  let started = 0;
  for (let i = 0; i < n; i++) {
    b.schedule(lane, () => {
      started++;
      return new Promise<void>((resolve) => releases.push(resolve));
    }).catch(() => undefined);
  }
  return () => started;
}

/** Lets the limiter run whatever it would run (Bottleneck schedules on timers). */
const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));

it('bulk work stops at the budget less the reserve; live checks still get the reserve', async () => {
  budget = new RequestBudget({
    requestsPerMinute: 10,
    reservedForLive: 4,
    maxConcurrent: 100,
    windowMs: HOUR,
  });
  const bulk = flood(budget, 'bulk', 20);
  await vi.waitFor(() => expect(bulk()).toBe(6));
  await pause();
  expect(bulk()).toBe(6);

  const live = flood(budget, 'live', 5);
  await vi.waitFor(() => expect(live()).toBe(4));
  await pause();
  expect(live()).toBe(4);
  expect(bulk()).toBe(6);
});

it('no more requests at once than maxConcurrent, across lanes', async () => {
  budget = new RequestBudget({
    requestsPerMinute: 100,
    reservedForLive: 10,
    maxConcurrent: 3,
    windowMs: HOUR,
  });
  const bulk = flood(budget, 'bulk', 5);
  const live = flood(budget, 'live', 5);
  await vi.waitFor(() => expect(bulk() + live()).toBe(3));
  await pause();
  expect(bulk() + live()).toBe(3);
  // A finished request frees its place.
  releases.shift()?.();
  await vi.waitFor(() => expect(bulk() + live()).toBe(4));
});
