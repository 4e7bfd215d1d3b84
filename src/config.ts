/**
 * The one place that reads the environment: validated once at start-up, with an optional `.env` file.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { isLoopbackHost } from './http/loopback.js';
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

const EnvSchema = z
  .object({
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
  })
  .superRefine((env, ctx) => {
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
  });

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
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
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
