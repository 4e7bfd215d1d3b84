/**
 * What is specific to Microsoft Teams, in one place: its channel id, the invoke response content types, which
 * channels get Universal Actions (Action.Execute, answered by the invoke response, with card refresh) and
 * which get Action.Submit (a message carrying `value`), and who sees a confirm card live.
 */
import type { Activity } from 'botbuilder';
import { TEAMS_CHANNEL } from '../core/approvals.js';

/** Teams' channel id (the approval rules of the core know it too: approvers are named per channel). */
export const TEAMS = TEAMS_CHANNEL;

/** Invoke response bodies (Teams). */
export const MESSAGE_RESPONSE = 'application/vnd.microsoft.activity.message';
export const CARD_RESPONSE = 'application/vnd.microsoft.card.adaptive';
export const ERROR_RESPONSE = 'application/vnd.microsoft.error';

type ActivityLike = Pick<Partial<Activity>, 'channelId' | 'conversation' | 'type'>;

export function isTeams(activity: ActivityLike): boolean {
  return activity.channelId === TEAMS;
}

/** Teams answers card actions with Action.Execute (an invoke); every other channel with Action.Submit. */
export function usesExecute(channelId: string | undefined): boolean {
  return channelId === TEAMS;
}

/** A Teams group chat or channel: a new confirm card is sent read-only and refreshed live for some users. */
export function isTeamsGroup(activity: ActivityLike): boolean {
  return isTeams(activity) && activity.conversation?.conversationType !== 'personal';
}

/** A card action that came as an invoke (Action.Execute), answered through the invoke response. */
export function isInvoke(activity: ActivityLike): boolean {
  return activity.type === 'invoke';
}

/**
 * Teams welcomes a user on installationUpdate; other clients (Emulator, Web Chat) when the user joins the
 * conversation.
 */
export function welcomesOnJoin(activity: ActivityLike): boolean {
  return !isTeams(activity);
}

/**
 * The tenant of a Teams activity: `channelData.tenant.id`, or `conversation.tenantId`; 'conflicting' when
 * both are given and differ.
 */
export function teamsTenant(activity: Partial<Activity>): string | undefined {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const fromChannelData = channelData?.tenant?.id;
  const fromConversation = activity.conversation?.tenantId;
  const a = typeof fromChannelData === 'string' && fromChannelData !== '' ? fromChannelData : undefined;
  const b = typeof fromConversation === 'string' && fromConversation !== '' ? fromConversation : undefined;
  if (a !== undefined && b !== undefined && a.toLowerCase() !== b.toLowerCase()) return 'conflicting';
  return a ?? b;
}

/**
 * A refresh Teams sends by itself whenever a confirm card is shown (not pressed by the user): the refresh verb
 * with the automatic trigger; any other verb claiming that trigger is a press.
 */
export function isAutomaticRefresh(activity: Pick<Partial<Activity>, 'type' | 'name' | 'value'>): boolean {
  if (activity.type !== 'invoke' || activity.name !== 'adaptiveCard/action') return false;
  const value = activity.value as { trigger?: unknown; action?: { verb?: unknown } } | undefined;
  return value?.trigger === 'automatic' && value.action?.verb === REFRESH_VERB;
}

/** The verb of the confirm card's refresh. */
export const REFRESH_VERB = 'refreshConfirm';
