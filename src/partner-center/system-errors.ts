/**
 * Partner Center's failures as the system-of-record errors the core and the bot understand: refused
 * credentials (an administrator must act; the message says what to fix) and no answer for now (try later).
 * The feed, the live re-check and the gateway all translate through here.
 */
import { SystemOfRecordAuthError, SystemOfRecordUnavailableError } from '../core/system-of-record.js';
import { PartnerCenterAuthError, PartnerCenterUnavailableError } from './errors.js';

/** Error codes of a connection that failed or was lost (Node's sockets and DNS, undici's fetch). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/**
 * The system-of-record error for a Partner Center failure: `PartnerCenterAuthError` → `SystemOfRecordAuthError`
 * (same message), `PartnerCenterUnavailableError` and connection failures → `SystemOfRecordUnavailableError`.
 * Anything else (a business error, an unexpected answer, a bug) is returned as it is.
 */
export function toSystemOfRecordError(error: unknown): unknown {
  if (error instanceof SystemOfRecordAuthError || error instanceof SystemOfRecordUnavailableError) {
    return error;
  }
  if (error instanceof PartnerCenterAuthError) {
    return new SystemOfRecordAuthError(error.message, { cause: error });
  }
  if (error instanceof PartnerCenterUnavailableError) {
    return new SystemOfRecordUnavailableError(error.message, { cause: error });
  }
  if (isConnectionFailure(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new SystemOfRecordUnavailableError(`Partner Center cannot be reached: ${message}`, {
      cause: error,
    });
  }
  return error;
}

/** A failed or lost connection, or a timeout, here or in the error's causes (fetch wraps them). */
function isConnectionFailure(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 4) return false;
  const { code, name, cause } = error as { code?: unknown; name?: unknown; cause?: unknown };
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  if (name === 'TimeoutError') return true;
  return isConnectionFailure(cause, depth + 1);
}
