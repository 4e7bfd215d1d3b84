/**
 * The ledger's ways to end an executing entry (complete, fail, refuse, give up), written once for every adapter
 * over the one primitive each adapter implements: `finish`, a conditional update fenced by attempt.
 */
import type { AffectedAccount, Reason } from '../rules/index.js';
import type { Execution, LedgerEntry, RequestStatus } from './ledger.js';

/** The final statuses an executing entry can reach. */
export type OutcomeStatus = Extract<RequestStatus, 'done' | 'failed' | 'refused' | 'unknown'>;

/** What an outcome records with its status. */
export interface OutcomeRecord {
  readonly newSubscriptionId?: string;
  readonly affectedAccounts?: readonly AffectedAccount[];
  readonly reasons?: readonly Reason[];
  readonly error?: string;
  /** The audit event's detail. */
  readonly detail: string;
}

export abstract class OutcomeRecorder {
  /**
   * executing → `status` with `outcome`, only while `attempt` (when given) holds the entry; throws a
   * `LedgerError` otherwise.
   */
  protected abstract finish(
    token: string,
    status: OutcomeStatus,
    now: Date,
    attempt: number | undefined,
    outcome: OutcomeRecord,
  ): Promise<LedgerEntry>;

  complete(token: string, execution: Execution, now: Date, attempt?: number): Promise<LedgerEntry> {
    return this.finish(token, 'done', now, attempt, {
      newSubscriptionId: execution.newSubscriptionId,
      affectedAccounts: execution.affectedAccounts,
      detail: execution.newSubscriptionId,
    });
  }

  fail(token: string, error: string, now: Date, attempt?: number): Promise<LedgerEntry> {
    return this.finish(token, 'failed', now, attempt, { error, detail: error });
  }

  giveUp(token: string, error: string, now: Date, attempt?: number): Promise<LedgerEntry> {
    return this.finish(token, 'unknown', now, attempt, { error, detail: error });
  }

  refuse(
    token: string,
    reasons: readonly Reason[],
    now: Date,
    error?: string,
    attempt?: number,
  ): Promise<LedgerEntry> {
    return this.finish(token, 'refused', now, attempt, {
      reasons,
      ...(error === undefined ? {} : { error }),
      detail: error ?? reasons.map((r) => r.code).join(', '),
    });
  }
}
