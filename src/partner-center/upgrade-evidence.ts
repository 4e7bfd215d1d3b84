/**
 * Whether an upgrade was carried out, read from the customer's subscriptions in Partner Center: what tells a
 * resumption (or a retry whose earlier attempt went unanswered) that the first POST went through.
 *
 * The source's status proves nothing: Partner Center suspends the source of an upgrade rather than delete it,
 * and an upgrade of part of the seats leaves it active. The proof is a live subscription of the target offer
 * created at or after the request.
 */
import type { OfferId, Subscription } from '../rules/index.js';
import { isLive } from '../rules/index.js';
import { subscriptionStatus } from './customer-mapping.js';
import { matchOffer } from './offers.js';
import type { PcSubscription } from './schemas.js';

/**
 * How far Partner Center's clock (creationDate) may be behind ours (the request's date) and a new subscription
 * still count. Servers' clocks are kept within seconds; the margin costs nothing, since a target subscription
 * made in those minutes by another change is ruled out by Partner Center's own check (code 4).
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

export interface UpgradeEvidenceOrder {
  readonly target: OfferId;
  /** ISO date-time the upgrade was asked for (the ledger's entry); absent: any live target subscription counts. */
  readonly requestedAt?: string;
}

/** The id of the subscription the order's upgrade created, if the subscriptions show one. */
export function upgradedSubscription(
  subscriptions: readonly PcSubscription[],
  order: UpgradeEvidenceOrder,
  skewMs = CLOCK_SKEW_MS,
): string | undefined {
  const requested = order.requestedAt === undefined ? Number.NaN : Date.parse(order.requestedAt);
  const since = requested - skewMs;
  const targets = subscriptions.filter((s) => isTarget(s, order.target) && liveStatus(s.status));
  const created = (s: PcSubscription) =>
    s.creationDate === undefined ? Number.NaN : Date.parse(s.creationDate);
  const newest = targets
    .filter((s) => !Number.isNaN(created(s)) && (Number.isNaN(since) || created(s) >= since))
    .sort((a, b) => created(b) - created(a))[0];
  if (newest !== undefined) return newest.id;
  // Without a creation date (or without the request's), a live subscription of the target is the upgrade's:
  // there was none before the first attempt, since the rules (target already owned) and Partner Center (code 4,
  // concurrent subscriptions) both refuse an upgrade to an offer the customer already holds.
  return targets.find((s) => Number.isNaN(created(s)) || Number.isNaN(since))?.id;
}

function liveStatus(status: string): boolean {
  // As the sync reads it: Partner Center's case ("Active") and statuses we do not know.
  return isLive({ status: subscriptionStatus(status) } as Subscription);
}

/** A subscription of the target offer (add-ons never are). */
function isTarget(s: PcSubscription, target: OfferId): boolean {
  if (s.parentSubscriptionId !== undefined && s.parentSubscriptionId !== '') return false;
  const match = matchOffer({ id: s.offerId, ...(s.offerName === undefined ? {} : { name: s.offerName }) });
  return match.kind === 'catalog' && match.offerId === target;
}
