/**
 * A CPU profile (`node --cpu-prof`) of the Upgrade Assistant doing one thing, and its summary
 * (bench/profile-summary.ts): what to run when a figure of `npm run bench` misses its target.
 *
 * Run: npx tsx bench/profile.ts eligibility|confirm|fleet|startup [--size N] [--seconds S] [--connections C]
 *        [--from build|sources] [--dir DIR]
 * - eligibility: "can Contoso upgrade?" (expectReplies) for S seconds at C connections (default 5 s, 8);
 * - confirm: repeated confirms of one confirmed token ("already done");
 * - fleet: "which customers can upgrade to E5?" 20 times;
 * - startup: from the start until /healthz answers.
 * The app runs on the demo directory, or on a generated one of N customers (bench/directory-file.ts).
 * The profile is kept in DIR (default: a new temporary directory, printed).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { scaleDirectory, writeDirectoryFile } from './directory-file.js';
import { APP_ENV, activity, confirmToken, post, runLoad, type Step } from './load.js';
import {
  BotProcess,
  WORK_DIR,
  buildLauncher,
  freshDir,
  killAll,
  removeWorkDir,
  sourcesLauncher,
} from './processes.js';
import { summarizeProfile } from './profile-summary.js';
import { summarize } from './stats.js';
import { evaluateSubscription } from '../src/rules/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    size: { type: 'string' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '8' },
    from: { type: 'string', default: 'sources' },
    dir: { type: 'string' },
  },
});
const what = positionals[0] ?? 'eligibility';
// The profile is kept (in a directory of its own); everything else the run wrote is removed at the end.
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'ua-profile-'));
mkdirSync(dir, { recursive: true });
process.on('exit', () => {
  killAll();
  removeWorkDir();
});

const launcher = values.from === 'build' ? buildLauncher(console.log) : sourcesLauncher();
const env: Record<string, string> = { ...APP_ENV, DATA_DIR: freshDir('data') };
const size = values.size === undefined ? undefined : Number(values.size);
const directory = size === undefined ? undefined : scaleDirectory(size);
if (directory !== undefined) {
  env.DIRECTORY_FILE = join(WORK_DIR, 'directory.json');
  writeDirectoryFile(env.DIRECTORY_FILE, directory);
}
const app = await BotProcess.start('app', launcher, 'app', env, [
  '--cpu-prof',
  '--cpu-prof-dir',
  dir,
  '--import',
  'data:text/javascript,process.on("SIGTERM",()=>process.exit(0))',
]);
const healthyMs = await app.healthy();
console.log(`healthy after ${healthyMs.toFixed(0)} ms`);

const serviceUrl = 'http://127.0.0.1:9'; // never called: every request asks for expectReplies
const ask =
  (text: string): Step =>
  (c) =>
    activity({ serviceUrl, delivery: 'expectReplies', conversationId: String(c.conversationId), text });
const seconds = Number(values.seconds);
const connections = Number(values.connections);
if (what === 'eligibility') {
  const r = await runLoad({
    url: app.url,
    connections,
    duration: seconds,
    steps: [ask('can Contoso upgrade?')],
  });
  console.log(
    `${r.ok} answers, ${(r.ok / r.elapsed).toFixed(0)} req/s, p50 ${summarize(r.latencies).p50.toFixed(2)} ms`,
  );
} else if (what === 'confirm') {
  const customers = directory?.customers ?? [];
  const demo =
    customers.length > 0
      ? customers
      : (await import('../src/directory/load.js')).loadDemoDirectory().customers;
  const x = demo
    .flatMap((c) =>
      c.subscriptions.map((s) => ({ c, s, target: evaluateSubscription(c, s).eligibleTargets[0] })),
    )
    .find((y) => y.target !== undefined && y.c.companyProfile.companyName !== 'Contoso Ltd');
  if (x === undefined) throw new Error('nothing to upgrade');
  const base = { serviceUrl, delivery: 'expectReplies' as const, conversationId: 'profile' };
  const review = await post(
    app.url,
    activity({
      ...base,
      value: {
        verb: 'review',
        customerId: x.c.id,
        subscriptionId: x.s.id,
        target: x.target,
        seats: String(x.s.quantity),
      },
    }),
  );
  const token = confirmToken(review.body);
  await post(app.url, activity({ ...base, value: { verb: 'confirm', token } }));
  const r = await runLoad({
    url: app.url,
    connections,
    duration: seconds,
    steps: [
      (c) =>
        activity({ ...base, conversationId: String(c.conversationId), value: { verb: 'confirm', token } }),
    ],
  });
  console.log(
    `${r.ok} answers, ${(r.ok / r.elapsed).toFixed(0)} req/s, p50 ${summarize(r.latencies).p50.toFixed(2)} ms`,
  );
} else if (what === 'fleet') {
  const r = await runLoad({
    url: app.url,
    connections: 1,
    duration: 120,
    amount: 20,
    steps: [ask('which customers can upgrade to E5?')],
  });
  console.log(`${r.ok} answers, p50 ${summarize(r.latencies).p50.toFixed(1)} ms`);
}
const before = new Set(readdirSync(dir));
await app.stop();
// CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: thread 0 is the main thread (tsx's hooks have their own).
const file = readdirSync(dir).find((f) => /\.0\.\d+\.cpuprofile$/.test(f) && !before.has(f));
if (file === undefined) throw new Error(`no profile written in ${dir}`);
console.log(`profile: ${join(dir, file)}`);
// The start-up is left out of the summary, unless it is what was asked for.
console.log(
  summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), {
    top: 30,
    skip: what === 'startup' ? 0 : healthyMs,
  }),
);
process.exit(0);
