/**
 * Partner Center's errors as the application core's: the bot answers "the system of record refused the bot's
 * credentials" or "cannot be reached" without knowing which system it talks to. Anything else is left as it is.
 */
import { SystemOfRecordAuthError, SystemOfRecordUnavailableError } from '../core/system-of-record.js';
import { PartnerCenterAuthError, PartnerCenterUnavailableError } from './errors.js';

/** Socket-level failures that reach past the client's retries (fetch wraps them in a TypeError's cause). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  }
  return false;
}

export function toSystemOfRecordError(error: unknown): unknown {
  if (error instanceof PartnerCenterAuthError) {
    return new SystemOfRecordAuthError(error.message, { cause: error });
  }
  if (error instanceof PartnerCenterUnavailableError || isConnectionError(error)) {
    return new SystemOfRecordUnavailableError(error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
  return error;
}
