/**
 * Approvals that cannot be forged (docs/security.md, "Attacks and what stops them"): each request an attacker
 * sent to an earlier version is sent again here, against the running server, and must be refused with nothing
 * changed: the ledger, the directory, and what reaches the chat the card was shown in.
 */
import type { Activity } from 'botbuilder';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actions } from '../support/cards.js';
import type { AppOptions } from '../../src/index.js';
import { directorySnapshot, post, startBot, type RunningBot } from '../support/server.js';
import { contosoIdOf, reviewContoso, ScriptedChannel, sleep, teamsInvoke } from './support.js';

const channel = new ScriptedChannel();
let serviceUrl: string;
const bots: RunningBot[] = [];

beforeAll(async () => {
  serviceUrl = await channel.start();
});
afterEach(async () => {
  channel.delayMs = 0;
  for (const bot of bots.splice(0)) await bot.app.close({ timeoutMs: 500 });
  channel.requests.length = 0;
});
afterAll(() => channel.close());

async function start(env: Record<string, string> = {}, options: AppOptions = {}): Promise<RunningBot> {
  const bot = await startBot(
    { UPGRADE_APPROVERS: 'aad-boss', RATE_LIMIT_MESSAGES: '0', ...env },
    { processMetrics: false, outboundRetry: { maxRetries: 0, timeoutMs: 500 }, ...options },
  );
  bots.push(bot);
  return bot;
}

const contosoId = contosoIdOf;

/** Everything durable that an action could change. */
async function state(bot: RunningBot, token: string) {
  return {
    entry: await bot.app.storage.ledger.get(token),
    customers: await directorySnapshot(bot.app),
  };
}

/** The requests that reached the Teams conversation of the card (a:conv-user-1). */
function toTheCardsChat(): number {
  return channel.requests.filter((r) => r.path.includes(encodeURIComponent('a:conv-user-1'))).length;
}

/** user-1 prepares Contoso's Essentials → E3 in their Teams chat (tenant-a): the confirm token. */
function prepare(bot: RunningBot, extra: Partial<Activity> = {}): Promise<string> {
  return reviewContoso(bot, serviceUrl, extra);
}

/** A message as a Direct Line or Web Chat client can send it: every field chosen by the client. */
function clientMessage(fields: Partial<Activity>): Partial<Activity> {
  return {
    id: `m-${Math.random()}`,
    serviceUrl,
    recipient: { id: 'bot', name: 'Upgrade Assistant' },
    locale: 'en-US',
    deliveryMode: 'expectReplies',
    ...fields,
  } as Partial<Activity>;
}

async function replies(bot: RunningBot, activity: Partial<Activity>): Promise<string> {
  const res = await post(bot.url, activity);
  expect(res.status).toBe(200);
  return JSON.stringify(await res.json());
}

describe('finding 1: an approver cannot be impersonated from another channel', () => {
  it('Direct Line with the approver as aadObjectId, and Web Chat with the approver as from.id: refused', async () => {
    const bot = await start();
    const token = await prepare(bot);
    const before = await state(bot, token);
    const sentBefore = toTheCardsChat();
    const directLine = await replies(
      bot,
      clientMessage({
        type: 'message',
        channelId: 'directline',
        from: { id: 'dl-random-user', aadObjectId: 'aad-boss' } as Activity['from'],
        conversation: { id: 'dl-conv-7' } as Activity['conversation'],
        value: { verb: 'confirm', token },
      }),
    );
    const webChat = await replies(
      bot,
      clientMessage({
        type: 'message',
        channelId: 'webchat',
        from: { id: 'aad-boss' } as Activity['from'],
        conversation: { id: 'wc-conv-1' } as Activity['conversation'],
        value: { verb: 'confirm', token },
      }),
    );
    for (const answer of [directLine, webChat]) {
      expect(answer).toContain('This card belongs to another conversation. Nothing was changed');
      expect(answer).not.toContain('Upgrade done');
    }
    expect(await state(bot, token)).toEqual(before);
    expect(toTheCardsChat()).toBe(sentBefore);
  });

  it('a Web Chat user named like a Teams approver is no approver even where the card was shown', async () => {
    const bot = await start();
    const conversation = { id: 'wc-shared' } as Activity['conversation'];
    // The card is issued in Web Chat; the Teams approver entry (aad-boss) does not name Web Chat users.
    const review = await replies(
      bot,
      clientMessage({
        type: 'message',
        channelId: 'webchat',
        from: { id: 'wc-user' } as Activity['from'],
        conversation,
        value: {
          verb: 'review',
          customerId: contosoId(bot),
          subscriptionId: 'sub-contoso-essentials',
          target: 'O365_E3',
          seats: '40',
        },
      }),
    );
    const token = /"token":"([^"]+)"/.exec(review)![1]!;
    const forged = await replies(
      bot,
      clientMessage({
        type: 'message',
        channelId: 'webchat',
        from: { id: 'aad-boss', aadObjectId: 'aad-boss' } as Activity['from'],
        conversation,
        value: { verb: 'confirm', token },
      }),
    );
    expect(forged).toContain('Only an approver can confirm this upgrade');
    expect((await bot.app.storage.ledger.get(token))?.status).toBe('pending');
  });
});

describe('finding 2: a token works only where its card was shown; cancel needs the requester or an approver', () => {
  it('a cancel from another user in another conversation is refused', async () => {
    const bot = await start();
    const token = await prepare(bot);
    const before = await state(bot, token);
    const sentBefore = toTheCardsChat();
    const answer = await replies(bot, {
      ...teamsInvoke(serviceUrl, 'cancel', { token }, { user: 'mallory' }),
    });
    expect(answer).toContain('This card belongs to another conversation');
    expect(answer).not.toContain('Upgrade cancelled');
    expect(await state(bot, token)).toEqual(before);
    expect(toTheCardsChat()).toBe(sentBefore);
  });

  it('in the same group chat, a member who is neither requester nor approver cannot cancel or confirm', async () => {
    const bot = await start();
    const conversation = {
      id: 'a:conv-user-1',
      conversationType: 'groupChat',
      tenantId: 'tenant-a',
    } as Activity['conversation'];
    const token = await prepare(bot, { conversation });
    const before = await state(bot, token);
    const cancel = await replies(
      bot,
      teamsInvoke(serviceUrl, 'cancel', { token }, { user: 'mallory', conversation }),
    );
    expect(cancel).toContain('Only the person who prepared this upgrade or an approver can cancel it');
    const confirm = await replies(
      bot,
      teamsInvoke(serviceUrl, 'confirm', { token }, { user: 'mallory', conversation }),
    );
    expect(confirm).toContain('Only an approver can confirm this upgrade');
    expect(await state(bot, token)).toEqual(before);
    // The approver, in that chat, can.
    const ok = await replies(
      bot,
      teamsInvoke(serviceUrl, 'confirm', { token }, { user: 'boss', conversation }),
    );
    expect(ok).toContain('Upgrade done');
  });

  it('a token of one tenant is refused in another tenant, even in a conversation of the same id', async () => {
    const bot = await start();
    const token = await prepare(bot);
    const before = await state(bot, token);
    const conversation = {
      id: 'a:conv-user-1',
      conversationType: 'personal',
      tenantId: 'tenant-b',
    } as Activity['conversation'];
    const answer = await replies(
      bot,
      teamsInvoke(serviceUrl, 'confirm', { token }, { user: 'boss', tenant: 'tenant-b', conversation }),
    );
    expect(answer).toContain('This card belongs to another conversation');
    expect(await state(bot, token)).toEqual(before);
  });

  it('with no approver configured, only the requester confirms; UPGRADE_FOUR_EYES forbids the requester', async () => {
    const open = await start({ UPGRADE_APPROVERS: '' });
    const token = await prepare(open);
    const conversation = {
      id: 'a:conv-user-1',
      conversationType: 'groupChat',
      tenantId: 'tenant-a',
    } as Activity['conversation'];
    const other = await replies(open, teamsInvoke(serviceUrl, 'confirm', { token }, { user: 'someone' }));
    expect(other).toContain('This card belongs to another conversation');
    const groupToken = await prepare(open, { conversation });
    const member = await replies(
      open,
      teamsInvoke(serviceUrl, 'confirm', { token: groupToken }, { user: 'someone', conversation }),
    );
    expect(member).toContain('Only the person who prepared this upgrade can confirm it');
    expect((await open.app.storage.ledger.get(groupToken))?.status).toBe('pending');

    const fourEyes = await start({ UPGRADE_APPROVERS: 'aad-user-1, aad-boss', UPGRADE_FOUR_EYES: 'true' });
    const own = await prepare(fourEyes);
    const self = await replies(fourEyes, teamsInvoke(serviceUrl, 'confirm', { token: own }));
    expect(self).toContain('another approver must confirm it');
    expect((await fourEyes.app.storage.ledger.get(own))?.status).toBe('pending');
  });
});

describe('finding 3: ALLOWED_TENANTS closes every other channel', () => {
  it('a Web Chat user can neither review nor confirm', async () => {
    const bot = await start({ ALLOWED_TENANTS: 'tenant-a', UPGRADE_APPROVERS: '' });
    const token = await prepare(bot);
    const before = await state(bot, token);
    const conversation = { id: 'wc-9' } as Activity['conversation'];
    for (const value of [
      {
        verb: 'review',
        customerId: contosoId(bot),
        subscriptionId: 'sub-contoso-essentials',
        target: 'O365_E3',
        seats: '40',
      },
      { verb: 'confirm', token },
    ]) {
      const answer = await replies(
        bot,
        clientMessage({
          type: 'message',
          channelId: 'webchat',
          from: { id: 'user-1' } as Activity['from'],
          conversation,
          value,
        }),
      );
      expect(answer).toContain("I can only help users of the organizations I'm set up for");
    }
    expect(await state(bot, token)).toEqual(before);
    expect(await bot.app.storage.ledger.history(contosoId(bot))).toHaveLength(1);
  });
});

describe('finding 4: a Teams invoke is answered first, whatever the channel endpoint does', () => {
  it('review and confirm answer at once while the endpoint hangs; the upgrade is recorded once', async () => {
    // The default retry of requests to the channel: an update waited for would take 15 s or more.
    const bot = await start({ UPGRADE_APPROVERS: '' }, { outboundRetry: {} });
    channel.delayMs = 30_000; // every update of the pressed card hangs
    const pressed = { replyToId: 'card-1' };
    let t = Date.now();
    const token = await prepare(bot, pressed);
    expect(Date.now() - t).toBeLessThan(8000); // an update waited for: 15 s or more
    t = Date.now();
    const answer = await replies(bot, teamsInvoke(serviceUrl, 'confirm', { token }, pressed));
    expect(Date.now() - t).toBeLessThan(8000); // an update waited for: 15 s or more
    expect(answer).toContain('Upgrade done');
    const history = await bot.app.storage.ledger.history(contosoId(bot));
    expect(history.map((e) => e.status)).toEqual(['done']);
    const e3 = (await bot.app.customers.get(contosoId(bot)))!.subscriptions.filter(
      (s) => s.offerId === 'O365_E3' && s.status === 'active',
    );
    expect(e3).toHaveLength(1);
    // The updates were sent, after the answers.
    await channel.waitFor(2, 5000);
    expect(channel.requests.every((r) => r.method === 'PUT')).toBe(true);
  });

  it('a confirm that outlasts the in-turn budget is answered "in progress"; the outcome then replaces the card', async () => {
    const slow: AppOptions['wrapGateway'] = (gateway) => ({
      system: gateway.system,
      judgesEligibility: gateway.judgesEligibility,
      execute: async (order, key) => {
        await sleep(3000);
        return gateway.execute(order, key);
      },
    });
    const bot = await start({ TEAMS_INVOKE_BUDGET_MS: '300', UPGRADE_APPROVERS: '' }, { wrapGateway: slow });
    const pressed = { replyToId: 'card-7' };
    const token = await prepare(bot, pressed);
    await channel.waitFor(1, 5000); // the review's update of the pressed card
    const answer = await replies(bot, teamsInvoke(serviceUrl, 'confirm', { token }, pressed));
    // Answered while the gateway (3 s) was still running: the outcome was not known yet.
    expect(answer).toContain('Upgrade in progress');
    expect((await bot.app.storage.ledger.get(token))?.status).toBe('executing');
    expect(answer).toContain('"verb":"refreshConfirm"'); // viewed later, the card refreshes to the outcome
    // The "in progress" update, then the outcome's, both of the pressed card.
    await channel.waitFor(3, 10_000);
    const updates = channel.requests.slice(1).map((r) => JSON.stringify(r.activity));
    expect(updates[0]).toContain('Upgrade in progress');
    expect(updates[1]).toContain('Upgrade done');
    expect(channel.requests.every((r) => r.method === 'PUT' && r.path.endsWith('/activities/card-7'))).toBe(
      true,
    );
    expect((await bot.app.storage.ledger.get(token))?.status).toBe('done');
  });
});

describe('finding 5: automatic refreshes never post messages', () => {
  it('25 automatic refreshes with a stale token: no message, silent answers, within the refresh limit', async () => {
    const bot = await start({ RATE_LIMIT_MESSAGES: '2' });
    const statuses: string[] = [];
    for (let i = 0; i < 25; i++) {
      const refresh = teamsInvoke(serviceUrl, 'refreshConfirm', { token: 'stale-token-000' }, {});
      (refresh.value as { trigger?: string }).trigger = 'automatic';
      const res = await post(bot.url, refresh);
      statuses.push(String(res.status));
      expect(JSON.stringify(await res.json())).not.toContain('not valid any more');
    }
    expect(new Set(statuses)).toEqual(new Set(['200']));
    await sleep(200);
    expect(channel.requests).toEqual([]);
  });
});

describe('finding 6: display names are shown as text', () => {
  it('a markdown link in from.name stays text in the "By" fact of another user\'s card', async () => {
    const bot = await start({ UPGRADE_APPROVERS: '' });
    const conversation = { id: 'a:conv-user-1', conversationType: 'groupChat', tenantId: 'tenant-a' };
    const activity = teamsInvoke(
      serviceUrl,
      'review',
      {
        customerId: contosoId(bot),
        subscriptionId: 'sub-contoso-essentials',
        target: 'O365_E3',
        seats: '40',
      },
      { conversation: conversation as Activity['conversation'] },
    );
    activity.from = { ...activity.from!, name: '[Security notice](https://evil.example/login)' };
    const review = await post(bot.url, activity);
    const token = (
      actions(((await review.json()) as { value: unknown }).value).find((a) => a.verb === 'confirm')!
        .data as { token: string }
    ).token;
    const confirm = teamsInvoke(
      serviceUrl,
      'confirm',
      { token },
      { conversation: conversation as Activity['conversation'] },
    );
    confirm.from = { ...confirm.from!, name: '[Security notice](https://evil.example/login)' };
    const done = await replies(bot, confirm);
    expect(done).toContain('Upgrade done');
    expect(done).not.toContain('[Security notice](https://evil.example/login)');
    expect(done).toContain('\\\\[Security notice\\\\]\\\\(https://evil.example/login\\\\)');
  });
});

describe('finding 8: bounds', () => {
  it('a confirm card past its lifetime gets a clear answer and changes nothing', async () => {
    const bot = await start({ UPGRADE_REQUEST_LIFETIME_SECONDS: '1', UPGRADE_APPROVERS: '' });
    const token = await prepare(bot);
    await sleep(1100);
    const answer = await replies(bot, teamsInvoke(serviceUrl, 'confirm', { token }));
    expect(answer).toContain('This confirm card expired');
    expect((await bot.app.storage.ledger.get(token))?.status).toBe('expired');
    const e3 = (await bot.app.customers.get(contosoId(bot)))!.subscriptions.filter(
      (s) => s.offerId === 'O365_E3' && s.status === 'active',
    );
    expect(e3).toHaveLength(0);
  });
});
