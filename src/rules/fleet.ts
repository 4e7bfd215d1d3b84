/**
 * The fleet question: across all customers, who can move to a given plan, and what blocks the others.
 */
import { upgradeTargets, type OfferId } from './catalog.js';
import { evaluateTarget } from './eligibility.js';
import type { Customer } from './model.js';
import type { ReasonCode } from './reasons.js';

/**
 * A customer that can move to the target: ids and name only, so that a fleet over a large directory does not
 * hold on to every eligible customer while it runs (the directory has them).
 */
interface FleetMatch {
  readonly customerId: string;
  readonly companyName: string;
  /** The first of its subscriptions that can move to the target. */
  readonly subscriptionId: string;
}

interface FleetAnswer {
  readonly target: OfferId;
  /** Customers with at least one subscription eligible for the target (first eligible subscription each). */
  readonly eligible: readonly FleetMatch[];
  /** Customers that have the target as a path on some subscription, but no eligible one. */
  readonly blockedCount: number;
  /** For the blocked customers: how many are blocked by each code (a customer counts once per code). */
  readonly blockedByReason: Readonly<Partial<Record<ReasonCode, number>>>;
  /** Customers with no subscription that has the target as a path at all. */
  readonly noPathCount: number;
}

export function customersEligibleFor(customers: Iterable<Customer>, target: OfferId): FleetAnswer {
  const eligible: FleetMatch[] = [];
  const blockedByReason: Partial<Record<ReasonCode, number>> = {};
  let blockedCount = 0;
  let noPathCount = 0;
  for (const customer of customers) {
    const candidates = customer.subscriptions.filter((s) => upgradeTargets(s.offerId).includes(target));
    if (candidates.length === 0) {
      noPathCount++;
      continue;
    }
    const verdicts = candidates.map((s) => ({
      subscription: s,
      verdict: evaluateTarget(customer, s, target),
    }));
    const ok = verdicts.find((v) => v.verdict.eligible);
    if (ok !== undefined) {
      eligible.push({
        customerId: customer.id,
        companyName: customer.companyProfile.companyName,
        subscriptionId: ok.subscription.id,
      });
      continue;
    }
    blockedCount++;
    const codes = new Set(verdicts.flatMap((v) => v.verdict.reasons.map((r) => r.code)));
    for (const code of codes) blockedByReason[code] = (blockedByReason[code] ?? 0) + 1;
  }
  return { target, eligible, blockedCount, blockedByReason, noPathCount };
}
