/**
 * `GET /metrics`: the Prometheus text exposition. Open by default (it holds counts, no customer data, no
 * secrets); with METRICS_TOKEN set, it requires `Authorization: Bearer <token>` (compared in constant time).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { Metrics } from '../observability/metrics.js';
import { GENERIC_500, sendJson } from './messages.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(token)) && presented !== '';
}

export function metricsEndpoint(
  metrics: Metrics,
  token: string | undefined,
  logger: Logger,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
      sendJson(res, 401, { code: 'Unauthorized', message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
      return;
    }
    try {
      const text = await metrics.render();
      res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } catch (error) {
      logger.error({ err: error }, 'metrics failed');
      sendJson(res, 500, GENERIC_500);
    }
  };
}
