/**
 * Runs the Partner Center client in a process of its own, started with NODE_EXTRA_CA_CERTS pointing at the
 * simulator's CA: the TLS path production takes with a private CA (MSAL and the client both use Node's
 * fetch and its default trust store). Reads a script of steps (JSON, argv[2]), runs them in order in one
 * client (so MSAL's token cache carries over), and prints one JSON line with each step's result.
 */
import { control, runSteps, type ControlStep } from './driver-steps.js';
import {
  PartnerCenterClient,
  upgradeRequestId,
  type PartnerCenterClientOptions,
} from '../../../src/partner-center/index.js';
import type { UpgradeType } from '../../../src/rules/index.js';

export type Step =
  | { op: 'listCustomers' }
  | { op: 'listSubscriptions'; customerId: string }
  | { op: 'customersWithSubscriptions' }
  | { op: 'getUpgrades'; customerId: string; subscriptionId: string }
  | {
      op: 'createUpgrade';
      customerId: string;
      subscriptionId: string;
      /** The target offer's id or name, as `getUpgrades` lists it. */
      target: string;
      quantity?: number;
      upgradeType: UpgradeType;
      ledgerToken: string;
    }
  | { op: 'getSubscription'; customerId: string; subscriptionId: string }
  /** Reads the subscription, then sets its seats (MS-RequestId: the ledger token's), as read or `etag` forced. */
  | {
      op: 'updateSubscriptionQuantity';
      customerId: string;
      subscriptionId: string;
      quantity: number;
      ledgerToken: string;
      etag?: string;
    }
  | ControlStep
  /** Runs its steps at once; the value is theirs, in order (a failed one fails it). */
  | { op: 'parallel'; steps: Step[] };

export interface DriverInput {
  readonly url: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly options?: Partial<PartnerCenterClientOptions>;
  readonly steps: readonly Step[];
}

export type StepResult =
  | { ok: true; value: unknown }
  | { ok: false; error: { name: string; message: string; status?: number; code?: unknown } };

export interface DriverOutput {
  readonly results: StepResult[];
  readonly counters: Record<string, number>;
  /** Wall time of each step (reported, never asserted). */
  readonly stepMs: number[];
}

const input = JSON.parse(process.argv[2] ?? '{}') as DriverInput;
const client = new PartnerCenterClient({
  tenantId: input.tenantId,
  clientId: input.clientId,
  credential: { clientSecret: input.clientSecret },
  apiBaseUrl: input.url,
  authorityHost: input.url,
  ...input.options,
});

async function run(step: Step): Promise<unknown> {
  switch (step.op) {
    case 'listCustomers':
      return (await client.listCustomers()).map((c) => c.id);
    case 'listSubscriptions':
      return client.listSubscriptions(step.customerId);
    case 'customersWithSubscriptions': {
      const out: ({ id: string; subscriptions: string[] } | { id: string; unreadable: number | string })[] =
        [];
      for await (const page of client.customersWithSubscriptions()) {
        for (const c of page)
          out.push(
            'error' in c
              ? { id: c.customer.id, unreadable: 'status' in c.error ? c.error.status : c.error.name }
              : { id: c.customer.id, subscriptions: c.subscriptions.map((s) => s.id) },
          );
      }
      return out;
    }
    case 'getUpgrades':
      return client.getUpgrades(step.customerId, step.subscriptionId);
    case 'createUpgrade': {
      const upgrades = await client.getUpgrades(step.customerId, step.subscriptionId);
      const wanted = step.target.toLowerCase();
      const upgrade = upgrades.find(
        (u) => u.targetOffer.id.toLowerCase() === wanted || u.targetOffer.name?.toLowerCase() === wanted,
      );
      if (upgrade === undefined) throw new Error(`no upgrade to ${step.target}`);
      return client.createUpgrade(
        {
          customerId: step.customerId,
          subscriptionId: step.subscriptionId,
          upgrade,
          quantity: step.quantity ?? upgrade.quantity ?? 1,
          upgradeType: step.upgradeType,
        },
        step.ledgerToken,
      );
    }
    case 'getSubscription':
      return client.getSubscription(step.customerId, step.subscriptionId);
    case 'updateSubscriptionQuantity': {
      const read = await client.getSubscription(step.customerId, step.subscriptionId);
      const subscription =
        step.etag === undefined ? read : { ...read, attributes: { ...read.attributes, etag: step.etag } };
      return client.updateSubscriptionQuantity(
        { customerId: step.customerId, subscription, quantity: step.quantity },
        upgradeRequestId(step.ledgerToken),
      );
    }
    case 'parallel':
      return Promise.all(step.steps.map(run));
    case 'control':
      return control(input.url, step);
  }
}

const { results, stepMs } = await runSteps(input.steps, run);
await client.close();
const output: DriverOutput = { results, counters: { ...client.counters }, stepMs };
process.stdout.write(`${JSON.stringify(output)}\n`);
