/**
 * What the Partner Center adapter throws. Every error names the operation; HTTP errors carry the request and
 * correlation ids Partner Center support asks for.
 */

/** Signing in failed for good: wrong, expired or revoked credentials, unknown app or tenant. Not retried. */
export class PartnerCenterAuthError extends Error {
  constructor(
    message: string,
    /** Entra ID's error (`invalid_client`) and AADSTS number, when it sent them. */
    readonly aadError?: { readonly error: string; readonly code?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PartnerCenterAuthError';
  }
}

/** Partner Center answered with an error that retrying will not change (4xx but 408/429), or retries ran out. */
export class PartnerCenterHttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** Partner Center's error code (`20003`) and description, when the body had them. */
    readonly code: string | number | undefined,
    readonly description: string | undefined,
    readonly requestId: string,
    readonly correlationId: string,
  ) {
    super(message);
    this.name = 'PartnerCenterHttpError';
  }
}

/**
 * No answer could be had within the retries (timeouts, dropped connections, 5xx, 429): the outcome of a POST
 * is unknown, and the same call with the same idempotency key may be made again later.
 */
export class PartnerCenterUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PartnerCenterUnavailableError';
  }
}

/** The answer was not what the documented resource looks like. */
export class PartnerCenterResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartnerCenterResponseError';
  }
}

/**
 * A POST ended in an error or a refusal after an earlier attempt of it went unanswered (it timed out, lost its
 * connection or got a 5xx): that attempt may have been carried out all the same, so the final answer does not
 * say what happened. `cause` is the final error, when there was one. Neither a refusal nor a failure: the
 * caller looks at Partner Center's data, or leaves the outcome unknown.
 */
export class PartnerCenterOutcomeUnknownError extends Error {
  constructor(
    message: string,
    readonly requestId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PartnerCenterOutcomeUnknownError';
  }
}

/**
 * A change named a version of the resource (its ETag, in `If-Match` and `attributes.etag`) that is no longer
 * the current one: it was changed elsewhere since it was read (412 Precondition Failed, or 400 with code 2055,
 * "ETag stale"). Nothing was changed by this request; it is never retried with a newer ETag, which would
 * overwrite that other change.
 */
export class PartnerCenterConflictError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | number | undefined,
    readonly requestId: string,
  ) {
    super(message);
    this.name = 'PartnerCenterConflictError';
  }
}
