/**
 * Where the customers live. The embedded default is in memory, read from the directory file; durable and
 * shared implementations come behind the same interface.
 */
import type { Customer, UpgradePlan } from '../rules/index.js';
import type { CustomerName } from './lookup-types.js';

export interface DirectoryInfo {
  readonly partnerName: string;
}

export interface CustomerDirectory {
  readonly info: DirectoryInfo;
  byId(customerId: string): Customer | undefined;
  all(): Iterable<Customer>;
  /** Every customer's id, name and domain, in the same order (what the lookup indexes). */
  names(): Iterable<CustomerName>;
  count(): number;
  /** Applies a planned upgrade (source cancelled, new subscription added); throws if the plan no longer fits. */
  applyUpgrade(plan: UpgradePlan): Customer;
}
