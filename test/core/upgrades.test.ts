/** The upgrade service over the real SQLite store, on a fake clock: exactly once, leases, lifetimes, attempts. */
import { describe, expect, it } from 'vitest';
import { UpgradeFailedError, UpgradeRefusedError, type UpgradeGateway } from '../../src/core/gateway.js';
import type { Execution, FinalStatus, UpgradeOrder, UpgradeRequestRecord } from '../../src/core/ledger.js';
import { UpgradeService, type UpgradeTimings } from '../../src/core/upgrades.js';
import { evaluateTarget, type Customer, type Subscription } from '../../src/rules/index.js';
import type { GatewayFaults } from '../../src/storage/sqlite-upgrade-gateway.js';
import type { Store } from '../../src/storage/store.js';
import {
  ALICE,
  BOB,
  CONTOSO_ID,
  DEMO,
  ESSENTIALS,
  contosoRequest,
  e3Subscriptions,
  open,
  subscription,
} from '../storage/support.js';

const START = new Date('2025-03-01T10:00:00.000Z');
const TIMINGS: UpgradeTimings = {
  leaseMs: 60_000,
  lifetimeMs: 3_600_000,
  retryDelayMs: 3_600_000,
  maxAttempts: 3,
};
const ADATUM = DEMO.customers.find((c) => c.companyProfile.companyName === 'A. Datum Corporation')!;

/** What `UpgradeService.request` takes: the Contoso Essentials → O365_E3 request, timed by the service. */
function contosoOrder(token: string, overrides: Partial<UpgradeRequestRecord & UpgradeOrder> = {}) {
  const { requestedAt: _at, ...request } = contosoRequest(token, overrides);
  return request;
}

/** A gateway around the store's, told what to do with each call (`call` counts from 1 for each key). */
type Behaviour = (real: UpgradeGateway, call: number) => UpgradeGateway['execute'];

interface Harness {
  readonly store: Store;
  readonly service: UpgradeService;
  /** The idempotency keys the gateway was called with, in order. */
  readonly calls: string[];
  /** What the gateway answered (the calls that did not throw). */
  readonly answers: Execution[];
  readonly finals: [FinalStatus, string][];
  readonly errors: [unknown, string | undefined][];
  /** A second replica: another service on the same store and gateway. */
  replica(): UpgradeService;
  advance(ms: number): void;
}

function harness(options: { behaviour?: Behaviour; faults?: GatewayFaults } = {}): Harness {
  const store = open(':memory:', options.faults === undefined ? {} : { faults: options.faults });
  let now = START;
  const calls: string[] = [];
  const answers: Execution[] = [];
  const finals: [FinalStatus, string][] = [];
  const errors: [unknown, string | undefined][] = [];
  const gateway: UpgradeGateway = {
    system: 'embedded',
    judgesEligibility: false,
    async execute(order, key) {
      calls.push(key);
      const call = calls.filter((k) => k === key).length;
      const execute = options.behaviour?.(store.gateway, call) ?? ((o, k) => store.gateway.execute(o, k));
      const answer = await execute(order, key);
      answers.push(answer);
      return answer;
    },
  };
  const service = () =>
    new UpgradeService({
      customers: store.customers,
      ledger: store.ledger,
      gateway,
      timings: TIMINGS,
      now: () => now,
      onFinal: (status, entry) => finals.push([status, entry.token]),
      onError: (error, token) => errors.push([error, token]),
    });
  return {
    store,
    service: service(),
    calls,
    answers,
    finals,
    errors,
    replica: service,
    advance: (ms) => (now = new Date(now.getTime() + ms)),
  };
}

/** The answer is lost on the first `times` calls of each key: the change was made, the caller does not know. */
const answerLost =
  (times = 1): Behaviour =>
  (real, call) =>
  async (order, key) => {
    const execution = await real.execute(order, key);
    if (call <= times) throw new Error('socket hang up');
    return execution;
  };

/** No answer on the first `times` calls of each key, and nothing done (a timeout before the system of record). */
const noAnswer =
  (times = 1): Behaviour =>
  (real, call) =>
  async (order, key) => {
    if (call <= times) throw new Error('timed out');
    return real.execute(order, key);
  };

function withEssentials(customer: Customer, change: Partial<Subscription>): Customer {
  return {
    ...customer,
    subscriptions: customer.subscriptions.map((s) => (s.id === ESSENTIALS ? { ...s, ...change } : s)),
  };
}

async function contoso(store: Store): Promise<Customer> {
  return (await store.customers.get(CONTOSO_ID))!;
}

describe('UpgradeService: confirm', () => {
  it('records a request valid for the lifetime, then carries it out once: done, with the gateway’s subscription', async () => {
    const { store, service, calls, answers, finals } = harness();
    const pending = await service.request(contosoOrder('tok-1'));
    expect(pending).toMatchObject({
      status: 'pending',
      requestedAt: START.toISOString(),
      expiresAt: new Date(START.getTime() + TIMINGS.lifetimeMs).toISOString(),
    });

    const result = await service.confirm('tok-1', BOB);
    expect(result.kind).toBe('done');
    const [answer] = answers;
    expect(answer).toBeDefined();
    expect(await service.get('tok-1')).toEqual({
      ...pending,
      status: 'done',
      decidedBy: BOB,
      decidedAt: START.toISOString(),
      attempts: 1,
      newSubscriptionId: answer!.newSubscriptionId,
      affectedAccounts: answer!.affectedAccounts,
    });
    expect(answer!.affectedAccounts.map((a) => a.name)).toEqual(['Adele Vance', 'Isaiah Langer']);
    const upgraded = await contoso(store);
    expect(subscription(upgraded, ESSENTIALS)).toMatchObject({ status: 'deleted', users: [] });
    expect(e3Subscriptions(upgraded).map((s) => [s.id, s.quantity, s.users?.length])).toEqual([
      [answer!.newSubscriptionId, 40, 8],
    ]);

    const again = await service.confirm('tok-1', ALICE);
    expect(again).toEqual({ kind: 'already', entry: await service.get('tok-1') });
    expect(calls).toEqual(['tok-1']);
    expect(finals).toEqual([['done', 'tok-1']]);
    expect(await service.confirm('nope', BOB)).toEqual({ kind: 'unknown' });
  });

  it('the embedded gateway is idempotent by key: the same key answers the same and changes nothing', async () => {
    const { store } = harness();
    const order = contosoRequest('key-1');
    const first = await store.gateway.execute(order, 'key-1');
    const directory = [...store.directory.all()];
    expect(await store.gateway.execute(order, 'key-1')).toEqual(first);
    expect([...store.directory.all()]).toEqual(directory);
    expect(e3Subscriptions(await contoso(store)).map((s) => s.id)).toEqual([first.newSubscriptionId]);
    // Another key for the same change is a new change: refused, the source being gone.
    await expect(store.gateway.execute(order, 'key-2')).rejects.toBeInstanceOf(UpgradeRefusedError);
  });

  it('a request made stale is refused with the current reasons before the gateway is called', async () => {
    const { store, service, calls, finals } = harness();
    const before = await contoso(store);
    for (const token of ['suspended', 'owned', 'gone-sub', 'gone-customer']) {
      await service.request(contosoOrder(token));
    }
    store.directory.saveCustomer(withEssentials(before, { status: 'suspended' }));
    expect(await service.confirm('suspended', BOB)).toMatchObject({
      kind: 'refused',
      entry: { status: 'refused', reasons: [{ code: 'subscription_not_active', status: 'suspended' }] },
    });

    const elsewhere: Subscription = {
      id: 'sub-contoso-e3-elsewhere',
      offerId: 'O365_E3',
      quantity: 10,
      status: 'active',
      channel: 'other-partner',
    };
    const owning = { ...before, subscriptions: [...before.subscriptions, elsewhere] };
    store.directory.saveCustomer(owning);
    const current = evaluateTarget(owning, subscription(owning, ESSENTIALS)!, 'O365_E3', { quantity: 40 });
    const owned = await service.confirm('owned', BOB);
    expect(owned.kind).toBe('refused');
    expect(owned.kind === 'refused' && owned.entry.reasons).toEqual(current.reasons);
    expect(current.reasons.map((r) => r.code)).toContain('target_already_owned');

    store.directory.saveCustomer({
      ...before,
      subscriptions: before.subscriptions.filter((s) => s.id !== ESSENTIALS),
    });
    expect(await service.confirm('gone-sub', BOB)).toMatchObject({
      kind: 'refused',
      entry: { reasons: [], error: `subscription "${ESSENTIALS}" is not in the directory` },
    });
    store.directory.removeCustomer(CONTOSO_ID);
    expect(await service.confirm('gone-customer', BOB)).toMatchObject({
      kind: 'refused',
      entry: { reasons: [], error: `customer "${CONTOSO_ID}" is not in the directory` },
    });

    expect(calls).toEqual([]);
    expect(finals.map(([status]) => status)).toEqual(['refused', 'refused', 'refused', 'refused']);
  });

  it('the gateway’s UpgradeRefusedError refuses with its reasons; nothing changes', async () => {
    const reasons = [{ code: 'subscription_not_active', status: 'suspended' }] as const;
    const { store, service, finals } = harness({
      behaviour: () => async () => {
        throw new UpgradeRefusedError(reasons, 'suspended at the system of record');
      },
    });
    const before = await contoso(store);
    await service.request(contosoOrder('tok-1'));
    const result = await service.confirm('tok-1', BOB);
    expect(result).toMatchObject({
      kind: 'refused',
      entry: { status: 'refused', reasons, error: 'suspended at the system of record', decidedBy: BOB },
    });
    expect(await contoso(store)).toEqual(before);
    expect(finals).toEqual([['refused', 'tok-1']]);
  });

  it('the store’s gateway refuses a change the data no longer allows when it runs', async () => {
    const { store, service } = harness({
      // Suspended between the rules check and the change (by a sync, another replica…).
      behaviour: (real) => async (order, key) => {
        store.directory.saveCustomer(
          withEssentials((await store.customers.get(CONTOSO_ID))!, { status: 'suspended' }),
        );
        return real.execute(order, key);
      },
    });
    await service.request(contosoOrder('tok-1'));
    const result = await service.confirm('tok-1', BOB);
    expect(result).toMatchObject({
      kind: 'refused',
      entry: { reasons: [{ code: 'subscription_not_active', status: 'suspended' }] },
    });
    expect(e3Subscriptions(await contoso(store))).toEqual([]);
  });

  it('the gateway’s UpgradeFailedError fails the request; a fault before commit changes nothing', async () => {
    const { store, service, finals, errors } = harness({
      faults: {
        beforeCommit: (plan) => {
          throw new Error(`injected fault (${'newSubscription' in plan ? plan.newSubscription.id : ''})`);
        },
      },
    });
    const before = await contoso(store);
    await service.request(contosoOrder('tok-1'));
    const result = await service.confirm('tok-1', BOB);
    expect(result.kind).toBe('failed');
    expect(result.kind === 'failed' && result.entry).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^injected fault \(/),
      affectedAccounts: [],
    });
    expect(await contoso(store)).toEqual(before);
    expect(finals).toEqual([['failed', 'tok-1']]);
    expect(errors).toEqual([]);
    expect((await service.confirm('tok-1', ALICE)).kind).toBe('already');
  });

  it('a plain UpgradeFailedError from a remote gateway fails the request too', async () => {
    const { service } = harness({
      behaviour: () => async () => {
        throw new UpgradeFailedError('offer withdrawn');
      },
    });
    await service.request(contosoOrder('tok-1'));
    expect(await service.confirm('tok-1', BOB)).toMatchObject({
      kind: 'failed',
      entry: { status: 'failed', error: 'offer withdrawn' },
    });
  });

  it('a confirm or cancel past the lifetime expires the request; the gateway is not called', async () => {
    const { service, calls, finals, advance } = harness();
    await service.request(contosoOrder('tok-1'));
    await service.request(contosoOrder('tok-2', { subscriptionId: 'sub-contoso-exchange' }));
    await service.request(contosoOrder('tok-3', { subscriptionId: 'sub-contoso-powerbi' }));
    expect(await service.cancel('tok-3', ALICE)).toMatchObject({ kind: 'cancelled' });
    expect(await service.cancel('tok-3', BOB)).toMatchObject({ kind: 'already' });
    advance(TIMINGS.lifetimeMs);
    expect(await service.confirm('tok-1', BOB)).toMatchObject({
      kind: 'expired',
      entry: { status: 'expired' },
    });
    expect(await service.cancel('tok-2', BOB)).toMatchObject({
      kind: 'expired',
      entry: { status: 'expired' },
    });
    expect(calls).toEqual([]);
    expect(finals).toEqual([
      ['cancelled', 'tok-3'],
      ['expired', 'tok-1'],
      ['expired', 'tok-2'],
    ]);
  });

  it('a second request on a subscription with a change under way is busy until it is over', async () => {
    const { service, calls, advance } = harness({ behaviour: answerLost() });
    await service.request(contosoOrder('tok-1'));
    await service.request(contosoOrder('tok-2'));
    expect((await service.confirm('tok-1', BOB)).kind).toBe('executing');
    expect(await service.confirm('tok-2', ALICE)).toMatchObject({
      kind: 'busy',
      entry: { status: 'pending' },
    });
    advance(TIMINGS.leaseMs + 1);
    expect(await service.resume()).toBe(1);
    // The first change done, the second is checked against the upgraded subscription.
    expect(await service.confirm('tok-2', ALICE)).toMatchObject({
      kind: 'refused',
      entry: { reasons: expect.arrayContaining([{ code: 'subscription_not_active', status: 'deleted' }]) },
    });
    expect(calls).toEqual(['tok-1', 'tok-1']);
  });

  // BUG (src/core/upgrades.ts with src/storage/upgrade-ledger.ts): the ledger answers `expired` both when a
  // claim or cancel expires the entry and when it was expired before, and the service calls onFinal('expired')
  // on each: every click on an expired card counts one more expiry. Remove `.fails` once fixed.
  it('onFinal is told of an expiry once, however many clicks come after', async () => {
    const { service, finals, advance } = harness();
    await service.request(contosoOrder('tok-1'));
    advance(TIMINGS.lifetimeMs);
    await service.confirm('tok-1', BOB);
    await service.confirm('tok-1', ALICE);
    await service.cancel('tok-1', ALICE);
    expect(finals).toEqual([['expired', 'tok-1']]);
  });
});

describe('UpgradeService: unfinished claims', () => {
  it('an answer lost after the change: executing; resumed after the lease with the same key, done once', async () => {
    const { store, service, calls, answers, finals, errors, advance } = harness({ behaviour: answerLost() });
    await service.request(contosoOrder('tok-1'));
    const result = await service.confirm('tok-1', BOB);
    expect(result).toMatchObject({ kind: 'executing', entry: { status: 'executing', attempts: 1 } });
    expect(await service.get('tok-1')).toMatchObject({ status: 'executing', attempts: 1 });
    expect(errors).toEqual([[new Error('socket hang up'), 'tok-1']]);
    expect(finals).toEqual([]);
    // The change was made though: one new subscription.
    const [made] = e3Subscriptions(await contoso(store));
    expect(made).toBeDefined();

    // While the lease runs, nobody takes it over.
    advance(TIMINGS.leaseMs);
    expect(await service.resume()).toBe(0);
    expect(calls).toEqual(['tok-1']);

    advance(1);
    expect(await service.resume()).toBe(1);
    expect(calls).toEqual(['tok-1', 'tok-1']);
    expect(answers.map((a) => a.newSubscriptionId)).toEqual([made!.id]);
    expect(await service.get('tok-1')).toMatchObject({
      status: 'done',
      attempts: 2,
      newSubscriptionId: made!.id,
    });
    expect(e3Subscriptions(await contoso(store)).map((s) => s.id)).toEqual([made!.id]);
    expect(finals).toEqual([['done', 'tok-1']]);
    expect(await service.resume()).toBe(0);
    expect((await service.confirm('tok-1', ALICE)).kind).toBe('already');
  });

  it('an outcome that cannot be recorded (the database went away after the change): executing, not an error; resumed, done once', async () => {
    // Not "nothing was changed" (what the bot says of an error reaching the user): the change was made.
    const { store } = harness();
    let now = START;
    let lost = 1;
    const errors: [unknown, string | undefined][] = [];
    const ledger = new Proxy(store.ledger, {
      get(target, property) {
        if (property === 'complete' && lost-- > 0) {
          return async () => {
            throw new Error('Connection terminated unexpectedly');
          };
        }
        const value = Reflect.get(target, property) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const service = new UpgradeService({
      customers: store.customers,
      ledger,
      gateway: store.gateway,
      timings: TIMINGS,
      now: () => now,
      onError: (error, token) => errors.push([error, token]),
    });
    await service.request(contosoOrder('tok-1'));
    const result = await service.confirm('tok-1', BOB);
    expect(result).toMatchObject({ kind: 'executing', entry: { status: 'executing', attempts: 1 } });
    expect(errors).toEqual([[new Error('Connection terminated unexpectedly'), 'tok-1']]);
    const [made] = e3Subscriptions(await contoso(store));
    expect(made).toBeDefined();
    now = new Date(START.getTime() + TIMINGS.leaseMs + 1);
    expect(await service.resume()).toBe(1);
    expect(await service.get('tok-1')).toMatchObject({
      status: 'done',
      attempts: 2,
      newSubscriptionId: made!.id,
    });
    expect(e3Subscriptions(await contoso(store)).map((s) => s.id)).toEqual([made!.id]);
  });

  it('the customer cannot be read (the database away): nothing claimed, the request still pending, nothing changed', async () => {
    const { store } = harness();
    const calls: string[] = [];
    let failing = true;
    const customers = new Proxy(store.customers, {
      get(target, property) {
        if (property === 'get' && failing) {
          return async () => {
            throw new Error('Connection terminated unexpectedly');
          };
        }
        const value = Reflect.get(target, property) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const service = new UpgradeService({
      customers,
      ledger: store.ledger,
      gateway: {
        system: 'embedded',
        judgesEligibility: false,
        execute: (order, key) => {
          calls.push(key);
          return store.gateway.execute(order, key);
        },
      },
      timings: TIMINGS,
      now: () => START,
    });
    await service.request(contosoOrder('tok-1'));
    const before = JSON.stringify(await store.customers.get(CONTOSO_ID));
    await expect(service.confirm('tok-1', BOB)).rejects.toThrow('Connection terminated');
    expect(await service.get('tok-1')).toMatchObject({ status: 'pending', attempts: 0 });
    expect(calls).toEqual([]);
    expect(JSON.stringify(await store.customers.get(CONTOSO_ID))).toBe(before);
    // Back again: the same press goes through, once.
    failing = false;
    expect(await service.confirm('tok-1', BOB)).toMatchObject({ kind: 'done' });
    expect(calls).toEqual(['tok-1']);
  });

  it('no answer before the change: resumed after the lease, the change is made then', async () => {
    const { store, service, calls, advance } = harness({ behaviour: noAnswer() });
    await service.request(contosoOrder('tok-1'));
    expect((await service.confirm('tok-1', BOB)).kind).toBe('executing');
    expect(subscription(await contoso(store), ESSENTIALS)?.status).toBe('active');
    advance(TIMINGS.leaseMs + 1);
    expect(await service.resume()).toBe(1);
    const done = await service.get('tok-1');
    expect(done).toMatchObject({ status: 'done', attempts: 2 });
    expect(e3Subscriptions(await contoso(store)).map((s) => s.id)).toEqual([done?.newSubscriptionId]);
    expect(calls).toEqual(['tok-1', 'tok-1']);
  });

  it('a gateway that never answers: recorded as unknown (not failed: it may have happened) once the attempts are used up, the gateway called no more', async () => {
    const { store, service, calls, finals, advance } = harness({ behaviour: noAnswer(Infinity) });
    const before = await contoso(store);
    await service.request(contosoOrder('tok-1'));
    expect((await service.confirm('tok-1', BOB)).kind).toBe('executing');
    for (let attempt = 2; attempt <= TIMINGS.maxAttempts; attempt++) {
      advance(TIMINGS.leaseMs + 1);
      expect(await service.resume()).toBe(1);
      expect(await service.get('tok-1')).toMatchObject({ status: 'executing', attempts: attempt });
    }
    expect(calls).toHaveLength(TIMINGS.maxAttempts);
    advance(TIMINGS.leaseMs + 1);
    expect(await service.resume()).toBe(1);
    expect(await service.get('tok-1')).toMatchObject({
      status: 'unknown',
      error: `no answer from the system of record after ${TIMINGS.maxAttempts} attempts`,
    });
    expect(calls).toHaveLength(TIMINGS.maxAttempts);
    expect(finals).toEqual([['unknown', 'tok-1']]);
    expect(await contoso(store)).toEqual(before);
    advance(TIMINGS.leaseMs + 1);
    expect(await service.resume()).toBe(0);
  });

  it('resume() called twice at once, or by two replicas, takes each claim over once', async () => {
    const { store, service, calls, replica, advance } = harness({ behaviour: noAnswer(2) });
    await service.request(contosoOrder('tok-1'));
    await service.request({
      ...contosoOrder('tok-2'),
      customerId: ADATUM.id,
      subscriptionId: 'sub-adatum-essentials',
      quantity: 320,
    });
    expect((await service.confirm('tok-1', BOB)).kind).toBe('executing');
    expect((await service.confirm('tok-2', BOB)).kind).toBe('executing');

    advance(TIMINGS.leaseMs + 1);
    expect(await Promise.all([service.resume(), service.resume()])).toEqual([2, 2]);
    expect(calls.sort()).toEqual(['tok-1', 'tok-1', 'tok-2', 'tok-2']);

    advance(TIMINGS.leaseMs + 1);
    const other = replica();
    const resumed = await Promise.all([service.resume(), other.resume()]);
    expect(resumed[0]! + resumed[1]!).toBe(2);
    expect(calls.sort()).toEqual(['tok-1', 'tok-1', 'tok-1', 'tok-2', 'tok-2', 'tok-2']);
    for (const token of ['tok-1', 'tok-2']) {
      expect(await service.get(token)).toMatchObject({ status: 'done', attempts: 3 });
      expect(store.ledger.events(token).filter((e) => e.what === 'resumed')).toHaveLength(2);
    }
  });

  it('start() resumes at once and stop() waits for the pass under way', async () => {
    const { service, advance } = harness({ behaviour: noAnswer() });
    await service.request(contosoOrder('tok-1'));
    await service.confirm('tok-1', BOB);
    advance(TIMINGS.leaseMs + 1);
    service.start();
    await service.stop();
    expect(await service.get('tok-1')).toMatchObject({ status: 'done', attempts: 2 });
  });

  // BUG (src/core/upgrades.ts, carryOut): when the gateway answers after the lease ran out and another replica
  // resumed and finished the change, `ledger.complete` throws a LedgerError ("cannot become done: it is done")
  // and confirm() rejects, though the change was made exactly once. Remove `.fails` once fixed.
  it('a late answer after another replica finished the change resolves instead of throwing', async () => {
    const h = harness({
      behaviour: (real, call) => async (order, key) => {
        if (call === 1) {
          h.advance(TIMINGS.leaseMs + 1);
          await h.replica().resume(); // the other replica takes over and finishes
        }
        return real.execute(order, key);
      },
    });
    await h.service.request(contosoOrder('tok-1'));
    const result = await h.service.confirm('tok-1', BOB);
    expect(result).toMatchObject({ entry: { status: 'done' } });
    expect(h.finals).toEqual([['done', 'tok-1']]);
  });

  it('a superseded attempt cannot record its outcome: the attempt that holds the entry decides', async () => {
    // Attempt 1 stalls past its lease; a replica takes over (attempt 2) and carries the change out; attempt 1
    // then hears "failed" from its (stale) call. Its record is refused: the ledger says done, as it happened.
    const h = harness({
      behaviour: (real, call) => async (order, key) => {
        if (call === 1) {
          h.advance(TIMINGS.leaseMs + 1);
          await h.replica().resume();
          throw new UpgradeFailedError('stale attempt: the system of record said no');
        }
        return real.execute(order, key);
      },
    });
    await h.service.request(contosoOrder('tok-1'));
    const result = await h.service.confirm('tok-1', BOB);
    expect(result).toMatchObject({ kind: 'already', entry: { status: 'done', attempts: 2 } });
    expect(await h.service.get('tok-1')).toMatchObject({ status: 'done' });
    expect(e3Subscriptions(await contoso(h.store))).toHaveLength(1);
    expect(h.finals).toEqual([['done', 'tok-1']]);
    // Straight at the ledger: attempt 1 can no longer finish the entry.
    await h.service.request(contosoOrder('tok-2', { subscriptionId: 'sub-x' }));
    const claim = await h.store.ledger.claim('tok-2', BOB, START, new Date(START.getTime() + 1));
    expect(claim.kind).toBe('claimed');
    const later = new Date(START.getTime() + 10);
    expect(await h.store.ledger.reclaim('tok-2', later, new Date(later.getTime() + 60_000))).toMatchObject({
      attempts: 2,
    });
    await expect(h.store.ledger.fail('tok-2', 'late', later, 1)).rejects.toThrow(/attempt 2 holds it/);
    expect(await h.store.ledger.get('tok-2')).toMatchObject({ status: 'executing', attempts: 2 });
  });
});
