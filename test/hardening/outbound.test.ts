/**
 * A failing send to the channel, against the running server and a channel stand-in that fails on demand:
 * transient failures are retried with backoff and logged, permanent ones are not retried, and when every
 * attempt fails the turn ends (logged, counted) and the process carries on.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isTransientStatus, retryAfterMs } from '../../src/http/outbound-retry.js';
import { emulatorMessage, post, startBot, type RunningBot } from '../support/server.js';
import { memoryLogger, ScriptedChannel } from './support.js';

const channel = new ScriptedChannel();
const log = memoryLogger('info');
let bot: RunningBot;
let serviceUrl: string;

beforeAll(async () => {
  serviceUrl = await channel.start();
  bot = await startBot(
    {},
    {
      logger: log.logger,
      processMetrics: false,
      outboundRetry: { maxRetries: 3, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 1000 },
    },
  );
});
afterAll(async () => {
  await bot.close();
  await channel.close();
});
beforeEach(() => {
  channel.requests.length = 0;
  channel.plan = [];
  channel.retryAfter = undefined;
  channel.delayMs = 0;
  log.lines.length = 0;
});

async function counter(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await bot.app.metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('replies to the channel', () => {
  it('503, 429 then 200: delivered on the third attempt, each retry logged and counted', async () => {
    channel.plan = [503, 429];
    const retriesBefore = await counter('outbound_retries_total');
    const res = await post(bot.url, emulatorMessage('help', serviceUrl));
    expect(res.status).toBe(200);
    await channel.waitFor(3);
    expect(channel.requests.map((r) => r.status)).toEqual([503, 429, 200]);
    // The same reply each time.
    expect(new Set(channel.requests.map((r) => r.activity.text)).size).toBe(1);
    const retries = log.lines.filter((l) => l.msg === 'request to the channel failed; retrying');
    expect(retries.map((l) => [l.status, l.attempt])).toEqual([
      [503, 1],
      [429, 2],
    ]);
    expect(retries.every((l) => typeof l.delayMs === 'number' && (l.delayMs as number) <= 200)).toBe(true);
    expect(await counter('outbound_retries_total')).toBe(retriesBefore + 2);
    expect(log.lines.some((l) => l.msg === 'turn failed')).toBe(false);
  });

  it('429 with Retry-After: waits as told (capped), then delivers', async () => {
    channel.plan = [429];
    channel.retryAfter = '0.1';
    const res = await post(bot.url, emulatorMessage('help', serviceUrl));
    expect(res.status).toBe(200);
    await channel.waitFor(2);
    expect(channel.requests.map((r) => r.status)).toEqual([429, 200]);
    const retry = log.lines.find((l) => l.msg === 'request to the channel failed; retrying');
    expect(retry?.delayMs).toBe(100);
  });

  it('a permanent failure (403) is not retried; the turn fails, is logged, and the server answers on', async () => {
    channel.plan = [403, 403];
    const errorsBefore = await counter('errors_total', { kind: 'turn' });
    const res = await post(bot.url, emulatorMessage('help', serviceUrl));
    expect(res.status).toBe(200);
    await channel.waitFor(2); // the reply, then the apology
    expect(channel.requests.map((r) => r.status)).toEqual([403, 403]);
    expect(log.lines.some((l) => l.msg === 'request to the channel failed; retrying')).toBe(false);
    expect(log.lines.some((l) => l.msg === 'turn failed')).toBe(true);
    expect(await counter('errors_total', { kind: 'turn' })).toBe(errorsBefore + 1);
  });

  it('every attempt fails: bounded attempts, "giving up" logged, the process carries on', async () => {
    channel.plan = Array.from({ length: 8 }, () => 503);
    const outboundBefore = await counter('errors_total', { kind: 'outbound' });
    const started = Date.now();
    const res = await post(bot.url, emulatorMessage('help', serviceUrl));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    // 4 attempts for the reply, 4 for the apology; then nothing more.
    await channel.waitFor(8);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(log.lines.filter((l) => l.msg === 'request to the channel failed; giving up')).toHaveLength(2);
    expect(log.lines.some((l) => l.msg === 'could not send the apology')).toBe(true);
    expect(await counter('errors_total', { kind: 'outbound' })).toBe(outboundBefore + 2);
    // Still serving.
    const health = await fetch(`${bot.url}/healthz`);
    expect(health.status).toBe(200);
    const again = await post(bot.url, emulatorMessage('help', serviceUrl));
    expect(again.status).toBe(200);
    await channel.waitFor(9);
    expect(channel.requests[8]?.status).toBe(200);
  });

  it('a channel that does not answer: the attempt times out, the POST is not repeated, the turn ends', async () => {
    const quick = await startBot(
      {},
      {
        logger: log.logger,
        processMetrics: false,
        outboundRetry: { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 200 },
      },
    );
    try {
      channel.delayMs = 600; // longer than the attempt time limit
      const started = Date.now();
      const res = await post(quick.url, emulatorMessage('help', serviceUrl));
      expect(res.status).toBe(200);
      // One attempt for the reply, one for the apology, each cut at 200 ms: a POST that timed out may have
      // been delivered, so it is not sent again.
      expect(log.lines.filter((l) => l.code === 'TIMEOUT').map((l) => [l.msg, l.gaveUp])).toEqual([
        ['request to the channel failed; giving up', 'not repeatable'],
        ['request to the channel failed; giving up', 'not repeatable'],
      ]);
      await channel.waitFor(2);
      expect(channel.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await quick.close();
    }
  });

  it('a connection refused is retried too', async () => {
    const res = await post(bot.url, emulatorMessage('help', 'http://127.0.0.1:9'));
    expect(res.status).toBe(200);
    const retried = log.lines.filter((l) => l.msg === 'request to the channel failed; retrying');
    expect(retried.length).toBe(6); // 3 for the reply, 3 for the apology
    expect(retried[0]?.code).toBe('ECONNREFUSED');
  });
});

describe('the retry rules', () => {
  it('transient statuses', () => {
    expect([408, 429, 500, 502, 503, 504].every(isTransientStatus)).toBe(true);
    expect([200, 400, 401, 403, 404, 409, 501, 505].some(isTransientStatus)).toBe(false);
  });

  it('Retry-After in seconds, as a date, in ms', () => {
    const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name] });
    expect(retryAfterMs(headers({ 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(headers({ 'retry-after-ms': '150' }))).toBe(150);
    expect(retryAfterMs(headers({ 'retry-after': new Date(10_000).toUTCString() }), 4000)).toBe(6000);
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(headers({}))).toBeUndefined();
  });
});
