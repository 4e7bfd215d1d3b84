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
export interface FleetMatch {
  readonly customerId: string;
  readonly companyName: string;
  /** The first of its subscriptions that can move to the target. */
  readonly subscriptionId: string;
  /** The seats of all its subscriptions that can move to the target: the size of the opportunity. */
  readonly seats: number;
}

export interface FleetAnswer {
  readonly target: OfferId;
  /**
   * Customers with at least one subscription eligible for the target (first eligible subscription each), by
   * seats, largest first (then by name, then id: the order never depends on the directory's).
   */
  readonly eligible: readonly FleetMatch[];
  /** The seats of all the eligible customers' eligible subscriptions. */
  readonly eligibleSeats: number;
  /** Customers that have the target as a path on some subscription, but no eligible one. */
  readonly blockedCount: number;
  /** For the blocked customers: how many are blocked by each code (a customer counts once per code). */
  readonly blockedByReason: Readonly<Partial<Record<ReasonCode, number>>>;
  /** Customers with no subscription that has the target as a path at all. */
  readonly noPathCount: number;
}

/** Counts customers one at a time (a directory read in pages is never held whole), then answers. */
export class FleetTally {
  private readonly eligible: FleetMatch[] = [];
  private readonly blockedByReason: Partial<Record<ReasonCode, number>> = {};
  private blockedCount = 0;
  private noPathCount = 0;
  private eligibleSeats = 0;

  constructor(readonly target: OfferId) {}

  add(customer: Customer): void {
    const { target } = this;
    const candidates = customer.subscriptions.filter((s) => upgradeTargets(s.offerId).includes(target));
    if (candidates.length === 0) {
      this.noPathCount++;
      return;
    }
    const verdicts = candidates.map((s) => ({
      subscription: s,
      verdict: evaluateTarget(customer, s, target),
    }));
    const ok = verdicts.filter((v) => v.verdict.eligible);
    if (ok.length > 0) {
      const seats = ok.reduce((sum, v) => sum + v.subscription.quantity, 0);
      this.eligible.push({
        customerId: customer.id,
        companyName: customer.companyProfile.companyName,
        subscriptionId: ok[0]!.subscription.id,
        seats,
      });
      this.eligibleSeats += seats;
      return;
    }
    this.blockedCount++;
    const codes = new Set(verdicts.flatMap((v) => v.verdict.reasons.map((r) => r.code)));
    for (const code of codes) this.blockedByReason[code] = (this.blockedByReason[code] ?? 0) + 1;
  }

  answer(): FleetAnswer {
    return {
      target: this.target,
      eligible: [...this.eligible].sort(bySeats),
      eligibleSeats: this.eligibleSeats,
      blockedCount: this.blockedCount,
      blockedByReason: { ...this.blockedByReason },
      noPathCount: this.noPathCount,
    };
  }
}

/** Largest first; then by name and id, so that equal sizes keep one order. */
function bySeats(a: FleetMatch, b: FleetMatch): number {
  return (
    b.seats - a.seats ||
    (a.companyName < b.companyName ? -1 : a.companyName > b.companyName ? 1 : 0) ||
    (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0)
  );
}

export function customersEligibleFor(customers: Iterable<Customer>, target: OfferId): FleetAnswer {
  const tally = new FleetTally(target);
  for (const customer of customers) tally.add(customer);
  return tally.answer();
}
