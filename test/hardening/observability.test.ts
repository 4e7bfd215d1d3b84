/**
 * Observability against the running server: one log line per request (activity id, channel, latency,
 * status, outcome) and per turn, never the message text at info level, never a secret at any level; the
 * Prometheus counters on GET /metrics (turns, upgrades by outcome, errors), optionally behind METRICS_TOKEN.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { actions } from '../support/cards.js';
import { customerNamed, emulatorMessage, post, startBot, type RunningBot } from '../support/server.js';
import { contosoIdOf, memoryLogger, ScriptedChannel, teamsInvoke } from './support.js';

const channel = new ScriptedChannel();
const log = memoryLogger('info');
const SECRET_TEXT = 'can Contoso upgrade? my-private-note-1234';
let bot: RunningBot;
let serviceUrl: string;

beforeAll(async () => {
  serviceUrl = await channel.start();
  bot = await startBot(
    { DATA_DIR: mkdtempSync(join(tmpdir(), 'ua-obs-')), METRICS_TOKEN: 'metrics-token-0123456789' },
    { logger: log.logger, processMetrics: true },
  );
});
afterAll(async () => {
  await bot.close();
  await channel.close();
});

function contosoId(): string {
  return contosoIdOf();
}

async function metricsText(): Promise<string> {
  const res = await fetch(`${bot.url}/metrics`, {
    headers: { authorization: 'Bearer metrics-token-0123456789' },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

async function review(): Promise<string> {
  const res = await post(
    bot.url,
    teamsInvoke(serviceUrl, 'review', {
      customerId: contosoId(),
      subscriptionId: 'sub-contoso-essentials',
      target: 'O365_E3',
      seats: '40',
    }),
  );
  const confirm = actions((await res.json()) as unknown).find((a) => a.verb === 'confirm');
  return (confirm!.data as { token: string }).token;
}

describe('request logging', () => {
  it('one line per request and per turn, with ids, channel, latency and outcome; no text at info', async () => {
    log.lines.length = 0;
    const message = emulatorMessage(SECRET_TEXT, serviceUrl, { id: 'activity-obs-1' });
    expect((await post(bot.url, message, { authorization: 'Bearer some.secret.token' })).status).toBe(200);
    await post(bot.url, '{"broken": ');
    const requests = log.lines.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/messages',
      status: 200,
      activityId: 'activity-obs-1',
      channelId: 'emulator',
      type: 'message',
      outcome: 'ok',
    });
    expect(typeof requests[0]!.ms).toBe('number');
    expect(requests[1]).toMatchObject({ status: 400, outcome: 'BadRequest' });
    const turn = log.lines.find((l) => l.msg === 'turn');
    expect(turn).toMatchObject({
      activityId: 'activity-obs-1',
      conversationId: message.conversation!.id,
      channelId: 'emulator',
      outcome: 'ok',
    });
    const all = log.raw.join('\n');
    expect(all).not.toContain('my-private-note-1234');
    expect(all).not.toContain('some.secret.token');
  });

  it('secrets are redacted wherever they sit in a logged object', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(chunk.toString('utf8'));
        cb();
      },
    });
    const logger = createLogger('info', sink);
    logger.info({ authorization: 'Bearer a', headers: { Authorization: 'Bearer b' } }, 'x');
    logger.info(
      { req: { headers: { authorization: 'Bearer c' } }, config: { MicrosoftAppPassword: 'pw-d' } },
      'y',
    );
    const error = Object.assign(new Error('boom'), { request: { headers: { authorization: 'Bearer e' } } });
    logger.error({ err: error }, 'z');
    // Partner Center's credentials, as the configuration holds them.
    logger.info(
      {
        partnerCenter: {
          credential: { clientSecret: 'pc-secret-f' },
          certificate: { privateKey: '-----BEGIN PRIVATE KEY-----g' },
        },
      },
      'w',
    );
    const text = lines.join('');
    for (const secret of [
      'Bearer a',
      'Bearer b',
      'Bearer c',
      'pw-d',
      'Bearer e',
      'pc-secret-f',
      'PRIVATE KEY-----g',
    ])
      expect(text).not.toContain(secret);
    expect(text).toContain('boom');
  });
});

describe('GET /metrics', () => {
  it('needs the token when METRICS_TOKEN is set', async () => {
    expect((await fetch(`${bot.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${bot.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('Prometheus text: turns, upgrades by outcome, errors, request durations, process metrics', async () => {
    const before = await metricsText();
    const token = await review();
    await post(bot.url, teamsInvoke(serviceUrl, 'confirm', { token }));
    const text = await metricsText();
    expect(text).toContain('# TYPE turns_total counter');
    expect(text).toContain('# TYPE upgrades_total counter');
    expect(text).toContain('# TYPE errors_total counter');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(sample(text, 'upgrades_total', 'outcome="done",change="upgrade"')).toBe(
      sample(before, 'upgrades_total', 'outcome="done",change="upgrade"') + 1,
    );
    expect(
      sample(text, 'turns_total', 'channel="msteams",type="invoke",outcome="ok"'),
    ).toBeGreaterThanOrEqual(2);
    for (const outcome of ['done', 'refused', 'failed', 'cancelled']) {
      for (const change of ['upgrade', 'add_licences']) {
        expect(text).toContain(`upgrades_total{outcome="${outcome}",change="${change}"}`);
      }
    }
  });

  it('counts cancelled and refused decisions', async () => {
    const fresh = await startBot({}, { processMetrics: false });
    try {
      const contoso = (await customerNamed(fresh.app, 'Contoso Ltd'))!;
      const tokenOf = async () => {
        const res = await post(
          fresh.url,
          teamsInvoke(serviceUrl, 'review', {
            customerId: contoso.id,
            subscriptionId: 'sub-contoso-essentials',
            target: 'O365_E3',
            seats: '40',
          }),
        );
        return (
          actions((await res.json()) as unknown).find((a) => a.verb === 'confirm')!.data as { token: string }
        ).token;
      };
      await post(fresh.url, teamsInvoke(serviceUrl, 'cancel', { token: await tokenOf() }));
      const refusedToken = await tokenOf();
      await fresh.app.storage.saveCustomer({
        ...contoso,
        subscriptions: contoso.subscriptions.map((s) =>
          s.id === 'sub-contoso-essentials' ? { ...s, status: 'suspended' } : s,
        ),
      });
      await post(fresh.url, teamsInvoke(serviceUrl, 'confirm', { token: refusedToken }));
      const text = await fresh.app.metrics.render();
      expect(sample(text, 'upgrades_total', 'outcome="cancelled",change="upgrade"')).toBe(1);
      expect(sample(text, 'upgrades_total', 'outcome="refused",change="upgrade"')).toBe(1);
      expect(sample(text, 'upgrades_total', 'outcome="done",change="upgrade"')).toBe(0);
      // Licences added are counted apart.
      const licences = await post(
        fresh.url,
        teamsInvoke(serviceUrl, 'reviewLicences', {
          customerId: contoso.id,
          subscriptionId: 'sub-contoso-exchange',
          mode: 'add',
          seats: '2',
        }),
      );
      const licenceToken = (
        actions((await licences.json()) as unknown).find((a) => a.verb === 'confirm')!.data as {
          token: string;
        }
      ).token;
      await post(fresh.url, teamsInvoke(serviceUrl, 'confirm', { token: licenceToken }));
      const after = await fresh.app.metrics.render();
      expect(sample(after, 'upgrades_total', 'outcome="done",change="add_licences"')).toBe(1);
      expect(sample(after, 'upgrades_total', 'outcome="done",change="upgrade"')).toBe(0);
      // Without METRICS_TOKEN the endpoint is open.
      expect((await fetch(`${fresh.url}/metrics`)).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });

  it('labels from requests are bounded: unknown channels and types are "other"', async () => {
    await post(
      bot.url,
      emulatorMessage('', serviceUrl, { type: 'weird-type-1', channelId: 'weird-channel-1' }),
    );
    const text = await metricsText();
    expect(text).not.toContain('weird-');
    expect(text).toContain('channel="other",type="other"');
  });
});
