/**
 * The embedded customer directory: the customers of a directory file, held in memory. Upgrades change the
 * in-memory copy only (the file is never written).
 */
import type { Customer, UpgradePlan } from '../rules/index.js';
import type { CustomerDirectory, DirectoryInfo } from './directory.js';
import type { DirectoryData } from './load.js';
import type { CustomerName } from './lookup-types.js';
import { checkedUpgrade } from './upgrade-checks.js';

export { UpgradeConflictError, type UpgradeConflict } from './upgrade-checks.js';

export class MemoryDirectory implements CustomerDirectory {
  readonly info: DirectoryInfo;
  private readonly customers = new Map<string, Customer>();

  constructor(data: DirectoryData) {
    this.info = { partnerName: data.partner.name };
    for (const customer of data.customers) {
      if (this.customers.has(customer.id))
        throw new Error(`Duplicate customer id "${customer.id}" in the directory`);
      this.customers.set(customer.id, structuredClone(customer));
    }
  }

  byId(customerId: string): Customer | undefined {
    return this.customers.get(customerId);
  }

  all(): Iterable<Customer> {
    return [...this.customers.values()];
  }

  names(): Iterable<CustomerName> {
    return this.all();
  }

  count(): number {
    return this.customers.size;
  }

  applyUpgrade(plan: UpgradePlan): Customer {
    const updated = checkedUpgrade(this.customers.get(plan.customerId), plan, (subscriptionId) => {
      for (const other of this.customers.values()) {
        if (other.subscriptions.some((s) => s.id === subscriptionId)) return other;
      }
      return undefined;
    });
    this.customers.set(updated.id, updated);
    return updated;
  }
}
