/**
 * The one place that reads the environment: validated once at start-up, with an optional `.env` file.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
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

const count = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3978),
    /** Unset: all interfaces with an app id, the loopback interface only without one (see `listenHost`). */
    HOST: z.string().min(1).optional(),
    DIRECTORY_FILE: z.string().min(1).optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    /** Customers kept parsed in memory; a directory this size or smaller is held whole. */
    DIRECTORY_CACHE_SIZE: count(100, 10_000_000, 20_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    MicrosoftAppId: z.string().trim().default(''),
    MicrosoftAppPassword: z.string().default(''),
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
    MicrosoftAppTenantId: z.string().default(''),
    UPGRADE_APPROVERS: list,
    ALLOWED_TENANTS: list,
    /** Largest accepted request body, in KiB (a larger one gets 413). */
    MAX_BODY_KB: count(1, 4096, 256),
    /** Per-user limit on messages and card actions: this many in RATE_LIMIT_WINDOW_SECONDS; 0 turns it off. */
    RATE_LIMIT_MESSAGES: count(0, 100_000, 20),
    RATE_LIMIT_WINDOW_SECONDS: count(1, 3600, 10),
    /** When set, `GET /metrics` requires `Authorization: Bearer <METRICS_TOKEN>`. */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** How long a graceful shutdown waits for the turns in flight before closing anyway. */
    SHUTDOWN_TIMEOUT_SECONDS: count(1, 600, 10),
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
    if (env.NODE_ENV !== 'production') return;
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

/** botbuilder's ConfigurationBotFrameworkAuthentication settings from the validated config. */
export function botAuthSettings(config: Config): Record<string, string> {
  return {
    MicrosoftAppId: config.MicrosoftAppId,
    MicrosoftAppPassword: config.MicrosoftAppPassword,
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId,
  };
}
