/**
 * The upgrade ledger port: one entry per confirm card (its token), moved through explicit states so that a
 * change is carried out exactly once, whatever the clicks, replicas, restarts or a gateway that timed out:
 *
 *   pending ──claim──▶ executing ──complete──▶ done
 *      │                  │ └─────fail──────▶ failed (nothing changed)
 *      │                  ├──────refuse─────▶ refused (nothing changed)
 *      │                  └─────give up─────▶ unknown (the outcome was never learnt)
 *      ├──cancel──▶ cancelled
 *      └──(past its lifetime)──▶ expired
 *
 * An executing entry holds a lease: when it runs out (the replica died, or the gateway's answer was lost), the
 * entry is claimed again and the gateway is run again with the same idempotency key (the token).
 */
import { randomBytes } from 'node:crypto';
import type { AffectedAccount, OfferId, Reason, UpgradeType } from '../rules/index.js';

export type RequestStatus =
  | 'pending'
  | 'executing'
  | 'done'
  | 'failed'
  | 'refused'
  /** Given up after the last attempt without learning the outcome: a person must check the system of record. */
  | 'unknown'
  | 'cancelled'
  | 'expired';

/** The statuses an entry never leaves. */
export type FinalStatus = Exclude<RequestStatus, 'pending' | 'executing'>;

export interface Actor {
  readonly id: string;
  readonly name?: string;
  readonly aadObjectId?: string;
}

/** What a confirm card changes: an upgrade to another plan, or more licences on the same subscription. */
export type ChangeKind = 'upgrade' | 'add_licences';

interface OrderBase {
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly fromOffer: OfferId;
  /** The offer the subscription is on after the change: the upgrade's target; for licences, its own offer. */
  readonly target: OfferId;
  /** The seats after the change: the new subscription's (upgrade) or the subscription's new total (licences). */
  readonly quantity: number;
}

/** An upgrade: the source subscription, the target, the seats and the upgrade type. */
export interface UpgradeOrder extends OrderBase {
  /** Absent or `upgrade`: an upgrade (the ledger reads upgrades back without it). */
  readonly change?: 'upgrade';
  readonly upgradeType: UpgradeType;
  /**
   * The source's seats when the card was made: a different count at confirm (licences added meanwhile) is
   * refused, never lost. Absent on requests made before it was kept.
   */
  readonly previousQuantity?: number;
}

/** Licences added to a subscription: its seats go from `previousQuantity` (as the card showed) to `quantity`. */
export interface LicenceOrder extends OrderBase {
  readonly change: 'add_licences';
  readonly previousQuantity: number;
}

/** What is to be changed. */
export type ChangeOrder = UpgradeOrder | LicenceOrder;

/** True for an order that adds licences. */
export function isLicenceOrder(order: ChangeOrder): order is LicenceOrder {
  return order.change === 'add_licences';
}

/** Where a confirm card was issued: its token is confirmed or cancelled there only. */
export interface Place {
  readonly channelId: string;
  readonly conversationId: string;
  /** The Microsoft Entra tenant (Teams); none elsewhere. */
  readonly tenantId?: string;
}

interface RequestFields {
  /** Unique, random, carried by the confirm card (see `newUpgradeToken`). */
  readonly token: string;
  readonly requestedBy: Actor;
  /** ISO date-time. */
  readonly requestedAt: string;
  /** Where the confirm card was issued (absent on requests recorded before it was kept: bound nowhere). */
  readonly place?: Place;
}

/** What the confirm card was made for. */
export type UpgradeRequestRecord = ChangeOrder & RequestFields;

interface EntryFields {
  readonly status: RequestStatus;
  /** ISO date-time after which a pending entry can no longer be confirmed. */
  readonly expiresAt: string;
  /** Who confirmed (executing and after), cancelled, or was refused. */
  readonly decidedBy?: Actor;
  /** When it reached a final status. */
  readonly decidedAt?: string;
  /** While executing: when the claim runs out and the entry may be resumed. */
  readonly leaseUntil?: string;
  /** How many times the change was started (claims and resumptions). */
  readonly attempts: number;
  readonly newSubscriptionId?: string;
  readonly affectedAccounts: readonly AffectedAccount[];
  /** Why refused: the reasons that held when the change was attempted. */
  readonly reasons: readonly Reason[];
  /** Why failed (or, for a refusal without reasons, what was missing). */
  readonly error?: string;
}

export type LedgerEntry = UpgradeRequestRecord & EntryFields;

export type ClaimOutcome =
  /** This caller now holds the entry (executing, with a lease) and must carry the change out. */
  | { readonly kind: 'claimed'; readonly entry: LedgerEntry }
  /** Not pending: executing under someone else's lease, or final (the entry says by whom and when). */
  | { readonly kind: 'already'; readonly entry: LedgerEntry }
  /** Pending past its lifetime: expired (by this call when `expiredNow`), nothing happens. */
  | { readonly kind: 'expired'; readonly entry: LedgerEntry; readonly expiredNow: boolean }
  /** Still pending: another change to the same subscription is under way; try again once it is over. */
  | { readonly kind: 'busy'; readonly entry: LedgerEntry }
  | { readonly kind: 'unknown' };

export type CancelOutcome =
  | { readonly kind: 'cancelled'; readonly entry: LedgerEntry }
  | { readonly kind: 'already'; readonly entry: LedgerEntry }
  | { readonly kind: 'expired'; readonly entry: LedgerEntry; readonly expiredNow: boolean }
  | { readonly kind: 'unknown' };

/** The result of a change carried out by a gateway. */
export interface Execution {
  /** The subscription that holds the result: the new one (upgrade), or the same one (licences). */
  readonly newSubscriptionId: string;
  readonly affectedAccounts: readonly AffectedAccount[];
}

export interface UpgradeLedger {
  /** Records a new pending request; throws a `LedgerError` if the token is taken or the request is invalid. */
  record(request: UpgradeRequestRecord, expiresAt: Date): Promise<LedgerEntry>;
  get(token: string): Promise<LedgerEntry | undefined>;
  /** Atomically pending → executing with a lease until `leaseUntil`; see `ClaimOutcome`. */
  claim(token: string, by: Actor, now: Date, leaseUntil: Date): Promise<ClaimOutcome>;
  /**
   * Atomically takes over an executing entry whose lease ran out before `now` (a new lease, one more attempt);
   * undefined when it is not executing or its lease still runs (someone else is on it).
   */
  reclaim(token: string, now: Date, leaseUntil: Date): Promise<LedgerEntry | undefined>;
  /**
   * executing → done. With `attempt`, only if that attempt still holds the entry (a superseded attempt's
   * outcome is refused with a `LedgerError`).
   */
  complete(token: string, execution: Execution, now: Date, attempt?: number): Promise<LedgerEntry>;
  /** executing → failed: nothing changed. `attempt` as for `complete`. */
  fail(token: string, error: string, now: Date, attempt?: number): Promise<LedgerEntry>;
  /** executing → refused, with the reasons that hold now. `attempt` as for `complete`. */
  refuse(
    token: string,
    reasons: readonly Reason[],
    now: Date,
    error?: string,
    attempt?: number,
  ): Promise<LedgerEntry>;
  /** executing → unknown: given up without learning whether the change was made. `attempt` as above. */
  giveUp(token: string, error: string, now: Date, attempt?: number): Promise<LedgerEntry>;
  cancel(token: string, by: Actor, now: Date): Promise<CancelOutcome>;
  /** Every request for the customer, whatever its status, newest first. */
  history(customerId: string): Promise<readonly LedgerEntry[]>;
  /** The executing entries whose lease ran out before `now`: claims left unfinished. */
  unfinished(now: Date): Promise<readonly LedgerEntry[]>;
  /**
   * Deletes the requests that changed nothing (cancelled, expired, refused, failed) decided before `before`,
   * and the audit events older than it; pending, executing, done and unknown requests are kept. Resolves with
   * the number of rows deleted.
   */
  prune(before: Date): Promise<number>;
}

/** A request that cannot be recorded (duplicate token, invalid field), or a transition that is not allowed. */
export class LedgerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerError';
  }
}

/** A random token for a confirm card: 128 bits, URL-safe. */
export function newUpgradeToken(): string {
  return randomBytes(16).toString('base64url');
}

/** The problems of a request that make it unfit to record (empty when it is fine). */
export function requestProblems(request: UpgradeRequestRecord): string[] {
  const problems: string[] = [];
  if (request.token.trim() === '') problems.push('the token is empty');
  if (!Number.isInteger(request.quantity) || request.quantity < 1) {
    problems.push(`the quantity must be a whole number of 1 or more, got ${request.quantity}`);
  }
  if (Number.isNaN(Date.parse(request.requestedAt))) {
    problems.push(`requestedAt is not a date-time: "${request.requestedAt}"`);
  }
  const previous = request.previousQuantity;
  if (previous !== undefined && (!Number.isInteger(previous) || previous < 0)) {
    problems.push(`the previous quantity must be a whole number of 0 or more, got ${previous}`);
  }
  if (isLicenceOrder(request)) {
    if (request.quantity <= request.previousQuantity) {
      problems.push('licences are only added: more seats than before');
    }
    if (request.target !== request.fromOffer) problems.push('licences are added on the same offer');
  }
  if (request.requestedBy.id.trim() === '') problems.push('requestedBy has no id');
  return problems;
}
