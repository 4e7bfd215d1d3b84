/**
 * The directories of the scale benchmarks: the demo directory's customers (so that "can Contoso upgrade?" has
 * its usual answer at every size) followed by customers from the tests' generator (`generateCustomers`, seed
 * 42), `size` in all, written as a directory file (docs/directory-format.md) for `DIRECTORY_FILE`.
 */
import { writeFileSync } from 'node:fs';
import { loadDemoDirectory, type DirectoryData } from '../src/directory/load.js';
import { evaluateSubscription, type Customer, type OfferId } from '../src/rules/index.js';
import { generateCustomers } from '../test/support/generate-customers.js';

const GENERATOR_SEED = 42;

export function scaleDirectory(size: number): DirectoryData & { readonly demoCount: number } {
  const demo = loadDemoDirectory();
  const generated = generateCustomers(Math.max(0, size - demo.customers.length), GENERATOR_SEED);
  return {
    partner: demo.partner,
    customers: [...demo.customers, ...generated].slice(0, size),
    demoCount: Math.min(size, demo.customers.length),
  };
}

export function writeDirectoryFile(path: string, data: DirectoryData): void {
  writeFileSync(path, JSON.stringify({ partner: data.partner, customers: data.customers }));
}

/** A subscription the rules say can be upgraded: what a review → confirm pair of the loads upgrades. */
export interface UpgradeCandidate {
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly target: OfferId;
  readonly seats: number;
}

/** Up to `max` upgradable subscriptions, one per customer, from the customer at index `from` on. */
export function upgradeCandidates(
  customers: readonly Customer[],
  from: number,
  max: number,
): UpgradeCandidate[] {
  const found: UpgradeCandidate[] = [];
  for (let i = from; i < customers.length && found.length < max; i++) {
    const customer = customers[i] as Customer;
    for (const subscription of customer.subscriptions) {
      const target = evaluateSubscription(customer, subscription).eligibleTargets[0];
      if (target !== undefined) {
        found.push({
          customerId: customer.id,
          subscriptionId: subscription.id,
          target,
          seats: subscription.quantity,
        });
        break; // one per customer: an upgrade may change what the customer's other subscriptions can do
      }
    }
  }
  return found;
}
