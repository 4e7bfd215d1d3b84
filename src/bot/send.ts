/** A reply as an activity for the channel: text summary, card, suggested questions. */
import { ActionTypes, MessageFactory, type Activity } from 'botbuilder';
import type { Reply } from './answers/reply.js';
import type { CardTemplates, Refresh } from './cards/templates.js';
import type { Translator } from './i18n.js';

export function replyActivity(
  cards: CardTemplates,
  tr: Translator,
  reply: Reply,
  channelId: string | undefined,
  refresh?: Refresh,
): Partial<Activity> {
  const activity: Partial<Activity> =
    reply.suggestions !== undefined && reply.suggestions.length > 0
      ? MessageFactory.suggestedActions(
          reply.suggestions.map((s) => ({ type: ActionTypes.ImBack, title: s, value: s })),
          reply.text,
        )
      : MessageFactory.text(reply.text);
  activity.textFormat = 'markdown';
  activity.locale = tr.language;
  if (reply.card !== undefined)
    activity.attachments = [cards.attachment(reply.card, channelId, tr.language, refresh)];
  return activity;
}
