/** PostgreSQL migrations and seeding: versioned with SQLite's, safe when several replicas start at once. */
import { describe, expect, it } from 'vitest';
import { PG_MIGRATIONS, PG_SCHEMA_VERSION } from '../../src/postgres/migrations.js';
import { openPgStore } from '../../src/postgres/store.js';
import { MIGRATIONS } from '../../src/storage/migrations.js';
import { DEMO } from '../storage/support.js';
import { emptyPostgresDatabase, postgresOnly } from './engines.js';

describe('PostgreSQL schema version', () => {
  it('is the version the SQLite migrations reach', () => {
    expect(PG_SCHEMA_VERSION).toBe(MIGRATIONS.at(-1)!.version);
  });
});

describe.each(postgresOnly())('migrations on $name', () => {
  it('five replicas opening an empty database at once: migrated once, seeded once', async () => {
    const database = (await emptyPostgresDatabase())!;
    const stores = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const store = await openPgStore({ connectionString: database.url, seed: DEMO, pool: { max: 2 } });
        database.track(store);
        return store;
      }),
    );
    expect(stores.filter((s) => s.seeded)).toHaveLength(1);
    expect(stores.filter((s) => s.migratedFrom === 0)).toHaveLength(1);
    for (const store of stores) {
      expect(store.schemaVersion).toBe(PG_SCHEMA_VERSION);
      expect(await store.customers.count()).toBe(DEMO.customers.length);
      expect(store.customers.info.partnerName).toBe(DEMO.partner.name);
    }
    const { rows } = await stores[0]!.pool.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    // Each migration once: PostgreSQL's first is version 4 (SQLite's 1–4 at once), then the later ones.
    expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    expect(rows.at(-1)?.version).toBe(PG_SCHEMA_VERSION);
  });

  it('a restart neither migrates nor seeds again (the seed function is not called)', async () => {
    const database = (await emptyPostgresDatabase())!;
    const first = await openPgStore({ connectionString: database.url, seed: DEMO });
    database.track(first);
    const again = await openPgStore({
      connectionString: database.url,
      seed: () => {
        throw new Error('read the directory file again');
      },
    });
    database.track(again);
    expect(again).toMatchObject({ seeded: false, migratedFrom: PG_SCHEMA_VERSION });
  });

  it('refuses a database migrated by a newer release, and closes its pool', async () => {
    const database = (await emptyPostgresDatabase())!;
    const first = await openPgStore({ connectionString: database.url, seed: DEMO });
    database.track(first);
    await first.pool.query("INSERT INTO schema_migrations (version, description) VALUES (99, 'future')");
    await expect(openPgStore({ connectionString: database.url, seed: DEMO })).rejects.toThrow(
      /version 99, newer than this code/,
    );
  });

  it('a server that refuses connections fails the open with an error naming the host', async () => {
    await expect(
      openPgStore({
        connectionString: 'postgres://app:secret@127.0.0.1:1/none',
        seed: DEMO,
        pool: { connectionTimeoutMs: 2000 },
      }),
    ).rejects.toThrow(/^PostgreSQL at 127\.0\.0\.1:1\/none: cannot connect \(.*ECONNREFUSED/);
  });
});
