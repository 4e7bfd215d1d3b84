/**
 * Upgrade planning (docs/rules.md, "Doing the upgrade"): what an upgrade changes and which accounts need
 * manual work.
 * The new subscription's id is given by the caller: the rules make no ids and read no clock.
 */
import { CATALOG, type OfferId, type ServiceKey } from './catalog.js';
import { evaluateTarget, findSubscription, type SeatRange, type TargetVerdict } from './eligibility.js';
import type { Customer, Subscription, UserLicense } from './model.js';
import type { Reason } from './reasons.js';

export const UPGRADE_TYPES = ['upgrade_with_license_transfer', 'upgrade_only'] as const;
export type UpgradeType = (typeof UPGRADE_TYPES)[number];

interface UpgradeRequest {
  readonly subscriptionId: string;
  readonly target: OfferId;
  /** Seats of the new subscription; the source quantity by default. */
  readonly quantity?: number;
  readonly upgradeType: UpgradeType;
  /** The source's seats when the request was made: a different count now is a change made elsewhere. */
  readonly previousQuantity?: number;
}

/** Why an account needs manual work after the switch. */
export type AffectedCause =
  /** The user had services turned off; per-user custom assignments do not survive the switch. */
  | 'custom_assignment_lost'
  /** More users than seats: this user was not moved. */
  | 'beyond_seat_count'
  /** upgrade_only: licences are not moved, every assigned user needs one in the new subscription. */
  | 'licence_not_transferred'
  /** Partner Center carried the upgrade out but could not move this user's licence (`licenseErrors`). */
  | 'partner_center_licence_error';

export interface AffectedAccount {
  readonly objectId: string;
  readonly name: string;
  readonly email: string;
  readonly cause: AffectedCause;
  /** The services to set up again by hand for this account. */
  readonly services: readonly ServiceKey[];
  /** What the system of record said went wrong for this account, as it said it (its own words, not ours). */
  readonly faults?: readonly string[];
}

export interface UpgradePlan {
  readonly customerId: string;
  readonly source: Subscription;
  readonly target: OfferId;
  readonly quantity: number;
  readonly upgradeType: UpgradeType;
  readonly additionalServices: readonly ServiceKey[];
  /** The source as it is after the switch: cancelled, no licences. */
  readonly cancelledSource: Subscription;
  readonly newSubscription: Subscription;
  readonly movedUsers: readonly UserLicense[];
  readonly affectedAccounts: readonly AffectedAccount[];
}

export interface PlanOptions {
  /**
   * The system of record (Partner Center) says the upgrade is eligible now: the rules' verdict on the synced
   * copy, which may be stale or lack what only the system of record sees, does not refuse it. The seats asked
   * for are still checked, since its verdict is on the source's quantity.
   */
  readonly eligibleInSystemOfRecord?: boolean;
  /** The target's seat limits as the system of record sends them: they beat the catalog's table. */
  readonly seatLimits?: SeatRange;
}

export type PlanResult =
  | { readonly ok: true; readonly plan: UpgradePlan }
  | { readonly ok: false; readonly problem: 'unknown_subscription' }
  | { readonly ok: false; readonly problem: 'not_eligible'; readonly verdict: TargetVerdict };

function account(user: UserLicense, cause: AffectedCause, services: readonly ServiceKey[]): AffectedAccount {
  return { objectId: user.objectId, name: user.name, email: user.email, cause, services };
}

/** Plans an upgrade of one of the customer's subscriptions; refuses (with the verdict) when it is not eligible. */
export function planUpgrade(
  customer: Customer,
  request: UpgradeRequest,
  newSubscriptionId: string,
  options: PlanOptions = {},
): PlanResult {
  const source = findSubscription(customer, request.subscriptionId);
  if (source === undefined) return { ok: false, problem: 'unknown_subscription' };
  const quantity = request.quantity ?? source.quantity;
  const verdict = evaluateTarget(customer, source, request.target, {
    quantity,
    ...(options.seatLimits === undefined ? {} : { seatLimits: options.seatLimits }),
  });
  // Seats changed since the request (licences added meanwhile): the plan would lose them; said, never done. A
  // system of record that judges the change checks the seats it holds itself (the copy here may lag it).
  const changed: Reason[] =
    options.eligibleInSystemOfRecord === true ||
    request.previousQuantity === undefined ||
    request.previousQuantity === source.quantity
      ? []
      : [{ code: 'seat_count_changed', expected: request.previousQuantity, actual: source.quantity }];
  // The system of record's verdict is on the source's quantity: the seats asked for are still ours to check.
  const blocking = [
    ...changed,
    ...(options.eligibleInSystemOfRecord
      ? verdict.reasons.filter((r) => r.code === 'quantity_out_of_range')
      : verdict.reasons),
  ];
  if (blocking.length > 0) {
    return {
      ok: false,
      problem: 'not_eligible',
      verdict: { ...verdict, eligible: false, reasons: blocking },
    };
  }

  const targetServices = CATALOG[request.target].services;
  const users = source.users ?? [];
  const movedUsers: UserLicense[] = [];
  const affectedAccounts: AffectedAccount[] = [];

  if (request.upgradeType === 'upgrade_only') {
    for (const u of users) affectedAccounts.push(account(u, 'licence_not_transferred', targetServices));
  } else {
    users.forEach((u, index) => {
      if (index >= quantity) {
        affectedAccounts.push(account(u, 'beyond_seat_count', targetServices));
        return;
      }
      const { disabledServices, ...plain } = u;
      movedUsers.push(plain);
      const lost = (disabledServices ?? []).filter((s) => targetServices.includes(s));
      if (lost.length > 0) affectedAccounts.push(account(u, 'custom_assignment_lost', lost));
    });
  }

  const newSubscription: Subscription = {
    id: newSubscriptionId,
    offerId: request.target,
    ...(source.friendlyName === undefined ? {} : { friendlyName: source.friendlyName }),
    quantity,
    status: 'active',
    channel: 'partner',
    isTrial: false,
    addOns: [],
    users: movedUsers,
  };
  return {
    ok: true,
    plan: {
      customerId: customer.id,
      source,
      target: request.target,
      quantity,
      upgradeType: request.upgradeType,
      additionalServices: verdict.additionalServices,
      cancelledSource: { ...source, status: 'deleted', users: [] },
      newSubscription,
      movedUsers,
      affectedAccounts,
    },
  };
}

/** The customer as it is once the plan is applied: the source cancelled, the new subscription added. */
export function applyPlan(customer: Customer, plan: UpgradePlan): Customer {
  return {
    ...customer,
    subscriptions: [
      ...customer.subscriptions.map((s) => (s.id === plan.source.id ? plan.cancelledSource : s)),
      plan.newSubscription,
    ],
  };
}
