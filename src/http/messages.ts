/**
 * `POST /api/messages`. Before the body is read (`messagesAdmission`): 503 while shutting down, 401 for an
 * Authorization header that cannot be valid. After the transport has read and parsed the JSON body: the
 * activity is checked (400), its serviceUrl when unauthenticated (403), the request is authenticated (401),
 * then the turn runs through the adapter. Whatever fails inside, the client gets a generic 500 body; the real
 * error is logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TurnContext } from 'botbuilder';
import type { Logger } from '../logger.js';
import type { Metrics } from '../observability/metrics.js';
import { checkActivity } from './activity-schema.js';
import type { BotAdapter } from './adapter.js';
import { Unauthenticated, type AuthenticateRequestResult, type Authenticator } from './authentication.js';
import type { InFlight } from './in-flight.js';
import { isLoopbackUrl } from './loopback.js';
import { retryingConnectorFactory, type RetryPolicy } from './outbound-retry.js';
import type { RequestLog } from './request-log.js';

interface MessagesDeps {
  readonly adapter: BotAdapter;
  readonly logic: (context: TurnContext) => Promise<void>;
  readonly authenticator: Authenticator;
  /** The retry policy given to every client a turn uses to reach the channel (one retry budget per turn). */
  readonly outboundRetry: RetryPolicy;
  /** Once it is closing, requests get 503. */
  readonly inFlight: InFlight;
  readonly requestLog: RequestLog;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /**
   * True: an activity whose serviceUrl is not on this machine gets 403 and no turn, so that nothing is sent
   * anywhere else. Default: when requests are not authenticated (there is no token whose `serviceurl` claim
   * vouches for the URL).
   */
  readonly localServiceUrlOnly?: boolean;
}

export const GENERIC_500 = { code: 'InternalError', message: 'Internal error' } as const;

/** Writes a JSON answer (or none, without a body). */
export function sendJson(res: ServerResponse, status: number, body?: unknown, headers = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export type MessagesHandler = (req: IncomingMessage, res: ServerResponse, body: unknown) => Promise<void>;

/** The checks made on the headers alone, before the body is read; false when it has answered. */
export type Admission = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * `POST /api/messages` before its body is read: while shutting down, 503; with an app id, an Authorization
 * header that cannot be a valid token for this bot gets 401 at once, the body never read (the connection is
 * closed). What needs the activity (botbuilder's signature and service URL checks) comes after the body.
 */
export function messagesAdmission(
  deps: Pick<MessagesDeps, 'authenticator' | 'inFlight' | 'requestLog' | 'metrics' | 'logger'>,
): Admission {
  const { authenticator, inFlight, requestLog, metrics, logger } = deps;
  return (req, res) => {
    if (inFlight.isClosing) {
      requestLog.note(req, { outcome: 'shutting down' });
      sendJson(
        res,
        503,
        { code: 'ServiceUnavailable', message: 'Shutting down' },
        { connection: 'close', 'retry-after': '5' },
      );
      return false;
    }
    const reason = authenticator.checkHeader(req.headers.authorization ?? '');
    if (reason === undefined) return true;
    requestLog.note(req, { outcome: `unauthenticated (${reason})` });
    metrics.error('auth');
    logger.warn({ reason, body: 'not read' }, 'request not authenticated');
    sendJson(
      res,
      401,
      { code: 'Unauthorized', message: 'Unauthorized' },
      { 'www-authenticate': 'Bearer', connection: 'close' },
    );
    return false;
  };
}

export function messagesEndpoint(deps: MessagesDeps): MessagesHandler {
  const { adapter, logic, authenticator, inFlight, requestLog, metrics, logger } = deps;
  const localServiceUrlOnly = deps.localServiceUrlOnly ?? !authenticator.required;
  let warned = false;
  const notInstalled = () => {
    if (warned) return;
    warned = true;
    logger.warn('could not install the outbound retry policy; the SDK default retry stays');
  };

  return async (req, res, body) => {
    if (inFlight.isClosing) {
      requestLog.note(req, { outcome: 'shutting down' });
      sendJson(
        res,
        503,
        { code: 'ServiceUnavailable', message: 'Shutting down' },
        {
          connection: 'close',
          'retry-after': '5',
        },
      );
      return;
    }
    const checked = checkActivity(body);
    if (!checked.ok) {
      requestLog.note(req, { outcome: 'invalid activity' });
      sendJson(res, 400, { code: 'BadRequest', message: `Invalid activity: ${checked.problems.join('; ')}` });
      return;
    }
    const activity = checked.activity;
    requestLog.note(req, {
      activityId: activity.id,
      channelId: activity.channelId,
      type: activity.type,
      ...(activity.name === undefined ? {} : { name: activity.name }),
    });

    if (localServiceUrlOnly && !isLoopbackUrl(activity.serviceUrl)) {
      requestLog.note(req, { outcome: 'serviceUrl not local' });
      logger.warn(
        { activityId: activity.id, channelId: activity.channelId },
        'unauthenticated request with a serviceUrl off this machine refused',
      );
      sendJson(res, 403, {
        code: 'Forbidden',
        message:
          'Without authentication the bot replies to a serviceUrl on this machine only ' +
          '(http(s)://127.0.0.1, localhost or [::1])',
      });
      return;
    }

    const header = req.headers.authorization ?? '';
    let authenticated: AuthenticateRequestResult;
    try {
      authenticated = await authenticator.authenticate(activity, header);
    } catch (error) {
      const reason = error instanceof Unauthenticated ? error.reason : 'rejected';
      requestLog.note(req, { outcome: `unauthenticated (${reason})` });
      metrics.error('auth');
      logger.warn(
        { activityId: activity.id, channelId: activity.channelId, reason, err: (error as Error).cause },
        'request not authenticated',
      );
      sendJson(res, 401, { code: 'Unauthorized', message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
      return;
    }
    try {
      const factory = authenticated.connectorFactory;
      const response = await adapter.processAuthenticated(
        factory === undefined
          ? authenticated
          : {
              ...authenticated,
              connectorFactory: retryingConnectorFactory(factory, deps.outboundRetry.forTurn(), notInstalled),
            },
        activity,
        logic,
      );
      const status = response?.status ?? 200;
      requestLog.note(req, { outcome: status >= 500 ? 'failed' : 'ok' });
      if (status >= 500) metrics.error('http');
      // A 5xx answer from the turn pipeline could carry an internal message: never shown.
      sendJson(res, status, status >= 500 ? GENERIC_500 : response?.body);
    } catch (error) {
      requestLog.note(req, { outcome: 'failed' });
      metrics.error('http');
      logger.error({ activityId: activity.id, channelId: activity.channelId, err: error }, 'request failed');
      sendJson(res, 500, GENERIC_500);
    }
  };
}
