/**
 * `npm run dev:partner-center`: the bot reading Partner Center, without a tenant. Starts the local Partner
 * Center simulator (scripts/partner-center-sim, serving the demo directory or PC_SIM_DIRECTORY) and then the bot
 * (`tsx src/index.ts`) with `CUSTOMER_SOURCE=partner-center` pointed at it, trusting the simulator's CA the
 * production way (NODE_EXTRA_CA_CERTS). Its data goes to `var/partner-center-dev` unless DATA_DIR is set, so
 * that the demo's own database is left alone. Ctrl+C stops both.
 *
 * Environment: PORT (the bot, default 3978), PC_SIM_LATENCY_MS (added to every simulated call, default 0),
 * and the bot's usual configuration.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/paths.js';
import { startSimulator } from './partner-center-sim/start.js';
import { supervise } from './supervised-child.js';

const sim = await startSimulator({
  latencyMs: Number(process.env.PC_SIM_LATENCY_MS ?? 0),
  ...(process.env.PC_SIM_DIRECTORY === undefined ? {} : { directory: process.env.PC_SIM_DIRECTORY }),
});
console.log(`Partner Center simulator on ${sim.ready.url} (${sim.ready.customers} customers)`);

const bot = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'src', 'index.ts')], {
  cwd: PROJECT_ROOT,
  env: {
    ...process.env,
    ...sim.botEnv(),
    DATA_DIR: process.env.DATA_DIR ?? join(PROJECT_ROOT, 'var', 'partner-center-dev'),
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
const supervised = supervise(bot, { onOutput: (line) => console.log(line) });

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await supervised.stop();
  await sim.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
await supervised.exited;
if (!stopping) {
  console.error(supervised.spawnError()?.message ?? 'the bot stopped');
  await stop(1);
}
