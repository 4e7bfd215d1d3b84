/**
 * A Partner Center customer and its subscriptions in the rules' model (pure: no I/O). Partner Center lists
 * only the partner's own subscriptions, so every one is channel `partner`: subscriptions bought elsewhere are
 * invisible here, and only Partner Center's own verdict at review can see them. Its customer and subscription
 * resources hold no delegated admin privileges (`delegatedAdmin: 'unknown'`). Per-user licences are not read
 * (one more call per subscription, for a check Partner Center's verdict at review makes itself).
 */
import {
  isLive,
  SUBSCRIPTION_STATUSES,
  type Customer,
  type OfferId,
  type OtherSubscription,
  type Subscription,
  type SubscriptionStatus,
} from '../rules/index.js';
import { matchOffer } from './offers.js';
import type { PcCustomer, PcSubscription } from './schemas.js';

export interface PcCustomerWithSubscriptions {
  readonly customer: PcCustomer;
  readonly subscriptions: readonly PcSubscription[];
}

/**
 * The rules' status of a Partner Center subscription status (compared whatever its case). Partner Center's
 * `none` (no state yet, as while it is provisioned) and any status it may add later are `pending`: live, so
 * that it can block an upgrade that would duplicate it, but never upgraded itself.
 */
export function subscriptionStatus(status: string): SubscriptionStatus {
  const known = SUBSCRIPTION_STATUSES.find((s) => s === status.trim().toLowerCase());
  return known ?? 'pending';
}

/** The customer as the rules read it, read from Partner Center at `syncedAt`. */
export function toCustomer(source: PcCustomerWithSubscriptions, syncedAt: Date): Customer {
  const { customer } = source;
  const profile = customer.companyProfile;
  const domain = profile?.domain?.trim() ?? '';
  const companyName = profile?.companyName?.trim() || domain || customer.id;

  const matched = source.subscriptions.map((s) => ({
    s,
    match: matchOffer({ id: s.offerId, name: s.offerName }),
  }));
  // Add-ons go onto their parent when both are catalog offers: the rules know them as the parent's add-ons,
  // and block its upgrade (C6). Only a live add-on does: one deleted or expired is in the way of nothing.
  const catalogParents = new Set(
    matched.filter((m) => m.match.kind === 'catalog' && !isAddOn(m.s)).map((m) => m.s.id),
  );
  const addOns = new Map<string, OfferId[]>();
  const subscriptions: { s: PcSubscription; offerId: OfferId }[] = [];
  const otherSubscriptions: OtherSubscription[] = [];
  for (const { s, match } of matched) {
    if (match.kind === 'catalog') {
      if (!isAddOn(s)) {
        subscriptions.push({ s, offerId: match.offerId });
        continue;
      }
      if (catalogParents.has(s.parentSubscriptionId ?? '')) {
        if (!isLive(subscription(s, match.offerId, undefined))) continue;
        const list = addOns.get(s.parentSubscriptionId ?? '') ?? [];
        list.push(match.offerId);
        addOns.set(s.parentSubscriptionId ?? '', list);
        continue;
      }
    }
    // A catalog add-on on a parent the catalog does not judge is not judged either: shown as unknown to us.
    // An add-on the catalog does not know stays here even on a catalog parent, so the rules do not see it on
    // the parent; Partner Center's verdict at review refuses the upgrade for it (code 6, add-ons present).
    otherSubscriptions.push(otherSubscription(s, match.kind === 'catalog' ? 'unknown' : match.kind));
  }
  return {
    id: customer.id,
    companyProfile: { companyName, domain },
    delegatedAdmin: 'unknown',
    subscriptions: subscriptions.map(({ s, offerId }) => subscription(s, offerId, addOns.get(s.id))),
    ...(otherSubscriptions.length === 0 ? {} : { otherSubscriptions }),
    syncedAt: syncedAt.toISOString(),
  };
}

function isAddOn(s: PcSubscription): boolean {
  return s.parentSubscriptionId !== undefined && s.parentSubscriptionId !== '';
}

/**
 * One Partner Center subscription of a catalog offer as the rules read it (channel `partner`: Partner Center
 * lists only the partner's own), without its add-ons: what a live check of that one subscription needs.
 */
export function toSubscription(s: PcSubscription, offerId: OfferId): Subscription {
  return subscription(s, offerId, undefined);
}

function subscription(
  s: PcSubscription,
  offerId: OfferId,
  addOns: readonly OfferId[] | undefined,
): Subscription {
  return {
    id: s.id,
    offerId,
    ...(s.friendlyName === undefined ? {} : { friendlyName: s.friendlyName }),
    quantity: s.quantity,
    status: subscriptionStatus(s.status),
    channel: 'partner',
    ...(s.isTrial === undefined ? {} : { isTrial: s.isTrial }),
    ...(addOns === undefined ? {} : { addOns }),
  };
}

function otherSubscription(s: PcSubscription, kind: OtherSubscription['kind']): OtherSubscription {
  return {
    id: s.id,
    kind,
    offerId: s.offerId,
    offerName: s.offerName ?? '',
    ...(s.friendlyName === undefined ? {} : { friendlyName: s.friendlyName }),
    quantity: s.quantity,
    status: subscriptionStatus(s.status),
  };
}
