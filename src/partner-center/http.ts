/**
 * One Partner Center call, with what every call needs: a bearer token (renewed once when Partner Center
 * rejects it), `MS-RequestId` (the same on every retry of the call: the idempotency key), a new
 * `MS-CorrelationId` per attempt, the request budget, a timeout, and retries with exponential backoff and
 * jitter (p-retry) for what may pass: 429 (after its Retry-After), 408, 5xx, timeouts, lost connections.
 */
import pRetry, { AbortError } from 'p-retry';
import type { Logger } from 'pino';
import { v4 as uuidv4 } from 'uuid';
import type { z } from 'zod';
import type { TokenProvider } from './auth.js';
import type { Lane, RequestBudget } from './budget.js';
import {
  PartnerCenterAuthError,
  PartnerCenterHttpError,
  PartnerCenterResponseError,
  PartnerCenterUnavailableError,
} from './errors.js';
import { ErrorBodySchema } from './schemas.js';

export interface RetryOptions {
  /** Retries after the first attempt; default 6. */
  readonly retries?: number;
  /** First backoff; default 1 s. Each next one doubles, with jitter (×1 to ×2), up to `maxDelayMs`. */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  /** The longest Retry-After honoured; a longer one is cut to this. Default 120 s. */
  readonly maxRetryAfterMs?: number;
  /** One attempt, answer body included; default 30 s. */
  readonly timeoutMs?: number;
}

export interface HttpOptions extends RetryOptions {
  readonly baseUrl: string;
  readonly tokens: TokenProvider;
  readonly budget: RequestBudget;
  readonly locale: string;
  readonly applicationName: string;
  readonly logger?: Logger;
  /** How to wait a Retry-After (a test may count instead of waiting). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface CallSpec {
  readonly method: 'GET' | 'POST';
  /** A path under the base URL (`/v1/customers`), or a `links.*.uri` Partner Center sent. */
  readonly path: string;
  readonly lane: Lane;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** The idempotency key; a new one per call when absent. */
  readonly requestId?: string;
}

export interface CallResult<T> {
  readonly status: number;
  readonly body: T;
}

export interface CallCounters {
  /** HTTP attempts made (each one spends the budget). */
  attempts: number;
  retries: number;
  throttled: number;
  /** Sum of the Retry-After waits, in ms. */
  retryAfterWaitedMs: number;
  tokenRenewals: number;
}

/** A failure that may pass: the call is tried again. */
class Transient extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'Transient';
  }
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export class PartnerCenterHttp {
  readonly counters: CallCounters = {
    attempts: 0,
    retries: 0,
    throttled: 0,
    retryAfterWaitedMs: 0,
    tokenRenewals: 0,
  };
  private readonly sleep: (ms: number) => Promise<void>;
  private renewal: Promise<string> | undefined;

  constructor(private readonly options: HttpOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Makes the call and parses a 2xx body with `schema`. Returns a 4xx answer listed in `accept` as it is
   * (parsed as Partner Center's error body); any other final failure throws.
   */
  async call<S extends z.ZodType>(
    spec: CallSpec,
    schema: S,
    accept: readonly number[] = [],
  ): Promise<CallResult<z.output<S>> | CallResult<z.output<typeof ErrorBodySchema>>> {
    const requestId = spec.requestId ?? uuidv4();
    const o = this.options;
    try {
      return await pRetry(() => this.attempt(spec, requestId, schema, accept), {
        retries: o.retries ?? 6,
        factor: 2,
        minTimeout: o.minDelayMs ?? 1000,
        maxTimeout: o.maxDelayMs ?? 30_000,
        randomize: true,
        onFailedAttempt: async ({ error, retriesLeft }) => {
          if (!(error instanceof Transient) || retriesLeft === 0) return;
          this.counters.retries++;
          o.logger?.warn(
            { method: spec.method, path: pathOf(spec.path), requestId, reason: error.message, retriesLeft },
            'Partner Center call failed for now; retrying',
          );
          if (error.retryAfterMs !== undefined) {
            const wait = Math.min(error.retryAfterMs, o.maxRetryAfterMs ?? 120_000);
            this.counters.retryAfterWaitedMs += wait;
            await this.sleep(wait);
          }
        },
      });
    } catch (error) {
      if (error instanceof Transient) {
        throw new PartnerCenterUnavailableError(
          `${spec.method} ${pathOf(spec.path)}: no answer after ${(o.retries ?? 6) + 1} attempts (last: ${error.message}; MS-RequestId ${requestId})`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  private async attempt<S extends z.ZodType>(
    spec: CallSpec,
    requestId: string,
    schema: S,
    accept: readonly number[],
  ): Promise<CallResult<z.output<S>> | CallResult<z.output<typeof ErrorBodySchema>>> {
    let answer = await this.send(spec, requestId);
    if (answer.status === 401) {
      // The token expired early or was revoked: one new one (MSAL caches it for the calls still queued), then
      // the same request again.
      await this.renewToken();
      answer = await this.send(spec, requestId);
      if (answer.status === 401) {
        throw new AbortError(
          new PartnerCenterAuthError(
            `Partner Center rejected a new access token for ${spec.method} ${pathOf(spec.path)} (401${answer.wwwAuthenticate === undefined ? '' : `, ${answer.wwwAuthenticate}`}; MS-RequestId ${requestId}): check the app's Partner Center permissions`,
          ),
        );
      }
    }
    const { status, text, correlationId } = answer;
    if (status >= 200 && status < 300) {
      const parsed = schema.safeParse(parseJson(text));
      if (!parsed.success) {
        throw new AbortError(
          new PartnerCenterResponseError(
            `${spec.method} ${pathOf(spec.path)}: unexpected answer (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
          ),
        );
      }
      return { status, body: parsed.data as z.output<S> };
    }
    const error = ErrorBodySchema.safeParse(parseJson(text));
    const body = error.success ? error.data : {};
    if (status === 429) {
      this.counters.throttled++;
      throw new Transient('429 throttled', retryAfterMs(answer.retryAfter, body.message));
    }
    if (RETRYABLE_STATUS.has(status)) throw new Transient(`HTTP ${status}`);
    if (accept.includes(status)) return { status, body };
    const description = body.description ?? body.message;
    throw new AbortError(
      new PartnerCenterHttpError(
        `${spec.method} ${pathOf(spec.path)}: HTTP ${status}${body.code === undefined ? '' : ` (code ${body.code})`}${description === undefined ? '' : `: ${description}`} [MS-RequestId ${requestId}, MS-CorrelationId ${correlationId}]`,
        status,
        body.code,
        description,
        requestId,
        correlationId,
      ),
    );
  }

  private async token(fresh: boolean): Promise<string> {
    try {
      return await this.options.tokens.token(fresh);
    } catch (error) {
      if (error instanceof PartnerCenterAuthError) throw new AbortError(error);
      throw new Transient(error instanceof Error ? error.message : String(error), undefined, {
        cause: error,
      });
    }
  }

  /** A new token, past MSAL's cache; calls rejected at the same time share one renewal. */
  private async renewToken(): Promise<void> {
    if (this.renewal === undefined) {
      this.counters.tokenRenewals++;
      this.renewal = this.token(true).finally(() => {
        this.renewal = undefined;
      });
    }
    await this.renewal;
  }

  /**
   * One HTTP request, when the budget allows. The token is taken then, not before waiting in the queue, so
   * that requests queued behind one that renewed it use the new one.
   */
  private send(
    spec: CallSpec,
    requestId: string,
  ): Promise<{
    status: number;
    text: string;
    correlationId: string;
    retryAfter?: string;
    wwwAuthenticate?: string;
  }> {
    const o = this.options;
    const url = urlOf(o.baseUrl, spec.path);
    return o.budget.schedule(spec.lane, async () => {
      const token = await this.token(false);
      this.counters.attempts++;
      const correlationId = uuidv4();
      const headers: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        'MS-RequestId': requestId,
        'MS-CorrelationId': correlationId,
        'MS-Contract-Version': 'v1',
        'MS-PartnerCenter-Application': o.applicationName,
        'X-Locale': o.locale,
        ...spec.headers,
      };
      if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
      try {
        const response = await fetch(url, {
          method: spec.method,
          headers,
          ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
          signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
        });
        const text = await response.text();
        const retryAfter = response.headers.get('retry-after') ?? undefined;
        const wwwAuthenticate = response.headers.get('www-authenticate') ?? undefined;
        return {
          status: response.status,
          text,
          correlationId,
          ...(retryAfter === undefined ? {} : { retryAfter }),
          ...(wwwAuthenticate === undefined ? {} : { wwwAuthenticate }),
        };
      } catch (error) {
        // Timed out, connection refused, reset or closed before the answer: the outcome is unknown.
        const reason =
          error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : describe(error);
        throw new Transient(reason, undefined, { cause: error });
      }
    });
  }
}

/** Retry-After in seconds (or an HTTP date); else the seconds in the throttling message; else 1 s. */
function retryAfterMs(header: string | undefined, message: string | undefined): number {
  if (header !== undefined) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  const inMessage = /try again in (\d+) seconds?/i.exec(message ?? '')?.[1];
  return inMessage === undefined ? 1000 : Number(inMessage) * 1000;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return { description: text.slice(0, 200) };
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return code === undefined ? error.message : `${error.message} (${code})`;
}

/** Partner Center's links are relative to the API root, with or without the /v1 prefix. */
function urlOf(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  if (/^https?:\/\//i.test(path)) {
    // An absolute link is followed only to the API itself: the bearer token goes nowhere else.
    if (new URL(path).origin === new URL(base).origin) return path;
    throw new AbortError(
      new PartnerCenterResponseError(`refusing a link off the Partner Center API: ${path}`),
    );
  }
  const rooted = path.startsWith('/') ? path : `/${path}`;
  return `${base}${rooted.startsWith('/v1/') ? rooted : `/v1${rooted}`}`;
}

function pathOf(path: string): string {
  return path.split('?')[0] ?? path;
}
