/**
 * Card actions: typed payloads keyed by verb, read the same way from Action.Execute (Teams invoke
 * `adaptiveCard/action`) and Action.Submit (`activity.value` on a message). Never trusted: each handler looks
 * everything up again.
 */
import { z } from 'zod';

const id = z.string().min(1).max(200);
const token = z.string().min(8).max(100);
/** Card inputs arrive as strings from most clients. */
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

const CardActionSchema = z.discriminatedUnion('verb', [
  z.object({ verb: z.literal('startUpgrade'), customerId: id, subscriptionId: id }),
  z.object({
    verb: z.literal('pickCustomer'),
    customerId: id,
    intent: z.enum(['eligibility', 'upgrade', 'history', 'refresh', 'addLicences']),
    target: z.string().max(64),
    /** Licences: the seats asked, `add:8` or `total:60` ('' for none, or from an older card). */
    seats: z
      .string()
      .regex(/^((add|total):\d{1,16})?$/)
      .default(''),
  }),
  z.object({
    verb: z.literal('review'),
    customerId: id,
    subscriptionId: id,
    target: z.string().min(1).max(64),
    seats: z.coerce.number().int().min(0).max(10_000_000),
    transfer: flag.default(true),
  }),
  /** The add-licences card for a customer (and one of its subscriptions: condition 4's "Add licences" button). */
  z.object({
    verb: z.literal('startLicences'),
    customerId: id,
    subscriptionId: id.optional(),
  }),
  /**
   * Review of the add-licences card: the subscription chosen (or the only one shown), and the seats typed, to
   * add (`mode` add) or as the new total. Anything else than a whole number is answered by the rules' reason.
   */
  z.object({
    verb: z.literal('reviewLicences'),
    customerId: id,
    subscriptionId: id.optional(),
    shownSubscriptionId: z.string().max(200).default(''),
    mode: z.enum(['add', 'total']),
    // Any finite number: the rules answer what is not a whole number within the offer's limits.
    seats: z.coerce.number().finite(),
  }),
  z.object({ verb: z.literal('confirm'), token }),
  z.object({ verb: z.literal('cancel'), token }),
  /** The next page of a customer's upgrade history. */
  z.object({
    verb: z.literal('historyPage'),
    key: id,
    offset: z.coerce.number().int().min(0).max(1_000_000),
  }),
  /** One subscription's card, in full (the "Details" action of a subscription's line). */
  z.object({
    verb: z.literal('subscriptionDetails'),
    customerId: id,
    subscriptionId: id,
    target: z.string().max(64).default(''),
  }),
  /** The next page of a customer's eligibility answer. */
  z.object({
    verb: z.literal('eligibilityPage'),
    customerId: id,
    target: z.string().max(64).default(''),
    offset: z.coerce.number().int().min(0).max(1_000_000),
  }),
  /** The next page of the customers that can move to a plan (`key`: the plan). */
  z.object({
    verb: z.literal('fleetPage'),
    key: z.string().min(1).max(64),
    offset: z.coerce.number().int().min(0).max(10_000_000),
  }),
  /** Teams card refresh: what the confirm card shows now, to this user. */
  z.object({ verb: z.literal('refreshConfirm'), token }),
]);

export type CardAction = z.infer<typeof CardActionSchema>;
export type Verb = CardAction['verb'];
export type ActionOf<V extends Verb> = Extract<CardAction, { verb: V }>;

export type ReadAction =
  { readonly kind: 'action'; readonly action: CardAction } | { readonly kind: 'invalid' };

/** An Action.Submit's data (the verb inside it) or an Action.Execute's verb and data, as one typed action. */
export function parseCardAction(verb: unknown, data: unknown): ReadAction {
  const fields = data !== null && typeof data === 'object' && !Array.isArray(data) ? data : {};
  const parsed = CardActionSchema.safeParse({ ...fields, verb });
  return parsed.success ? { kind: 'action', action: parsed.data } : { kind: 'invalid' };
}

/** The action carried by a message from Action.Submit, if the message carries a value at all. */
export function submittedAction(value: unknown): ReadAction | undefined {
  if (value === undefined || value === null) return undefined;
  const verb =
    typeof value === 'object' && !Array.isArray(value) ? (value as { verb?: unknown }).verb : undefined;
  return parseCardAction(verb, value);
}

/**
 * The data of the card action an activity carries, if any: an invoke's `value.action.data` (Action.Execute) or
 * a message's `value` (Action.Submit).
 */
export function actionDataOf(activity: { readonly type?: string; readonly value?: unknown }): unknown {
  if (activity.type !== 'invoke') return activity.value;
  return (activity.value as { action?: { data?: unknown } } | null | undefined)?.action?.data;
}
