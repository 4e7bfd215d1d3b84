/**
 * The bot's activity handling: messages (free text or Action.Submit), Teams Universal Actions
 * (`adaptiveCard/action` invokes), and the welcome. One handler per card verb serves both action paths.
 */
import {
  ActivityHandler,
  TurnContext,
  type ConversationState,
  type StatePropertyAccessor,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
} from 'botbuilder';
import type { Logger } from 'pino';
import type { Actor } from '../core/ledger.js';
import {
  CARD_RESPONSE,
  isInvoke,
  isTeams,
  isTeamsGroup,
  MESSAGE_RESPONSE,
  TEAMS,
  welcomesOnJoin,
} from './channel.js';
import { parseCardAction, submittedAction, type ActionOf, type ReadAction, type Verb } from './actions.js';
import { helpAnswer } from './answers/help.js';
import type { Reply } from './answers/reply.js';
import type { CardTemplates, Refresh } from './cards/templates.js';
import type { Conversation } from './conversation.js';
import type { Translator, Wording } from './i18n.js';
import type { Understander } from './nlu/index.js';
import { replyActivity } from './send.js';
import type { UpgradeFlow } from './upgrade-flow.js';

export interface BotDeps {
  readonly conversation: Conversation;
  /** Durable conversation state (the last customer talked about). */
  readonly conversationState: ConversationState;
  readonly flow: UpgradeFlow;
  readonly understander: Understander;
  readonly wording: Wording;
  readonly cards: CardTemplates;
  readonly logger: Logger;
}

interface ActionContext {
  readonly tr: Translator;
  readonly actor: Actor;
  readonly conversationId: string | undefined;
}

/** What an action answers; `replaces`: the answer takes the place of the card that was pressed. */
interface ActionResult {
  readonly reply: Reply | undefined;
  readonly replaces: boolean;
  /** Only refresh the card (Teams automatic refresh): no message is sent. */
  readonly silent?: boolean;
}

type ActionHandlers = { [V in Verb]: (c: ActionContext, a: ActionOf<V>) => Promise<ActionResult> };

/** The user who pressed or typed, from the activity as the channel sent it. */
function actorOf(context: TurnContext): Actor {
  const from = context.activity.from;
  return {
    id: from?.id ?? 'unknown',
    ...(from?.name === undefined ? {} : { name: from.name }),
    ...(from?.aadObjectId === undefined ? {} : { aadObjectId: from.aadObjectId }),
  };
}

export class UpgradeAssistantBot extends ActivityHandler {
  private readonly actions: ActionHandlers;
  private readonly lastCustomer: StatePropertyAccessor<string | undefined>;

  constructor(private readonly deps: BotDeps) {
    super();
    const { flow, conversation } = deps;
    this.lastCustomer = deps.conversationState.createProperty<string | undefined>('lastCustomerId');
    this.actions = {
      startUpgrade: async (c, a) => ({
        reply: await flow.choose(c.tr, a.customerId, a.subscriptionId),
        replaces: false,
      }),
      pickCustomer: async (c, a) => ({
        reply: await conversation.picked(c.tr, a.customerId, a.intent, a.target),
        replaces: true,
      }),
      review: async (c, a) => ({
        reply: await flow.review(c.tr, a, c.actor, c.conversationId),
        replaces: true,
      }),
      confirm: async (c, a) => ({ reply: await flow.confirm(c.tr, a.token, c.actor), replaces: true }),
      cancel: async (c, a) => ({ reply: await flow.cancel(c.tr, a.token, c.actor), replaces: true }),
      refreshConfirm: async (c, a) => ({
        reply: await flow.current(c.tr, a.token, c.actor),
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
    const understanding = this.deps.understander.understand(text, context.activity.locale);
    this.deps.logger.debug(
      { intent: understanding.intent, confidence: understanding.confidence, target: understanding.target },
      'understood',
    );
    const reply = await this.deps.conversation.answer(
      tr,
      understanding,
      await this.lastCustomer.get(context),
    );
    if (reply.about !== undefined) await this.lastCustomer.set(context, reply.about);
    await this.send(context, reply);
  }

  /** Every turn, then the conversation state is saved (botbuilder writes it with eTag `*`: last writer wins). */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.deps.conversationState.saveChanges(context);
  }

  /**
   * Runs a card action. Teams (invoke): the answer card replaces the pressed one through the invoke response.
   * Other channels: the bot replaces the card where the channel allows it, else sends the answer.
   */
  private async act(context: TurnContext, read: ReadAction): Promise<AdaptiveCardInvokeResponse> {
    const tr = this.translator(context);
    const c: ActionContext = {
      tr,
      actor: actorOf(context),
      conversationId: context.activity.conversation?.id,
    };
    const result: ActionResult =
      read.kind === 'invalid' ? { reply: undefined, replaces: false } : await this.runAction(c, read.action);
    const reply = result.reply ?? { text: tr.t('card.invalid') };
    const invoke = isInvoke(context.activity);
    if (result.replaces && reply.card !== undefined) {
      if (invoke) {
        // Teams: the message is updated for everyone (read-only where others must not act) and the user who
        // pressed gets the live card in the invoke response; an automatic refresh only answers.
        if (result.silent !== true) await this.replaceCard(context, reply);
        const card = this.deps.cards.attachment(
          reply.card,
          TEAMS,
          tr.language,
          this.refreshFor(context, reply),
        ).content as Record<string, unknown>;
        return { statusCode: 200, type: CARD_RESPONSE, value: card };
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

  private runAction<V extends Verb>(c: ActionContext, action: ActionOf<V>): Promise<ActionResult> {
    const handler = this.actions[action.verb] as (c: ActionContext, a: ActionOf<V>) => Promise<ActionResult>;
    return handler(c, action);
  }

  /**
   * Teams group chats and channels: the confirm card is sent read-only, and refreshed into the live one for
   * the requester and the approvers (Universal Actions `refresh.userIds`).
   */
  private refreshFor(context: TurnContext, reply: Reply): Refresh | undefined {
    if (!isTeams(context.activity) || reply.card?.name !== 'confirm') return undefined;
    const userIds = [context.activity.from?.id, ...this.deps.flow.approverIds].filter(
      (id): id is string => id !== undefined,
    );
    return { verb: 'refreshConfirm', data: { token: reply.card.data.token }, userIds };
  }

  /**
   * Replaces the card that was pressed (`replyToId`) with the answer's card alone: Teams (and the Playground)
   * keep a text and a card as two messages and refuse to update one into both. False where the channel cannot
   * update a sent card.
   */
  private async replaceCard(context: TurnContext, reply: Reply): Promise<boolean> {
    const id = context.activity.replyToId;
    if (id === undefined || id === '') return false;
    const {
      text: _text,
      textFormat: _format,
      suggestedActions: _suggested,
      ...card
    } = this.activityFor(context, reply);
    try {
      await context.updateActivity({ ...card, id });
      return true;
    } catch (error) {
      this.deps.logger.debug(
        { err: error, channelId: context.activity.channelId },
        'card not updated; sending a new one',
      );
      return false;
    }
  }

  private activityFor(context: TurnContext, reply: Reply) {
    const tr = this.translator(context);
    const groupTeams = isTeamsGroup(context.activity);
    // In a Teams group chat or channel, a new confirm card starts read-only; its refresh makes it live for the
    // requester and the approvers.
    const shown =
      groupTeams && reply.card?.name === 'confirm'
        ? { ...reply, card: { ...reply.card, data: { ...reply.card.data, live: false } } }
        : reply;
    return replyActivity(
      this.deps.cards,
      tr,
      shown,
      context.activity.channelId,
      this.refreshFor(context, reply),
    );
  }

  private async send(context: TurnContext, reply: Reply): Promise<void> {
    await context.sendActivity(this.activityFor(context, reply));
  }
}
