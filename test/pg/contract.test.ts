/**
 * The storage contract, the same assertions against SQLite and PostgreSQL: the ledger's transitions and their
 * exactly-once guarantees, the gateway's idempotency, the state's eTags, and customers changed elsewhere.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { UpgradeFailedError, UpgradeRefusedError } from '../../src/core/gateway.js';
import { LedgerError, type Actor, type LicenceOrder, type UpgradeOrder } from '../../src/core/ledger.js';
import { ETagConflictError } from '../../src/core/state.js';
import type { Customer } from '../../src/rules/index.js';
import {
  ALICE,
  BOB,
  CONTOSO_ID,
  ESSENTIALS,
  contosoRequest,
  e3Subscriptions,
  subscription,
} from '../storage/support.js';
import {
  ADELE,
  EXECUTION,
  EXPIRES,
  LATER,
  LEASE,
  NEXT_LEASE,
  T0,
  T1,
  entryOf,
  executing,
  record,
} from '../storage/ledger-fixtures.js';
import { engines } from './engines.js';

function order(overrides: Partial<UpgradeOrder> = {}): UpgradeOrder {
  const { token: _t, requestedBy: _r, requestedAt: _a, place: _p, ...rest } = contosoRequest('x');
  return { ...rest, ...overrides };
}

describe.each(engines())('storage contract on $name', (engine) => {
  describe('ledger', () => {
    it('records, claims once (executing, with a lease), and reads back the same entry', async () => {
      const { ledger, events } = await engine.open();
      const pending = await record(ledger, 'tok-1');
      expect(pending).toEqual({
        ...contosoRequest('tok-1'),
        status: 'pending',
        expiresAt: EXPIRES.toISOString(),
        attempts: 0,
        affectedAccounts: [],
        reasons: [],
      });
      await expect(record(ledger, 'tok-1')).rejects.toBeInstanceOf(LedgerError);
      const outcome = await ledger.claim('tok-1', BOB, T0, LEASE);
      expect(outcome).toEqual({
        kind: 'claimed',
        entry: {
          ...pending,
          status: 'executing',
          decidedBy: BOB,
          leaseUntil: LEASE.toISOString(),
          attempts: 1,
        },
      });
      expect(await ledger.get('tok-1')).toEqual(entryOf(outcome));
      expect(await ledger.claim('tok-1', ALICE, T1, NEXT_LEASE)).toEqual({
        kind: 'already',
        entry: entryOf(outcome),
      });
      expect(await ledger.claim('nope', BOB, T0, LEASE)).toEqual({ kind: 'unknown' });
      expect((await events('tok-1')).map((e) => [e.what, e.at, e.actor?.id, e.detail])).toEqual([
        ['requested', '2025-03-01T10:00:00.000Z', ALICE.id, `${ESSENTIALS} → O365_E3`],
        ['claimed', T0.toISOString(), BOB.id, undefined],
        ['confirm_ignored', T1.toISOString(), ALICE.id, 'executing'],
      ]);
    });

    it('expiry: claimable up to the last millisecond, then expired (now, then already), cancel too', async () => {
      const { ledger } = await engine.open();
      await record(ledger, 'tok-1');
      await record(ledger, 'tok-2', { subscriptionId: 'sub-other' });
      await record(ledger, 'tok-3', { subscriptionId: 'sub-third' });
      expect((await ledger.claim('tok-2', BOB, new Date(EXPIRES.getTime() - 1), LEASE)).kind).toBe('claimed');
      const outcome = await ledger.claim('tok-1', BOB, EXPIRES, NEXT_LEASE);
      expect(outcome).toMatchObject({ kind: 'expired', expiredNow: true });
      expect(entryOf(outcome)).toMatchObject({
        status: 'expired',
        decidedAt: EXPIRES.toISOString(),
        attempts: 0,
      });
      expect(await ledger.claim('tok-1', ALICE, LATER, NEXT_LEASE)).toEqual({
        kind: 'expired',
        entry: entryOf(outcome),
        expiredNow: false,
      });
      expect(await ledger.cancel('tok-3', ALICE, EXPIRES)).toMatchObject({
        kind: 'expired',
        expiredNow: true,
      });
    });

    it('busy: a second request on a subscription with a change under way stays pending', async () => {
      const { ledger, events } = await engine.open();
      await executing(ledger, 'tok-1');
      const pending = await record(ledger, 'tok-2');
      expect(await ledger.claim('tok-2', ALICE, T1, NEXT_LEASE)).toEqual({ kind: 'busy', entry: pending });
      expect(await ledger.get('tok-2')).toEqual(pending);
      expect((await events('tok-2')).at(-1)).toMatchObject({ what: 'confirm_ignored', detail: 'busy' });
      await record(ledger, 'tok-3', { subscriptionId: 'sub-contoso-exchange' });
      expect((await ledger.claim('tok-3', ALICE, T1, NEXT_LEASE)).kind).toBe('claimed');
      await ledger.fail('tok-1', 'gone wrong', T1);
      expect((await ledger.claim('tok-2', ALICE, T1, NEXT_LEASE)).kind).toBe('claimed');
    });

    it('complete, fail, refuse, give up: from executing only, fenced by attempt', async () => {
      const { ledger } = await engine.open();
      await executing(ledger, 'done');
      const done = await ledger.complete('done', EXECUTION, T1, 1);
      expect(done).toMatchObject({
        status: 'done',
        decidedAt: T1.toISOString(),
        newSubscriptionId: 'sub-new-1',
        affectedAccounts: [ADELE],
      });
      expect(done.leaseUntil).toBeUndefined();
      await expect(ledger.fail('done', 'late', T1)).rejects.toBeInstanceOf(LedgerError);
      expect(await ledger.get('done')).toEqual(done);

      await executing(ledger, 'failed', { subscriptionId: 'sub-f' });
      expect(await ledger.fail('failed', 'boom', T1)).toMatchObject({ status: 'failed', error: 'boom' });

      await executing(ledger, 'refused', { subscriptionId: 'sub-r' });
      const reasons = [{ code: 'seats_exceed_limit', params: {} }] as never;
      expect(await ledger.refuse('refused', reasons, T1)).toMatchObject({ status: 'refused', reasons });

      await executing(ledger, 'unknown', { subscriptionId: 'sub-u' });
      // A superseded attempt cannot record an outcome.
      const resumed = await ledger.reclaim('unknown', LATER, NEXT_LEASE);
      expect(resumed).toMatchObject({ attempts: 2 });
      await expect(ledger.complete('unknown', EXECUTION, LATER, 1)).rejects.toThrow(/attempt 2 holds it/);
      expect(await ledger.giveUp('unknown', 'no answer', LATER, 2)).toMatchObject({
        status: 'unknown',
        error: 'no answer',
        attempts: 2,
      });
      await expect(ledger.complete('pending?', EXECUTION, T1)).rejects.toBeInstanceOf(LedgerError);
    });

    it('reclaim only once the lease ran out; unfinished lists those, soonest lease first', async () => {
      const { ledger, events } = await engine.open();
      await record(ledger, 'pending', { subscriptionId: 'sub-p' });
      await executing(ledger, 'late');
      await record(ledger, 'early', { subscriptionId: 'sub-contoso-exchange' });
      await ledger.claim('early', BOB, T0, T1);
      expect(await ledger.reclaim('late', T1, NEXT_LEASE)).toBeUndefined();
      expect(await ledger.reclaim('late', LEASE, NEXT_LEASE)).toBeUndefined();
      expect(await ledger.reclaim('pending', LATER, NEXT_LEASE)).toBeUndefined();
      expect((await ledger.unfinished(LATER)).map((e) => e.token)).toEqual(['early', 'late']);
      expect((await ledger.unfinished(LEASE)).map((e) => e.token)).toEqual(['early']);
      const resumed = await ledger.reclaim('late', LATER, NEXT_LEASE);
      expect(resumed).toMatchObject({
        status: 'executing',
        leaseUntil: NEXT_LEASE.toISOString(),
        attempts: 2,
      });
      expect(await ledger.reclaim('late', LATER, NEXT_LEASE)).toBeUndefined();
      expect((await events('late')).at(-1)).toEqual({
        token: 'late',
        at: LATER.toISOString(),
        what: 'resumed',
        detail: 'attempt 2',
      });
    });

    it('cancel: only pending; history newest first', async () => {
      const { ledger } = await engine.open();
      await record(ledger, 'a', { requestedAt: '2025-03-01T09:00:00.000Z' });
      await record(ledger, 'b', { requestedAt: '2025-03-01T11:00:00+01:00', subscriptionId: 'sub-b' });
      await record(ledger, 'c', { requestedAt: '2025-03-01T11:00:00.000Z', subscriptionId: 'sub-c' });
      expect((await ledger.cancel('a', ALICE, T0)).kind).toBe('cancelled');
      expect(await ledger.cancel('a', ALICE, T1)).toMatchObject({ kind: 'already' });
      expect((await ledger.history(CONTOSO_ID)).map((e) => e.token)).toEqual(['c', 'b', 'a']);
      expect((await ledger.get('b'))?.requestedAt).toBe('2025-03-01T10:00:00.000Z');
    });

    it('prune deletes what changed nothing before the cutoff; keeps pending, executing, done and unknown', async () => {
      const { ledger, events } = await engine.open();
      await record(ledger, 'cancelled', { subscriptionId: 'sub-a' });
      await ledger.cancel('cancelled', ALICE, T0);
      await executing(ledger, 'done');
      await ledger.complete('done', EXECUTION, T1);
      await executing(ledger, 'unknown', { subscriptionId: 'sub-u' });
      await ledger.giveUp('unknown', 'no answer', T1);
      await record(ledger, 'stale', { subscriptionId: 'sub-b' });
      await record(ledger, 'running', { subscriptionId: 'sub-c' });
      await ledger.claim('running', BOB, T0, LEASE);
      const later = new Date(EXPIRES.getTime() + 86_400_000);
      await record(ledger, 'fresh', { subscriptionId: 'sub-d' }, new Date(later.getTime() + 86_400_000));

      expect(await ledger.prune(later)).toBeGreaterThan(0);
      expect(await ledger.get('cancelled')).toBeUndefined();
      expect(await ledger.get('stale')).toBeUndefined();
      expect((await ledger.get('done'))?.status).toBe('done');
      expect((await ledger.get('unknown'))?.status).toBe('unknown');
      expect((await ledger.get('running'))?.status).toBe('executing');
      expect((await ledger.get('fresh'))?.status).toBe('pending');
      expect(await events('cancelled')).toEqual([]);
      expect((await events('done')).map((e) => e.what)).toContain('done');
      expect(await ledger.prune(later)).toBe(0);
    });

    it('the database refuses to move a final request or delete a done one', async () => {
      const stores = await engine.open();
      await executing(stores.ledger, 'done');
      await stores.ledger.complete('done', EXECUTION, T1);
      await expect(
        stores.scalar("UPDATE upgrade_ledger SET status = 'pending', decided_at = NULL WHERE token = 'done'"),
      ).rejects.toThrow(/already decided/);
      await expect(stores.scalar("DELETE FROM upgrade_ledger WHERE token = 'done'")).rejects.toThrow(
        /never deleted/,
      );
    });

    it('20 concurrent claims of one token over several connections: one claimed, 19 already', async () => {
      const first = await engine.open({ poolSize: 4 });
      const all = [first, ...(await Promise.all([1, 2, 3].map(() => first.another({ poolSize: 4 }))))];
      await record(first.ledger, 'tok-race');
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          await sleep(i % 3);
          const clicker: Actor = { id: `clicker-${i}` };
          return all[i % all.length]!.ledger.claim('tok-race', clicker, T0, LEASE);
        }),
      );
      const kinds = outcomes.map((o) => o.kind);
      expect(kinds.filter((k) => k === 'claimed')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'already')).toHaveLength(19);
      const winner = entryOf(outcomes.find((o) => o.kind === 'claimed')!);
      for (const o of outcomes) expect(entryOf(o)).toEqual(winner);
      const events = (await first.events('tok-race')).map((e) => e.what);
      expect(events.filter((w) => w === 'claimed')).toHaveLength(1);
      expect(events.filter((w) => w === 'confirm_ignored')).toHaveLength(19);
    });

    it('concurrent claims of different tokens on one subscription: one executing, the others busy', async () => {
      const first = await engine.open({ poolSize: 4 });
      const second = await first.another({ poolSize: 4 });
      for (let i = 0; i < 6; i++) await record(first.ledger, `tok-${i}`);
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 === 0 ? first : second).ledger.claim(`tok-${i}`, BOB, T0, LEASE),
        ),
      );
      expect(outcomes.filter((o) => o.kind === 'claimed')).toHaveLength(1);
      expect(outcomes.filter((o) => o.kind === 'busy')).toHaveLength(5);
      expect(await first.scalar("SELECT count(*) FROM upgrade_ledger WHERE status = 'executing'")).toBe(1);
    });
  });

  describe('gateway', () => {
    it('is idempotent by key: the same key answers the same and upgrades once', async () => {
      const stores = await engine.open();
      const first = await stores.gateway.execute(order(), 'key-1');
      expect(await stores.gateway.execute(order(), 'key-1')).toEqual(first);
      const contoso = await stores.customers.get(CONTOSO_ID);
      expect(e3Subscriptions(contoso).map((s) => s.id)).toEqual([first.newSubscriptionId]);
      expect(subscription(contoso, ESSENTIALS)?.status).toBe('deleted');
      expect(await stores.scalar('SELECT count(*) FROM executions')).toBe(1);
      // Another key: the source is cancelled now, so it is not eligible any more.
      await expect(stores.gateway.execute(order(), 'key-2')).rejects.toBeInstanceOf(UpgradeRefusedError);
    });

    it('the same key run concurrently from two connections upgrades once', async () => {
      const first = await engine.open();
      const second = await first.another();
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 === 0 ? first : second).gateway.execute(order(), 'key-race'),
        ),
      );
      for (const r of results) expect(r).toEqual(results[0]);
      expect(await first.scalar('SELECT count(*) FROM executions')).toBe(1);
      expect(e3Subscriptions(await second.customers.get(CONTOSO_ID))).toHaveLength(1);
    });

    it('refuses what is not eligible and fails for an unknown customer or subscription; nothing changes', async () => {
      const stores = await engine.open();
      await expect(stores.gateway.execute(order({ customerId: 'nobody' }), 'k1')).rejects.toBeInstanceOf(
        UpgradeFailedError,
      );
      await expect(
        stores.gateway.execute(order({ subscriptionId: 'sub-none' }), 'k2'),
      ).rejects.toBeInstanceOf(UpgradeFailedError);
      expect(await stores.scalar('SELECT count(*) FROM executions')).toBe(0);
      expect(subscription(await stores.customers.get(CONTOSO_ID), ESSENTIALS)?.status).toBe('active');
      await stores.gateway.execute(order(), 'k3');
      const after = await stores.customers.get(CONTOSO_ID);
      const refused = await stores.gateway.execute(order(), 'k4').catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(UpgradeRefusedError);
      expect((refused as UpgradeRefusedError).reasons.length).toBeGreaterThan(0);
      expect(await stores.scalar('SELECT count(*) FROM executions')).toBe(1);
      expect(await stores.customers.get(CONTOSO_ID)).toEqual(after);
    });

    it('a fault before commit changes nothing, and the same key runs again later', async () => {
      let fail = true;
      const stores = await engine.open({
        beforeCommit: () => {
          if (fail) throw new Error('power cut');
        },
      });
      // Rolled back for sure: failed for good (not an unknown outcome), with the cause's message.
      const fault = stores.gateway.execute(order(), 'key-1');
      await expect(fault).rejects.toBeInstanceOf(UpgradeFailedError);
      await expect(fault).rejects.toThrow(/power cut/);
      expect(await stores.scalar('SELECT count(*) FROM executions')).toBe(0);
      expect(e3Subscriptions(await stores.customers.get(CONTOSO_ID))).toEqual([]);
      fail = false;
      const done = await stores.gateway.execute(order(), 'key-1');
      expect(e3Subscriptions(await stores.customers.get(CONTOSO_ID)).map((s) => s.id)).toEqual([
        done.newSubscriptionId,
      ]);
    });
  });

  describe('licences added', () => {
    const EXCHANGE = 'sub-contoso-exchange';
    function licences(overrides: Partial<LicenceOrder> = {}): LicenceOrder {
      return {
        change: 'add_licences',
        customerId: CONTOSO_ID,
        subscriptionId: EXCHANGE,
        fromOffer: 'EXCHANGE_ONLINE_PLAN_1',
        target: 'EXCHANGE_ONLINE_PLAN_1',
        previousQuantity: 10,
        quantity: 14,
        ...overrides,
      };
    }

    it('the ledger keeps the kind of change and the seats before it; one subscription takes several', async () => {
      const { ledger, events } = await engine.open();
      const request = { ...licences(), token: 'lic-1', requestedBy: ALICE, requestedAt: T0.toISOString() };
      const pending = await ledger.record(request, EXPIRES);
      expect(pending).toMatchObject({
        change: 'add_licences',
        previousQuantity: 10,
        quantity: 14,
        status: 'pending',
      });
      expect(pending).not.toHaveProperty('upgradeType');
      expect(await ledger.get('lic-1')).toEqual(pending);
      // Done twice on the same subscription (two requests): the subscription that holds the result repeats.
      for (const token of ['lic-1', 'lic-2']) {
        if (token === 'lic-2') await ledger.record({ ...request, token }, EXPIRES);
        await ledger.claim(token, BOB, T1, NEXT_LEASE);
        const done = await ledger.complete(token, { newSubscriptionId: EXCHANGE, affectedAccounts: [] }, T1);
        expect(done).toMatchObject({ status: 'done', newSubscriptionId: EXCHANGE, change: 'add_licences' });
      }
      expect((await events('lic-1'))[0]?.detail).toBe(`${EXCHANGE}: 10 → 14 seats`);
      // An upgrade's new subscription id stays unique.
      await executing(ledger, 'up-1');
      await ledger.complete('up-1', EXECUTION, T1, 1);
      await executing(ledger, 'up-2', { subscriptionId: 'sub-other' });
      await expect(ledger.complete('up-2', EXECUTION, T1, 1)).rejects.toThrow();
      // What a licence request asks for must hold together.
      await expect(
        ledger.record({ ...request, token: 'lic-bad', previousQuantity: -1 }, EXPIRES),
      ).rejects.toThrow(/previous quantity/);
      await expect(
        ledger.record({ ...request, token: 'lic-bad2', target: 'O365_E3' }, EXPIRES),
      ).rejects.toThrow(/same offer/);
      await expect(ledger.record({ ...request, token: 'lic-bad3', quantity: 10 }, EXPIRES)).rejects.toThrow(
        /only added/,
      );
      // An upgrade from a subscription with no seats keeps 0 as its seats before.
      const zero = await record(ledger, 'up-zero', { subscriptionId: 'sub-zero', previousQuantity: 0 });
      expect(zero.previousQuantity).toBe(0);
    });

    it('the gateway raises the seats once by key; a count changed meanwhile is refused, never overwritten', async () => {
      const stores = await engine.open();
      const first = await stores.gateway.execute(licences(), 'lic-key');
      expect(first).toEqual({ newSubscriptionId: EXCHANGE, affectedAccounts: [] });
      expect(await stores.gateway.execute(licences(), 'lic-key')).toEqual(first);
      expect(subscription(await stores.customers.get(CONTOSO_ID), EXCHANGE)?.quantity).toBe(14);
      // The same request under another key: the seats are 14 now, not the 10 it was made on.
      const refused = await stores.gateway.execute(licences(), 'lic-key-2').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(UpgradeRefusedError);
      expect((refused as UpgradeRefusedError).reasons).toEqual([
        { code: 'seat_count_changed', expected: 10, actual: 14 },
      ]);
      expect(subscription(await stores.customers.get(CONTOSO_ID), EXCHANGE)?.quantity).toBe(14);
      expect(await stores.scalar('SELECT count(*) FROM executions')).toBe(1);
    });

    it('the same key from two connections at once raises the seats once', async () => {
      const first = await engine.open();
      const second = await first.another();
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 === 0 ? first : second).gateway.execute(licences(), 'lic-race'),
        ),
      );
      for (const r of results) expect(r).toEqual(results[0]);
      expect(subscription(await second.customers.get(CONTOSO_ID), EXCHANGE)?.quantity).toBe(14);
    });
  });

  describe('key-value store', () => {
    it('eTags: a new one each write, the current one lets a write through, a stale one conflicts', async () => {
      const { state } = await engine.open();
      expect(await state.read(['a'])).toEqual({});
      const first = await state.write([{ key: 'a', value: { n: 1 } }]);
      const second = await state.write([{ key: 'a', value: { n: 2 }, eTag: first.a! }]);
      expect(second.a).not.toBe(first.a);
      expect(await state.read(['a', 'missing'])).toEqual({ a: { value: { n: 2 }, eTag: second.a } });
      const stale = state.write([
        { key: 'b', value: 'new' },
        { key: 'a', value: { n: 3 }, eTag: first.a! },
      ]);
      await expect(stale).rejects.toBeInstanceOf(ETagConflictError);
      // Nothing of the batch was written.
      expect(await state.read(['a', 'b'])).toEqual({ a: { value: { n: 2 }, eTag: second.a } });
      await expect(state.write([{ key: 'c', value: 1, eTag: 'nope' }])).rejects.toBeInstanceOf(
        ETagConflictError,
      );
      await state.write([{ key: 'a', value: 'any', eTag: '*' }]);
      await state.delete(['a', 'missing']);
      expect(await state.read(['a'])).toEqual({});
      await expect(state.write([{ key: 'x', value: undefined }])).rejects.toBeInstanceOf(TypeError);
    });

    it('concurrent writes with the same eTag from two connections: one wins', async () => {
      const first = await engine.open();
      const second = await first.another();
      const { k } = await first.state.write([{ key: 'k', value: 0 }]);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 === 0 ? first : second).state.write([{ key: 'k', value: i, eTag: k! }]),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ETagConflictError);
      }
    });

    it('prune deletes the values last written before the cutoff', async () => {
      let now = T0;
      const { state } = await engine.open({ now: () => now });
      await state.write([{ key: 'old', value: 1 }]);
      now = LATER;
      await state.write([{ key: 'new', value: 2 }]);
      expect(await state.prune(T1)).toBe(1);
      expect(Object.keys(await state.read(['old', 'new']))).toEqual(['new']);
    });
  });

  describe('customers', () => {
    it('a change made through another connection is seen through watch, and told to the listeners', async () => {
      const first = await engine.open();
      const second = await first.another();
      const before = await first.customers.get(CONTOSO_ID);
      const count = await first.customers.count();
      const seen: string[] = [];
      first.customers.onChanged((change) =>
        seen.push(
          change.kind === 'upserted'
            ? `${change.customer.id}:${change.customer.companyProfile.companyName}`
            : change.customerId,
        ),
      );
      const stop = first.watch(20);
      try {
        const renamed: Customer = {
          ...before!,
          companyProfile: { ...before!.companyProfile, companyName: 'Contoso Renamed' },
        };
        await second.saveCustomer(renamed);
        const added: Customer = {
          ...renamed,
          id: 'cust-new',
          companyProfile: { companyName: 'New Co', domain: 'new.example' },
          subscriptions: [],
        };
        await second.saveCustomer(added);
        for (let i = 0; i < 100 && seen.length < 2; i++) await sleep(20);
        expect(seen).toEqual([`${CONTOSO_ID}:Contoso Renamed`, 'cust-new:New Co']);
        expect((await first.customers.get(CONTOSO_ID))?.companyProfile.companyName).toBe('Contoso Renamed');
        expect(await first.customers.count()).toBe(count + 1);
        expect((await first.customers.names()).find((n) => n.id === 'cust-new')).toEqual({
          id: 'cust-new',
          companyProfile: { companyName: 'New Co', domain: 'new.example' },
        });
      } finally {
        stop();
      }
    });

    it('pages hand over every customer once, in directory order', async () => {
      const { customers } = await engine.open();
      const ids: string[] = [];
      for await (const page of customers.pages()) ids.push(...page.map((c) => c.id));
      expect(ids).toEqual((await customers.names()).map((n) => n.id));
      expect(ids).toHaveLength(await customers.count());
    });
  });
});
