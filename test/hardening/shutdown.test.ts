/**
 * Graceful shutdown of the real entry point (child process): SIGTERM during a slow turn stops accepting
 * connections at once, lets the turn finish (its reply reaches the channel, its request gets 200), closes the
 * database cleanly (no WAL left behind) and exits 0. SIGINT likewise.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { DATABASE_FILE } from '../../src/storage/database.js';
import { openStore } from '../../src/storage/store.js';
import { emulatorMessage, post } from '../support/server.js';
import { exitOf, ScriptedChannel, sleep, startChildBot, type ChildBot } from './support.js';

const channel = new ScriptedChannel();
let serviceUrl: string;

beforeAll(async () => {
  serviceUrl = await channel.start();
});
afterAll(() => channel.close());

/** Resolves once connecting to the bot is refused (polling, at most `ms`). */
async function refused(bot: ChildBot, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      await fetch(`${bot.url}/healthz`, { signal: AbortSignal.timeout(500) });
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (code === 'ECONNREFUSED') return true;
    }
    await sleep(25);
  }
  return false;
}

describe('graceful shutdown', () => {
  it('SIGTERM during a slow turn: no new connections, the turn finishes, the database is closed, exit 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ua-shutdown-'));
    const bot = await startChildBot({ DATA_DIR: dataDir }, dataDir);
    try {
      channel.requests.length = 0;
      channel.delayMs = 1500; // the channel takes its time: the turn stays in flight
      const message = emulatorMessage('can Contoso upgrade?', serviceUrl);
      const inFlight = post(bot.url, message);
      await channel.waitFor(1);
      expect(existsSync(join(dataDir, `${DATABASE_FILE}-wal`))).toBe(true);
      bot.child.kill('SIGTERM');
      expect(await refused(bot)).toBe(true);
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(channel.requests[0]?.activity.text).toContain('Contoso Ltd');
      const exit = await exitOf(bot);
      expect(exit).toEqual({ code: 0, signal: null });
      const log = bot.stdout.join('\n');
      expect(log).toContain('shutting down');
      expect(log).toContain('"msg":"stopped"');
      expect(log).not.toContain('still in flight');
      // Closed cleanly: the WAL was checkpointed and removed; the state written by the turn is there.
      expect(existsSync(join(dataDir, `${DATABASE_FILE}-wal`))).toBe(false);
      const store = openStore({ dataDir, seed: loadDemoDirectory() });
      try {
        expect(store.seeded).toBe(false);
        // The turn finished before the database closed: its conversation state was saved.
        const key = `emulator/conversations/${message.conversation!.id}/`;
        expect((await store.state.read([key]))[key]).toBeDefined();
      } finally {
        store.close();
      }
    } finally {
      channel.delayMs = 0;
      bot.child.kill('SIGKILL');
    }
  }, 40_000);

  it('SIGINT when idle: exit 0 at once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ua-shutdown-'));
    const bot = await startChildBot({ DATA_DIR: dataDir }, dataDir);
    const started = Date.now();
    bot.child.kill('SIGINT');
    expect(await exitOf(bot)).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(existsSync(join(dataDir, `${DATABASE_FILE}-wal`))).toBe(false);
  }, 40_000);

  it('a turn that outlasts SHUTDOWN_TIMEOUT_SECONDS does not hold the shutdown', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ua-shutdown-'));
    const bot = await startChildBot({ DATA_DIR: dataDir, SHUTDOWN_TIMEOUT_SECONDS: '1' }, dataDir);
    try {
      channel.requests.length = 0;
      channel.delayMs = 5000;
      const inFlight = post(bot.url, emulatorMessage('help', serviceUrl)).catch(() => undefined);
      await channel.waitFor(1);
      const started = Date.now();
      bot.child.kill('SIGTERM');
      const exit = await exitOf(bot);
      expect(exit.code).toBe(0);
      expect(Date.now() - started).toBeLessThan(4000);
      expect(bot.stdout.join('\n')).toContain('still in flight');
      await inFlight;
    } finally {
      channel.delayMs = 0;
      bot.child.kill('SIGKILL');
    }
  }, 40_000);
});
