/** Starts the adapter driver (live check, gateway) in a child process that trusts the simulator's CA. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunningSimulator } from '../../../scripts/partner-center-sim/start.js';
import type { AdapterInput, AdapterOutput, AdapterStep } from './adapter-driver.js';

const DRIVER = fileURLToPath(new URL('./adapter-driver.ts', import.meta.url));

export async function runAdapter(
  sim: RunningSimulator,
  steps: readonly AdapterStep[],
  options: Pick<AdapterInput, 'deadlineMs' | 'refreshMs'> = {},
): Promise<AdapterOutput> {
  const input: AdapterInput = {
    url: sim.ready.url,
    tenantId: sim.ready.tenantId,
    clientId: sim.ready.clientId,
    clientSecret: sim.clientSecret,
    steps,
    ...options,
  };
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', DRIVER, JSON.stringify(input)],
      { env: sim.clientEnv(), maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, out, err) => {
        if (error !== null) reject(new Error(`adapter driver failed: ${error.message}\n${err}`));
        else resolve(out);
      },
    );
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as AdapterOutput;
}
