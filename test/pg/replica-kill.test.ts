/**
 * SIGKILL of one of two replicas in the middle of a burst of confirms (the real entry point, a PostgreSQL
 * database seeded with generated customers, short leases): the survivor takes the rest of the burst and resumes
 * the claims the killed one left once their lease runs out; after the killed one is back, every token is done,
 * failed or pending, and the ledger and the directory agree: nothing doubled, nothing half-applied.
 *
 * Without a PostgreSQL server the suite skips loudly (engines.ts), and fails in CI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoDirectory } from '../../src/directory/load.js';
import type { PgStore } from '../../src/postgres/store.js';
import { evaluateSubscription, type Customer } from '../../src/rules/index.js';
import { agreement, ScriptedChannel, type ChildBot } from '../hardening/support.js';
import { generateCustomers } from '../support/generate-customers.js';
import {
  allCustomersOf,
  auditedPg,
  HAVE_POSTGRES,
  inPool,
  kill,
  newDatabase,
  openSeeded,
  press,
  review,
  running,
  startReplica,
  stopAll,
  tally,
  waitUntil,
  type Database,
  type Press,
  type Review,
} from './replica-support.js';

const CUSTOMERS = 220;
const PRESSES_PER_TOKEN = 3;
const CONCURRENCY = 16;
/** The kill is armed once this share of the burst has been answered. */
const ARM_AT = 0.35;

const channel = new ScriptedChannel();
let serviceUrl = '';
let database: Database | undefined;
let store: PgStore | undefined;
const folder = mkdtempSync(join(tmpdir(), 'ua-replica-kill-'));
const directoryFile = join(folder, 'directory.json');
const customers = generateCustomers(CUSTOMERS, 11);
/** One upgradable subscription per customer, so that every confirm can succeed. */
const orders: Review[] = customers.flatMap((customer) => {
  for (const subscription of customer.subscriptions) {
    const target = evaluateSubscription(customer, subscription).eligibleTargets[0];
    if (target !== undefined) {
      return [
        { customerId: customer.id, subscriptionId: subscription.id, target, seats: subscription.quantity },
      ];
    }
  }
  return [];
});

/** The environment of a replica; its connections are named after it (pg_stat_activity.application_name). */
function env(name: 'a' | 'b'): Record<string, string> {
  const url = new URL(database!.url);
  url.searchParams.set('application_name', `replica-${name}`);
  return {
    DATABASE_URL: url.toString(),
    DIRECTORY_FILE: directoryFile,
    // A claim left by the killed process may be taken over a second after it was made; looked for every second.
    UPGRADE_LEASE_SECONDS: '1',
    // A slow machine may need more attempts than the default before a resumption gets through.
    UPGRADE_MAX_ATTEMPTS: '50',
    UPGRADE_RETRY_DELAY_SECONDS: '1',
    TEAMS_INVOKE_BUDGET_MS: '10000',
  };
}

/** How many statements replica A's connections are running now (`active`), or how many it has (`any`). */
async function connectionsOfA(which: 'active' | 'any'): Promise<number> {
  const { rows } = await store!.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'replica-a'
       AND ($1 = 'any' OR state = 'active')`,
    [which],
  );
  return rows[0]!.n;
}

/** The status of each token in the ledger. */
async function statuses(tokens: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await store!.pool.query<{ token: string; status: string }>(
    'SELECT token, status FROM upgrade_ledger WHERE token = ANY($1)',
    [tokens],
  );
  return new Map(rows.map((r) => [r.token, r.status]));
}

describe.skipIf(!HAVE_POSTGRES)('SIGKILL of one replica during a burst of confirms', () => {
  beforeAll(async () => {
    serviceUrl = await channel.start();
    writeFileSync(directoryFile, JSON.stringify({ partner: loadDemoDirectory().partner, customers }));
    database = await newDatabase();
  });

  afterAll(async () => {
    await stopAll();
    await store?.close();
    await database?.drop();
    await channel.close();
  });

  it("the survivor finishes the burst and the killed one's claims; nothing doubled or half-applied", async () => {
    expect(orders.length).toBeGreaterThanOrEqual(60);
    // Both start at once on the empty database: one migrates and seeds, the other waits for it.
    const pair = await Promise.all([startReplica(env('a')), startReplica(env('b'))]);
    let a: ChildBot = pair[0];
    const b: ChildBot = pair[1];
    store = await openSeeded(database!.url);
    const baseline: Customer[] = await allCustomersOf(store);
    expect(baseline).toHaveLength(CUSTOMERS);

    // 1. A confirm card per order, reviewed alternately on A and B.
    const tokens = await inPool(
      orders.map((order, i) => () => review(i % 2 === 0 ? a : b, serviceUrl, order)),
      8,
    );
    expect(new Set(tokens).size).toBe(orders.length);

    // 2. The burst: each token pressed 3 times at once (a double and a triple click) on its home replica, A
    //    or B; the presses of several tokens at a time. (Presses of one token on both: see replicas.test.ts.)
    const burst = tokens.flatMap((token, i) =>
      Array.from({ length: PRESSES_PER_TOKEN }, () => ({ token, replica: i % 2 === 0 ? 'A' : 'B' })),
    );
    const answers: (Press & { token: string; replica: string; phase: number })[] = [];
    /** Presses sent to A and not answered yet, per token; the same for B. */
    const inFlight = { A: new Map<string, number>(), B: new Map<string, number>() };
    let killed = false;
    let next = 0;
    const started = performance.now();
    const send = async (token: string, replica: 'A' | 'B', phase: number) => {
      const target = replica === 'A' ? a : b;
      const counts = inFlight[replica];
      counts.set(token, (counts.get(token) ?? 0) + 1);
      const answer = await press(target, serviceUrl, token);
      counts.set(token, counts.get(token)! - 1);
      answers.push({ ...answer, token, replica, phase });
    };
    const phase1 = Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < burst.length && !killed) {
          const { token, replica } = burst[next++]!;
          await send(token, replica as 'A' | 'B', 1);
        }
      }),
    );
    let burstOver = false;
    void phase1.then(() => (burstOver = true));
    // The kill: once the burst is well under way, at a moment when A holds claims (tokens of A's executing in
    // the ledger). A is frozen first (SIGSTOP) and, once none of its statements is running on the server, the
    // ledger read: the claims still executing are those it leaves (else it goes on, and the look is repeated).
    let killedAt = 0;
    let crashAt = 0;
    let leftByA: string[] = [];
    let atCrash = new Map<string, string>();
    const ofA = (token: string) => tokens.indexOf(token) % 2 === 0; // only A presses them before the kill
    await waitUntil(
      'A holding a claim of its own in the middle of the burst',
      async () => {
        if (burstOver) return true;
        if (answers.length < burst.length * ARM_AT) return false;
        const executing = [...(await statuses(tokens))].filter(([t, s]) => s === 'executing' && ofA(t));
        if (executing.length === 0) return false;
        a.child.kill('SIGSTOP');
        await waitUntil(
          'the statements of frozen A over',
          async () => (await connectionsOfA('active')) === 0,
          {
            timeoutMs: 10_000,
            intervalMs: 5,
          },
        );
        atCrash = await statuses(tokens);
        leftByA = [...atCrash].filter(([t, s]) => s === 'executing' && ofA(t)).map(([t]) => t);
        if (leftByA.length === 0) {
          a.child.kill('SIGCONT');
          return false;
        }
        killed = true;
        a.child.kill('SIGKILL');
        crashAt = performance.now();
        killedAt = answers.length;
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 5 },
    );
    expect(killed, 'the burst was over before A held a claim of its own').toBe(true);
    expect((await kill(a)).signal).toBe('SIGKILL');
    await phase1;
    await waitUntil(
      'the server dropped the connections of A',
      async () => (await connectionsOfA('any')) === 0,
      {
        timeoutMs: 15_000,
      },
    );
    const pendingAtCrash = [...atCrash].filter(([, s]) => s === 'pending').length;
    expect(pendingAtCrash).toBeGreaterThan(0); // the kill did land mid-burst

    // The claims A left are resumed by B once their lease has run out (while B takes the rest of the burst).
    const resumed = waitUntil(
      'the claims left by A resumed',
      async () => ![...(await statuses(leftByA)).values()].includes('executing'),
      { timeoutMs: 30_000, intervalMs: 50 },
    ).then(() => performance.now() - crashAt);

    // 3. The rest of the burst, and the presses A never answered, go to B (as a load balancer would send them).
    const rest = [
      ...burst.slice(next).map((p) => p.token),
      ...answers.filter((p) => p.phase === 1 && p.answer === 'no answer').map((p) => p.token),
    ];
    await inPool(
      rest.map((token) => () => send(token, 'B', 2)),
      CONCURRENCY,
    );
    const resumeMs = await resumed;
    await waitUntil(
      'no claim left executing',
      async () => ![...(await statuses(tokens)).values()].includes('executing'),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    // Each was finished by a resumption (a second attempt, on B), not by a press.
    for (const token of leftByA) {
      const entry = await store.ledger.get(token);
      expect(entry?.status).toBe('done');
      expect(entry?.attempts).toBeGreaterThanOrEqual(2);
    }
    expect(running(b)).toBe(true);

    // 4. A is back (same database); every token is pressed once more, alternately on A and B.
    a = await startReplica(env('a'));
    await inPool(
      tokens.map((token, i) => () => send(token, i % 2 === 0 ? 'A' : 'B', 3)),
      CONCURRENCY,
    );
    const final = answers.filter((p) => p.phase === 3);
    expect(final).toHaveLength(tokens.length);
    expect(final.filter((p) => p.answer !== 'done' && p.answer !== 'already').map((p) => p.body)).toEqual([]);

    // 5. The database: nothing doubled, nothing half-applied, nothing left executing; every token final.
    await store.customers.refresh();
    const audit = await agreement(auditedPg(store), baseline);
    expect(audit.problems).toEqual([]);
    expect(audit.doubled).toBe(0);
    expect(audit.executing.size).toBe(0);
    const end = await statuses(tokens);
    expect([...end.values()].filter((s) => !['done', 'failed', 'pending'].includes(s))).toEqual([]);
    // Every token was pressed after the crash: each one was carried out, once.
    expect(audit.done.size).toBe(tokens.length);
    const doneAnswers = new Map<string, number>();
    for (const p of answers.filter((p) => p.answer === 'done')) {
      doneAnswers.set(p.token, (doneAnswers.get(p.token) ?? 0) + 1);
    }
    expect([...doneAnswers].filter(([, n]) => n > 1)).toEqual([]);
    expect([...doneAnswers.keys()].filter((t) => !audit.done.has(t))).toEqual([]);
    expect(answers.filter((p) => p.phase > 1 && p.answer === 'no answer')).toEqual([]);

    const phase = (n: number, replica?: string) =>
      tally(answers.filter((p) => p.phase === n && (replica === undefined || p.replica === replica)));
    const show = (t: Record<string, number>) =>
      Object.entries(t)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ');
    console.info(
      `replica kill: ${tokens.length} tokens, ${burst.length} presses planned; before SIGKILL (after ${killedAt} ` +
        `answers) A answered ${show(phase(1, 'A'))}; B answered ${show(phase(1, 'B'))}; ` +
        `at the crash ${leftByA.length} claims executing (left by A), ${pendingAtCrash} tokens pending; ` +
        `then B answered ${show(phase(2))}; A's claims all done ${resumeMs.toFixed(0)} ms after the crash; ` +
        `after A was back: ${show(phase(3))}; ${audit.done.size} done, doubled ${audit.doubled}; ` +
        `burst to end ${(performance.now() - started).toFixed(0)} ms`,
    );
  }, 240_000);
});
