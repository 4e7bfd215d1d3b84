/**
 * Adding licences to an existing subscription (the seed article's first need: more seats than the subscription
 * has). Only additions: removing licences is not done here. Pure: the caller names the subscription and the
 * seats; the rules say whether it can be done, with the same reason codes as upgrades where they mean the same.
 */
import { CATALOG } from './catalog.js';
import type { SeatRange } from './eligibility.js';
import { findSubscription } from './eligibility.js';
import type { Customer, Subscription } from './model.js';
import type { Reason } from './reasons.js';

/** What is asked: the seats to add, or the new total ("bring Contoso's E3 to 60 seats"). */
export type SeatAsk = { readonly add: number } | { readonly total: number };

export interface LicenceRequest {
  readonly subscriptionId: string;
  /** The new total of seats. */
  readonly quantity: number;
  /** The seat count the confirm card showed: a different count now means a change made elsewhere. */
  readonly previousQuantity?: number;
}

export interface LicencePlan {
  readonly customerId: string;
  readonly subscription: Subscription;
  readonly previousQuantity: number;
  readonly quantity: number;
  /** How many seats are added (quantity − previousQuantity). */
  readonly added: number;
}

export type LicencePlanResult =
  | { readonly ok: true; readonly plan: LicencePlan }
  | { readonly ok: false; readonly problem: 'unknown_subscription' }
  | { readonly ok: false; readonly problem: 'not_eligible'; readonly reasons: readonly Reason[] };

/** The new total for what was asked, on the subscription's seats now. */
export function seatTotal(subscription: Subscription, ask: SeatAsk): number {
  return 'total' in ask ? ask.total : subscription.quantity + ask.add;
}

/** The seat limits of the subscription's offer: every offer at least 1, the Business family at most 300. */
export function seatLimitsOf(subscription: Subscription): SeatRange {
  const offer = CATALOG[subscription.offerId];
  return { min: offer.minQuantity, max: offer.maxQuantity };
}

/**
 * Why licences cannot be added to the subscription now (empty when they can): sold by us, active, not a trial,
 * more seats than it has, a whole number within the offer's limits, and the seats the card showed.
 */
export function licenceReasons(
  subscription: Subscription,
  request: Omit<LicenceRequest, 'subscriptionId'>,
): Reason[] {
  const reasons: Reason[] = [];
  if (subscription.channel !== 'partner') {
    reasons.push({ code: 'bought_elsewhere', channel: subscription.channel });
  }
  if (subscription.status !== 'active') {
    reasons.push({ code: 'subscription_not_active', status: subscription.status });
  }
  if (subscription.isTrial === true) reasons.push({ code: 'trial_subscription' });
  const { quantity } = request;
  const previous = request.previousQuantity ?? subscription.quantity;
  if (previous !== subscription.quantity) {
    reasons.push({ code: 'seat_count_changed', expected: previous, actual: subscription.quantity });
  }
  const limits = seatLimitsOf(subscription);
  if (!Number.isInteger(quantity) || quantity < limits.min || quantity > limits.max) {
    reasons.push({
      code: 'quantity_out_of_range',
      target: subscription.offerId,
      quantity,
      minQuantity: limits.min,
      maxQuantity: limits.max,
    });
  }
  // With the count changed elsewhere, comparing the total asked with today's count says nothing more.
  if (previous === subscription.quantity && quantity <= subscription.quantity) {
    reasons.push({ code: 'seats_not_added', quantity: subscription.quantity, asked: quantity });
  }
  return reasons;
}

/** Plans adding licences to one of the customer's subscriptions; refuses (with the reasons) when it cannot be. */
export function planLicenceAddition(customer: Customer, request: LicenceRequest): LicencePlanResult {
  const subscription = findSubscription(customer, request.subscriptionId);
  if (subscription === undefined) return { ok: false, problem: 'unknown_subscription' };
  const reasons = licenceReasons(subscription, request);
  if (reasons.length > 0) return { ok: false, problem: 'not_eligible', reasons };
  return {
    ok: true,
    plan: {
      customerId: customer.id,
      subscription,
      previousQuantity: subscription.quantity,
      quantity: request.quantity,
      added: request.quantity - subscription.quantity,
    },
  };
}

/** The customer as it is once the licences are added. */
export function applyLicencePlan(customer: Customer, plan: LicencePlan): Customer {
  return {
    ...customer,
    subscriptions: customer.subscriptions.map((s) =>
      s.id === plan.subscription.id ? { ...s, quantity: plan.quantity } : s,
    ),
  };
}

/**
 * The subscriptions one would add licences to: ours and not ended (deleted or expired). A suspended or trial
 * one stays, so that the answer can say why it cannot take more seats.
 */
export function licenceCandidates(customer: Customer): Subscription[] {
  return customer.subscriptions.filter(
    (s) => s.channel === 'partner' && s.status !== 'deleted' && s.status !== 'expired',
  );
}
