/**
 * Requests to the channel (the Bot Connector: replies, card updates) are retried after a transient failure
 * (408, 429, 5xx but 501/505, a refused, reset or timed-out connection) with exponential backoff and jitter,
 * honouring Retry-After, each retry logged and counted; each attempt has a time limit. The policy takes the
 * place of the Azure SDK's built-in retry in the ConnectorClient's pipeline (which retries silently and
 * unbounded in time), through a connector factory that wraps botbuilder's.
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
}

export const DEFAULT_OUTBOUND_RETRY: OutboundRetryOptions = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  timeoutMs: 15_000,
};

/** What went wrong with one attempt: an HTTP status, or an error code. */
interface AttemptFailure {
  readonly method: string;
  /** The path of the request (no host, no query). */
  readonly path: string;
  readonly attempt: number;
  readonly status?: number;
  readonly code?: string;
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

export function outboundRetryPolicy(
  options: OutboundRetryOptions,
  hooks: OutboundRetryHooks,
  random: () => number = Math.random,
): PolicyLike {
  const backoff = (retry: number) => {
    const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  };
  return {
    name: 'upgradeAssistantOutboundRetry',
    async sendRequest(request, next) {
      if (!(request.timeout > 0)) request.timeout = options.timeoutMs;
      for (let attempt = 1; ; attempt++) {
        const base = { method: request.method, path: pathOf(request.url), attempt };
        let failure: AttemptFailure;
        let delayMs: number;
        try {
          const response = await next(request);
          if (!isTransientStatus(response.status)) return response;
          failure = { ...base, status: response.status };
          if (attempt > options.maxRetries) {
            hooks.onGiveUp(failure);
            return response;
          }
          delayMs = Math.min(options.maxDelayMs, retryAfterMs(response.headers) ?? backoff(attempt - 1));
        } catch (error) {
          let code = errorCodeOf(error);
          // Our own time limit aborts the attempt: transient. An abort asked for by the caller is not.
          if (code === 'ABORTED' && request.abortSignal?.aborted !== true) code = 'TIMEOUT';
          failure = { ...base, ...(code === undefined ? {} : { code }) };
          if (code === undefined || !TRANSIENT_CODES.has(code)) throw error;
          if (attempt > options.maxRetries) {
            hooks.onGiveUp(failure);
            throw error;
          }
          delayMs = backoff(attempt - 1);
        }
        hooks.onRetry(failure, delayMs);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
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
