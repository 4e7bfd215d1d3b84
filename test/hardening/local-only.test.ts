/**
 * An unauthenticated bot (no MicrosoftAppId) is for this machine only: it refuses to listen elsewhere unless
 * ALLOW_UNAUTHENTICATED_REMOTE=true; it serves no request whose Host header names anything but this machine
 * and its port (a web page reaching it through DNS rebinding sends its own name: 421); and it replies to a
 * serviceUrl on this machine only (403 before any turn). Each refusal changes nothing: no turn, nothing sent,
 * ledger and directory as they were, no connection attempted beyond the loopback interface.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, listenHost, localOnly, parseConfig } from '../../src/config.js';
import { isLoopbackHost, isLoopbackHostHeader, isLoopbackUrl } from '../../src/http/loopback.js';
import { createApp } from '../../src/index.js';
import { pino } from 'pino';
import { directorySnapshot, post, startBot, type RunningBot } from '../support/server.js';
import {
  blockedConnections,
  guardLoopback,
  rawRequest,
  reviewContoso,
  runToExit,
  ScriptedChannel,
  teamsActivity,
  teamsInvoke,
} from './support.js';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const channel = new ScriptedChannel();
let bot: RunningBot;
let serviceUrl: string;
let port: number;
let pendingToken = '';

beforeAll(async () => {
  guardLoopback();
  serviceUrl = await channel.start();
  bot = await startBot({ DATA_DIR: mkdtempSync(join(tmpdir(), 'ua-local-')) }, { processMetrics: false });
  port = Number(new URL(bot.url).port);
  pendingToken = await prepare();
});
afterAll(async () => {
  await bot.close();
  await channel.close();
});

/** A legitimate local review: the token of a pending confirm. */
async function prepare(): Promise<string> {
  const token = await reviewContoso(bot, serviceUrl);
  expect((await bot.app.storage.ledger.get(token))?.status).toBe('pending');
  return token;
}

async function turns(): Promise<number> {
  const metric = await bot.app.metrics.registry.getSingleMetric('turns_total')?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

/** Runs `attempts`, then checks that nothing ran, nothing was sent and nothing changed. */
async function nothingChanges(attempts: () => Promise<void>): Promise<void> {
  const turnsBefore = await turns();
  const sentBefore = channel.requests.length;
  const directory = await directorySnapshot(bot.app);
  await attempts();
  expect(await turns()).toBe(turnsBefore);
  expect(channel.requests.length).toBe(sentBefore);
  expect((await bot.app.storage.ledger.get(pendingToken))?.status).toBe('pending');
  expect(await directorySnapshot(bot.app)).toBe(directory);
  expect(blockedConnections).toEqual([]);
}

describe('HOST without an app id', () => {
  it('an interface that is not loopback is refused at start, naming HOST', () => {
    for (const host of [
      '0.0.0.0',
      '::',
      '192.168.1.10',
      '10.0.0.1',
      'example.com',
      '127.0.0.1.nip.io',
      'localhost.',
      '::ffff:127.0.0.1',
    ]) {
      expect(() => parseConfig({ HOST: host }), host).toThrow(ConfigError);
      expect(() => parseConfig({ HOST: host }), host).toThrow(/HOST: ".*" is not a loopback address/);
      expect(() => parseConfig({ HOST: host }), host).toThrow(/ALLOW_UNAUTHENTICATED_REMOTE/);
    }
  });

  it('loopback interfaces are accepted; the default is 127.0.0.1', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost', 'LOCALHOST']) {
      expect(listenHost(parseConfig({ HOST: host })), host).toBe(host);
    }
    expect(listenHost(parseConfig({}))).toBe('127.0.0.1');
    expect(localOnly(parseConfig({}))).toBe(true);
  });

  it('with an app id, or ALLOW_UNAUTHENTICATED_REMOTE=true, any interface', () => {
    expect(listenHost(parseConfig({ HOST: '0.0.0.0', MicrosoftAppId: APP_ID }))).toBe('0.0.0.0');
    const remote = parseConfig({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED_REMOTE: 'true' });
    expect(listenHost(remote)).toBe('0.0.0.0');
    expect(localOnly(remote)).toBe(false);
    expect(() => parseConfig({ ALLOW_UNAUTHENTICATED_REMOTE: 'yes' })).toThrow(
      /ALLOW_UNAUTHENTICATED_REMOTE/,
    );
  });

  it('listen() asked for another interface refuses too', async () => {
    const app = await createApp(parseConfig({ DATA_DIR: ':memory:' }), {
      logger: pino({ level: 'silent' }),
      processMetrics: false,
    });
    try {
      await expect(app.listen(0, '0.0.0.0')).rejects.toThrow(/HOST: "0.0.0.0" is not a loopback address/);
      expect(app.server.server.listening).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('the bot started with HOST=0.0.0.0 exits 1 with the reason, never listening', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ua-local-start-'));
    const { code, stdout, stderr } = await runToExit({ HOST: '0.0.0.0', DATA_DIR: cwd }, cwd);
    const out = [stdout];
    const err = [stderr];
    expect(code).toBe(1);
    expect(err.join('')).toContain('Upgrade Assistant cannot start');
    expect(err.join('')).toMatch(/HOST: "0.0.0.0" is not a loopback address/);
    expect(out.join('')).not.toContain('listening');
  }, 40_000);
});

describe('the Host header (DNS rebinding)', () => {
  const foreign = () => [
    `evil.example:${port}`,
    'evil.example',
    `127.0.0.1.nip.io:${port}`,
    `localhost.:${port}`,
    `localhost.evil.example:${port}`,
    `0.0.0.0:${port}`,
    `[::ffff:127.0.0.1]:${port}`,
    `192.168.1.10:${port}`,
    'localhost', // no port: 80, not the bot's
    `localhost:${port + 1}`,
    `127.0.0.1:${port}@evil.example`,
    `evil.example:${port}, localhost:${port}`,
    '',
  ];

  it('every route refuses a request addressed to another name or port: 421, nothing runs', async () => {
    const confirm = JSON.stringify(teamsInvoke(serviceUrl, 'confirm', { token: pendingToken }));
    const message = JSON.stringify(teamsActivity(serviceUrl, { text: 'can Contoso upgrade?' }));
    await nothingChanges(async () => {
      for (const host of foreign()) {
        for (const body of [confirm, message]) {
          const res = await rawRequest(bot.url, {
            method: 'POST',
            path: '/api/messages',
            host,
            headers: { 'content-type': 'application/json' },
            body,
          });
          expect(res.status, host).toBe(421);
          expect(JSON.parse(res.text)).toEqual({
            code: 'MisdirectedRequest',
            message: 'This bot serves requests addressed to this machine only (Host header)',
          });
          expect(res.headers.connection).toBe('close');
        }
        for (const path of ['/healthz', '/metrics', '/nowhere']) {
          expect((await rawRequest(bot.url, { path, host })).status, `${host} ${path}`).toBe(421);
        }
      }
    });
  });

  it('an absolute URL naming another host, whatever the Host header: refused', async () => {
    await nothingChanges(async () => {
      for (const path of [
        'http://evil.example/api/messages',
        `http://evil.example:${port}/api/messages`,
        `http://127.0.0.1:${port}/api/messages`, // absolute-form is not what local clients send: refused too
      ]) {
        const res = await rawRequest(bot.url, {
          method: 'POST',
          path,
          host: `127.0.0.1:${port}`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(teamsInvoke(serviceUrl, 'confirm', { token: pendingToken })),
        });
        expect(res.status, path).toBe(421);
      }
    });
  });

  it('no Host header at all: refused', async () => {
    await nothingChanges(async () => {
      const res = await rawRequest(bot.url, {
        method: 'POST',
        path: '/api/messages',
        host: null,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(teamsInvoke(serviceUrl, 'confirm', { token: pendingToken })),
      });
      expect([400, 421]).toContain(res.status);
    });
  });

  it('this machine by any loopback name, with the right port, is served', async () => {
    for (const host of [`localhost:${port}`, `LOCALHOST:${port}`, `127.0.0.1:${port}`, `127.9.9.9:${port}`]) {
      expect((await rawRequest(bot.url, { path: '/healthz', host })).status, host).toBe(200);
    }
    expect(isLoopbackHostHeader(`[::1]:${port}`, port)).toBe(true);
    expect(isLoopbackHostHeader('[0:0:0:0:0:0:0:1]:80', 80)).toBe(true);
    expect(isLoopbackHostHeader('localhost', 80)).toBe(true);
    expect(isLoopbackHostHeader(undefined, port)).toBe(false);
  });
});

describe('the serviceUrl without an app id', () => {
  const foreignUrls = [
    'http://evil.example/',
    'https://evil.example:443/api',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1:8080/',
    'http://127.0.0.1.nip.io/',
    'http://localhost.evil.example/',
    'http://127.0.0.1@evil.example/',
    'http://localhost:80@evil.example/',
    'http://evil.example\\@127.0.0.1/',
    'http://0.0.0.0/',
    'http://[::ffff:a00:1]/',
  ];

  it('a serviceUrl off this machine gets 403 before any turn; nothing is sent anywhere', async () => {
    await nothingChanges(async () => {
      for (const url of foreignUrls) {
        for (const activity of [
          teamsInvoke(url, 'confirm', { token: pendingToken }),
          teamsActivity(url, { text: 'can Contoso upgrade?' }),
          teamsActivity(url, { text: 'help', deliveryMode: 'expectReplies' } as Partial<Activity>),
        ]) {
          const res = await post(bot.url, activity);
          expect(res.status, url).toBe(403);
          expect(((await res.json()) as { code: string }).code).toBe('Forbidden');
        }
      }
    });
  });

  it('the loopback URLs are served', async () => {
    const sent = channel.requests.length;
    const local = serviceUrl.replace('127.0.0.1', 'localhost');
    expect((await post(bot.url, teamsActivity(local, { text: 'help' }))).status).toBe(200);
    await channel.waitFor(sent + 1);
    expect(isLoopbackUrl('http://[::1]:3978/')).toBe(true);
    expect(isLoopbackUrl('https://127.0.0.5/')).toBe(true);
    expect(isLoopbackUrl('http://0x7f.1/')).toBe(true); // 127.0.0.1, as the client reads it
    expect(isLoopbackUrl('ftp://127.0.0.1/')).toBe(false);
    expect(foreignUrls.some(isLoopbackUrl)).toBe(false);
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
  });

  it('ALLOW_UNAUTHENTICATED_REMOTE=true lifts the Host and serviceUrl checks (its documented risk)', async () => {
    const open = await startBot({ ALLOW_UNAUTHENTICATED_REMOTE: 'true' }, { processMetrics: false });
    try {
      const res = await rawRequest(open.url, {
        method: 'POST',
        path: '/api/messages',
        host: 'bot.example:3978',
        headers: { 'content-type': 'application/json' },
        // expectReplies: the answer comes back in the response, nothing is sent to that URL.
        body: JSON.stringify(
          teamsActivity('http://198.51.100.7/', {
            text: 'help',
            deliveryMode: 'expectReplies',
          } as Partial<Activity>),
        ),
      });
      expect(res.status).toBe(200);
      expect(blockedConnections).toEqual([]);
    } finally {
      await open.close();
    }
  });
});
