/**
 * Eligibility (docs/rules.md, "Blocking conditions"): every condition is evaluated and every failure
 * reported.
 * Pure: the same customer and question always give the same verdict.
 */
import {
  CATALOG,
  additionalServices,
  adminServiceCovers,
  hasUpgradePath,
  indiaRuleApplies,
  upgradeTargets,
  type OfferId,
  type ServiceKey,
} from './catalog.js';
import { isLive, type Customer, type Subscription } from './model.js';
import {
  REASON_CODES,
  isSubscriptionReason,
  type Reason,
  type ReasonCode,
  type SubscriptionRef,
} from './reasons.js';

export interface TargetVerdict {
  readonly target: OfferId;
  /** True exactly when `reasons` is empty. */
  readonly eligible: boolean;
  /** Every reason, the subscription's own included, in the order of `REASON_CODES`. */
  readonly reasons: readonly Reason[];
  readonly additionalServices: readonly ServiceKey[];
  readonly quantity: number;
}

export interface SubscriptionVerdict {
  readonly customerId: string;
  readonly subscription: Subscription;
  /** Reasons that block every target of this subscription. */
  readonly subscriptionReasons: readonly Reason[];
  /** One verdict per CSP target of the subscription's offer (docs/rules.md, "Upgrade paths"). */
  readonly targets: readonly TargetVerdict[];
  readonly eligibleTargets: readonly OfferId[];
  readonly upgradable: boolean;
  readonly indiaRule: boolean;
}

interface CustomerVerdict {
  readonly customerId: string;
  readonly subscriptions: readonly SubscriptionVerdict[];
  readonly summary: CustomerSummary;
}

interface CustomerSummary {
  readonly subscriptionCount: number;
  /** Subscriptions with at least one eligible target. */
  readonly upgradableCount: number;
  readonly eligiblePathCount: number;
  readonly blockedPathCount: number;
  /** How many verdicts (subscription-level, or target-level for the targets) each code appears in. */
  readonly reasonCounts: Readonly<Partial<Record<ReasonCode, number>>>;
}

interface EvaluateOptions {
  /** Seats asked for; the source quantity by default. */
  readonly quantity?: number;
  /** The target's seat limits as the system of record sends them: they beat the catalog's table. */
  readonly seatLimits?: SeatRange;
}

export interface SeatRange {
  readonly min: number;
  readonly max: number;
}

function ref(s: Subscription): SubscriptionRef {
  return {
    subscriptionId: s.id,
    offerId: s.offerId,
    ...(s.friendlyName === undefined ? {} : { friendlyName: s.friendlyName }),
    channel: s.channel,
    status: s.status,
  };
}

const ORDER = new Map<ReasonCode, number>(REASON_CODES.map((c, i) => [c, i]));
function sortReasons(reasons: Reason[]): Reason[] {
  return reasons
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (ORDER.get(a.r.code) ?? 0) - (ORDER.get(b.r.code) ?? 0) || a.i - b.i)
    .map(({ r }) => r);
}

/** The conditions on the subscription alone (C1, C2, trial, add-ons, channel, path). */
function subscriptionReasons(customer: Customer, subscription: Subscription): Reason[] {
  const reasons: Reason[] = [];
  if (subscription.channel !== 'partner')
    reasons.push({ code: 'bought_elsewhere', channel: subscription.channel });
  if (!hasUpgradePath(subscription.offerId))
    reasons.push({ code: 'no_upgrade_path', offerId: subscription.offerId });
  if (subscription.status !== 'active')
    reasons.push({ code: 'subscription_not_active', status: subscription.status });

  const needed = CATALOG[subscription.offerId].adminService;
  if (customer.delegatedAdmin !== 'unknown') {
    const grants = customer.delegatedAdmin.filter((g) => adminServiceCovers(g.service, needed));
    if (!grants.some((g) => g.status === 'active')) {
      reasons.push({ code: 'delegated_admin_missing', service: needed, status: grants[0]?.status ?? 'none' });
    }
  }
  if (subscription.isTrial === true) reasons.push({ code: 'trial_subscription' });
  if (subscription.addOns !== undefined && subscription.addOns.length > 0) {
    reasons.push({ code: 'add_ons_present', addOns: subscription.addOns });
  }
  return reasons;
}

/** The conditions that depend on the target (one of the source's targets, C3, C4, seats). */
function targetReasons(
  customer: Customer,
  subscription: Subscription,
  target: OfferId,
  quantity: number,
  seatLimits?: SeatRange,
): Reason[] {
  const reasons: Reason[] = [];
  const validTargets = upgradeTargets(subscription.offerId);
  if (validTargets.length > 0 && !validTargets.includes(target)) {
    reasons.push({
      code: 'target_not_available',
      offerId: subscription.offerId,
      target,
      validTargets,
      indiaRule: indiaRuleApplies(subscription.offerId) && validTargets.includes(indiaVariantOf(target)),
    });
  }

  const added = additionalServices(subscription.offerId, target);
  for (const other of customer.subscriptions) {
    if (other.id === subscription.id || !isLive(other)) continue;
    if (other.offerId === target) {
      reasons.push({ code: 'target_already_owned', existing: ref(other) });
      continue; // the same subscription would also overlap every added service: one reason says it
    }
    const otherServices = new Set(CATALOG[other.offerId].services);
    const overlap = added.filter((s) => otherServices.has(s));
    if (overlap.length > 0)
      reasons.push({ code: 'conflicting_services', conflicting: ref(other), services: overlap });
  }

  const minQuantity = seatLimits?.min ?? CATALOG[target].minQuantity;
  const maxQuantity = seatLimits?.max ?? CATALOG[target].maxQuantity;
  if (!Number.isInteger(quantity) || quantity < minQuantity || quantity > maxQuantity) {
    reasons.push({ code: 'quantity_out_of_range', target, quantity, minQuantity, maxQuantity });
  }
  return reasons;
}

function indiaVariantOf(target: OfferId): OfferId {
  return target === 'O365_BUSINESS_PREMIUM' ? 'O365_BUSINESS_PREMIUM_INDIA' : target;
}

function verdict(
  target: OfferId,
  reasons: Reason[],
  subscription: Subscription,
  quantity: number,
): TargetVerdict {
  return {
    target,
    eligible: reasons.length === 0,
    reasons: sortReasons(reasons),
    additionalServices: additionalServices(subscription.offerId, target),
    quantity,
  };
}

/** The verdict for one subscription and any target (a path or not), with all reasons. */
export function evaluateTarget(
  customer: Customer,
  subscription: Subscription,
  target: OfferId,
  options: EvaluateOptions = {},
): TargetVerdict {
  const quantity = options.quantity ?? subscription.quantity;
  const reasons = [
    ...subscriptionReasons(customer, subscription),
    ...targetReasons(customer, subscription, target, quantity, options.seatLimits),
  ];
  return verdict(target, reasons, subscription, quantity);
}

/** Every CSP target of one subscription, each with its verdict. */
export function evaluateSubscription(customer: Customer, subscription: Subscription): SubscriptionVerdict {
  const own = subscriptionReasons(customer, subscription);
  const targets = upgradeTargets(subscription.offerId).map((t) =>
    verdict(
      t,
      [...own, ...targetReasons(customer, subscription, t, subscription.quantity)],
      subscription,
      subscription.quantity,
    ),
  );
  const eligibleTargets = targets.filter((t) => t.eligible).map((t) => t.target);
  return {
    customerId: customer.id,
    subscription,
    subscriptionReasons: sortReasons(own),
    targets,
    eligibleTargets,
    upgradable: eligibleTargets.length > 0,
    indiaRule: indiaRuleApplies(subscription.offerId),
  };
}

/** Every subscription of a customer, and a summary. */
export function evaluateCustomer(customer: Customer): CustomerVerdict {
  const subscriptions = customer.subscriptions.map((s) => evaluateSubscription(customer, s));
  const reasonCounts: Partial<Record<ReasonCode, number>> = {};
  const count = (code: ReasonCode): void => {
    reasonCounts[code] = (reasonCounts[code] ?? 0) + 1;
  };
  let eligiblePathCount = 0;
  let blockedPathCount = 0;
  for (const sv of subscriptions) {
    for (const r of sv.subscriptionReasons) count(r.code);
    for (const t of sv.targets) {
      if (t.eligible) eligiblePathCount++;
      else blockedPathCount++;
      for (const code of new Set(t.reasons.filter((r) => !isSubscriptionReason(r)).map((r) => r.code)))
        count(code);
    }
  }
  return {
    customerId: customer.id,
    subscriptions,
    summary: {
      subscriptionCount: subscriptions.length,
      upgradableCount: subscriptions.filter((s) => s.upgradable).length,
      eligiblePathCount,
      blockedPathCount,
      reasonCounts,
    },
  };
}

export function findSubscription(customer: Customer, subscriptionId: string): Subscription | undefined {
  return customer.subscriptions.find((s) => s.id === subscriptionId);
}
