/**
 * A retry must not post a message twice: a POST (a new message) that timed out, lost its connection after it
 * was sent or got a 5xx other than 503 may have been delivered, so it is sent once; a PUT (a card update) is
 * idempotent and is retried; a POST refused before it was sent, or answered 429/503, is retried. And the
 * retries of one turn share a time budget (OUTBOUND_RETRY_BUDGET_SECONDS): a channel that hangs cannot hold a
 * turn for a minute. Against the running bot and channel stand-ins that count what they receive, and against
 * the policy alone with a fake clock.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_OUTBOUND_RETRY,
  outboundRetryPolicy,
  type AttemptFailure,
  type OutboundRetryOptions,
} from '../../src/http/outbound-retry.js';
import { customerNamed, emulatorMessage, post, startBot, type RunningBot } from '../support/server.js';
import { memoryLogger, ScriptedChannel, sleep, teamsInvoke } from './support.js';

const channel = new ScriptedChannel();
const log = memoryLogger('info');
let bot: RunningBot;
let serviceUrl: string;

const ATTEMPT_MS = 300;

beforeAll(async () => {
  serviceUrl = await channel.start();
  bot = await startBot(
    { OUTBOUND_RETRY_BUDGET_SECONDS: '1' },
    {
      logger: log.logger,
      processMetrics: false,
      // Many retries allowed: the budget is what stops them.
      outboundRetry: { maxRetries: 10, baseDelayMs: 20, maxDelayMs: 100, timeoutMs: ATTEMPT_MS },
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

/** How many times each distinct activity (by text, or by card) arrived. */
function copies(method: string): number[] {
  const counts = new Map<string, number>();
  for (const r of channel.requests.filter((q) => q.method === method)) {
    const key = JSON.stringify([r.activity.text, r.activity.attachments]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.values()];
}

const gaveUp = () =>
  log.lines.filter((l) => l.msg === 'request to the channel failed; giving up').map((l) => l.gaveUp);

describe('a new message (POST) that may have been delivered is sent once', () => {
  it('the channel does not answer: one attempt each for the reply and the apology', async () => {
    channel.delayMs = 5000;
    const started = Date.now();
    const res = await post(bot.url, emulatorMessage('help', serviceUrl));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2 * ATTEMPT_MS + 1000);
    expect(channel.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
    expect(copies('POST')).toEqual([1, 1]);
    expect(gaveUp()).toEqual(['not repeatable', 'not repeatable']);
  });

  it('5xx other than 503 (500, 502, 504): not repeated', async () => {
    for (const status of [500, 502, 504]) {
      channel.requests.length = 0;
      log.lines.length = 0;
      channel.plan = [status, status];
      expect((await post(bot.url, emulatorMessage('help', serviceUrl))).status).toBe(200);
      expect(
        channel.requests.map((r) => r.status),
        String(status),
      ).toEqual([status, status]);
      expect(copies('POST')).toEqual([1, 1]);
      expect(gaveUp()).toEqual(['not repeatable', 'not repeatable']);
    }
  });

  it('the connection drops after the request was sent: not repeated', async () => {
    let received = 0;
    const dropping: Server = createServer((req) => {
      req.resume();
      req.on('end', () => {
        received++;
        req.socket.destroy();
      });
    });
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(dropping.address() as AddressInfo).port}`;
      expect((await post(bot.url, emulatorMessage('help', url))).status).toBe(200);
      expect(received).toBe(2); // the reply and the apology, once each
      expect(gaveUp()).toEqual(['not repeatable', 'not repeatable']);
      expect(log.lines.find((l) => l.gaveUp === 'not repeatable')?.code).toBe('ECONNRESET');
    } finally {
      dropping.closeAllConnections();
      await new Promise((resolve) => dropping.close(resolve));
    }
  });

  it('429 and 503 are repeated (the channel did not act on it), until delivered', async () => {
    channel.plan = [429, 503];
    expect((await post(bot.url, emulatorMessage('help', serviceUrl))).status).toBe(200);
    expect(channel.requests.map((r) => r.status)).toEqual([429, 503, 200]);
    expect(gaveUp()).toEqual([]);
  });
});

describe('a card update (PUT) is idempotent: retried, within the turn budget', () => {
  it('a Teams review invoke while the channel hangs: answered at once; the PUT is retried until the budget is spent', async () => {
    channel.delayMs = 5000;
    const contoso = (await customerNamed(bot.app, 'Contoso Ltd'))!;
    const started = Date.now();
    const res = await post(
      bot.url,
      teamsInvoke(
        serviceUrl,
        'review',
        {
          customerId: contoso.id,
          subscriptionId: 'sub-contoso-essentials',
          target: 'O365_E3',
          seats: '40',
          transfer: 'true',
        },
        { replyToId: 'card-1' },
      ),
    );
    const elapsed = Date.now() - started;
    // The user gets the confirm card at once, in the invoke response: the update runs after it.
    expect(res.status).toBe(200);
    expect(((await res.json()) as { type: string }).type).toBe('application/vnd.microsoft.card.adaptive');
    expect(elapsed).toBeLessThan(1000);
    for (let i = 0; i < 50 && gaveUp().length === 0; i++) await sleep(100);
    const puts = channel.requests.filter((r) => r.method === 'PUT');
    // Retried (more than once), but the 1 s budget stops it: 10 retries of 300 ms would take 3.3 s.
    expect(puts.length).toBeGreaterThanOrEqual(2);
    expect(puts.length).toBeLessThanOrEqual(4);
    expect(puts.every((r) => r.path === puts[0]!.path && r.path.endsWith('/activities/card-1'))).toBe(true);
    expect(gaveUp()).toEqual(['budget']);
    expect(Date.now() - started).toBeLessThan(1000 + ATTEMPT_MS + 700);
  });
});

describe('the policy alone (fake clock)', () => {
  interface Fake {
    readonly sent: string[];
    readonly failures: AttemptFailure[];
    clock: number;
    send(method: string): Promise<unknown>;
  }

  /**
   * A policy whose `next` takes `outcome(attempt)`: a status, or an error code thrown; a `hang` advances the
   * fake clock by the attempt's time limit, then times out.
   */
  function fake(options: Partial<OutboundRetryOptions>, outcome: (attempt: number) => number | string): Fake {
    const f: Fake = {
      sent: [],
      failures: [],
      clock: 0,
      send: async () => undefined,
    };
    const policy = outboundRetryPolicy(
      { ...DEFAULT_OUTBOUND_RETRY, baseDelayMs: 1, maxDelayMs: 2, ...options },
      { onRetry: () => undefined, onGiveUp: (failure) => f.failures.push(failure) },
      () => 0.5,
      () => f.clock,
    ).forTurn();
    f.send = (method) => {
      let attempt = 0;
      return policy.sendRequest(
        { method, url: 'http://127.0.0.1:1/v3/conversations/c/activities/a', timeout: 0 },
        (request) => {
          attempt++;
          f.sent.push(method);
          const result = outcome(attempt);
          if (result === 'hang') {
            f.clock += request.timeout;
            return Promise.reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          }
          if (typeof result === 'string') {
            return Promise.reject(Object.assign(new Error(result), { code: result }));
          }
          return Promise.resolve({ status: result, headers: { get: () => undefined } });
        },
      );
    };
    return f;
  }

  it('POST: a time-out, a reset connection, a 500 are final; a refused connection, 429 and 503 are retried', async () => {
    for (const final of ['hang', 'ECONNRESET', 'EPIPE', 500, 502, 504, 408]) {
      const f = fake({}, () => final);
      await f.send('POST').catch(() => undefined);
      expect(f.sent, String(final)).toEqual(['POST']);
      expect(f.failures.map((x) => x.gaveUp)).toEqual(['not repeatable']);
    }
    for (const retried of ['ECONNREFUSED', 'EAI_AGAIN', 429, 503]) {
      const f = fake({}, (attempt) => (attempt < 3 ? retried : 201));
      await f.send('POST');
      expect(f.sent, String(retried)).toEqual(['POST', 'POST', 'POST']);
      expect(f.failures).toEqual([]);
    }
  });

  it('PUT (and DELETE, GET): a time-out or a 500 is retried', async () => {
    for (const method of ['PUT', 'DELETE', 'GET']) {
      for (const transient of ['hang', 'ECONNRESET', 500]) {
        const f = fake({ timeoutMs: 1000 }, (attempt) => (attempt < 3 ? transient : 200));
        await f.send(method);
        expect(f.sent.length, `${method} ${String(transient)}`).toBe(3);
      }
    }
  });

  it('with the defaults, a PUT to a channel that hangs takes one 15 s attempt, not four (62 s)', async () => {
    const f = fake({ maxRetries: 3, timeoutMs: 15_000, budgetMs: 10_000 }, () => 'hang');
    await expect(f.send('PUT')).rejects.toThrow();
    expect(f.sent).toEqual(['PUT']);
    expect(f.clock).toBe(15_000);
    expect(f.failures.map((x) => x.gaveUp)).toEqual(['budget']);
  });

  it('the retries of one turn share its budget; a retry’s time limit ends with it', async () => {
    const f = fake({ maxRetries: 10, timeoutMs: 4000, budgetMs: 10_000 }, () => 'hang');
    await expect(f.send('PUT')).rejects.toThrow();
    // 4 s, 4 s, then what is left of the budget (about 2 s): the budget ends the last attempt.
    expect(f.sent.length).toBe(3);
    expect(f.clock).toBeLessThanOrEqual(10_000);
    const before = f.clock;
    await expect(f.send('PUT')).rejects.toThrow();
    // A later send in the same turn gets its first attempt, and no retry.
    expect(f.sent.length).toBe(4);
    expect(f.clock - before).toBe(4000);
    expect(f.failures.map((x) => x.gaveUp)).toEqual(['budget', 'budget']);
  });
});
