/**
 * Why an upgrade cannot happen: stable reason codes (docs/rules.md, "Blocking conditions") with the data an
 * explanation needs. Wording lives with the bot, never here.
 */
import type { OfferId, ServiceKey } from './catalog.js';
import type { Channel, DelegatedAdminStatus, SubscriptionStatus } from './model.js';

/** Enough of another subscription to name it in an explanation. */
export interface SubscriptionRef {
  readonly subscriptionId: string;
  readonly offerId: OfferId;
  readonly friendlyName?: string;
  readonly channel: Channel;
  readonly status: SubscriptionStatus;
}

export type Reason =
  /** S is sold through another channel: this partner can never upgrade it ("bought elsewhere"). */
  | { readonly code: 'bought_elsewhere'; readonly channel: Channel }
  /** S's offer has no CSP upgrade path (docs/rules.md, "Upgrade paths"). [UpgradeErrorCode 7] */
  | { readonly code: 'no_upgrade_path'; readonly offerId: OfferId }
  /** C1: S is not active. [2] */
  | { readonly code: 'subscription_not_active'; readonly status: SubscriptionStatus }
  /** C2: no active delegated admin privileges for the customer and S's service. [1, 11] */
  | {
      readonly code: 'delegated_admin_missing';
      readonly service: string;
      /** What the partner holds for that service, `none` when nothing at all. */
      readonly status: DelegatedAdminStatus | 'none';
    }
  /** S is a trial: trials convert, they do not upgrade. */
  | { readonly code: 'trial_subscription' }
  /** S has add-ons attached. [6] */
  | { readonly code: 'add_ons_present'; readonly addOns: readonly OfferId[] }
  /** T is not one of S's targets, India rule applied (docs/rules.md, "Upgrade paths"). [8] */
  | {
      readonly code: 'target_not_available';
      readonly offerId: OfferId;
      readonly target: OfferId;
      readonly validTargets: readonly OfferId[];
      /** True when T is the non-India offer that the India rule replaces. */
      readonly indiaRule: boolean;
    }
  /** C3: another live subscription already includes services that T would add. One reason per subscription. [3] */
  | {
      readonly code: 'conflicting_services';
      readonly conflicting: SubscriptionRef;
      readonly services: readonly ServiceKey[];
    }
  /** C4: the customer already has a live subscription of T. One reason per subscription. */
  | { readonly code: 'target_already_owned'; readonly existing: SubscriptionRef }
  /** The seats asked for do not fit T's limits. */
  | {
      readonly code: 'quantity_out_of_range';
      readonly target: OfferId;
      readonly quantity: number;
      readonly minQuantity: number;
      readonly maxQuantity: number;
    }
  /** Licences: the seats asked for are not more than the subscription has (removing licences is not done here). */
  | { readonly code: 'seats_not_added'; readonly quantity: number; readonly asked: number }
  /**
   * Licences: the subscription's seat count changed since the confirm card was made (a change made elsewhere):
   * nothing is overwritten.
   */
  | { readonly code: 'seat_count_changed'; readonly expected: number; readonly actual: number };

export type ReasonCode = Reason['code'];

/** Every code, in the order reasons are reported. */
export const REASON_CODES = [
  'bought_elsewhere',
  'no_upgrade_path',
  'subscription_not_active',
  'delegated_admin_missing',
  'trial_subscription',
  'add_ons_present',
  'target_not_available',
  'conflicting_services',
  'target_already_owned',
  'quantity_out_of_range',
  'seats_not_added',
  'seat_count_changed',
] as const satisfies readonly ReasonCode[];

/** Codes about the subscription itself: they block every target alike. */
const SUBSCRIPTION_REASON_CODES: readonly ReasonCode[] = [
  'bought_elsewhere',
  'no_upgrade_path',
  'subscription_not_active',
  'delegated_admin_missing',
  'trial_subscription',
  'add_ons_present',
];

export function isSubscriptionReason(reason: Reason): boolean {
  return SUBSCRIPTION_REASON_CODES.includes(reason.code);
}
