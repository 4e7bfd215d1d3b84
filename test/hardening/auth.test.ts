/**
 * Authentication with an app id configured, against the running server: a request without a valid Bot
 * Framework token gets a prompt 401 and reaches no handler (no turn, no reply, no state, no ledger change);
 * a token signed with the published key is accepted. botbuilder's key look-ups go to a local stand-in, and a
 * guard checks that nothing tries to leave the loopback interface.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { actions } from '../support/cards.js';
import { directorySnapshot, post, startBot, type RunningBot } from '../support/server.js';
import {
  blockedConnections,
  contosoIdOf,
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
const published = newSigningKey('published-key');
const standIn = new OpenIdStandIn([published]);
const channel = new ScriptedChannel();
const log = memoryLogger('info');
let bot: RunningBot;
let serviceUrl: string;

beforeAll(async () => {
  // botbuilder writes every rejected token's details (and the public keys) to console.error.
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  guardLoopback();
  await standIn.start();
  serviceUrl = await channel.start();
  bot = await startBot(
    {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-a-real-password',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ua-auth-')),
    },
    { authSettings: standIn.settings, authTimeoutMs: 2000, logger: log.logger, processMetrics: false },
  );
});
afterAll(async () => {
  vi.restoreAllMocks();
  await bot.close();
  await channel.close();
  await standIn.close();
});

/** A channel token for this bot and this service URL, signed with `key`. */
function channelToken(key = published, claims: Record<string, unknown> = {}, header = {}): string {
  return mintToken(key, { aud: APP_ID, serviceurl: serviceUrl, ...claims }, header);
}

function contosoId(): string {
  return contosoIdOf();
}

async function turnCount(): Promise<number> {
  const metric = await bot.app.metrics.registry.getSingleMetric('turns_total')?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

async function expect401(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(await res.json()).toEqual({ code: 'Unauthorized', message: 'Unauthorized' });
}

describe('with MicrosoftAppId set', () => {
  let pendingToken = '';

  it('a token signed with the published key is accepted (Teams invoke, answered in the response)', async () => {
    const res = await post(
      bot.url,
      teamsInvoke(serviceUrl, 'review', {
        customerId: contosoId(),
        subscriptionId: 'sub-contoso-essentials',
        target: 'O365_E3',
        seats: '40',
        transfer: 'true',
      }),
      { authorization: `Bearer ${channelToken()}` },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { value: unknown };
    const confirm = actions(body.value).find((a) => a.verb === 'confirm');
    pendingToken = (confirm?.data as { token: string }).token;
    expect((await bot.app.storage.ledger.get(pendingToken))?.status).toBe('pending');
  });

  it('every request without a valid token gets 401 and reaches no handler', async () => {
    const forgedSameKid = newSigningKey('published-key'); // same key id, another key
    const unknownKid = newSigningKey('forged-key');
    const now = Math.floor(Date.now() / 1000);
    const headers: Record<string, string | undefined> = {
      'no Authorization header': undefined,
      'empty header': '',
      'Basic scheme': 'Basic dXNlcjpwYXNz',
      'not a JWT': 'Bearer not-a-jwt',
      'unsigned (alg none)': `Bearer ${channelToken(published, {}, { alg: 'none' }).split('.').slice(0, 2).join('.')}.`,
      'HS256 with the key id': `Bearer ${channelToken(published, {}, { alg: 'HS256' })}`,
      'signed with a random key, unknown key id': `Bearer ${channelToken(unknownKid)}`,
      'signed with a random key, the published key id': `Bearer ${channelToken(forgedSameKid)}`,
      expired: `Bearer ${channelToken(published, { exp: now - 3600, iat: now - 7200, nbf: now - 7200 })}`,
      'not yet valid': `Bearer ${channelToken(published, { nbf: now + 3600 })}`,
      'another bot (audience)': `Bearer ${channelToken(published, { aud: 'another-app-id' })}`,
      'another service URL': `Bearer ${channelToken(published, { serviceurl: 'http://127.0.0.1:9/' })}`,
      'an issuer that is not the Bot Framework': `Bearer ${channelToken(published, { iss: 'https://evil.example' })}`,
      'an Emulator issuer, forged': `Bearer ${mintToken(unknownKid, {
        iss: 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/',
        ver: '1.0',
        appid: APP_ID,
        aud: APP_ID,
      })}`,
    };
    const turnsBefore = await turnCount();
    const before = await directorySnapshot(bot.app);
    for (const [label, authorization] of Object.entries(headers)) {
      const started = Date.now();
      const confirm = teamsInvoke(serviceUrl, 'confirm', { token: pendingToken });
      const message = teamsActivity(serviceUrl, { text: 'can Contoso upgrade?' });
      for (const activity of [confirm, message]) {
        const res = await post(bot.url, activity, authorization === undefined ? {} : { authorization });
        await expect401(res).catch((error: unknown) => {
          throw new Error(`${label}: ${String(error)}`);
        });
      }
      expect(Date.now() - started, label).toBeLessThan(2000);
    }
    expect(await turnCount()).toBe(turnsBefore);
    expect(channel.requests).toEqual([]);
    expect((await bot.app.storage.ledger.get(pendingToken))?.status).toBe('pending');
    expect(await directorySnapshot(bot.app)).toBe(before);
    expect(log.lines.filter((l) => l.msg === 'request not authenticated').length).toBe(
      Object.keys(headers).length * 2,
    );
  });

  it('the token never appears in the logs', () => {
    const token = channelToken();
    expect(log.raw.join('\n')).not.toContain(token.split('.')[2]);
    expect(log.raw.join('\n')).not.toContain('not-a-real-password');
    expect(log.raw.join('\n')).not.toMatch(/Bearer [A-Za-z0-9_-]{20,}/);
  });

  it('when the signing keys cannot be fetched (no answer), the request gets 401 within the time limit', async () => {
    const silent = new OpenIdStandIn([published]);
    await silent.start();
    silent.hang = true;
    const other = await startBot(
      { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', DATA_DIR: ':memory:' },
      { authSettings: silent.settings, authTimeoutMs: 1000, processMetrics: false },
    );
    try {
      const started = Date.now();
      const res = await post(other.url, teamsActivity(serviceUrl, { text: 'help' }), {
        authorization: `Bearer ${channelToken()}`,
      });
      await expect401(res);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(silent.requests.length).toBeGreaterThan(0); // it did try, locally
    } finally {
      await other.close();
      await silent.close();
    }
  });

  it('nothing tried to reach beyond the loopback interface', () => {
    expect(blockedConnections).toEqual([]);
  });
});

describe('without MicrosoftAppId', () => {
  it('requests are accepted without a token (local use)', async () => {
    const local = await startBot({}, { processMetrics: false });
    try {
      const res = await post(
        local.url,
        teamsActivity(serviceUrl, { text: 'help', deliveryMode: 'expectReplies' } as Partial<Activity>),
      );
      expect(res.status).toBe(200);
    } finally {
      await local.close();
    }
  });

  it('and it listens on the loopback interface only, unless ALLOW_UNAUTHENTICATED_REMOTE=true', async () => {
    const { listenHost } = await import('../../src/config.js');
    expect(listenHost(parseConfig({}))).toBe('127.0.0.1');
    expect(listenHost(parseConfig({ MicrosoftAppId: APP_ID }))).toBe('0.0.0.0');
    expect(() => parseConfig({ HOST: '0.0.0.0' })).toThrow(/HOST/);
    expect(listenHost(parseConfig({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED_REMOTE: 'true' }))).toBe(
      '0.0.0.0',
    );
  });
});
