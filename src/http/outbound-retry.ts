/**
 * Requests to the channel (the Bot Connector: replies, card updates) are retried after a transient failure
 * (408, 429, 5xx but 501/505, a refused, reset or timed-out connection) with exponential backoff and jitter,
 * honouring Retry-After, each retry logged and counted; each attempt has a time limit. The policy takes the
 * place of the Azure SDK's built-in retry in the ConnectorClient's pipeline (which retries silently and
 * unbounded in time), through a connector factory that wraps botbuilder's.
 *
 * Only what cannot be delivered twice is repeated: a request whose method is idempotent (PUT, the update of a
 * card, DELETE, GET), or one the channel cannot have acted on: not sent at all (connection refused, no
 * address) or answered 429 or 503. A POST (a new message) that timed out, lost its connection after it was
 * sent or got another 5xx may have been delivered: it is not sent again. And the retries of one turn share a
 * time budget (`budgetMs`, from the turn's start): no retry starts past it and a retry's time limit ends with
 * it, so that a channel that hangs holds a turn for the first attempts' time limits and the budget at most.
 */
import type { AuthenticateRequestResult } from './authentication.js';

export interface OutboundRetryOptions {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** The first backoff; doubled at each retry, with jitter, up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** The time limit of one attempt. */
  readonly timeoutMs: number;
  /** The time the retries of one turn may take, from the turn's start (OUTBOUND_RETRY_BUDGET_SECONDS). */
  readonly budgetMs: number;
}

export const DEFAULT_OUTBOUND_RETRY: OutboundRetryOptions = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  timeoutMs: 15_000,
  budgetMs: 10_000,
};

/** What went wrong with one attempt: an HTTP status, or an error code. */
export interface AttemptFailure {
  readonly method: string;
  /** The path of the request (no host, no query). */
  readonly path: string;
  readonly attempt: number;
  readonly status?: number;
  readonly code?: string;
  /**
   * When no attempt follows: the attempts are used up, the turn's budget is, or the request may have been
   * delivered and is not idempotent (`not repeatable`).
   */
  readonly gaveUp?: 'attempts' | 'budget' | 'not repeatable';
}

interface OutboundRetryHooks {
  onRetry(failure: AttemptFailure, delayMs: number): void;
  onGiveUp(failure: AttemptFailure): void;
}

// The parts of @azure/core-rest-pipeline's types used here.
interface RequestLike {
  readonly method: string;
  readonly url: string;
  timeout: number;
  readonly abortSignal?: { readonly aborted: boolean };
}
interface ResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | undefined };
}
type SendRequest = (request: RequestLike) => Promise<ResponseLike>;
export interface PolicyLike {
  readonly name: string;
  sendRequest(request: RequestLike, next: SendRequest): Promise<ResponseLike>;
}
interface PipelineLike {
  addPolicy(policy: PolicyLike, options?: { phase?: 'Retry' }): void;
  removePolicy(options: { phase?: 'Retry' }): unknown;
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'REQUEST_SEND_ERROR',
  'TIMEOUT',
]);

/** Methods whose repetition has the effect of one request (RFC 9110, 9.2.2). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
/** Errors that mean the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN']);
/** Answers saying the request was not acted on (too many requests, unavailable). */
const NOT_PROCESSED_STATUSES = new Set([429, 503]);
/** A retry needs at least this much of the budget left after its backoff. */
const MIN_ATTEMPT_MS = 50;

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** Retry-After (seconds or an HTTP date) or retry-after-ms, in ms; undefined when absent or unreadable. */
export function retryAfterMs(headers: ResponseLike['headers'], now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms') ?? headers.get('x-ms-retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

function errorCodeOf(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string') return code;
  return name === 'AbortError' ? 'ABORTED' : undefined;
}

/** The policy of the whole process; `forTurn()` gives each turn its own, whose retries share one budget. */
export interface RetryPolicy extends PolicyLike {
  forTurn(): PolicyLike;
}

export function outboundRetryPolicy(
  options: OutboundRetryOptions,
  hooks: OutboundRetryHooks,
  random: () => number = Math.random,
  now: () => number = () => performance.now(),
): RetryPolicy {
  const backoff = (retry: number) => {
    const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  };

  /** The policy whose retries end by `deadline()` (each request's own budget when not given). */
  const policy = (deadline?: () => number): PolicyLike => ({
    name: 'upgradeAssistantOutboundRetry',
    async sendRequest(request, next) {
      const ends = deadline?.() ?? now() + options.budgetMs;
      const attemptLimit = request.timeout > 0 ? request.timeout : options.timeoutMs;
      const idempotent = IDEMPOTENT_METHODS.has(request.method.toUpperCase());
      /** Why there is no further attempt after `attempt`, or undefined and the delay before it. */
      const verdict = (
        attempt: number,
        repeatable: boolean,
        delayMs: number,
      ): AttemptFailure['gaveUp'] | undefined => {
        if (!repeatable) return 'not repeatable';
        if (attempt > options.maxRetries) return 'attempts';
        if (now() + delayMs + MIN_ATTEMPT_MS > ends) return 'budget';
        return undefined;
      };
      for (let attempt = 1; ; attempt++) {
        request.timeout =
          attempt === 1 ? attemptLimit : Math.max(1, Math.min(attemptLimit, Math.floor(ends - now())));
        const base = { method: request.method, path: pathOf(request.url), attempt };
        let failure: AttemptFailure;
        let delayMs: number;
        try {
          const response = await next(request);
          if (!isTransientStatus(response.status)) return response;
          failure = { ...base, status: response.status };
          delayMs = Math.min(options.maxDelayMs, retryAfterMs(response.headers) ?? backoff(attempt - 1));
          const gaveUp = verdict(attempt, idempotent || NOT_PROCESSED_STATUSES.has(response.status), delayMs);
          if (gaveUp !== undefined) {
            hooks.onGiveUp({ ...failure, gaveUp });
            return response;
          }
        } catch (error) {
          let code = errorCodeOf(error);
          // Our own time limit aborts the attempt: transient. An abort asked for by the caller is not.
          if (code === 'ABORTED' && request.abortSignal?.aborted !== true) code = 'TIMEOUT';
          failure = { ...base, ...(code === undefined ? {} : { code }) };
          if (code === undefined || !TRANSIENT_CODES.has(code)) throw error;
          delayMs = backoff(attempt - 1);
          const gaveUp = verdict(attempt, idempotent || NOT_SENT_CODES.has(code), delayMs);
          if (gaveUp !== undefined) {
            hooks.onGiveUp({ ...failure, gaveUp });
            throw error;
          }
        }
        hooks.onRetry(failure, delayMs);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    },
  });

  return {
    ...policy(),
    forTurn: () => {
      const ends = now() + options.budgetMs;
      return policy(() => ends);
    },
  };
}

/** The pipeline of a botbuilder ConnectorClient (a private field of its Azure service client). */
function pipelineOf(connector: unknown): PipelineLike | undefined {
  const client = (connector as { client?: { pipeline?: Partial<PipelineLike> } } | null)?.client;
  const pipeline = client?.pipeline;
  return typeof pipeline?.addPolicy === 'function' && typeof pipeline.removePolicy === 'function'
    ? (pipeline as PipelineLike)
    : undefined;
}

/** Replaces the client's retry policy by `policy`; false when the client's shape is not the one expected. */
function installRetryPolicy(connector: unknown, policy: PolicyLike): boolean {
  const pipeline = pipelineOf(connector);
  if (pipeline === undefined) return false;
  pipeline.removePolicy({ phase: 'Retry' });
  pipeline.addPolicy(policy, { phase: 'Retry' });
  return true;
}

type ConnectorFactory = NonNullable<AuthenticateRequestResult['connectorFactory']>;

/** botbuilder's connector factory, whose clients get the retry policy. */
export function retryingConnectorFactory(
  inner: ConnectorFactory,
  policy: PolicyLike,
  onNotInstalled: () => void,
): ConnectorFactory {
  return {
    async create(serviceUrl: string, audience?: string) {
      const client = await inner.create(serviceUrl, audience);
      if (!installRetryPolicy(client, policy)) onNotInstalled();
      return client;
    },
  };
}
