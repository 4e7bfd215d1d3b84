/**
 * Runs a suite written for the default engine on PostgreSQL: a file under test/pg/ calls
 * `await onPostgres(() => import('../http/upgrade.test.js'))`. The suite's bots (startBot, createTestBot) then
 * each get a PostgreSQL database of their own (test/support/test-engine.ts).
 *
 * Test bots made in a `beforeEach` or a test are closed (their databases dropped) after that test; those made in a
 * `beforeAll`, after the file. Without a server the suite is left out: engines.ts says so loudly, or fails in CI.
 */
import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import { closeTestBots, openTestBots, type TestBot } from '../support/bot.js';
import { postgresAvailable, postgresDatabasesMade, useEngine } from '../support/test-engine.js';
import './engines.js';

export async function onPostgres(load: () => Promise<unknown>): Promise<void> {
  if (!postgresAvailable()) return;
  useEngine('postgresql');
  let beforeTest = new Set<TestBot>();
  // Registered before the suite's own hooks: the bots open now were made by a beforeAll.
  beforeEach(() => {
    beforeTest = new Set(openTestBots());
  });
  afterEach(() => closeTestBots((bot) => !beforeTest.has(bot)));
  afterAll(async () => {
    await closeTestBots();
    // The suite did run its bots on PostgreSQL (not on the default engine).
    expect(postgresDatabasesMade()).toBeGreaterThan(0);
  });
  await load();
}
