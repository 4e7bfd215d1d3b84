/**
 * What Microsoft 365 Agents Playground cannot show, tested at the HTTP level against the real server: Teams'
 * user-specific views (Universal Actions `refresh` with `userIds`). The Playground renders such a card as it is
 * sent and warns "User specific view is not supported yet" (see docs/playground.md), so the group-chat confirm
 * card is checked here as Teams would exchange it: the message update the bot sends to the connector, the
 * invoke responses, and the automatic refresh for the requester and for someone else.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actions, texts } from '../support/cards.js';
import {
  ChannelEndpoint,
  customerNamed,
  emulatorMessage,
  post,
  startBot,
  type RunningBot,
} from '../support/server.js';

const CARD = 'application/vnd.microsoft.card.adaptive';
const channel = new ChannelEndpoint();
let serviceUrl = '';
let bot: RunningBot;
let dataDir = '';

beforeAll(async () => {
  serviceUrl = await channel.start();
  dataDir = mkdtempSync(join(tmpdir(), 'ua-e2e-http-'));
  bot = await startBot({ DATA_DIR: dataDir });
});
afterAll(async () => {
  await bot?.close();
  await channel.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Card {
  readonly body?: unknown;
  readonly actions?: unknown;
  readonly refresh?: { readonly userIds?: string[]; readonly action?: { readonly verb?: string } };
}

/** An Action.Execute press (or automatic refresh) in a Teams group chat; returns the invoke response. */
async function groupInvoke(verb: string, data: Record<string, unknown>, user: string, trigger = 'manual') {
  const res = await post(
    bot.url,
    emulatorMessage('', serviceUrl, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      channelId: 'msteams',
      text: undefined,
      replyToId: 'card-1',
      from: { id: user, name: user, aadObjectId: `aad-${user}` },
      conversation: {
        id: 'group-chat-1',
        conversationType: 'groupChat',
        isGroup: true,
      } as Activity['conversation'],
      value: { action: { type: 'Action.Execute', verb, data }, trigger },
    }),
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as { statusCode: number; type: string; value: Card };
  expect(body.type).toBe(CARD);
  return body.value;
}

/** The verbs a user can press on the card (its body and its actions, not the refresh). */
function liveVerbs(card: Card): unknown[] {
  return actions({ body: card.body, actions: card.actions }).map((a) => a.verb);
}

/** The message updates (PUT …/activities/card-1) the bot sent to the connector since `from`. */
function updatesSince(from: number): Partial<Activity>[] {
  return channel.received
    .slice(from)
    .filter((r) => r.path.endsWith('/activities/card-1') && r.activity.type === 'message')
    .map((r) => r.activity);
}

describe('Teams group chat: the confirm card refreshed per user (not shown by the Playground)', () => {
  it('read-only for the chat, live for the requester, refreshed for each user, outcome for everyone', async () => {
    const contoso = (await customerNamed(bot.app, 'Contoso Ltd'))!;
    const before = channel.received.length;
    const live = await groupInvoke(
      'review',
      {
        customerId: contoso.id,
        subscriptionId: 'sub-contoso-essentials',
        target: 'O365_E3',
        seats: '40',
        transfer: 'true',
      },
      'requester',
    );
    // The requester sees the live card in the invoke response, with the refresh for the requester.
    expect(liveVerbs(live)).toEqual(expect.arrayContaining(['confirm', 'cancel']));
    expect(live.refresh?.action?.verb).toBe('refreshConfirm');
    expect(live.refresh?.userIds).toEqual(['requester']);
    const token = (actions(live).find((a) => a.verb === 'confirm')?.data as { token: string }).token;

    // Everyone else: the message is updated to the read-only card, refreshed into the live one for the requester.
    await channel.waitFor(before + 1);
    const [update] = updatesSince(before);
    const forEveryone = update?.attachments?.find((a) => a.contentType === CARD)?.content as Card;
    expect(forEveryone).toBeDefined();
    expect(liveVerbs(forEveryone)).toEqual([]);
    expect(forEveryone.refresh?.userIds).toEqual(['requester']);
    expect(texts(forEveryone).join('\n')).toContain(
      'Office 365 Business Essentials → Office 365 Enterprise E3',
    );

    // Teams' automatic refresh: live for the requester, read-only for a bystander; no message is sent.
    const sent = channel.received.length;
    const mine = await groupInvoke('refreshConfirm', { token }, 'requester', 'automatic');
    expect(liveVerbs(mine)).toEqual(['confirm', 'cancel']);
    const theirs = await groupInvoke('refreshConfirm', { token }, 'bystander', 'automatic');
    expect(liveVerbs(theirs)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(channel.received.length).toBe(sent);

    // Confirmed: the outcome replaces the card for everyone.
    const confirmedAt = channel.received.length;
    const outcome = await groupInvoke('confirm', { token }, 'requester');
    expect(texts(outcome).join('\n')).toContain('Upgrade done');
    await channel.waitFor(confirmedAt + 1);
    const done = updatesSince(confirmedAt)[0]?.attachments?.[0]?.content;
    expect(texts(done).join('\n')).toContain('Upgrade done');
    expect((await bot.app.storage.ledger.history(contoso.id)).map((e) => e.status)).toEqual(['done']);
  });
});
