/**
 * Bad input at the door, against the running server: oversize bodies (413), malformed JSON (400), wrong
 * content type or encoding (415), activities missing required fields or with fields of the wrong type (400),
 * unknown activity types and invoke names (ignored: 200), bad Universal Actions (the invoke's own 400). None
 * of them runs a turn or sends anything to the channel, and no 5xx body ever carries an internal message.
 */
import { request } from 'node:http';
import type { Activity } from 'botbuilder';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotAdapter } from '../../src/http/adapter.js';
import { Authenticator } from '../../src/http/authentication.js';
import { InFlight } from '../../src/http/in-flight.js';
import { messagesEndpoint } from '../../src/http/messages.js';
import { DEFAULT_OUTBOUND_RETRY, outboundRetryPolicy } from '../../src/http/outbound-retry.js';
import { RequestLog } from '../../src/http/request-log.js';
import { Metrics } from '../../src/observability/metrics.js';
import { createServer } from '../../src/server.js';
import { directorySnapshot, emulatorMessage, post, startBot, type RunningBot } from '../support/server.js';
import { ScriptedChannel, teamsActivity } from './support.js';

const channel = new ScriptedChannel();
let bot: RunningBot;
let serviceUrl: string;

beforeAll(async () => {
  serviceUrl = await channel.start();
  bot = await startBot({}, { processMetrics: false });
});
afterAll(async () => {
  await bot.close();
  await channel.close();
});

async function turns(): Promise<number> {
  const metric = await bot.app.metrics.registry.getSingleMetric('turns_total')?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

/** Posts, and checks that nothing ran and nothing was sent. */
async function rejected(body: unknown, headers: Record<string, string> = {}) {
  const turnsBefore = await turns();
  const sentBefore = channel.requests.length;
  const res = await post(bot.url, body, headers);
  const text = await res.text();
  expect(await turns()).toBe(turnsBefore);
  expect(channel.requests.length).toBe(sentBefore);
  return {
    status: res.status,
    body: text === '' ? undefined : (JSON.parse(text) as { code: string; message: string }),
  };
}

function without(activity: Partial<Activity>, path: string): Record<string, unknown> {
  const copy = structuredClone(activity) as Record<string, unknown>;
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail === undefined) delete copy[head];
  else delete (copy[head] as Record<string, unknown>)[tail];
  return copy;
}

describe('the body', () => {
  it('larger than 256 KB: 413 (declared length, and chunked)', async () => {
    const big = emulatorMessage('x'.repeat(300 * 1024), serviceUrl);
    const res = await rejected(big);
    expect(res).toEqual({
      status: 413,
      body: { code: 'PayloadTooLarge', message: 'The request body is larger than 262144 bytes' },
    });
    // Chunked (no Content-Length): refused as soon as it passes the limit.
    const chunked = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${bot.url}/api/messages`);
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      let sent = 0;
      const write = (): void => {
        while (sent < 40) {
          sent++;
          if (!req.write('y'.repeat(10_000))) {
            req.once('drain', write);
            return;
          }
        }
        req.end();
      };
      write();
    });
    expect(chunked).toBe(413);
  });

  it('just under the limit is read', async () => {
    const res = await post(
      bot.url,
      emulatorMessage('help ' + 'x'.repeat(200 * 1024), serviceUrl, { deliveryMode: 'expectReplies' }),
    );
    expect(res.status).toBe(200);
  });

  it('malformed JSON, an empty body, JSON that is not an object: 400', async () => {
    for (const body of ['{"type": "message",', '', 'null', '[]', '"message"', '42', '{"type": "message"}}']) {
      const res = await rejected(body);
      expect(res.status, body).toBe(400);
      expect(res.body?.code).toBe('BadRequest');
    }
  });

  it('nested deeper than 64 levels: 400', async () => {
    const value = JSON.parse('['.repeat(100) + ']'.repeat(100)) as unknown;
    const res = await rejected({ ...emulatorMessage('hi', serviceUrl), value });
    expect(res.status).toBe(400);
    expect(res.body?.message).toMatch(/nested deeper/);
  });

  it('not JSON, or compressed: 415', async () => {
    const message = JSON.stringify(emulatorMessage('help', serviceUrl));
    expect((await rejected(message, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await rejected(message, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(
      415,
    );
    expect((await rejected(message, { 'content-encoding': 'gzip' })).status).toBe(415);
  });
});

describe('the activity', () => {
  const valid = () => emulatorMessage('help', serviceUrl);

  it.each([
    'type',
    'channelId',
    'serviceUrl',
    'conversation',
    'conversation.id',
    'from',
    'from.id',
    'recipient',
    'recipient.id',
  ])('missing %s: 400 naming it', async (path) => {
    const res = await rejected(without(valid(), path));
    expect(res.status).toBe(400);
    expect(res.body?.message).toContain(path);
  });

  it.each<[string, Record<string, unknown>]>([
    ['type', { type: 42 }],
    ['type', { type: '' }],
    ['text', { text: { $gt: '' } }],
    ['locale', { locale: ['en'] }],
    ['from', { from: 'user-1' }],
    ['from.id', { from: { id: 7 } }],
    ['conversation.id', { conversation: { id: '' } }],
    ['serviceUrl', { serviceUrl: 'not a url' }],
    ['serviceUrl', { serviceUrl: 'file:///etc/passwd' }],
    ['serviceUrl', { serviceUrl: 'javascript:alert(1)' }],
    ['channelData', { channelData: 'x' }],
    ['entities', { entities: { type: 'mention' } }],
    ['entities.0.mentioned.id', { entities: [{ type: 'mention', text: '<at>x</at>' }] }],
    ['membersAdded.0.id', { type: 'conversationUpdate', membersAdded: [{}] }],
    ['timestamp', { timestamp: 1234 }],
    ['replyToId', { replyToId: false }],
  ])('%s of the wrong type: 400', async (path, patch) => {
    const res = await rejected({ ...valid(), ...patch });
    expect(res.status).toBe(400);
    expect(res.body?.message).toContain(path);
  });

  it('null fields are taken as absent', async () => {
    const res = await post(bot.url, {
      ...emulatorMessage('help', serviceUrl, { deliveryMode: 'expectReplies' }),
      locale: null,
      entities: null,
      replyToId: null,
    });
    expect(res.status).toBe(200);
  });
});

describe('unknown types', () => {
  it('an unknown activity type: 200, ignored, nothing sent', async () => {
    const sent = channel.requests.length;
    for (const type of ['somethingNew', 'trace', 'handoff', 'typing', 'event', 'messageReaction']) {
      const res = await post(bot.url, emulatorMessage('', serviceUrl, { type, text: undefined }));
      expect(res.status, type).toBe(200);
      expect(await res.text()).toBe('');
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(channel.requests.length).toBe(sent);
  });

  it('invoke names the bot does not implement: 200 with no body (ignored), never 501', async () => {
    for (const name of [
      'composeExtension/query',
      'task/fetch',
      'signin/verifyState',
      'signin/tokenExchange',
      'application/search',
      'healthCheck',
      'x'.repeat(200),
      undefined,
    ]) {
      const res = await post(bot.url, teamsActivity(serviceUrl, { type: 'invoke', name, value: { a: 1 } }));
      expect(res.status, String(name)).toBe(200);
      expect(await res.text()).toBe('');
    }
  });

  it('a malformed Universal Action: the invoke answers 400 with the Universal Actions error shape', async () => {
    for (const value of [undefined, {}, { action: { type: 'Action.Submit', verb: 'confirm' } }]) {
      const res = await post(
        bot.url,
        teamsActivity(serviceUrl, { type: 'invoke', name: 'adaptiveCard/action', value }),
      );
      expect(res.status).toBe(400);
      const body = (await res.json()) as { statusCode: number; type: string };
      expect(body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
    }
  });

  it('an unknown verb, or bad card data: a polite answer, nothing changes', async () => {
    const before = await directorySnapshot(bot.app);
    const res = await post(
      bot.url,
      teamsActivity(serviceUrl, {
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb: 'dropTables', data: { token: 5 } } },
      }),
    );
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('application/vnd.microsoft.activity.message');
    expect(await directorySnapshot(bot.app)).toBe(before);
  });
});

describe('5xx bodies', () => {
  const metrics = new Metrics({ processMetrics: false });
  const logger = pino({ level: 'silent' });
  const secret = 'SQLITE_IOERR at /srv/bot/data/upgrade-assistant.db (token=abc123)';

  function endpoint(adapter: Partial<BotAdapter>) {
    return messagesEndpoint({
      adapter: adapter as BotAdapter,
      logic: async () => undefined,
      authenticator: new Authenticator({
        authentication: { authenticateRequest: async () => ({ audience: '', claimsIdentity: {} as never }) },
        required: false,
      }),
      outboundRetry: outboundRetryPolicy(DEFAULT_OUTBOUND_RETRY, { onRetry: () => {}, onGiveUp: () => {} }),
      inFlight: new InFlight(),
      requestLog: new RequestLog(logger, metrics),
      metrics,
      logger,
    });
  }

  async function serve(handler: ReturnType<typeof endpoint>): Promise<{ status: number; text: string }> {
    const server = createServer({
      messages: handler,
      metrics: async () => undefined,
      requestLog: new RequestLog(logger, metrics),
      inFlight: new InFlight(),
      maxBodyBytes: 1024 * 1024,
      logger,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await post(`http://127.0.0.1:${server.address().port}`, emulatorMessage('hi', serviceUrl));
      return { status: res.status, text: await res.text() };
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  it('an exception in the turn pipeline: 500 with a generic body', async () => {
    const res = await serve(endpoint({ processAuthenticated: () => Promise.reject(new Error(secret)) }));
    expect(res).toEqual({
      status: 500,
      text: JSON.stringify({ code: 'InternalError', message: 'Internal error' }),
    });
  });

  it('a 5xx invoke response carrying a message: the body is replaced', async () => {
    const res = await serve(
      endpoint({ processAuthenticated: () => Promise.resolve({ status: 500, body: { message: secret } }) }),
    );
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('SQLITE');
  });

  it('shutting down: 503, saying so', async () => {
    const inFlight = new InFlight();
    inFlight.close();
    const handler = messagesEndpoint({
      adapter: {
        processAuthenticated: () => Promise.reject(new Error('must not run')),
      } as unknown as BotAdapter,
      logic: async () => undefined,
      authenticator: new Authenticator({
        authentication: { authenticateRequest: () => Promise.reject(new Error('must not run')) },
        required: false,
      }),
      outboundRetry: outboundRetryPolicy(DEFAULT_OUTBOUND_RETRY, { onRetry: () => {}, onGiveUp: () => {} }),
      inFlight,
      requestLog: new RequestLog(logger, metrics),
      metrics,
      logger,
    });
    const res = await serve(handler);
    expect(res).toEqual({
      status: 503,
      text: JSON.stringify({ code: 'ServiceUnavailable', message: 'Shutting down' }),
    });
  });

  it('an exception escaping the handler itself (restify): 500 with a generic body', async () => {
    const res = await serve(() => Promise.reject(new Error(secret)));
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('SQLITE');
    expect(JSON.parse(res.text)).toEqual({ code: 'InternalError', message: 'Internal error' });
  });
});
