/**
 * What an incoming activity must look like before anything else looks at it: the fields every turn needs
 * (type, channel, service URL, conversation, sender, recipient) and the right types for every field the bot
 * or botbuilder reads. Other fields pass through untouched. A request that fails gets 400 and reaches no
 * handler; the problems are named by field path, never by value.
 */
import type { Activity } from 'botbuilder';
import { z } from 'zod';

const MAX_ID = 2048;
const shortText = z.string().max(256);
const id = z.string().min(1).max(MAX_ID);
/**
 * Ids that go into the channel's URLs and headers (activity and conversation ids): printable ASCII, as
 * every channel's are; anything else could not be sent back.
 */
const wireId = id.regex(/^[\x20-\x7e]+$/, 'must be printable ASCII');

const serviceUrl = z
  .string()
  .max(MAX_ID)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

const account = z.looseObject({
  id,
  name: z.string().max(MAX_ID).optional(),
  aadObjectId: z.string().max(256).optional(),
  role: shortText.optional(),
});

const entity = z.looseObject({ type: shortText }).superRefine((e, ctx) => {
  if (e.type.toLowerCase() !== 'mention') return;
  const mention = e as { mentioned?: { id?: unknown }; text?: unknown };
  if (typeof mention.mentioned?.id !== 'string') {
    ctx.addIssue({ code: 'custom', path: ['mentioned', 'id'], message: 'a mention must name who' });
  }
  if (typeof mention.text !== 'string') {
    ctx.addIssue({ code: 'custom', path: ['text'], message: 'a mention must have its text' });
  }
});

const date = z.string().max(64);

const ActivitySchema = z
  .looseObject({
    type: z.string().min(1).max(64),
    id: wireId.optional(),
    channelId: z.string().min(1).max(64),
    serviceUrl,
    conversation: z.looseObject({
      id: wireId,
      conversationType: shortText.optional(),
      tenantId: shortText.optional(),
      isGroup: z.boolean().optional(),
      name: z.string().max(MAX_ID).optional(),
    }),
    from: account,
    recipient: account,
    text: z.string().optional(),
    locale: z.string().max(64).optional(),
    name: shortText.optional(),
    action: shortText.optional(),
    replyToId: wireId.optional(),
    deliveryMode: shortText.optional(),
    textFormat: shortText.optional(),
    channelData: z.looseObject({}).optional(),
    entities: z.array(entity).max(100).optional(),
    attachments: z.array(z.looseObject({})).max(100).optional(),
    membersAdded: z.array(account).max(1000).optional(),
    membersRemoved: z.array(account).max(1000).optional(),
    timestamp: date.optional(),
    localTimestamp: date.optional(),
    expiration: date.optional(),
    // `value` (card data) and anything else: any JSON, read by typed parsers further in.
  })
  .superRefine((activity, ctx) => {
    // botbuilder removes a mention from the text: a mention comes with the text it is in.
    const mentions = (activity.entities ?? []).some((e) => e.type.toLowerCase() === 'mention');
    if (mentions && activity.text === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['text'],
        message: 'a message with a mention must have its text',
      });
    }
  });

type ActivityCheck =
  { readonly ok: true; readonly activity: Activity } | { readonly ok: false; readonly problems: string[] };

/** A JSON null is an absent field (top level and in the conversation and accounts), as channels mean it. */
function withoutNulls(body: Record<string, unknown>): Record<string, unknown> {
  const clean = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
  const activity = clean(body);
  for (const key of ['conversation', 'from', 'recipient']) {
    const value = activity[key];
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      activity[key] = clean(value as Record<string, unknown>);
    }
  }
  return activity;
}

/** Checks a parsed JSON body; on success, the activity as botbuilder expects it (dates as Date). */
export function checkActivity(body: unknown): ActivityCheck {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, problems: ['the body must be a JSON object (an activity)'] };
  }
  const activity = withoutNulls(body as Record<string, unknown>);
  const result = ActivitySchema.safeParse(activity);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 10)
      .map((issue) => `${issue.path.map(String).join('.') || '(activity)'}: ${issue.message}`);
    return { ok: false, problems };
  }
  // As botbuilder's own `validateAndFixActivity`: dates become Date objects, the raw strings are kept.
  for (const [field, raw] of [
    ['timestamp', 'rawTimestamp'],
    ['localTimestamp', 'rawLocalTimestamp'],
    ['expiration', 'rawExpiration'],
  ] as const) {
    const value = activity[field];
    if (typeof value === 'string') {
      activity[raw] = value;
      activity[field] = new Date(value);
    }
  }
  return { ok: true, activity: activity as unknown as Activity };
}
