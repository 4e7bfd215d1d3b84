/**
 * Customer lookup benchmark: `npm run bench:lookup [sizes…]` (default 1000 10000 100000). `measureLookup` is
 * also what the scale part of `npm run bench` (bench/scale.ts) runs.
 *
 * For each size, in a fresh child process (so that RSS is the size's own): the demo directory's customers plus
 * generated ones (bench/directory-file.ts), the time to build the index, then p50/p99/max of `resolve` on names
 * with typos, dropped or changed legal forms and domains, and of `findMention` on en/fr/ja sentences naming
 * them, with the share of lookups whose best candidate is the intended customer.
 *
 * Each query is timed in ROUNDS rounds: "p99" is over every call; "steady p99" is over each query's fastest
 * round, which leaves out garbage-collection pauses and other processes taking the CPU (the load average and
 * the collector's pauses are printed too, to judge how noisy the machine was).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { CustomerIndex } from '../src/directory/customer-index.js';
import type { CustomerName, LookupResult } from '../src/directory/lookup-types.js';
import type { Customer } from '../src/rules/index.js';
import { scaleDirectory } from './directory-file.js';
import { mb, ms, percentile, prng } from './stats.js';

export interface LookupOptions {
  readonly queries: number;
  readonly mentions: number;
  readonly warmUp: number;
  readonly rounds: number;
}

export const FULL_LOOKUP: LookupOptions = { queries: 2000, mentions: 1000, warmUp: 300, rounds: 3 };

/** One typing error: a letter dropped, doubled, replaced or swapped with the next. */
function typo(word: string, random: () => number): string {
  if (word.length < 5) return word;
  const at = 1 + Math.floor(random() * (word.length - 2));
  const kind = Math.floor(random() * 4);
  const letter = 'aeiounrst'[Math.floor(random() * 9)] ?? 'e';
  if (kind === 0) return word.slice(0, at) + word.slice(at + 1);
  if (kind === 1) return word.slice(0, at) + (word[at] ?? '') + word.slice(at);
  if (kind === 2) return word.slice(0, at) + letter + word.slice(at + 1);
  return word.slice(0, at) + (word[at + 1] ?? '') + (word[at] ?? '') + word.slice(at + 2);
}

const LEGAL =
  /\s+(Inc\.?|LLC|Corp|Corporation|Co|Ltd|Limited|PLC|LLP|Pty Ltd|SA|SAS|SARL|GmbH|AG|GmbH & Co\. KG|SL|SpA|Srl|BV|NV|KK|Co\., Ltd\.|Pvt Ltd|Private Limited)$/;

/** How a user might type a customer's name: a typo, no legal form, lower case, or the domain. */
export function queryFor(customer: Customer, random: () => number): string {
  const name = customer.companyProfile.companyName;
  const r = random();
  if (r < 0.1) return customer.companyProfile.domain;
  if (r < 0.2) return name.toLowerCase();
  const bare = name.replace(LEGAL, '');
  const words = bare.split(' ');
  const i = Math.floor(random() * words.length);
  words[i] = typo(words[i] ?? '', random);
  return r < 0.6 ? words.join(' ') : words.join(' ').toLowerCase();
}

const SENTENCES = [
  (n: string) => `can ${n} upgrade?`,
  (n: string) => `is ${n} eligible for an upgrade to E5`,
  (n: string) => `why can't ${n} move to Enterprise E3?`,
  (n: string) => `what upgrades have we done for ${n}?`,
  (n: string) => `Est-ce que ${n} peut passer à E3 ?`,
  (n: string) => `Quelles mises à niveau avons-nous faites pour ${n} ?`,
  (n: string) => `${n}はアップグレードできますか？`,
  (n: string) => `${n}をE5にアップグレードしてください`,
];

export interface Timings {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Over each query's fastest round: without collector pauses and preemption. */
  readonly steadyP50: number;
  readonly steadyP99: number;
}

/** `rounds[r][q]`: the time of query q in round r. */
export function timings(rounds: readonly number[][]): Timings {
  const all = rounds.flat().sort((a, b) => a - b);
  const first = rounds[0] ?? [];
  const steady = first
    .map((_, q) => Math.min(...rounds.map((round) => round[q] ?? Infinity)))
    .sort((a, b) => a - b);
  return {
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    max: all[all.length - 1] ?? NaN,
    steadyP50: percentile(steady, 50),
    steadyP99: percentile(steady, 99),
  };
}

export interface Pauses {
  readonly count: number;
  readonly total: number;
  readonly max: number;
}

/** Pauses of the garbage collector while `run` runs (entries arrive after it, on the event loop). */
export async function gcPauses(run: () => void): Promise<Pauses> {
  const pauses: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push(entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  run();
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return { count: pauses.length, total: pauses.reduce((a, b) => a + b, 0), max: Math.max(0, ...pauses) };
}

function best(result: LookupResult): CustomerName | undefined {
  if (result.kind === 'match') return result.customer;
  if (result.kind === 'ambiguous') return result.candidates[0]?.customer;
  return result.suggestions[0]?.customer;
}

export interface LookupMeasure {
  readonly size: number;
  readonly buildMs: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly resolve: Timings & { readonly intended: number; readonly gc: Pauses };
  readonly resolveKinds: Readonly<Record<LookupResult['kind'], number>>;
  readonly findMention: Timings & { readonly intended: number; readonly gc: Pauses };
}

/**
 * Builds the index of `customers` and times `resolve` and `findMention`; one query in ten is about one of
 * the first `demoCount` customers (the demo names, asked about more often).
 */
export async function measureLookup(
  customers: readonly Customer[],
  demoCount: number,
  options: LookupOptions = FULL_LOOKUP,
): Promise<LookupMeasure> {
  const { queries: QUERIES, mentions: MENTIONS, warmUp: WARM_UP, rounds: ROUNDS } = options;
  const rssBefore = process.memoryUsage().rss;
  let t = performance.now();
  const index = new CustomerIndex(customers);
  const buildMs = performance.now() - t;
  global.gc?.();
  const rssAfter = process.memoryUsage().rss;

  const random = prng(7);
  const pickCustomer = (): Customer => customers[Math.floor(random() * customers.length)] as Customer;
  const queries = Array.from({ length: WARM_UP + QUERIES }, () => {
    const customer =
      random() < 0.1 && demoCount > 0
        ? (customers[Math.floor(random() * demoCount)] as Customer)
        : pickCustomer();
    return { customer, text: queryFor(customer, random) };
  });
  const warm = queries.slice(0, WARM_UP);
  const measured = queries.slice(WARM_UP);
  for (const { text } of warm) index.resolve(text);
  const resolveRounds: number[][] = [];
  let resolveFound = 0;
  const kinds = { match: 0, ambiguous: 0, none: 0 };
  const resolveGc = await gcPauses(() => {
    for (let round = 0; round < ROUNDS; round++) {
      resolveRounds.push(
        measured.map(({ customer, text }) => {
          t = performance.now();
          const result = index.resolve(text);
          const elapsed = performance.now() - t;
          if (round === 0) {
            kinds[result.kind]++;
            if (best(result) === customer) resolveFound++;
          }
          return elapsed;
        }),
      );
    }
  });

  const sentences = measured.slice(0, MENTIONS).map(({ customer, text }, i) => ({
    customer,
    sentence: (SENTENCES[i % SENTENCES.length] as (n: string) => string)(text),
  }));
  for (const { text } of warm) index.findMention(`can ${text} upgrade?`);
  const mentionRounds: number[][] = [];
  let mentionFound = 0;
  const mentionGc = await gcPauses(() => {
    for (let round = 0; round < ROUNDS; round++) {
      mentionRounds.push(
        sentences.map(({ customer, sentence }) => {
          t = performance.now();
          const mention = index.findMention(sentence);
          const elapsed = performance.now() - t;
          if (round === 0 && mention !== undefined && best(mention.result) === customer) mentionFound++;
          return elapsed;
        }),
      );
    }
  });

  return {
    size: customers.length,
    buildMs,
    rssBefore,
    rssAfter,
    resolve: { ...timings(resolveRounds), intended: resolveFound / measured.length, gc: resolveGc },
    resolveKinds: kinds,
    findMention: { ...timings(mentionRounds), intended: mentionFound / sentences.length, gc: mentionGc },
  };
}

function timingsLine(label: string, t: Timings): string {
  return (
    `${label.padEnd(12)} p50 ${ms(t.p50)}  p99 ${ms(t.p99)}  max ${ms(t.max)}  ` +
    `(steady p50 ${ms(t.steadyP50)}, p99 ${ms(t.steadyP99)})`
  );
}

async function runSize(size: number): Promise<void> {
  const { customers, demoCount } = scaleDirectory(size);
  const m = await measureLookup(customers, demoCount);
  const gc = (p: Pauses): string =>
    `GC ${p.count} pauses, ${p.total.toFixed(0)} ms, longest ${p.max.toFixed(1)} ms`;
  const pct = (share: number): string => `${(100 * share).toFixed(1)}%`;
  const k = m.resolveKinds;
  console.log(`\n${size.toLocaleString('en')} customers (load average ${loadavg()[0]?.toFixed(2)})`);
  console.log(
    `build        ${m.buildMs.toFixed(0)} ms   RSS ${mb(m.rssAfter)} (index and customers; ` +
      `${mb(m.rssBefore)} before the index)`,
  );
  console.log(
    `${timingsLine('resolve', m.resolve)}   best = intended ${pct(m.resolve.intended)}  ` +
      `(match ${k.match}, ambiguous ${k.ambiguous}, none ${k.none}); ${gc(m.resolve.gc)}`,
  );
  console.log(
    `${timingsLine('findMention', m.findMention)}   best = intended ${pct(m.findMention.intended)}; ` +
      gc(m.findMention.gc),
  );
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const sizeArg = process.argv.indexOf('--size');
  if (sizeArg >= 0) {
    await runSize(Number(process.argv[sizeArg + 1]));
  } else {
    const sizes = process.argv
      .slice(2)
      .map(Number)
      .filter((n) => n > 0);
    const o = FULL_LOOKUP;
    console.log(
      `node ${process.version}; per size, ${o.queries} resolve and ${o.mentions} findMention calls, ` +
        `${o.rounds} rounds, after ${o.warmUp} warm-up calls`,
    );
    for (const size of sizes.length > 0 ? sizes : [1_000, 10_000, 100_000]) {
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, '--expose-gc', process.argv[1] ?? '', '--size', String(size)],
        { stdio: 'inherit' },
      );
      if (child.status !== 0) process.exit(child.status ?? 1);
    }
  }
}
