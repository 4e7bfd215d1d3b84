/**
 * Helpers of the replica and outage tests: databases on the PostgreSQL server of the global setup, read as
 * `agreement` reads them; the bot processes and what they answer come from `test/support/child-bots.ts`.
 *
 * Importing this module imports './engines.js': without a PostgreSQL server the suites skip loudly, or fail
 * in CI.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openPgStore, type PgStore } from '../../src/postgres/store.js';
import type { Customer } from '../../src/rules/index.js';
import type { Audited } from '../hardening/support.js';
import './engines.js';

/** The server of the global setup, when there is one. */
export const postgres = inject('postgres');

/** True when the suites run (a server is there); engines.ts reports the skip, or the failure in CI. */
export const HAVE_POSTGRES = postgres.url !== undefined;

export const STORAGE_UNAVAILABLE =
  "Sorry, I can't reach my database right now. Please try again in a moment: a confirm you pressed will then " +
  'say whether it went through.';

// ---------------------------------------------------------------------------------------------------------
// Databases

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface Database {
  readonly url: string;
  /** Drops it (FORCE: connections left behind are cut). Idempotent. */
  drop(): Promise<void>;
}

/**
 * A new database on the server at `server` (default: the global setup's): a copy of the template seeded with
 * the demo directory (`demo`), or empty (the first bot seeds it from its directory file).
 */
export async function newDatabase(
  options: { readonly demo?: boolean; readonly server?: string } = {},
): Promise<Database> {
  const server = options.server ?? postgres.url;
  if (server === undefined) throw new Error('No PostgreSQL server for the tests (see the global setup).');
  const name = `ua_replica_${randomBytes(6).toString('hex')}`;
  const template = options.demo === true ? postgres.template : undefined;
  if (options.demo === true && template === undefined) throw new Error('No template database');
  await withAdmin(server, (c) =>
    c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`),
  );
  const url = new URL(server);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    drop: () =>
      (dropped ??= withAdmin(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      )),
  };
}

/** A store on a database the bots seeded (never seeds it itself). */
export function openSeeded(url: string): Promise<PgStore> {
  return openPgStore({
    connectionString: url,
    pool: { max: 3 },
    seed: () => {
      throw new Error('the database was expected to be seeded by the bots');
    },
  });
}

/** What `agreement` reads, from a store. */
export function auditedPg(store: PgStore): Audited {
  return {
    customers: store.customers,
    ledger: store.ledger,
    auditEvents: (token) => store.ledger.events(token),
  };
}

/** Every customer as the database holds it now (the baseline of `agreement`: as jsonb gives them back). */
export async function allCustomersOf(store: PgStore): Promise<Customer[]> {
  const all: Customer[] = [];
  for await (const page of store.customers.pages()) all.push(...page);
  return all;
}

export {
  ask,
  CONTOSO_REVIEW,
  inPool,
  kill,
  press,
  readAnswer,
  review,
  running,
  startReplica,
  stop,
  stopAll,
  tally,
  waitUntil,
  type Answer,
  type Press,
  type Review,
} from '../support/child-bots.js';
