/**
 * The listener of METRICS_PORT: `GET /metrics` and nothing else, on an interface of its own (the loopback one
 * by default), so that the public port does not serve metrics at all. On a loopback interface, the Host
 * header must name this machine and port (421 otherwise), as on the bot's own port without an app id.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isAddressedHere, MISDIRECTED } from './loopback.js';
import { sendJson } from './messages.js';
import type { RequestLog } from './request-log.js';

export interface MetricsServerDeps {
  readonly metrics: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  readonly requestLog: RequestLog;
  /** `loopback`: only requests whose Host header names this machine and port are served. */
  readonly hostCheck: 'loopback' | 'off';
}

export function createMetricsServer(deps: MetricsServerDeps): Server {
  return createServer((req, res) => {
    deps.requestLog.start(req, res);
    if (deps.hostCheck === 'loopback' && !isAddressedHere(req)) {
      deps.requestLog.note(req, { outcome: 'misdirected (Host)' });
      sendJson(res, 421, MISDIRECTED, { connection: 'close' });
      return;
    }
    if ((req.url ?? '').split('?')[0] !== '/metrics') {
      sendJson(res, 404, { code: 'ResourceNotFound', message: 'Not found' });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { code: 'MethodNotAllowed', message: 'GET only' }, { allow: 'GET, HEAD' });
      return;
    }
    void deps.metrics(req, res);
  });
}
