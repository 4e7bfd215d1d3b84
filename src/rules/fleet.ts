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

/** A page of the eligible customers: `limit` of them from the `offset`-th. */
export interface FleetPage {
  readonly offset: number;
  readonly limit: number;
}

export interface FleetAnswer {
  readonly target: OfferId;
  /**
   * Customers with at least one subscription eligible for the target (first eligible subscription each), by
   * seats, largest first (then by name, then id: the order never depends on the directory's): all of them, or
   * the page asked for.
   */
  readonly eligible: readonly FleetMatch[];
  /** How many customers are eligible in all (`eligible` may hold a page of them). */
  readonly eligibleCount: number;
  /** The seats of all the eligible customers' eligible subscriptions. */
  readonly eligibleSeats: number;
  /** Customers that have the target as a path on some subscription, but no eligible one. */
  readonly blockedCount: number;
  /** For the blocked customers: how many are blocked by each code (a customer counts once per code). */
  readonly blockedByReason: Readonly<Partial<Record<ReasonCode, number>>>;
  /** Customers with no subscription that has the target as a path at all. */
  readonly noPathCount: number;
}

/** What one customer adds to the fleet answer for one target. */
export type FleetContribution =
  | { readonly kind: 'eligible'; readonly match: FleetMatch }
  | { readonly kind: 'blocked'; readonly codes: readonly ReasonCode[] }
  | { readonly kind: 'noPath' };

/** How one customer stands for the target: eligible (with its seats), blocked (by which codes), or no path. */
export function fleetContribution(customer: Customer, target: OfferId): FleetContribution {
  const candidates = customer.subscriptions.filter((s) => upgradeTargets(s.offerId).includes(target));
  if (candidates.length === 0) return { kind: 'noPath' };
  const verdicts = candidates.map((s) => ({ subscription: s, verdict: evaluateTarget(customer, s, target) }));
  const ok = verdicts.filter((v) => v.verdict.eligible);
  if (ok.length > 0) {
    return {
      kind: 'eligible',
      match: {
        customerId: customer.id,
        companyName: customer.companyProfile.companyName,
        subscriptionId: ok[0]!.subscription.id,
        seats: ok.reduce((sum, v) => sum + v.subscription.quantity, 0),
      },
    };
  }
  return {
    kind: 'blocked',
    codes: [...new Set(verdicts.flatMap((v) => v.verdict.reasons.map((r) => r.code)))],
  };
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
    const c = fleetContribution(customer, this.target);
    if (c.kind === 'noPath') this.noPathCount++;
    else if (c.kind === 'eligible') {
      this.eligible.push(c.match);
      this.eligibleSeats += c.match.seats;
    } else {
      this.blockedCount++;
      for (const code of c.codes) this.blockedByReason[code] = (this.blockedByReason[code] ?? 0) + 1;
    }
  }

  answer(): FleetAnswer {
    return {
      target: this.target,
      eligible: [...this.eligible].sort(bySeats),
      eligibleCount: this.eligible.length,
      eligibleSeats: this.eligibleSeats,
      blockedCount: this.blockedCount,
      blockedByReason: { ...this.blockedByReason },
      noPathCount: this.noPathCount,
    };
  }
}

/**
 * The fleet answer for one target kept up to date customer by customer (issue 16: at 100,000 customers a fleet
 * question must not evaluate the directory again): `set` when a customer is added or changes, `remove` when it
 * goes. The eligible customers are kept in answer order (by seats, largest first), so an answer is a copy.
 */
export class FleetAggregate {
  private readonly byCustomer = new Map<string, FleetContribution>();
  /** Sorted by `bySeats`. */
  private readonly eligible: FleetMatch[] = [];
  private readonly blockedByReason: Partial<Record<ReasonCode, number>> = {};
  private blockedCount = 0;
  private noPathCount = 0;
  private eligibleSeats = 0;

  constructor(readonly target: OfferId) {}

  get size(): number {
    return this.byCustomer.size;
  }

  set(customer: Customer): void {
    this.remove(customer.id);
    const c = fleetContribution(customer, this.target);
    this.byCustomer.set(customer.id, c);
    this.count(c, 1);
  }

  remove(customerId: string): void {
    const c = this.byCustomer.get(customerId);
    if (c === undefined) return;
    this.byCustomer.delete(customerId);
    this.count(c, -1);
  }

  /**
   * The answer now; with `page`, only that page of the eligible customers is copied (a question at 100,000
   * customers then allocates ten entries, not tens of thousands: less garbage for the other users' turns).
   */
  answer(page?: FleetPage): FleetAnswer {
    return {
      target: this.target,
      eligible:
        page === undefined ? [...this.eligible] : this.eligible.slice(page.offset, page.offset + page.limit),
      eligibleCount: this.eligible.length,
      eligibleSeats: this.eligibleSeats,
      blockedCount: this.blockedCount,
      blockedByReason: Object.fromEntries(
        Object.entries(this.blockedByReason).filter(([, n]) => n > 0),
      ) as Partial<Record<ReasonCode, number>>,
      noPathCount: this.noPathCount,
    };
  }

  private count(c: FleetContribution, sign: 1 | -1): void {
    if (c.kind === 'noPath') this.noPathCount += sign;
    else if (c.kind === 'blocked') {
      this.blockedCount += sign;
      for (const code of c.codes) this.blockedByReason[code] = (this.blockedByReason[code] ?? 0) + sign;
    } else {
      this.eligibleSeats += sign * c.match.seats;
      const at = insertionPoint(this.eligible, c.match);
      if (sign === 1) this.eligible.splice(at, 0, c.match);
      else if (this.eligible[at]?.customerId === c.match.customerId) this.eligible.splice(at, 1);
    }
  }
}

/** Where `match` is, or goes, in a list sorted by `bySeats` (binary search). */
function insertionPoint(sorted: readonly FleetMatch[], match: FleetMatch): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bySeats(sorted[mid]!, match) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
