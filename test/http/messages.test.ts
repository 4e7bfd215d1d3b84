/** The running server, driven over HTTP the way the Emulator and Teams drive it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelEndpoint, emulatorMessage, post, startBot, type RunningBot } from '../support/server.js';
import { texts } from '../support/cards.js';

let bot: RunningBot;
const channel = new ChannelEndpoint();
let serviceUrl: string;

beforeAll(async () => {
  bot = await startBot();
  serviceUrl = await channel.start();
});
afterAll(async () => {
  await bot.close();
  await channel.close();
});

describe('POST /api/messages', () => {
  it('normal delivery: 200 with an empty body, the reply POSTed to the channel as a reply to the message', async () => {
    const before = channel.received.length;
    const message = emulatorMessage('can Contoso upgrade?', serviceUrl);
    const res = await post(bot.url, message);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    await channel.waitFor(before + 1);
    const got = channel.received[before]!;
    expect(got.path).toBe(`/v3/conversations/${message.conversation!.id}/activities/${message.id}`);
    expect(got.headers.authorization).toBeUndefined(); // anonymous mode
    expect(got.activity).toMatchObject({ type: 'message', replyToId: message.id, locale: 'en' });
    expect(got.activity.text).toContain('Contoso Ltd');
    const card = got.activity.attachments?.[0]?.content;
    expect(texts(card).join('\n')).toContain('sub-contoso-essentials');
  });

  it('expectReplies: 200 with the replies in the body, nothing sent to the channel', async () => {
    const before = channel.received.length;
    const res = await post(
      bot.url,
      emulatorMessage('ContosoはE5にアップグレードできますか？', serviceUrl, {
        deliveryMode: 'expectReplies',
        locale: 'ja-JP',
      }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { activities: { text: string; locale: string }[] };
    expect(body.activities).toHaveLength(1);
    expect(body.activities[0]!.locale).toBe('ja');
    expect(body.activities[0]!.text).toContain('Office 365 Enterprise E5');
    await new Promise((r) => setTimeout(r, 100));
    expect(channel.received.length).toBe(before);
  });

  it('a Teams channel message with an @mention, in French', async () => {
    const res = await post(
      bot.url,
      emulatorMessage('<at>Upgrade Assistant</at> Quels clients peuvent passer à E5 ?', serviceUrl, {
        channelId: 'msteams',
        locale: 'fr-FR',
        deliveryMode: 'expectReplies',
        entities: [
          {
            type: 'mention',
            mentioned: { id: 'bot-1', name: 'Upgrade Assistant' },
            text: '<at>Upgrade Assistant</at>',
          },
        ],
      }),
    );
    const body = (await res.json()) as { activities: { text: string }[] };
    expect(body.activities[0]!.text).toContain('Woodgrove Bank');
    expect(body.activities[0]!.text).toContain('clients');
  });
});

describe('GET /healthz', () => {
  it('answers ok', async () => {
    const res = await fetch(`${bot.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});
