/**
 * One log line per HTTP request, when its response is finished: method, route, status, latency, and for
 * `POST /api/messages` the activity's id, channel and type and how the request ended (`outcome`). Never a
 * header, a body or a message text. Probes (`/healthz`, `/metrics`) log at debug level.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { Metrics } from '../observability/metrics.js';

interface RequestNote {
  activityId?: string | undefined;
  channelId?: string | undefined;
  type?: string | undefined;
  name?: string | undefined;
  /** How the request ended, in a word or two: "ok", "unauthenticated (missing)", "invalid activity"… */
  outcome?: string;
}

const PROBES = new Set(['/healthz', '/metrics']);
const ROUTES = new Set(['/api/messages', ...PROBES]);

function pathOf(url: string | undefined): string {
  const path = (url ?? '').split('?')[0] ?? '';
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

export class RequestLog {
  private readonly notes = new WeakMap<IncomingMessage, RequestNote>();

  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  /** Adds to what the request's log line will say. */
  note(req: IncomingMessage, note: RequestNote): void {
    this.notes.set(req, { ...this.notes.get(req), ...note });
  }

  /** Starts timing a request; its line is written when the response is finished or the client goes away. */
  start(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    let written = false;
    const write = (aborted: boolean) => {
      if (written) return;
      written = true;
      const seconds = (performance.now() - started) / 1000;
      const path = pathOf(req.url);
      const route = ROUTES.has(path) ? path : 'other';
      this.metrics.request(route, res.statusCode, seconds);
      const line = {
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.round(seconds * 10000) / 10,
        ...this.notes.get(req),
        ...(aborted ? { aborted: true } : {}),
      };
      if (PROBES.has(path) && res.statusCode < 400) this.logger.debug(line, 'request');
      else this.logger.info(line, 'request');
    };
    res.once('finish', () => write(false));
    res.once('close', () => write(!res.writableFinished));
  }
}
