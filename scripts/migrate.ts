/**
 * `npm run migrate`: brings the database the configuration names up to the current schema, and nothing else
 * (no seed, no server). PostgreSQL (DATABASE_URL) migrates under the advisory lock that replicas starting at
 * once also take; SQLite migrates DATA_DIR's database. The bot also migrates at start: this command is for a
 * release pipeline that migrates before the new replicas roll out.
 */
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/postgres/migrations.js';
import { createPool, serverOf } from '../src/postgres/store.js';
import { openDatabase } from '../src/storage/database.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.DATABASE_URL !== undefined) {
    const pool = createPool(config.DATABASE_URL, {
      max: 1,
      connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000,
    });
    try {
      const { from, to } = await migrate(pool);
      console.log(report(`PostgreSQL at ${serverOf(config.DATABASE_URL)}`, from, to));
    } finally {
      await pool.end();
    }
    return;
  }
  const { db, path, migratedFrom, schemaVersion } = openDatabase(config.DATA_DIR);
  db.close();
  console.log(report(`SQLite ${path}`, migratedFrom, schemaVersion));
}

function report(where: string, from: number, to: number): string {
  return from === to
    ? `${where}: schema already at version ${to}; nothing to do.`
    : `${where}: schema migrated from version ${from} to ${to}.`;
}

main().catch((error: unknown) => {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
