/**
 * The database is the bot's user's only: the data directory it creates is 0700, the database and its -wal and
 * -shm files 0600 (whatever the umask); more open files left by an earlier run are made 0600. An existing
 * directory is not changed: one every user can write to stops start-up (nothing created in it), one others
 * can read gets a warning naming it.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src/storage/database.js';
import { StorageError } from '../../src/storage/errors.js';
import { openStore } from '../../src/storage/store.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { startBot } from '../support/server.js';
import { exitOf, memoryLogger, spawnBot } from './support.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const files = (dir: string) =>
  [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`].map((f) => join(dir, f));

let umask: number | undefined;
beforeAll(() => {
  expect(process.platform).not.toBe('win32');
});
afterEach(() => {
  if (umask !== undefined) process.umask(umask);
  umask = undefined;
});

describe('a data directory the bot creates', () => {
  it('is 0700; the database, -wal and -shm files are 0600, even with umask 000', async () => {
    umask = process.umask(0o000);
    const dir = join(mkdtempSync(join(tmpdir(), 'ua-perm-')), 'nested', 'data');
    const log = memoryLogger('warn');
    const bot = await startBot({ DATA_DIR: dir }, { logger: log.logger, processMetrics: false });
    try {
      expect(mode(dir)).toBe(0o700);
      for (const file of files(dir)) {
        expect(existsSync(file), file).toBe(true);
        expect(mode(file), file).toBe(0o600);
      }
      expect(log.lines.filter((l) => /mode|private/.test(String(l.msg)))).toEqual([]);
    } finally {
      await bot.close();
    }
    // Reopened: still private, nothing to say.
    const warnings: string[] = [];
    openStore({ dataDir: dir, seed: loadDemoDirectory, onWarning: (m) => warnings.push(m) }).close();
    for (const file of files(dir).filter(existsSync)) expect(mode(file), file).toBe(0o600);
    expect(warnings).toEqual([]);
  });
});

describe('files left more open by an earlier run', () => {
  it('are made 0600, with a warning naming each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ua-perm-'));
    // A database from an earlier version, with the default SQLite modes.
    openStore({ dataDir: dir, seed: loadDemoDirectory() }).close();
    writeFileSync(join(dir, `${DATABASE_FILE}-shm`), Buffer.alloc(0));
    for (const file of files(dir).filter(existsSync)) chmodSync(file, 0o644);
    const warnings: string[] = [];
    const store = openStore({ dataDir: dir, seed: loadDemoDirectory, onWarning: (m) => warnings.push(m) });
    try {
      for (const file of files(dir)) expect(mode(file), file).toBe(0o600);
      expect(warnings.some((w) => w.startsWith(join(dir, DATABASE_FILE)) && w.includes('0644'))).toBe(true);
      expect(warnings.every((w) => w.includes('made private (0600)'))).toBe(true);
    } finally {
      store.close();
    }
  });
});

describe('an existing data directory', () => {
  it('readable by others: left as it is, with a warning naming it and what to do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ua-perm-'));
    chmodSync(dir, 0o755);
    const warnings: string[] = [];
    openStore({ dataDir: dir, seed: loadDemoDirectory(), onWarning: (m) => warnings.push(m) }).close();
    expect(mode(dir)).toBe(0o755);
    expect(mode(join(dir, DATABASE_FILE))).toBe(0o600);
    expect(warnings).toEqual([
      `${dir}: the data directory can be read by other users (mode 0755); it was left as it is (the database ` +
        `files in it are private, 0600). Make it private with chmod 700 ${dir}.`,
    ]);
  });

  it('writable by every user (even with the sticky bit): start-up refused, nothing created in it', async () => {
    for (const open of [0o777, 0o1777]) {
      const dir = mkdtempSync(join(tmpdir(), 'ua-perm-'));
      chmodSync(dir, open);
      let error: unknown;
      try {
        openStore({ dataDir: dir, seed: loadDemoDirectory }).close();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toContain(`${dir}: the data directory can be written by every user`);
      expect(readdirSync(dir)).toEqual([]);
      expect(statSync(dir).mode & 0o7777).toBe(open);
    }
  });

  it('the real entry point stops with exit code 1 and the reason', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ua-perm-'));
    const dir = join(cwd, 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const child = spawnBot({ DATA_DIR: dir }, cwd);
    const err: string[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const { code } = await exitOf({ child, exited }, 30_000);
    expect(code).toBe(1);
    expect(err.join('')).toContain('the data directory can be written by every user (mode 0777)');
    expect(readdirSync(dir)).toEqual([]);
  }, 40_000);
});
