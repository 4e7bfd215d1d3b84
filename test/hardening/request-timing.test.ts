/**
 * The order and the time limits of a request, over raw TCP connections. With an app id, an Authorization header
 * that cannot be a valid token for this bot (shape, algorithm, key id, issuer, app id, validity period) gets
 * 401 before the body is read: the answer comes while the body has not been sent, and the connection is
 * closed; what needs the activity (the `serviceurl` claim) is checked after the body. A body that stalls or
 * trickles gets 408 in BODY_TIMEOUT_SECONDS and the connection is closed. None of them runs a turn, sends
 * anything or changes the ledger or the directory.
 */
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNEL_ISSUER, precheckAuthorization } from '../../src/http/authentication.js';
import { HEADERS_TIMEOUT_MS } from '../../src/server.js';
import { actions } from '../support/cards.js';
import { customerNamed, directorySnapshot, post, startBot, type RunningBot } from '../support/server.js';
import {
  guardLoopback,
  memoryLogger,
  mintToken,
  newSigningKey,
  OpenIdStandIn,
  ScriptedChannel,
  teamsActivity,
  teamsInvoke,
} from './support.js';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const ENTRA = 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/';
const published = newSigningKey('published-key');
const standIn = new OpenIdStandIn([published]);
const channel = new ScriptedChannel();
const log = memoryLogger('info');
/** With an app id; bodies may take 2 s. */
let authBot: RunningBot;
/** Without; bodies may take 1 s. */
let localBot: RunningBot;
let serviceUrl: string;
let pendingToken = '';

beforeAll(async () => {
  vi.spyOn(console, 'error').mockImplementation(() => undefined); // botbuilder's own rejection messages
  guardLoopback();
  await standIn.start();
  serviceUrl = await channel.start();
  authBot = await startBot(
    {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-a-real-password',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ua-timing-')),
      BODY_TIMEOUT_SECONDS: '2',
    },
    { authSettings: standIn.settings, authTimeoutMs: 2000, logger: log.logger, processMetrics: false },
  );
  localBot = await startBot({ BODY_TIMEOUT_SECONDS: '1' }, { processMetrics: false });
  pendingToken = await prepare();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await authBot.close();
  await localBot.close();
  await channel.close();
  await standIn.close();
});

function channelToken(claims: Record<string, unknown> = {}, header = {}, key = published): string {
  return mintToken(key, { aud: APP_ID, serviceurl: serviceUrl, ...claims }, header);
}

async function prepare(): Promise<string> {
  const contoso = (await customerNamed(authBot.app, 'Contoso Ltd'))!;
  const res = await post(
    authBot.url,
    teamsInvoke(serviceUrl, 'review', {
      customerId: contoso.id,
      subscriptionId: 'sub-contoso-essentials',
      target: 'O365_E3',
      seats: '40',
      transfer: 'true',
    }),
    { authorization: `Bearer ${channelToken()}` },
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as { value: unknown };
  return (actions(body.value).find((a) => a.verb === 'confirm')?.data as { token: string }).token;
}

async function turns(bot: RunningBot): Promise<number> {
  const metric = await bot.app.metrics.registry.getSingleMetric('turns_total')?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

async function nothingChanges(bot: RunningBot, attempts: () => Promise<void>): Promise<void> {
  const turnsBefore = await turns(bot);
  const sentBefore = channel.requests.length;
  const directory = await directorySnapshot(bot.app);
  await attempts();
  expect(await turns(bot)).toBe(turnsBefore);
  expect(channel.requests.length).toBe(sentBefore);
  expect(await directorySnapshot(bot.app)).toBe(directory);
  if (bot === authBot) expect((await bot.app.storage.ledger.get(pendingToken))?.status).toBe('pending');
}

interface Exchange {
  readonly socket: net.Socket;
  /** The status, the body, and when the answer was complete (ms since the connection was opened). */
  readonly response: Promise<{ status: number; text: string; ms: number }>;
  /** When the server closed the connection (ms since it was opened). */
  readonly closed: Promise<number>;
  /** Body bytes written so far. */
  sent(): number;
}

/** Opens a connection and writes `head` (the request line and headers, without the blank line). */
function exchange(url: string, head: string[]): Exchange {
  const { port } = new URL(url);
  const started = performance.now();
  const socket = net.connect(Number(port), '127.0.0.1');
  socket.on('error', () => undefined); // writes after the server closed: expected
  let sentBytes = 0;
  const write = socket.write.bind(socket);
  socket.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    sentBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return write(chunk, ...rest);
  }) as typeof socket.write;
  write(`${[...head, `Host: 127.0.0.1:${port}`].join('\r\n')}\r\n\r\n`);
  let data = '';
  const response = new Promise<{ status: number; text: string; ms: number }>((resolve) => {
    const done = () => {
      const end = data.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, text: end < 0 ? '' : data.slice(end + 4), ms: performance.now() - started });
    };
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('utf8');
      const end = data.indexOf('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(data)?.[1] ?? NaN);
      if (end >= 0 && Buffer.byteLength(data.slice(end + 4)) >= length) done();
    });
    socket.on('close', done);
  });
  const closed = new Promise<number>((resolve) =>
    socket.on('close', () => resolve(performance.now() - started)),
  );
  return { socket, response, closed, sent: () => sentBytes };
}

const POST = (extra: string[]) => ['POST /api/messages HTTP/1.1', 'Content-Type: application/json', ...extra];

describe('with an app id: the token is checked before the body', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cannotBeValid = (): Record<string, string | undefined> => ({
    'no Authorization header': undefined,
    'Basic scheme': 'Basic dXNlcjpwYXNz',
    'not a JWT': 'Bearer not-a-jwt',
    'unsigned (alg none)': `Bearer ${channelToken({}, { alg: 'none' }).split('.').slice(0, 2).join('.')}.`,
    'HS256 with the key id': `Bearer ${channelToken({}, { alg: 'HS256' })}`,
    'no key id': `Bearer ${channelToken({}, { kid: undefined })}`,
    expired: `Bearer ${channelToken({ exp: now() - 3600, iat: now() - 7200, nbf: now() - 7200 })}`,
    'not yet valid': `Bearer ${channelToken({ nbf: now() + 3600 })}`,
    'another bot (audience)': `Bearer ${channelToken({ aud: 'another-app-id' })}`,
    'no audience': `Bearer ${channelToken({ aud: undefined })}`,
    'a foreign issuer': `Bearer ${channelToken({ iss: 'https://evil.example' })}`,
    'an Entra token (v1) for another app': `Bearer ${channelToken({ iss: ENTRA, ver: '1.0', appid: 'other' })}`,
    'an Entra token (v2) for another app': `Bearer ${channelToken({ iss: ENTRA, ver: '2.0', azp: 'other', appid: APP_ID })}`,
  });

  it('a header that cannot be valid: 401 at once with nothing of the body sent, the connection closed', async () => {
    await nothingChanges(authBot, async () => {
      for (const [label, authorization] of Object.entries(cannotBeValid())) {
        const auth = authorization === undefined ? [] : [`Authorization: ${authorization}`];
        const ex = exchange(authBot.url, POST([...auth, 'Content-Length: 200000']));
        const res = await ex.response;
        expect(res.status, label).toBe(401);
        expect(JSON.parse(res.text), label).toEqual({ code: 'Unauthorized', message: 'Unauthorized' });
        expect(res.ms, label).toBeLessThan(500); // the body time limit is 2 s: it did not wait for the body
        expect(ex.sent(), label).toBe(0);
        // The server does not wait for (or read) the body: it closes the connection.
        ex.socket.write('{"type":"invoke"');
        expect(await ex.closed, label).toBeLessThan(1000);
      }
    });
    const refused = log.lines.filter((l) => l.msg === 'request not authenticated' && l.body === 'not read');
    expect(refused.length).toBeGreaterThanOrEqual(Object.keys(cannotBeValid()).length);
  });

  it('a huge declared body, or a chunked one arriving slowly: 401 first, not 413 or 408', async () => {
    await nothingChanges(authBot, async () => {
      const huge = exchange(authBot.url, POST(['Authorization: Bearer junk', 'Content-Length: 10737418240']));
      expect((await huge.response).status).toBe(401);
      const chunked = exchange(
        authBot.url,
        POST([`Authorization: Bearer ${channelToken({ aud: 'x' })}`, 'Transfer-Encoding: chunked']),
      );
      const timer = setInterval(() => chunked.socket.write('1\r\n{\r\n'), 50);
      try {
        const res = await chunked.response;
        expect(res.status).toBe(401);
        expect(res.ms).toBeLessThan(500);
      } finally {
        clearInterval(timer);
      }
      expect(await chunked.closed).toBeLessThan(1500);
    });
  });

  it('what needs the activity is checked after the body: a token for another serviceUrl gets 401', async () => {
    await nothingChanges(authBot, async () => {
      const token = channelToken({ serviceurl: 'http://127.0.0.1:9/' });
      const res = await post(authBot.url, teamsInvoke(serviceUrl, 'confirm', { token: pendingToken }), {
        authorization: `Bearer ${token}`,
      });
      expect(res.status).toBe(401);
    });
  });

  it('a valid token whose body stalls: 408 after BODY_TIMEOUT_SECONDS, the connection closed', async () => {
    await nothingChanges(authBot, async () => {
      const body = JSON.stringify(teamsInvoke(serviceUrl, 'confirm', { token: pendingToken }));
      const ex = exchange(
        authBot.url,
        POST([`Authorization: Bearer ${channelToken()}`, `Content-Length: ${Buffer.byteLength(body)}`]),
      );
      ex.socket.write(body.slice(0, body.length - 10)); // all but the end, then nothing
      const res = await ex.response;
      expect(res.status).toBe(408);
      expect(JSON.parse(res.text)).toEqual({
        code: 'RequestTimeout',
        message: 'The request body did not arrive within 2 s',
      });
      expect(res.ms).toBeGreaterThan(1900);
      expect(res.ms).toBeLessThan(3500);
      expect(await ex.closed).toBeLessThan(res.ms + 500);
    });
  });

  it('tokens that can be valid pass on to botbuilder: a channel token and an Emulator (Entra) token are served', async () => {
    const emulator = mintToken(published, { iss: ENTRA, ver: '1.0', appid: APP_ID, aud: APP_ID });
    for (const token of [channelToken(), emulator]) {
      const res = await post(
        authBot.url,
        teamsActivity(serviceUrl, { text: 'help', deliveryMode: 'expectReplies' } as Partial<Activity>),
        { authorization: `Bearer ${token}` },
      );
      expect(res.status).toBe(200);
    }
  });

  it('what is true of the serviceurl claim: an Emulator (Entra) token has none, and any serviceUrl is served', async () => {
    // docs/security.md, "What these do not cover": only a channel's token ties the serviceUrl.
    const emulator = mintToken(published, { iss: ENTRA, ver: '1.0', appid: APP_ID, aud: APP_ID });
    const elsewhere = teamsActivity('http://127.0.0.1:9/', {
      text: 'help',
      deliveryMode: 'expectReplies',
    } as Partial<Activity>);
    expect((await post(authBot.url, elsewhere, { authorization: `Bearer ${emulator}` })).status).toBe(200);
    const channelTokenElsewhere = channelToken();
    expect(
      (await post(authBot.url, elsewhere, { authorization: `Bearer ${channelTokenElsewhere}` })).status,
    ).toBe(401);
  });

  it('precheck rules: the app id a token is for, by issuer', () => {
    const expected = { appId: APP_ID, channelIssuer: CHANNEL_ISSUER };
    const check = (claims: Record<string, unknown>) =>
      precheckAuthorization(`Bearer ${mintToken(published, claims)}`, Date.now(), expected);
    expect(check({ aud: APP_ID })).toBeUndefined();
    expect(check({ aud: `api://${APP_ID}` })).toBe('audience');
    expect(check({ iss: ENTRA, ver: '1.0', appid: APP_ID })).toBeUndefined();
    expect(check({ iss: ENTRA, appid: APP_ID })).toBeUndefined();
    expect(check({ iss: ENTRA, ver: '2.0', azp: APP_ID })).toBeUndefined();
    expect(check({ iss: ENTRA, ver: '2.0', appid: APP_ID })).toBe('audience');
    expect(check({ iss: 'https://sts.windows.net.evil.example/x/', appid: APP_ID })).toBe('issuer');
    expect(check({ iss: `${CHANNEL_ISSUER}/`, aud: APP_ID })).toBe('issuer');
    expect(check({ aud: APP_ID, nbf: 'soon' })).toBe('not yet valid');
  });
});

describe('the body time limit', () => {
  it('a body that stalls: 408 in about a second, the connection closed, nothing runs', async () => {
    await nothingChanges(localBot, async () => {
      const ex = exchange(localBot.url, POST(['Content-Length: 5000']));
      ex.socket.write('{"type": "message", ');
      const res = await ex.response;
      expect(res.status).toBe(408);
      expect(res.ms).toBeGreaterThan(900);
      expect(res.ms).toBeLessThan(2500);
      expect(await ex.closed).toBeLessThan(res.ms + 500);
    });
  });

  it('a body that trickles (a byte every 100 ms) gets the same', async () => {
    await nothingChanges(localBot, async () => {
      const body = JSON.stringify(teamsActivity(serviceUrl, { text: 'help' } as Partial<Activity>));
      const ex = exchange(localBot.url, POST([`Content-Length: ${Buffer.byteLength(body)}`]));
      let at = 0;
      const timer = setInterval(() => ex.socket.write(body.charAt(at++)), 100);
      try {
        const res = await ex.response;
        expect(res.status).toBe(408);
        expect(res.ms).toBeLessThan(2500);
        expect(await ex.closed).toBeLessThan(res.ms + 500);
        expect(ex.sent()).toBeLessThan(body.length);
      } finally {
        clearInterval(timer);
      }
    });
  });

  it('the server has its own headers and request time limits', () => {
    for (const bot of [authBot, localBot]) {
      expect(bot.app.server.server.headersTimeout).toBe(HEADERS_TIMEOUT_MS);
    }
    expect(authBot.app.server.server.requestTimeout).toBe(HEADERS_TIMEOUT_MS + 2000 + 5000);
    expect(localBot.app.server.server.requestTimeout).toBe(HEADERS_TIMEOUT_MS + 1000 + 5000);
  });
});
