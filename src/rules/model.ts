/**
 * The customer model the rules read. Field names follow the Partner Center REST resources (Customer,
 * Subscription, UserLicense) as the directory file does (docs/directory-format.md).
 */
import type { OfferId, ServiceKey } from './catalog.js';

export const SUBSCRIPTION_STATUSES = [
  'active',
  'suspended',
  'pending',
  'deleted',
  'expired',
  'disabled',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export const CHANNELS = ['partner', 'other-partner', 'direct', 'ea', 'open'] as const;
/** Who sold the subscription: `partner` is us; every other channel is "bought elsewhere". */
export type Channel = (typeof CHANNELS)[number];

export const DELEGATED_ADMIN_STATUSES = ['active', 'expired', 'terminated', 'approvalPending'] as const;
export type DelegatedAdminStatus = (typeof DELEGATED_ADMIN_STATUSES)[number];

export interface DelegatedAdmin {
  readonly service: string;
  readonly status: DelegatedAdminStatus;
}

export interface UserLicense {
  readonly objectId: string;
  readonly name: string;
  readonly email: string;
  /** Services turned off for this user: a custom per-user assignment. */
  readonly disabledServices?: readonly ServiceKey[];
}

export interface Subscription {
  readonly id: string;
  readonly offerId: OfferId;
  readonly friendlyName?: string;
  readonly quantity: number;
  readonly status: SubscriptionStatus;
  readonly channel: Channel;
  readonly isTrial?: boolean;
  readonly addOns?: readonly OfferId[];
  readonly users?: readonly UserLicense[];
}

/**
 * A subscription whose offer the catalog does not judge (read from Partner Center): shown as it is, with no
 * upgrade verdict of ours. `new-commerce`: a `PRODUCT:SKU:AVAILABILITY` offer; `other-product`: Microsoft 365
 * E3/E5/Business Premium and the like (never an Office 365 plan); `unknown`: an offer the catalog does not know.
 */
export interface OtherSubscription {
  readonly id: string;
  readonly kind: 'new-commerce' | 'other-product' | 'unknown';
  /** Partner Center's offer id, as it came. */
  readonly offerId: string;
  /** Partner Center's offer name, as it came. */
  readonly offerName: string;
  readonly friendlyName?: string;
  readonly quantity: number;
  readonly status: SubscriptionStatus;
}

export interface CompanyProfile {
  readonly companyName: string;
  readonly domain: string;
}

export interface Customer {
  readonly id: string;
  readonly companyProfile: CompanyProfile;
  /**
   * The partner's delegated admin privileges, or `unknown` when the source does not hold them (Partner Center's
   * customer and subscription resources do not): condition C2 is then not checked here, and the answers say so
   * (Partner Center's own verdict at review covers it).
   */
  readonly delegatedAdmin: readonly DelegatedAdmin[] | 'unknown';
  readonly subscriptions: readonly Subscription[];
  /** Subscriptions whose offers the catalog does not judge (Partner Center source only). */
  readonly otherSubscriptions?: readonly OtherSubscription[];
  /** ISO date-time: when this customer was last read from the system of record (Partner Center source only). */
  readonly syncedAt?: string;
}

/** "Live" subscriptions can block an upgrade (C3, C4): active, suspended or pending. */
export function isLive(subscription: Subscription): boolean {
  return (
    subscription.status === 'active' ||
    subscription.status === 'suspended' ||
    subscription.status === 'pending'
  );
}
