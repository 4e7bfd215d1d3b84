/**
 * Two bot processes (the real entry point) on one PostgreSQL database, driven over HTTP as Teams drives them:
 * a confirm card pressed 50 times at once across both upgrades once; a token issued by one replica is
 * confirmed on the other; the caches of both follow what another process writes, within CACHE_REFRESH_SECONDS.
 *
 * Without a PostgreSQL server the suite skips loudly (engines.ts), and fails in CI.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgStore } from '../../src/postgres/store.js';
import type { Customer } from '../../src/rules/index.js';
import { agreement, ScriptedChannel, type ChildBot } from '../hardening/support.js';
import {
  allCustomersOf,
  ask,
  auditedPg,
  CONTOSO_REVIEW,
  HAVE_POSTGRES,
  newDatabase,
  openSeeded,
  press,
  review,
  startReplica,
  stopAll,
  tally,
  waitUntil,
  type Database,
  type Press,
} from './replica-support.js';

/** How often each replica looks for what others wrote (the test's CACHE_REFRESH_SECONDS). */
const REFRESH_MS = 1000;
/** How much later than the refresh interval a replica may follow, on a slow, shared machine. */
const MARGIN_MS = 4000;
const PRESSES = 50;

const channel = new ScriptedChannel();
let serviceUrl = '';
let database: Database | undefined;
let store: PgStore | undefined;
let a: ChildBot;
let b: ChildBot;
/** The customers as the database held them before any test (jsonb's key order). */
let baseline: Customer[] = [];

function idOf(name: string): string {
  const found = baseline.find((c) => c.companyProfile.companyName === name);
  if (found === undefined) throw new Error(`no customer named ${name}`);
  return found.id;
}

describe.skipIf(!HAVE_POSTGRES)('two replicas on one PostgreSQL database', () => {
  beforeAll(async () => {
    serviceUrl = await channel.start();
    database = await newDatabase({ demo: true });
    const env = {
      DATABASE_URL: database.url,
      CACHE_REFRESH_SECONDS: String(REFRESH_MS / 1000),
      // A press that finds the upgrade being carried out waits for its outcome (up to 2.5 s, UpgradeFlow.settle)
      // within the invoke budget; a generous budget keeps a slow machine from answering "in progress".
      TEAMS_INVOKE_BUDGET_MS: '10000',
    };
    [a, b] = await Promise.all([startReplica(env), startReplica(env)]);
    store = await openSeeded(database.url);
    baseline = await allCustomersOf(store);
  });

  afterAll(async () => {
    await stopAll();
    await store?.close();
    await database?.drop();
    await channel.close();
  });

  /** The ledger and the directory agree: nothing doubled, nothing half-applied. */
  async function expectAgreement(): Promise<Set<string>> {
    // This store's cache does not follow the bots by itself.
    await store!.customers.refresh();
    const { problems, doubled, executing, done } = await agreement(auditedPg(store!), baseline);
    expect(problems).toEqual([]);
    expect(doubled).toBe(0);
    expect(executing.size).toBe(0);
    return done;
  }

  it('one card pressed 50 times at once across both replicas: one upgrade, 49 "already done"', async () => {
    const contoso = idOf('Contoso Ltd');
    const token = await review(a, serviceUrl, { customerId: contoso, ...CONTOSO_REVIEW });
    // The requester presses (without approvers only the requester may confirm), alternately on A and B.
    const started = performance.now();
    const presses = await Promise.all(
      Array.from({ length: PRESSES }, async (_, i) => {
        const replica = i % 2 === 0 ? a : b;
        return { replica: replica === a ? 'A' : 'B', ...(await press(replica, serviceUrl, token)) };
      }),
    );
    const elapsed = performance.now() - started;
    const counts = tally(presses);
    const unexpected = presses.filter((p) => p.answer !== 'done' && p.answer !== 'already');
    expect(unexpected.map((p) => `${p.replica}: ${p.answer} ${p.body.slice(0, 200)}`)).toEqual([]);
    expect(counts.done).toBe(1);
    expect(counts.already).toBe(PRESSES - 1);
    // "Already handled: this upgrade was already done by user-1", not "in progress" or anything else.
    const saidDone = presses.filter((p) => p.body.includes('This upgrade was already done by user-1'));
    expect(saidDone).toHaveLength(PRESSES - 1);

    // One ledger row done, one 'done' audit event, one new E3 subscription, the source deleted.
    const history = await store!.ledger.history(contoso);
    expect(history.map((e) => [e.token, e.status])).toEqual([[token, 'done']]);
    expect((await store!.ledger.events(token)).filter((e) => e.what === 'done')).toHaveLength(1);
    await store!.customers.refresh();
    const now = (await store!.customers.get(contoso))!;
    const e3 = now.subscriptions.filter((s) => s.offerId === 'O365_E3' && s.status === 'active');
    expect(e3.map((s) => s.id)).toEqual([history[0]!.newSubscriptionId]);
    expect(now.subscriptions.find((s) => s.id === 'sub-contoso-essentials')?.status).toBe('deleted');
    expect([...(await expectAgreement())]).toEqual([token]);

    const per = (r: string, answer: string) =>
      presses.filter((p: Press & { replica: string }) => p.replica === r && p.answer === answer).length;
    const winner = presses.find((p) => p.answer === 'done')!.replica;
    console.info(
      `replicas: ${PRESSES} presses in ${elapsed.toFixed(0)} ms; A got ${per('A', 'done') + per('A', 'already')} ` +
        `(${per('A', 'done')} done, ${per('A', 'already')} already), B got ${per('B', 'done') + per('B', 'already')} ` +
        `(${per('B', 'done')} done, ${per('B', 'already')} already); carried out on ${winner}`,
    );
  }, 90_000);

  it('a token issued by replica A is confirmed on replica B; A then answers "already done"', async () => {
    const adatum = idOf('A. Datum Corporation');
    const token = await review(a, serviceUrl, {
      customerId: adatum,
      subscriptionId: 'sub-adatum-essentials',
      target: 'O365_E3',
      seats: 320,
    });
    const onB = await press(b, serviceUrl, token);
    expect(onB.answer, onB.body.slice(0, 300)).toBe('done');
    const onA = await press(a, serviceUrl, token);
    expect(onA.answer, onA.body.slice(0, 300)).toBe('already');
    expect(onA.body).toContain('This upgrade was already done by user-1');
    const entry = await store!.ledger.get(token);
    expect(entry).toMatchObject({ status: 'done', decidedBy: { id: '29:user-1' } });
    expect((await store!.ledger.events(token)).filter((e) => e.what === 'done')).toHaveLength(1);
    expect(await expectAgreement()).toContain(token);
  }, 60_000);

  it('caches follow another process within the refresh interval: customers added and renamed, an upgrade on A', async () => {
    const found = (name: string) => async (bot: ChildBot) =>
      (await ask(bot, serviceUrl, `can ${name.split(' ')[0]} upgrade?`)).includes(name);
    const followed: string[] = [];
    /** Both replicas answer with `check` within the interval plus the margin; the times it took. */
    const bothFollow = async (what: string, check: (bot: ChildBot) => Promise<boolean>) => {
      const times = await Promise.all(
        [a, b].map((bot, i) =>
          waitUntil(`${what} on replica ${'AB'[i]}`, () => check(bot), {
            timeoutMs: REFRESH_MS + MARGIN_MS,
            intervalMs: 50,
          }),
        ),
      );
      followed.push(`${what}: A ${times[0]!.toFixed(0)} ms, B ${times[1]!.toFixed(0)} ms`);
      return times;
    };

    // 1. A customer added by another process (a sync), through its own connection.
    const source = baseline.find((c) => c.companyProfile.companyName === 'Contoso Ltd')!;
    const added: Customer = {
      ...source,
      id: randomUUID(),
      companyProfile: { companyName: 'Quillfeather Analytics', domain: 'quillfeather.onmicrosoft.com' },
      subscriptions: source.subscriptions.map((s, i) => ({ ...s, id: `sub-quill-${i}` })),
    };
    for (const bot of [a, b]) expect(await found('Quillfeather Analytics')(bot)).toBe(false);
    await store!.customers.saveCustomer(added);
    await bothFollow('customer added', found('Quillfeather Analytics'));

    // 2. A customer renamed by another process.
    const northwind = (await store!.customers.get(idOf('Northwind Traders')))!;
    for (const bot of [a, b]) expect(await found('Zanzibar Holdings')(bot)).toBe(false);
    await store!.customers.saveCustomer({
      ...northwind,
      companyProfile: { ...northwind.companyProfile, companyName: 'Zanzibar Holdings' },
    });
    await bothFollow('customer renamed', found('Zanzibar Holdings'));

    // 3. An upgrade done on A shows in B's eligibility answer (B had Woodgrove in its cache).
    const woodgrove = idOf('Woodgrove Bank');
    const before = await ask(b, serviceUrl, 'can Woodgrove upgrade?');
    expect(before).toContain('sub-woodgrove-business');
    const token = await review(a, serviceUrl, {
      customerId: woodgrove,
      subscriptionId: 'sub-woodgrove-business',
      target: 'O365_E3',
      seats: 50,
    });
    expect((await press(a, serviceUrl, token)).answer).toBe('done');
    const created = (await store!.ledger.get(token))!.newSubscriptionId!;
    expect(before).not.toContain(created);
    const first = await ask(b, serviceUrl, 'can Woodgrove upgrade?');
    const onB = await waitUntil(
      "the upgrade done on A in B's eligibility answer",
      async () => (await ask(b, serviceUrl, 'can Woodgrove upgrade?')).includes(created),
      { timeoutMs: REFRESH_MS + MARGIN_MS, intervalMs: 50 },
    );
    followed.push(
      `upgrade on A seen by B: ${onB.toFixed(0)} ms (first answer after it: ${first.includes(created) ? 'fresh' : 'stale'})`,
    );
    await expectAgreement();
    console.info(`replica caches (refresh every ${REFRESH_MS} ms): ${followed.join('; ')}`);
  }, 90_000);
});
