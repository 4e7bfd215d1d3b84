/**
 * `npm run db:start`: a PostgreSQL server for a developer, from Debian's `postgresql` binaries, in the
 * project's `.postgres/` folder (kept between runs; not in DATA_DIR, which only the bot's user may enter), on
 * 127.0.0.1 (port 5433, or the port given: `npm run db:start -- 5544`), local trust authentication. Prints the DATABASE_URL to start the bot with. `npm run db:stop` stops it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { PROJECT_ROOT } from '../src/paths.js';
import { PostgresCluster, postgresBinaries } from './postgres-cluster.js';

const DATABASE = 'upgrade_assistant';

async function main(): Promise<void> {
  const stopping = process.argv.includes('--stop');
  const dir = resolve(PROJECT_ROOT, '.postgres');
  const bin = postgresBinaries();
  if (bin === undefined) {
    throw new Error(
      "Debian's PostgreSQL server binaries are not installed: sudo apt-get install -y postgresql " +
        '(or set PG_BIN to the folder holding initdb and pg_ctl).',
    );
  }
  const portFile = join(dir, 'port');
  const port = existsSync(portFile)
    ? Number(readFileSync(portFile, 'utf8'))
    : Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5433);
  const cluster = await PostgresCluster.create(bin, { dir, port });
  if (stopping) {
    cluster.stop();
    console.log(`PostgreSQL in ${dir} stopped.`);
    return;
  }
  writeFileSync(portFile, String(port));
  if (!existsSync(join(dir, 'data', 'postmaster.pid'))) cluster.start();
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  console.log(
    [
      `PostgreSQL is running in ${dir} on 127.0.0.1:${port}.`,
      `  DATABASE_URL=${cluster.url(DATABASE)}`,
      `Start the bot on it:  DATABASE_URL=${cluster.url(DATABASE)} npm start`,
      'Stop it:              npm run db:stop',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
