import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, IN_MEMORY, openDatabase } from '../../src/storage/database.js';
import { StorageError } from '../../src/storage/errors.js';
import { MIGRATIONS, type Migration } from '../../src/storage/migrations.js';
import { DEMO, open, tempDir, withRawDatabase } from './support.js';

const run = promisify(execFile);

function storageError(action: () => unknown): StorageError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(StorageError);
    return error as StorageError;
  }
  throw new Error('expected a StorageError');
}

function tables(dataDir: string): string[] {
  return withRawDatabase(dataDir, (db) =>
    db.prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all(),
  );
}

describe('openDatabase', () => {
  it('creates the data directory and the database, in WAL mode, migrated to the latest schema', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const { db, path, migratedFrom, schemaVersion } = openDatabase(dataDir);
    try {
      expect(path).toBe(join(dataDir, DATABASE_FILE));
      expect(migratedFrom).toBe(0);
      expect(schemaVersion).toBe(MIGRATIONS.length);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    } finally {
      db.close();
    }
    expect(tables(dataDir)).toEqual([
      'customers',
      'events',
      'meta',
      'state',
      'subscription_owners',
      'upgrade_ledger',
    ]);
  });

  it('re-opening an up-to-date database runs no migration and changes nothing', () => {
    const dataDir = tempDir();
    openDatabase(dataDir).db.close();
    const before = readFileSync(join(dataDir, DATABASE_FILE));
    const again = openDatabase(dataDir);
    again.db.close();
    expect(again.migratedFrom).toBe(MIGRATIONS.length);
    expect(again.schemaVersion).toBe(MIGRATIONS.length);
    expect(readFileSync(join(dataDir, DATABASE_FILE)).equals(before)).toBe(true);
  });

  it('applies only the missing migrations, in order', () => {
    const dataDir = tempDir();
    openDatabase(dataDir).db.close();
    const next: Migration = {
      version: MIGRATIONS.length + 1,
      description: 'test: a notes table',
      up: (db) => db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT'),
    };
    const opened = openDatabase(dataDir, { migrations: [...MIGRATIONS, next] });
    opened.db.close();
    expect(opened.migratedFrom).toBe(MIGRATIONS.length);
    expect(opened.schemaVersion).toBe(MIGRATIONS.length + 1);
    expect(tables(dataDir)).toContain('notes');
  });

  it('a failing migration rolls back entirely: schema and version unchanged', () => {
    const dataDir = tempDir();
    openDatabase(dataDir).db.close();
    const broken: Migration = {
      version: MIGRATIONS.length + 1,
      description: 'test: fails half-way',
      up: (db) => {
        db.exec('CREATE TABLE half (id INTEGER PRIMARY KEY)');
        throw new Error('boom');
      },
    };
    expect(() => openDatabase(dataDir, { migrations: [...MIGRATIONS, broken] })).toThrow('boom');
    expect(tables(dataDir)).not.toContain('half');
    expect(withRawDatabase(dataDir, (db) => db.pragma('user_version', { simple: true }))).toBe(
      MIGRATIONS.length,
    );
  });

  it('refuses a database written by a newer release, naming both versions', () => {
    const dataDir = tempDir();
    openDatabase(dataDir).db.close();
    withRawDatabase(dataDir, (db) => db.pragma('user_version = 99'));
    const error = storageError(() => openDatabase(dataDir));
    expect(error.path).toBe(join(dataDir, DATABASE_FILE));
    expect(error.message).toContain(
      `schema version 99, newer than this version of the bot knows (${MIGRATIONS.length})`,
    );
    expect(error.message).toMatch(/restore a backup/);
  });

  it('refuses a SQLite database that is not ours, and leaves it alone', () => {
    const dataDir = tempDir();
    withRawDatabase(dataDir, (db) => db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)'));
    const error = storageError(() => openDatabase(dataDir));
    expect(error.message).toMatch(/not an Upgrade Assistant database \(it has tables invoices\)/);
    expect(tables(dataDir)).toEqual(['invoices']);
  });

  it('accepts :memory: for tests', () => {
    const { db, path, schemaVersion } = openDatabase(IN_MEMORY);
    expect(path).toBe(IN_MEMORY);
    expect(schemaVersion).toBe(MIGRATIONS.length);
    db.close();
  });
});

describe('unusable data directory or database file', () => {
  it('a database file of garbage stops start-up with a clear error and is left untouched', () => {
    const dataDir = tempDir();
    const file = join(dataDir, DATABASE_FILE);
    const garbage = Buffer.from(
      'This is not a database, just some text that happens to be here.\n'.repeat(80),
    );
    writeFileSync(file, garbage);
    const error = storageError(() => open(dataDir));
    expect(error.path).toBe(file);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/not a SQLite database or is damaged/);
    expect(error.message).toMatch(/move the file away .* or restore a backup/);
    expect(readFileSync(file).equals(garbage)).toBe(true);
    expect(existsSync(`${file}-wal`) && readFileSync(`${file}-wal`).length > 0).toBe(false);
  });

  it('a database damaged inside (a page overwritten) is refused at open, never reset', () => {
    const dataDir = tempDir();
    open(dataDir).close();
    const file = join(dataDir, DATABASE_FILE);
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    // Overwrite the second page (the first b-tree page after the schema) with garbage.
    bytes.fill(0xa5, pageSize, pageSize * 2);
    writeFileSync(file, bytes);
    const error = storageError(() => open(dataDir));
    expect(error.path).toBe(file);
    expect(error.message).toMatch(/damaged/);
    expect(error.message).toMatch(/restore a backup/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('a data directory path that is a file gives a clear error', () => {
    const file = join(tempDir(), 'data');
    writeFileSync(file, 'x');
    const error = storageError(() => open(file));
    expect(error.path).toBe(file);
    expect(error.message).toMatch(/is not a directory/);
    expect(error.message).toMatch(/DATA_DIR/);
  });

  it('a data directory that cannot be created gives a clear error', () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, 'x');
    const error = storageError(() => open(join(file, 'data')));
    expect(error.message).toMatch(/cannot (create|read) the data directory/);
  });

  it('a database path that is a directory gives a clear error', () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, DATABASE_FILE));
    const error = storageError(() => open(dataDir));
    expect(error.message).toMatch(/not a regular file/);
  });

  describe('permissions (checked as an unprivileged user when the tests run as root)', () => {
    const isRoot = process.getuid?.() === 0;
    const NOBODY = 65534;

    /** A temporary directory the unprivileged user can traverse. */
    function sharedTempDir(): string {
      const dir = tempDir();
      chmodSync(dir, 0o755);
      return dir;
    }

    async function openAsUser(dataDir: string): Promise<{ ok: boolean; name?: string; message?: string }> {
      const fixture = join(import.meta.dirname, 'fixtures', 'open-store.ts');
      const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture, dataDir], {
        cwd: join(import.meta.dirname, '..', '..'),
        ...(isRoot ? { uid: NOBODY, gid: NOBODY } : {}),
        env: { ...process.env, HOME: '/tmp' },
      });
      return JSON.parse(stdout) as { ok: boolean; name?: string; message?: string };
    }

    it('an unreadable, unwritable data directory stops start-up with a clear error', async () => {
      const dataDir = join(sharedTempDir(), 'locked');
      mkdirSync(dataDir);
      chmodSync(dataDir, 0o000);
      const result = await openAsUser(dataDir);
      chmodSync(dataDir, 0o700);
      expect(result.ok).toBe(false);
      expect(result.name).toBe('StorageError');
      expect(result.message).toContain(dataDir);
      expect(result.message).toMatch(/not readable and writable \(EACCES\)/);
      expect(result.message).toMatch(/DATA_DIR/);
    });

    it('a read-only database file stops start-up with a clear error', async () => {
      const dataDir = sharedTempDir();
      open(dataDir).close();
      chmodSync(dataDir, 0o777);
      chmodSync(join(dataDir, DATABASE_FILE), 0o444);
      const result = await openAsUser(dataDir);
      expect(result.ok).toBe(false);
      expect(result.name).toBe('StorageError');
      expect(result.message).toContain(join(dataDir, DATABASE_FILE));
      expect(result.message).toMatch(/not readable and writable/);
    });

    it('the child process can open a usable data directory (the check above is meaningful)', async () => {
      const dataDir = join(sharedTempDir(), 'open');
      mkdirSync(dataDir);
      chmodSync(dataDir, 0o777);
      expect(await openAsUser(dataDir)).toEqual({ ok: true });
      // The seed of the child is the demo directory.
      const count = withRawDatabase(dataDir, (db) =>
        db.prepare<[], number>('SELECT count(*) FROM customers').pluck().get(),
      );
      expect(count).toBe(DEMO.customers.length);
    });
  });
});
