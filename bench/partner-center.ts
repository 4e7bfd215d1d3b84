/**
 * The bot on Partner Center, over HTTP, against the local simulator (scripts/partner-center-sim, its own HTTPS
 * process, trusted through NODE_EXTRA_CA_CERTS as production trusts a private CA):
 *
 * 1. Sync: the bot on `CUSTOMER_SOURCE=partner-center` at a lifted request budget syncs a generated directory
 *    at start; the time from its first call until every customer is in its store (SQLite, read-only), and the
 *    simulator's calls by route. What that gives at Partner Center's budget is computed (bench/partner-center-
 *    report.ts), and checked by a bot at the default budget syncing for a few seconds.
 * 2. "can Contoso upgrade?" (expectReplies) on the echo bot, the app on the same directory file, and the app on
 *    Partner Center (answered from its store): latency at 1 connection, throughput at `connections`.
 * 3. Review → confirm (Teams invokes, 1 connection, fresh tokens) with the simulator answering every call after
 *    150 ms: the live re-check at review, the re-check and the upgrade at confirm.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startSimulator, type RunningSimulator, type SimStats } from '../scripts/partner-center-sim/start.js';
import {
  scaleDirectory,
  upgradeCandidates,
  writeDirectoryFile,
  type UpgradeCandidate,
} from './directory-file.js';
import {
  APOLOGY,
  APP_ENV,
  activity,
  confirmToken,
  post,
  replyTexts,
  runLoad,
  teamsInvoke,
  type LoadResult,
  type Step,
} from './load.js';
import { BotProcess, freshDir, type Launcher } from './processes.js';
import { summarize } from './stats.js';
import {
  PAIR_TARGETS,
  PC_TARGETS,
  SIGN_IN_ROUTES,
  type BudgetCheck,
  type LoadFigures,
  type PairFigures,
  type PartnerCenterOutcome,
  type PairTarget,
  type PcTarget,
  type SyncMeasure,
} from './partner-center-report.js';

export interface PartnerCenterOptions {
  readonly launcher: Launcher;
  readonly quick: boolean;
  readonly rounds: number;
  /** Seconds per eligibility load. */
  readonly duration: number;
  /** Connections of the eligibility throughput loads. */
  readonly connections: number;
  readonly log: (line: string) => void;
}

/** Partner Center's published budget per tenant, and what the bot keeps of it for live checks (its defaults). */
const BUDGET = { requestsPerMinute: 500, reservedForLive: 100, maxConcurrent: 8 };
/** The lifted budget of the measured sync: the highest PARTNER_CENTER_REQUESTS_PER_MINUTE the bot accepts. */
const LIFTED = 100_000;
/** A realistic time for Partner Center to answer one call. */
const LATENCY_MS = 150;

type Route = Readonly<Record<string, number>>;

/** Calls the simulator received, by route (each call once, whatever its outcome). */
function received(stats: SimStats): Record<string, number> {
  return Object.fromEntries(
    Object.entries(stats.byRoute)
      .map(([route, outcomes]) => [route, outcomes['received'] ?? 0] as const)
      .filter(([, n]) => n > 0),
  );
}

const apiCalls = (calls: Route): number =>
  Object.entries(calls)
    .filter(([route]) => !SIGN_IN_ROUTES.includes(route))
    .reduce((a, [, n]) => a + n, 0);

const difference = (after: Route, before: Route): Record<string, number> =>
  Object.fromEntries(
    Object.entries(after)
      .map(([route, n]) => [route, n - (before[route] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );

/** Customers in the bot's store (0 until its database exists). */
function storedCustomers(dataDir: string): number {
  const file = join(dataDir, 'upgrade-assistant.db');
  if (!existsSync(file)) return 0;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM customers').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet, or busy being migrated
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The environment of a bot on the simulator (the names an operator sets). */
function partnerCenterEnv(sim: RunningSimulator, extra: Record<string, string>): Record<string, string> {
  return {
    ...APP_ENV,
    ...sim.botEnv(),
    // No second sync during the loads.
    PARTNER_CENTER_SYNC_MINUTES: '1440',
    ...extra,
  };
}

/**
 * Starts the bot on the simulator and waits until its store holds every customer; polls the simulator until
 * its first call (to time the sync from there) and the store every 50 ms.
 */
async function measureSync(
  o: PartnerCenterOptions,
  sim: RunningSimulator,
): Promise<{ bot: BotProcess; sync: SyncMeasure }> {
  const dataDir = freshDir('data-partner-center');
  const expected = sim.ready.customers;
  await sim.resetStats();
  const spawned = performance.now();
  const bot = await BotProcess.start(
    'partner-center',
    o.launcher,
    'app',
    partnerCenterEnv(sim, { DATA_DIR: dataDir, PARTNER_CENTER_REQUESTS_PER_MINUTE: String(LIFTED) }),
  );
  let healthyAt = NaN;
  const healthy = bot.healthy().then((t) => (healthyAt = t));
  let failure: unknown;
  healthy.catch((error: unknown) => (failure = error));
  let firstCallAt = NaN;
  let cpuAtFirstCall = NaN;
  let storedAt = NaN;
  const timeoutMs = 10 * 60_000;
  while (Number.isNaN(storedAt)) {
    if (failure !== undefined) throw failure;
    const now = performance.now();
    if (now - spawned > timeoutMs) {
      throw new Error(
        `partner center: ${storedCustomers(dataDir)} of ${expected} customers stored after ${timeoutMs / 1000} s:\n${bot.log}`,
      );
    }
    if (Number.isNaN(firstCallAt)) {
      if ((await sim.stats()).requests > 0) {
        firstCallAt = performance.now();
        cpuAtFirstCall = bot.cpuMs();
      } else if (!Number.isNaN(healthyAt) && now - spawned - healthyAt > 30_000) {
        throw new Error(
          'partner center: the bot on CUSTOMER_SOURCE=partner-center answers but has not called the simulator ' +
            `in 30 s (is the source wired in?):\n${bot.log}`,
        );
      }
    }
    if (storedCustomers(dataDir) >= expected) storedAt = performance.now();
    else await sleep(50);
  }
  await healthy;
  const cpuMs = bot.cpuMs() - (Number.isNaN(cpuAtFirstCall) ? 0 : cpuAtFirstCall);
  const stats = await sim.stats();
  const calls = received(stats);
  return {
    bot,
    sync: {
      customers: storedCustomers(dataDir),
      requestsPerMinute: LIFTED,
      untilHealthyMs: healthyAt,
      untilStoredMs: storedAt - spawned,
      syncMs: storedAt - (Number.isNaN(firstCallAt) ? spawned : firstCallAt),
      calls,
      apiCalls: apiCalls(calls),
      signInCalls: Object.entries(calls)
        .filter(([route]) => SIGN_IN_ROUTES.includes(route))
        .reduce((a, [, n]) => a + n, 0),
      throttled: stats.throttled,
      cpuMs,
    },
  };
}

/**
 * A bot at the default budget syncs against the simulator (which enforces the same 500 a minute) for
 * `seconds`: the Partner Center calls it makes meanwhile, counted from its first one.
 */
async function checkBudget(
  o: PartnerCenterOptions,
  sim: RunningSimulator,
  seconds: number,
): Promise<BudgetCheck> {
  await sim.config({ rateLimitPerMinute: BUDGET.requestsPerMinute });
  await sim.resetStats();
  const bot = await BotProcess.start(
    'partner-center-budget',
    o.launcher,
    'app',
    partnerCenterEnv(sim, { DATA_DIR: freshDir('data-partner-center-budget') }),
  );
  try {
    await bot.healthy();
    let first: { at: number; calls: number } | undefined;
    const began = performance.now();
    while (first === undefined) {
      const calls = apiCalls(received(await sim.stats()));
      if (calls > 0) first = { at: performance.now(), calls };
      else if (performance.now() - began > 30_000)
        throw new Error('partner center: the budget check made no call');
      else await sleep(20);
    }
    await sleep(seconds * 1000);
    const stats = await sim.stats();
    const at = performance.now();
    return {
      requestsPerMinute: BUDGET.requestsPerMinute,
      reservedForLive: BUDGET.reservedForLive,
      seconds: (at - first.at) / 1000,
      calls: apiCalls(received(stats)) - first.calls,
      throttled: stats.throttled,
    };
  } finally {
    await bot.stop();
    await sim.config({ rateLimitPerMinute: 0 });
  }
}

type Kind = 'done' | 'in progress' | 'already handled' | 'other';

/** What a confirm answered, as the user reads it. */
function confirmKind(body: string): Kind {
  if (body.includes('Upgrade done') || body.includes('Done:')) return 'done';
  if (body.includes('Upgrade in progress')) return 'in progress';
  if (body.includes('Already handled') || body.includes('already done')) return 'already handled';
  return 'other';
}

/** The first texts of a card (invoke response) or of the replies (expectReplies), for the record. */
function firstText(body: string): string {
  const replies = replyTexts(body).filter((t) => t !== '');
  if (replies.length > 0) return replies[0] ?? '';
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (n.type === 'TextBlock' && typeof n.text === 'string') texts.push(n.text);
      Object.values(n).forEach(walk);
    }
  };
  try {
    walk(JSON.parse(body));
  } catch {
    return body.slice(0, 160);
  }
  return texts.slice(0, 2).join(' — ');
}

export async function partnerCenterBench(o: PartnerCenterOptions): Promise<PartnerCenterOutcome> {
  const began = performance.now();
  const loadAverages: number[] = [loadavg()[0] ?? NaN];
  const notes: string[] = [];
  const size = o.quick ? 1000 : 5000;
  const directory = join(freshDir('partner-center-directory'), 'directory.json');
  const { customers, demoCount, partner } = scaleDirectory(size);
  writeDirectoryFile(directory, { partner, customers });
  const candidates = upgradeCandidates(customers, demoCount, 2000);

  o.log(`partner center: starting the simulator on ${size.toLocaleString('en')} customers`);
  const sim = await startSimulator({
    directory,
    rateLimitPerMinute: 0,
    stateDir: freshDir('partner-center-sim'),
    startTimeoutMs: 120_000,
  });
  const processes: BotProcess[] = [];
  try {
    const started = await Promise.all([
      BotProcess.start('pc-channel', o.launcher, 'channel'),
      BotProcess.start('pc-echo', o.launcher, 'echo'),
      BotProcess.start('pc-file', o.launcher, 'app', {
        ...APP_ENV,
        DATA_DIR: freshDir('data-pc-file'),
        DIRECTORY_FILE: directory,
      }),
    ]);
    processes.push(...started);
    const [channel, echo, file] = started as [BotProcess, BotProcess, BotProcess];
    await Promise.all(started.map((p) => p.healthy()));

    o.log('partner center: the sync at a lifted budget');
    const { bot: partnerCenter, sync } = await measureSync(o, sim);
    processes.push(partnerCenter);
    o.log(
      `partner center: ${sync.customers} customers stored ${(sync.syncMs / 1000).toFixed(1)} s after the first call, ` +
        `${sync.apiCalls} Partner Center calls`,
    );
    if (sync.customers !== size) notes.push(`MISMATCH: ${sync.customers} customers stored of ${size}.`);

    const serviceUrl = channel.url;
    const bots: Record<PcTarget, BotProcess> = { echo, file, partnerCenter };
    const message = (c: Record<string, unknown>, body: { text?: string; value?: Record<string, unknown> }) =>
      activity({ serviceUrl, delivery: 'expectReplies', conversationId: String(c.conversationId), ...body });
    const next: Record<PcTarget, number> = { echo: 0, file: 0, partnerCenter: 0 };
    /** The bot a pair target runs on: both Partner Center targets are the one app (one store, one simulator). */
    const botOf = (target: PairTarget): PcTarget =>
      target === 'partnerCenterAt0' ? 'partnerCenter' : target;
    const take = (target: PcTarget): UpgradeCandidate => {
      const candidate = candidates[next[target]++];
      if (candidate === undefined)
        throw new Error(`partner center: out of upgradable subscriptions for ${target}`);
      return candidate;
    };
    const reviewData = (x: UpgradeCandidate) => ({
      customerId: x.customerId,
      subscriptionId: x.subscriptionId,
      target: x.target,
      seats: String(x.seats),
      transfer: 'true',
    });
    const answers: Record<string, string> = {};
    /** Confirms answered "done" by the app on Partner Center, checks and warm-up included. */
    let partnerCenterDone = 0;

    // The eligibility turn.
    const eligibilitySteps: Step[] = [(c) => message(c, { text: 'can Contoso upgrade?' })];
    const eligibilityOk =
      (target: PcTarget) =>
      (_step: number, status: number, body: string): boolean =>
        status === 200 &&
        !body.includes(APOLOGY) &&
        (target === 'echo' ? /^Echo: can Contoso/ : /Contoso Ltd/).test(replyTexts(body)[0] ?? '');
    for (const target of PC_TARGETS) {
      const answer = await post(
        bots[target].url,
        message({ conversationId: `pc-check-${target}` }, { text: 'can Contoso upgrade?' }),
      );
      if (!eligibilityOk(target)(0, answer.status, answer.body))
        throw new Error(`partner center: eligibility on ${target}: ${answer.body.slice(0, 300)}`);
      answers[`"can Contoso upgrade?" ${target}`] = firstText(answer.body);
    }

    // Review → confirm: the echo bot gets two messages with the same values; the apps, Teams invokes.
    const pairSteps = (target: PcTarget): Step[] =>
      target === 'echo'
        ? [
            (c) => message(c, { value: { verb: 'review', ...reviewData(candidates[0]!) } }),
            (c) => message(c, { value: { verb: 'confirm', token: 'bench' } }),
          ]
        : [
            (c) => teamsInvoke(serviceUrl, String(c.conversationId), 'review', reviewData(take(target))),
            (c) => teamsInvoke(serviceUrl, String(c.conversationId), 'confirm', { token: c.token }),
          ];
    /** Reads a pair's answers: the token of the review's card, then what the confirm answered (tallied in `kinds`). */
    const pairOk =
      (target: PcTarget, kinds: Record<string, number> = {}) =>
      (step: number, status: number, body: string, c: Record<string, unknown>): boolean => {
        if (status !== 200) return false;
        if (target === 'echo') return true;
        if (step === 0) {
          c.token = confirmToken(body);
          return c.token !== undefined;
        }
        const kind = confirmKind(body);
        kinds[kind] = (kinds[kind] ?? 0) + 1;
        if (kind === 'done' && target === 'partnerCenter') partnerCenterDone++;
        return kind === 'done';
      };
    // One pair alone on each bot, at the simulator's realistic latency: its answers, and the calls of each step.
    await sim.config({ latencyMs: LATENCY_MS });
    const stepCalls = { review: {} as Route, confirm: {} as Route };
    for (const target of PC_TARGETS) {
      const context: Record<string, unknown> = { conversationId: `pc-check-pair-${target}` };
      const steps = pairSteps(target);
      for (const [i, step] of steps.entries()) {
        const before = received(await sim.stats());
        const answer = await post(bots[target].url, step(context));
        if (!pairOk(target)(i, answer.status, answer.body, context))
          throw new Error(
            `partner center: review → confirm on ${target}, step ${i}: ${answer.body.slice(0, 300)}`,
          );
        if (target === 'partnerCenter')
          stepCalls[i === 0 ? 'review' : 'confirm'] = difference(received(await sim.stats()), before);
        answers[`${i === 0 ? 'review' : 'confirm'} ${target}`] = firstText(answer.body);
      }
    }
    await sim.config({ latencyMs: 0 });

    interface Tally {
      latency: LoadResult[];
      throughput: LoadResult[];
      cpuMs: number;
      requests: number;
      /** What the measured confirms answered. */
      kinds: Record<string, number>;
    }
    const tallies = new Map<string, Tally>();
    const tally = (load: string, target: PairTarget): Tally => {
      const key = `${load} ${target}`;
      let t = tallies.get(key);
      if (t === undefined) {
        t = { latency: [], throughput: [], cpuMs: 0, requests: 0, kinds: {} };
        tallies.set(key, t);
      }
      return t;
    };
    const run = async (
      load: 'eligibility' | 'pair',
      target: PairTarget,
      shape: 'latency' | 'throughput',
      warmUp = false,
    ): Promise<void> => {
      const on = botOf(target);
      const bot = bots[on];
      const connections = shape === 'latency' ? 1 : o.connections;
      const pairs = o.quick ? 20 : 40;
      const t = tally(load, target);
      const cpuBefore = bot.cpuMs();
      const result = await runLoad({
        url: bot.url,
        connections,
        duration: warmUp ? 0.5 : o.duration,
        ...(load === 'pair' ? { amount: warmUp ? 8 : pairs * 2 } : {}),
        steps: load === 'pair' ? pairSteps(on) : eligibilitySteps,
        onResponse: load === 'pair' ? pairOk(on, warmUp ? {} : t.kinds) : eligibilityOk(on),
      });
      if (warmUp) return;
      t[shape].push(result);
      t.cpuMs += bot.cpuMs() - cpuBefore;
      t.requests += result.ok + result.failed;
      if (result.failed > 0) {
        o.log(
          `partner center: warning: ${load} on ${target} (${shape}): ${result.failed} failed, first: ${result.firstFailure}`,
        );
      }
    };

    o.log('partner center: "can Contoso upgrade?"');
    const beforeEligibility = received(await sim.stats());
    for (const target of PC_TARGETS) await run('eligibility', target, 'throughput', true);
    for (let round = 0; round < o.rounds; round++) {
      loadAverages.push(loadavg()[0] ?? NaN);
      for (const shape of ['latency', 'throughput'] as const) {
        // The order rotates every round, so that drift of the machine spreads over all.
        const shift = round % PC_TARGETS.length;
        for (const target of [...PC_TARGETS.slice(shift), ...PC_TARGETS.slice(0, shift)])
          await run('eligibility', target, shape);
      }
    }
    const eligibilityApiCalls = apiCalls(difference(received(await sim.stats()), beforeEligibility));

    o.log(`partner center: review → confirm, the simulator answering after ${LATENCY_MS} ms and at once`);
    // The simulator's latency is set for each load: realistic, but none for the app's own time.
    const pairRun = async (target: PairTarget, warmUp = false): Promise<void> => {
      await sim.config({ latencyMs: target === 'partnerCenterAt0' ? 0 : LATENCY_MS });
      await run('pair', target, 'latency', warmUp);
    };
    for (const target of PAIR_TARGETS) await pairRun(target, true);
    for (let round = 0; round < o.rounds; round++) {
      loadAverages.push(loadavg()[0] ?? NaN);
      const shift = round % PAIR_TARGETS.length;
      for (const target of [...PAIR_TARGETS.slice(shift), ...PAIR_TARGETS.slice(0, shift)])
        await pairRun(target);
      o.log(
        `partner center: round ${round + 1} of ${o.rounds} done (load average ${loadavg()[0]?.toFixed(2)})`,
      );
    }
    const afterPairs = await sim.stats();
    await sim.config({ latencyMs: LATENCY_MS });

    const budgetCheck = await checkBudget(o, sim, o.quick ? 15 : 45);
    o.log(
      `partner center: at the default budget, ${budgetCheck.calls} calls in ${budgetCheck.seconds.toFixed(1)} s ` +
        `(${budgetCheck.throttled} throttled)`,
    );
    loadAverages.push(loadavg()[0] ?? NaN);

    const eligibility: Partial<Record<PcTarget, LoadFigures>> = {};
    const pair: Partial<Record<PairTarget, PairFigures>> = {};
    for (const target of PC_TARGETS) {
      const e = tally('eligibility', target);
      const all = [...e.latency, ...e.throughput];
      const firstFailure = all.find((r) => r.firstFailure !== undefined)?.firstFailure;
      const latency = summarize(e.latency.flatMap((r) => r.latencies));
      eligibility[target] = {
        p50: latency.p50,
        p99: latency.p99,
        rps: e.throughput.reduce((a, r) => a + r.ok, 0) / e.throughput.reduce((a, r) => a + r.elapsed, 0),
        rpsByRound: e.throughput.map((r) => r.ok / r.elapsed),
        throughputP99: summarize(e.throughput.flatMap((r) => r.latencies)).p99,
        requests: e.requests,
        failed: all.reduce((a, r) => a + r.failed, 0),
        ...(firstFailure === undefined ? {} : { firstFailure }),
        cpuPerRequest: e.cpuMs / e.requests,
      };
    }
    for (const target of PAIR_TARGETS) {
      const p = tally('pair', target);
      const pairFailure = p.latency.find((r) => r.firstFailure !== undefined)?.firstFailure;
      const step = (i: number) => summarize(p.latency.flatMap((r) => r.byStep[i] ?? []));
      pair[target] = {
        pairs: p.requests / 2,
        review: { p50: step(0).p50, p99: step(0).p99 },
        confirm: { p50: step(1).p50, p99: step(1).p99 },
        answers: target === 'echo' ? { echoed: p.requests / 2 } : p.kinds,
        failed: p.latency.reduce((a, r) => a + r.failed, 0),
        ...(pairFailure === undefined ? {} : { firstFailure: pairFailure }),
      };
    }
    return {
      directorySize: size,
      latencyMs: LATENCY_MS,
      rounds: o.rounds,
      connections: o.connections,
      duration: o.duration,
      sync,
      budget: BUDGET,
      budgetCheck,
      eligibility,
      eligibilityApiCalls,
      pair,
      stepCalls,
      upgradesApplied: afterPairs.upgradesApplied,
      confirmsDone: partnerCenterDone,
      answers,
      loadAverages,
      seconds: (performance.now() - began) / 1000,
      notes,
    };
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await sim.stop();
  }
}
