/**
 * What a turn that threw answers: an apology in the user's language (a Teams invoke gets an error response,
 * unless it was already answered), the error logged and counted. Nothing of the failure reaches the user.
 * When the database cannot be reached, the apology says so: try again in a moment (a confirm then answers its outcome).
 */
import { ActivityTypes, INVOKE_RESPONSE_KEY, type TurnContext } from 'botbuilder';
import type { Logger } from '../logger.js';
import type { Metrics } from '../observability/metrics.js';
import { ERROR_RESPONSE } from './channel.js';
import type { Wording } from './i18n.js';
import { turnIds } from './turn-logging.js';

export function turnErrorHandler(
  wording: Wording,
  logger: Logger,
  metrics: Metrics,
  isUnavailable: (error: unknown) => boolean = () => false,
): (context: TurnContext, error: Error) => Promise<void> {
  return async (context, error) => {
    const unavailable = isUnavailable(error);
    metrics.error(unavailable ? 'storage' : 'turn');
    logger.error(
      { ...turnIds(context), err: error },
      unavailable ? 'turn failed: database unavailable' : 'turn failed',
    );
    const apology = wording.forActivity(context.activity).t(unavailable ? 'storageUnavailable' : 'apology');
    try {
      if (context.activity.type === ActivityTypes.Invoke) {
        if (context.turnState.get(INVOKE_RESPONSE_KEY) === undefined) {
          const value = { code: unavailable ? 'ServiceUnavailable' : 'InternalError', message: apology };
          await context.sendActivity({
            type: ActivityTypes.InvokeResponse,
            value: { status: 200, body: { statusCode: 500, type: ERROR_RESPONSE, value } },
          });
        }
      } else {
        await context.sendActivity(apology);
      }
    } catch (sendError) {
      logger.error({ ...turnIds(context), err: sendError }, 'could not send the apology');
    }
  };
}
