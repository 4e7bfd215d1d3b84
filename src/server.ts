/**
 * Transport only: restify routes, the Host header, the request body (content type, size limit, read time
 * limit, JSON), the server's own time limits, request timing, and error bodies that never carry an internal
 * message. What happens to an activity is `src/http/messages.ts`.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import restify from 'restify';
import { readJsonBody } from './http/body.js';
import type { InFlight } from './http/in-flight.js';
import { isAddressedHere, MISDIRECTED } from './http/loopback.js';
import { GENERIC_500, sendJson, type Admission, type MessagesHandler } from './http/messages.js';
import type { RequestLog } from './http/request-log.js';
import type { Logger } from './logger.js';

export interface ServerDeps {
  /** `POST /api/messages`, headers only: answers (and returns false) before the body is read, e.g. 401. */
  readonly admit?: Admission;
  readonly messages: MessagesHandler;
  /** `GET /metrics`; when absent (metrics on a listener of their own), the route does not exist here (404). */
  readonly metrics?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  readonly requestLog: RequestLog;
  /** Each `POST /api/messages` is a request in flight from its first byte to its answer. */
  readonly inFlight: InFlight;
  /** The largest accepted body of `POST /api/messages`. */
  readonly maxBodyBytes: number;
  /** How long the body of `POST /api/messages` may take to arrive, in all (408 after; default 10 s). */
  readonly bodyTimeoutMs?: number;
  readonly logger: Logger;
  /**
   * `loopback` (the default): a request is served only when its Host header names this machine and the port it
   * came in on, else 421 (DNS rebinding); `off`: any Host (an authenticated bot, or one told to serve remote
   * clients).
   */
  readonly hostCheck?: 'loopback' | 'off';
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** How long a client may take to send the request's headers (Node.js enforces it, checking every 30 s). */
export const HEADERS_TIMEOUT_MS = 15_000;

/**
 * Node.js's own limits on slow clients: the headers within `HEADERS_TIMEOUT_MS`, the whole request within
 * that and the body's time (408, connection closed). The body's time limit itself is enforced to the second
 * by `readJsonBody`; these are the backstop for every route.
 */
export function limitSlowClients(server: HttpServer, bodyTimeoutMs: number): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = HEADERS_TIMEOUT_MS + bodyTimeoutMs + 5000;
}

export function createServer(deps: ServerDeps): restify.Server {
  const { messages, requestLog, logger } = deps;
  const server = restify.createServer({ name: 'upgrade-assistant', handleUncaughtExceptions: false });
  const bodyTimeoutMs = deps.bodyTimeoutMs ?? 10_000;
  limitSlowClients(server.server as HttpServer, bodyTimeoutMs);

  server.pre((req, res, next) => {
    requestLog.start(req, res);
    if ((deps.hostCheck ?? 'loopback') === 'loopback' && !isAddressedHere(req)) {
      requestLog.note(req, { outcome: 'misdirected (Host)' });
      sendJson(res, 421, MISDIRECTED, { connection: 'close' });
      next(false);
      return;
    }
    next();
  });

  // restify tells async handlers by their declaration: this one must be `async`.
  server.post('/api/messages', async (req, res) => {
    await deps.inFlight.run(async () => {
      if (deps.admit !== undefined && !deps.admit(req, res)) return;
      if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) {
        requestLog.note(req, { outcome: 'unsupported media type' });
        sendJson(
          res,
          415,
          { code: 'UnsupportedMediaType', message: 'Send the activity as application/json' },
          { connection: 'close' },
        );
        return;
      }
      const body = await readJsonBody(req, { maxBytes: deps.maxBodyBytes, timeoutMs: bodyTimeoutMs });
      if (!body.ok) {
        requestLog.note(req, { outcome: body.code });
        sendJson(
          res,
          body.status,
          { code: body.code, message: body.message },
          body.close ? { connection: 'close' } : {},
        );
        return;
      }
      await messages(req, res, body.value);
    });
  });

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });

  const { metrics } = deps;
  if (metrics !== undefined) {
    server.get('/metrics', async (req, res) => {
      await metrics(req, res);
    });
  }

  // restify's own errors (unknown route 404, wrong method 405, a handler that threw…): a 5xx body is generic.
  server.on(
    'restifyError',
    (req: restify.Request, res: restify.Response, err: Error, callback: () => void) => {
      const status = (err as { statusCode?: unknown }).statusCode;
      if (typeof status !== 'number' || status >= 500) {
        logger.error({ err, path: req.path() }, 'request failed');
        Object.assign(err, {
          statusCode: typeof status === 'number' ? status : 500,
          toJSON: () => GENERIC_500,
        });
      }
      requestLog.note(req, { outcome: err.name });
      callback();
    },
  );
  return server;
}
