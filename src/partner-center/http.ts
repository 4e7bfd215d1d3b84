/**
 * One Partner Center call, with what every call needs: a bearer token (renewed once when Partner Center
 * rejects it), `MS-RequestId` (the same on every retry of the call: the idempotency key), a new
 * `MS-CorrelationId` per attempt, the request budget, a timeout, and retries with exponential backoff and
 * jitter (p-retry) for what may pass: 429 (after its Retry-After), 408, 5xx, timeouts, lost connections.
 * A caller's AbortSignal ends the call, retries and waits included (the upgrade's deadline, under the ledger's
 * lease). Every attempt of a change (POST, PATCH: neither is idempotent by itself, only by its MS-RequestId) is
 * logged with its MS-RequestId and MS-CorrelationId.
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
  PartnerCenterOutcomeUnknownError,
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
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** A path under the base URL (`/v1/customers`), or a `links.*.uri` Partner Center sent. */
  readonly path: string;
  readonly lane: Lane;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** The idempotency key; a new one per call when absent. */
  readonly requestId?: string;
  /** Ends the call (and its retries) when aborted: it then fails with PartnerCenterUnavailableError. */
  readonly signal?: AbortSignal;
}

export interface CallResult<T> {
  readonly status: number;
  readonly body: T;
  /**
   * An earlier attempt of this call was sent and got no answer that says what happened (timed out, lost its
   * connection, 5xx): Partner Center may have carried it out. This answer may then be about the retry only.
   */
  readonly earlierAttemptUnanswered: boolean;
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

/** One attempt's answer. */
type Answer<T> = Omit<CallResult<T>, 'earlierAttemptUnanswered'>;

/**
 * A failure that may pass: the call is tried again. `mayHaveReached`: the request may have been carried out
 * (no answer, or a 5xx); false when it surely was not (no connection made, throttled, no token).
 */
class Transient extends Error {
  constructor(
    message: string,
    readonly mayHaveReached: boolean,
    readonly extra: { readonly retryAfterMs?: number; readonly correlationId?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'Transient';
  }
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** The connection was never made: nothing of the request reached Partner Center. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

type Sent = {
  status: number;
  text: string;
  correlationId: string;
  retryAfter?: string;
  wwwAuthenticate?: string;
};

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
    let unanswered = false;
    const attempt = async (n: number) => {
      try {
        return {
          ...(await this.attempt(spec, requestId, n, schema, accept)),
          earlierAttemptUnanswered: unanswered,
        };
      } catch (error) {
        if (error instanceof Transient && error.mayHaveReached) unanswered = true;
        throw error;
      }
    };
    try {
      return await pRetry(attempt, {
        ...(spec.signal === undefined ? {} : { signal: spec.signal }),
        retries: o.retries ?? 6,
        factor: 2,
        minTimeout: o.minDelayMs ?? 1000,
        maxTimeout: o.maxDelayMs ?? 30_000,
        randomize: true,
        onFailedAttempt: async ({ error, retriesLeft }) => {
          if (!(error instanceof Transient) || retriesLeft === 0) return;
          this.counters.retries++;
          o.logger?.warn(
            {
              method: spec.method,
              path: pathOf(spec.path),
              requestId,
              correlationId: error.extra.correlationId,
              reason: error.message,
              retriesLeft,
            },
            'Partner Center call failed for now; retrying',
          );
          if (error.extra.retryAfterMs !== undefined) {
            const wait = Math.min(error.extra.retryAfterMs, o.maxRetryAfterMs ?? 120_000);
            this.counters.retryAfterWaitedMs += wait;
            await untilAborted(this.sleep(wait), spec.signal);
          }
        },
      });
    } catch (error) {
      const final = this.finalError(spec, requestId, error);
      // A definitive answer to a retry of a change whose earlier attempt went unanswered says nothing of that
      // attempt: Partner Center may have carried it out (no answer at all is unknown already). A PATCH is no
      // safer than a POST: its retry names the ETag the first attempt may have made stale.
      if (unanswered && isChange(spec) && !(final instanceof PartnerCenterUnavailableError)) {
        throw new PartnerCenterOutcomeUnknownError(
          `${spec.method} ${pathOf(spec.path)}: ${final instanceof Error ? final.message : String(final)}, after an earlier attempt that got no answer and may have been carried out (MS-RequestId ${requestId})`,
          requestId,
          { cause: final },
        );
      }
      throw final;
    }
  }

  private finalError(spec: CallSpec, requestId: string, error: unknown): unknown {
    const where = `${spec.method} ${pathOf(spec.path)}`;
    if (spec.signal?.aborted === true) {
      return new PartnerCenterUnavailableError(
        `${where}: given up at the caller's deadline (MS-RequestId ${requestId})`,
        { cause: error },
      );
    }
    if (error instanceof Transient) {
      return new PartnerCenterUnavailableError(
        `${where}: no answer after ${(this.options.retries ?? 6) + 1} attempts (last: ${error.message}; MS-RequestId ${requestId})`,
        { cause: error },
      );
    }
    return error;
  }

  private async attempt<S extends z.ZodType>(
    spec: CallSpec,
    requestId: string,
    attempt: number,
    schema: S,
    accept: readonly number[],
  ): Promise<Answer<z.output<S>> | Answer<z.output<typeof ErrorBodySchema>>> {
    let answer = await this.send(spec, requestId, attempt);
    if (answer.status === 401) {
      // The token expired early or was revoked: one new one (MSAL caches it for the calls still queued), then
      // the same request again.
      await this.renewToken();
      answer = await this.send(spec, requestId, attempt);
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
      // Throttled before it was looked at: nothing was carried out.
      this.counters.throttled++;
      throw new Transient('429 throttled', false, {
        retryAfterMs: retryAfterMs(answer.retryAfter, body.message),
        correlationId,
      });
    }
    // A 5xx (or 408) may come after the request was carried out, from a part of the service behind another.
    if (RETRYABLE_STATUS.has(status)) throw new Transient(`HTTP ${status}`, true, { correlationId });
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
      // No token, so nothing was sent.
      throw new Transient(
        error instanceof Error ? error.message : String(error),
        false,
        {},
        { cause: error },
      );
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
  private send(spec: CallSpec, requestId: string, attempt: number): Promise<Sent> {
    const o = this.options;
    const url = urlOf(o.baseUrl, spec.path);
    return o.budget.schedule(spec.lane, async () => {
      // A call given up while it waited in the queue is not sent at all.
      spec.signal?.throwIfAborted();
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
          signal: withTimeout(o.timeoutMs ?? 30_000, spec.signal),
        });
        const text = await response.text();
        const retryAfter = response.headers.get('retry-after') ?? undefined;
        const wwwAuthenticate = response.headers.get('www-authenticate') ?? undefined;
        this.logChange(spec, requestId, correlationId, attempt, { status: response.status });
        return {
          status: response.status,
          text,
          correlationId,
          ...(retryAfter === undefined ? {} : { retryAfter }),
          ...(wwwAuthenticate === undefined ? {} : { wwwAuthenticate }),
        };
      } catch (error) {
        // Timed out, reset or closed before the answer: the outcome is unknown. Refused or unresolved: the
        // connection was never made, so nothing was sent.
        const reason =
          error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : describe(error);
        this.logChange(spec, requestId, correlationId, attempt, { reason });
        throw new Transient(
          reason,
          !NOT_CONNECTED.has(causeCode(error) ?? ''),
          { correlationId },
          { cause: error },
        );
      }
    });
  }

  /**
   * One line per attempt of a change (a POST: an upgrade; a PATCH: licences added; what Partner Center support
   * asks for); GETs are too many to log each. Never the token.
   */
  private logChange(
    spec: CallSpec,
    requestId: string,
    correlationId: string,
    attempt: number,
    outcome: { status: number } | { reason: string },
  ): void {
    if (!isChange(spec)) return;
    this.options.logger?.info(
      { method: spec.method, path: pathOf(spec.path), requestId, correlationId, attempt, ...outcome },
      `Partner Center ${spec.method} attempt`,
    );
  }
}

/** A call that changes something in Partner Center (not idempotent but by its MS-RequestId). */
function isChange(spec: CallSpec): boolean {
  return spec.method === 'POST' || spec.method === 'PATCH';
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

function causeCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const cause = error.cause as { code?: unknown } | undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = causeCode(error);
  return code === undefined ? error.message : `${error.message} (${code})`;
}

/** One attempt's timeout, ended early by the caller's signal. */
function withTimeout(timeoutMs: number, signal: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
}

/** A wait that ends (rejecting with the signal's reason) when the signal is aborted. */
function untilAborted<T>(wait: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return wait;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    wait.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
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
