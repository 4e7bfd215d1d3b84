/**
 * The one place that reads the environment: validated once at start-up, with an optional `.env` file.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { isLoopbackHost } from './http/loopback.js';
import { readCertificateCredential, type CertificateCredential } from './partner-center/certificate.js';
import { ianaTimeZone } from './time-zone.js';

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );

const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

const count = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** An optional setting: unset or empty is absent. */
const optional = (schema: z.ZodString) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A tenant is named by its id or one of its domains (contoso.onmicrosoft.com). */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** A setting read as unset when empty. */
const setting = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema);

/** An https URL (MSAL accepts only https authorities), without its trailing slashes. */
const httpsUrl = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((v) => URL.canParse(v) && new URL(v).protocol === 'https:', 'must be an https:// URL')
    .transform((v) => v.replace(/\/+$/, ''));

/** The Partner Center settings, named so that CUSTOMER_SOURCE=file can refuse any of them given. */
const PARTNER_CENTER_SETTINGS = [
  'PARTNER_CENTER_TENANT_ID',
  'PARTNER_CENTER_CLIENT_ID',
  'PARTNER_CENTER_CLIENT_SECRET',
  'PARTNER_CENTER_CERTIFICATE_PATH',
  'PARTNER_CENTER_BASE_URL',
  'PARTNER_CENTER_AUTHORITY_URL',
  'PARTNER_CENTER_SYNC_MINUTES',
  'PARTNER_CENTER_REQUESTS_PER_MINUTE',
  'PARTNER_CENTER_RESERVED_FOR_LIVE',
  'PARTNER_CENTER_MAX_CONCURRENT',
  'PARTNER_CENTER_PAGE_SIZE',
] as const;

const EnvBase = z.object({
  /** Where the customers come from: the directory file (the demo by default) or Partner Center. */
  CUSTOMER_SOURCE: z.enum(['file', 'partner-center']).default('file'),
  /** The partner's tenant: its id (GUID) or one of its domains. */
  PARTNER_CENTER_TENANT_ID: optional(
    z
      .string()
      .trim()
      .refine((v) => GUID.test(v) || DOMAIN.test(v), 'must be a tenant id (GUID) or a domain name'),
  ),
  /** The application (client) id of the app registered in Entra ID and Partner Center. */
  PARTNER_CENTER_CLIENT_ID: optional(
    z
      .string()
      .trim()
      .refine((v) => GUID.test(v), 'must be the application (client) id, a GUID'),
  ),
  /** Never echoed. */
  PARTNER_CENTER_CLIENT_SECRET: optional(z.string()),
  /** A PEM file with the app's certificate and its private key (instead of a client secret). */
  PARTNER_CENTER_CERTIFICATE_PATH: optional(z.string().trim()),
  PARTNER_CENTER_BASE_URL: httpsUrl('https://api.partnercenter.microsoft.com'),
  /** The token endpoint is {authority}/{tenant}/oauth2/v2.0/token. */
  PARTNER_CENTER_AUTHORITY_URL: httpsUrl('https://login.microsoftonline.com'),
  /** How often the full sync runs. */
  PARTNER_CENTER_SYNC_MINUTES: setting(count(1, 10_080, 60)),
  /** Partner Center's budget for the tenant (500 a minute is its published limit). */
  PARTNER_CENTER_REQUESTS_PER_MINUTE: setting(count(2, 100_000, 500)),
  /** Of those, kept for the live re-checks and the upgrades (the sync never takes them). */
  PARTNER_CENTER_RESERVED_FOR_LIVE: setting(count(0, 100_000, 100)),
  /** Requests in flight at once. */
  PARTNER_CENTER_MAX_CONCURRENT: setting(count(1, 100, 8)),
  /** Customers a page of the listing. */
  PARTNER_CENTER_PAGE_SIZE: setting(count(1, 1000, 200)),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  /** Unset: all interfaces with an app id, the loopback interface only without one (see `listenHost`). */
  HOST: z.string().min(1).optional(),
  /**
   * Without an app id, HOST must be a loopback address, the Host header must name this machine and replies
   * go to a loopback serviceUrl only; `true` lifts all three (a bot anyone who reaches it can drive).
   */
  ALLOW_UNAUTHENTICATED_REMOTE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  DIRECTORY_FILE: z.string().min(1).optional(),
  /** Created 0700 when missing; the repository's ./data holds the demo directory file, not the database. */
  DATA_DIR: z.string().min(1).default('./var'),
  /**
   * postgres://user:password@host:port/database: PostgreSQL holds the directory, the upgrade ledger and the
   * conversation state (several replicas share it). Unset: SQLite in DATA_DIR (one machine).
   */
  DATABASE_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL')
      // Never echoed: it may hold the password.
      .refine(
        (v) => URL.canParse(v),
        'is not a valid URL (percent-encode the reserved characters of the user and password: # → %23, @ → %40…)',
      )
      .optional(),
  ),
  /** PostgreSQL connections each replica keeps at most. */
  DATABASE_POOL_SIZE: count(1, 1000, 10),
  /** How long to wait for a PostgreSQL connection before the turn is answered "try again". */
  DATABASE_CONNECT_TIMEOUT_SECONDS: count(1, 300, 5),
  /** How long an idle PostgreSQL connection is kept open. */
  DATABASE_IDLE_TIMEOUT_SECONDS: count(1, 3600, 30),
  /** The server-side limit of one statement. */
  DATABASE_STATEMENT_TIMEOUT_SECONDS: count(1, 3600, 30),
  /** Customers kept parsed in memory; a directory this size or smaller is held whole. */
  DIRECTORY_CACHE_SIZE: count(100, 10_000_000, 20_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MicrosoftAppId: z.string().trim().default(''),
  MicrosoftAppPassword: z.string().default(''),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MicrosoftAppTenantId: z.string().default(''),
  /** Who may confirm: `id` or `msteams:id` (Teams AAD object id or Teams user id), `channel:userId`. */
  UPGRADE_APPROVERS: list,
  /** The requester of an upgrade may not confirm it; needs approvers. */
  UPGRADE_FOUR_EYES: flag,
  /**
   * Accept confirms from channels whose user ids the client chooses (Web Chat, Direct Line, Emulator) in
   * production. Outside production they are always accepted (local work).
   */
  UPGRADE_TRUST_CLIENT_USER_IDS: flag,
  /** How long a Teams card action may take before its invoke is answered anyway ("in progress"). */
  TEAMS_INVOKE_BUDGET_MS: count(100, 60_000, 4000),
  /** Days after which conversation state, audit events and requests that changed nothing are deleted. */
  RETENTION_DAYS: count(1, 36_500, 90),
  ALLOWED_TENANTS: list,
  /** Largest accepted request body, in KiB (a larger one gets 413). */
  MAX_BODY_KB: count(1, 4096, 256),
  /** How long a request body may take to arrive, in all; a client that stalls or trickles gets 408. */
  BODY_TIMEOUT_SECONDS: count(1, 300, 10),
  /** Per-user limit on messages and card actions: this many in RATE_LIMIT_WINDOW_SECONDS; 0 turns it off. */
  RATE_LIMIT_MESSAGES: count(0, 100_000, 20),
  RATE_LIMIT_WINDOW_SECONDS: count(1, 3600, 10),
  /** When set, `GET /metrics` requires `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** When set, `/metrics` is served on its own listener (METRICS_HOST:METRICS_PORT) and not on PORT. */
  METRICS_PORT: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce.number().int().min(0).max(65535).optional(),
  ),
  /** The interface of the METRICS_PORT listener. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** The time the retries of requests to the channel may take in one turn, in all. */
  OUTBOUND_RETRY_BUDGET_SECONDS: count(1, 600, 10),
  /** How long a graceful shutdown waits for the turns in flight before closing anyway. */
  SHUTDOWN_TIMEOUT_SECONDS: count(1, 600, 10),
  /** How long a confirm card can be confirmed after it was issued. */
  UPGRADE_REQUEST_LIFETIME_SECONDS: count(1, 30 * 86_400, 86_400),
  /** How long a confirmed upgrade is held by the replica carrying it out before another may resume it. */
  UPGRADE_LEASE_SECONDS: count(1, 3600, 120),
  /** How often unfinished upgrades (lease run out) are looked for and resumed. */
  UPGRADE_RETRY_DELAY_SECONDS: count(1, 3600, 30),
  /** Attempts after which an upgrade whose outcome stays unknown is recorded as unknown (a person checks). */
  UPGRADE_MAX_ATTEMPTS: count(1, 100, 5),
  /** How often the caches look for customers changed by another process or replica. */
  CACHE_REFRESH_SECONDS: count(1, 3600, 2),
  /** Dates are written in the user's time zone (Teams sends it); this one when the client sends none. */
  DEFAULT_TIME_ZONE: z
    .string()
    .default('UTC')
    .transform((name, ctx) => {
      const zone = ianaTimeZone(name);
      if (zone !== undefined) return zone;
      ctx.addIssue({
        code: 'custom',
        message: `"${name}" is not an IANA time zone name (such as Europe/Paris, Asia/Tokyo or UTC)`,
      });
      return z.NEVER;
    }),
});

type Env = z.output<typeof EnvBase>;

const EnvSchema = EnvBase.superRefine((env, ctx) => {
  if (env.MicrosoftAppId !== '' || env.ALLOW_UNAUTHENTICATED_REMOTE) return;
  if (env.HOST !== undefined && !isLoopbackHost(env.HOST)) {
    ctx.addIssue({
      code: 'custom',
      path: ['HOST'],
      message:
        `"${env.HOST}" is not a loopback address. Without MicrosoftAppId the bot accepts unauthenticated ` +
        'requests, so it listens on this machine only: use 127.0.0.1, ::1 or localhost, ' +
        'set MicrosoftAppId, or set ALLOW_UNAUTHENTICATED_REMOTE=true to accept that anyone ' +
        'who reaches the port can drive the bot',
    });
  }
})
  .superRefine((env, ctx) => {
    if (env.METRICS_PORT !== undefined && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_PORT'],
        message: 'must differ from PORT: metrics get a listener of their own',
      });
    }
    if (env.NODE_ENV === 'production' && env.METRICS_TOKEN === undefined && env.METRICS_PORT === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_TOKEN'],
        message:
          'METRICS_TOKEN or METRICS_PORT is required when NODE_ENV=production: otherwise /metrics is open to ' +
          'anyone who reaches the bot. Set METRICS_TOKEN (16 characters or more) for a bearer token, or ' +
          'METRICS_PORT to serve the metrics on a listener of their own ' +
          '(127.0.0.1 unless METRICS_HOST says otherwise)',
      });
    }
  })
  .superRefine((env, ctx) => {
    if (env.UPGRADE_FOUR_EYES && env.UPGRADE_APPROVERS.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['UPGRADE_FOUR_EYES'],
        message: 'needs UPGRADE_APPROVERS: with no approver, only the requester may confirm',
      });
    }
    for (const entry of env.UPGRADE_APPROVERS) {
      if (/^[^:]*:\s*$/.test(entry) || entry.startsWith(':')) {
        ctx.addIssue({ code: 'custom', path: ['UPGRADE_APPROVERS'], message: `"${entry}" names no user` });
      }
    }
    if (env.NODE_ENV !== 'production') return;
    if (env.ALLOWED_TENANTS.length === 0 && env.MicrosoftAppType !== 'SingleTenant') {
      ctx.addIssue({
        code: 'custom',
        path: ['ALLOWED_TENANTS'],
        message:
          'required when NODE_ENV=production (unless MicrosoftAppType=SingleTenant): without it, a user of any ' +
          'Microsoft Entra tenant who adds the app could prepare and confirm upgrades. List your tenant id',
      });
    }
    if (env.MicrosoftAppId === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['MicrosoftAppId'],
        message:
          'required when NODE_ENV=production: without it the bot would accept unauthenticated requests. ' +
          'Set MicrosoftAppId (and MicrosoftAppPassword) from the Azure Bot registration',
      });
    } else if (env.MicrosoftAppType !== 'UserAssignedMSI' && env.MicrosoftAppPassword === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['MicrosoftAppPassword'],
        message: `required when NODE_ENV=production and MicrosoftAppType=${env.MicrosoftAppType}`,
      });
    }
    if (env.MicrosoftAppType === 'SingleTenant' && env.MicrosoftAppTenantId === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['MicrosoftAppTenantId'],
        message: 'required when MicrosoftAppType=SingleTenant',
      });
    }
  })
  .superRefine((env, ctx) => {
    if (env.CUSTOMER_SOURCE === 'partner-center') partnerCenterRequirements(env, ctx);
  })
  .transform((env, ctx) => ({ ...env, partnerCenter: partnerCenterOf(env, ctx) }));

/** What the Partner Center client is built from (CUSTOMER_SOURCE=partner-center). */
export interface PartnerCenterSettings {
  readonly tenantId: string;
  readonly clientId: string;
  readonly credential: { readonly clientSecret: string } | { readonly certificate: CertificateCredential };
  readonly apiBaseUrl: string;
  readonly authorityHost: string;
  readonly syncMinutes: number;
  readonly requestsPerMinute: number;
  readonly reservedForLive: number;
  readonly maxConcurrent: number;
  readonly pageSize: number;
}

function partnerCenterRequirements(env: Env, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (env.PARTNER_CENTER_TENANT_ID === undefined) {
    issue(
      'PARTNER_CENTER_TENANT_ID',
      "required when CUSTOMER_SOURCE=partner-center: the partner's tenant id or domain",
    );
  }
  if (env.PARTNER_CENTER_CLIENT_ID === undefined) {
    issue(
      'PARTNER_CENTER_CLIENT_ID',
      'required when CUSTOMER_SOURCE=partner-center: the application (client) id of the app registered for Partner Center',
    );
  }
  const secret = env.PARTNER_CENTER_CLIENT_SECRET !== undefined;
  const certificate = env.PARTNER_CENTER_CERTIFICATE_PATH !== undefined;
  if (secret === certificate) {
    issue(
      'PARTNER_CENTER_CLIENT_SECRET',
      secret
        ? 'give PARTNER_CENTER_CLIENT_SECRET or PARTNER_CENTER_CERTIFICATE_PATH, not both'
        : 'required when CUSTOMER_SOURCE=partner-center, or PARTNER_CENTER_CERTIFICATE_PATH (a PEM file with ' +
            'the certificate and its private key) instead',
    );
  }
  if (env.PARTNER_CENTER_RESERVED_FOR_LIVE > env.PARTNER_CENTER_REQUESTS_PER_MINUTE - 2) {
    issue(
      'PARTNER_CENTER_RESERVED_FOR_LIVE',
      `must leave at least 2 of PARTNER_CENTER_REQUESTS_PER_MINUTE (${env.PARTNER_CENTER_REQUESTS_PER_MINUTE}) to the sync`,
    );
  }
}

/** The settings once valid; the certificate file is read and checked here, once. */
function partnerCenterOf(env: Env, ctx: z.RefinementCtx): PartnerCenterSettings | undefined {
  if (env.CUSTOMER_SOURCE !== 'partner-center') return undefined;
  let credential: PartnerCenterSettings['credential'];
  if (env.PARTNER_CENTER_CERTIFICATE_PATH === undefined) {
    credential = { clientSecret: env.PARTNER_CENTER_CLIENT_SECRET! };
  } else {
    try {
      credential = { certificate: readCertificateCredential(env.PARTNER_CENTER_CERTIFICATE_PATH) };
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        path: ['PARTNER_CENTER_CERTIFICATE_PATH'],
        message: (error as Error).message,
      });
      return z.NEVER;
    }
  }
  return {
    tenantId: env.PARTNER_CENTER_TENANT_ID!,
    clientId: env.PARTNER_CENTER_CLIENT_ID!,
    credential,
    apiBaseUrl: env.PARTNER_CENTER_BASE_URL,
    authorityHost: env.PARTNER_CENTER_AUTHORITY_URL,
    syncMinutes: env.PARTNER_CENTER_SYNC_MINUTES,
    requestsPerMinute: env.PARTNER_CENTER_REQUESTS_PER_MINUTE,
    reservedForLive: env.PARTNER_CENTER_RESERVED_FOR_LIVE,
    maxConcurrent: env.PARTNER_CENTER_MAX_CONCURRENT,
    pageSize: env.PARTNER_CENTER_PAGE_SIZE,
  };
}

/**
 * Partner Center settings given with CUSTOMER_SOURCE=file: refused rather than ignored, or the operator would
 * believe the bot reads Partner Center while it answers from the directory file.
 */
function unusedPartnerCenterSettings(env: Record<string, string | undefined>): string[] {
  if ((env.CUSTOMER_SOURCE ?? 'file') !== 'file') return [];
  return PARTNER_CENTER_SETTINGS.filter((name) => (env[name] ?? '').trim() !== '').map(
    (name) =>
      `  ${name}: is a Partner Center setting, but CUSTOMER_SOURCE is file: set CUSTOMER_SOURCE=partner-center, or remove it`,
  );
}

export type Config = Readonly<z.infer<typeof EnvSchema>>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates an environment; every problem is named in the error. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = EnvSchema.safeParse(env);
  const unused = unusedPartnerCenterSettings(env);
  if (!result.success || unused.length > 0) {
    const lines = [
      ...(result.error?.issues ?? []).map((i) => `  ${i.path.join('.')}: ${i.message}`),
      ...unused,
    ];
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data!;
}

/** Reads `.env` (when present, without overriding the real environment) and the environment, once. */
export function loadConfig(envFile = '.env'): Config {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return parseConfig(process.env);
}

/** True when requests must carry a valid Bot Framework token. */
export function authenticationRequired(config: Config): boolean {
  return config.MicrosoftAppId !== '';
}

/**
 * The interface to listen on: HOST when set; otherwise every interface when requests are authenticated, and
 * only the loopback interface when they are not (an unauthenticated bot is for local clients only).
 */
export function listenHost(config: Config): string {
  return config.HOST ?? (authenticationRequired(config) ? '0.0.0.0' : '127.0.0.1');
}

/** Whether confirms are taken from channels whose user ids the client chooses (not Teams). */
export function trustClientUserIds(config: Config): boolean {
  return config.NODE_ENV !== 'production' || config.UPGRADE_TRUST_CLIENT_USER_IDS;
}

/**
 * True when the bot is for this machine only: no app id and no ALLOW_UNAUTHENTICATED_REMOTE. It then listens
 * on a loopback interface, serves requests whose Host header names this machine, and replies to a loopback
 * serviceUrl only.
 */
export function localOnly(config: Config): boolean {
  return !authenticationRequired(config) && !config.ALLOW_UNAUTHENTICATED_REMOTE;
}

/** When the bot is for this machine only, refuses a `host` that is not loopback (ConfigError naming HOST). */
export function checkListenHost(config: Config, host: string): void {
  if (localOnly(config) && !isLoopbackHost(host)) {
    throw new ConfigError(
      `Invalid configuration:\n  HOST: "${host}" is not a loopback address; without MicrosoftAppId the bot ` +
        'listens on this machine only (127.0.0.1, ::1 or localhost) unless ALLOW_UNAUTHENTICATED_REMOTE=true',
    );
  }
}

/** botbuilder's ConfigurationBotFrameworkAuthentication settings from the validated config. */
export function botAuthSettings(config: Config): Record<string, string> {
  return {
    MicrosoftAppId: config.MicrosoftAppId,
    MicrosoftAppPassword: config.MicrosoftAppPassword,
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId,
  };
}
