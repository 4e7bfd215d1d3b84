/**
 * The benchmark's tables, on the console and in docs/benchmarks.md, from one run. The markdown keeps the
 * hand-written analysis between the ANALYSIS markers of the previous file.
 */
import type { LoadResult } from './load.js';
import type { Memory } from './processes.js';
import type { ScaleMeasure } from './scale.js';
import { enginesMarkdown, enginesText, type EnginesOutcome } from './engines-report.js';
import {
  PARTNER_CENTER_ANALYSIS_HEADING,
  partnerCenterMarkdown,
  partnerCenterText,
  type PartnerCenterOutcome,
} from './partner-center-report.js';
import { mb, ms, summarize } from './stats.js';

// ---------------------------------------------------------------------------------------------------------
// What a run measured (bench/run.ts)

/** The two bots of the A/B loads, and the two shapes of load: one connection, or many. */
export type Bot = 'echo' | 'app';
export type Shape = 'latency' | 'throughput';

export interface AbResult {
  readonly scenario: string;
  readonly label: string;
  readonly delivery: string;
  /** `runs[shape][bot]`: one result per round. */
  readonly runs: Record<Shape, Record<Bot, LoadResult[]>>;
  /** Per bot: the requests answered and the replies the channel received meanwhile. */
  readonly channel: Record<Bot, { requests: number; replies: number }>;
  /** Per bot: the CPU time its process used during the loads, and the requests it answered meanwhile. */
  readonly cpu: Record<Bot, { ms: number; requests: number }>;
}

export interface HttpScale {
  readonly size: number;
  readonly startupMs: number;
  readonly restartMs: number;
  /** CPU time the process used until healthy. */
  readonly startupCpuMs: number;
  readonly restartCpuMs: number;
  readonly afterStart: Memory;
  readonly afterLoad: Memory;
  readonly afterRestart: Memory;
  readonly contoso: LoadResult;
  readonly named: LoadResult;
  readonly fleet: LoadResult;
  /** The first reply to each question, checked before its load. */
  readonly answers: Record<string, string>;
}

export interface Report {
  readonly date: string;
  readonly commit: string;
  readonly machine: {
    readonly cpus: number;
    readonly model: string;
    readonly memory: number;
    readonly node: string;
    readonly os: string;
  };
  /** 1-minute load averages noted along the run. */
  readonly loads: readonly number[];
  readonly settings: {
    readonly quick: boolean;
    readonly launcher: string;
    readonly rounds: number;
    readonly duration: number;
    readonly connections: number;
    readonly sizes: readonly number[];
    readonly pairSize: number;
  };
  readonly command: string;
  readonly answers: Readonly<Record<string, string>>;
  readonly channelReceived: number;
  readonly channelTexts: Readonly<Record<string, number>>;
  readonly ab: readonly AbResult[];
  readonly inProcess: readonly ScaleMeasure[];
  readonly overHttp: readonly HttpScale[];
  /** The storage-engine section (bench/engines.ts), when it ran. */
  readonly engines?: EnginesOutcome;
  /** The Partner Center section (bench/partner-center.ts), when it ran. */
  readonly partnerCenter?: PartnerCenterOutcome;
  readonly seconds: number;
}

type Row = readonly string[];

// ---------------------------------------------------------------------------------------------------------
// Figures

interface Pooled {
  readonly p50: number;
  readonly p99: number;
  /** Successful requests per second over all rounds. */
  readonly rps: number;
  readonly failed: number;
}

function pool(runs: readonly LoadResult[], step?: number): Pooled {
  const latencies = runs.flatMap((r) => (step === undefined ? r.latencies : (r.byStep[step] ?? [])));
  const s = summarize(latencies);
  const ok = runs.reduce((a, r) => a + r.ok, 0);
  const elapsed = runs.reduce((a, r) => a + r.elapsed, 0);
  return { p50: s.p50, p99: s.p99, rps: ok / elapsed, failed: runs.reduce((a, r) => a + r.failed, 0) };
}

/** For review → confirm loads, a request is half a pair: requests per second stay requests per second. */
interface AbFigures {
  readonly scenario: string;
  readonly label: string;
  readonly delivery: string;
  readonly echo: { readonly latency: Pooled; readonly throughput: Pooled };
  readonly app: { readonly latency: Pooled; readonly throughput: Pooled };
  readonly p50Ratio: number;
  readonly rpsRatio: number;
  /** The p50 and throughput ratios of each round: how much the machine drifted. */
  readonly roundP50Ratios: readonly number[];
  readonly roundRpsRatios: readonly number[];
  /** Review → confirm: the app's p50 of each step at one connection. */
  readonly stepP50?: readonly [number, number];
  /** CPU time of each bot's process per request, over all its loads (ms). */
  readonly cpuPerRequest: { readonly echo: number; readonly app: number };
}

function abFigures(r: AbResult): AbFigures {
  const echo = { latency: pool(r.runs.latency.echo), throughput: pool(r.runs.throughput.echo) };
  const app = { latency: pool(r.runs.latency.app), throughput: pool(r.runs.throughput.app) };
  const rounds = r.runs.latency.echo.map((_, i) => i);
  const p50Of = (x: LoadResult | undefined): number => summarize(x?.latencies ?? []).p50;
  const rpsOf = (x: LoadResult | undefined): number => (x === undefined ? NaN : x.ok / x.elapsed);
  return {
    scenario: r.scenario,
    label: r.label,
    delivery: r.delivery,
    echo,
    app,
    p50Ratio: app.latency.p50 / echo.latency.p50,
    rpsRatio: app.throughput.rps / echo.throughput.rps,
    roundP50Ratios: rounds.map((i) => p50Of(r.runs.latency.app[i]) / p50Of(r.runs.latency.echo[i])),
    roundRpsRatios: rounds.map((i) => rpsOf(r.runs.throughput.app[i]) / rpsOf(r.runs.throughput.echo[i])),
    cpuPerRequest: {
      echo: r.cpu.echo.ms / r.cpu.echo.requests,
      app: r.cpu.app.ms / r.cpu.app.requests,
    },
    ...(r.scenario.startsWith('pair')
      ? { stepP50: [pool(r.runs.latency.app, 0).p50, pool(r.runs.latency.app, 1).p50] as const }
      : {}),
  };
}

const DELIVERY: Record<string, string> = {
  expectReplies: 'expectReplies',
  channel: 'to the channel',
  invoke: 'Teams invoke',
};

const x = (ratio: number): string => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a');
const rps = (value: number): string => (Number.isFinite(value) ? value.toFixed(0) : 'n/a');
const spread = (values: readonly number[]): string =>
  values.length < 2 ? '' : ` (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`;

function abRows(report: Report): Row[] {
  const header: Row = [
    'Load',
    'Delivery',
    'Echo p50',
    'App p50',
    'p50 ×',
    'Echo p99',
    'App p99',
    `Echo req/s`,
    `App req/s`,
    'req/s ×',
    `App p99 (${report.settings.connections} conn.)`,
    'CPU/request: echo, app (×)',
  ];
  const rows = report.ab
    .map(abFigures)
    .map((f) => [
      f.label,
      DELIVERY[f.delivery] ?? f.delivery,
      ms(f.echo.latency.p50),
      ms(f.app.latency.p50) +
        (f.stepP50 === undefined ? '' : ` (review ${ms(f.stepP50[0])}, confirm ${ms(f.stepP50[1])})`),
      x(f.p50Ratio) + spread(f.roundP50Ratios),
      ms(f.echo.latency.p99),
      ms(f.app.latency.p99),
      rps(f.echo.throughput.rps),
      rps(f.app.throughput.rps),
      x(f.rpsRatio) + spread(f.roundRpsRatios),
      ms(f.app.throughput.p99),
      `${ms(f.cpuPerRequest.echo)}, ${ms(f.cpuPerRequest.app)} (${x(f.cpuPerRequest.app / f.cpuPerRequest.echo)})`,
    ]);
  return [header, ...rows];
}

function scaleRows(report: Report): Row[] {
  const sizes = report.settings.sizes;
  const inProcess = (size: number): ScaleMeasure | undefined => report.inProcess.find((m) => m.size === size);
  const http = (size: number): HttpScale | undefined => report.overHttp.find((m) => m.size === size);
  const row = (label: string, cell: (size: number) => string): Row => [label, ...sizes.map(cell)];
  const p = (t: { p50: number; p99: number } | undefined): string =>
    t === undefined ? 'n/a' : `${ms(t.p50)} / ${ms(t.p99)}`;
  const steady = (t: { steadyP50: number; steadyP99: number } | undefined): string =>
    t === undefined ? 'n/a' : `${ms(t.steadyP50)} / ${ms(t.steadyP99)}`;
  const lat = (r: LoadResult | undefined): string => (r === undefined ? 'n/a' : p(summarize(r.latencies)));
  return [
    ['Measure', ...sizes.map((s) => `${s.toLocaleString('en')} customers`)],
    row('Lookup `resolve`, p50 / p99 (in process)', (s) => p(inProcess(s)?.lookup.resolve)),
    row('… steady p50 / p99 (fastest of the rounds)', (s) => steady(inProcess(s)?.lookup.resolve)),
    row('Lookup `findMention` in a sentence, p50 / p99', (s) => p(inProcess(s)?.lookup.findMention)),
    row('Index build', (s) => ms(inProcess(s)?.lookup.buildMs ?? NaN)),
    row('One customer, rules (`evaluateCustomer`), p50 / p99', (s) => p(inProcess(s)?.evaluate)),
    row('One customer, answer (`eligibilityAnswer`), p50 / p99', (s) => p(inProcess(s)?.answer)),
    row('"can Contoso upgrade?" over HTTP, p50 / p99', (s) => lat(http(s)?.contoso)),
    row('"can ‹random customer› upgrade?" over HTTP, p50 / p99', (s) => lat(http(s)?.named)),
    row('Fleet E5, rules (`customersEligibleFor`), median', (s) =>
      ms(inProcess(s)?.fleetRules.median ?? NaN),
    ),
    row('Fleet E5, answer (`fleetAnswer`), median', (s) => ms(inProcess(s)?.fleetAnswer.median ?? NaN)),
    row('Fleet E5 from the aggregates per target (`FleetIndex`), median / max', (s) => {
      const f = inProcess(s)?.fleetIndex;
      return f === undefined ? 'n/a' : `${ms(f.answer.median)} / ${ms(f.answer.max)}`;
    }),
    row('… aggregates built once (first fleet question) / one customer changed', (s) => {
      const f = inProcess(s)?.fleetIndex;
      return f === undefined ? 'n/a' : `${ms(f.buildMs)} / ${ms(f.updateMs)}`;
    }),
    row('Eligibility p99 alone / under 4 concurrent fleet questions (aggregates) / (full count)', (s) => {
      const e = inProcess(s)?.eligibilityUnderFleet;
      return e === undefined
        ? 'n/a'
        : `${ms(e.alone.p99)} / ${ms(e.fleetIndex.p99)} / ${ms(e.fleetScan.p99)}`;
    }),
    row('"which customers can upgrade to E5?" over HTTP, p50 / max', (s) => {
      const r = http(s)?.fleet;
      return r === undefined
        ? 'n/a'
        : `${ms(summarize(r.latencies).p50)} / ${ms(summarize(r.latencies).max)}`;
    }),
    row('Start-up until /healthz answers: first start (imports the directory file)', (s) =>
      ms(http(s)?.startupMs ?? NaN),
    ),
    row('… restart (database already seeded)', (s) => ms(http(s)?.restartMs ?? NaN)),
    row('… CPU time until healthy: first start / restart', (s) => {
      const h = http(s);
      return h === undefined ? 'n/a' : `${ms(h.startupCpuMs)} / ${ms(h.restartCpuMs)}`;
    }),
    row('RSS after start-up: first start (import) / restart', (s) => {
      const h = http(s);
      return h === undefined ? 'n/a' : `${mb(h.afterStart.rss)} / ${mb(h.afterRestart.rss)}`;
    }),
    row('RSS after the HTTP load (restarted process)', (s) => mb(http(s)?.afterLoad.rss ?? NaN)),
    row('Peak RSS: first start (import) / restarted process with the load', (s) => {
      const h = http(s);
      return h === undefined ? 'n/a' : `${mb(h.afterStart.peak)} / ${mb(h.afterLoad.peak)}`;
    }),
  ];
}

interface Target {
  readonly what: string;
  readonly target: string;
  readonly figure: string;
  readonly met: boolean | undefined;
  /** Said after the verdict (e.g. met in steady state). */
  readonly note?: string;
}

function targets(report: Report): Target[] {
  const figures = report.ab.map(abFigures);
  const list: Target[] = [];
  for (const f of figures.filter((f) => f.scenario.startsWith('eligibility'))) {
    const d = DELIVERY[f.delivery] ?? f.delivery;
    list.push({
      what: `Eligibility question (${d}): p50 latency vs the echo bot`,
      target: '≤ 1.5×',
      figure: `${x(f.p50Ratio)} (${ms(f.app.latency.p50)} vs ${ms(f.echo.latency.p50)})`,
      met: f.p50Ratio <= 1.5,
    });
    list.push({
      what: `Eligibility question (${d}): throughput vs the echo bot`,
      target: '≥ 0.6×',
      figure: `${x(f.rpsRatio)} (${rps(f.app.throughput.rps)} vs ${rps(f.echo.throughput.rps)} req/s)`,
      met: f.rpsRatio >= 0.6,
    });
  }
  const at = (size: number) => ({
    inProcess: report.inProcess.find((m) => m.size === size),
    http: report.overHttp.find((m) => m.size === size),
  });
  const big = at(100_000);
  const lookup = big.inProcess?.lookup.resolve;
  list.push({
    what: 'Lookup at 100,000 customers: p99 (`resolve`, every call; steady in brackets)',
    target: '≤ 2 ms',
    figure: lookup === undefined ? 'not measured' : `${ms(lookup.p99)} (steady ${ms(lookup.steadyP99)})`,
    met: lookup === undefined ? undefined : lookup.p99 <= 2,
    ...(lookup !== undefined && lookup.p99 > 2 && lookup.steadyP99 <= 2
      ? { note: 'met in steady state' }
      : {}),
  });
  const ten = at(10_000);
  const fleet = ten.http === undefined ? undefined : summarize(ten.http.fleet.latencies).p50;
  list.push({
    what: 'Fleet question at 10,000 customers over HTTP, p50 (in process: `fleetAnswer` median)',
    target: '≤ 100 ms',
    figure:
      fleet === undefined
        ? 'not measured'
        : `${ms(fleet)} (in process ${ms(ten.inProcess?.fleetAnswer.median ?? NaN)})`,
    met: fleet === undefined ? undefined : fleet <= 100,
  });
  list.push({
    what: 'Start-up to healthy at 10,000 customers (first start; restart and CPU time in brackets)',
    target: '≤ 2 s',
    figure:
      ten.http === undefined
        ? 'not measured'
        : `${ms(ten.http.startupMs)} (restart ${ms(ten.http.restartMs)}; CPU ${ms(ten.http.startupCpuMs)})`,
    met: ten.http === undefined ? undefined : ten.http.startupMs <= 2000,
  });
  list.push({
    what: 'Resident memory at 100,000 customers, after load (peak in brackets; the first start, which imports the directory file, apart)',
    target: '≤ 300 MB',
    figure:
      big.http === undefined
        ? 'not measured'
        : `${mb(big.http.afterLoad.rss)} (peak ${mb(big.http.afterLoad.peak)}; import: peak ${mb(big.http.afterStart.peak)})`,
    met: big.http === undefined ? undefined : big.http.afterLoad.rss <= 300 * 2 ** 20,
  });
  return list;
}

const verdict = (met: boolean | undefined): string =>
  met === undefined ? 'not measured' : met ? 'met' : 'MISSED';

// ---------------------------------------------------------------------------------------------------------
// Text

function textTable(rows: readonly Row[]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r, i) => {
      const line = r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ');
      return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

function machineLine(report: Report): string {
  const m = report.machine;
  const loads = report.loads.filter(Number.isFinite);
  return (
    `${m.cpus} × ${m.model}, ${(m.memory / 2 ** 30).toFixed(1)} GiB, Node ${m.node}, ${m.os}; ` +
    `load average (1 min) ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} during the run`
  );
}

function settingsLine(report: Report): string {
  const s = report.settings;
  return (
    `bots from the ${s.launcher === 'build' ? 'build (tsc)' : 'sources (tsx)'}; ${s.rounds} A/B round(s); ` +
    `${s.duration} s per load; latency at 1 connection, throughput at ${s.connections} connections`
  );
}

export function textReport(report: Report): string {
  return [
    `Upgrade Assistant benchmark, ${report.date} (commit ${report.commit})`,
    machineLine(report),
    settingsLine(report),
    '',
    'HTTP, Upgrade Assistant vs echo bot (p50/p99 at 1 connection; per-round ratios in brackets)',
    textTable(abRows(report)),
    '',
    'Scale',
    textTable(scaleRows(report)),
    '',
    'Targets',
    textTable([
      ['Figure', 'Target', 'Measured', ''],
      ...targets(report).map((t) => [
        t.what,
        t.target,
        t.figure,
        verdict(t.met) + (t.note ? ` (${t.note})` : ''),
      ]),
    ]),
    enginesText(report.engines),
    partnerCenterText(report.partnerCenter),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Markdown

const ANALYSIS_START = '<!-- ANALYSIS: hand-written, kept by `npm run bench` -->';
const ANALYSIS_END = '<!-- END ANALYSIS -->';

function mdTable(rows: readonly Row[]): string {
  const [header, ...body] = rows;
  if (header === undefined) return '';
  const line = (r: Row): string => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...body.map(line)].join('\n');
}

export function markdownReport(report: Report, previous?: string): string {
  const start = previous?.indexOf(ANALYSIS_START) ?? -1;
  const end = previous?.indexOf(ANALYSIS_END) ?? -1;
  const analysis =
    previous !== undefined && start >= 0 && end > start
      ? previous.slice(start, end + ANALYSIS_END.length)
      : `${ANALYSIS_START}\n\n## What limits each figure\n\n(to be written)\n\n${ANALYSIS_END}`;
  // A section measured for the first time gets a paragraph of its own in the analysis, to be written.
  const analysisWithSlots =
    report.partnerCenter !== undefined &&
    !('skipped' in report.partnerCenter) &&
    !analysis.includes(PARTNER_CENTER_ANALYSIS_HEADING)
      ? analysis.replace(
          ANALYSIS_END,
          `${PARTNER_CENTER_ANALYSIS_HEADING}\n\n(to be written)\n\n${ANALYSIS_END}`,
        )
      : analysis;
  const answers = Object.entries(report.answers)
    .filter(([key]) => key.endsWith(' app') || key === 'first confirm')
    .map(([key, text]) => `- ${key}: “${text.replace(/\s+/g, ' ').slice(0, 140)}…”`);
  return `# Benchmarks

Generated by \`${report.command}\` on ${report.date.slice(0, 10)} (commit ${report.commit}), in ${report.seconds.toFixed(0)} s.
The figures below are from that run; only the section "What limits each figure" is written by hand.

**Machine**: ${machineLine(report)}. Other work was running on the machine at the same time: the load
average says how much.

**How**: ${settingsLine(report)}. Each bot is its own Node process on a loopback port
(\`LOG_LEVEL=warn\`, a fresh \`DATA_DIR\`), autocannon runs in the runner's process, and the replies of normal
delivery go to a stand-in channel in a third process (${report.channelReceived.toLocaleString('en')} replies received).

## Rerun

\`\`\`sh
npm ci
npm run bench             # 3 to 4 minutes, and 3 to 4 more for Partner Center; rewrites this file (keeps the analysis)
npm run bench -- --quick  # about 2 minutes; prints the tables, writes nothing (add --out FILE to write)
npm run bench -- --scenarios partner-center --sizes none   # only the Partner Center section
npm run bench -- --profile prof/   # adds CPU profiles of the bots (node --cpu-prof)
npx tsx bench/profile-summary.ts prof/FILE.cpuprofile
\`\`\`

\`npm run bench\` compiles \`src/\` and the benchmark's servers with the project's TypeScript into a temporary
directory (as \`npm run build\` does, leaving \`dist/\` alone) and runs them with \`node\`: the figures are those of
\`npm start\`. \`--quick\` (and \`--from sources\`) runs them from the sources with tsx instead, which costs about
1.5 s more at start-up and nothing afterwards.

## Targets

${mdTable([
  ['Figure', 'Target', 'Measured', ''],
  ...targets(report).map((t) => [
    t.what,
    t.target,
    t.figure,
    (t.met === false ? '**missed**' : verdict(t.met)) + (t.note ? ` (${t.note})` : ''),
  ]),
])}

## HTTP: the Upgrade Assistant against a minimal echo bot

Both on botbuilder's CloudAdapter and restify; the echo bot has nothing else (no state, understanding or
cards). p50 and p99 at 1 connection (the time one request takes), requests per second at
${report.settings.connections} connections (the capacity of the process); ratios are the app over the echo bot (of the
figures pooled over the rounds), with the range of the per-round ratios in brackets. "CPU/request" is the CPU time (user and system, all threads) of
each bot's process during its loads divided by the requests it answered: the cost of a request, which depends
little on what else the machine is doing. The app runs with \`RATE_LIMIT_MESSAGES=0\`: one simulated user sends
hundreds of messages a second, which the per-user limit would otherwise refuse.

${mdTable(abRows(report))}

- **"can Contoso upgrade?"**: the eligibility answer on the demo directory (understanding, lookup, rules,
  the Adaptive Card, the conversation state saved in SQLite). The echo bot echoes the text.
- **Card confirm, same token**: repeated confirms of one token that was confirmed once before the load, so every
  measured request is the exactly-once path answering "already done" (ledger read, card). The echo bot echoes a
  message with the same value.
- **Review → confirm, fresh token**: each connection loops review (a new pending token, the confirm card) then
  confirm of that token (the upgrade, in one SQLite transaction), each pair on a different upgradable
  subscription of the ${report.settings.pairSize.toLocaleString('en')}-customer directory. Over the Emulator's
  Action.Submit with expectReplies, and as Teams sends it (Action.Execute invokes, the card in the invoke
  response). The echo bot gets two messages with the same values (for the invoke row: in normal delivery).

What the app answered (checked before the loads; with expectReplies every answer of the loads is checked too):

${answers.join('\n')}

Replies the channel received per request (normal delivery must send exactly one):
${report.ab
  .filter((r) => r.delivery === 'channel')
  .map(
    (r) =>
      `${r.label}: echo ${(r.channel.echo.replies / r.channel.echo.requests).toFixed(2)}, ` +
      `app ${(r.channel.app.replies / r.channel.app.requests).toFixed(2)}`,
  )
  .join('; ')}. The most frequent replies it received:

${Object.entries(report.channelTexts)
  .sort((a, b) => b[1] - a[1])
  .slice(0, 6)
  .map(([text, count]) => `- ${count.toLocaleString('en')} × “${text.replace(/\s+/g, ' ')}…”`)
  .join('\n')}

## Scale

Directories of the demo customers plus customers from the tests' generator (\`generateCustomers\`, seed 42).
"In process": the app's modules timed directly in a process of their own (\`bench/scale.ts\`); "over HTTP": the
app started on that directory file, questions with expectReplies at 1 connection. Start-up is from the spawn of
\`node\` to the first 200 of \`GET /healthz\`. p99 "every call" includes collector pauses and other processes
taking the CPU; "steady" takes each query's fastest of the rounds.

${mdTable(scaleRows(report))}

What the app answered at each size:

${report.overHttp
  .flatMap((h) =>
    Object.entries(h.answers).map(
      ([key, text]) =>
        `- ${h.size.toLocaleString('en')}, ${key}: “${text.replace(/\s+/g, ' ').slice(0, 160)}…”`,
    ),
  )
  .join('\n')}

${enginesMarkdown(report.engines)}${partnerCenterMarkdown(report.partnerCenter)}${analysisWithSlots}
`;
}
