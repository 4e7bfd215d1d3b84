/**
 * The per-user rate limit: the token bucket itself (fake clock), then against the running server: past the
 * limit a user gets one friendly answer per window and nothing runs (card actions included, Teams' automatic
 * card refreshes not counted), other users are not affected, and the user is served again once the bucket
 * has refilled.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GUARD_KEYS } from '../../src/bot/guards.js';
import { Wording } from '../../src/bot/i18n.js';
import { RateLimiter } from '../../src/bot/rate-limiter.js';
import { parseConfig } from '../../src/config.js';
import { emulatorMessage, post, startBot, type RunningBot } from '../support/server.js';
import { ScriptedChannel, sleep, teamsActivity, teamsInvoke } from './support.js';

describe('RateLimiter', () => {
  it('a burst of `limit`, then one notice per window, refilled continuously', () => {
    let now = 0;
    const limiter = new RateLimiter({ limit: 20, windowMs: 10_000, now: () => now });
    for (let i = 0; i < 20; i++) expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: false, notify: true });
    expect(limiter.take('a')).toEqual({ allowed: false, notify: false });
    expect(limiter.take('b')).toEqual({ allowed: true });
    now += 500; // one token back (20 per 10 s)
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: false, notify: false });
    now += 10_000;
    expect(limiter.take('a')).toEqual({ allowed: true });
    for (let i = 0; i < 19; i++) limiter.take('a');
    expect(limiter.take('a')).toEqual({ allowed: false, notify: true }); // a new window, a new notice
  });

  it('keeps at most maxKeys users', () => {
    let now = 0;
    const limiter = new RateLimiter({ limit: 2, windowMs: 1000, maxKeys: 100, now: () => now });
    for (let i = 0; i < 1000; i++) {
      now += 1;
      limiter.take(`user-${i}`);
    }
    expect(limiter.size).toBeLessThanOrEqual(100);
  });

  it('defaults: 20 messages per 10 s', () => {
    const config = parseConfig({});
    expect([config.RATE_LIMIT_MESSAGES, config.RATE_LIMIT_WINDOW_SECONDS]).toEqual([20, 10]);
  });
});

describe('against the running server', () => {
  const channel = new ScriptedChannel();
  const notice = new Wording().for('en').t(GUARD_KEYS.rateLimited);
  let bot: RunningBot;
  let serviceUrl: string;

  beforeAll(async () => {
    serviceUrl = await channel.start();
    // 5 per minute: no token comes back during these tests, whatever the machine's speed.
    bot = await startBot(
      { RATE_LIMIT_MESSAGES: '5', RATE_LIMIT_WINDOW_SECONDS: '60' },
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

  it('past the limit: one friendly notice, the rest dropped; other users served', async () => {
    for (let i = 0; i < 9; i++) {
      const res = await post(
        bot.url,
        emulatorMessage('help', serviceUrl, { from: { id: 'flooder', name: 'F' } }),
      );
      expect(res.status).toBe(200);
    }
    await post(bot.url, emulatorMessage('help', serviceUrl, { from: { id: 'calm', name: 'C' } }));
    await channel.waitFor(7);
    await sleep(100);
    const texts = channel.requests.map((r) => r.activity.text ?? '');
    expect(texts.filter((t) => t.includes('Upgrade Assistant'))).toHaveLength(6); // 5 + the calm user
    expect(texts.filter((t) => t === notice)).toHaveLength(1);
    expect(channel.requests).toHaveLength(7);
  });

  it('card actions count too, and are answered in the invoke response; nothing runs', async () => {
    const user = 'clicker';
    for (let i = 0; i < 5; i++) {
      await post(bot.url, teamsActivity(serviceUrl, { text: 'help', user, deliveryMode: 'expectReplies' }));
    }
    const res = await post(
      bot.url,
      teamsInvoke(serviceUrl, 'confirm', { token: 'AAAAAAAAAAAAAAAAAAAAAA' }, { user }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: notice,
    });
    // Teams' automatic refresh of a card is not the user's doing: not limited.
    const refresh = teamsInvoke(serviceUrl, 'refreshConfirm', { token: 'AAAAAAAAAAAAAAAAAAAAAA' }, { user });
    (refresh.value as { trigger: string }).trigger = 'automatic';
    const refreshed = await post(bot.url, refresh);
    expect(JSON.stringify(await refreshed.json())).not.toContain(JSON.stringify(notice).slice(1, -1));
  });

  it('served again once the bucket has refilled', async () => {
    const quick = await startBot(
      { RATE_LIMIT_MESSAGES: '1', RATE_LIMIT_WINDOW_SECONDS: '1' },
      { processMetrics: false },
    );
    try {
      const from = { id: 'patient', name: 'P' };
      const say = async () => {
        const res = await post(
          quick.url,
          emulatorMessage('help', serviceUrl, { from, deliveryMode: 'expectReplies' }),
        );
        return ((await res.json()) as { activities: { text: string }[] }).activities.map((a) => a.text);
      };
      expect((await say())[0]).toContain('Upgrade Assistant');
      expect(await say()).toEqual([notice]);
      await sleep(1100);
      expect((await say())[0]).toContain('Upgrade Assistant');
    } finally {
      await quick.close();
    }
  });

  it('RATE_LIMIT_MESSAGES=0 turns it off', async () => {
    const free = await startBot({ RATE_LIMIT_MESSAGES: '0' }, { processMetrics: false });
    try {
      for (let i = 0; i < 30; i++) {
        const res = await post(
          free.url,
          emulatorMessage('help', serviceUrl, { deliveryMode: 'expectReplies' }),
        );
        const body = (await res.json()) as { activities: { text: string }[] };
        expect(body.activities[0]?.text).toContain('Upgrade Assistant');
      }
    } finally {
      await free.close();
    }
  });
});
