/**
 * The bot as real child processes (the entry point, `node --import tsx src/index.ts`), stopped whatever
 * happens, and the questions and card presses they answer over HTTP, read back as what the user sees; bounded
 * polling. Used by the replica and outage suites (PostgreSQL) and the Partner Center suites.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { actions } from './cards.js';
import { emulatorMessage, post } from './server.js';
import { exitOf, spawnChildBot, teamsInvoke, type ChildBot } from '../hardening/support.js';

// ---------------------------------------------------------------------------------------------------------
// Bot processes

/** The bots a file started: each is stopped by `stopAll` (afterAll), whatever happened. */
const started = new Set<ChildBot>();

/** The environment every replica gets (on top of the test's). */
const BASE_ENV = {
  // Several hundred requests from one user in a few seconds.
  RATE_LIMIT_MESSAGES: '0',
  LOG_LEVEL: 'info',
};

/**
 * Starts the real entry point (`node --import tsx src/index.ts`) with `env`; resolves once it listens. The
 * child is tracked from the moment it is spawned: `stopAll` ends it even when it never started listening.
 */
export async function startReplica(env: Record<string, string>, timeoutMs = 60_000): Promise<ChildBot> {
  const cwd = mkdtempSync(join(tmpdir(), 'ua-replica-'));
  const { listening, ...spawned } = spawnChildBot({ DATA_DIR: cwd, ...BASE_ENV, ...env }, cwd, timeoutMs);
  const pending: ChildBot = { ...spawned, url: '' };
  started.add(pending);
  let url: string;
  try {
    url = await listening;
  } catch (error) {
    await stop(pending);
    throw error;
  }
  started.delete(pending);
  const bot: ChildBot = { ...spawned, url };
  started.add(bot);
  return bot;
}

/** True while the process runs. */
export function running(bot: ChildBot): boolean {
  return bot.child.exitCode === null && bot.child.signalCode === null;
}

/** Stops a bot: SIGTERM (a graceful shutdown), SIGKILL if it is still there after `ms`. Its exit. */
export async function stop(
  bot: ChildBot,
  ms = 15_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  started.delete(bot);
  if (running(bot)) bot.child.kill('SIGTERM');
  try {
    return await exitOf(bot, ms); // SIGKILLs it when late
  } catch {
    return bot.exited;
  }
}

/** Kills a bot at once (SIGKILL); resolves once it is gone. */
export async function kill(bot: ChildBot): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  started.delete(bot);
  bot.child.kill('SIGKILL');
  return exitOf(bot, 10_000);
}

/** Stops every bot still running (afterAll, and the `finally` of a test). */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((bot) => stop(bot, 10_000)));
}

// ---------------------------------------------------------------------------------------------------------
// Questions and presses, as the user sees the answers

/** The texts the bot answers a message with (Emulator, expectReplies: the replies come in the response). */
export async function ask(bot: ChildBot, serviceUrl: string, text: string, user = 'user-1'): Promise<string> {
  const res = await post(
    bot.url,
    emulatorMessage(text, serviceUrl, {
      deliveryMode: 'expectReplies',
      from: { id: user, name: user, role: 'user' },
      conversation: { id: `conv-ask-${user}` } as Activity['conversation'],
    }),
  );
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { activities?: Partial<Activity>[] };
  return JSON.stringify(body.activities ?? []);
}

export interface Review {
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly target: string;
  readonly seats: number;
}

export const CONTOSO_REVIEW: Omit<Review, 'customerId'> = {
  subscriptionId: 'sub-contoso-essentials',
  target: 'O365_E3',
  seats: 40,
};

/** A Teams 'review' invoke by `user` in their chat: the token of the confirm card it answers with. */
export async function review(
  bot: ChildBot,
  serviceUrl: string,
  order: Review,
  user = 'user-1',
): Promise<string> {
  const res = await post(
    bot.url,
    teamsInvoke(
      serviceUrl,
      'review',
      {
        customerId: order.customerId,
        subscriptionId: order.subscriptionId,
        target: order.target,
        seats: String(order.seats),
        transfer: 'true',
      },
      { user },
    ),
  );
  const body = (await res.json()) as unknown;
  const confirm = actions(body).find((a) => a.verb === 'confirm');
  if (confirm === undefined) throw new Error(`no confirm card: ${JSON.stringify(body).slice(0, 300)}`);
  return (confirm.data as { token: string }).token;
}

export type Answer =
  /** "Upgrade done": this press carried it out. */
  | 'done'
  /** "Already handled": another press did. */
  | 'already'
  /** "Upgrade in progress": the outcome is not known yet. */
  | 'inProgress'
  /** An error invoke response saying the database cannot be reached (code ServiceUnavailable). */
  | 'unavailable'
  /** Any other answer (kept in `Press.body`). */
  | 'other'
  /** No HTTP answer at all (the process is gone). */
  | 'no answer';

export interface Press {
  readonly answer: Answer;
  readonly status: number;
  readonly body: string;
}

/** Classifies the body of an invoke response as what the user sees. */
export function readAnswer(body: string): Answer {
  let parsed: { statusCode?: number; value?: { code?: string } } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return 'other';
  }
  if (parsed.statusCode === 500) return parsed.value?.code === 'ServiceUnavailable' ? 'unavailable' : 'other';
  if (body.includes('Upgrade done')) return 'done';
  if (body.includes('Already handled')) return 'already';
  if (body.includes('Upgrade in progress')) return 'inProgress';
  return 'other';
}

/** A press on the confirm button of `token`'s card (Teams Action.Execute) by `user` in their chat. */
export async function press(
  bot: ChildBot,
  serviceUrl: string,
  token: string,
  user = 'user-1',
): Promise<Press> {
  try {
    const res = await post(bot.url, teamsInvoke(serviceUrl, 'confirm', { token }, { user }));
    const body = await res.text();
    return { answer: res.status === 200 ? readAnswer(body) : 'other', status: res.status, body };
  } catch (error) {
    return { answer: 'no answer', status: 0, body: String(error) };
  }
}

/** Counts of each answer. */
export function tally(presses: readonly { readonly answer: Answer }[]): Record<Answer, number> {
  const counts: Record<Answer, number> = {
    done: 0,
    already: 0,
    inProgress: 0,
    unavailable: 0,
    other: 0,
    'no answer': 0,
  };
  for (const p of presses) counts[p.answer]++;
  return counts;
}

// ---------------------------------------------------------------------------------------------------------
// Waiting

/**
 * Polls `condition` every `intervalMs` until it holds; resolves with the time it took (ms), or rejects with
 * `what` after `timeoutMs`. A condition that throws counts as not holding (its last error is reported).
 */
export async function waitUntil(
  what: string,
  condition: () => Promise<boolean> | boolean,
  { timeoutMs, intervalMs = 100 }: { readonly timeoutMs: number; readonly intervalMs?: number },
): Promise<number> {
  const started = performance.now();
  let last: unknown;
  for (;;) {
    try {
      if (await condition()) return performance.now() - started;
    } catch (error) {
      last = error;
    }
    if (performance.now() - started > timeoutMs) {
      const why = last === undefined ? '' : ` (last error: ${String(last)})`;
      throw new Error(`${what}: not within ${timeoutMs} ms${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Runs `tasks` with at most `limit` at a time; stops taking new ones once `stop()` says so. */
export async function inPool<T>(
  tasks: readonly (() => Promise<T>)[],
  limit: number,
  stopWhen: () => boolean = () => false,
): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length && !stopWhen()) {
      const task = tasks[next++]!;
      results.push(await task());
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}
