/**
 * Adapter middleware that decides whether a turn reaches the bot at all: invoke names the bot does not
 * implement are ignored, each user's messages and card actions are rate-limited, and on Teams only the
 * allowed tenants are served. A turn stopped here changes nothing: the bot does not run, no state is saved.
 * Each guard records why it stopped the turn (`turnOutcome`), for the turn log and the metrics.
 */
import { ActivityTypes, type Activity, type Middleware, type TurnContext } from 'botbuilder';
import type { Logger } from '../logger.js';
import type { TurnOutcome } from '../observability/metrics.js';
import type { Wording } from './i18n.js';
import { ERROR_RESPONSE, isAutomaticRefresh, isTeams, MESSAGE_RESPONSE, teamsTenant } from './channel.js';
import type { RateLimiter } from './rate-limiter.js';

/** The i18n keys of the guards' answers (locales/*.json). */
export const GUARD_KEYS = {
  tenantRefused: 'guard.tenantRefused',
  rateLimited: 'guard.rateLimited',
} as const;

/** The invoke names the bot implements; any other invoke is answered 200 with no body and ignored. */
const SUPPORTED_INVOKES: ReadonlySet<string> = new Set(['adaptiveCard/action']);

const OUTCOME = Symbol('turnOutcome');

function setTurnOutcome(context: TurnContext, outcome: TurnOutcome): void {
  context.turnState.set(OUTCOME, outcome);
}

/** Why a guard stopped the turn, if one did. */
export function turnOutcome(context: TurnContext): TurnOutcome | undefined {
  return context.turnState.get(OUTCOME) as TurnOutcome | undefined;
}

async function respondToInvoke(context: TurnContext, body?: unknown): Promise<void> {
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: body === undefined ? { status: 200 } : { status: 200, body },
  });
}

/**
 * Tells the user why nothing happened: a message for a message (or an installation), the Universal Actions
 * message response for a card action; other activities get no answer.
 */
async function answer(context: TurnContext, text: string): Promise<void> {
  const { type, name } = context.activity;
  if (type === ActivityTypes.Invoke) {
    await respondToInvoke(
      context,
      name === 'adaptiveCard/action' ? { statusCode: 200, type: MESSAGE_RESPONSE, value: text } : undefined,
    );
  } else if (
    type === ActivityTypes.Message ||
    (type === ActivityTypes.InstallationUpdate && context.activity.action === 'add')
  ) {
    await context.sendActivity(text);
  }
}

/** A Universal Action invoke carries `value.action`, an object with a string `type`. */
function wellFormedAction(value: unknown): boolean {
  const action = (value as { action?: unknown } | null | undefined)?.action;
  return (
    action !== null && typeof action === 'object' && typeof (action as { type?: unknown }).type === 'string'
  );
}

/**
 * Invokes the bot does not implement are answered 200 with no body and go no further; a Universal Action
 * without a well-formed `value.action` gets the Universal Actions 400 (botbuilder would fail on it).
 */
export function checkInvokes(logger: Logger): Middleware {
  return {
    async onTurn(context, next) {
      const { type, name, value } = context.activity;
      if (type !== ActivityTypes.Invoke) return next();
      if (!SUPPORTED_INVOKES.has(name ?? '')) {
        logger.debug(
          { activityId: context.activity.id, invoke: String(name).slice(0, 100) },
          'invoke ignored',
        );
        setTurnOutcome(context, 'ignored');
        await respondToInvoke(context);
        return;
      }
      if (value !== undefined && !wellFormedAction(value)) {
        setTurnOutcome(context, 'ignored');
        await context.sendActivity({
          type: ActivityTypes.InvokeResponse,
          value: {
            status: 400,
            body: {
              statusCode: 400,
              type: ERROR_RESPONSE,
              value: { code: 'BadRequest', message: 'Missing or malformed value.action' },
            },
          },
        });
        return;
      }
      await next();
    },
  };
}

/** The user an activity is from: the AAD object id on Teams, else the channel's user id. */
function userKey(activity: Partial<Activity>): string {
  const from = activity.from;
  return `${activity.channelId ?? ''}\u0000${from?.aadObjectId ?? from?.id ?? ''}`;
}

/** Messages (typed or Action.Submit) and card actions pressed by the user or refreshed by Teams. */
function counted(activity: Activity): boolean {
  if (activity.type === ActivityTypes.Message) return true;
  return activity.type === ActivityTypes.Invoke && activity.name === 'adaptiveCard/action';
}

/**
 * Per-user rate limits: `limiter` for messages and pressed card actions (one notice per window), `refreshes`
 * for Teams' automatic card refreshes (sent whenever a confirm card is shown: a looser limit, and past it they
 * are answered with nothing, silently).
 */
export function rateLimit(
  limiter: RateLimiter,
  refreshes: RateLimiter,
  wording: Wording,
  logger: Logger,
): Middleware {
  return {
    async onTurn(context, next) {
      if (!counted(context.activity)) return next();
      if (isAutomaticRefresh(context.activity)) {
        if (refreshes.take(userKey(context.activity)).allowed) return next();
        setTurnOutcome(context, 'rate_limited');
        await respondToInvoke(context, { statusCode: 200, type: MESSAGE_RESPONSE, value: '' });
        return;
      }
      const decision = limiter.take(userKey(context.activity));
      if (decision.allowed) return next();
      setTurnOutcome(context, 'rate_limited');
      logger.warn(
        { activityId: context.activity.id, channelId: context.activity.channelId, notified: decision.notify },
        'rate limited',
      );
      const text = wording.forActivity(context.activity).t(GUARD_KEYS.rateLimited);
      // A card action always gets an answer (the client waits for one); a message only the first time.
      if (context.activity.type === ActivityTypes.Invoke || decision.notify) await answer(context, text);
    },
  };
}

/**
 * With allowed tenants listed, only Teams activities from those tenants reach the bot: every other channel
 * (Web Chat, Direct Line, the Emulator…) carries no verified tenant and is refused. No restriction when none
 * is listed.
 */
export function tenantGate(allowedTenants: readonly string[], wording: Wording, logger: Logger): Middleware {
  const allowed = new Set(allowedTenants.map((t) => t.toLowerCase()));
  return {
    async onTurn(context, next) {
      if (allowed.size === 0) return next();
      const tenant = isTeams(context.activity) ? teamsTenant(context.activity) : 'other channel';
      if (isTeams(context.activity) && tenant !== undefined && allowed.has(tenant.toLowerCase()))
        return next();
      setTurnOutcome(context, 'tenant_refused');
      logger.warn(
        { activityId: context.activity.id, tenant: tenant ?? 'none', type: context.activity.type },
        'tenant not allowed',
      );
      await answer(context, wording.forActivity(context.activity).t(GUARD_KEYS.tenantRefused));
    },
  };
}
