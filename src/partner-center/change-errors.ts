/**
 * What an error of a change carried out in Partner Center (an upgrade, licences added) means for the ledger,
 * the same for both: refused or failed (nothing changed), or an unknown outcome (resumed later with the same
 * MS-RequestId, then handed to a person).
 */
import { UpgradeFailedError, UpgradeRefusedError } from '../core/gateway.js';
import {
  PartnerCenterAuthError,
  PartnerCenterHttpError,
  PartnerCenterOutcomeUnknownError,
} from './errors.js';

/**
 * The error to throw for `error`, met by `attempt` of a change. On a resumption, a refusal or a definitive
 * error (403, 404) may be the first attempt's own doing, or says nothing of it: the outcome stays unknown, never
 * "nothing changed". On a first attempt, a definitive error or refused credentials changed nothing: failed.
 * Anything else (unavailable, timed out, an unexpected answer, refused after an unanswered attempt) leaves the
 * outcome unknown as it is.
 */
export function changeError(
  error: unknown,
  attempt: number,
  requestId: string,
  unknownSays: string,
): unknown {
  if (attempt > 1 && (error instanceof UpgradeRefusedError || error instanceof PartnerCenterHttpError)) {
    return new PartnerCenterOutcomeUnknownError(`${unknownSays}: ${error.message}`, requestId, {
      cause: error,
    });
  }
  if (error instanceof UpgradeRefusedError || error instanceof UpgradeFailedError) return error;
  if (error instanceof PartnerCenterHttpError) return new UpgradeFailedError(error.message, { cause: error });
  if (error instanceof PartnerCenterAuthError && attempt === 1) {
    return new UpgradeFailedError(
      `Partner Center refused the bot's credentials, so nothing was changed: ${error.message}`,
      { cause: error },
    );
  }
  return error;
}
