/**
 * SIGKILL during a burst of confirms (the real entry point in a child process, a directory of generated
 * customers): the bot is killed mid-burst, the database is checked as the crash left it, the bot is restarted
 * on the same DATA_DIR and every confirm is sent again. At each point the ledger and the directory agree:
 * every `done` request has exactly one active new subscription of its target and its source deleted; no
 * other subscription changed; no source was upgraded twice; no confirm answered "done" is missing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCustomers } from '../support/generate-customers.js';
import { loadDemoDirectory, loadDirectoryFile } from '../../src/directory/load.js';
import { evaluateSubscription, type Customer } from '../../src/rules/index.js';
import { openStore } from '../../src/storage/store.js';
import { actions } from '../support/cards.js';
import { post } from '../support/server.js';
import {
  agreement,
  audited,
  exitOf,
  ScriptedChannel,
  sleep,
  startChildBot,
  teamsInvoke,
  type ChildBot,
} from './support.js';

const CUSTOMERS = 300;
const CONFIRMS_PER_TOKEN = 3;
const CONCURRENCY = 12;
/** The bot is killed once this share of the burst has been answered. */
const KILL_AT = 0.4;

interface Candidate {
  readonly customer: Customer;
  readonly subscriptionId: string;
  readonly target: string;
  readonly seats: number;
}

const channel = new ScriptedChannel();
let serviceUrl: string;
const dataDir = mkdtempSync(join(tmpdir(), 'ua-kill-'));
const directoryFile = join(dataDir, 'directory.json');
const customers = generateCustomers(CUSTOMERS, 11);
/** One upgradable subscription per customer, so that every confirm can succeed. */
const candidates: Candidate[] = customers.flatMap((customer) => {
  for (const subscription of customer.subscriptions) {
    const verdict = evaluateSubscription(customer, subscription);
    const target = verdict.eligibleTargets[0];
    if (target !== undefined) {
      return [{ customer, subscriptionId: subscription.id, target, seats: subscription.quantity }];
    }
  }
  return [];
});

beforeAll(async () => {
  serviceUrl = await channel.start();
  writeFileSync(directoryFile, JSON.stringify({ partner: loadDemoDirectory().partner, customers }));
});
afterAll(() => channel.close());

function start(): Promise<ChildBot> {
  return startChildBot(
    {
      DATA_DIR: dataDir,
      DIRECTORY_FILE: directoryFile,
      RATE_LIMIT_MESSAGES: '0',
      // A claim left by the killed process is resumed a second after it was taken.
      UPGRADE_LEASE_SECONDS: '1',
      UPGRADE_RETRY_DELAY_SECONDS: '1',
    },
    dataDir,
  );
}

/** Runs `tasks` with at most `limit` at a time; stops taking new ones once `stop()` says so. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number, stop: () => boolean): Promise<T[]> {
  const results: T[] = [];
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < tasks.length && !stop()) {
      const task = tasks[nextIndex++]!;
      results.push(await task());
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

type Answer = 'done' | 'already' | 'other' | 'no answer';

async function confirm(bot: ChildBot, token: string, user: string): Promise<Answer> {
  try {
    const res = await post(bot.url, teamsInvoke(serviceUrl, 'confirm', { token }, { user }));
    const text = await res.text();
    if (text.includes('Upgrade done')) return 'done';
    if (text.includes('Already handled')) return 'already';
    return 'other';
  } catch {
    return 'no answer';
  }
}

/** The customers as the bot holds them after seeding from the directory file (normalised by the store). */
function seeded(): Customer[] {
  const store = openStore({ dataDir: ':memory:', seed: loadDirectoryFile(directoryFile) });
  try {
    return customers.map((c) => store.directory.byId(c.id)!);
  } finally {
    store.close();
  }
}

/** What the database says about the tokens, and whether it agrees with the directory. */
async function audit(tokens: readonly string[]) {
  const store = openStore({ dataDir, seed: loadDemoDirectory() });
  try {
    const { problems, done, executing, doubled } = await agreement(audited(store), seeded());
    const pending = new Set<string>();
    for (const token of tokens) {
      const entry = await store.ledger.get(token);
      if (entry === undefined) problems.push(`${token}: not in the ledger`);
      else if (entry.status === 'pending') pending.add(token);
    }
    return { problems, done, executing, pending, doubled };
  } finally {
    store.close();
  }
}

describe('SIGKILL during a burst of confirms', () => {
  it('the ledger and the directory agree after the crash and after a restart; nothing lost or doubled', async () => {
    expect(candidates.length).toBeGreaterThanOrEqual(80);

    // 1. Prepare: one confirm token per candidate (Teams review).
    let bot = await start();
    const tokens: string[] = [];
    await pool(
      candidates.map((c) => async () => {
        const res = await post(
          bot.url,
          teamsInvoke(serviceUrl, 'review', {
            customerId: c.customer.id,
            subscriptionId: c.subscriptionId,
            target: c.target,
            seats: String(c.seats),
            transfer: 'true',
          }),
        );
        const confirmAction = actions((await res.json()) as unknown).find((a) => a.verb === 'confirm');
        if (confirmAction !== undefined) tokens.push((confirmAction.data as { token: string }).token);
      }),
      CONCURRENCY,
      () => false,
    );
    expect(tokens.length).toBe(candidates.length);

    // 2. The burst: each token confirmed 3 times, interleaved; SIGKILL once 40% are answered.
    // With no approver configured, the requester confirms, in the conversation of the card.
    const burst = tokens.flatMap((token) =>
      Array.from({ length: CONFIRMS_PER_TOKEN }, () => ({ token, user: 'user-1' })),
    );
    // The 3 confirms of a token are adjacent, so they run concurrently (double and triple clicks).
    const killAfter = Math.floor(burst.length * KILL_AT);
    let answered = 0;
    let killed = false;
    const doneAnswers = new Map<string, number>();
    const firstRun = bot;
    const before = await pool(
      burst.map(({ token, user }) => async () => {
        const answer = await confirm(firstRun, token, user);
        if (answer === 'done') doneAnswers.set(token, (doneAnswers.get(token) ?? 0) + 1);
        if (++answered >= killAfter && !killed) {
          killed = true;
          firstRun.child.kill('SIGKILL');
        }
        return answer;
      }),
      CONCURRENCY,
      () => killed,
    );
    expect((await exitOf(firstRun)).signal).toBe('SIGKILL');

    // 3. The database as the crash left it.
    const crashed = await audit(tokens);
    expect(crashed.problems).toEqual([]);
    expect(crashed.doubled).toBe(0);
    const lostAtCrash = [...doneAnswers.keys()].filter((t) => !crashed.done.has(t));
    expect(lostAtCrash).toEqual([]);
    expect(crashed.done.size).toBeGreaterThan(0);
    expect(crashed.pending.size).toBeGreaterThan(0); // the kill did land mid-burst

    // 4. Restart on the same DATA_DIR; every token confirmed once more.
    bot = await start();
    const after = await pool(
      tokens.map((token) => async () => {
        const answer = await confirm(bot, token, 'user-1');
        if (answer === 'done') doneAnswers.set(token, (doneAnswers.get(token) ?? 0) + 1);
        return answer;
      }),
      CONCURRENCY,
      () => false,
    );
    expect(after.filter((a) => a === 'no answer' || a === 'other')).toEqual([]);
    // The claims the crash left executing are resumed by the restarted bot once their lease has run out.
    for (let i = 0; i < 50 && (await audit(tokens)).executing.size > 0; i++) await sleep(200);
    bot.child.kill('SIGTERM');
    expect((await exitOf(bot)).code).toBe(0);

    const final = await audit(tokens);
    expect(final.problems).toEqual([]);
    expect(final.doubled).toBe(0);
    expect(final.executing.size).toBe(0);
    expect(final.done.size).toBe(tokens.length);
    expect([...doneAnswers.values()].filter((n) => n > 1)).toEqual([]);

    console.info(
      `kill test: ${tokens.length} tokens, ${burst.length} confirms planned, ${before.length} sent before SIGKILL ` +
        `(${before.filter((a) => a === 'done').length} answered done, ${before.filter((a) => a === 'no answer').length} unanswered); ` +
        `${crashed.done.size} upgrades recorded at the crash, ${crashed.executing.size} executing, ` +
        `${crashed.pending.size} pending; after restart ` +
        `${final.done.size} done; lost ${lostAtCrash.length}, doubled ${final.doubled}`,
    );
  }, 120_000);
});
