/**
 * The simulator's Microsoft Entra ID: what MSAL needs to get an app-only token without the internet (OpenID
 * configuration, instance discovery) and the client-credentials token endpoint, v2 (`scope`) and v1
 * (`resource`). Tokens are opaque random strings remembered with their expiry; the control endpoints can
 * expire every token issued so far, or make the app's secret expired or revoked.
 */
import { X509Certificate, constants, createHash, randomBytes, timingSafeEqual, verify } from 'node:crypto';
import type { Reply } from './state.js';

export const PARTNER_CENTER_RESOURCE = 'https://api.partnercenter.microsoft.com';
export const PARTNER_CENTER_SCOPE = `${PARTNER_CENTER_RESOURCE}/.default`;

export type SecretState = 'valid' | 'expired' | 'revoked';

export interface AppRegistration {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** PEM of a certificate registered on the app: a client assertion (JWT) signed with its key signs in too. */
  readonly clientCertificate?: string;
  readonly tokenLifetimeSeconds: number;
}

export class SimAuth {
  private readonly tokens = new Map<string, number>();
  secretState: SecretState = 'valid';
  tokensIssued = 0;

  constructor(
    private readonly app: AppRegistration,
    private readonly now: () => number = Date.now,
  ) {}

  get tenantId(): string {
    return this.app.tenantId;
  }

  openIdConfiguration(base: string, tenant: string): Reply {
    if (!this.knownTenant(tenant)) return tenantNotFound(tenant);
    const t = this.app.tenantId;
    return {
      status: 200,
      body: {
        token_endpoint: `${base}/${t}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        jwks_uri: `${base}/${t}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/${t}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${base}/oidc/userinfo`,
        authorization_endpoint: `${base}/${t}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/${t}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/${t}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid'],
        tenant_region_scope: 'NA',
        cloud_instance_name: 'partner-center-simulator',
        cloud_graph_host_name: 'graph.invalid',
        msgraph_host: 'graph.invalid',
      },
    };
  }

  instanceDiscovery(base: string, host: string): Reply {
    return {
      status: 200,
      body: {
        tenant_discovery_endpoint: `${base}/${this.app.tenantId}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      },
    };
  }

  /** The token endpoint; `version` 1 takes `resource`, 2 takes `scope`. */
  token(base: string, tenant: string, form: URLSearchParams, version: 1 | 2): Reply {
    if (!this.knownTenant(tenant)) return tenantNotFound(tenant);
    if (form.get('grant_type') !== 'client_credentials') {
      return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    if (form.get('client_id') !== this.app.clientId) {
      return aadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory '${tenant}'.`,
      );
    }
    const audience = version === 2 ? form.get('scope') : form.get('resource');
    const expected = version === 2 ? PARTNER_CENTER_SCOPE : PARTNER_CENTER_RESOURCE;
    if (audience !== expected) {
      return aadError(
        400,
        'invalid_scope',
        70011,
        `The provided value '${audience ?? ''}' is not valid here.`,
      );
    }
    const assertion = form.get('client_assertion');
    if (assertion !== null) {
      const audience = `${base}/${this.app.tenantId}/oauth2/${version === 2 ? 'v2.0/' : ''}token`;
      const problem = this.assertionProblem(assertion, form.get('client_assertion_type'), audience);
      if (problem !== undefined) return aadError(401, 'invalid_client', problem.code, problem.text);
      return this.issue(version);
    }
    const secret = form.get('client_secret') ?? '';
    if (!sameText(secret, this.app.clientSecret)) {
      return aadError(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    }
    if (this.secretState === 'expired') {
      return aadError(
        401,
        'invalid_client',
        7000222,
        `The provided client secret keys for app '${this.app.clientId}' are expired.`,
      );
    }
    if (this.secretState === 'revoked') {
      return aadError(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    }
    return this.issue(version);
  }

  private issue(version: 1 | 2): Reply {
    const accessToken = randomBytes(32).toString('base64url');
    const lifetime = this.app.tokenLifetimeSeconds;
    this.tokens.set(accessToken, this.now() + lifetime * 1000);
    this.tokensIssued++;
    const expiresIn = version === 2 ? lifetime : String(lifetime);
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: expiresIn,
        ext_expires_in: expiresIn,
        ...(version === 1
          ? {
              expires_on: String(Math.floor(this.now() / 1000) + lifetime),
              resource: PARTNER_CENTER_RESOURCE,
            }
          : {}),
        access_token: accessToken,
      },
    };
  }

  /**
   * Why a client assertion is refused (RFC 7523: a JWT signed with the registered certificate's key, naming
   * it by thumbprint, issued by and about the app, for this token endpoint, not expired), or undefined.
   */
  private assertionProblem(
    assertion: string,
    type: string | null,
    audience: string,
  ): { code: number; text: string } | undefined {
    if (type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      return { code: 700025, text: `Unsupported client_assertion_type '${type ?? ''}'.` };
    }
    if (this.app.clientCertificate === undefined) {
      return { code: 700027, text: 'No certificate is registered on the application.' };
    }
    const [h, p, signature] = assertion.split('.');
    if (h === undefined || p === undefined || signature === undefined) {
      return { code: 50027, text: 'The client assertion is not a JWT.' };
    }
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return { code: 50027, text: 'The client assertion is not a JWT.' };
    }
    const cert = new X509Certificate(this.app.clientCertificate);
    const sha256 = createHash('sha256').update(cert.raw).digest('base64url');
    const sha1 = createHash('sha1').update(cert.raw).digest('base64url');
    if (header['x5t#S256'] !== sha256 && header['x5t'] !== sha1) {
      return {
        code: 700027,
        text: 'The certificate named by the client assertion is not registered on the app.',
      };
    }
    const pss = header['alg'] === 'PS256';
    if (!pss && header['alg'] !== 'RS256') return { code: 700027, text: 'Unsupported signing algorithm.' };
    const valid = verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      pss
        ? { key: cert.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : { key: cert.publicKey },
      Buffer.from(signature, 'base64url'),
    );
    if (!valid) return { code: 700027, text: 'Client assertion failed signature validation.' };
    const nowSeconds = this.now() / 1000;
    if (claims['iss'] !== this.app.clientId || claims['sub'] !== this.app.clientId) {
      return { code: 700021, text: 'The client assertion is not issued by this application.' };
    }
    if (claims['aud'] !== audience) {
      return { code: 700212, text: `The client assertion's audience is not ${audience}.` };
    }
    if (typeof claims['exp'] !== 'number' || claims['exp'] <= nowSeconds) {
      return { code: 700024, text: 'The client assertion is not within its valid time range.' };
    }
    return undefined;
  }

  /** Why a request's Authorization header is not accepted, or undefined when it is. */
  rejection(authorization: string | undefined): string | undefined {
    const match = /^Bearer (\S+)$/i.exec(authorization ?? '');
    if (match?.[1] === undefined) return 'missing bearer token';
    const expiresAt = this.tokens.get(match[1]);
    if (expiresAt === undefined) return 'unknown token';
    if (expiresAt <= this.now()) return 'token expired';
    return undefined;
  }

  /** Makes every token issued so far expire now (what a token past its lifetime or revoked looks like). */
  expireTokens(): number {
    const count = this.tokens.size;
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
    return count;
  }

  private knownTenant(tenant: string): boolean {
    return tenant.toLowerCase() === this.app.tenantId.toLowerCase();
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function tenantNotFound(tenant: string): Reply {
  return aadError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
}

/** An Entra ID error as the token endpoint sends it. */
function aadError(status: number, error: string, code: number, text: string): Reply {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${text}`,
      error_codes: [code],
      timestamp: new Date().toISOString(),
      trace_id: randomBytes(16).toString('hex'),
      correlation_id: randomBytes(16).toString('hex'),
    },
  };
}
