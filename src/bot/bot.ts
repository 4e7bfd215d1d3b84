/**
 * The bot's activity handling: messages (free text or Action.Submit), Teams Universal Actions
 * (`adaptiveCard/action` invokes), and the welcome. One handler per card verb serves both action paths.
 */
import {
  ActivityHandler,
  TurnContext,
  type Activity,
  type ConversationState,
  type StatePropertyAccessor,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
} from 'botbuilder';
import type { Logger } from 'pino';
import type { Caller } from '../core/approvals.js';
import type { Actor } from '../core/ledger.js';
import {
  CARD_RESPONSE,
  isAutomaticRefresh,
  isInvoke,
  isTeams,
  isTeamsGroup,
  MESSAGE_RESPONSE,
  REFRESH_VERB,
  TEAMS,
  teamsTenant,
  welcomesOnJoin,
} from './channel.js';
import {
  parseCardAction,
  type CardAction,
  submittedAction,
  type ActionOf,
  type ReadAction,
  type Verb,
} from './actions.js';
import { helpAnswer } from './answers/help.js';
import type { Reply } from './answers/reply.js';
import type { CardTemplates, Refresh } from './cards/templates.js';
import type { Conversation } from './conversation.js';
import type { Translator, Wording } from './i18n.js';
import type { DialogueContext, Understander } from './nlu/index.js';
import { replyActivity } from './send.js';
import type { UpgradeFlow } from './upgrade-flow.js';

interface BotDeps {
  readonly conversation: Conversation;
  /** Durable conversation state (the last customer talked about). */
  readonly conversationState: ConversationState;
  readonly flow: UpgradeFlow;
  readonly understander: Understander;
  readonly wording: Wording;
  readonly cards: CardTemplates;
  readonly logger: Logger;
  /**
   * How long a Teams card action may take before its invoke is answered anyway (a confirm still running is
   * answered "in progress", and its outcome replaces the card when it comes). Default 4 s.
   */
  readonly invokeBudgetMs?: number;
}

interface ActionContext {
  readonly tr: Translator;
  readonly caller: Caller;
}

/** What the bot uses of botbuilder's connector client after a turn. */
interface ChannelClient {
  readonly conversations: {
    updateActivity(conversationId: string, activityId: string, activity: Activity): Promise<unknown>;
    replyToActivity(conversationId: string, activityId: string, activity: Activity): Promise<unknown>;
    sendToConversation(conversationId: string, activity: Activity): Promise<unknown>;
  };
}

/** Approvers' Teams user ids learned from their activities, at most this many. */
const MAX_KNOWN_APPROVERS = 200;

/** What an action answers; `replaces`: the answer takes the place of the card that was pressed. */
interface ActionResult {
  readonly reply: Reply | undefined;
  readonly replaces: boolean;
  /** Only refresh the card (Teams automatic refresh): no message is sent. */
  readonly silent?: boolean;
  /** A confirm still running past the in-turn budget: its answer, which replaces the card when it comes. */
  readonly outcome?: Promise<Reply | undefined>;
}

type ActionHandlers = { [V in Verb]: (c: ActionContext, a: ActionOf<V>) => Promise<ActionResult> };

/** The user who pressed or typed, from the activity as the channel sent it. */
function actorOf(context: TurnContext): Actor {
  const from = context.activity.from;
  return {
    id: from?.id ?? 'unknown',
    ...(from?.name === undefined ? {} : { name: from.name }),
    // Only Teams sets the AAD object id; elsewhere the client could choose it.
    ...(from?.aadObjectId === undefined || !isTeams(context.activity)
      ? {}
      : { aadObjectId: from.aadObjectId }),
  };
}

/** The user and the place (channel, conversation, Teams tenant) of the activity. */
function callerOf(context: TurnContext): Caller {
  const { activity } = context;
  const tenantId = isTeams(activity) ? teamsTenant(activity) : undefined;
  return {
    user: actorOf(context),
    place: {
      channelId: activity.channelId ?? '',
      conversationId: activity.conversation?.id ?? '',
      ...(tenantId === undefined ? {} : { tenantId }),
    },
  };
}

export class UpgradeAssistantBot extends ActivityHandler {
  private readonly actions: ActionHandlers;
  private readonly lastCustomer: StatePropertyAccessor<string | undefined>;
  private readonly lastSubscription: StatePropertyAccessor<string | undefined>;
  /** Channel updates and posts that run after a Teams invoke was answered. */
  private readonly background = new Set<Promise<void>>();
  private readonly knownApprovers = new Set<string>();

  constructor(private readonly deps: BotDeps) {
    super();
    const { flow, conversation } = deps;
    this.lastCustomer = deps.conversationState.createProperty<string | undefined>('lastCustomerId');
    this.lastSubscription = deps.conversationState.createProperty<string | undefined>('lastSubscriptionId');
    this.actions = {
      startUpgrade: async (c, a) => {
        const reply = await flow.choose(c.tr, a.customerId, a.subscriptionId);
        // The conversation is now about this subscription: "make it E5" prepares its upgrade to E5.
        return {
          reply:
            reply === undefined
              ? undefined
              : { ...reply, about: a.customerId, subscription: a.subscriptionId },
          replaces: false,
        };
      },
      pickCustomer: async (c, a) => ({
        reply: await conversation.picked(c.tr, a.customerId, a.intent, a.target, a.seats),
        replaces: true,
      }),
      review: async (c, a) => ({ reply: await flow.review(c.tr, a, c.caller), replaces: true }),
      // A new card, under the answer whose button was pressed (condition 4's "Add licences").
      startLicences: async (c, a) => ({
        reply: await flow.licences.startById(c.tr, a.customerId, a.subscriptionId),
        replaces: false,
      }),
      reviewLicences: async (c, a) => {
        // The subscription chosen on the card, or the only one it showed.
        const subscriptionId =
          a.subscriptionId ?? (a.shownSubscriptionId === '' ? undefined : a.shownSubscriptionId);
        return {
          reply:
            subscriptionId === undefined
              ? undefined
              : await flow.licences.review(c.tr, { ...a, subscriptionId }, c.caller),
          replaces: true,
        };
      },
      historyPage: async (c, a) => ({
        reply: await conversation.historyPage(c.tr, a.key, a.offset),
        replaces: false,
      }),
      subscriptionDetails: async (c, a) => ({
        reply: await conversation.subscriptionDetails(c.tr, a.customerId, a.subscriptionId, a.target),
        replaces: false,
      }),
      eligibilityPage: async (c, a) => ({
        reply: await conversation.eligibilityPage(c.tr, a.customerId, a.target, a.offset),
        replaces: false,
      }),
      fleetPage: async (c, a) => ({
        reply: await conversation.fleetPage(c.tr, a.key, a.offset),
        replaces: false,
      }),
      confirm: async (c, a) => ({ reply: await flow.confirm(c.tr, a.token, c.caller), replaces: true }),
      cancel: async (c, a) => ({ reply: await flow.cancel(c.tr, a.token, c.caller), replaces: true }),
      refreshConfirm: async (c, a) => ({
        reply: await flow.current(c.tr, a.token, c.caller),
        replaces: true,
        silent: true,
      }),
    };

    this.onMessage(async (context, next) => {
      const submitted = submittedAction(context.activity.value);
      if (submitted !== undefined) await this.act(context, submitted);
      else await this.onText(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.send(context, helpAnswer(this.translator(context)));
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      // Teams welcomes on installationUpdate; other clients (Emulator, Web Chat) when a user joins.
      const userJoined = (context.activity.membersAdded ?? []).some(
        (m) => m.id !== context.activity.recipient?.id,
      );
      if (userJoined && welcomesOnJoin(context.activity)) {
        await this.send(context, helpAnswer(this.translator(context)));
      }
      await next();
    });
  }

  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    return this.act(context, parseCardAction(invokeValue.action.verb, invokeValue.action.data));
  }

  private translator(context: TurnContext): Translator {
    return this.deps.wording.forActivity(context.activity);
  }

  private async onText(context: TurnContext): Promise<void> {
    const text = (TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '').trim();
    const tr = this.translator(context);
    const understanding = this.deps.understander.understand(
      text,
      context.activity.locale,
      await this.dialogueContext(context),
    );
    this.deps.logger.debug(
      {
        intent: understanding.intent,
        confidence: understanding.confidence,
        target: understanding.target,
        followUp: understanding.followUp !== undefined,
      },
      'understood',
    );
    const reply = await this.deps.conversation.answer(tr, understanding);
    await this.remember(context, reply);
    await this.send(context, reply);
  }

  /** Keeps what an answer is about (its customer, and subscription if any) as the context of the next message. */
  private async remember(context: TurnContext, reply: Reply | undefined): Promise<void> {
    if (reply?.about === undefined) return;
    await this.lastCustomer.set(context, reply.about);
    await this.lastSubscription.set(context, reply.subscription);
  }

  /** What the conversation's previous answer was about: the context of a follow-up question. */
  private async dialogueContext(context: TurnContext): Promise<DialogueContext | undefined> {
    const customerId = await this.lastCustomer.get(context);
    if (customerId === undefined) return undefined;
    const subscriptionId = await this.lastSubscription.get(context);
    return { customerId, ...(subscriptionId === undefined ? {} : { subscriptionId }) };
  }

  /** Every turn, then the conversation state is saved (botbuilder writes it with eTag `*`: last writer wins). */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.deps.conversationState.saveChanges(context);
  }

  /** Waits (at most `timeoutMs`) for the channel updates still running after their invokes were answered. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const done = Promise.all([...this.background]).then(() => true);
    const drained = await Promise.race([done, timeout]);
    clearTimeout(timer);
    return drained;
  }

  /**
   * Runs a card action. Teams (invoke): answered first, by the invoke response (the answer card replaces the
   * pressed one for the user who pressed); the message is updated for everyone afterwards, so that a slow
   * channel never holds the answer. Other channels: the bot replaces the card where the channel allows it,
   * else sends the answer.
   */
  private async act(context: TurnContext, read: ReadAction): Promise<AdaptiveCardInvokeResponse> {
    const tr = this.translator(context);
    const c: ActionContext = { tr, caller: callerOf(context) };
    this.learnApprover(c.caller);
    const invoke = isInvoke(context.activity);
    const result: ActionResult =
      read.kind === 'invalid'
        ? { reply: undefined, replaces: false, silent: isAutomaticRefresh(context.activity) }
        : await this.withinBudget(context, c, read.action);
    if (result.silent !== true) await this.remember(context, result.reply);
    if (result.silent === true) {
      // A Teams automatic refresh: the card as it is now, or nothing; never a message in the chat.
      return result.reply?.card === undefined
        ? { statusCode: 200, type: MESSAGE_RESPONSE, value: '' as unknown as Record<string, unknown> }
        : { statusCode: 200, type: CARD_RESPONSE, value: this.invokeCard(context.activity, result.reply) };
    }
    const reply = result.reply ?? { text: tr.t('card.invalid') };
    if (invoke && context.activity.deliveryMode !== 'expectReplies') {
      if (result.replaces && reply.card !== undefined) {
        const shown = await this.later(context, this.cardUpdate(context.activity, reply), 'update');
        if (result.outcome !== undefined) this.replaceWhenDone(context, shown.sent, result.outcome);
        return { statusCode: 200, type: CARD_RESPONSE, value: this.invokeCard(context.activity, reply) };
      }
      // A new card (the choice of a target) is posted; a text answer goes to the user who pressed only.
      if (reply.card !== undefined)
        await this.later(context, this.activityFor(context.activity, reply), 'send');
      return {
        statusCode: 200,
        type: MESSAGE_RESPONSE,
        value: reply.text as unknown as Record<string, unknown>,
      };
    }
    if (result.replaces && reply.card !== undefined) {
      if (invoke) {
        await this.replaceCard(context, reply);
        return { statusCode: 200, type: CARD_RESPONSE, value: this.invokeCard(context.activity, reply) };
      }
      if (await this.replaceCard(context, reply))
        return { statusCode: 200, type: MESSAGE_RESPONSE, value: {} };
    }
    await this.send(context, reply);
    return {
      statusCode: 200,
      type: MESSAGE_RESPONSE,
      value: reply.text as unknown as Record<string, unknown>,
    };
  }

  /** The answer card as the invoke response carries it to the user who pressed (Teams). */
  private invokeCard(incoming: Partial<Activity>, reply: Reply): Record<string, unknown> {
    if (reply.card === undefined) return {};
    const tr = this.deps.wording.forActivity(incoming);
    return this.deps.cards.attachment(reply.card, TEAMS, tr.language, this.refreshFor(incoming, reply))
      .content as Record<string, unknown>;
  }

  /**
   * A Teams confirm still running when the in-turn budget is spent is answered "in progress"; its outcome
   * replaces the card when it comes.
   */
  private async withinBudget(
    context: TurnContext,
    c: ActionContext,
    action: CardAction,
  ): Promise<ActionResult> {
    const work = this.runAction(c, action);
    if (!isInvoke(context.activity) || action.verb !== 'confirm') return work;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.deps.invokeBudgetMs ?? 4000);
    });
    const first = await Promise.race([work, late]);
    clearTimeout(timer);
    if (first !== 'late') return first;
    return {
      reply: await this.deps.flow.inProgress(c.tr, action.token),
      replaces: true,
      outcome: work.then((r) => r.reply),
    };
  }

  /**
   * Once the "in progress" card is in place, the outcome replaces it (through the turn's connector client: the
   * turn is over by then). The "in progress" card also refreshes itself to the outcome when it is viewed.
   */
  private replaceWhenDone(
    context: TurnContext,
    shown: Promise<unknown>,
    outcome: Promise<Reply | undefined>,
  ): void {
    const channel = this.detached(context);
    const incoming = { ...context.activity };
    const update = shown
      .catch(() => undefined)
      .then(() => outcome)
      .then((reply) => {
        const activity = reply?.card === undefined ? undefined : this.cardUpdate(incoming, reply);
        return activity === undefined ? undefined : channel?.(activity, 'update');
      });
    this.track(context, update);
  }

  /**
   * Updates the pressed card, or posts a new message, without holding the invoke's answer: the update is
   * started within the turn and not waited for; a post goes through the turn's connector client (the
   * TurnContext is revoked once the turn ends). Both are tracked for shutdown, failures logged. Where there
   * is no connector client (a test adapter), a post is sent within the turn.
   */
  private async later(
    context: TurnContext,
    activity: Partial<Activity> | undefined,
    mode: 'update' | 'send',
  ): Promise<{ readonly sent: Promise<unknown> }> {
    if (activity === undefined) return { sent: Promise.resolve() };
    if (mode === 'update') {
      // Started now (the context is used only while the turn runs); its answer is not waited for.
      return { sent: this.track(context, context.updateActivity(activity)) };
    }
    const channel = this.detached(context);
    if (channel === undefined) return { sent: Promise.resolve(await context.sendActivity(activity)) };
    return { sent: this.track(context, channel(activity, mode)) };
  }

  /** The turn's channel client, usable after the turn: updates the pressed card or posts a message. */
  private detached(
    context: TurnContext,
  ): ((activity: Partial<Activity>, mode: 'update' | 'send') => Promise<unknown>) | undefined {
    const client = context.turnState.get(context.adapter.ConnectorClientKey) as ChannelClient | undefined;
    if (client === undefined) return undefined;
    const reference = TurnContext.getConversationReference(context.activity);
    const conversationId = reference.conversation?.id ?? '';
    const pressed = context.activity.replyToId;
    return (activity, mode) => {
      const outgoing = TurnContext.applyConversationReference({ ...activity }, reference) as Activity;
      if (mode === 'update') {
        if (pressed === undefined || pressed === '') return Promise.resolve();
        return client.conversations.updateActivity(conversationId, pressed, { ...outgoing, id: pressed });
      }
      return outgoing.replyToId
        ? client.conversations.replyToActivity(conversationId, outgoing.replyToId, outgoing)
        : client.conversations.sendToConversation(conversationId, outgoing);
    };
  }

  private track(context: TurnContext, task: Promise<unknown>): Promise<void> {
    const ids = { channelId: context.activity.channelId, activityId: context.activity.id };
    const running: Promise<void> = task
      .then(() => undefined)
      .catch((error: unknown) => {
        this.deps.logger.warn({ err: error, ...ids }, 'card update after the invoke failed');
      })
      .finally(() => this.background.delete(running));
    this.background.add(running);
    return running;
  }

  /** Remembers the Teams user id of an approver seen on Teams, so that their confirm cards refresh for them. */
  private learnApprover(caller: Caller): void {
    if (caller.place.channelId !== TEAMS || !caller.user.id.startsWith('29:')) return;
    if (this.knownApprovers.size >= MAX_KNOWN_APPROVERS) return;
    if (this.deps.flow.approvals.isApprover(caller)) this.knownApprovers.add(caller.user.id);
  }

  private runAction<V extends Verb>(c: ActionContext, action: ActionOf<V>): Promise<ActionResult> {
    const handler = this.actions[action.verb] as (c: ActionContext, a: ActionOf<V>) => Promise<ActionResult>;
    return handler(c, action);
  }

  /**
   * Teams group chats and channels: the confirm card is sent read-only, and refreshed into the live one for
   * the requester and the approvers (Universal Actions `refresh.userIds`).
   */
  private refreshFor(incoming: Partial<Activity>, reply: Reply): Refresh | undefined {
    const token = reply.card?.name === 'confirm' ? reply.card.data.token : reply.refreshToken;
    if (!isTeams(incoming) || token === undefined) return undefined;
    // The requester (who pressed Review) and the approvers whose Teams user ids are known.
    const userIds = [
      ...new Set(
        [incoming.from?.id, ...this.deps.flow.approvals.teamsUserIds(), ...this.knownApprovers].filter(
          (id): id is string => id !== undefined,
        ),
      ),
    ];
    return { verb: REFRESH_VERB, data: { token }, userIds };
  }

  /**
   * The update of the card that was pressed (`replyToId`) with the answer's card alone: Teams (and the
   * Playground) keep a text and a card as two messages and refuse to update one into both. Undefined where
   * there is no pressed card.
   */
  private cardUpdate(incoming: Partial<Activity>, reply: Reply): Partial<Activity> | undefined {
    const id = incoming.replyToId;
    if (id === undefined || id === '') return undefined;
    const {
      text: _text,
      textFormat: _format,
      suggestedActions: _suggested,
      ...card
    } = this.activityFor(incoming, reply);
    return { ...card, id };
  }

  /** Replaces the pressed card within the turn; false where the channel cannot update a sent card. */
  private async updateInTurn(context: TurnContext, update: Partial<Activity> | undefined): Promise<boolean> {
    if (update === undefined) return false;
    try {
      await context.updateActivity(update);
      return true;
    } catch (error) {
      this.deps.logger.debug(
        { err: error, channelId: context.activity.channelId },
        'card not updated; sending a new one',
      );
      return false;
    }
  }

  /** Replaces the card that was pressed, within the turn (Action.Submit channels). */
  private replaceCard(context: TurnContext, reply: Reply): Promise<boolean> {
    return this.updateInTurn(context, this.cardUpdate(context.activity, reply));
  }

  private activityFor(incoming: Partial<Activity>, reply: Reply) {
    const tr = this.deps.wording.forActivity(incoming);
    const groupTeams = isTeamsGroup(incoming);
    // In a Teams group chat or channel, a new confirm card starts read-only; its refresh makes it live for the
    // requester and the approvers.
    const shown =
      groupTeams && reply.card?.name === 'confirm'
        ? { ...reply, card: { ...reply.card, data: { ...reply.card.data, live: false } } }
        : reply;
    return replyActivity(this.deps.cards, tr, shown, incoming.channelId, this.refreshFor(incoming, reply));
  }

  private async send(context: TurnContext, reply: Reply): Promise<void> {
    await context.sendActivity(this.activityFor(context.activity, reply));
  }
}
