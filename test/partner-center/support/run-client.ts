/** Starts the client driver in a child process that trusts the simulator through NODE_EXTRA_CA_CERTS. */
import { fileURLToPath } from 'node:url';
import type { RunningSimulator } from '../../../scripts/partner-center-sim/start.js';
import type { DriverInput, DriverOutput, Step, StepResult } from './client-driver.js';
import { runDriver, signIn } from './run-driver.js';

const DRIVER = fileURLToPath(new URL('./client-driver.ts', import.meta.url));

export async function runClient(
  sim: RunningSimulator,
  steps: readonly Step[],
  options: DriverInput['options'] = {},
  clientSecret = sim.clientSecret,
): Promise<DriverOutput> {
  const input: DriverInput = { ...signIn(sim, clientSecret), options, steps };
  return runDriver<DriverOutput>(sim, DRIVER, input, 'client driver');
}

/** The value of a step that must have succeeded (its error otherwise, in the assertion message). */
export function value<T>(result: StepResult | undefined): T {
  if (result === undefined) throw new Error('no such step');
  if (!result.ok) throw new Error(`step failed: ${result.error.name}: ${result.error.message}`);
  return result.value as T;
}
