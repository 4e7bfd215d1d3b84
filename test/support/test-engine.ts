/**
 * Which storage engine the bots of a test file run on. SQLite by default; a file under test/pg/ that runs
 * another suite on PostgreSQL calls `useEngine('postgresql')` before importing it (see runOnPostgres).
 *
 * On PostgreSQL each bot gets a database of its own, copied from the template the global setup migrated and
 * seeded with the demo directory (a copy is much faster than migrating), dropped when the bot is closed.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export type TestEngine = 'sqlite' | 'postgresql';

let engine: TestEngine = 'sqlite';
let made = 0;

/** How many PostgreSQL databases this file made for its bots (a suite run on PostgreSQL makes some). */
export function postgresDatabasesMade(): number {
  return made;
}

export function useEngine(chosen: TestEngine): void {
  engine = chosen;
}

export function testEngine(): TestEngine {
  return engine;
}

/** True when the global setup has a PostgreSQL server for the tests. */
export function postgresAvailable(): boolean {
  return inject('postgres').url !== undefined;
}

export interface TestDatabase {
  /** The environment that points a bot at it: DATABASE_URL on PostgreSQL, nothing on SQLite. */
  readonly env: Readonly<Record<string, string>>;
  /** Drops it (PostgreSQL), after the bot using it was closed. */
  drop(): Promise<void>;
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A database for one bot of this file's engine. `demo`: a copy of the template seeded with the demo directory;
 * otherwise an empty one (the bot seeds it from its own directory file).
 */
export async function testDatabase(options: { readonly demo?: boolean } = {}): Promise<TestDatabase> {
  if (engine === 'sqlite') return { env: {}, drop: async () => undefined };
  const { url, template } = inject('postgres');
  if (url === undefined) throw new Error('No PostgreSQL server for the tests (see the global setup).');
  const name = `ua_bot_${randomBytes(6).toString('hex')}`;
  const from = options.demo !== false && template !== undefined ? ` TEMPLATE ${template}` : '';
  await admin(url, (client) => client.query(`CREATE DATABASE ${name}${from}`));
  made += 1;
  const databaseUrl = new URL(url);
  databaseUrl.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: databaseUrl.toString() },
    drop: () =>
      admin(url, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}
