/**
 * The storage engines, over HTTP, in one run: the echo bot (baseline), the app on SQLite, the app on
 * PostgreSQL, and two app replicas on one PostgreSQL database, each its own process.
 *
 * PostgreSQL is a cluster of the benchmark's own from Debian's binaries (scripts/postgres-cluster.ts) with
 * durable settings (fsync and synchronous_commit on, as a partner's server runs), `pg_stat_statements`
 * preloaded to count the round trips; or, when DATABASE_URL is set, that server (two databases created on it
 * and dropped afterwards). Without either the section is skipped with a note.
 *
 * Loads (expectReplies): the eligibility turn ("can Contoso upgrade?") and review → confirm with fresh tokens
 * (one upgradable subscription per pair); latency at 1 connection, throughput at `connections` (two replicas:
 * half to each, at once). Then the statements per request (pg_stat_statements), and exactly-once across the
 * two replicas: the loads' confirms, a race of concurrent presses of one token on both replicas, and the shared
 * database checked afterwards.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresCluster, postgresBinaries } from '../scripts/postgres-cluster.js';
import {
  APOLOGY,
  APP_ENV,
  activity,
  confirmToken,
  post,
  replyTexts,
  runLoad,
  type LoadResult,
  type Step,
} from './load.js';
import { BotProcess, freshDir, type Launcher } from './processes.js';
import type { UpgradeCandidate } from './directory-file.js';
import { summarize } from './stats.js';
import type {
  EngineFigures,
  EngineLoad,
  EngineTarget,
  EnginesOutcome,
  ExactlyOnce,
  RoundTrips,
} from './engines-report.js';

export interface EnginesOptions {
  readonly launcher: Launcher;
  readonly quick: boolean;
  readonly rounds: number;
  /** Seconds per eligibility load. */
  readonly duration: number;
  /** Connections of the throughput loads (even: two replicas get half each). */
  readonly connections: number;
  /** The directory file all the apps run on, and its upgradable subscriptions. */
  readonly directory: string | undefined;
  readonly directorySize: number;
  readonly candidates: readonly UpgradeCandidate[];
  readonly log: (line: string) => void;
}

/** The app's default pool (src/config.ts DATABASE_POOL_SIZE). */
const POOL_SIZE = 10;
const CLOCK_TICKS = 100;

interface Server {
  readonly description: string;
  /** A database to connect to for CREATE DATABASE. */
  readonly bootstrap: string;
  url(database: string): string;
  /** The server runs on this machine (its backends' CPU time can be read from /proc). */
  readonly local: boolean;
  close(): Promise<void>;
}

/** CPU time (user + system) of a process so far, in ms, from /proc; NaN when it is gone. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

async function sql<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function openServer(log: (line: string) => void): Promise<Server | string> {
  const given = process.env.DATABASE_URL;
  if (given !== undefined && given !== '') {
    const base = new URL(given);
    const made: string[] = [];
    const url = (database: string): string => {
      const u = new URL(base);
      u.pathname = `/${database}`;
      return u.toString();
    };
    log(`engines: PostgreSQL of DATABASE_URL (${base.hostname}:${base.port || '5432'})`);
    return {
      description: `the server of DATABASE_URL (${base.hostname}:${base.port || '5432'})`,
      bootstrap: given,
      url: (database) => {
        made.push(database);
        return url(database);
      },
      local: false,
      close: async () => {
        for (const database of new Set(made)) {
          await sql(given, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
        }
      },
    };
  }
  const bin = postgresBinaries();
  if (bin === undefined) {
    return 'no PostgreSQL server binaries (Debian: apt-get install -y postgresql, or set PG_BIN) and no DATABASE_URL';
  }
  const dir = mkdtempSync(join(tmpdir(), 'ua-bench-pg-'));
  // Durable: not `throwaway` (which turns fsync and synchronous_commit off).
  const cluster = await PostgresCluster.create(bin, { dir });
  const destroy = (): void => cluster.destroy();
  process.once('exit', destroy);
  cluster.start();
  // pg_stat_statements counts the statements per request; it must be preloaded: set it, then restart.
  // track_wal_io_timing: the time of each WAL flush (what a durable commit waits for) in pg_stat_wal.
  await sql(cluster.url(), `ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
  await sql(cluster.url(), `ALTER SYSTEM SET track_wal_io_timing = on`);
  cluster.stop();
  cluster.start();
  log(`engines: PostgreSQL cluster of the benchmark's own (${bin}) on port ${cluster.port}`);
  return {
    description: `a cluster of the benchmark's own from Debian's binaries (${bin}), on this machine's disk`,
    bootstrap: cluster.url(),
    url: (database) => cluster.url(database),
    local: true,
    close: async () => {
      process.off('exit', destroy);
      cluster.destroy();
    },
  };
}

/** Several loads run at once, as one. */
function merge(results: readonly LoadResult[]): LoadResult {
  const firstFailure = results.find((r) => r.firstFailure !== undefined)?.firstFailure;
  return {
    latencies: results.flatMap((r) => r.latencies),
    byStep: results[0]?.byStep.map((_, i) => results.flatMap((r) => r.byStep[i] ?? [])) ?? [],
    ok: results.reduce((a, r) => a + r.ok, 0),
    failed: results.reduce((a, r) => a + r.failed, 0),
    elapsed: Math.max(...results.map((r) => r.elapsed)),
    ...(firstFailure === undefined ? {} : { firstFailure }),
  };
}

const isDone = (body: string): boolean => body.includes('Upgrade done') || body.includes('Done:');

export async function enginesBench(o: EnginesOptions): Promise<EnginesOutcome> {
  const began = performance.now();
  const loadAverages: number[] = [loadavg()[0] ?? NaN];
  const notes: string[] = [];
  const server = await openServer(o.log);
  if (typeof server === 'string') {
    o.log(`engines: skipped: ${server}`);
    return { skipped: server };
  }
  const processes: BotProcess[] = [];
  try {
    const bootstrap = server.bootstrap;
    const [{ version }] = (await sql<{ version: string }>(
      bootstrap,
      'SELECT current_setting($1) AS version',
      ['server_version'],
    )) as [{ version: string }];
    const settings = await sql<{ name: string; setting: string }>(
      bootstrap,
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method') ORDER BY name`,
    );
    const durability = settings.map((s) => `${s.name}=${s.setting}`).join(', ');
    const suffix = process.pid;
    const single = `ua_bench_single_${suffix}`;
    const shared = `ua_bench_replicas_${suffix}`;
    // The bench's own connections go to a database of their own, so that they count in none of the app's.
    const adminDb = `ua_bench_admin_${suffix}`;
    for (const database of [single, shared, adminDb]) await sql(bootstrap, `CREATE DATABASE ${database}`);
    const admin = server.url(adminDb);
    let statements = true;
    try {
      await sql(admin, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    } catch (error) {
      statements = false;
      notes.push(`Round trips not counted: pg_stat_statements is not available (${String(error)}).`);
    }

    // The processes, all on the same directory file; the two replicas start at once on one empty database.
    const directory: Record<string, string> =
      o.directory === undefined ? {} : { DIRECTORY_FILE: o.directory };
    const app = (name: string, env: Record<string, string>): Promise<BotProcess> =>
      BotProcess.start(name, o.launcher, 'app', {
        ...APP_ENV,
        DATA_DIR: freshDir(`data-${name}`),
        ...directory,
        ...env,
      });
    const pgEnv = (database: string) => ({
      DATABASE_URL: server.url(database),
      DATABASE_POOL_SIZE: String(POOL_SIZE),
    });
    const started = await Promise.all([
      BotProcess.start('engines-channel', o.launcher, 'channel'),
      BotProcess.start('engines-echo', o.launcher, 'echo'),
      app('engines-sqlite', {}),
      app('engines-pg', pgEnv(single)),
      app('engines-replica-a', pgEnv(shared)),
      app('engines-replica-b', pgEnv(shared)),
    ]);
    processes.push(...started);
    const [channel, echo, sqlite, postgres, replicaA, replicaB] = started as [
      BotProcess,
      BotProcess,
      BotProcess,
      BotProcess,
      BotProcess,
      BotProcess,
    ];
    const healthy = await Promise.all(started.map((p) => p.healthy()));
    o.log(
      `engines: healthy after ${healthy
        .slice(2)
        .map((t) => `${(t / 1000).toFixed(1)} s`)
        .join(', ')} ` + '(SQLite, PostgreSQL, replica A, replica B; each seeds or finds the directory)',
    );
    const serviceUrl = channel.url;
    const bots: Record<EngineTarget, readonly BotProcess[]> = {
      echo: [echo],
      sqlite: [sqlite],
      postgresql: [postgres],
      replicas: [replicaA, replicaB],
    };

    // Each database has its own subscriptions to upgrade, taken in order; the two replicas share one list.
    const next: Record<EngineTarget, number> = { echo: 0, sqlite: 0, postgresql: 0, replicas: 0 };
    const take = (target: EngineTarget): UpgradeCandidate => {
      const candidate = o.candidates[next[target]++];
      if (candidate === undefined) throw new Error(`Out of upgradable subscriptions for ${target}`);
      return candidate;
    };
    const reviewData = (x: UpgradeCandidate) => ({
      verb: 'review',
      customerId: x.customerId,
      subscriptionId: x.subscriptionId,
      target: x.target,
      seats: String(x.seats),
      transfer: 'true',
    });
    const message = (c: Record<string, unknown>, body: { text?: string; value?: Record<string, unknown> }) =>
      activity({ serviceUrl, delivery: 'expectReplies', conversationId: String(c.conversationId), ...body });
    /** Confirms sent and answered "done", per target (checks and warm-up included). */
    const pairs = {
      sent: { echo: 0, sqlite: 0, postgresql: 0, replicas: 0 } as Record<EngineTarget, number>,
      done: { echo: 0, sqlite: 0, postgresql: 0, replicas: 0 } as Record<EngineTarget, number>,
    };

    interface Load {
      readonly id: EngineLoad['id'];
      readonly label: string;
      steps(target: EngineTarget): Step[];
      onResponse(
        target: EngineTarget,
      ): (step: number, status: number, body: string, c: Record<string, unknown>) => boolean;
      readonly amount?: { readonly latency: number; readonly throughput: number };
    }
    const loads: Load[] = [
      {
        id: 'eligibility',
        label: '"can Contoso upgrade?"',
        steps: () => [(c) => message(c, { text: 'can Contoso upgrade?' })],
        onResponse: (target) => (_step, status, body) =>
          status === 200 &&
          !body.includes(APOLOGY) &&
          (target === 'echo' ? /^Echo: can Contoso/ : /Contoso Ltd/).test(replyTexts(body)[0] ?? ''),
      },
      {
        id: 'pair',
        label: 'review → confirm, fresh token',
        steps: (target) =>
          target === 'echo'
            ? [
                (c) => message(c, { value: reviewData(o.candidates[0]!) }),
                (c) => message(c, { value: { verb: 'confirm', token: 'bench' } }),
              ]
            : [
                (c) => message(c, { value: reviewData(take(target)) }),
                (c) => {
                  pairs.sent[target]++;
                  return message(c, { value: { verb: 'confirm', token: c.token } });
                },
              ],
        onResponse: (target) => (step, status, body, c) => {
          if (status !== 200) return false;
          if (target === 'echo') return true;
          if (step === 0) {
            c.token = confirmToken(body);
            return c.token !== undefined;
          }
          const done = isDone(body);
          if (done) pairs.done[target]++;
          return done;
        },
        amount: o.quick ? { latency: 40, throughput: 160 } : { latency: 80, throughput: 320 },
      },
    ];

    // Checked once before the loads: each bot answers each load as expected.
    for (const load of loads) {
      for (const target of ['echo', 'sqlite', 'postgresql', 'replicas'] as const) {
        for (const bot of bots[target]) {
          const context: Record<string, unknown> = { conversationId: `engines-check-${load.id}-${bot.name}` };
          for (const [i, step] of load.steps(target).entries()) {
            const answer = await post(bot.url, step(context));
            if (!load.onResponse(target)(i, answer.status, answer.body, context)) {
              throw new Error(`engines: ${load.id} on ${bot.name}, step ${i}: ${answer.body.slice(0, 300)}`);
            }
          }
        }
      }
    }

    /** CPU time so far of each client backend (the apps' pool connections) of the databases. */
    const backendsCpu = async (databases: readonly string[]): Promise<Map<number, number>> => {
      if (databases.length === 0 || !server.local) return new Map();
      const rows = await sql<{ pid: number }>(
        admin,
        `SELECT pid FROM pg_stat_activity WHERE datname = ANY($1) AND backend_type = 'client backend'`,
        [databases],
      );
      return new Map(
        rows.map((r) => [r.pid, processCpuMs(r.pid)] as const).filter(([, cpu]) => Number.isFinite(cpu)),
      );
    };

    interface Tally {
      latency: LoadResult[];
      throughput: LoadResult[];
      cpuMs: number;
      serverCpuMs: number;
      requests: number;
    }
    const tallies = new Map<string, Tally>();
    const tally = (load: Load, target: EngineTarget): Tally => {
      const key = `${load.id} ${target}`;
      let t = tallies.get(key);
      if (t === undefined) {
        t = { latency: [], throughput: [], cpuMs: 0, serverCpuMs: 0, requests: 0 };
        tallies.set(key, t);
      }
      return t;
    };
    const run = async (load: Load, target: EngineTarget, shape: 'latency' | 'throughput', warmUp = false) => {
      const targetBots = bots[target];
      const connections = shape === 'latency' ? 1 : o.connections;
      const each = Math.max(1, Math.floor(connections / targetBots.length));
      const amount = load.amount?.[shape];
      const cpuBefore = targetBots.reduce((a, b) => a + b.cpuMs(), 0);
      const databases = target === 'postgresql' ? [single] : target === 'replicas' ? [shared] : [];
      const serverBefore = await backendsCpu(databases);
      const results = await Promise.all(
        targetBots.map((bot) =>
          runLoad({
            url: bot.url,
            connections: each,
            duration: warmUp ? 0.5 : o.duration,
            ...(amount === undefined
              ? {}
              : {
                  amount: warmUp ? each * 4 : Math.floor(amount / targetBots.length / (2 * each)) * 2 * each,
                }),
            steps: load.steps(target),
            onResponse: load.onResponse(target),
          }),
        ),
      );
      const result = merge(results);
      if (warmUp) return;
      const t = tally(load, target);
      t[shape].push(result);
      t.cpuMs += targetBots.reduce((a, b) => a + b.cpuMs(), 0) - cpuBefore;
      const serverAfter = await backendsCpu(databases);
      t.serverCpuMs +=
        databases.length === 0 || !server.local
          ? NaN
          : [...serverAfter].reduce((a, [pid, cpu]) => a + cpu - (serverBefore.get(pid) ?? 0), 0);
      t.requests += result.ok + result.failed;
      if (result.failed > 0) {
        o.log(
          `engines: warning: ${load.id} on ${target} (${shape}): ${result.failed} failed, first: ${result.firstFailure}`,
        );
      }
    };

    o.log('engines: warm-up');
    for (const load of loads)
      for (const target of ['echo', 'sqlite', 'postgresql', 'replicas'] as const)
        await run(load, target, 'throughput', true);
    for (let round = 0; round < o.rounds; round++) {
      loadAverages.push(loadavg()[0] ?? NaN);
      for (const [i, load] of loads.entries()) {
        for (const shape of ['latency', 'throughput'] as const) {
          const targets: EngineTarget[] =
            shape === 'latency'
              ? ['echo', 'sqlite', 'postgresql']
              : ['echo', 'sqlite', 'postgresql', 'replicas'];
          // The order rotates every round and every load, so that drift of the machine spreads over all.
          const shift = (round + i) % targets.length;
          for (const target of [...targets.slice(shift), ...targets.slice(0, shift)])
            await run(load, target, shape);
        }
      }
      o.log(`engines: round ${round + 1} of ${o.rounds} done (load average ${loadavg()[0]?.toFixed(2)})`);
    }

    const figures = (load: Load, target: EngineTarget): EngineFigures | undefined => {
      const t = tallies.get(`${load.id} ${target}`);
      if (t === undefined) return undefined;
      const latency = summarize(t.latency.flatMap((r) => r.latencies));
      const throughput = summarize(t.throughput.flatMap((r) => r.latencies));
      const all = [...t.latency, ...t.throughput];
      const firstFailure = all.find((r) => r.firstFailure !== undefined)?.firstFailure;
      return {
        p50: latency.p50,
        p99: latency.p99,
        rps: t.throughput.reduce((a, r) => a + r.ok, 0) / t.throughput.reduce((a, r) => a + r.elapsed, 0),
        rpsByRound: t.throughput.map((r) => r.ok / r.elapsed),
        throughputP99: throughput.p99,
        requests: t.requests,
        failed: all.reduce((a, r) => a + r.failed, 0),
        ...(firstFailure === undefined ? {} : { firstFailure }),
        cpuPerRequest: t.cpuMs / t.requests,
        serverCpuPerRequest: t.serverCpuMs / t.requests,
      };
    };
    const engineLoads: EngineLoad[] = loads.map((load) => ({
      id: load.id,
      label: load.label,
      figures: Object.fromEntries(
        (['echo', 'sqlite', 'postgresql', 'replicas'] as const).flatMap((target) => {
          const f = figures(load, target);
          return f === undefined ? [] : [[target, f]];
        }),
      ),
    }));

    // Round trips: the server's own counts during a load of fixed size at 1 connection on the one-replica app.
    // pg_stat_statements counts each statement as it ends; pg_stat_database and pg_stat_wal get a backend's
    // counts when it has been idle for up to 10 s (PostgreSQL 15), hence the waits.
    const roundTrips: RoundTrips[] = [];
    if (statements) {
      const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 11_000));
      const counters = async () => {
        const [row] = await sql<{ xacts: string; syncs: string; sync_ms: number }>(
          admin,
          `SELECT d.xact_commit + d.xact_rollback AS xacts, w.wal_sync AS syncs, w.wal_sync_time AS sync_ms
             FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = $1`,
          [single],
        );
        return {
          xacts: Number(row?.xacts),
          syncs: Number(row?.syncs),
          syncMs: Number(row?.sync_ms),
          at: performance.now(),
        };
      };
      o.log('engines: counting round trips (waits for the server statistics to settle)');
      // Nothing but the requests in the counting windows: the loads' autovacuum and a timed checkpoint would
      // add WAL flushes of their own (our own cluster only; restored afterwards).
      if (server.local) {
        await sql(admin, 'ALTER SYSTEM SET autovacuum = off');
        await sql(admin, 'SELECT pg_reload_conf()');
        await sql(admin, 'CHECKPOINT');
        notes.push(
          'While the round trips are counted (after the loads), autovacuum is off and a checkpoint has just run, ' +
            "so that the WAL flushes counted are the requests' own.",
        );
      }
      await settle();
      for (const load of loads) {
        const requests = load.id === 'pair' ? (o.quick ? 40 : 100) : o.quick ? 50 : 200;
        await sql(admin, 'SELECT pg_stat_statements_reset()');
        const before = await counters();
        const result = await runLoad({
          url: postgres.url,
          connections: 1,
          duration: 60,
          amount: requests,
          steps: load.steps('postgresql'),
          onResponse: load.onResponse('postgresql'),
        });
        await settle();
        const after = await counters();
        const rows = await sql<{ query: string; calls: string; exec: number; wal: string }>(
          admin,
          `SELECT query, calls, total_exec_time AS exec, wal_bytes AS wal FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1)
            ORDER BY calls DESC, total_exec_time DESC`,
          [single],
        );
        const n = result.ok + result.failed;
        const calls = (r: { calls: string }): number => Number(r.calls);
        // The directory watch looks once every CACHE_REFRESH_SECONDS (2 s): one transaction each, not a request's.
        const timerLooks = Math.floor((after.at - before.at) / 2000);
        const syncs = after.syncs - before.syncs;
        roundTrips.push({
          load: `${load.label}${load.id === 'pair' ? ' (per request: half a pair)' : ''}`,
          requests: n,
          statements: rows.reduce((a, r) => a + calls(r), 0) / n,
          begins: rows.filter((r) => /^\s*BEGIN/i.test(r.query)).reduce((a, r) => a + calls(r), 0) / n,
          transactions: (after.xacts - before.xacts - timerLooks) / n,
          walSyncs: syncs / n,
          walSyncMs: syncs > 0 ? (after.syncMs - before.syncMs) / syncs : NaN,
          // The WAL the app's own statements wrote (pg_stat_statements), not the server's.
          walBytes: rows.reduce((a, r) => a + Number(r.wal), 0) / n,
          execMs: rows.reduce((a, r) => a + r.exec, 0) / n,
          top: rows.map((r) => ({
            perRequest: calls(r) / n,
            execMs: r.exec / n,
            query: r.query.replace(/\s+/g, ' ').trim().slice(0, 70),
          })),
        });
      }
      if (server.local) {
        await sql(admin, 'ALTER SYSTEM RESET autovacuum');
        await sql(admin, 'SELECT pg_reload_conf()');
      }
    }

    // Exactly-once across the replicas: the loads' pairs, then a race of presses of one token on both.
    const racers = o.quick ? 20 : 50;
    const presses = 4;
    const raceAnswers: Record<string, number> = {};
    let doneOnce = 0;
    for (let i = 0; i < racers; i++) {
      const context: Record<string, unknown> = { conversationId: `engines-race-${i}` };
      const review = await post(replicaA.url, message(context, { value: reviewData(take('replicas')) }));
      const token = confirmToken(review.body);
      if (token === undefined) throw new Error(`engines: race review: ${review.body.slice(0, 300)}`);
      const answers = await Promise.all(
        Array.from({ length: presses }, (_, p) =>
          post(
            (p % 2 === 0 ? replicaA : replicaB).url,
            message(context, { value: { verb: 'confirm', token } }),
          ),
        ),
      );
      let done = 0;
      for (const answer of answers) {
        const text = replyTexts(answer.body)[0] ?? '';
        const kind =
          answer.status !== 200
            ? `HTTP ${answer.status}`
            : isDone(answer.body)
              ? 'done'
              : /already done/.test(text)
                ? 'already done'
                : /being carried out/.test(text)
                  ? 'being carried out'
                  : text.includes(APOLOGY)
                    ? 'apology'
                    : `other (“${text.slice(0, 60)}”)`;
        if (kind === 'done') done++;
        raceAnswers[kind] = (raceAnswers[kind] ?? 0) + 1;
      }
      if (done === 1) doneOnce++;
    }
    const count = async (query: string): Promise<number> =>
      Number((await sql<{ n: string }>(server.url(shared), query))[0]?.n ?? NaN);
    const executions = await count('SELECT count(*) AS n FROM executions');
    const ledgerDone = await count(`SELECT count(*) AS n FROM upgrade_ledger WHERE status = 'done'`);
    const duplicateSubscriptions = await count(
      'SELECT count(*) AS n FROM (SELECT subscription_id FROM executions GROUP BY subscription_id HAVING count(*) > 1) d',
    );
    // The confirms on the replicas: the checks before the loads (one pair on each replica), the loads (warm-up
    // included) and the race.
    const checks = 2;
    const loadPairs = pairs.sent.replicas - checks;
    const loadDone = pairs.done.replicas - checks;
    const expected = checks + loadDone + racers;
    const exactlyOnce: ExactlyOnce = {
      loadPairs,
      loadDone,
      raceTokens: racers,
      pressesPerToken: presses,
      raceAnswers,
      raceTokensDoneOnce: doneOnce,
      executions,
      ledgerDone,
      duplicateSubscriptions,
      held:
        loadDone === loadPairs &&
        doneOnce === racers &&
        executions === expected &&
        ledgerDone === expected &&
        duplicateSubscriptions === 0,
    };
    notes.push(
      `The shared database's ${executions} executions are the confirms answered "done" on the replicas: ` +
        `${loadDone} in the loads (warm-up included), ${checks} in the checks before them, ${racers} in the race` +
        `${executions === expected ? '' : ` (expected ${expected}: MISMATCH)`}.`,
    );
    loadAverages.push(loadavg()[0] ?? NaN);
    return {
      server: `PostgreSQL ${version}, ${server.description}`,
      durability,
      directorySize: o.directorySize,
      rounds: o.rounds,
      connections: o.connections,
      duration: o.duration,
      poolSize: POOL_SIZE,
      loads: engineLoads,
      roundTrips,
      exactlyOnce,
      loadAverages,
      seconds: (performance.now() - began) / 1000,
      notes,
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await server.close();
  }
}
