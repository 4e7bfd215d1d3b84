/**
 * `npm run bench`: the Upgrade Assistant against a minimal botbuilder echo bot over HTTP, and at scale.
 * `npm run bench -- --quick` for a short run (about two minutes, one of them Partner Center's section) that writes
 * no file unless `--out FILE` is given.
 * Options: `--from build|sources`, `--rounds N`, `--duration S`, `--sizes 1000,10000`, `--profile DIR`
 * (CPU profiles of the bots, `node --cpu-prof`), `--out FILE`, `--keep` (keep the temporary files),
 * `--scenarios eligibility,confirm,pair` (only the HTTP loads whose name starts so; `none` for none),
 * `--sizes none` (no scale part). `--scenarios engines` runs only the storage-engine section, `--scenarios
 * partner-center` only the Partner Center one (with `--sizes none`).
 *
 * 1. Scale, in process (bench/scale.ts, one child process per size): writes each generated directory and
 *    times lookup, one customer's eligibility and the fleet question with the app's own modules.
 * 2. HTTP, A/B: the echo bot (bench/echo-bot.ts) and the Upgrade Assistant, each its own process, loaded in
 *    turn by autocannon, the order alternating every round so that drift of the machine cancels out.
 * 2b. Storage engines (bench/engines.ts): the app on SQLite, on PostgreSQL and as two replicas on one database,
 *    beside the echo bot (skipped with a note when there is neither a PostgreSQL server binary nor DATABASE_URL).
 * 2c. Partner Center (bench/partner-center.ts): the app on CUSTOMER_SOURCE=partner-center against the local
 *    simulator: its sync, the eligibility turn from its store beside the file source, review → confirm at 150 ms
 *    a call.
 * 3. Scale over HTTP: the app on each generated directory: start-up until /healthz answers (first start,
 *    which seeds the database, and a restart), questions over HTTP, resident memory.
 * The full run writes docs/benchmarks.md (keeping its hand-written analysis).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDemoDirectory } from '../src/directory/load.js';
import { evaluateSubscription } from '../src/rules/index.js';
import {
  BotProcess,
  PROJECT_ROOT,
  WORK_DIR,
  buildLauncher,
  freshDir,
  killAll,
  removeWorkDir,
  sourcesLauncher,
  type Launcher,
  type Memory,
} from './processes.js';
import {
  APOLOGY,
  APP_ENV,
  activity,
  confirmToken,
  post,
  replyTexts,
  runLoad,
  teamsInvoke,
  type Delivery,
  type LoadResult,
  type Step,
} from './load.js';
import {
  markdownReport,
  textReport,
  type AbResult,
  type Bot,
  type HttpScale,
  type Report,
  type Shape,
} from './report.js';
import type { ScaleMeasure } from './scale.js';
import type { UpgradeCandidate } from './directory-file.js';
import { enginesBench } from './engines.js';
import type { EnginesOutcome } from './engines-report.js';
import { partnerCenterBench } from './partner-center.js';
import type { PartnerCenterOutcome } from './partner-center-report.js';
import { prng, summarize } from './stats.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    from: { type: 'string' },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    sizes: { type: 'string' },
    connections: { type: 'string' },
    profile: { type: 'string' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    scenarios: { type: 'string' },
  },
});

const quick = args.quick === true;
const settings = {
  quick,
  from: (args.from ?? (quick ? 'sources' : 'build')) as 'build' | 'sources',
  rounds: Number(args.rounds ?? (quick ? 1 : 3)),
  /** Seconds per load run. */
  duration: Number(args.duration ?? (quick ? 0.5 : 1.5)),
  /** Connections of the throughput runs (the latency runs use one). */
  connections: Number(args.connections ?? 8),
  sizes: (args.sizes ?? (quick ? '1000' : '1000,10000,100000'))
    .split(',')
    .map(Number)
    .filter((n) => n > 0),
  /** Name prefixes of the HTTP loads to run (all by default). */
  scenarios: args.scenarios?.split(',').filter((x) => x !== ''),
  /** The directory of the review → confirm load: large enough not to run out of upgradable subscriptions. */
  pairSize: quick ? 2000 : 10_000,
  /** The storage-engine section (bench/engines.ts). */
  engines:
    args.scenarios === undefined ||
    args.scenarios.split(',').some((x) => x !== '' && 'engines'.startsWith(x)),
  /** The Partner Center section (bench/partner-center.ts). */
  partnerCenter:
    args.scenarios === undefined ||
    args.scenarios.split(',').some((x) => x !== '' && 'partner-center'.startsWith(x)),
  /** Also time a restart on the seeded database. */
  restart: !quick,
};
/** Only a complete full run rewrites docs/benchmarks.md unless told where to write. */
const complete = !quick && args.scenarios === undefined && args.sizes === undefined;
const out = args.out ?? (complete ? join(PROJECT_ROOT, 'docs', 'benchmarks.md') : undefined);
const profileDir = args.profile;
const profileArgs =
  profileDir === undefined
    ? []
    : [
        '--cpu-prof',
        '--cpu-prof-dir',
        profileDir,
        // The profile is written when the process exits normally: make SIGTERM such an exit.
        '--import',
        'data:text/javascript,process.on("SIGTERM",()=>process.exit(0))',
      ];

const began = performance.now();
const log = (line: string): void =>
  console.log(`[${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s] ${line}`);
const loads: number[] = [];
const noteLoad = (): void => void loads.push(loadavg()[0] ?? NaN);

process.on('exit', () => {
  killAll();
  if (args.keep !== true) removeWorkDir();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

// ---------------------------------------------------------------------------------------------------------
// 1. Scale, in process

function runChild(script: string, childArgs: string[]): Promise<void> {
  return new Promise((resolveChild, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        import.meta.resolve('tsx'),
        '--expose-gc',
        join(PROJECT_ROOT, 'bench', script),
        ...childArgs,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.on('exit', (code) => (code === 0 ? resolveChild() : reject(new Error(`${script} exited ${code}`))));
  });
}

const directoryFiles = new Map<number, string>();
async function scaleInProcess(): Promise<ScaleMeasure[]> {
  const measures: ScaleMeasure[] = [];
  const pairs =
    settings.engines ||
    settings.scenarios === undefined ||
    settings.scenarios.some((x) => 'pair'.startsWith(x));
  const sizes = [...new Set([...settings.sizes, ...(pairs ? [settings.pairSize] : [])])].sort(
    (a, b) => a - b,
  );
  for (const size of sizes) {
    const directory = join(WORK_DIR, `directory-${size}.json`);
    const result = join(WORK_DIR, `scale-${size}.json`);
    noteLoad();
    await runChild('scale.ts', [
      '--size',
      String(size),
      '--directory',
      directory,
      '--result',
      result,
      ...(quick ? ['--quick'] : []),
      ...(size === settings.pairSize ? ['--candidates', '5000'] : []),
    ]);
    directoryFiles.set(size, directory);
    const measure = JSON.parse(readFileSync(result, 'utf8')) as ScaleMeasure;
    measures.push(measure);
    log(
      `in process, ${size.toLocaleString('en')} customers: lookup p99 ${measure.lookup.resolve.p99.toFixed(2)} ms, ` +
        `fleet ${measure.fleetAnswer.median.toFixed(1)} ms`,
    );
  }
  return measures;
}

// ---------------------------------------------------------------------------------------------------------
// 2. HTTP, A/B

interface Scenario {
  readonly id: string;
  readonly label: string;
  readonly delivery: Delivery | 'invoke';
  readonly bots: Readonly<Record<Bot, BotProcess>>;
  steps(bot: Bot): Step[];
  onResponse?(
    bot: Bot,
  ): ((step: number, status: number, body: string, c: Record<string, unknown>) => boolean) | undefined;
  /** Fixed request counts (for loads that use up data), per shape. */
  amount?: Readonly<Record<Shape, number>>;
}

/** The first TextBlock texts of the card in an invoke response. */
function cardTexts(body: string): string[] {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'TextBlock' && typeof o.text === 'string') texts.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  try {
    walk(JSON.parse(body));
  } catch {
    // not JSON: no texts
  }
  return texts;
}

/** The names of the A/B loads (`--scenarios` selects by prefix). */
const AB_LOADS = ['eligibility', 'confirm', 'pair'];

interface HttpSetup {
  readonly scenarios: Scenario[];
  readonly answers: Record<string, string>;
  readonly stop: () => Promise<void>;
  readonly channelCount: () => Promise<number>;
  /** What the channel received: the start of each reply's text, counted. */
  readonly channelTexts: () => Promise<Record<string, number>>;
}

async function httpSetup(launcher: Launcher, candidates: readonly UpgradeCandidate[]): Promise<HttpSetup> {
  const pairDirectory = directoryFiles.get(settings.pairSize);
  const [channel, echo, app, pairApp] = await Promise.all([
    BotProcess.start('channel', launcher, 'channel'),
    BotProcess.start('echo', launcher, 'echo', {}, profileArgs),
    BotProcess.start('app', launcher, 'app', { ...APP_ENV, DATA_DIR: freshDir('data-demo') }, profileArgs),
    BotProcess.start('app-pairs', launcher, 'app', {
      ...APP_ENV,
      DATA_DIR: freshDir('data-pairs'),
      ...(pairDirectory === undefined ? {} : { DIRECTORY_FILE: pairDirectory }),
    }),
  ]);
  await Promise.all([channel, echo, app, pairApp].map((p) => p.healthy()));
  const serviceUrl = channel.url;
  const channelState = async (): Promise<{ received: number; texts: Record<string, number> }> => {
    const res = await fetch(`${channel.url}/count`);
    return (await res.json()) as { received: number; texts: Record<string, number> };
  };
  const channelCount = async (): Promise<number> => (await channelState()).received;
  const answers: Record<string, string> = {};
  const check = (what: string, ok: boolean, detail: string): void => {
    if (!ok) throw new Error(`Check failed: ${what}: ${detail}`);
  };

  // The token of one confirmed upgrade, on a demo customer other than Contoso (whose answer stays as shipped).
  const demo = loadDemoDirectory().customers.filter((c) => c.companyProfile.companyName !== 'Contoso Ltd');
  const upgradable = demo
    .flatMap((c) =>
      c.subscriptions.map((s) => ({ c, s, target: evaluateSubscription(c, s).eligibleTargets[0] })),
    )
    .find((x) => x.target !== undefined);
  if (upgradable === undefined) throw new Error('No upgradable subscription in the demo directory');
  const reviewValue = {
    verb: 'review',
    customerId: upgradable.c.id,
    subscriptionId: upgradable.s.id,
    target: upgradable.target,
    seats: String(upgradable.s.quantity),
    transfer: 'true',
  };
  const base = { serviceUrl, conversationId: 'bench-setup' };
  const review = await post(app.url, activity({ ...base, delivery: 'expectReplies', value: reviewValue }));
  const token = confirmToken(review.body);
  check('review answers a confirm card', token !== undefined, review.body.slice(0, 300));
  const first = await post(
    app.url,
    activity({ ...base, delivery: 'expectReplies', value: { verb: 'confirm', token } }),
  );
  check('first confirm', /^Done/.test(replyTexts(first.body)[0] ?? ''), first.body.slice(0, 300));
  answers['first confirm'] = replyTexts(first.body)[0] ?? '';

  const eligibility = (bot: Bot, delivery: Delivery): Step[] => [
    (c) =>
      activity({
        serviceUrl,
        delivery,
        conversationId: String(c.conversationId),
        text: 'can Contoso upgrade?',
      }),
  ];
  // A confirm token is honoured only in the conversation of its card: every connection presses it there.
  const confirm = (_bot: Bot, delivery: Delivery): Step[] => [
    () => activity({ ...base, delivery, value: { verb: 'confirm', token } }),
  ];
  let nextCandidate = 0;
  const takeCandidate = (): UpgradeCandidate => {
    const candidate = candidates[nextCandidate++];
    if (candidate === undefined)
      throw new Error('Out of upgradable subscriptions for the review → confirm load');
    return candidate;
  };
  const reviewData = (x: UpgradeCandidate) => ({
    customerId: x.customerId,
    subscriptionId: x.subscriptionId,
    target: x.target,
    seats: String(x.seats),
    transfer: 'true',
  });
  const pairSteps = (bot: Bot, delivery: Delivery | 'invoke'): Step[] => {
    const conversationId = (c: Record<string, unknown>): string => String(c.conversationId);
    if (bot === 'echo') {
      // The echo bot's equivalent: two messages with a value, in the same delivery as the app's.
      const d: Delivery = delivery === 'invoke' ? 'channel' : delivery;
      return [
        (c) =>
          activity({
            serviceUrl,
            delivery: d,
            conversationId: conversationId(c),
            value: { verb: 'review', ...reviewData(candidates[0]!) },
          }),
        (c) =>
          activity({
            serviceUrl,
            delivery: d,
            conversationId: conversationId(c),
            value: { verb: 'confirm', token },
          }),
      ];
    }
    if (delivery === 'invoke') {
      return [
        (c) => teamsInvoke(serviceUrl, conversationId(c), 'review', reviewData(takeCandidate())),
        (c) => teamsInvoke(serviceUrl, conversationId(c), 'confirm', { token: c.token }),
      ];
    }
    return [
      (c) =>
        activity({
          serviceUrl,
          delivery,
          conversationId: conversationId(c),
          value: { verb: 'review', ...reviewData(takeCandidate()) },
        }),
      (c) =>
        activity({
          serviceUrl,
          delivery,
          conversationId: conversationId(c),
          value: { verb: 'confirm', token: c.token },
        }),
    ];
  };
  const pairResponse =
    (bot: Bot) =>
    (step: number, status: number, body: string, c: Record<string, unknown>): boolean => {
      if (status !== 200) return false;
      if (bot === 'echo') return true;
      if (step === 0) {
        c.token = confirmToken(body);
        return c.token !== undefined;
      }
      return body.includes('Upgrade done') || body.includes('Done:');
    };
  /** Every answer is read: with expectReplies, its first reply must be the expected one. */
  const answering =
    (delivery: Delivery, expected: Record<Bot, RegExp>) =>
    (bot: Bot) =>
    (_step: number, status: number, body: string): boolean =>
      status === 200 &&
      !body.includes(APOLOGY) &&
      (delivery !== 'expectReplies' || expected[bot].test(replyTexts(body)[0] ?? ''));

  const bots = { echo, app };
  const pairBots = { echo, app: pairApp };
  const pairAmount = quick ? { latency: 40, throughput: 160 } : { latency: 80, throughput: 320 };
  let scenarios: Scenario[] = [];
  for (const delivery of ['expectReplies', 'channel'] as const) {
    scenarios.push({
      id: `eligibility-${delivery}`,
      label: `"can Contoso upgrade?"`,
      delivery,
      bots,
      steps: (bot) => eligibility(bot, delivery),
      onResponse: answering(delivery, { echo: /^Echo: can Contoso/, app: /Contoso Ltd/ }),
    });
  }
  for (const delivery of ['expectReplies', 'channel'] as const) {
    scenarios.push({
      id: `confirm-${delivery}`,
      label: 'card confirm, same token ("already done")',
      delivery,
      bots,
      steps: (bot) => confirm(bot, delivery),
      onResponse: answering(delivery, { echo: /^Echo: \{"verb":"confirm"/, app: /already done by/ }),
    });
  }
  for (const delivery of ['expectReplies', 'invoke'] as const) {
    scenarios.push({
      id: `pair-${delivery}`,
      label: `review → confirm, fresh token (${settings.pairSize.toLocaleString('en')} customers)`,
      delivery,
      bots: pairBots,
      steps: (bot) => pairSteps(bot, delivery),
      onResponse: pairResponse,
      amount: pairAmount,
    });
  }

  const only = settings.scenarios;
  if (only !== undefined) scenarios = scenarios.filter((s) => only.some((prefix) => s.id.startsWith(prefix)));

  // What each scenario answers, checked once before the loads.
  for (const s of scenarios) {
    for (const bot of ['echo', 'app'] as const) {
      const context: Record<string, unknown> = { conversationId: `bench-check-${s.id}-${bot}` };
      const before = await channelCount();
      let last = { status: 0, body: '' };
      for (const [i, step] of s.steps(bot).entries()) {
        last = await post(s.bots[bot].url, step(context));
        const accept = s.onResponse?.(bot);
        check(
          `${s.id} on ${bot}, step ${i}`,
          accept === undefined || accept(i, last.status, last.body, context),
          last.body.slice(0, 300),
        );
      }
      if (s.delivery === 'channel') {
        await new Promise((r) => setTimeout(r, 50));
        check(
          `${s.id} on ${bot}: the reply reached the channel`,
          (await channelCount()) > before,
          'no reply arrived',
        );
      }
      const text = s.delivery === 'expectReplies' ? replyTexts(last.body)[0] : undefined;
      answers[`${s.id} ${bot}`] =
        text ??
        (s.delivery === 'invoke'
          ? `invoke response: a card, “${cardTexts(last.body).slice(0, 2).join(' — ')}”`
          : `HTTP ${last.status}, reply sent to the channel`);
    }
  }
  return {
    scenarios,
    answers,
    channelCount,
    channelTexts: async () => (await channelState()).texts,
    stop: async () => {
      await Promise.all([echo, app, pairApp, channel].map((p) => p.stop()));
    },
  };
}

async function abRounds(setup: HttpSetup): Promise<AbResult[]> {
  const results: AbResult[] = setup.scenarios.map((s) => ({
    scenario: s.id,
    label: s.label,
    delivery: s.delivery,
    runs: { latency: { echo: [], app: [] }, throughput: { echo: [], app: [] } },
    channel: { echo: { requests: 0, replies: 0 }, app: { requests: 0, replies: 0 } },
    cpu: { echo: { ms: 0, requests: 0 }, app: { ms: 0, requests: 0 } },
  }));
  const run = (s: Scenario, bot: Bot, shape: Shape, warmUp = false): Promise<LoadResult> => {
    const connections = shape === 'latency' ? 1 : settings.connections;
    const amount = s.amount?.[shape];
    const onResponse = s.onResponse?.(bot);
    return runLoad({
      url: s.bots[bot].url,
      connections,
      duration: warmUp ? Math.min(0.5, settings.duration) : settings.duration,
      ...(amount === undefined ? {} : { amount: warmUp ? connections * 4 : amount }),
      steps: s.steps(bot),
      ...(onResponse === undefined ? {} : { onResponse }),
    });
  };
  log('warm-up');
  for (const s of setup.scenarios)
    for (const bot of ['echo', 'app'] as const) await run(s, bot, 'throughput', true);
  for (let round = 0; round < settings.rounds; round++) {
    noteLoad();
    for (const [i, s] of setup.scenarios.entries()) {
      for (const shape of ['latency', 'throughput'] as const) {
        // A then B, then B then A: the order alternates every round and every scenario.
        const order: Bot[] = (round + i) % 2 === 0 ? ['echo', 'app'] : ['app', 'echo'];
        for (const bot of order) {
          const before = await setup.channelCount();
          const cpuBefore = s.bots[bot].cpuMs();
          const result = await run(s, bot, shape);
          const cpu = s.bots[bot].cpuMs() - cpuBefore;
          await new Promise((r) => setTimeout(r, 20));
          const replies = (await setup.channelCount()) - before;
          if (result.failed > 0) {
            log(
              `warning: ${s.id} on ${bot} (${shape}): ${result.failed} failed, first: ${result.firstFailure}`,
            );
          }
          const r = results[i];
          if (r !== undefined) {
            r.runs[shape][bot].push(result);
            r.channel[bot].requests += result.ok + result.failed;
            r.channel[bot].replies += replies;
            r.cpu[bot].ms += cpu;
            r.cpu[bot].requests += result.ok + result.failed;
          }
        }
      }
    }
    log(`round ${round + 1} of ${settings.rounds} done (load average ${loadavg()[0]?.toFixed(2)})`);
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------------
// 3. Scale over HTTP

async function scaleOverHttp(launcher: Launcher, size: number, serviceUrl: string): Promise<HttpScale> {
  const directory = directoryFiles.get(size);
  if (directory === undefined) throw new Error(`no directory file for ${size}`);
  const dataDir = freshDir(`data-${size}`);
  const env = { ...APP_ENV, DATA_DIR: dataDir, DIRECTORY_FILE: directory };
  noteLoad();
  // The first start imports the directory file into the database; a restart finds it there. The loads run on
  // the restarted process when there is one: the state a bot is in for all but its very first start.
  let app = await BotProcess.start(`app-${size}`, launcher, 'app', env, profileArgs);
  const startupMs = await app.healthy();
  const startupCpuMs = app.cpuMs();
  const afterStart = app.memory();
  let restartMs = NaN;
  let restartCpuMs = NaN;
  let afterRestart: Memory = { rss: NaN, peak: NaN };
  if (settings.restart) {
    await app.stop();
    app = await BotProcess.start(`app-${size}-restart`, launcher, 'app', env, profileArgs);
    restartMs = await app.healthy();
    restartCpuMs = app.cpuMs();
    afterRestart = app.memory();
  }
  const ask =
    (text: (c: Record<string, unknown>) => string): Step =>
    (c) =>
      activity({
        serviceUrl,
        delivery: 'expectReplies',
        conversationId: String(c.conversationId),
        text: text(c),
      });
  const ok = (_step: number, status: number, body: string): boolean =>
    status === 200 && !body.includes(APOLOGY);
  const duration = settings.duration;
  const answers: Record<string, string> = {};
  for (const [key, text] of [
    ['contoso', 'can Contoso upgrade?'],
    ['fleet', 'which customers can upgrade to E5?'],
  ] as const) {
    const answer = await post(app.url, ask(() => text)({ conversationId: `bench-check-${key}` }));
    answers[key] = replyTexts(answer.body)[0] ?? `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
  }
  const contoso = await runLoad({
    url: app.url,
    connections: 1,
    duration,
    steps: [ask(() => 'can Contoso upgrade?')],
    onResponse: ok,
  });
  // Other customers by name: what the lookup and the rules cost on customers of every shape.
  const names = (
    JSON.parse(readFileSync(directory, 'utf8')) as {
      customers: { companyProfile: { companyName: string } }[];
    }
  ).customers.map((c) => c.companyProfile.companyName);
  const random = prng(5);
  const picked = Array.from({ length: 500 }, () => names[Math.floor(random() * names.length)] ?? 'Contoso');
  let n = 0;
  const named = await runLoad({
    url: app.url,
    connections: 1,
    duration,
    steps: [ask(() => `can ${picked[n++ % picked.length]} upgrade?`)],
    onResponse: ok,
  });
  const fleetCount = size >= 100_000 ? 5 : quick ? 5 : 20;
  const fleet = await runLoad({
    url: app.url,
    connections: 1,
    duration: 60,
    amount: fleetCount,
    steps: [ask(() => 'which customers can upgrade to E5?')],
    onResponse: (_s, status, body) => status === 200 && /can move to/.test(replyTexts(body)[0] ?? ''),
  });
  for (const [name, r] of Object.entries({ contoso, named, fleet })) {
    if (r.failed > 0)
      log(`warning: ${size} customers, ${name}: ${r.failed} failed, first: ${r.firstFailure}`);
  }
  const afterLoad = app.memory();
  await app.stop();
  return {
    size,
    startupMs,
    restartMs,
    startupCpuMs,
    restartCpuMs,
    afterStart,
    afterLoad,
    afterRestart,
    contoso,
    named,
    fleet,
    answers,
  };
}

// ---------------------------------------------------------------------------------------------------------

function git(...gitArgs: string[]): string {
  try {
    return execFileSync('git', gitArgs, {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

async function main(): Promise<void> {
  const cpu = cpus();
  log(
    `${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; ` +
      `${quick ? 'quick' : 'full'} run, bots from the ${settings.from}, ${settings.rounds} rounds of ${settings.duration} s`,
  );
  noteLoad();
  const launcher = settings.from === 'build' ? buildLauncher(log) : sourcesLauncher();

  log('scale, in process');
  const inProcess = await scaleInProcess();
  const candidates = inProcess.find((m) => m.size === settings.pairSize)?.candidates ?? [];

  // The A/B loads, unless the scenarios asked for name none of them (e.g. only a section below).
  const abWanted =
    settings.scenarios === undefined ||
    settings.scenarios.some((x) => AB_LOADS.some((id) => id.startsWith(x) || x.startsWith(id)));
  let setup: HttpSetup | undefined;
  let ab: AbResult[] = [];
  let received = 0;
  let channelTexts: Record<string, number> = {};
  if (abWanted) {
    log(
      'HTTP: starting the echo bot, the app on the demo directory and the app on the review → confirm directory',
    );
    setup = await httpSetup(launcher, candidates);
    ab = setup.scenarios.length === 0 ? [] : await abRounds(setup);
    received = await setup.channelCount();
    channelTexts = await setup.channelTexts();
    await setup.stop();
  }

  let engines: EnginesOutcome | undefined;
  if (settings.engines) {
    log('storage engines: SQLite, PostgreSQL, two replicas');
    noteLoad();
    engines = await enginesBench({
      launcher,
      quick,
      rounds: settings.rounds,
      duration: settings.duration,
      connections: settings.connections,
      directory: directoryFiles.get(settings.pairSize),
      directorySize: settings.pairSize,
      candidates,
      log,
    });
    noteLoad();
  }

  let partnerCenter: PartnerCenterOutcome | undefined;
  if (settings.partnerCenter) {
    log('Partner Center: the simulator, the sync, the eligibility turn, review → confirm');
    noteLoad();
    partnerCenter = await partnerCenterBench({
      launcher,
      quick,
      rounds: settings.rounds,
      duration: settings.duration,
      connections: settings.connections,
      log,
    });
    noteLoad();
  }

  if (settings.sizes.length > 0) log('scale over HTTP');
  const channel = await BotProcess.start('channel', launcher, 'channel');
  await channel.healthy();
  const overHttp: HttpScale[] = [];
  for (const size of settings.sizes) {
    const measure = await scaleOverHttp(launcher, size, channel.url);
    overHttp.push(measure);
    log(
      `over HTTP, ${size.toLocaleString('en')} customers: healthy after ${measure.startupMs.toFixed(0)} ms, ` +
        `fleet p50 ${summarize(measure.fleet.latencies).p50.toFixed(0)} ms, RSS ${(measure.afterLoad.rss / 2 ** 20).toFixed(0)} MB`,
    );
  }
  await channel.stop();
  noteLoad();

  const report: Report = {
    date: new Date().toISOString(),
    commit: `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'src') === '' ? '' : ' (src/ with uncommitted changes)'}`,
    machine: {
      cpus: cpu.length,
      model: cpu[0]?.model ?? '',
      memory: totalmem(),
      node: process.version,
      os: `${type()} ${release()}`,
    },
    loads,
    settings: { ...settings, launcher: launcher.kind },
    command: quick ? 'npm run bench -- --quick' : 'npm run bench',
    answers: setup?.answers ?? {},
    channelReceived: received,
    channelTexts,
    ab,
    inProcess: inProcess.filter((m) => settings.sizes.includes(m.size)),
    overHttp,
    ...(engines === undefined ? {} : { engines }),
    ...(partnerCenter === undefined ? {} : { partnerCenter }),
    seconds: (performance.now() - began) / 1000,
  };
  console.log(`\n${textReport(report)}`);
  if (out !== undefined) {
    const previous = existsSync(out) ? readFileSync(out, 'utf8') : undefined;
    writeFileSync(out, markdownReport(report, previous));
    log(`wrote ${out}`);
  }
  if (profileDir !== undefined)
    log(`CPU profiles in ${profileDir} (summarize: npx tsx bench/profile-summary.ts FILE)`);
  log(`done in ${report.seconds.toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
