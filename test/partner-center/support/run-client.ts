/** Starts the client driver in a child process that trusts the simulator through NODE_EXTRA_CA_CERTS. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunningSimulator } from '../../../scripts/partner-center-sim/start.js';
import type { DriverInput, DriverOutput, Step, StepResult } from './client-driver.js';

const DRIVER = fileURLToPath(new URL('./client-driver.ts', import.meta.url));

export async function runClient(
  sim: RunningSimulator,
  steps: readonly Step[],
  options: DriverInput['options'] = {},
  clientSecret = sim.clientSecret,
): Promise<DriverOutput> {
  const input: DriverInput = {
    url: sim.ready.url,
    tenantId: sim.ready.tenantId,
    clientId: sim.ready.clientId,
    clientSecret,
    options,
    steps,
  };
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', DRIVER, JSON.stringify(input)],
      { env: sim.clientEnv(), maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, out, err) => {
        if (error !== null) reject(new Error(`client driver failed: ${error.message}\n${err}`));
        else resolve(out);
      },
    );
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as DriverOutput;
}

/** The value of a step that must have succeeded (its error otherwise, in the assertion message). */
export function value<T>(result: StepResult | undefined): T {
  if (result === undefined) throw new Error('no such step');
  if (!result.ok) throw new Error(`step failed: ${result.error.name}: ${result.error.message}`);
  return result.value as T;
}
