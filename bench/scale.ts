/**
 * The in-process part of the scale benchmark, for one directory size, in its own process (run by bench/run.ts):
 * `tsx bench/scale.ts --size N --directory FILE --result FILE [--quick] [--candidates K]`.
 *
 * Builds the scale directory (bench/directory-file.ts) and writes it to FILE for the app's DIRECTORY_FILE,
 * then times, with the app's own modules and no HTTP:
 * - customer lookup (`CustomerIndex.resolve` and `findMention`, bench/lookup.ts);
 * - one customer's eligibility: the rules (`evaluateCustomer`) and the whole answer (`eligibilityAnswer`:
 *   rules, explanations and card data, no card templating);
 * - the fleet question for E5: the rules (`customersEligibleFor`) and the whole answer (`fleetAnswer`), counted
 *   again for each question, and from the aggregates per target kept up to date (`FleetIndex`: its build once,
 *   then each answer, and the update after a customer changes);
 * - eligibility turns (`eligibilityAnswer`, one every 2 ms) while fleet questions run four at a time: their p99
 *   from when each was due, with no fleet load, with the aggregates, and with a count of the whole directory.
 * With `--candidates K`, lists up to K subscriptions that can be upgraded (one per generated customer), for the
 * review → confirm load of the HTTP benchmark.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { eligibilityAnswer } from '../src/bot/answers/eligibility.js';
import { fleetAnswer } from '../src/bot/answers/fleet.js';
import { FleetIndex } from '../src/bot/fleet-index.js';
import { Wording, type Translator } from '../src/bot/i18n.js';
import type { CustomerChange, CustomerRepository } from '../src/core/customers.js';
import { customersEligibleFor, evaluateCustomer, type Customer, type OfferId } from '../src/rules/index.js';
import {
  scaleDirectory,
  upgradeCandidates,
  writeDirectoryFile,
  type UpgradeCandidate,
} from './directory-file.js';
import { FULL_LOOKUP, measureLookup, timings, type LookupMeasure, type Timings } from './lookup.js';
import { median, prng, summarize } from './stats.js';

type Summary = ReturnType<typeof summarize>;

const FLEET_TARGET: OfferId = 'O365_E5';

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
  /** The aggregates per target (`FleetIndex`): built once, then each fleet answer, and one customer's update. */
  readonly fleetIndex: {
    readonly buildMs: number;
    readonly answer: { readonly median: number; readonly max: number; readonly runs: number };
    readonly updateMs: number;
  };
  /** Eligibility turns, latency from when each was due: alone, under fleet load from the index, from a scan. */
  readonly eligibilityUnderFleet: {
    readonly alone: Summary;
    readonly fleetIndex: Summary;
    readonly fleetScan: Summary;
  };
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

/** The customers as a repository (in memory), with a change notice the benchmark can send. */
function memoryRepository(customers: Customer[]): CustomerRepository & { change(c: Customer): void } {
  const byId = new Map(customers.map((c) => [c.id, c]));
  const listeners = new Set<(change: CustomerChange) => void>();
  return {
    info: { partnerName: 'bench' },
    get: (id) => Promise.resolve(byId.get(id)),
    pages: () => inPages(customers),
    names: () => Promise.resolve(customers),
    count: () => Promise.resolve(customers.length),
    onChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    change(c) {
      byId.set(c.id, c);
      for (const l of listeners) l({ kind: 'upserted', customer: c });
    },
  };
}

/**
 * Eligibility turns due every `everyMs` for `durationMs`, each answered as soon as the event loop lets it,
 * while `load` runs `concurrency` at a time in a loop: the latency of each turn from when it was due.
 */
async function eligibilityLatency(
  tr: Translator,
  sample: readonly Customer[],
  load: (() => Promise<unknown>) | undefined,
  options: { durationMs: number; everyMs: number; concurrency: number },
): Promise<Summary> {
  let running = true;
  const loops =
    load === undefined
      ? []
      : Array.from({ length: options.concurrency }, async () => {
          // Each question is a turn of its own, as over HTTP: the loop yields to the event loop in between.
          while (running) {
            await load();
            await new Promise((r) => setImmediate(r));
          }
        });
  const latencies: number[] = [];
  const start = performance.now();
  const turns: Promise<void>[] = [];
  for (let i = 0; ; i++) {
    const due = start + i * options.everyMs;
    if (due - start > options.durationMs) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    turns.push(
      new Promise<void>((resolve) =>
        setImmediate(() => {
          eligibilityAnswer(tr, sample[i % sample.length] as Customer);
          latencies.push(Math.max(0, performance.now() - due));
          resolve();
        }),
      ),
    );
  }
  await Promise.all(turns);
  running = false;
  await Promise.all(loops);
  return summarize(latencies);
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

  // The aggregates per target: built once, then every fleet answer reads them.
  const repository = memoryRepository(customers);
  const index = new FleetIndex(repository);
  const buildStart = performance.now();
  await index.warm();
  const buildMs = performance.now() - buildStart;
  const indexAnswer = await repeatedAsync(runs * 5, () => fleetAnswer(tr, index, FLEET_TARGET));
  const changed = customers[customers.length - 1] as Customer;
  const updateStart = performance.now();
  repository.change({ ...changed, subscriptions: changed.subscriptions.slice(1) });
  await index.answer(FLEET_TARGET, { offset: 0, limit: 10 });
  const updateMs = performance.now() - updateStart;

  const load = { durationMs: options.quick ? 1500 : 5000, everyMs: 2, concurrency: 4 };
  const eligibilityUnderFleet = {
    alone: await eligibilityLatency(tr, sample, undefined, load),
    fleetIndex: await eligibilityLatency(tr, sample, () => fleetAnswer(tr, index, FLEET_TARGET), load),
    fleetScan: await eligibilityLatency(
      tr,
      sample,
      () => fleetAnswer(tr, inPages(customers), FLEET_TARGET),
      load,
    ),
  };
  index.close();

  return {
    size,
    generateMs,
    lookup,
    evaluate,
    answer,
    fleetRules,
    fleetAnswer: fleet,
    fleetEligible,
    fleetIndex: { buildMs, answer: indexAnswer, updateMs },
    eligibilityUnderFleet,
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
