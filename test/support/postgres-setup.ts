/**
 * vitest global setup: a PostgreSQL server for the PostgreSQL suites. With DATABASE_URL, that server is used
 * (each suite makes databases of its own on it). Without, a throwaway cluster is started from Debian's
 * `postgresql` binaries (`initdb` in a temporary folder, as the `postgres` user when running as root, trust
 * authentication, a free port on 127.0.0.1) and stopped at the end, whatever the outcome.
 *
 * The tests read `inject('postgres')`: the URL, or why there is none (the suites then skip with a warning, or
 * fail in CI).
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { openPgStore } from '../../src/postgres/store.js';

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

/** Debian's binaries: PG_BIN, else the newest /usr/lib/postgresql/<version>/bin. */
function binaries(): string | undefined {
  const given = process.env.PG_BIN;
  if (given !== undefined && given !== '') return existsSync(join(given, 'initdb')) ? given : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Runs a server binary, as the `postgres` user when root (the server refuses to run as root). */
function run(bin: string, tool: string, args: readonly string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [command, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]]
    : [join(bin, tool), [...args]];
  execFileSync(command, argv, { stdio: 'pipe', timeout: 60_000 });
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
  const bin = binaries();
  if (bin === undefined) {
    return provideNone(
      project,
      'no DATABASE_URL and no PostgreSQL server binaries (Debian: apt-get install -y postgresql, or set PG_BIN)',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'ua-postgres-'));
  const data = join(dir, 'data');
  let started = false;
  const stop = (): void => {
    try {
      if (started) run(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    } catch {
      // Already stopped.
    } finally {
      started = false;
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    if (process.getuid?.() === 0)
      chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0);
    run(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', 'app', '--no-sync', '-E', 'UTF8']);
    const port = await freePort();
    // Durability does not matter for a throwaway cluster: fsync off makes the suites faster.
    const serverOptions = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=300',
    ].join(' ');
    started = true;
    run(bin, 'pg_ctl', ['-D', data, '-o', serverOptions, '-l', join(dir, 'log'), '-w', 'start']);
    const url = `postgres://app@127.0.0.1:${port}/postgres`;
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
