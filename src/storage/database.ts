/**
 * Opening the SQLite database: `upgrade-assistant.db` in the data directory (created when missing), in WAL
 * mode so that several processes can share it, with the schema brought up to date by the migrations. A data
 * directory or database that cannot be used stops start-up with a `StorageError`; nothing is ever reset.
 *
 * Permissions (POSIX): the database and its -wal and -shm files are the bot's user's only (0600; SQLite gives
 * the -wal and -shm files the database file's mode); a data directory the bot creates is 0700. An existing
 * directory is not changed (it may be shared, or a system directory): one that every user can write to is
 * refused (another user could replace the database or plant a -wal file), one that others can read or
 * the group can write to gets a warning.
 */
import { accessSync, chmodSync, closeSync, constants, mkdirSync, openSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StorageError, errorCode, errorMessage } from './errors.js';
import { MIGRATIONS, OWN_TABLES, type Migration } from './migrations.js';

export const DATABASE_FILE = 'upgrade-assistant.db';
/** Pass as the data directory for a private in-memory database (tests). */
export const IN_MEMORY = ':memory:';

export interface OpenDatabaseOptions {
  /** How long a writer waits for another connection's write lock before giving up (default 5 s). */
  readonly busyTimeoutMs?: number;
  /** Run `PRAGMA quick_check` at open (default true): a damaged file is refused at start-up. */
  readonly checkIntegrity?: boolean;
  /** The schema (for tests of the migration mechanism). */
  readonly migrations?: readonly Migration[];
  /** Told what about the permissions deserves the operator's attention (default: nothing is said). */
  readonly onWarning?: (message: string) => void;
}

export interface OpenedDatabase {
  readonly db: Database.Database;
  /** The database file, or ':memory:'. */
  readonly path: string;
  /** The schema version before and after the migrations ran at this open. */
  readonly migratedFrom: number;
  readonly schemaVersion: number;
}

const MOVE_AWAY =
  'Stop the bot, move the file away (with its -wal and -shm files) or restore a backup, then start again: ' +
  'a missing database is created and seeded from the directory file. Nothing was changed.';
const FIX_ACCESS =
  'Make it readable and writable by the user running the bot (it also writes the -wal and -shm files ' +
  'next to the database), or set DATA_DIR to another directory.';

/** Opens (or creates) the database in `dataDir`, or a private in-memory one for ':memory:'. */
export function openDatabase(dataDir: string, options: OpenDatabaseOptions = {}): OpenedDatabase {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const migrations = options.migrations ?? MIGRATIONS;
  if (dataDir === IN_MEMORY) {
    const db = new Database(IN_MEMORY, { timeout: busyTimeoutMs });
    try {
      configure(db, IN_MEMORY, busyTimeoutMs);
      return { db, path: IN_MEMORY, ...migrate(db, IN_MEMORY, migrations) };
    } catch (error) {
      db.close();
      throw error;
    }
  }

  const dir = resolve(dataDir);
  const warn = options.onWarning ?? (() => undefined);
  prepareDataDirectory(dir, warn);
  const path = join(dir, DATABASE_FILE);
  checkFile(path);
  createPrivately(path);
  restrictFiles(path, warn);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
    configure(db, path, busyTimeoutMs);
    // The -wal and -shm files exist now: created 0600 from the database file, or left by an earlier run.
    restrictFiles(path, warn);
    if (options.checkIntegrity ?? true) checkIntegrity(db, path);
    return { db, path, ...migrate(db, path, migrations) };
  } catch (error) {
    db?.close();
    throw asStorageError(error, path);
  }
}

const POSIX = process.platform !== 'win32';
const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;
const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/**
 * The data directory exists (it is created when missing, 0700), is a directory, can be read and written, and
 * is not writable by every user.
 */
function prepareDataDirectory(dir: string, warn: (message: string) => void): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') {
      throw new StorageError(dir, `cannot read the data directory (${errorMessage(error)})`, FIX_ACCESS, {
        cause: error,
      });
    }
    try {
      mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
      // The mode given to mkdir is reduced by the umask; this one is not.
      if (POSIX) chmodSync(dir, PRIVATE_DIR);
      return;
    } catch (mkdirError) {
      throw new StorageError(
        dir,
        `cannot create the data directory (${errorMessage(mkdirError)})`,
        'Create it and make it writable by the user running the bot, or set DATA_DIR to another directory.',
        { cause: mkdirError },
      );
    }
  }
  if (!isDirectory) {
    throw new StorageError(
      dir,
      'the data directory is not a directory',
      'Move that file away or set DATA_DIR to a directory.',
    );
  }
  try {
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new StorageError(
      dir,
      `the data directory is not readable and writable (${errorCode(error) ?? errorMessage(error)})`,
      FIX_ACCESS,
      { cause: error },
    );
  }
  if (!POSIX) return;
  const mode = statSync(dir).mode;
  if ((mode & 0o002) !== 0) {
    throw new StorageError(
      dir,
      `the data directory can be written by every user (mode ${octal(mode)}): another user could replace the ` +
        'database or plant a -wal file in it',
      `Make it private (chmod 700 ${dir}) or set DATA_DIR to a directory of your own. Nothing was changed.`,
    );
  }
  if ((mode & 0o077) !== 0) {
    warn(
      `${dir}: the data directory can be ${(mode & 0o020) !== 0 ? 'written by its group' : 'read by other users'} ` +
        `(mode ${octal(mode)}); it was left as it is (the database files in it are private, 0600). ` +
        `Make it private with chmod 700 ${dir}.`,
    );
  }
}

/** A new database file is created empty, 0600, before SQLite opens it (SQLite would create it 0644). */
function createPrivately(path: string): void {
  if (!POSIX) return;
  let fd: number;
  try {
    fd = openSync(path, 'wx', PRIVATE_FILE);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return; // an existing database (or another process made it just now)
    throw new StorageError(path, `cannot create the database file (${errorMessage(error)})`, FIX_ACCESS, {
      cause: error,
    });
  }
  closeSync(fd);
  chmodSync(path, PRIVATE_FILE); // beyond the umask
}

/**
 * The database and its -wal and -shm files, when they exist, are made 0600 if they are more open; a file that
 * cannot be changed (another user's) gets a warning.
 */
function restrictFiles(path: string, warn: (message: string) => void): void {
  if (!POSIX) return;
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch {
      continue; // absent
    }
    if ((mode & 0o077) === 0) continue;
    // Group and others lose their rights; the owner keeps exactly theirs (a read-only file stays read-only).
    const restricted = mode & 0o700;
    try {
      chmodSync(file, restricted);
      warn(
        `${file}: was readable by other users (mode ${octal(mode)}); made private (${octal(restricted)}).`,
      );
    } catch (error) {
      warn(
        `${file}: is readable by other users (mode ${octal(mode)}) and could not be made private ` +
          `(${errorCode(error) ?? errorMessage(error)}); run chmod 600 on it as its owner.`,
      );
    }
  }
}

/** An existing database file must be a readable and writable regular file. */
function checkFile(path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw new StorageError(path, `cannot read the database file (${errorMessage(error)})`, FIX_ACCESS, {
      cause: error,
    });
  }
  if (!isFile) throw new StorageError(path, 'the database path is not a regular file', MOVE_AWAY);
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw new StorageError(
      path,
      `the database file is not readable and writable (${errorCode(error) ?? errorMessage(error)})`,
      FIX_ACCESS,
      { cause: error },
    );
  }
}

function configure(db: Database.Database, path: string, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // The first statement reads the header: a file that is not a database fails here (SQLITE_NOTADB).
  const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
  if (path !== IN_MEMORY && mode !== 'wal') {
    throw new StorageError(
      path,
      `cannot switch the database to WAL mode (journal mode is "${mode}"; is it on a network file system?)`,
      'Put the data directory on a local disk.',
    );
  }
  db.pragma('foreign_keys = ON');
  // FULL: a committed upgrade survives a power cut, not only a crash of the process.
  db.pragma('synchronous = FULL');
}

function checkIntegrity(db: Database.Database, path: string): void {
  const problems = db.pragma('quick_check', { simple: false }) as { quick_check: string }[];
  const messages = problems.map((p) => p.quick_check).filter((m) => m !== 'ok');
  if (messages.length > 0) {
    throw new StorageError(
      path,
      `the database is damaged (integrity check: ${messages.slice(0, 3).join('; ')})`,
      MOVE_AWAY,
    );
  }
}

function userVersion(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Applies the migrations the database does not have yet, all in one transaction. */
export function migrate(
  db: Database.Database,
  path: string,
  migrations: readonly Migration[] = MIGRATIONS,
): { migratedFrom: number; schemaVersion: number } {
  migrations.forEach((m, index) => {
    if (m.version !== index + 1) {
      throw new Error(
        `Migration ${index + 1} has version ${m.version}: migrations must be numbered 1, 2, 3…`,
      );
    }
  });
  const known = migrations.length;
  const tooNew = (version: number): StorageError =>
    new StorageError(
      path,
      `the database has schema version ${version}, newer than this version of the bot knows (${known}); ` +
        'it was written by a newer release',
      'Run that newer release (or later), or restore a backup made by this release. Nothing was changed.',
    );

  const before = userVersion(db);
  if (before > known) throw tooNew(before);
  if (before === known) return { migratedFrom: before, schemaVersion: before };

  const run = db.transaction((): number => {
    // Another process may have migrated since the first look: decide under the write lock.
    const current = userVersion(db);
    if (current > known) throw tooNew(current);
    if (current === 0) refuseForeignDatabase(db, path);
    for (const migration of migrations.slice(current)) {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }
    return current;
  });
  const migratedFrom = run.immediate();
  return { migratedFrom, schemaVersion: known };
}

/** A version-0 database that already has tables was not made by this code: do not write into it. */
function refuseForeignDatabase(db: Database.Database, path: string): void {
  const tables = db
    .prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all();
  if (tables.length > 0) {
    const named = tables.slice(0, 5).join(', ');
    const ours = tables.some((t) => OWN_TABLES.includes(t));
    throw new StorageError(
      path,
      ours
        ? `the database has tables (${named}) but no schema version: it was not written by this bot or was tampered with`
        : `this SQLite database is not an Upgrade Assistant database (it has tables ${named})`,
      MOVE_AWAY,
    );
  }
}

/**
 * Turns what SQLite says about an unusable file into a `StorageError` naming the file and what to do; other
 * errors (a bug in a migration, say) are returned unchanged.
 */
function asStorageError(error: unknown, path: string): unknown {
  const code = errorCode(error) ?? '';
  if (error instanceof StorageError || !code.startsWith('SQLITE_')) return error;
  const sqlite = errorMessage(error);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new StorageError(
      path,
      `the file is not a SQLite database or is damaged (SQLite: ${sqlite})`,
      MOVE_AWAY,
      { cause: error },
    );
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code === 'SQLITE_PERM' ||
    code === 'SQLITE_AUTH'
  ) {
    return new StorageError(path, `cannot open the database for writing (SQLite: ${sqlite})`, FIX_ACCESS, {
      cause: error,
    });
  }
  if (code === 'SQLITE_FULL') {
    return new StorageError(
      path,
      `the disk is full (SQLite: ${sqlite})`,
      'Free some space and start again.',
      {
        cause: error,
      },
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StorageError(
      path,
      `the database stayed locked by another process (SQLite: ${sqlite})`,
      'Check for a stuck process using the same data directory, then start again.',
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return new StorageError(
      path,
      `an I/O error occurred reading the database (SQLite: ${sqlite})`,
      `Check the disk. ${MOVE_AWAY}`,
      { cause: error },
    );
  }
  return new StorageError(path, `cannot use the database (SQLite ${code}: ${sqlite})`, MOVE_AWAY, {
    cause: error,
  });
}
