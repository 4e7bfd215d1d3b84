/**
 * Structured logs (pino). Secrets never go into them at any level, and message text never at info or above:
 * authorization headers and passwords are redacted wherever they sit, and errors are reduced to their name,
 * message, code, status and stack (an HTTP client error carries its request, with the bot's own token, in
 * other fields).
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'MicrosoftAppPassword',
  'METRICS_TOKEN',
  'password',
  'clientSecret',
  'PARTNER_CENTER_CLIENT_SECRET',
  'privateKey',
  'client_secret',
  'client_assertion',
];

/** Redaction paths: each secret key at the top level and up to three levels down. */
const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => [
  key,
  `*.${key}`,
  `*.*.${key}`,
  `*.*.*.${key}`,
]);

interface SerializedError {
  type: string;
  message: string;
  code?: string;
  statusCode?: number;
  stack?: string;
  cause?: SerializedError;
}

/** An error as logged: no request, response, headers or other attached objects. */
function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const e = error as Error & { code?: unknown; statusCode?: unknown; status?: unknown };
  const statusCode =
    typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : undefined;
  return {
    type: e.name,
    message: e.message,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(statusCode === undefined ? {} : { statusCode }),
    ...(e.stack === undefined ? {} : { stack: e.stack }),
    ...(e.cause !== undefined && depth < 3 ? { cause: serializeError(e.cause, depth + 1) } : {}),
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'upgrade-assistant' },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      serializers: { err: serializeError, error: serializeError },
    },
    ...(destination === undefined ? [] : [destination]),
  );
}
