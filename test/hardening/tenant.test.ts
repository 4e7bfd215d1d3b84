/**
 * Tenancy and identity, against the running server: with ALLOWED_TENANTS set, Teams activities from any
 * other tenant (or none, or two) get a polite refusal and change nothing (no answer, no state, no ledger
 * entry, no upgrade); the approver identity comes from the activity's sender, never from card data.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GUARD_KEYS } from '../../src/bot/guards.js';
import { Wording } from '../../src/bot/i18n.js';
import { actions } from '../support/cards.js';
import { directorySnapshot, emulatorMessage, post, startBot, type RunningBot } from '../support/server.js';
import { contosoIdOf, ScriptedChannel, sleep, teamsActivity, teamsInvoke } from './support.js';

const channel = new ScriptedChannel();
const refusal = new Wording().for('en').t(GUARD_KEYS.tenantRefused);
let bot: RunningBot;
let serviceUrl: string;

beforeAll(async () => {
  serviceUrl = await channel.start();
  bot = await startBot(
    {
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ua-tenant-')),
      ALLOWED_TENANTS: 'tenant-a, TENANT-C',
      UPGRADE_APPROVERS: 'aad-boss',
    },
    { processMetrics: false },
  );
});
afterAll(async () => {
  await bot.close();
  await channel.close();
});
beforeEach(() => {
  channel.requests.length = 0;
});

function contosoId(): string {
  return contosoIdOf();
}

function snapshot(): Promise<string> {
  return directorySnapshot(bot.app);
}

async function stateOf(activity: Partial<Activity>): Promise<unknown> {
  const key = `${activity.channelId}/conversations/${activity.conversation!.id}/`; // ConversationState's key
  return (await bot.app.storage.state.read([key]))[key];
}

/** Teams review → the confirm token, as `user` of `tenant`. */
async function prepare(user = 'user-1', tenant = 'tenant-a'): Promise<string> {
  const res = await post(
    bot.url,
    teamsInvoke(
      serviceUrl,
      'review',
      {
        customerId: contosoId(),
        subscriptionId: 'sub-contoso-essentials',
        target: 'O365_E3',
        seats: '40',
        transfer: 'true',
      },
      { user, tenant },
    ),
  );
  const body = (await res.json()) as { value: unknown };
  return (actions(body.value).find((a) => a.verb === 'confirm')!.data as { token: string }).token;
}

async function invokeText(activity: Partial<Activity>): Promise<string> {
  const res = await post(bot.url, activity);
  expect(res.status).toBe(200);
  return JSON.stringify(await res.json());
}

describe('ALLOWED_TENANTS', () => {
  it('an allowed tenant is served (tenant ids compared without case)', async () => {
    for (const tenant of ['tenant-a', 'Tenant-C']) {
      const message = teamsActivity(serviceUrl, {
        text: 'can Contoso upgrade?',
        tenant,
        user: `u-${tenant}`,
      });
      expect((await post(bot.url, message)).status).toBe(200);
      await channel.waitFor(1);
      expect(channel.requests[0]?.activity.text).toContain('Contoso Ltd');
      expect(await stateOf(message)).toBeDefined();
      channel.requests.length = 0;
    }
  });

  it.each<[string, Partial<Activity> & { tenant?: string }]>([
    ['another tenant', { tenant: 'tenant-b' }],
    [
      'no tenant at all',
      { channelData: {}, conversation: { id: 'a:conv-none' } as Activity['conversation'] },
    ],
    [
      'two different tenants (channelData vs conversation)',
      {
        channelData: { tenant: { id: 'tenant-a' } },
        conversation: { id: 'a:conv-two', tenantId: 'tenant-b' } as Activity['conversation'],
      },
    ],
  ])('%s: a polite refusal, nothing else', async (_label, extra) => {
    const before = await snapshot();
    const message = teamsActivity(serviceUrl, { text: 'can Contoso upgrade?', user: 'outsider', ...extra });
    expect((await post(bot.url, message)).status).toBe(200);
    await channel.waitFor(1);
    await sleep(50);
    expect(channel.requests.map((r) => r.activity.text)).toEqual([refusal]);
    expect(await stateOf(message)).toBeUndefined();
    expect(await snapshot()).toBe(before);
  });

  it('a card action from another tenant: refused in the invoke response, the upgrade does not happen', async () => {
    const token = await prepare('boss', 'tenant-a');
    const before = await snapshot();
    for (const verb of ['confirm', 'cancel', 'review', 'startUpgrade']) {
      const text = await invokeText(
        teamsInvoke(
          serviceUrl,
          verb,
          { token, customerId: contosoId() },
          { user: 'boss', tenant: 'tenant-b' },
        ),
      );
      expect(text).toContain('application/vnd.microsoft.activity.message');
      expect(text).toContain(JSON.stringify(refusal).slice(1, -1));
    }
    expect((await bot.app.storage.ledger.get(token))?.status).toBe('pending');
    expect(await snapshot()).toBe(before);
    expect(
      (await bot.app.storage.ledger.history(contosoId())).filter((e) => e.status === 'done'),
    ).toHaveLength(0);
  });

  it('installed in another tenant: a refusal; other activities from it: no answer', async () => {
    await post(
      bot.url,
      teamsActivity(serviceUrl, { type: 'installationUpdate', action: 'add', tenant: 'tenant-b' }),
    );
    await channel.waitFor(1);
    expect(channel.requests[0]?.activity.text).toBe(refusal);
    channel.requests.length = 0;
    const update = teamsActivity(serviceUrl, {
      type: 'conversationUpdate',
      tenant: 'tenant-b',
      membersAdded: [{ id: '29:x', name: 'x' }],
    });
    expect((await post(bot.url, update)).status).toBe(200);
    await sleep(100);
    expect(channel.requests).toHaveLength(0);
  });

  it('refusals are counted', async () => {
    const metric = await bot.app.metrics.registry.getSingleMetric('turns_total')?.get();
    const refused = metric?.values.filter((v) => v.labels.outcome === 'tenant_refused') ?? [];
    expect(refused.reduce((s, v) => s + v.value, 0)).toBeGreaterThanOrEqual(8);
  });

  it('every other channel is refused: it carries no verified tenant (the Emulator included)', async () => {
    for (const channelId of ['emulator', 'webchat', 'directline']) {
      const message = emulatorMessage('help', serviceUrl, { deliveryMode: 'expectReplies', channelId });
      const res = await post(bot.url, message);
      const body = (await res.json()) as { activities: { text: string }[] };
      expect(body.activities.map((a) => a.text)).toEqual([
        "Sorry, I can only help users of the organizations I'm set up for. Nothing was done.",
      ]);
      expect(await stateOf(message)).toBeUndefined();
    }
  });
});

describe('approver identity', () => {
  it('comes from the sender of the activity: card data naming an approver changes nothing', async () => {
    const token = await prepare('user-1');
    const forged = { token, aadObjectId: 'aad-boss', from: { id: '29:boss', aadObjectId: 'aad-boss' } };
    const text = await invokeText(teamsInvoke(serviceUrl, 'confirm', forged, { user: 'user-1' }));
    expect(text).toContain('Only an approver can confirm');
    // Action.Submit (Emulator-style message) with the same forged data.
    const submitted = await post(
      bot.url,
      emulatorMessage('', serviceUrl, {
        text: undefined,
        value: { verb: 'confirm', ...forged },
        deliveryMode: 'expectReplies',
      }),
    );
    // With ALLOWED_TENANTS set, a channel without a verified tenant does not get that far.
    expect(JSON.stringify(await submitted.json())).toContain('I can only help users of the organizations');
    expect((await bot.app.storage.ledger.get(token))?.status).toBe('pending');
    // The approver, as the sender, in the conversation where the card was shown.
    const conversation = {
      id: 'a:conv-user-1',
      conversationType: 'personal',
      tenantId: 'tenant-a',
    } as Activity['conversation'];
    const done = await invokeText(
      teamsInvoke(serviceUrl, 'confirm', { token }, { user: 'boss', conversation }),
    );
    expect(done).toContain('Upgrade done');
    expect((await bot.app.storage.ledger.get(token))?.decidedBy?.aadObjectId).toBe('aad-boss');
  });
});
