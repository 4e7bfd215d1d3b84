/**
 * The simulator's HTTPS server: Partner Center's REST routes under /v1 (the seat PATCH in
 * subscription-patch.ts), the Entra ID endpoints MSAL calls,
 * and the control endpoints under /_sim (no authentication: the simulator listens on loopback only).
 * Every /v1 call needs a bearer token from the token endpoint, is counted against the partner tenant's
 * rate limit (Partner Center publishes 500 requests a minute), may meet an injected fault, and waits the
 * configured latency first.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { z } from 'zod';
import { DirectoryFileSchema } from '../../src/directory/schema.js';
import { SimAuth } from './auth.js';
import { Faults, FaultsRequestSchema, type FaultRule } from './faults.js';
import { changeElsewhere, patchSubscription } from './subscription-patch.js';
import { parseUpgradeBody } from './upgrade-body.js';
import { errorBody, type Reply, type SimState } from './state.js';

export interface SimServerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly cert: string; readonly key: string };
  readonly latencyMs: number;
  /** Requests a minute per partner tenant on /v1; 0: no limit. */
  readonly rateLimitPerMinute: number;
  readonly logger: Logger;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_BODY_BYTES = 1_000_000;
const MINUTE_MS = 60_000;

const ConfigSchema = z.strictObject({
  latencyMs: z.number().int().min(0).optional(),
  rateLimitPerMinute: z.number().int().min(0).optional(),
  errorCodeStyle: z.enum(['int', 'name']).optional(),
  refusalStyle: z.enum(['result', 'error']).optional(),
  acceptedPatchDelayMs: z.number().int().min(0).optional(),
});
const CredentialsSchema = z.strictObject({ secretState: z.enum(['valid', 'expired', 'revoked']) });

interface Stats {
  requests: number;
  byRoute: Record<string, Record<string, number>>;
  /** The MS-RequestId of every upgrade POST that reached the simulator (faults included), in order. */
  upgradeRequestIds: string[];
  /** Every subscription PATCH that reached the simulator (faults included), in order. */
  patches: PatchSeen[];
  throttled: number;
  /** The headers of the latest /v1 requests (at most RECENT), oldest first. */
  recent: RecentRequest[];
}

interface RecentRequest {
  readonly method: string;
  readonly path: string;
  readonly requestId: string | undefined;
  readonly correlationId: string | undefined;
  readonly contractVersion: string | undefined;
  readonly locale: string | undefined;
  readonly application: string | undefined;
}

/** What a subscription PATCH carried: its MS-RequestId, its If-Match, its body's ETag and seats. */
interface PatchSeen {
  readonly requestId: string;
  readonly ifMatch: string | undefined;
  readonly etag: unknown;
  readonly quantity: unknown;
}

const RECENT = 200;

type Handler = (ctx: Context) => Reply | Promise<Reply>;

interface Context {
  readonly req: IncomingMessage;
  readonly url: URL;
  readonly params: readonly string[];
  readonly body: string;
  readonly requestId: string;
}

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly key: string;
  readonly handler: Handler;
}

export class SimServer {
  private readonly server: Server;
  private readonly faults = new Faults();
  private latencyMs: number;
  private rateLimitPerMinute: number;
  private acceptedPatchDelayMs = 0;
  private window = { start: 0, count: 0 };
  private readonly continuations = new Map<string, { offset: number; size: number }>();
  private stats: Stats = emptyStats();
  private readonly routes: Route[];
  private baseUrl = '';

  constructor(
    private readonly state: SimState,
    private readonly auth: SimAuth,
    private readonly options: SimServerOptions,
  ) {
    this.latencyMs = options.latencyMs;
    this.rateLimitPerMinute = options.rateLimitPerMinute;
    this.server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        options.logger.error({ err: error }, 'simulator request failed');
        if (!res.headersSent) send(res, { status: 500, body: errorBody(500, 'Simulator error.') }, {});
      });
    });
    this.routes = this.makeRoutes();
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    this.baseUrl = `https://${host}:${port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private makeRoutes(): Route[] {
    const r = (method: string, path: string, key: string, handler: Handler): Route => ({
      method,
      pattern: new RegExp(`^${path}$`),
      key,
      handler,
    });
    const seg = '([^/]+)';
    const p = (ctx: Context, i: number): string => decodeURIComponent(ctx.params[i] ?? '');
    const token = (version: 1 | 2) => (ctx: Context) =>
      this.auth.token(this.baseUrl, p(ctx, 0), new URLSearchParams(ctx.body), version);
    return [
      r('GET', `/${seg}/v2\\.0/\\.well-known/openid-configuration`, 'GET openid-configuration', (ctx) =>
        this.auth.openIdConfiguration(this.baseUrl, p(ctx, 0)),
      ),
      r('GET', '/common/discovery/instance', 'GET instance-discovery', () =>
        this.auth.instanceDiscovery(this.baseUrl, new URL(this.baseUrl).host),
      ),
      r('POST', `/${seg}/oauth2/v2\\.0/token`, 'POST token', token(2)),
      r('POST', `/${seg}/oauth2/token`, 'POST token (v1)', token(1)),
      r('GET', '/v1/customers', 'GET customers', (ctx) => this.customers(ctx)),
      r('GET', `/v1/customers/${seg}`, 'GET customer', (ctx) => this.state.getCustomer(p(ctx, 0))),
      r('GET', `/v1/customers/${seg}/subscriptions`, 'GET subscriptions', (ctx) =>
        this.state.listSubscriptions(p(ctx, 0)),
      ),
      r('GET', `/v1/customers/${seg}/subscriptions/${seg}`, 'GET subscription', (ctx) =>
        this.state.getSubscription(p(ctx, 0), p(ctx, 1)),
      ),
      r('GET', `/v1/customers/${seg}/subscriptions/${seg}/upgrades`, 'GET upgrades', (ctx) =>
        this.state.listUpgrades(p(ctx, 0), p(ctx, 1)),
      ),
      r('POST', `/v1/customers/${seg}/subscriptions/${seg}/upgrades`, 'POST upgrades', (ctx) =>
        this.createUpgrade(ctx, p(ctx, 0), p(ctx, 1)),
      ),
      r('PATCH', `/v1/customers/${seg}/subscriptions/${seg}`, 'PATCH subscription', (ctx) =>
        patchSubscription(
          this.state,
          p(ctx, 0),
          p(ctx, 1),
          ctx.body,
          header(ctx.req, 'if-match'),
          ctx.requestId,
          { acceptedDelayMs: this.acceptedPatchDelayMs },
        ),
      ),
    ];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://simulator');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    if (url.pathname.startsWith('/_sim/')) {
      send(res, this.control(method, url.pathname, body), {});
      return;
    }
    if (url.pathname.startsWith('/v1/')) this.remember(req, method, url.pathname);
    const requestId = header(req, 'ms-requestid') ?? randomUUID();
    const correlationId = header(req, 'ms-correlationid') ?? randomUUID();
    const echo = { 'MS-RequestId': requestId, 'MS-CorrelationId': correlationId };

    const matched = this.match(method, url.pathname);
    this.count(matched?.route.key ?? `${method} (unknown)`, 'received');
    if (matched?.route.key === 'POST upgrades') this.stats.upgradeRequestIds.push(requestId);
    if (matched?.route.key === 'PATCH subscription') this.stats.patches.push(patchSeen(req, body, requestId));
    if (this.latencyMs > 0) await sleep(this.latencyMs);

    let fault = this.faults.take(method, url.pathname);
    if (fault?.action === 'concurrent-change') {
      this.count(matched?.route.key ?? method, `fault:${fault.action}`);
      changeElsewhere(this.state, url.pathname, fault.quantity);
      fault = undefined;
    }
    const afterApply = fault?.action === 'drop-after-apply' || fault?.action === 'hang-after-apply';
    if (fault !== undefined && !afterApply) {
      this.count(matched?.route.key ?? method, `fault:${fault.action}`);
      this.injure(req, res, fault, echo);
      return;
    }
    if (matched === undefined) {
      send(res, { status: 404, body: errorBody(404, `No route for ${method} ${url.pathname}.`) }, echo);
      return;
    }
    const { route, params } = matched;
    const reply = url.pathname.startsWith('/v1/') ? this.guard(req, route.key) : undefined;
    const answer = reply ?? (await route.handler({ req, url, params, body, requestId }));
    this.count(route.key, String(answer.status));
    if (fault !== undefined && afterApply) {
      this.count(route.key, `fault:${fault.action}`);
      if (fault.action === 'drop-after-apply') req.socket.destroy();
      return; // hang-after-apply: never answered
    }
    send(res, answer, echo);
  }

  /** Authentication, header checks and the rate limit of the /v1 routes. */
  private guard(req: IncomingMessage, key: string): Reply | undefined {
    const rejected = this.auth.rejection(header(req, 'authorization'));
    if (rejected !== undefined) {
      return {
        status: 401,
        body: errorBody(401, `Unauthorized: ${rejected}.`),
        headers: {
          'WWW-Authenticate': `Bearer realm="https://api.partnercenter.microsoft.com", error="invalid_token", error_description="${rejected}"`,
        },
      };
    }
    for (const name of ['ms-requestid', 'ms-correlationid']) {
      const value = header(req, name);
      if (value !== undefined && !GUID.test(value)) {
        return { status: 400, body: errorBody(400, `${name} must be a GUID, got "${value}".`) };
      }
    }
    if (this.rateLimitPerMinute > 0) {
      const now = Date.now();
      if (now - this.window.start >= MINUTE_MS) this.window = { start: now, count: 0 };
      if (this.window.count >= this.rateLimitPerMinute) {
        const seconds = Math.max(1, Math.ceil((this.window.start + MINUTE_MS - now) / 1000));
        this.stats.throttled++;
        this.count(key, 'throttled');
        return throttled(seconds);
      }
      this.window.count++;
    }
    return undefined;
  }

  private customers(ctx: Context): Reply {
    const size = ctx.url.searchParams.get('size');
    const pageSize = size === null ? this.state.customerCount : Number(size);
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      return { status: 400, body: errorBody(400, `size must be a positive whole number, got "${size}".`) };
    }
    let offset = 0;
    if (ctx.url.searchParams.get('seekOperation') !== null) {
      if (ctx.url.searchParams.get('seekOperation')?.toLowerCase() !== 'next') {
        return { status: 400, body: errorBody(400, 'Only seekOperation=Next is supported.') };
      }
      const token = header(ctx.req, 'ms-continuationtoken');
      const position = token === undefined ? undefined : this.continuations.get(token);
      if (position === undefined) {
        return { status: 400, body: errorBody(400, 'Missing or unknown MS-ContinuationToken.') };
      }
      offset = position.offset;
    }
    const page = this.state.customerPage(offset, pageSize);
    const self = `/v1/customers?size=${pageSize}${offset > 0 ? '&seekOperation=Next' : ''}`;
    const body: Record<string, unknown> = {
      totalCount: page.items.length,
      items: page.items,
      links: { self: { uri: self, method: 'GET', headers: [] } },
      attributes: { objectType: 'Collection' },
    };
    if (page.more) {
      const next = `${randomUUID()},${Buffer.from(String(offset + pageSize)).toString('base64')},${randomUUID()}`;
      this.continuations.set(next, { offset: offset + pageSize, size: pageSize });
      body['continuationToken'] = next;
      body['links'] = {
        self: { uri: self, method: 'GET', headers: [] },
        next: {
          uri: `/v1/customers?size=${pageSize}&seekOperation=Next`,
          method: 'GET',
          headers: [{ key: 'MS-ContinuationToken', value: next }],
        },
      };
    }
    return { status: 200, body };
  }

  private createUpgrade(ctx: Context, customerId: string, subscriptionId: string): Reply {
    const stored = this.state.replay(ctx.requestId);
    if (stored !== undefined) return stored;
    const parsed = parseUpgradeBody(ctx.body);
    if (!parsed.ok) return { status: 400, body: errorBody(400, parsed.problem) };
    return this.state.createUpgrade(customerId, subscriptionId, parsed.upgrade, ctx.requestId);
  }

  private injure(
    req: IncomingMessage,
    res: ServerResponse,
    fault: FaultRule,
    echo: Record<string, string>,
  ): void {
    switch (fault.action) {
      case 'hang':
        return; // never answered; the connection goes when the client gives up or the server closes
      case 'drop':
        req.socket.destroy();
        return;
      default: {
        const status = fault.status ?? 500;
        if (status === 429) {
          this.stats.throttled++;
          send(res, throttled(fault.retryAfterSeconds ?? 1), echo);
          return;
        }
        send(res, { status, body: errorBody(status, `Injected fault: HTTP ${status}.`) }, echo);
      }
    }
  }

  private control(method: string, path: string, body: string): Reply {
    const json = (): unknown => (body.trim() === '' ? {} : JSON.parse(body));
    const bad = (error: unknown): Reply => ({ status: 400, body: { error: String(error) } });
    try {
      switch (`${method} ${path}`) {
        case 'GET /_sim/stats':
          return {
            status: 200,
            body: {
              ...this.stats,
              tokensIssued: this.auth.tokensIssued,
              upgradesApplied: this.state.upgradesApplied,
              quantityChanges: this.state.quantityChanges,
              idempotentReplays: this.state.idempotentReplays,
              faultsFired: this.faults.fired,
              faults: this.faults.pending(),
            },
          };
        case 'POST /_sim/stats/reset':
          this.stats = emptyStats();
          this.state.upgradesApplied = 0;
          this.state.quantityChanges = 0;
          this.state.idempotentReplays = 0;
          this.auth.tokensIssued = 0;
          this.faults.fired = 0;
          return { status: 200, body: { ok: true } };
        case 'POST /_sim/faults':
          this.faults.set(FaultsRequestSchema.parse(json()).rules);
          return { status: 200, body: { ok: true } };
        case 'DELETE /_sim/faults':
          this.faults.clear();
          return { status: 200, body: { ok: true } };
        case 'POST /_sim/config': {
          const config = ConfigSchema.parse(json());
          if (config.latencyMs !== undefined) this.latencyMs = config.latencyMs;
          if (config.rateLimitPerMinute !== undefined) this.rateLimitPerMinute = config.rateLimitPerMinute;
          if (config.errorCodeStyle !== undefined) this.state.errorCodeStyle = config.errorCodeStyle;
          if (config.refusalStyle !== undefined) this.state.refusalStyle = config.refusalStyle;
          if (config.acceptedPatchDelayMs !== undefined)
            this.acceptedPatchDelayMs = config.acceptedPatchDelayMs;
          return { status: 200, body: { ok: true } };
        }
        case 'POST /_sim/tokens/expire':
          return { status: 200, body: { expired: this.auth.expireTokens() } };
        case 'POST /_sim/credentials':
          this.auth.secretState = CredentialsSchema.parse(json()).secretState;
          return { status: 200, body: { ok: true } };
      }
      const customer = /^\/_sim\/customers\/([^/]+)$/.exec(path);
      if (method === 'GET' && customer?.[1] !== undefined) {
        const found = this.state.customer(decodeURIComponent(customer[1]));
        return found === undefined ? { status: 404, body: {} } : { status: 200, body: found };
      }
      if (method === 'PUT' && customer?.[1] !== undefined) {
        // Partner Center's data changing behind the bot's back (a test makes the store and it disagree).
        const replaced = DirectoryFileSchema.parse({ partner: { name: 'simulator' }, customers: [json()] })
          .customers[0]!;
        if (replaced.id !== decodeURIComponent(customer[1]))
          return bad('the id in the path and the body differ');
        this.state.replaceCustomer(replaced);
        return { status: 200, body: { ok: true } };
      }
      return { status: 404, body: { error: `no control endpoint ${method} ${path}` } };
    } catch (error) {
      return bad(error);
    }
  }

  private match(method: string, path: string): { route: Route; params: string[] } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(path);
      if (m !== null) return { route, params: m.slice(1) };
    }
    return undefined;
  }

  private remember(req: IncomingMessage, method: string, path: string): void {
    this.stats.recent.push({
      method,
      path,
      requestId: header(req, 'ms-requestid'),
      correlationId: header(req, 'ms-correlationid'),
      contractVersion: header(req, 'ms-contract-version'),
      locale: header(req, 'x-locale'),
      application: header(req, 'ms-partnercenter-application'),
    });
    if (this.stats.recent.length > RECENT) this.stats.recent.shift();
  }

  private count(key: string, outcome: string): void {
    if (outcome === 'received') this.stats.requests++;
    const route = (this.stats.byRoute[key] ??= {});
    route[outcome] = (route[outcome] ?? 0) + 1;
  }
}

function emptyStats(): Stats {
  return { requests: 0, byRoute: {}, upgradeRequestIds: [], patches: [], throttled: 0, recent: [] };
}

function patchSeen(req: IncomingMessage, body: string, requestId: string): PatchSeen {
  let json: { quantity?: unknown; attributes?: { etag?: unknown } } = {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) json = parsed as typeof json;
  } catch {
    // kept as "nothing": the route answers 400
  }
  return {
    requestId,
    ifMatch: header(req, 'if-match'),
    etag: json.attributes?.etag,
    quantity: json.quantity,
  };
}

function throttled(seconds: number): Reply {
  return {
    status: 429,
    body: { statusCode: 429, message: `Rate limit is exceeded. Try again in ${seconds} seconds.` },
    headers: { 'Retry-After': String(seconds) },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, reply: Reply, echo: Record<string, string>): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'MS-CV': randomUUID(),
    'MS-ServerId': 'partner-center-simulator',
    ...echo,
    ...reply.headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
