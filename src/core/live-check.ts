/**
 * The live re-check port: what the system of record (Partner Center) says now about upgrading one
 * subscription, before anything changes. Its verdict is authoritative over the rules' (which judge the synced
 * copy): the flow follows it and reports a disagreement. Absent with the embedded directory.
 */
import type { Customer, OfferId, Reason } from '../rules/index.js';

/** One thing Partner Center reports against an upgrade. */
export type LiveFinding =
  /** Codes 1, 2, 3 (with a synced subscription that overlaps), 6, 7 and 8: one of our reasons, our wording. */
  | { readonly kind: 'reason'; readonly reason: Reason }
  /**
   * Code 3 when no synced subscription overlaps: the services were probably bought from another partner or
   * directly (Multichannel), which the partner's API cannot see.
   */
  | { readonly kind: 'conflict-elsewhere'; readonly target: OfferId }
  /** Any other code (0, 4, 5, 9, 10, 11, unknown): shown as "Partner Center says:" with its own description. */
  | {
      readonly kind: 'partner-center';
      /** The code as Partner Center sent it (number or name). */
      readonly code: string;
      readonly description: string;
      /** retry-later: 4 and 9; sign-in: 5 (needs a partner user's sign-in); generic: the others. */
      readonly remedy: 'retry-later' | 'sign-in' | 'generic';
    };

export interface LiveTarget {
  /** The catalog offer the target is, or undefined when the catalog does not know it (shown, never offered). */
  readonly target: OfferId | undefined;
  /** Partner Center's name of the target offer. */
  readonly targetName: string;
  readonly eligible: boolean;
  readonly findings: readonly LiveFinding[];
  /** The target offer's seat limits as Partner Center sends them (they beat the catalog's table). */
  readonly seats?: { readonly min: number; readonly max: number };
}

export interface LiveVerdict {
  /** ISO date-time of the check. */
  readonly checkedAt: string;
  /** Every target Partner Center lists for the subscription, eligible or not. */
  readonly targets: readonly LiveTarget[];
  /** What this API cannot check and the answer must say was not checked. */
  readonly notChecked: readonly ('service-settings' | 'per-user-licences')[];
}

export interface LiveCheck {
  /**
   * Partner Center's verdict on upgrading `subscriptionId` of `customer` (the synced copy, used to name an
   * overlapping subscription). Throws `SystemOfRecordUnavailableError`, `SystemOfRecordAuthError`, or
   * `SystemOfRecordRejectedError` (403: no access to this customer's subscriptions; 404: no longer there).
   */
  upgrades(customer: Customer, subscriptionId: string): Promise<LiveVerdict>;
}
