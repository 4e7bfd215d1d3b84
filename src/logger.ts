/** Structured logs (pino). Secrets and message text never go into them. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'upgrade-assistant' },
    redact: {
      paths: ['*.authorization', '*.Authorization', '*.MicrosoftAppPassword', '*.password'],
      censor: '[redacted]',
    },
  });
}
