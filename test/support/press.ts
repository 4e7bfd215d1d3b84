/**
 * Pressing card actions as the channels send them, through a test bot: Emulator/Web Chat (Action.Submit: a
 * message whose value carries the verb) and Teams (Action.Execute: an `adaptiveCard/action` invoke), and
 * reading what the user then sees.
 */
import type { Activity } from 'botbuilder';
import { actions, texts } from './cards.js';
import { cardOf, type TestBot } from './bot.js';

export type Channel = 'emulator' | 'msteams';

/** The data an action of the card sends, by verb (Action.Submit carries it in data, Execute in verb+data). */
export function actionData(card: unknown, verb: string): Record<string, unknown> {
  const a = actions(card).find(
    (x) => x.verb === verb || (x.data as { verb?: string } | undefined)?.verb === verb,
  );
  if (a === undefined) throw new Error(`no ${verb} action on the card`);
  return { ...(a.data as Record<string, unknown>) };
}

/** Presses a card action the way the channel sends it; returns every activity the bot sent or updated. */
export async function press(
  bot: TestBot,
  channel: Channel,
  verb: string,
  data: Record<string, unknown>,
  locale: string,
  from = 'user-1',
  conversationId = 'conv-1',
): Promise<Partial<Activity>[]> {
  const fromAccount = {
    id: from,
    name: from === 'user-1' ? 'Megan Bowen' : 'Alex Wilber',
    aadObjectId: `aad-${from}`,
  };
  const conversation = { id: conversationId, conversationType: 'personal' } as Activity['conversation'];
  const activity: Partial<Activity> =
    channel === 'msteams'
      ? {
          type: 'invoke',
          name: 'adaptiveCard/action',
          from: fromAccount,
          conversation,
          value: { action: { type: 'Action.Execute', verb, data } },
        }
      : {
          type: 'message',
          from: fromAccount,
          ...(conversationId === 'conv-1' ? {} : { conversation }),
          replyToId: 'card-1',
          value: { ...data, verb },
        };
  return bot.turn(activity, { channelId: channel, locale });
}

/** The card the user sees after an action: Teams' invoke response card, or the message (update or new). */
export function shownCard(
  channel: Channel,
  replies: Partial<Activity>[],
): Record<string, unknown> | undefined {
  if (channel === 'msteams') {
    const invoke = replies.find((r) => r.type === 'invokeResponse');
    const body = (invoke?.value as { body?: { type?: string; value?: Record<string, unknown> } } | undefined)
      ?.body;
    return body?.type === 'application/vnd.microsoft.card.adaptive' ? body.value : undefined;
  }
  return cardOf(replies.find((r) => cardOf(r) !== undefined));
}

/** A Teams invoke's text answer: the message response, shown to the user who pressed only. */
export function invokeMessage(replies: Partial<Activity>[]): string {
  const invoke = replies.find((r) => r.type === 'invokeResponse');
  const body = (invoke?.value as { body?: { type?: string; value?: unknown } } | undefined)?.body;
  return body?.type === 'application/vnd.microsoft.activity.message' && typeof body.value === 'string'
    ? body.value
    : '';
}

/** Every text the user sees after an action: the messages, the invoke's answer and the card's texts. */
export function allText(channel: Channel, replies: Partial<Activity>[]): string {
  return [
    ...replies.map((r) => r.text ?? ''),
    invokeMessage(replies),
    ...texts(shownCard(channel, replies)),
  ].join('\n');
}
