/**
 * The upgrade gateway port: whatever carries a change (an upgrade, or licences added) out in the system of record (the embedded store, or
 * Partner Center). `execute` is idempotent by its key: run again with the same key (a retry, a resumption
 * after a crash), it does not upgrade twice and answers as the first run did.
 */
import {
  planLicenceAddition,
  planUpgrade,
  type Customer,
  type LicencePlan,
  type Reason,
  type UpgradePlan,
} from '../rules/index.js';
import type { Execution, LicenceOrder, ChangeOrder, UpgradeOrder } from './ledger.js';

export interface UpgradeGateway {
  /**
   * Which system carries the change out: `embedded` changes the bot's own directory only (the demo);
   * `partner-center` changes Partner Center. The outcome card says which.
   */
  readonly system: 'embedded' | 'partner-center';
  /**
   * True when the system of record judges eligibility itself (Partner Center re-checks before it changes
   * anything): the service then does not refuse on the rules' verdict of the synced copy.
   */
  readonly judgesEligibility: boolean;
  /**
   * Carries the order out. Throws `UpgradeRefusedError` when the system of record says no (nothing changed),
   * `UpgradeFailedError` when it failed for good (nothing changed); any other error leaves the outcome
   * unknown: the caller keeps the claim and runs it again later with the same key. `attempt` is 1 for the
   * first run (the default), more for a resumption (the first run may have changed the system of record).
   */
  execute(order: ChangeOrder, idempotencyKey: string, attempt?: number): Promise<Execution>;
}

/** The system of record refused the change: it is not eligible now. Nothing changed. */
export class UpgradeRefusedError extends Error {
  constructor(
    readonly reasons: readonly Reason[],
    message: string,
  ) {
    super(message);
    this.name = 'UpgradeRefusedError';
  }
}

/** The change failed for good (not a passing fault). Nothing changed. */
export class UpgradeFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpgradeFailedError';
  }
}

/**
 * The plan of an order on the customer as the system of record holds it now, with a new subscription id; the
 * gateways' shared check before they change anything. Throws `UpgradeFailedError` when the customer or the
 * subscription is gone, `UpgradeRefusedError` when the rules say no now.
 */
export function planOrder(
  customer: Customer | undefined,
  order: UpgradeOrder,
  newSubscriptionId: string,
): UpgradePlan {
  if (customer === undefined) {
    throw new UpgradeFailedError(`customer "${order.customerId}" is not in the directory`);
  }
  const planned = planUpgrade(customer, order, newSubscriptionId);
  if (planned.ok) return planned.plan;
  if (planned.problem === 'not_eligible') {
    throw new UpgradeRefusedError(planned.verdict.reasons, 'not eligible now');
  }
  throw new UpgradeFailedError(`subscription "${order.subscriptionId}" is not in the directory`);
}

/**
 * The plan of a licence order on the customer as the system of record holds it now; the gateways' shared check
 * before they change anything. Throws as `planOrder` does; a seat count other than the card showed is refused
 * (`seat_count_changed`): a change made elsewhere is never overwritten.
 */
export function planLicenceOrder(customer: Customer | undefined, order: LicenceOrder): LicencePlan {
  if (customer === undefined) {
    throw new UpgradeFailedError(`customer "${order.customerId}" is not in the directory`);
  }
  const planned = planLicenceAddition(customer, order);
  if (planned.ok) return planned.plan;
  if (planned.problem === 'not_eligible') throw new UpgradeRefusedError(planned.reasons, 'not possible now');
  throw new UpgradeFailedError(`subscription "${order.subscriptionId}" is not in the directory`);
}
