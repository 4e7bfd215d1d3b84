/**
 * The storage-engine section of the benchmark (bench/engines.ts): what it measured, and its tables on the
 * console and in docs/benchmarks.md.
 */
import { ms } from './stats.js';

/** Where the loads went: the echo bot, the app on SQLite, the app on PostgreSQL, two app replicas on one database. */
export type EngineTarget = 'echo' | 'sqlite' | 'postgresql' | 'replicas';
export const ENGINE_TARGETS: readonly EngineTarget[] = ['echo', 'sqlite', 'postgresql', 'replicas'];

export interface EngineFigures {
  /** At 1 connection (not measured for two replicas: one connection cannot be split). */
  readonly p50: number;
  readonly p99: number;
  /** Successful requests per second at the throughput connections, pooled over the rounds. */
  readonly rps: number;
  readonly rpsByRound: readonly number[];
  /** p99 at the throughput connections. */
  readonly throughputP99: number;
  readonly requests: number;
  readonly failed: number;
  readonly firstFailure?: string;
  /** CPU time (user + system) of the bot process(es) per request, over all the loads of this target. */
  readonly cpuPerRequest: number;
  /** CPU time of the apps' PostgreSQL backends (their pool connections) per request; NaN when not measured. */
  readonly serverCpuPerRequest: number;
}

export interface EngineLoad {
  readonly id: 'eligibility' | 'pair';
  readonly label: string;
  readonly figures: Readonly<Partial<Record<EngineTarget, EngineFigures>>>;
}

export interface RoundTrips {
  readonly load: string;
  /** Requests (HTTP turns) measured. */
  readonly requests: number;
  /** Statements the server executed per request (each one a round trip from the pool), BEGIN and COMMIT included. */
  readonly statements: number;
  /** Explicit transactions (BEGIN) per request. */
  readonly begins: number;
  /**
   * Transactions per request (pg_stat_database xact_commit + xact_rollback of the app's database: explicit ones
   * and statements outside them), less the directory watch's timer looks.
   */
  readonly transactions: number;
  /** WAL flushes to disk per request (pg_stat_wal wal_sync, the whole server) and the mean time of one. */
  readonly walSyncs: number;
  readonly walSyncMs: number;
  /** WAL bytes written per request. */
  readonly walBytes: number;
  /** Server-side execution time of those statements per request (pg_stat_statements total_exec_time). */
  readonly execMs: number;
  /** The statements, most frequent first: calls per request and the start of the normalised text. */
  readonly top: readonly { readonly perRequest: number; readonly execMs: number; readonly query: string }[];
}

export interface ExactlyOnce {
  /** Review → confirm pairs of the loads on the two replicas, and confirms answered "done". */
  readonly loadPairs: number;
  readonly loadDone: number;
  /** The race: tokens each confirmed by `pressesPerToken` concurrent presses, half on each replica. */
  readonly raceTokens: number;
  readonly pressesPerToken: number;
  /** The answers of the race's presses, by kind (done, already done, being carried out, apology, other). */
  readonly raceAnswers: Readonly<Record<string, number>>;
  /** Tokens of the race that got exactly one "done". */
  readonly raceTokensDoneOnce: number;
  /** In the shared database afterwards: executions, ledger rows done, subscriptions upgraded more than once. */
  readonly executions: number;
  readonly ledgerDone: number;
  readonly duplicateSubscriptions: number;
  /** Every confirm answered done exactly once, and the database agrees. */
  readonly held: boolean;
}

export interface EnginesReport {
  /** The server: our own cluster or DATABASE_URL's, its version and durability settings as the server reports them. */
  readonly server: string;
  readonly durability: string;
  readonly directorySize: number;
  readonly rounds: number;
  readonly connections: number;
  readonly duration: number;
  readonly poolSize: number;
  readonly loads: readonly EngineLoad[];
  readonly roundTrips: readonly RoundTrips[];
  readonly exactlyOnce?: ExactlyOnce;
  /** 1-minute load averages noted during this section. */
  readonly loadAverages: readonly number[];
  readonly seconds: number;
  readonly notes: readonly string[];
}

export type EnginesOutcome = EnginesReport | { readonly skipped: string };

type Row = readonly string[];

const NAMES: Record<EngineTarget, string> = {
  echo: 'echo bot (baseline)',
  sqlite: 'app, SQLite',
  postgresql: 'app, PostgreSQL (1 replica)',
  replicas: 'app, PostgreSQL, 2 replicas (half the connections each)',
};

const x = (ratio: number): string => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a');
const rps = (value: number): string => (Number.isFinite(value) ? value.toFixed(0) : 'n/a');
const range = (values: readonly number[]): string =>
  values.length < 2 ? '' : ` (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;

export function engineRows(report: EnginesReport): Row[] {
  const header: Row = [
    'Load',
    'Bot',
    'p50',
    'p99',
    'p50 × echo',
    `req/s (${report.connections} conn.; rounds)`,
    'req/s × echo',
    'req/s × 1 replica',
    `p99 (${report.connections} conn.)`,
    'CPU/request: bot (× echo)',
    'CPU/request: PostgreSQL backends',
    'failed',
  ];
  const rows: Row[] = [header];
  for (const load of report.loads) {
    const echo = load.figures.echo;
    const one = load.figures.postgresql;
    for (const target of ENGINE_TARGETS) {
      const f = load.figures[target];
      if (f === undefined) continue;
      const latency = target !== 'replicas';
      rows.push([
        load.label,
        NAMES[target],
        latency ? ms(f.p50) : '—',
        latency ? ms(f.p99) : '—',
        latency && target !== 'echo' && echo !== undefined ? x(f.p50 / echo.p50) : '',
        rps(f.rps) + range(f.rpsByRound),
        target !== 'echo' && echo !== undefined ? x(f.rps / echo.rps) : '',
        target === 'replicas' && one !== undefined ? x(f.rps / one.rps) : '',
        ms(f.throughputP99),
        `${ms(f.cpuPerRequest)}${target !== 'echo' && echo !== undefined ? ` (${x(f.cpuPerRequest / echo.cpuPerRequest)})` : ''}`,
        Number.isFinite(f.serverCpuPerRequest) ? ms(f.serverCpuPerRequest) : '',
        `${f.failed} of ${f.requests}`,
      ]);
    }
  }
  return rows;
}

export function roundTripRows(report: EnginesReport): Row[] {
  return [
    [
      'Load (1 connection, app on PostgreSQL)',
      'Requests',
      'Statements (round trips) per request',
      'BEGIN per request',
      'Transactions per request',
      'WAL flushes per request (mean time of one)',
      'WAL per request',
      'Server execution per request',
    ],
    ...report.roundTrips.map((r) => [
      r.load,
      String(r.requests),
      r.statements.toFixed(2),
      r.begins.toFixed(2),
      r.transactions.toFixed(2),
      `${r.walSyncs.toFixed(2)} (${ms(r.walSyncMs)})`,
      `${(r.walBytes / 1024).toFixed(1)} KiB`,
      ms(r.execMs),
    ]),
  ];
}

/** The statements of each round-trip load: calls and server execution time per request. */
export function statementLines(report: EnginesReport): string[] {
  return report.roundTrips.map(
    (r) =>
      `${r.load}: ` +
      r.top
        .filter((t) => t.perRequest >= 0.05)
        .map((t) => `${t.perRequest.toFixed(2)} × \`${t.query.replace(/`/g, "'")}\` (${ms(t.execMs)})`)
        .join('; '),
  );
}

export function exactlyOnceLine(e: ExactlyOnce | undefined): string {
  if (e === undefined) return 'Exactly-once across two replicas: not measured.';
  const answers = Object.entries(e.raceAnswers)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  return (
    `Exactly-once across two replicas: **${e.held ? 'held' : 'NOT HELD'}**. In the loads, ${e.loadDone} of ` +
    `${e.loadPairs} confirms of fresh tokens answered "done"; in the race, each of ${e.raceTokens} tokens was ` +
    `pressed ${e.pressesPerToken} times at once (half on each replica): ${answers}; ${e.raceTokensDoneOnce} of ` +
    `${e.raceTokens} tokens got exactly one "done". In the shared database afterwards: ${e.executions} ` +
    `executions, ${e.ledgerDone} ledger requests done, ${e.duplicateSubscriptions} subscriptions upgraded more than once.`
  );
}

function loadLine(report: EnginesReport): string {
  const loads = report.loadAverages.filter(Number.isFinite);
  return loads.length === 0
    ? ''
    : `load average (1 min) ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} during this section`;
}

function textTable(rows: readonly Row[]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r, i) => {
      const line = r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ');
      return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

function mdTable(rows: readonly Row[]): string {
  const [header, ...body] = rows;
  if (header === undefined) return '';
  const line = (r: Row): string => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...body.map(line)].join('\n');
}

export function enginesText(outcome: EnginesOutcome | undefined): string {
  if (outcome === undefined) return '';
  if ('skipped' in outcome) return `\nStorage engines: skipped (${outcome.skipped})`;
  return [
    '',
    `Storage engines: SQLite, PostgreSQL, two replicas (${outcome.server}; ${outcome.durability}; ${loadLine(outcome)})`,
    textTable(engineRows(outcome)),
    '',
    'Round trips to PostgreSQL (pg_stat_statements)',
    textTable(roundTripRows(outcome)),
    ...statementLines(outcome),
    '',
    exactlyOnceLine(outcome.exactlyOnce),
    ...outcome.notes,
  ].join('\n');
}

export function enginesMarkdown(outcome: EnginesOutcome | undefined): string {
  if (outcome === undefined) return '';
  if ('skipped' in outcome) return `## Storage engines\n\nNot measured in this run: ${outcome.skipped}.\n\n`;
  const r = outcome;
  return `## Storage engines: SQLite, PostgreSQL, two replicas

The same run, side by side (${r.seconds.toFixed(0)} s, ${loadLine(r)}): the echo bot as the baseline, the app on
SQLite (\`DATA_DIR\`), the app on PostgreSQL (\`DATABASE_URL\`, pool of ${r.poolSize}), and two app replicas on one
PostgreSQL database, each its own Node process. PostgreSQL: ${r.server}, with **durable settings** (${r.durability}):
every commit waits for its WAL flush to disk, as a partner's server would; the figures are not those of a
throwaway \`fsync=off\` cluster. All the apps run on the same
${r.directorySize.toLocaleString('en')}-customer directory (demo customers plus generated ones), so that
review → confirm does not run out of upgradable subscriptions; each database gets its own subscriptions, in the
same order. ${r.rounds} round(s); the order of the bots rotates every round. p50 and p99 at 1 connection; requests
per second at ${r.connections} connections (the per-round figures in brackets), for two replicas ${r.connections / 2}
connections to each at the same time. A review → confirm request is half a pair. "CPU/request" is the CPU time of
the bot's process (for two replicas: both), and of the PostgreSQL backends serving its pool connections (from
\`/proc\`; the server's background processes, autovacuum, checkpointer and WAL writer, are left out), divided by the
requests answered.

${mdTable(engineRows(r))}

**What this machine can show.** It has 2 cores, shared by the load generator (autocannon, in the runner's
process), the bot process(es), PostgreSQL's backends and other engineers' work (the load average above). Two
replicas therefore do not get a core each: their row shows the cost of splitting the load (two processes, two
pools, the shared database's locks) and that it stays correct, **not** how replicas scale on a machine with a core
per replica, which this one cannot measure.

Round trips to PostgreSQL per request, counted by the server (\`pg_stat_statements\`, reset before a load of
fixed size at 1 connection on the one-replica app; each statement is one round trip of the pool, BEGIN and
COMMIT included; the directory watch's timer looks of that period are in the statements and taken out of the
transactions):

${mdTable(roundTripRows(r))}

The statements (calls and server execution time per request; those under 0.05 a request left out):

${statementLines(r)
  .map((l) => `- ${l}`)
  .join('\n')}

${exactlyOnceLine(r.exactlyOnce)}
${r.notes.length === 0 ? '' : `\n${r.notes.map((n) => `- ${n}`).join('\n')}\n`}
`;
}
