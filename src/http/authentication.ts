/**
 * Authentication of `POST /api/messages`. With an app id, a request needs a Bot Framework JWT that botbuilder
 * validates (signature against the Bot Framework's published keys, issuer, audience = our app id, service URL
 * claim = the activity's). Before botbuilder is asked, the header's shape is checked here so that junk,
 * unsigned or expired tokens are refused without any network call; botbuilder's answer is awaited for a
 * bounded time. Every failure, whatever it is (a bad token, keys that cannot be fetched, a time-out), is an
 * `Unauthenticated` error: the request gets 401 and reaches no handler.
 */
import type { Activity, ConfigurationBotFrameworkAuthentication } from 'botbuilder';

export type AuthenticateRequestResult = Awaited<
  ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>
>;

/** The part of botbuilder's BotFrameworkAuthentication used here. */
interface RequestAuthentication {
  authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult>;
}

type UnauthenticatedReason = 'missing' | 'malformed' | 'expired' | 'rejected' | 'timeout';

export class Unauthenticated extends Error {
  constructor(
    readonly reason: UnauthenticatedReason,
    options?: { cause?: unknown },
  ) {
    super(`request not authenticated (${reason})`, options);
    this.name = 'Unauthenticated';
  }
}

interface AuthenticatorOptions {
  readonly authentication: RequestAuthentication;
  /** True when an app id is configured: every request needs a valid token. */
  readonly required: boolean;
  /** How long botbuilder may take (fetching the signing keys included) before the request is refused. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** botbuilder accepts these algorithms only (AuthenticationConstants.AllowedSigningAlgorithms). */
const ALGORITHMS = new Set(['RS256', 'RS384', 'RS512']);
const JWT = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
const MAX_HEADER = 16 * 1024;
/** botbuilder's clock tolerance. */
const CLOCK_SKEW_S = 300;

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The checks that need no key: a Bearer JWT of three base64url parts, a JSON header naming an RSA algorithm
 * botbuilder accepts and a key id, a JSON payload with an issuer, not expired.
 */
function precheckAuthorization(header: string, nowMs: number): UnauthenticatedReason | undefined {
  if (header.trim() === '') return 'missing';
  if (header.length > MAX_HEADER) return 'malformed';
  const match = JWT.exec(header);
  if (match === null) return 'malformed';
  const head = decodePart(match[1] as string);
  const payload = decodePart(match[2] as string);
  if (head === undefined || payload === undefined) return 'malformed';
  if (typeof head.alg !== 'string' || !ALGORITHMS.has(head.alg) || typeof head.kid !== 'string') {
    return 'malformed';
  }
  if (typeof payload.iss !== 'string') return 'malformed';
  if (typeof payload.exp !== 'number' || payload.exp + CLOCK_SKEW_S < nowMs / 1000) return 'expired';
  return undefined;
}

export class Authenticator {
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: AuthenticatorOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get required(): boolean {
    return this.options.required;
  }

  /** The authenticated request (anonymous without an app id), or an `Unauthenticated` error. */
  async authenticate(activity: Activity, header: string): Promise<AuthenticateRequestResult> {
    if (this.options.required) {
      const problem = precheckAuthorization(header, this.now());
      if (problem !== undefined) throw new Unauthenticated(problem);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Unauthenticated('timeout')), this.timeoutMs);
    });
    try {
      return await Promise.race([
        this.options.authentication.authenticateRequest(activity, this.options.required ? header : ''),
        timeout,
      ]);
    } catch (error) {
      if (error instanceof Unauthenticated) throw error;
      throw new Unauthenticated('rejected', { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}
