/**
 * Adapter middleware, outermost: one log line per turn with the ids that tie it to the channel's records, its
 * latency and outcome, and the turn counter. Never the message text at info level.
 */
import type { Middleware, TurnContext } from 'botbuilder';
import type { Logger } from '../logger.js';
import type { Metrics, TurnOutcome } from '../observability/metrics.js';
import { turnOutcome } from './guards.js';

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

export function turnLogging(logger: Logger, metrics?: Metrics): Middleware {
  return {
    async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
      const started = performance.now();
      let outcome: TurnOutcome = 'ok';
      try {
        await next();
        outcome = turnOutcome(context) ?? 'ok';
      } catch (error) {
        outcome = 'error';
        throw error;
      } finally {
        metrics?.turn(context.activity.channelId, context.activity.type, outcome);
        logger.info(
          { ...turnIds(context), outcome, ms: Math.round((performance.now() - started) * 10) / 10 },
          'turn',
        );
      }
    },
  };
}
