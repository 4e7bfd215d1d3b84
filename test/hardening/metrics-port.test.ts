/**
 * `/metrics` in production needs METRICS_TOKEN or METRICS_PORT (start-up refused otherwise). With METRICS_PORT
 * the metrics are served on a listener of their own, on the loopback interface unless METRICS_HOST says
 * otherwise, and the public port does not serve them at all (404).
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { emulatorMessage, post, startBot, type RunningBot } from '../support/server.js';
import { rawRequest, runToExit, ScriptedChannel } from './support.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  MicrosoftAppId: 'app',
  MicrosoftAppPassword: 'p',
  ALLOWED_TENANTS: 'tenant-a',
} as const;
const TOKEN = 'metrics-token-0123456789';

describe('NODE_ENV=production', () => {
  it('without METRICS_TOKEN or METRICS_PORT the configuration is refused, naming both', () => {
    expect(() => parseConfig(PRODUCTION)).toThrow(ConfigError);
    expect(() => parseConfig(PRODUCTION)).toThrow(
      /METRICS_TOKEN: METRICS_TOKEN or METRICS_PORT is required when NODE_ENV=production/,
    );
    expect(() => parseConfig({ ...PRODUCTION, METRICS_PORT: '' })).toThrow(/METRICS_PORT/);
    expect(parseConfig({ ...PRODUCTION, METRICS_TOKEN: TOKEN }).METRICS_TOKEN).toBe(TOKEN);
    const separate = parseConfig({ ...PRODUCTION, METRICS_PORT: '9464' });
    expect([separate.METRICS_PORT, separate.METRICS_HOST]).toEqual([9464, '127.0.0.1']);
    // Outside production, /metrics may stay open on the bot's port (local use).
    expect(parseConfig({}).METRICS_PORT).toBeUndefined();
  });

  it('METRICS_PORT must be another port than PORT', () => {
    expect(() => parseConfig({ PORT: '3978', METRICS_PORT: '3978' })).toThrow(/METRICS_PORT: must differ/);
    for (const bad of ['-1', '65536', 'metrics', '1.5']) {
      expect(() => parseConfig({ METRICS_PORT: bad }), bad).toThrow(/METRICS_PORT/);
    }
  });

  it('the bot refuses to start: exit code 1, the reason on stderr, never listening', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ua-metrics-'));
    const { code, stdout, stderr } = await runToExit({ ...PRODUCTION, DATA_DIR: cwd }, cwd);
    const out = [stdout];
    const err = [stderr];
    expect(code).toBe(1);
    expect(err.join('')).toContain('Upgrade Assistant cannot start');
    expect(err.join('')).toContain('METRICS_TOKEN or METRICS_PORT is required when NODE_ENV=production');
    expect(out.join('')).not.toContain('listening');
  }, 40_000);
});

describe('METRICS_PORT', () => {
  const channel = new ScriptedChannel();
  let bot: RunningBot;
  let metricsUrl: string;

  beforeAll(async () => {
    const serviceUrl = await channel.start();
    bot = await startBot({ METRICS_PORT: '0' }, { processMetrics: false });
    const address = bot.app.metricsServer!.address() as AddressInfo;
    metricsUrl = `http://127.0.0.1:${address.port}`;
    expect((await post(bot.url, emulatorMessage('help', serviceUrl))).status).toBe(200);
  });
  afterAll(async () => {
    await bot.close();
    await channel.close();
  });

  it('the metrics are served on their own listener, on the loopback interface by default', async () => {
    expect((bot.app.metricsServer!.address() as AddressInfo).address).toBe('127.0.0.1');
    const res = await fetch(`${metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(/^turns_total\{/m);
  });

  it('and not on the public port: 404, with or without a token', async () => {
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }] as Record<string, string>[]) {
      const res = await fetch(`${bot.url}/metrics`, { headers });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('turns_total');
    }
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });

  it('the metrics listener serves nothing else, and only to requests addressed to this machine', async () => {
    expect((await fetch(`${metricsUrl}/api/messages`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${metricsUrl}/healthz`)).status).toBe(404);
    expect((await fetch(`${metricsUrl}/metrics`, { method: 'POST', body: '' })).status).toBe(405);
    const port = new URL(metricsUrl).port;
    for (const host of [`evil.example:${port}`, 'localhost', `localhost:${Number(port) + 1}`]) {
      const res = await rawRequest(metricsUrl, { path: '/metrics', host });
      expect(res.status, host).toBe(421);
      expect(res.text).not.toContain('turns_total');
    }
    expect((await rawRequest(metricsUrl, { path: '/metrics', host: `localhost:${port}` })).status).toBe(200);
  });

  it('METRICS_TOKEN applies on that listener too', async () => {
    const both = await startBot({ METRICS_PORT: '0', METRICS_TOKEN: TOKEN }, { processMetrics: false });
    try {
      const url = `http://127.0.0.1:${(both.app.metricsServer!.address() as AddressInfo).port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      expect(
        (await fetch(`${both.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
      ).toBe(404);
    } finally {
      await both.close();
    }
    expect(both.app.metricsServer!.listening).toBe(false);
  });
});
