/**
 * App-only sign-in to Partner Center through MSAL (client credentials, v2 endpoint, scope
 * `https://api.partnercenter.microsoft.com/.default`), with a client secret or a certificate. MSAL caches the
 * token and gets a new one when it nears expiry; `token(true)` skips the cache, for a token Partner Center
 * rejected (expired early or revoked).
 *
 * No instance discovery over the internet: the authority's host is declared in `knownAuthorities`, so MSAL
 * trusts it without asking login.microsoftonline.com, and reads only the authority's own OpenID
 * configuration (for a local simulator, from the simulator).
 */
import {
  AuthError,
  ConfidentialClientApplication,
  LogLevel,
  ServerError,
  type Configuration,
} from '@azure/msal-node';
import type { Logger } from 'pino';
import { PartnerCenterAuthError, PartnerCenterUnavailableError } from './errors.js';

export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
export const PARTNER_CENTER_SCOPE = 'https://api.partnercenter.microsoft.com/.default';

export type PartnerCenterCredential =
  | { readonly clientSecret: string }
  | {
      readonly certificate: {
        /** Hex SHA-256 thumbprint of the certificate registered on the app. */
        readonly thumbprintSha256: string;
        /** PEM private key (`-----BEGIN PRIVATE KEY-----`). */
        readonly privateKey: string;
        /** PEM certificate chain, sent as `x5c` (subject name / issuer authentication). */
        readonly x5c?: string;
      };
    };

export interface TokenProviderOptions {
  readonly tenantId: string;
  readonly clientId: string;
  readonly credential: PartnerCenterCredential;
  /** Default https://login.microsoftonline.com. */
  readonly authorityHost?: string;
  readonly scope?: string;
  readonly logger?: Logger;
}

export interface TokenProvider {
  /** A bearer token; `fresh` skips MSAL's cache. */
  token(fresh?: boolean): Promise<string>;
}

/** Why Entra ID refused, in words an operator can act on, by AADSTS number. */
const AADSTS_HINTS: Record<string, string> = {
  '7000222': 'the client secret has expired: create a new secret in the app registration and configure it',
  '7000215': 'the client secret is wrong or was removed from the app registration',
  '700027': 'the certificate is not registered on the app, or its signature is invalid',
  '700024': 'the client assertion is outside its validity period (check the clock)',
  '700016': 'the application (client) id is not registered in this tenant',
  '90002': 'the tenant does not exist',
  '900023': 'the tenant id is not valid',
  '70011': 'the scope is not valid for this app',
  '7000112': 'the application is disabled',
};

const PERMANENT_AAD_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'invalid_tenant',
  'invalid_scope',
  'invalid_grant',
  'invalid_request',
]);

export class MsalTokenProvider implements TokenProvider {
  private readonly app: ConfidentialClientApplication;
  private readonly scope: string;

  constructor(private readonly options: TokenProviderOptions) {
    const host = (options.authorityHost ?? DEFAULT_AUTHORITY_HOST).replace(/\/+$/, '');
    const credential =
      'clientSecret' in options.credential
        ? { clientSecret: options.credential.clientSecret }
        : { clientCertificate: options.credential.certificate };
    const logger = options.logger;
    const config: Configuration = {
      auth: {
        clientId: options.clientId,
        authority: `${host}/${options.tenantId}`,
        knownAuthorities: [new URL(host).host],
        ...credential,
      },
      system: {
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (level, message) => {
            if (logger === undefined) return;
            if (level === LogLevel.Error) logger.error({ msal: message }, 'MSAL');
            else logger.warn({ msal: message }, 'MSAL');
          },
        },
      },
    };
    this.app = new ConfidentialClientApplication(config);
    this.scope = options.scope ?? PARTNER_CENTER_SCOPE;
  }

  async token(fresh = false): Promise<string> {
    let result;
    try {
      result = await this.app.acquireTokenByClientCredential({ scopes: [this.scope], skipCache: fresh });
    } catch (error) {
      throw this.describe(error);
    }
    if (result === null || result.accessToken === '') {
      throw new PartnerCenterAuthError(`${this.who()}: Entra ID returned no access token`);
    }
    return result.accessToken;
  }

  private who(): string {
    return `Partner Center sign-in failed for app ${this.options.clientId} in tenant ${this.options.tenantId}`;
  }

  /** A permanent refusal becomes a PartnerCenterAuthError; anything else (network, 5xx) may pass. */
  private describe(error: unknown): Error {
    if (error instanceof AuthError) {
      const status = error instanceof ServerError ? error.status : undefined;
      const aadsts =
        /AADSTS(\d+)/.exec(error.errorMessage)?.[1] ??
        (error instanceof ServerError ? error.errorNo : undefined);
      const permanent =
        PERMANENT_AAD_ERRORS.has(error.errorCode) || (status !== undefined && status >= 400 && status < 500);
      if (permanent) {
        const hint = aadsts === undefined ? undefined : AADSTS_HINTS[aadsts];
        const detail = error.errorMessage.split(/\r?\n/)[0] ?? '';
        return new PartnerCenterAuthError(
          `${this.who()}: ${hint ?? error.errorCode} (${error.errorCode}${aadsts === undefined ? '' : `, AADSTS${aadsts}`}: ${detail})`,
          { error: error.errorCode, ...(aadsts === undefined ? {} : { code: aadsts }) },
          { cause: error },
        );
      }
      return new PartnerCenterUnavailableError(
        `${this.who()} for now: ${error.errorCode} ${error.errorMessage}`,
        {
          cause: error,
        },
      );
    }
    return new PartnerCenterUnavailableError(`${this.who()} for now: ${String(error)}`, { cause: error });
  }
}
