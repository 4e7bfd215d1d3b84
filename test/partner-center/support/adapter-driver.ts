/**
 * Runs the live check and the gateway (upgrades, licences added) over a real Partner Center client in a
 * process of its own, started with NODE_EXTRA_CA_CERTS naming the simulator's CA (see client-driver.ts). Reads
 * a script of steps (JSON, argv[2]) and prints one JSON line with each step's result.
 */
import { control, runSteps, type ControlStep } from './driver-steps.js';
import { pino } from 'pino';
import { PartnerCenterClient } from '../../../src/partner-center/index.js';
import { PartnerCenterGateway } from '../../../src/partner-center/gateway.js';
import { PartnerCenterLiveCheck } from '../../../src/partner-center/live-check.js';
import type { ChangeOrder } from '../../../src/core/ledger.js';
import type { Customer } from '../../../src/rules/index.js';
import type { StepResult } from './client-driver.js';

export type AdapterStep =
  | { op: 'live'; customer: Customer; subscriptionId: string }
  | {
      op: 'execute';
      order: ChangeOrder & { requestedAt?: string };
      key: string;
      attempt?: number;
    }
  | ControlStep;

export interface AdapterInput {
  readonly url: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly steps: readonly AdapterStep[];
  /** The gateway's deadline (default its own). */
  readonly deadlineMs?: number;
  /** How long the store's refresh after an upgrade takes before it fails (default at once). */
  readonly refreshMs?: number;
}

export interface AdapterOutput {
  readonly results: StepResult[];
  readonly refreshed: string[];
  /** Wall time of each step (ms). */
  readonly stepMs: number[];
  /** The client's log lines (pino JSON). */
  readonly logs: Record<string, unknown>[];
}

const input = JSON.parse(process.argv[2] ?? '{}') as AdapterInput;
const logs: Record<string, unknown>[] = [];
const logger = pino(
  { level: 'info' },
  { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
);
const client = new PartnerCenterClient({
  logger,
  tenantId: input.tenantId,
  clientId: input.clientId,
  credential: { clientSecret: input.clientSecret },
  apiBaseUrl: input.url,
  authorityHost: input.url,
  minDelayMs: 10,
  maxDelayMs: 50,
  timeoutMs: 3000,
  retries: 2,
});
const refreshed: string[] = [];
const live = new PartnerCenterLiveCheck({ client });
const gateway = new PartnerCenterGateway({
  client,
  ...(input.deadlineMs === undefined ? {} : { deadlineMs: input.deadlineMs }),
  afterUpgrade: async (customerId) => {
    refreshed.push(customerId);
    await new Promise((resolve) => setTimeout(resolve, input.refreshMs ?? 0));
    throw new Error('the refresh failed'); // never fails the upgrade
  },
});

async function run(step: AdapterStep): Promise<unknown> {
  switch (step.op) {
    case 'live':
      return live.upgrades(step.customer, step.subscriptionId);
    case 'execute':
      return gateway.execute(step.order, step.key, step.attempt);
    case 'control':
      return control(input.url, step);
  }
}

const { results, stepMs } = await runSteps(input.steps, run);
await client.close();
const output: AdapterOutput = { results, refreshed, stepMs, logs };
process.stdout.write(`${JSON.stringify(output)}\n`);
// A refresh still running (not awaited by the gateway) does not hold the driver up.
process.exit(0);
