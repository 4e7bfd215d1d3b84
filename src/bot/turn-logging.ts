/** Adapter middleware: one log line per turn, with the ids that tie it to the channel's records. */
import type { Middleware, TurnContext } from 'botbuilder';
import type { Logger } from '../logger.js';

export function turnIds(context: TurnContext): Record<string, string | undefined> {
  const a = context.activity;
  return {
    activityId: a.id,
    conversationId: a.conversation?.id,
    channelId: a.channelId,
    type: a.type,
    name: a.name,
  };
}

export function turnLogging(logger: Logger): Middleware {
  return {
    async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
      const started = performance.now();
      await next();
      logger.info({ ...turnIds(context), ms: Math.round((performance.now() - started) * 10) / 10 }, 'turn');
    },
  };
}
