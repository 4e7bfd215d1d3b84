/**
 * Runs a driver script (the client's, the adapters', the feed's) in a child process that trusts the
 * simulator's CA through NODE_EXTRA_CA_CERTS, as production would: its input as one JSON argument, its output
 * the last line it prints.
 */
import { execFile } from 'node:child_process';
import type { RunningSimulator } from '../../../scripts/partner-center-sim/start.js';

/** The simulator's URL and the app registration it knows, as every driver's input starts. */
export function signIn(sim: RunningSimulator, clientSecret = sim.clientSecret) {
  return { url: sim.ready.url, tenantId: sim.ready.tenantId, clientId: sim.ready.clientId, clientSecret };
}

export async function runDriver<Output>(
  sim: RunningSimulator,
  driver: string,
  input: unknown,
  what: string,
): Promise<Output> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', driver, JSON.stringify(input)],
      { env: sim.clientEnv(), maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, out, err) =>
        error === null ? resolve(out) : reject(new Error(`${what} failed: ${error.message}\n${err}`)),
    );
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as Output;
}
