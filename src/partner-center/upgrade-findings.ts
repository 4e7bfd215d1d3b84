/**
 * Partner Center's verdict on one upgrade (an Upgrade of `GET …/upgrades`) in the rules' terms. Pure: no I/O.
 *
 * Codes 1, 2, 3, 6, 7 and 8 become our reasons, with the data our wording needs taken from the synced copy of
 * the customer (the service of the delegated admin, the add-ons, the overlapping subscription). Partner Center
 * sees what the partner's API cannot show (subscriptions bought from another partner or directly), so code 3
 * with no synced subscription overlapping is "probably bought elsewhere", never a guess at a subscription.
 * Every other code (0, 4, 5, 9, 10, 11, unknown), and a mapped code whose data cannot be found, is shown as
 * Partner Center said it.
 */
import type { LiveFinding, LiveTarget } from '../core/live-check.js';
import {
  CATALOG,
  SUBSCRIPTION_STATUSES,
  evaluateTarget,
  type Customer,
  type OfferId,
  type Reason,
  type Subscription,
  type SubscriptionStatus,
} from '../rules/index.js';
import { upgradeErrorName } from './client.js';
import { matchOffer, seatLimits } from './offers.js';
import type { PcUpgrade, PcUpgradeError } from './schemas.js';

export interface FindingContext {
  /** The synced copy of the customer. */
  readonly customer: Customer;
  /** The source subscription in the synced copy (undefined when the sync has not seen it). */
  readonly source: Subscription | undefined;
  /** The catalog offer of the target, undefined when the catalog does not know it. */
  readonly target: OfferId | undefined;
  /** The catalog targets Partner Center lists for the source (code 8 names them). */
  readonly validTargets: readonly OfferId[];
}

/** Which codes Partner Center says will pass with time (4, 9), need a partner user's sign-in (5), or neither. */
function remedyOf(name: string | undefined): 'retry-later' | 'sign-in' | 'generic' {
  if (name === 'concurrency_conflicts' || name === 'subscription_not_provisioned') return 'retry-later';
  if (name === 'user_context_required') return 'sign-in';
  return 'generic';
}

function asIs(error: PcUpgradeError): LiveFinding {
  const name = upgradeErrorName(error.code);
  const description = [error.description, error.additionalDetails]
    .filter((s): s is string => s !== undefined && s.trim() !== '')
    .join(' ');
  return {
    kind: 'partner-center',
    code: String(error.code),
    description: description === '' ? (name ?? String(error.code)) : description,
    remedy: remedyOf(name),
  };
}

function reason(r: Reason): LiveFinding {
  return { kind: 'reason', reason: r };
}

function statusOf(error: PcUpgradeError, source: Subscription | undefined): SubscriptionStatus | undefined {
  // Partner Center's word first (it is the system of record); the synced copy when it says nothing usable.
  const said = error.additionalDetails?.trim().toLowerCase();
  const fromPc = SUBSCRIPTION_STATUSES.find((s) => s === said);
  if (fromPc !== undefined && fromPc !== 'active') return fromPc;
  return source !== undefined && source.status !== 'active' ? source.status : undefined;
}

/** One UpgradeError as findings (code 3 may name several overlapping subscriptions). */
function findingsOf(error: PcUpgradeError, context: FindingContext): LiveFinding[] {
  const { customer, source, target, validTargets } = context;
  const name = upgradeErrorName(error.code);
  if (source === undefined) return [asIs(error)];
  switch (name) {
    case 'delegated_admin_permissions_disabled':
      return [
        reason({
          code: 'delegated_admin_missing',
          service: CATALOG[source.offerId].adminService,
          status: 'none',
        }),
      ];
    case 'subscription_status_not_active': {
      const status = statusOf(error, source);
      return status === undefined ? [asIs(error)] : [reason({ code: 'subscription_not_active', status })];
    }
    case 'conflicting_service_types': {
      if (target === undefined) return [asIs(error)];
      const overlaps = evaluateTarget(customer, source, target).reasons.filter(
        (r) => r.code === 'conflicting_services',
      );
      return overlaps.length > 0 ? overlaps.map(reason) : [{ kind: 'conflict-elsewhere', target }];
    }
    case 'subscription_add_ons_present': {
      const addOns = source.addOns ?? [];
      return addOns.length === 0 ? [asIs(error)] : [reason({ code: 'add_ons_present', addOns })];
    }
    case 'subscription_does_not_have_any_upgrade_paths':
      return [reason({ code: 'no_upgrade_path', offerId: source.offerId })];
    case 'subscription_target_offer_not_found': {
      if (target === undefined) return [asIs(error)];
      const rules = evaluateTarget(customer, source, target).reasons.find(
        (r) => r.code === 'target_not_available',
      );
      return [
        reason({
          code: 'target_not_available',
          offerId: source.offerId,
          target,
          validTargets,
          indiaRule: rules?.code === 'target_not_available' && rules.indiaRule,
        }),
      ];
    }
    default:
      return [asIs(error)];
  }
}

/** Partner Center's upgrade errors as findings, in the order it sent them. */
export function upgradeFindings(errors: readonly PcUpgradeError[], context: FindingContext): LiveFinding[] {
  return errors.flatMap((e) => findingsOf(e, context));
}

/** The catalog offer of an Upgrade's target, undefined when the catalog does not know it. */
export function targetOfferOf(upgrade: PcUpgrade): OfferId | undefined {
  const match = matchOffer(upgrade.targetOffer);
  return match.kind === 'catalog' ? match.offerId : undefined;
}

/** One Upgrade as the live check's target: the catalog offer, Partner Center's verdict, findings and seats. */
export function liveTarget(upgrade: PcUpgrade, context: Omit<FindingContext, 'target'>): LiveTarget {
  const target = targetOfferOf(upgrade);
  const offer = upgrade.targetOffer;
  const sent = offer.minimumQuantity !== undefined || offer.maximumQuantity !== undefined;
  let seats: LiveTarget['seats'];
  if (target !== undefined && sent) {
    const limits = seatLimits(target, offer);
    seats = { min: limits.minQuantity, max: limits.maxQuantity };
  } else if (offer.minimumQuantity !== undefined && offer.maximumQuantity !== undefined) {
    seats = { min: offer.minimumQuantity, max: offer.maximumQuantity };
  }
  return {
    target,
    targetName: offer.name ?? offer.id,
    eligible: upgrade.isEligible,
    findings: upgradeFindings(upgrade.upgradeErrors, { ...context, target }),
    ...(seats === undefined ? {} : { seats }),
  };
}
