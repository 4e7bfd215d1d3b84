/**
 * The embedded customer directory: the customers of a directory file, held in memory. Upgrades change the
 * in-memory copy only (the file is never written).
 */
import { isDeepStrictEqual } from 'node:util';
import { applyPlan, evaluateTarget, type Customer, type Reason, type UpgradePlan } from '../rules/index.js';
import type { CustomerDirectory, DirectoryInfo } from './directory.js';
import type { DirectoryData } from './load.js';

export type UpgradeConflict =
  /** The plan's customer is not in the directory. */
  | 'unknown_customer'
  /** The plan's source subscription is not (or no longer) one of the customer's. */
  | 'unknown_subscription'
  /** The source subscription changed since the plan was made (e.g. already upgraded or deleted). */
  | 'source_changed'
  /** The new subscription's id is already taken. */
  | 'subscription_id_taken'
  /** The customer's other subscriptions changed so that the upgrade is no longer eligible. */
  | 'not_eligible';

/** A plan that no longer fits the directory; nothing was changed. */
export class UpgradeConflictError extends Error {
  readonly conflict: UpgradeConflict;
  /** For `not_eligible`: the current reasons. */
  readonly reasons: readonly Reason[];

  constructor(conflict: UpgradeConflict, message: string, reasons: readonly Reason[] = []) {
    super(message);
    this.name = 'UpgradeConflictError';
    this.conflict = conflict;
    this.reasons = reasons;
  }
}

/** Compares as the JSON the data came from: key order and `undefined`-valued keys do not matter. */
function sameData(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}

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

  count(): number {
    return this.customers.size;
  }

  applyUpgrade(plan: UpgradePlan): Customer {
    const customer = this.customers.get(plan.customerId);
    if (customer === undefined) {
      throw new UpgradeConflictError(
        'unknown_customer',
        `Cannot upgrade: no customer with id "${plan.customerId}"`,
      );
    }
    const name = customer.companyProfile.companyName;
    const current = customer.subscriptions.find((s) => s.id === plan.source.id);
    if (current === undefined) {
      throw new UpgradeConflictError(
        'unknown_subscription',
        `Cannot upgrade: customer "${name}" has no subscription "${plan.source.id}"`,
      );
    }
    if (!sameData(current, plan.source)) {
      throw new UpgradeConflictError(
        'source_changed',
        `Cannot upgrade: subscription "${current.id}" of "${name}" changed since the upgrade was planned ` +
          `(it is now ${current.status}, ${current.offerId}, ${current.quantity} seats)`,
      );
    }
    const newId = plan.newSubscription.id;
    for (const other of this.customers.values()) {
      if (other.subscriptions.some((s) => s.id === newId)) {
        throw new UpgradeConflictError(
          'subscription_id_taken',
          `Cannot upgrade: subscription id "${newId}" is already used (customer "${other.companyProfile.companyName}")`,
        );
      }
    }
    const verdict = evaluateTarget(customer, current, plan.target, { quantity: plan.quantity });
    if (!verdict.eligible) {
      throw new UpgradeConflictError(
        'not_eligible',
        `Cannot upgrade subscription "${current.id}" of "${name}" to ${plan.target} any more: ` +
          verdict.reasons.map((r) => r.code).join(', '),
        verdict.reasons,
      );
    }
    const updated = applyPlan(customer, plan);
    this.customers.set(customer.id, updated);
    return updated;
  }
}
