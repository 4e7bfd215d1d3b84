/**
 * Customer lookup benchmark: `npx tsx bench/lookup.ts [sizes…]` (default 1000 10000 100000).
 *
 * For each size, in a fresh child process (so that RSS is the size's own): the demo names plus generated
 * customers, the time to build the index, then p50/p99/max of `resolve` on names with typos, dropped or
 * changed legal forms and domains, and of `findMention` on en/fr/ja sentences naming them, with the share
 * of lookups whose best candidate is the intended customer.
 *
 * Each query is timed in ROUNDS rounds: "p99" is over every call; "steady p99" is over each query's fastest
 * round, which leaves out garbage-collection pauses and other processes taking the CPU (the load average and
 * the collector's pauses are printed too, to judge how noisy the machine was).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { generateCustomers } from '../src/directory/generate.js';
import { CustomerIndex } from '../src/directory/lookup.js';
import type { LookupResult } from '../src/directory/lookup-types.js';
import type { Customer } from '../src/rules/index.js';

const DEMO: readonly (readonly [string, string])[] = [
  ['Contoso Ltd', 'contoso.onmicrosoft.com'],
  ['Fabrikam Inc', 'fabrikam.onmicrosoft.com'],
  ['Fabricam Ltd', 'fabricam.co.uk'],
  ['Northwind Traders', 'northwindtraders.onmicrosoft.com'],
  ['Wingtip Toys', 'wingtiptoys.onmicrosoft.com'],
  ['Adventure Works Cycles', 'adventure-works.com'],
  ['A. Datum Corporation', 'adatum.onmicrosoft.com'],
  ['Tailspin Toys India Pvt Ltd', 'tailspintoys.in'],
  ['Woodgrove Bank', 'woodgrovebank.onmicrosoft.com'],
  ['Société Lamna', 'lamna.fr'],
  ['Trey Research', 'treyresearch.onmicrosoft.com'],
];

const QUERIES = 2000;
const MENTIONS = 1000;
const WARM_UP = 300;
const ROUNDS = 3;

/** mulberry32, for reproducible queries. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function demoCustomers(): Customer[] {
  return DEMO.map(([companyName, domain], i) => ({
    id: `demo-${i}`,
    companyProfile: { companyName, domain },
    delegatedAdmin: [],
    subscriptions: [],
  }));
}

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
function queryFor(customer: Customer, random: () => number): string {
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

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** `rounds[r][q]`: the time of query q in round r. */
function timings(label: string, rounds: readonly number[][]): string {
  const all = rounds.flat().sort((a, b) => a - b);
  const first = rounds[0] ?? [];
  const steady = first
    .map((_, q) => Math.min(...rounds.map((round) => round[q] ?? Infinity)))
    .sort((a, b) => a - b);
  const fmt = (ms: number): string => `${ms.toFixed(3)} ms`;
  return (
    `${label.padEnd(12)} p50 ${fmt(percentile(all, 50))}  p99 ${fmt(percentile(all, 99))}  ` +
    `max ${fmt(all[all.length - 1] ?? NaN)}  (steady p50 ${fmt(percentile(steady, 50))}, p99 ${fmt(percentile(steady, 99))})`
  );
}

interface Pauses {
  count: number;
  total: number;
  max: number;
}

/** Pauses of the garbage collector while `run` runs (entries arrive after it, on the event loop). */
async function gcPauses(run: () => void): Promise<Pauses> {
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

function best(result: LookupResult): Customer | undefined {
  if (result.kind === 'match') return result.customer;
  if (result.kind === 'ambiguous') return result.candidates[0]?.customer;
  return result.suggestions[0]?.customer;
}

async function runSize(size: number): Promise<void> {
  const customers = [...demoCustomers(), ...generateCustomers(size - DEMO.length, 42)];
  const rssBefore = process.memoryUsage().rss;
  let t = performance.now();
  const index = new CustomerIndex(customers);
  const build = performance.now() - t;
  global.gc?.();
  const rss = process.memoryUsage().rss;

  const random = prng(7);
  const pickCustomer = (): Customer => customers[Math.floor(random() * customers.length)] as Customer;
  const queries = Array.from({ length: WARM_UP + QUERIES }, () => {
    const customer =
      random() < 0.1 ? (customers[Math.floor(random() * DEMO.length)] as Customer) : pickCustomer();
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

  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const gc = (p: Pauses): string =>
    `GC ${p.count} pauses, ${p.total.toFixed(0)} ms, longest ${p.max.toFixed(1)} ms`;
  console.log(`\n${size.toLocaleString('en')} customers (load average ${loadavg()[0]?.toFixed(2)})`);
  console.log(
    `build        ${build.toFixed(0)} ms   RSS ${mb(rss)} (index and customers; ${mb(rssBefore)} before the index)`,
  );
  console.log(
    `${timings('resolve', resolveRounds)}   best = intended ${((100 * resolveFound) / QUERIES).toFixed(1)}%  ` +
      `(match ${kinds.match}, ambiguous ${kinds.ambiguous}, none ${kinds.none}); ${gc(resolveGc)}`,
  );
  console.log(
    `${timings('findMention', mentionRounds)}   best = intended ${((100 * mentionFound) / MENTIONS).toFixed(1)}%; ` +
      gc(mentionGc),
  );
}

const sizeArg = process.argv.indexOf('--size');
if (sizeArg >= 0) {
  await runSize(Number(process.argv[sizeArg + 1]));
} else {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  console.log(
    `node ${process.version}; per size, ${QUERIES} resolve and ${MENTIONS} findMention calls, ${ROUNDS} rounds, ` +
      `after ${WARM_UP} warm-up calls`,
  );
  for (const size of sizes.length > 0 ? sizes : [1_000, 10_000, 100_000]) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, '--expose-gc', process.argv[1] ?? '', '--size', String(size)],
      {
        stdio: 'inherit',
      },
    );
    if (child.status !== 0) process.exit(child.status ?? 1);
  }
}
