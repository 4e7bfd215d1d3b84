/**
 * The in-process part of the scale benchmark, for one directory size, in its own process (run by bench/run.ts):
 * `tsx bench/scale.ts --size N --directory FILE --result FILE [--quick] [--candidates K]`.
 *
 * Builds the scale directory (bench/directory-file.ts) and writes it to FILE for the app's DIRECTORY_FILE,
 * then times, with the app's own modules and no HTTP:
 * - customer lookup (`CustomerIndex.resolve` and `findMention`, bench/lookup.ts);
 * - one customer's eligibility: the rules (`evaluateCustomer`) and the whole answer (`eligibilityAnswer`:
 *   rules, explanations and card data, no card templating);
 * - the fleet question for E5: the rules (`customersEligibleFor`) and the whole answer (`fleetAnswer`).
 * With `--candidates K`, lists up to K subscriptions that can be upgraded (one per generated customer), for the
 * review → confirm load of the HTTP benchmark.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { eligibilityAnswer } from '../src/bot/answers/eligibility.js';
import { fleetAnswer } from '../src/bot/answers/fleet.js';
import { Wording } from '../src/bot/i18n.js';
import {
  customersEligibleFor,
  evaluateCustomer,
  evaluateSubscription,
  type Customer,
  type OfferId,
} from '../src/rules/index.js';
import { scaleDirectory, writeDirectoryFile } from './directory-file.js';
import { FULL_LOOKUP, measureLookup, timings, type LookupMeasure, type Timings } from './lookup.js';
import { median, prng } from './stats.js';

const FLEET_TARGET: OfferId = 'O365_E5';

export interface UpgradeCandidate {
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly target: OfferId;
  readonly seats: number;
}

export interface ScaleMeasure {
  readonly size: number;
  readonly generateMs: number;
  readonly lookup: LookupMeasure;
  /** `evaluateCustomer`, per customer. */
  readonly evaluate: Timings;
  /** `eligibilityAnswer`, per customer. */
  readonly answer: Timings;
  /** `customersEligibleFor(all, E5)`: median and slowest of the runs. */
  readonly fleetRules: { readonly median: number; readonly max: number; readonly runs: number };
  readonly fleetAnswer: { readonly median: number; readonly max: number; readonly runs: number };
  readonly fleetEligible: number;
  readonly candidates: readonly UpgradeCandidate[];
}

/** Times `run` on each item in `rounds` rounds (after one warm-up pass). */
function perItem<T>(items: readonly T[], rounds: number, run: (item: T) => unknown): Timings {
  for (const item of items) run(item);
  const all: number[][] = [];
  for (let r = 0; r < rounds; r++) {
    all.push(
      items.map((item) => {
        const t = performance.now();
        run(item);
        return performance.now() - t;
      }),
    );
  }
  return timings(all);
}

function repeated(runs: number, run: () => unknown): { median: number; max: number; runs: number } {
  run(); // warm-up
  const times = Array.from({ length: runs }, () => {
    const t = performance.now();
    run();
    return performance.now() - t;
  });
  return { median: median(times), max: Math.max(...times), runs };
}

async function repeatedAsync(
  runs: number,
  run: () => Promise<unknown>,
): Promise<{ median: number; max: number; runs: number }> {
  await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return { median: median(times), max: Math.max(...times), runs };
}

/** The customers as a repository hands them over: a page at a time. */
async function* inPages(customers: readonly Customer[]): AsyncIterable<readonly Customer[]> {
  for (let i = 0; i < customers.length; i += 500) yield customers.slice(i, i + 500);
}

function upgradeCandidates(customers: readonly Customer[], from: number, max: number): UpgradeCandidate[] {
  const found: UpgradeCandidate[] = [];
  for (let i = from; i < customers.length && found.length < max; i++) {
    const customer = customers[i] as Customer;
    for (const subscription of customer.subscriptions) {
      const target = evaluateSubscription(customer, subscription).eligibleTargets[0];
      if (target !== undefined) {
        found.push({
          customerId: customer.id,
          subscriptionId: subscription.id,
          target,
          seats: subscription.quantity,
        });
        break; // one per customer: an upgrade may change what the customer's other subscriptions can do
      }
    }
  }
  return found;
}

async function measureScale(
  size: number,
  options: { quick: boolean; directoryFile?: string; candidates?: number },
): Promise<ScaleMeasure> {
  const t = performance.now();
  const { customers, demoCount, partner } = scaleDirectory(size);
  const generateMs = performance.now() - t;
  if (options.directoryFile !== undefined) writeDirectoryFile(options.directoryFile, { partner, customers });

  const lookup = await measureLookup(
    customers,
    demoCount,
    options.quick ? { queries: 500, mentions: 300, warmUp: 100, rounds: 2 } : FULL_LOOKUP,
  );

  const random = prng(11);
  const sample = Array.from(
    { length: options.quick ? 300 : 1000 },
    () => customers[Math.floor(random() * customers.length)] as Customer,
  );
  const rounds = options.quick ? 2 : 3;
  const evaluate = perItem(sample, rounds, (c) => evaluateCustomer(c));
  const tr = new Wording().for('en-US');
  const answer = perItem(sample, rounds, (c) => eligibilityAnswer(tr, c));

  const runs = options.quick ? 3 : size >= 100_000 ? 5 : 10;
  let fleetEligible = 0;
  const fleetRules = repeated(runs, () => {
    fleetEligible = customersEligibleFor(customers, FLEET_TARGET).eligible.length;
  });
  const fleet = await repeatedAsync(runs, () => fleetAnswer(tr, inPages(customers), FLEET_TARGET));

  return {
    size,
    generateMs,
    lookup,
    evaluate,
    answer,
    fleetRules,
    fleetAnswer: fleet,
    fleetEligible,
    candidates: upgradeCandidates(customers, demoCount, options.candidates ?? 0),
  };
}

const { values } = parseArgs({
  options: {
    size: { type: 'string' },
    directory: { type: 'string' },
    result: { type: 'string' },
    quick: { type: 'boolean', default: false },
    candidates: { type: 'string' },
  },
});
if (values.size !== undefined && values.result !== undefined) {
  const measure = await measureScale(Number(values.size), {
    quick: values.quick === true,
    ...(values.directory === undefined ? {} : { directoryFile: values.directory }),
    ...(values.candidates === undefined ? {} : { candidates: Number(values.candidates) }),
  });
  writeFileSync(values.result, JSON.stringify(measure));
}
