/**
 * The checks made before applying a planned upgrade (docs/rules.md, "Doing the upgrade": the rules are
 * re-checked at the moment of confirmation), used by the SQLite directory.
 */
import { isDeepStrictEqual } from 'node:util';
import { applyPlan, evaluateTarget, type Customer, type Reason, type UpgradePlan } from '../rules/index.js';

type UpgradeConflict =
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

/**
 * Checks a plan against the directory as it is now and returns the customer as it will be once the plan is
 * applied; throws an `UpgradeConflictError` when the plan no longer fits. Changes nothing.
 *
 * @param customer the plan's customer as the directory holds it now (`undefined` when unknown)
 * @param ownerOf the customer that holds a subscription id, if any (for the new subscription's id)
 */
export function checkedUpgrade(
  customer: Customer | undefined,
  plan: UpgradePlan,
  ownerOf: (subscriptionId: string) => Customer | undefined,
): Customer {
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
  const owner = ownerOf(newId);
  if (owner !== undefined) {
    throw new UpgradeConflictError(
      'subscription_id_taken',
      `Cannot upgrade: subscription id "${newId}" is already used (customer "${owner.companyProfile.companyName}")`,
    );
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
  return applyPlan(customer, plan);
}
