/**
 * Where the customers come from and how fresh they are: the embedded directory file, or Partner Center synced
 * into the store. The bot reads every answer from the store (`CustomerRepository`); this port says how fresh it
 * is and reads one customer again on request ("refresh Contoso"). Adapters turn their own failures into the
 * errors below, so that the bot can answer them without knowing which system it talks to.
 */
import type { Customer } from '../rules/index.js';

export type CustomerSourceKind = 'file' | 'partner-center';

export interface SyncStatus {
  readonly source: CustomerSourceKind;
  /** How often a full sync runs (Partner Center only). */
  readonly periodMinutes?: number;
  /** ISO date-time: when the last full sync finished without error (any replica). */
  readonly lastSuccessAt?: string;
  /** ISO date-time: when the last full sync that failed stopped, if the latest one failed. */
  readonly lastFailureAt?: string;
  /** What made the latest sync fail (for logs and operators; not shown to users as it is). */
  readonly lastError?: string;
  /**
   * True when the data is older than two sync periods (the syncs fail, or none finished yet): answers say so.
   */
  readonly stale: boolean;
}

export type RefreshResult =
  | { readonly kind: 'refreshed'; readonly customer: Customer }
  /** The system of record no longer has this customer: it was removed from the store. */
  | { readonly kind: 'removed' }
  /** The source has nothing to refresh from (the embedded directory file). */
  | { readonly kind: 'not-applicable' };

export interface DirectorySource {
  readonly kind: CustomerSourceKind;
  status(): Promise<SyncStatus>;
  /** Reads one customer again from the system of record now, and stores it. */
  refresh(customerId: string): Promise<RefreshResult>;
}

/** The embedded directory: nothing to sync, nothing to refresh. */
export const FILE_SOURCE: DirectorySource = {
  kind: 'file',
  status: async () => ({ source: 'file', stale: false }),
  refresh: async () => ({ kind: 'not-applicable' }),
};

/** The system of record cannot be reached now (down, throttling past its retries, a timeout): try later. */
export class SystemOfRecordUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SystemOfRecordUnavailableError';
  }
}

/**
 * The system of record refused the bot's own credentials (expired or revoked secret, app not consented…):
 * nothing can be read or changed until an administrator fixes them. The message says what to fix.
 */
export class SystemOfRecordAuthError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SystemOfRecordAuthError';
  }
}

/**
 * The system of record answered, and refused this read for good: 403, the bot may not see this customer's
 * subscriptions (its delegated admin roles there do not allow it); 404, the customer or the subscription is no
 * longer there. Trying again does not help; nothing was changed. The message is for the logs.
 */
export class SystemOfRecordRejectedError extends Error {
  constructor(
    readonly status: 403 | 404,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SystemOfRecordRejectedError';
  }
}
