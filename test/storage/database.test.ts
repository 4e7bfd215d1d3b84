import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, IN_MEMORY, openDatabase } from '../../src/storage/database.js';
import { StorageError } from '../../src/storage/errors.js';
import { MIGRATIONS, type Migration } from '../../src/storage/migrations.js';
import { SqliteUpgradeLedger } from '../../src/storage/upgrade-ledger.js';
import { ALICE, BOB, CONTOSO_ID, DEMO, contosoRequest, open, tempDir, withRawDatabase } from './support.js';

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
      'customer_removals',
      'customers',
      'events',
      'executions',
      'leases',
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

  it('migrates a schema-5 ledger to 6, keeping every request, its place and lease; the rules of 3–5 still hold', async () => {
    const dataDir = tempDir();
    const v5 = openDatabase(dataDir, { migrations: MIGRATIONS.slice(0, 5) });
    const insert = v5.db.prepare(
      `INSERT INTO upgrade_ledger (token, customer_id, subscription_id, from_offer, target, quantity, upgrade_type,
         requested_by_id, requested_by_name, requested_at, conversation_id, channel_id, tenant_id, expires_at,
         status, decided_by_id, decided_at, lease_until, attempts, new_subscription_id)
       VALUES (@token, @customer, @subscription, 'O365_BUSINESS_ESSENTIALS', 'O365_E3', 40, 'upgrade_only',
         'user-alice', 'Alice Martin', '2025-03-01T10:00:00.000Z', 'conv-1', 'msteams', 'tenant-a',
         '2025-03-02T10:00:00.000Z', @status, @decidedBy, @decidedAt, @leaseUntil, @attempts, @newSubscription)`,
    );
    const rows = [
      ['v5-pending', 'sub-a', 'pending', null, null, null, 0, null],
      ['v5-executing', 'sub-b', 'executing', 'user-bob', null, '2025-03-01T10:02:00.000Z', 1, null],
      ['v5-done', 'sub-c', 'done', 'user-bob', '2025-03-01T10:01:00.000Z', null, 1, 'sub-new'],
      ['v5-refused', 'sub-d', 'refused', 'user-bob', '2025-03-01T10:01:00.000Z', null, 1, null],
    ] as const;
    for (const [
      token,
      subscription,
      status,
      decidedBy,
      decidedAt,
      leaseUntil,
      attempts,
      newSubscription,
    ] of rows) {
      insert.run({
        token,
        customer: CONTOSO_ID,
        subscription,
        status,
        decidedBy,
        decidedAt,
        leaseUntil,
        attempts,
        newSubscription,
      });
    }
    const before = v5.db.prepare('SELECT * FROM upgrade_ledger ORDER BY token').all() as Record<
      string,
      unknown
    >[];
    v5.db.close();

    const { db, migratedFrom, schemaVersion } = openDatabase(dataDir);
    try {
      expect([migratedFrom, schemaVersion]).toEqual([5, MIGRATIONS.length]);
      const after = db.prepare('SELECT * FROM upgrade_ledger ORDER BY token').all() as Record<
        string,
        unknown
      >[];
      // Every column kept as it was; the new ones say "an upgrade", with no seats before it.
      expect(after).toEqual(before.map((r) => ({ ...r, change: 'upgrade', previous_quantity: null })));
      const ledger = new SqliteUpgradeLedger(db);
      expect(await ledger.get('v5-executing')).toMatchObject({
        status: 'executing',
        place: { channelId: 'msteams', conversationId: 'conv-1', tenantId: 'tenant-a' },
        leaseUntil: '2025-03-01T10:02:00.000Z',
        upgradeType: 'upgrade_only',
      });
      expect(await ledger.get('v5-executing')).not.toHaveProperty('change');
      // Migration 3's rules: a decided request is final, what was requested never changes, one change under way
      // per subscription; 4's: a done request is never deleted; an upgrade's new subscription is unique.
      expect(() => db.prepare("UPDATE upgrade_ledger SET error = 'x' WHERE token = 'v5-done'").run()).toThrow(
        /already decided/,
      );
      expect(() =>
        db.prepare("UPDATE upgrade_ledger SET quantity = 41 WHERE token = 'v5-pending'").run(),
      ).toThrow(/never changes/);
      expect(() =>
        db.prepare("UPDATE upgrade_ledger SET change = 'add_licences' WHERE token = 'v5-pending'").run(),
      ).toThrow();
      expect(() => db.prepare("DELETE FROM upgrade_ledger WHERE token = 'v5-done'").run()).toThrow(
        /never deleted/,
      );
      db.prepare("DELETE FROM upgrade_ledger WHERE token = 'v5-refused'").run();
      expect(() =>
        db
          .prepare(
            `INSERT INTO upgrade_ledger (token, customer_id, subscription_id, from_offer, target, quantity, upgrade_type,
               requested_by_id, requested_at, expires_at, status, lease_until, attempts)
             VALUES ('x', 'c', 'sub-b', 'O365_E1', 'O365_E3', 1, 'upgrade_only', 'u', 't', 't', 'executing', 't', 1)`,
          )
          .run(),
      ).toThrow(/UNIQUE/);
      expect(() =>
        db
          .prepare(
            `INSERT INTO upgrade_ledger (token, customer_id, subscription_id, from_offer, target, quantity, upgrade_type,
               requested_by_id, requested_at, expires_at, status, decided_at, attempts, new_subscription_id)
             VALUES ('y', 'c', 'sub-y', 'O365_E1', 'O365_E3', 1, 'upgrade_only', 'u', 't', 't', 'done', 't', 1, 'sub-new')`,
          )
          .run(),
      ).toThrow(/UNIQUE/);
      // A licence request holds together: seats before, more after, on the same offer, and no upgrade type.
      const licence = (values: string) =>
        db
          .prepare(
            `INSERT INTO upgrade_ledger (token, customer_id, subscription_id, change, from_offer, target, quantity,
               previous_quantity, upgrade_type, requested_by_id, requested_at, expires_at) VALUES (${values})`,
          )
          .run();
      licence("'l1', 'c', 's', 'add_licences', 'O365_E3', 'O365_E3', 12, 10, NULL, 'u', 't', 't'");
      expect(() =>
        licence("'l2', 'c', 's', 'add_licences', 'O365_E3', 'O365_E3', 10, 10, NULL, 'u', 't', 't'"),
      ).toThrow(/CHECK/);
      expect(() =>
        licence("'l3', 'c', 's', 'add_licences', 'O365_E1', 'O365_E3', 12, 10, NULL, 'u', 't', 't'"),
      ).toThrow(/CHECK/);
      expect(() =>
        licence("'l4', 'c', 's', 'add_licences', 'O365_E3', 'O365_E3', 12, NULL, NULL, 'u', 't', 't'"),
      ).toThrow(/CHECK/);
      expect(() =>
        licence("'l5', 'c', 's', 'upgrade', 'O365_E3', 'O365_E5', 12, NULL, NULL, 'u', 't', 't'"),
      ).toThrow(/CHECK/);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });

  it('migrates a schema-2 ledger to 3, keeping its requests: pending for a day, done as it was', async () => {
    const dataDir = tempDir();
    const v2 = openDatabase(dataDir, { migrations: MIGRATIONS.slice(0, 2) });
    const contoso = DEMO.customers.find((c) => c.id === CONTOSO_ID)!;
    v2.db
      .prepare('INSERT INTO customers (id, company_name, document, version) VALUES (?, ?, ?, 1)')
      .run(CONTOSO_ID, contoso.companyProfile.companyName, JSON.stringify(contoso));
    const insert = v2.db.prepare(
      `INSERT INTO upgrade_ledger (token, customer_id, subscription_id, from_offer, target, quantity,
         upgrade_type, requested_by_id, requested_by_name, requested_by_aad_object_id, requested_at,
         conversation_id, status, decided_by_id, decided_by_name, decided_at, new_subscription_id,
         affected_accounts)
       VALUES (@token, @customerId, @subscriptionId, @fromOffer, @target, @quantity, @upgradeType, 'user-alice',
         'Alice Martin', 'aad-alice', @requestedAt, 'conv-1', @status, @decidedBy, @decidedByName, @decidedAt,
         @newSubscriptionId, @affectedAccounts)`,
    );
    const affected = [
      {
        objectId: 'obj-adele',
        name: 'Adele Vance',
        email: 'adele@contoso.example',
        cause: 'custom_assignment_lost',
        services: ['exchange'],
      },
    ];
    const row = (token: string, requestedAt: string) => {
      const { requestedBy: _by, ...request } = contosoRequest(token, { requestedAt });
      return { ...request, status: 'pending', decidedBy: null, decidedByName: null, decidedAt: null };
    };
    insert.run({
      ...row('old-pending', '2025-03-01T10:00:00.000Z'),
      newSubscriptionId: null,
      affectedAccounts: '[]',
    });
    insert.run({
      ...row('old-done', '2025-02-01T10:00:00.000Z'),
      status: 'done',
      decidedBy: BOB.id,
      decidedByName: BOB.name,
      decidedAt: '2025-02-01T10:05:00.000Z',
      newSubscriptionId: 'sub-contoso-e3-old',
      affectedAccounts: JSON.stringify(affected),
    });
    v2.db
      .prepare("INSERT INTO events (token, at, actor_id, what, detail) VALUES ('old-done', ?, ?, 'done', ?)")
      .run('2025-02-01T10:05:00.000Z', BOB.id, 'sub-contoso-e3-old');
    v2.db.close();

    const { db, migratedFrom, schemaVersion } = openDatabase(dataDir);
    try {
      expect([migratedFrom, schemaVersion]).toEqual([2, MIGRATIONS.length]);
      const ledger = new SqliteUpgradeLedger(db);
      // Recorded before the place of a card was kept: bound to no place, so migration 4 expires the pending one
      // (its card could be confirmed nowhere).
      const { place: _pending, ...oldPending } = contosoRequest('old-pending');
      const { place: _done, ...oldDone } = contosoRequest('old-done', {
        requestedAt: '2025-02-01T10:00:00.000Z',
      });
      const pending = await ledger.get('old-pending');
      expect(pending).toEqual({
        ...oldPending,
        requestedBy: ALICE,
        status: 'expired',
        expiresAt: '2025-03-02T10:00:00.000Z',
        decidedAt: pending?.decidedAt,
        attempts: 0,
        affectedAccounts: [],
        reasons: [],
      });
      expect(Date.parse(pending!.decidedAt!)).toBeGreaterThan(Date.now() - 60_000);
      expect(await ledger.get('old-done')).toEqual({
        ...oldDone,
        status: 'done',
        expiresAt: '2025-02-02T10:00:00.000Z',
        decidedBy: BOB,
        decidedAt: '2025-02-01T10:05:00.000Z',
        attempts: 1,
        newSubscriptionId: 'sub-contoso-e3-old',
        affectedAccounts: affected,
        reasons: [],
      });
      expect(ledger.events('old-done').map((e) => e.what)).toEqual(['done']);
      // The migrated requests follow the new states: the expired one stays expired, the done one is final.
      const claim = await ledger.claim(
        'old-pending',
        BOB,
        new Date('2025-03-01T12:00:00.000Z'),
        new Date('2025-03-01T12:02:00.000Z'),
      );
      expect(claim.kind).toBe('expired');
      expect(() =>
        db.prepare("UPDATE upgrade_ledger SET error = 'x' WHERE token = 'old-done'").run(),
      ).toThrow(/already decided/);
    } finally {
      db.close();
    }
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
    /** Gives a path to the user the child runs as (nobody when the tests run as root), private (0700). */
    const ownBy = (path: string): void => {
      if (isRoot) chownSync(path, NOBODY, NOBODY);
      chmodSync(path, 0o700);
    };

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
      // The directory and the file belong to the user the bot runs as; the file is read-only.
      ownBy(dataDir);
      ownBy(join(dataDir, DATABASE_FILE));
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
      ownBy(dataDir);
      expect(await openAsUser(dataDir)).toEqual({ ok: true });
      // The seed of the child is the demo directory.
      const count = withRawDatabase(dataDir, (db) =>
        db.prepare<[], number>('SELECT count(*) FROM customers').pluck().get(),
      );
      expect(count).toBe(DEMO.customers.length);
    });
  });
});
