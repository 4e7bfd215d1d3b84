/**
 * Runs the live check and the upgrade gateway over a real Partner Center client in a process of its own,
 * started with NODE_EXTRA_CA_CERTS naming the simulator's CA (see client-driver.ts). Reads a script of steps
 * (JSON, argv[2]) and prints one JSON line with each step's result.
 */
import { PartnerCenterClient } from '../../../src/partner-center/index.js';
import { PartnerCenterGateway } from '../../../src/partner-center/gateway.js';
import { PartnerCenterLiveCheck } from '../../../src/partner-center/live-check.js';
import type { UpgradeOrder } from '../../../src/core/ledger.js';
import type { Customer } from '../../../src/rules/index.js';
import type { StepResult } from './client-driver.js';

export type AdapterStep =
  | { op: 'live'; customer: Customer; subscriptionId: string }
  | { op: 'execute'; order: UpgradeOrder; key: string; attempt?: number }
  | { op: 'control'; method: string; path: string; body?: unknown };

export interface AdapterInput {
  readonly url: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly steps: readonly AdapterStep[];
}

const input = JSON.parse(process.argv[2] ?? '{}') as AdapterInput;
const client = new PartnerCenterClient({
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
  afterUpgrade: async (customerId) => {
    refreshed.push(customerId);
    throw new Error('the refresh failed'); // never fails the upgrade
  },
});

async function run(step: AdapterStep): Promise<unknown> {
  switch (step.op) {
    case 'live':
      return live.upgrades(step.customer, step.subscriptionId);
    case 'execute':
      return gateway.execute(step.order, step.key, step.attempt);
    case 'control': {
      const response = await fetch(new URL(step.path, input.url), {
        method: step.method,
        ...(step.body === undefined
          ? {}
          : { body: JSON.stringify(step.body), headers: { 'Content-Type': 'application/json' } }),
      });
      return response.json();
    }
  }
}

const results: StepResult[] = [];
for (const step of input.steps) {
  try {
    results.push({ ok: true, value: await run(step) });
  } catch (error) {
    const e = error as Error & { reasons?: unknown; status?: unknown };
    results.push({
      ok: false,
      error: {
        name: e.name,
        message: e.message,
        ...(typeof e.status === 'number' ? { status: e.status } : {}),
        ...(e.reasons === undefined ? {} : { code: e.reasons }),
      },
    });
  }
}
await client.close();
process.stdout.write(`${JSON.stringify({ results, refreshed })}\n`);
