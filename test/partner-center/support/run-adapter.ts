/** Starts the adapter driver (live check, gateway) in a child process that trusts the simulator's CA. */
import { fileURLToPath } from 'node:url';
import type { RunningSimulator } from '../../../scripts/partner-center-sim/start.js';
import type { AdapterInput, AdapterOutput, AdapterStep } from './adapter-driver.js';
import { runDriver, signIn } from './run-driver.js';

const DRIVER = fileURLToPath(new URL('./adapter-driver.ts', import.meta.url));

export async function runAdapter(
  sim: RunningSimulator,
  steps: readonly AdapterStep[],
  options: Pick<AdapterInput, 'deadlineMs' | 'refreshMs'> = {},
): Promise<AdapterOutput> {
  const input: AdapterInput = { ...signIn(sim), steps, ...options };
  return runDriver<AdapterOutput>(sim, DRIVER, input, 'adapter driver');
}
