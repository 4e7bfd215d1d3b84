/**
 * The Partner Center section of the benchmark (bench/partner-center.ts): what it measured, what follows from
 * it at Partner Center's published request budget, and its tables on the console and in docs/benchmarks.md.
 */
import { spacing } from '../src/partner-center/budget.js';
import { ms } from './stats.js';

/** Where the loads went: the echo bot, the app on the directory file, the app on Partner Center (the simulator). */
export type PcTarget = 'echo' | 'file' | 'partnerCenter';
export const PC_TARGETS: readonly PcTarget[] = ['echo', 'file', 'partnerCenter'];
/** Review → confirm also runs on the app on Partner Center with the simulator answering at once: its own time. */
export type PairTarget = PcTarget | 'partnerCenterAt0';
export const PAIR_TARGETS: readonly PairTarget[] = [...PC_TARGETS, 'partnerCenterAt0'];

/** The simulator's routes that are Entra ID's (sign-in), not Partner Center's API. */
export const SIGN_IN_ROUTES: readonly string[] = [
  'GET openid-configuration',
  'GET instance-discovery',
  'POST token',
  'POST token (v1)',
];

export interface LoadFigures {
  /** At 1 connection. */
  readonly p50: number;
  readonly p99: number;
  /** Successful requests per second at the throughput connections, pooled over the rounds. */
  readonly rps: number;
  readonly rpsByRound: readonly number[];
  readonly throughputP99: number;
  readonly requests: number;
  readonly failed: number;
  readonly firstFailure?: string;
  /** CPU time (user + system) of the bot's process per request, over all its loads. */
  readonly cpuPerRequest: number;
}

export interface PairFigures {
  /** Review → confirm pairs measured (1 connection). */
  readonly pairs: number;
  readonly review: { readonly p50: number; readonly p99: number };
  readonly confirm: { readonly p50: number; readonly p99: number };
  /** What the confirms answered, by kind (done, in progress, already handled, other). */
  readonly answers: Readonly<Record<string, number>>;
  readonly failed: number;
  readonly firstFailure?: string;
}

export interface SyncMeasure {
  /** Customers the simulator serves, and the bot's store held at the end. */
  readonly customers: number;
  /** PARTNER_CENTER_REQUESTS_PER_MINUTE of the bot (lifted far above Partner Center's). */
  readonly requestsPerMinute: number;
  /** From the spawn of the bot: /healthz answers, and every customer is in its store. */
  readonly untilHealthyMs: number;
  readonly untilStoredMs: number;
  /** From the bot's first call to the simulator until every customer is in its store. */
  readonly syncMs: number;
  /** Calls the simulator received, by route. */
  readonly calls: Readonly<Record<string, number>>;
  /** Of those, Partner Center's API (/v1: what its budget counts) and Entra ID's (sign-in). */
  readonly apiCalls: number;
  readonly signInCalls: number;
  /** 429s the simulator answered (its own limit is off: none expected). */
  readonly throttled: number;
  /** CPU time of the bot's process from its first call to the simulator until the sync was done. */
  readonly cpuMs: number;
}

export interface BudgetCheck {
  /** The bot's settings: Partner Center's budget and the part kept for live checks (the defaults). */
  readonly requestsPerMinute: number;
  readonly reservedForLive: number;
  /** Partner Center API calls counted by the simulator over `seconds` of a sync at that budget. */
  readonly seconds: number;
  readonly calls: number;
  /** 429s from the simulator, which enforced the same 500 a minute meanwhile. */
  readonly throttled: number;
}

/** The simulator's calls for one review and for one confirm, by route (counted on a pair alone). */
export interface StepCalls {
  readonly review: Readonly<Record<string, number>>;
  readonly confirm: Readonly<Record<string, number>>;
}

export interface PartnerCenterReport {
  readonly directorySize: number;
  /** The simulator's latency per call during the review → confirm loads and the budget check. */
  readonly latencyMs: number;
  readonly rounds: number;
  readonly connections: number;
  readonly duration: number;
  readonly sync: SyncMeasure;
  /** Partner Center's published budget and the part the bot keeps for live checks (its defaults). */
  readonly budget: {
    readonly requestsPerMinute: number;
    readonly reservedForLive: number;
    /** Calls in flight at once (PARTNER_CENTER_MAX_CONCURRENT's default). */
    readonly maxConcurrent: number;
  };
  readonly budgetCheck?: BudgetCheck;
  readonly eligibility: Readonly<Partial<Record<PcTarget, LoadFigures>>>;
  /** Partner Center API calls the simulator received during the eligibility loads (served from the store: 0). */
  readonly eligibilityApiCalls: number;
  readonly pair: Readonly<Partial<Record<PairTarget, PairFigures>>>;
  readonly stepCalls: StepCalls;
  /** In the simulator after the loads: upgrades applied, and confirms the bot answered "done". */
  readonly upgradesApplied: number;
  readonly confirmsDone: number;
  /** The first answer of each bot to each load, checked before the loads. */
  readonly answers: Readonly<Record<string, string>>;
  readonly loadAverages: readonly number[];
  readonly seconds: number;
  readonly notes: readonly string[];
}

export type PartnerCenterOutcome = PartnerCenterReport | { readonly skipped: string };

// ---------------------------------------------------------------------------------------------------------
// What follows from the figures

const total = (calls: Readonly<Record<string, number>>): number =>
  Object.values(calls).reduce((a, n) => a + n, 0);

/** Partner Center API calls per customer in the sync (pages of customers, then each one's subscriptions). */
export function callsPerCustomer(r: PartnerCenterReport): number {
  return r.sync.apiCalls / r.sync.customers;
}

/** The bot's bulk lane at Partner Center's budget: one call every this many ms (the client's own spacing). */
export function bulkSpacingMs(r: PartnerCenterReport): number {
  return spacing(60_000, r.budget.requestsPerMinute - r.budget.reservedForLive);
}

/** Customers a second a sync reaches at Partner Center's budget, from the calls per customer measured. */
export function customersPerSecondAtBudget(r: PartnerCenterReport): number {
  return 1000 / (callsPerCustomer(r) * bulkSpacingMs(r));
}

/** Minutes a full sync of `customers` takes at Partner Center's budget. */
export function minutesAtBudget(r: PartnerCenterReport, customers: number): number {
  return (customers * callsPerCustomer(r) * bulkSpacingMs(r)) / 60_000;
}

// ---------------------------------------------------------------------------------------------------------
// Tables

type Row = readonly string[];

const NAMES: Record<PcTarget, string> = {
  echo: 'echo bot (baseline)',
  file: 'app, directory file (CUSTOMER_SOURCE=file)',
  partnerCenter: 'app, Partner Center (CUSTOMER_SOURCE=partner-center, from its store)',
};
const pairName = (r: PartnerCenterReport, target: PairTarget): string =>
  target === 'partnerCenterAt0'
    ? 'app, Partner Center, the simulator answering at once'
    : target === 'partnerCenter'
      ? `app, Partner Center, the simulator answering after ${r.latencyMs} ms`
      : NAMES[target];

const x = (ratio: number): string => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a');
const num = (value: number, digits = 0): string =>
  Number.isFinite(value) ? value.toLocaleString('en', { maximumFractionDigits: digits }) : 'n/a';
const range = (values: readonly number[]): string =>
  values.length < 2 ? '' : ` (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
const byRoute = (calls: Readonly<Record<string, number>>, per = 1): string =>
  Object.entries(calls)
    .sort((a, b) => b[1] - a[1])
    .map(([route, n]) => `${num(n / per, 2)} ${route}`)
    .join(', ') || 'none';

const seconds = (msValue: number): string =>
  Number.isFinite(msValue) ? `${(msValue / 1000).toFixed(1)} s` : 'n/a';
/** Only Partner Center's API routes (what its budget counts). */
const api = (calls: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(calls).filter(([route]) => !SIGN_IN_ROUTES.includes(route)));

export function syncRows(r: PartnerCenterReport): Row[] {
  const s = r.sync;
  const perCustomer = callsPerCustomer(r);
  const measuredPerMinute =
    r.budgetCheck === undefined ? NaN : (r.budgetCheck.calls / r.budgetCheck.seconds) * 60;
  const budget = `${r.budget.requestsPerMinute} a minute, ${r.budget.reservedForLive} kept for live checks`;
  return [
    [
      'Sync',
      `Lifted budget (${num(s.requestsPerMinute)} requests a minute): measured`,
      `Partner Center's budget (${budget}): computed`,
    ],
    ['Customers', `${num(s.customers)} (all stored, with their subscriptions)`, `${num(s.customers)}`],
    [
      'Time: first call → every customer stored',
      seconds(s.syncMs),
      `${num(minutesAtBudget(r, s.customers), 1)} min (one call every ${ms(bulkSpacingMs(r))})`,
    ],
    ['Customers per second', num(s.customers / (s.syncMs / 1000), 1), num(customersPerSecondAtBudget(r), 2)],
    [
      'Partner Center calls (per customer)',
      `${num(s.apiCalls)} (${perCustomer.toFixed(3)}): ${byRoute(api(s.calls))}`,
      `the same, ${perCustomer.toFixed(3)} per customer`,
    ],
    [
      'Partner Center calls per minute',
      num(s.apiCalls / (s.syncMs / 60_000)),
      `${num(60_000 / bulkSpacingMs(r), 1)}` +
        (r.budgetCheck === undefined
          ? ''
          : `; measured ${num(measuredPerMinute, 1)} over ${num(r.budgetCheck.seconds, 0)} s of a sync at this budget (${r.budgetCheck.throttled} throttled by the simulator's 500 a minute)`),
    ],
    ['Sign-in calls (Entra ID)', num(s.signInCalls), ''],
    ['429s', num(s.throttled), ''],
    [
      'Spawn → /healthz answers; spawn → every customer stored',
      `${seconds(s.untilHealthyMs)}; ${seconds(s.untilStoredMs)}`,
      '',
    ],
    [
      "Bot's CPU time during the sync (per customer)",
      `${seconds(s.cpuMs)} (${ms(s.cpuMs / s.customers)})`,
      '',
    ],
    [
      'Full sync of 1,000 / 5,000 / 10,000 customers',
      '',
      [1000, 5000, 10_000].map((n) => `${num(minutesAtBudget(r, n), 1)} min`).join(' / '),
    ],
  ];
}

export function eligibilityRows(r: PartnerCenterReport): Row[] {
  const rows: Row[] = [
    [
      'Bot',
      'p50',
      'p99',
      'p50 × echo',
      `req/s (${r.connections} conn.; rounds)`,
      'req/s × echo',
      `p99 (${r.connections} conn.)`,
      'CPU/request (× echo)',
      'failed',
    ],
  ];
  const echo = r.eligibility.echo;
  for (const target of PC_TARGETS) {
    const f = r.eligibility[target];
    if (f === undefined) continue;
    const vsEcho = target !== 'echo' && echo !== undefined;
    rows.push([
      NAMES[target],
      ms(f.p50),
      ms(f.p99),
      vsEcho ? x(f.p50 / echo.p50) : '',
      num(f.rps) + range(f.rpsByRound),
      vsEcho ? x(f.rps / echo.rps) : '',
      ms(f.throughputP99),
      `${ms(f.cpuPerRequest)}${vsEcho ? ` (${x(f.cpuPerRequest / echo.cpuPerRequest)})` : ''}`,
      `${f.failed} of ${f.requests}`,
    ]);
  }
  return rows;
}

/** The time a step waits on Partner Center: its p50 less the same step's with the simulator answering at once. */
function waiting(r: PartnerCenterReport, step: 'review' | 'confirm'): string {
  const slow = r.pair.partnerCenter?.[step].p50;
  const fast = r.pair.partnerCenterAt0?.[step].p50;
  return slow === undefined || fast === undefined ? 'n/a' : ms(slow - fast);
}

export function pairRows(r: PartnerCenterReport): Row[] {
  const rows: Row[] = [
    ['Bot', 'Review p50', 'Review p99', 'Confirm p50', 'Confirm p99', 'Pairs', 'Confirm answers', 'failed'],
  ];
  for (const target of PAIR_TARGETS) {
    const f = r.pair[target];
    if (f === undefined) continue;
    rows.push([
      pairName(r, target),
      ms(f.review.p50),
      ms(f.review.p99),
      ms(f.confirm.p50),
      ms(f.confirm.p99),
      String(f.pairs),
      Object.entries(f.answers)
        .map(([kind, n]) => `${n} ${kind}`)
        .join(', '),
      `${f.failed} of ${f.pairs * 2}`,
    ]);
  }
  return rows;
}

export function stepCallsLine(r: PartnerCenterReport): string {
  return (
    `Simulator calls of one review: ${byRoute(r.stepCalls.review)}; of one confirm: ${byRoute(r.stepCalls.confirm)}. ` +
    `Time waiting on Partner Center (p50 at ${r.latencyMs} ms a call less p50 at once): review ${waiting(r, 'review')}, ` +
    `confirm ${waiting(r, 'confirm')}. ` +
    `Upgrades applied in the simulator: ${r.upgradesApplied}, for ${r.confirmsDone} confirms answered "done"` +
    `${r.upgradesApplied === r.confirmsDone ? '' : ' (MISMATCH)'}. Partner Center calls during the eligibility loads: ` +
    `${r.eligibilityApiCalls}.`
  );
}

function loadLine(r: PartnerCenterReport): string {
  const loads = r.loadAverages.filter(Number.isFinite);
  return loads.length === 0
    ? ''
    : `load average (1 min) ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} during this section`;
}

function textTable(rows: readonly Row[]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? [];
  return rows
    .map((row, i) => {
      const line = row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ');
      return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

function mdTable(rows: readonly Row[]): string {
  const [header, ...body] = rows;
  if (header === undefined) return '';
  const line = (row: Row): string => `| ${row.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...body.map(line)].join('\n');
}

const answerLines = (r: PartnerCenterReport): string[] =>
  Object.entries(r.answers).map(([key, text]) => `${key}: “${text.replace(/\s+/g, ' ').slice(0, 160)}…”`);

export function partnerCenterText(outcome: PartnerCenterOutcome | undefined): string {
  if (outcome === undefined) return '';
  if ('skipped' in outcome) return `\nPartner Center: skipped (${outcome.skipped})`;
  const r = outcome;
  return [
    '',
    `Partner Center (the simulator; ${r.directorySize.toLocaleString('en')} customers; ${loadLine(r)})`,
    textTable(syncRows(r)),
    '',
    '"can Contoso upgrade?"',
    textTable(eligibilityRows(r)),
    '',
    `Review → confirm (Teams invokes, 1 connection; the simulator answers each call after ${r.latencyMs} ms)`,
    textTable(pairRows(r)),
    stepCallsLine(r),
    ...answerLines(r),
    ...r.notes,
  ].join('\n');
}

/** The heading of this section's paragraph in the hand-written analysis. */
export const PARTNER_CENTER_ANALYSIS_HEADING = '### Partner Center (the section "Partner Center" above)';

export function partnerCenterMarkdown(outcome: PartnerCenterOutcome | undefined): string {
  if (outcome === undefined) return '';
  if ('skipped' in outcome) return `## Partner Center\n\nNot measured in this run: ${outcome.skipped}.\n\n`;
  const r = outcome;
  return `## Partner Center

The bot on \`CUSTOMER_SOURCE=partner-center\` against the local simulator of Partner Center and Entra ID
(\`scripts/partner-center-sim\`, HTTPS, its own process; the bot trusts its certificate through
\`NODE_EXTRA_CA_CERTS\`, as production would a private CA), beside the app on the directory file and the echo bot,
each its own Node process (${r.seconds.toFixed(0)} s, ${loadLine(r)}). The simulator serves a directory of
${r.directorySize.toLocaleString('en')} customers (the demo customers, then generated ones); the app on the
directory file reads the same file.

**Sync.** The bot syncs every customer and its subscriptions into its store (SQLite) when it starts. Measured at
a lifted request budget (\`PARTNER_CENTER_REQUESTS_PER_MINUTE=${r.sync.requestsPerMinute}\`) with no latency in the
simulator, which shows what the bot itself costs; computed at Partner Center's published budget of
${r.budget.requestsPerMinute} requests a minute per tenant, of which the bot keeps ${r.budget.reservedForLive} for live
re-checks and upgrades: the sync's lane then starts one call every ${ms(bulkSpacingMs(r))}, and that, not the bot,
sets the time. With ${r.budget.maxConcurrent} calls in flight at most, the budget stays the limit as long as Partner Center answers
a call in under ${ms(r.budget.maxConcurrent * bulkSpacingMs(r))}.${
    r.budgetCheck === undefined
      ? ''
      : ` The computed rate is checked by a bot at the default budget syncing against the simulator
(${r.latencyMs} ms a call, its own limit of 500 a minute on) for ${r.budgetCheck.seconds.toFixed(0)} s.`
  }

${mdTable(syncRows(r))}

**"can Contoso upgrade?"** with expectReplies, answered from the store (no Partner Center call: the simulator
counted ${r.eligibilityApiCalls} during these loads). Its answer differs from the file source's where Partner Center's API
shows less: subscriptions bought elsewhere are not visible to the partner, delegated admin is not checked until
review (see the answers below). ${r.rounds} round(s), the order of the bots rotating; p50 and
p99 at 1 connection, requests per second at ${r.connections} connections (per round in brackets).

${mdTable(eligibilityRows(r))}

**Review → confirm** as Teams sends it (Action.Execute invokes, the card in the invoke response), 1 connection,
with the simulator answering each call after ${r.latencyMs} ms, as Partner Center might. Review re-checks the
subscription live (GET its upgrades); confirm claims the ledger token, GETs the upgrades again and POSTs the
one for the target, then reads the customer back into the store before answering. Each pair upgrades another
subscription of the directory. The app on Partner Center runs it twice, with the simulator answering after
${r.latencyMs} ms and at once: the difference is the time spent waiting on Partner Center, the second the bot's own
(TLS included). The echo bot gets two messages with the same values. At 1 connection Partner Center's budget
would not slow these steps (its calls start at most one every ${ms(spacing(60_000, r.budget.requestsPerMinute))},
less than one call takes); many upgrades at once would share ${r.budget.requestsPerMinute} calls a minute, about
${Math.floor(r.budget.requestsPerMinute / Math.max(1, total(r.stepCalls.review) + total(r.stepCalls.confirm)))} reviewed and confirmed upgrades a minute.

${mdTable(pairRows(r))}

${stepCallsLine(r)}

What each bot answered (checked before the loads):

${answerLines(r)
  .map((l) => `- ${l}`)
  .join('\n')}
${r.notes.length === 0 ? '' : `\n${r.notes.map((n) => `- ${n}`).join('\n')}\n`}
`;
}
