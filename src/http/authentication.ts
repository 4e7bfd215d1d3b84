/**
 * Authentication of `POST /api/messages`. With an app id, a request needs a Bot Framework JWT that botbuilder
 * validates (signature against the Bot Framework's published keys, issuer, audience = our app id, service URL
 * claim = the activity's, for tokens from a channel). Before the body is even read (`checkHeader`), what
 * needs neither the body nor a key is checked here: the header's shape, the algorithm, a key id, an issuer
 * botbuilder accepts, the app id the token is for, its validity period; junk, unsigned, expired or foreign
 * tokens are refused without reading the body or making any network call. botbuilder's answer is awaited for
 * a bounded time. Every failure, whatever it is (a bad token, keys that cannot be fetched, a time-out), is an
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

export type UnauthenticatedReason =
  'missing' | 'malformed' | 'issuer' | 'audience' | 'expired' | 'not yet valid' | 'rejected' | 'timeout';

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
  /**
   * The app id and the issuer of the channels' tokens (botbuilder's ToBotFromChannelTokenIssuer): when given,
   * a token for another app or from another issuer is refused before the body is read.
   */
  readonly expected?: TokenExpectations;
}

export interface TokenExpectations {
  readonly appId: string;
  readonly channelIssuer: string;
}

/** The Bot Framework's token issuer for channels (public cloud). */
export const CHANNEL_ISSUER = 'https://api.botframework.com';

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
 * The issuers of the Emulator's (Microsoft Entra) tokens that botbuilder accepts: those of its list and, as it
 * does, the same for the token's own tenant.
 */
const TENANT = '[0-9a-f-]{36}';
const ENTRA_ISSUER = new RegExp(
  `^https://(?:sts\\.windows\\.net/${TENANT}/|login\\.microsoftonline\\.(?:com|us)/${TENANT}/(?:v2\\.0)?)$`,
  'i',
);

/**
 * The checks that need no key and no body: a Bearer JWT of three base64url parts, a JSON header naming an RSA
 * algorithm botbuilder accepts and a key id, a JSON payload with an issuer, not expired and already valid;
 * with `expected`, an issuer botbuilder accepts and the app id: a channel's token (the channels' issuer) is
 * for us when its audience is our app id, an Emulator token (a Microsoft Entra issuer) when its `appid`
 * (version 1.0) or `azp` (2.0) is.
 */
export function precheckAuthorization(
  header: string,
  nowMs: number,
  expected?: TokenExpectations,
): UnauthenticatedReason | undefined {
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
  if (
    payload.nbf !== undefined &&
    (typeof payload.nbf !== 'number' || payload.nbf - CLOCK_SKEW_S > nowMs / 1000)
  ) {
    return 'not yet valid';
  }
  if (expected === undefined) return undefined;
  if (payload.iss === expected.channelIssuer) {
    return payload.aud === expected.appId ? undefined : 'audience';
  }
  if (!ENTRA_ISSUER.test(payload.iss)) return 'issuer';
  const appId = payload.ver === '2.0' ? payload.azp : payload.appid;
  return appId === expected.appId ? undefined : 'audience';
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

  /**
   * What is wrong with the Authorization header alone (undefined when nothing is, or when requests are not
   * authenticated): checked before the body is read.
   */
  checkHeader(header: string): UnauthenticatedReason | undefined {
    if (!this.options.required) return undefined;
    return precheckAuthorization(header, this.now(), this.options.expected);
  }

  /** The authenticated request (anonymous without an app id), or an `Unauthenticated` error. */
  async authenticate(activity: Activity, header: string): Promise<AuthenticateRequestResult> {
    const problem = this.checkHeader(header);
    if (problem !== undefined) throw new Unauthenticated(problem);
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
