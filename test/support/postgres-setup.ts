/**
 * vitest global setup: a PostgreSQL server for the PostgreSQL suites. With DATABASE_URL, that server is used
 * (each suite makes databases of its own on it). Without, a throwaway cluster is started from Debian's
 * `postgresql` binaries (`initdb` in a temporary folder, as the `postgres` user when running as root, trust
 * authentication, a free port on 127.0.0.1) and stopped at the end, whatever the outcome.
 *
 * The tests read `inject('postgres')`: the URL, or why there is none (the suites then skip with a warning, or
 * fail in CI).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { openPgStore } from '../../src/postgres/store.js';
import { PostgresCluster, postgresBinaries } from '../../scripts/postgres-cluster.js';

const TEMPLATE = 'ua_template_demo';

/** Makes (again) the template database: the schema, seeded with the demo directory. */
async function makeTemplate(url: string): Promise<string> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE}`);
  } finally {
    await admin.end();
  }
  const databaseUrl = new URL(url);
  databaseUrl.pathname = `/${TEMPLATE}`;
  const store = await openPgStore({ connectionString: databaseUrl.toString(), seed: loadDemoDirectory() });
  await store.close();
  return TEMPLATE;
}

export interface PostgresForTests {
  /** postgres://… of a server the tests may create databases on; undefined when there is none. */
  readonly url?: string;
  /** A database migrated and seeded with the demo directory, to copy (CREATE DATABASE … TEMPLATE). */
  readonly template?: string;
  /** Why there is no server. */
  readonly problem?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresForTests;
  }
}

/** Without a server: a loud warning, once (outside CI, where the suites fail instead). */
function provideNone(project: TestProject, problem: string): undefined {
  project.provide('postgres', { problem });
  if (process.env.CI !== 'true') {
    console.warn(
      [
        '',
        '!'.repeat(100),
        `!!  POSTGRESQL TESTS SKIPPED: ${problem}.`,
        "!!  Install Debian's postgresql package or set DATABASE_URL, then run npx vitest run test/pg.",
        '!!  In CI (CI=true) a missing PostgreSQL fails the run.',
        '!'.repeat(100),
        '',
      ].join('\n'),
    );
  }
  return undefined;
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const given = process.env.DATABASE_URL;
  if (given !== undefined && given !== '') {
    project.provide('postgres', { url: given, template: await makeTemplate(given) });
    return undefined;
  }
  const bin = postgresBinaries();
  if (bin === undefined) {
    return provideNone(
      project,
      'no DATABASE_URL and no PostgreSQL server binaries (Debian: apt-get install -y postgresql, or set PG_BIN)',
    );
  }
  let cluster: PostgresCluster | undefined;
  const stop = (): void => {
    cluster?.destroy();
    cluster = undefined;
  };
  try {
    // Durability does not matter for a throwaway cluster: fsync off makes the suites faster.
    cluster = await PostgresCluster.create(bin, {
      dir: mkdtempSync(join(tmpdir(), 'ua-postgres-')),
      throwaway: true,
    });
    cluster.start();
    const url = cluster.url();
    project.provide('postgres', { url, template: await makeTemplate(url) });
  } catch (error) {
    stop();
    // The PostgreSQL suites say why (skipped with a warning, or failed in CI); the others run.
    const detail = error instanceof Error ? error.message : String(error);
    return provideNone(project, `could not start a throwaway PostgreSQL cluster with ${bin}: ${detail}`);
  }
  // Stopped at the end of the run, and if the run is interrupted.
  const onSignal = (): void => stop();
  process.once('exit', onSignal);
  return () => {
    process.off('exit', onSignal);
    stop();
  };
}
