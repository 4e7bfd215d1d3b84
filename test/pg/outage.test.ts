/**
 * PostgreSQL going away under a running bot (the real entry point in a child process, on a cluster of the
 * test's own so that the shared one is untouched): stopped during a load of questions and confirms, then
 * restarted. Meanwhile every answer is polite (messages: the "can't reach my database" apology; Teams invokes:
 * an error invoke response), the process keeps running, and no upgrade is half done; after the restart the
 * same process serves again (its pool reconnects) within a bounded time.
 *
 * And a bot whose DATABASE_URL points where nothing listens refuses to start, naming host:port.
 *
 * Without a PostgreSQL server the suite skips loudly (engines.ts), and fails in CI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDemoDirectory } from '../../src/directory/load.js';
import type { PgStore } from '../../src/postgres/store.js';
import { evaluateSubscription } from '../../src/rules/index.js';
import { freePort, PostgresCluster, postgresBinaries } from '../../scripts/postgres-cluster.js';
import { agreement, runToExit, ScriptedChannel } from '../hardening/support.js';
import { generateCustomers } from '../support/generate-customers.js';
import {
  allCustomersOf,
  ask,
  auditedPg,
  HAVE_POSTGRES,
  inPool,
  openSeeded,
  press,
  review,
  running,
  startReplica,
  stop,
  stopAll,
  STORAGE_UNAVAILABLE,
  tally,
  waitUntil,
  type Answer,
  type Review,
} from './replica-support.js';

const IN_CI = process.env.CI === 'true';
const BIN = postgresBinaries();
const CUSTOMERS = 160;
/** The question of the load: answered from the rules, but every turn reads and writes conversation state. */
const QUESTION = 'what can Business Essentials upgrade to?';
const ANSWER = 'can be upgraded to';
const GENERIC_APOLOGY = 'Sorry, something went wrong on my side.';
/** The least time the database stays away (the bot's timers, every second, meet it too). */
const OUTAGE_MS = 3000;

if (HAVE_POSTGRES && BIN === undefined && !IN_CI) {
  console.warn(
    '!! OUTAGE TEST SKIPPED: it stops and restarts a PostgreSQL cluster of its own, and there are no server ' +
      'binaries here (Debian: apt-get install -y postgresql, or set PG_BIN). In CI this fails.',
  );
}

let cluster: PostgresCluster | undefined;
let store: PgStore | undefined;
const channel = new ScriptedChannel();

afterAll(async () => {
  await stopAll();
  await store?.close();
  cluster?.destroy();
  await channel.close();
});

type Phase = 'up' | 'down' | 'back';
type MessageAnswer = 'ok' | 'unavailable' | 'apology' | 'other' | 'no answer';

interface Seen<A> {
  readonly answer: A;
  /** The phase when the request was sent, and when its answer came. */
  readonly sent: Phase;
  readonly answered: Phase;
  readonly body: string;
}

function readMessage(text: string): MessageAnswer {
  if (text.includes(STORAGE_UNAVAILABLE)) return 'unavailable';
  if (text.includes(GENERIC_APOLOGY)) return 'apology';
  if (text.includes(ANSWER)) return 'ok';
  return 'other';
}

describe.skipIf(!HAVE_POSTGRES || (BIN === undefined && !IN_CI))(
  'PostgreSQL stopped and restarted under load',
  () => {
    it('polite answers while it is away, no crash, nothing half done; served again after the restart', async () => {
      if (BIN === undefined)
        throw new Error('CI must have the PostgreSQL server binaries (PG_BIN or Debian)');
      const serviceUrl = await channel.start();
      const folder = mkdtempSync(join(tmpdir(), 'ua-outage-'));
      const directoryFile = join(folder, 'directory.json');
      const customers = generateCustomers(CUSTOMERS, 5);
      writeFileSync(directoryFile, JSON.stringify({ partner: loadDemoDirectory().partner, customers }));
      const orders: Review[] = customers.flatMap((customer) => {
        for (const s of customer.subscriptions) {
          const target = evaluateSubscription(customer, s).eligibleTargets[0];
          if (target !== undefined) {
            return [{ customerId: customer.id, subscriptionId: s.id, target, seats: s.quantity }];
          }
        }
        return [];
      });
      expect(orders.length).toBeGreaterThanOrEqual(30);

      // A folder of its own: create() hands it to the postgres user when running as root.
      cluster = await PostgresCluster.create(BIN, {
        dir: mkdtempSync(join(tmpdir(), 'ua-outage-cluster-')),
        throwaway: true,
      });
      cluster.start();
      const admin = new pg.Client({ connectionString: cluster.url() });
      await admin.connect();
      await admin.query('CREATE DATABASE ua_outage');
      await admin.end();
      const url = cluster.url('ua_outage');
      const bot = await startReplica({
        DATABASE_URL: url,
        DIRECTORY_FILE: directoryFile,
        DATABASE_CONNECT_TIMEOUT_SECONDS: '2',
        UPGRADE_LEASE_SECONDS: '1',
        // A slow machine may need more attempts than the default before a resumption gets through.
        UPGRADE_MAX_ATTEMPTS: '50',
        UPGRADE_RETRY_DELAY_SECONDS: '1',
        CACHE_REFRESH_SECONDS: '1',
        TEAMS_INVOKE_BUDGET_MS: '10000',
      });
      const pid = bot.child.pid;
      store = await openSeeded(url);
      const baseline = await allCustomersOf(store);
      const queue = await inPool(
        orders.map((order) => () => review(bot, serviceUrl, order)),
        4,
      );

      // The load: questions and confirms (each token until it is answered other than "unavailable").
      let phase: Phase = 'up';
      let loading = true;
      const messages: Seen<MessageAnswer>[] = [];
      const presses: (Seen<Answer> & { token: string })[] = [];
      const pause = () => new Promise((resolve) => setTimeout(resolve, 25));
      const asking = async () => {
        while (loading) {
          const sent = phase;
          let body: string;
          let answer: MessageAnswer;
          try {
            body = await ask(bot, serviceUrl, QUESTION);
            answer = readMessage(body);
          } catch (error) {
            body = String(error);
            answer = 'no answer';
          }
          messages.push({ answer, sent, answered: phase, body });
          await pause();
        }
      };
      const pressing = async () => {
        while (loading && queue.length > 0) {
          const token = queue.shift()!;
          const sent = phase;
          const { answer, body } = await press(bot, serviceUrl, token);
          presses.push({ answer, sent, answered: phase, body, token });
          if (answer === 'unavailable') queue.push(token); // pressed again later
          await pause();
        }
      };
      const load = Promise.all([asking(), asking(), pressing(), pressing(), pressing(), pressing()]);
      const count = (list: readonly Seen<string>[], answer: string, sent: Phase) =>
        list.filter((s) => s.answer === answer && s.sent === sent).length;

      try {
        await waitUntil(
          'answers while the database is up',
          () => count(messages, 'ok', 'up') >= 5 && count(presses, 'done', 'up') >= 5,
          {
            timeoutMs: 60_000,
          },
        );

        // The database goes away (fast shutdown: every connection is cut), at a moment when an upgrade is being
        // carried out if one is seen within a few seconds.
        const executing = async () =>
          (await store!.pool.query("SELECT 1 FROM upgrade_ledger WHERE status = 'executing'")).rows.length >
          0;
        const caught = await waitUntil('an upgrade being carried out', executing, {
          timeoutMs: 5000,
          intervalMs: 5,
        }).then(
          () => true,
          () => false,
        );
        cluster.stop('fast');
        phase = 'down';
        const downAt = performance.now();
        await waitUntil(
          'polite answers while the database is away',
          () =>
            performance.now() - downAt >= OUTAGE_MS &&
            count(messages, 'unavailable', 'down') >= 5 &&
            count(presses, 'unavailable', 'down') >= 5,
          { timeoutMs: 60_000 },
        );
        expect(running(bot)).toBe(true);

        // Back: the same process serves again once its pool reconnects.
        cluster.start();
        phase = 'back';
        const backAt = performance.now();
        const servedAgainMs = await waitUntil(
          'a question answered after the restart',
          () => count(messages, 'ok', 'back') >= 1,
          { timeoutMs: 30_000, intervalMs: 20 },
        );
        const confirmedAgainMs = await waitUntil(
          'an upgrade done after the restart',
          () => count(presses, 'done', 'back') >= 1,
          { timeoutMs: 30_000, intervalMs: 20 },
        );
        await waitUntil('more answers after the restart', () => count(messages, 'ok', 'back') >= 5, {
          timeoutMs: 30_000,
        });
        loading = false;
        await load;
        const outageMs = backAt - downAt;

        // Every answer was one the user can act on; while the database was away, only the polite ones.
        const down = {
          messages: messages.filter((m) => m.sent === 'down'),
          presses: presses.filter((p) => p.sent === 'down'),
        };
        expect(down.messages.filter((m) => m.answer !== 'unavailable').map((m) => m.body)).toEqual([]);
        expect(down.presses.filter((p) => p.answer !== 'unavailable').map((p) => p.body)).toEqual([]);
        expect(messages.filter((m) => !['ok', 'unavailable'].includes(m.answer)).map((m) => m.body)).toEqual(
          [],
        );
        const fine: Answer[] = ['done', 'already', 'inProgress', 'unavailable'];
        expect(presses.filter((p) => !fine.includes(p.answer)).map((p) => p.body)).toEqual([]);
        // Once served again, served for good.
        const back = messages.filter((m) => m.sent === 'back');
        const firstOk = back.findIndex((m) => m.answer === 'ok');
        expect(
          back
            .slice(firstOk)
            .filter((m) => m.answer !== 'ok')
            .map((m) => m.body),
        ).toEqual([]);

        // The process never stopped, and nothing escaped it.
        expect(running(bot)).toBe(true);
        expect(bot.child.pid).toBe(pid);
        const escaped = bot.stdout.filter((line) =>
          /uncaught exception|unhandled promise rejection/.test(line),
        );
        expect(escaped).toEqual([]);

        // Nothing half done: the claims the outage interrupted are resumed; the ledger and directory agree.
        await waitUntil(
          'no claim left executing',
          async () => {
            const { rows } = await store!.pool.query(
              "SELECT 1 FROM upgrade_ledger WHERE status = 'executing'",
            );
            return rows.length === 0;
          },
          { timeoutMs: 30_000, intervalMs: 200 },
        );
        await store.customers.refresh();
        const audit = await agreement(auditedPg(store), baseline);
        expect(audit.problems).toEqual([]);
        expect(audit.doubled).toBe(0);
        const resumed = await store.pool.query('SELECT 1 FROM upgrade_ledger WHERE attempts > 1');
        // Told only "try again" by every press, and done all the same (by the resumption of a claim whose
        // acknowledgement the outage swallowed): reported (the answer promises nothing about the change).
        const toldUnchanged = [...new Set(presses.map((p) => p.token))].filter((token) => {
          const seen = presses.filter((p) => p.token === token);
          return (
            seen.every((p) => p.answer === 'unavailable' || p.answer === 'already') &&
            seen.some((p) => p.answer === 'already')
          );
        });
        const doneAnswers = presses.filter((p) => p.answer === 'done').map((p) => p.token);
        expect(new Set(doneAnswers).size).toBe(doneAnswers.length);
        expect(doneAnswers.filter((t) => !audit.done.has(t))).toEqual([]);

        // And it still stops as it should.
        expect(await stop(bot)).toMatchObject({ code: 0 });

        const t = (when: Phase, list: readonly Seen<string>[]) => {
          const counts: Record<string, number> = {};
          for (const s of list.filter((x) => x.sent === when)) counts[s.answer] = (counts[s.answer] ?? 0) + 1;
          return JSON.stringify(counts);
        };
        console.info(
          `outage: database away ${outageMs.toFixed(0)} ms (stopped ${caught ? 'just after' : 'without'} ` +
            `seeing an upgrade being carried out; ${resumed.rows.length} claims resumed after it, ` +
            `${toldUnchanged.length} of them told only "try again"); questions up ${t('up', messages)}, down ` +
            `${t('down', messages)}, back ${t('back', messages)}; presses up ${t('up', presses)}, down ` +
            `${t('down', presses)}, back ${t('back', presses)}; served again ${servedAgainMs.toFixed(0)} ms ` +
            `after the restart (an upgrade done ${confirmedAgainMs.toFixed(0)} ms after); ${audit.done.size} upgrades ` +
            `done in all; presses ${JSON.stringify(tally(presses))}`,
        );
      } finally {
        loading = false;
        await load;
      }
    }, 240_000);
  },
);

describe('a database that cannot be reached at start', () => {
  it('the bot exits non-zero with a message naming host:port, not a stack trace', async () => {
    const port = await freePort(); // nothing listens there
    const cwd = mkdtempSync(join(tmpdir(), 'ua-refused-'));
    const started = performance.now();
    const { code, stdout, stderr } = await runToExit(
      {
        DATABASE_URL: `postgres://app@127.0.0.1:${port}/ua`,
        DATA_DIR: cwd,
        DATABASE_CONNECT_TIMEOUT_SECONDS: '2',
      },
      cwd,
    );
    const took = performance.now() - started;
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stderr).toContain('Upgrade Assistant cannot start.');
    expect(stderr).toContain(`PostgreSQL at 127.0.0.1:${port}/ua: cannot connect`);
    expect(stderr).toMatch(/Check that the server is running/);
    expect(`${stderr}\n${stdout}`).not.toMatch(/^\s+at /m);
    expect(stdout).not.toContain('listening');
    console.info(
      `refused at start: exit ${code} after ${took.toFixed(0)} ms: ${stderr.trim().split('\n').join(' | ')}`,
    );
  }, 60_000);
});
