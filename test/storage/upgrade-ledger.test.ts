import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { evaluateTarget, type Customer, type Subscription } from '../../src/rules/index.js';
import { LedgerError, type ConfirmOutcome, type LedgerEntry } from '../../src/storage/upgrade-ledger.js';
import {
  ALICE,
  BOB,
  CONTOSO_ID,
  ESSENTIALS,
  contosoRequest,
  open,
  planner,
  rewriteCustomer,
  snapshot,
  subscription,
  tempDir,
  withRawDatabase,
} from './support.js';

const T0 = new Date('2025-03-01T10:05:00.000Z');
const T1 = new Date('2025-03-01T10:06:00.000Z');

function entryOf(outcome: ConfirmOutcome): LedgerEntry {
  if (outcome.kind === 'unknown_token') throw new Error('unknown token');
  return outcome.entry;
}

function e3Subscriptions(customer: Customer | undefined): Subscription[] {
  return (customer?.subscriptions ?? []).filter((s) => s.offerId === 'O365_E3' && s.status === 'active');
}

function doneRows(dataDir: string): number {
  return withRawDatabase(dataDir, (db) =>
    db.prepare<[], number>("SELECT count(*) FROM upgrade_ledger WHERE status = 'done'").pluck().get()!,
  );
}

describe('upgrade ledger: record and get', () => {
  it('records a pending request and reads it back', () => {
    const { ledger } = open(tempDir());
    const entry = ledger.record(contosoRequest('tok-1'));
    expect(entry).toEqual({
      ...contosoRequest('tok-1'),
      status: 'pending',
      affectedAccounts: [],
      reasons: [],
    });
    expect(ledger.get('tok-1')).toEqual(entry);
    expect(ledger.get('nope')).toBeUndefined();
    expect(ledger.events('tok-1')).toEqual([
      {
        token: 'tok-1',
        at: '2025-03-01T10:00:00.000Z',
        actor: { id: ALICE.id, name: ALICE.name },
        what: 'requested',
        detail: `${ESSENTIALS} → O365_E3`,
      },
    ]);
  });

  it('refuses a duplicate token, an unknown customer and invalid fields', () => {
    const { ledger } = open(':memory:');
    ledger.record(contosoRequest('tok-1'));
    expect(() => ledger.record(contosoRequest('tok-1', { target: 'O365_E1' }))).toThrow(LedgerError);
    expect(ledger.get('tok-1')?.target).toBe('O365_E3');
    expect(() => ledger.record(contosoRequest('tok-2', { customerId: 'nobody' }))).toThrow(
      /No customer with id "nobody"/,
    );
    expect(() => ledger.record(contosoRequest('tok-3', { quantity: 0 }))).toThrow(/quantity/);
    expect(() => ledger.record(contosoRequest('tok-4', { requestedAt: 'yesterday' }))).toThrow(/requestedAt/);
    expect(() => ledger.record(contosoRequest(' '))).toThrow(/token is empty/);
    expect(ledger.get('tok-2')).toBeUndefined();
  });
});

describe('upgrade ledger: confirm', () => {
  it('applies the upgrade and records done, with the new subscription and the affected accounts', () => {
    const dataDir = tempDir();
    const { ledger, directory } = open(dataDir);
    ledger.record(contosoRequest('tok-1'));

    const outcome = ledger.confirm('tok-1', BOB, T0, planner('sub-contoso-e3'));
    expect(outcome.kind).toBe('done');
    if (outcome.kind !== 'done') return;
    expect(outcome.plan.newSubscription.id).toBe('sub-contoso-e3');
    expect(outcome.entry).toEqual({
      ...contosoRequest('tok-1'),
      status: 'done',
      decidedBy: BOB,
      decidedAt: T0.toISOString(),
      newSubscriptionId: 'sub-contoso-e3',
      affectedAccounts: outcome.plan.affectedAccounts,
      reasons: [],
    });
    // Adele Vance and Isaiah Langer had services turned off.
    expect(outcome.entry.affectedAccounts.map((a) => a.name)).toEqual(['Adele Vance', 'Isaiah Langer']);
    expect(ledger.get('tok-1')).toEqual(outcome.entry);

    const contoso = directory.byId(CONTOSO_ID);
    expect(subscription(contoso, ESSENTIALS)).toMatchObject({ status: 'deleted', users: [] });
    expect(subscription(contoso, 'sub-contoso-e3')).toMatchObject({
      offerId: 'O365_E3',
      status: 'active',
      quantity: 40,
    });
    expect(subscription(contoso, 'sub-contoso-e3')?.users).toHaveLength(8);
    expect(ledger.events('tok-1').map((e) => e.what)).toEqual(['requested', 'done']);
  });

  it('a second confirm is `already`, saying who confirmed and when; the upgrade happened once', () => {
    const dataDir = tempDir();
    const { ledger, directory } = open(dataDir);
    ledger.record(contosoRequest('tok-1'));
    const first = ledger.confirm('tok-1', BOB, T0, planner('sub-new-1'));
    expect(first.kind).toBe('done');
    const before = snapshot(dataDir);

    const second = ledger.confirm('tok-1', ALICE, T1, planner('sub-new-2'));
    expect(second.kind).toBe('already');
    expect(entryOf(second)).toMatchObject({
      status: 'done',
      decidedBy: BOB,
      decidedAt: T0.toISOString(),
      newSubscriptionId: 'sub-new-1',
    });
    expect(snapshot(dataDir)).toEqual(before);
    expect(e3Subscriptions(directory.byId(CONTOSO_ID)).map((s) => s.id)).toEqual(['sub-new-1']);
    expect(ledger.events('tok-1').map((e) => [e.what, e.actor?.id, e.detail])).toEqual([
      ['requested', ALICE.id, `${ESSENTIALS} → O365_E3`],
      ['done', BOB.id, 'sub-new-1'],
      ['confirm_ignored', ALICE.id, 'done'],
    ]);
  });

  it('an unknown token is `unknown_token`', () => {
    const { ledger } = open(':memory:');
    expect(ledger.confirm('nope', BOB, T0, planner('sub-x'))).toEqual({ kind: 'unknown_token' });
    expect(ledger.cancel('nope', BOB, T0)).toEqual({ kind: 'unknown_token' });
  });

  it('a request made stale by a suspension is refused with the current reasons; nothing else changes', () => {
    const dataDir = tempDir();
    const { ledger, directory } = open(dataDir);
    ledger.record(contosoRequest('tok-1'));
    // Suspended after the card was shown, by another process.
    rewriteCustomer(dataDir, CONTOSO_ID, (c) => ({
      ...c,
      subscriptions: c.subscriptions.map((s) => (s.id === ESSENTIALS ? { ...s, status: 'suspended' } : s)),
    }));
    const before = snapshot(dataDir);

    const outcome = ledger.confirm('tok-1', BOB, T0, planner('sub-new'));
    expect(outcome.kind).toBe('refused');
    const entry = entryOf(outcome);
    expect(entry.reasons).toEqual([{ code: 'subscription_not_active', status: 'suspended' }]);
    expect(entry).toMatchObject({ status: 'refused', decidedBy: BOB, decidedAt: T0.toISOString() });
    expect(entry.newSubscriptionId).toBeUndefined();

    const after = snapshot(dataDir);
    expect(after.customers).toEqual(before.customers);
    expect(subscription(directory.byId(CONTOSO_ID), 'sub-new')).toBeUndefined();
    // A refusal is final.
    expect(ledger.confirm('tok-1', BOB, T1, planner('sub-new')).kind).toBe('already');
  });

  it('a request made stale by the target bought through another partner is refused with the current reasons', () => {
    const dataDir = tempDir();
    const { ledger, directory } = open(dataDir);
    ledger.record(contosoRequest('tok-1'));
    const elsewhere: Subscription = {
      id: 'sub-contoso-e3-elsewhere',
      offerId: 'O365_E3',
      quantity: 10,
      status: 'active',
      channel: 'other-partner',
    };
    rewriteCustomer(dataDir, CONTOSO_ID, (c) => ({ ...c, subscriptions: [...c.subscriptions, elsewhere] }));
    const customer = directory.byId(CONTOSO_ID)!;
    const current = evaluateTarget(customer, subscription(customer, ESSENTIALS)!, 'O365_E3');
    expect(current.eligible).toBe(false);
    const before = snapshot(dataDir);

    const outcome = ledger.confirm('tok-1', BOB, T0, planner('sub-new'));
    expect(outcome.kind).toBe('refused');
    expect(entryOf(outcome).reasons).toEqual(current.reasons);
    expect(entryOf(outcome).reasons.map((r) => r.code)).toContain('target_already_owned');
    expect(snapshot(dataDir).customers).toEqual(before.customers);
    expect(subscription(directory.byId(CONTOSO_ID), ESSENTIALS)?.status).toBe('active');
  });

  it('a fault after the directory write rolls everything back, then records `failed`', () => {
    const dataDir = tempDir();
    const { ledger, directory } = open(dataDir, {
      faults: {
        beforeCommit: (plan) => {
          throw new Error(`injected fault (${plan.newSubscription.id})`);
        },
      },
    });
    ledger.record(contosoRequest('tok-1'));
    const contosoBefore = directory.byId(CONTOSO_ID);
    const before = snapshot(dataDir);

    const outcome = ledger.confirm('tok-1', BOB, T0, planner('sub-new'));
    expect(outcome.kind).toBe('failed');
    expect(entryOf(outcome)).toMatchObject({
      status: 'failed',
      decidedBy: BOB,
      decidedAt: T0.toISOString(),
      error: 'injected fault (sub-new)',
      affectedAccounts: [],
    });
    expect(entryOf(outcome).newSubscriptionId).toBeUndefined();
    // The directory is unchanged: on disk, in this store's cache and for another store.
    expect(snapshot(dataDir).customers).toEqual(before.customers);
    expect(directory.byId(CONTOSO_ID)).toEqual(contosoBefore);
    expect(subscription(open(dataDir).directory.byId(CONTOSO_ID), ESSENTIALS)?.status).toBe('active');
    expect(ledger.events('tok-1').map((e) => e.what)).toEqual(['requested', 'failed']);
    // A failure is final too: the user starts again with a new card.
    expect(ledger.confirm('tok-1', BOB, T1, planner('sub-new')).kind).toBe('already');
  });

  it('a planner that throws, or plans something else than the request, fails and changes nothing', () => {
    const dataDir = tempDir();
    const { ledger } = open(dataDir);
    ledger.record(contosoRequest('tok-1'));
    ledger.record(contosoRequest('tok-2'));
    const before = snapshot(dataDir).customers;

    const thrown = ledger.confirm('tok-1', BOB, T0, () => {
      throw new Error('no id generator');
    });
    expect(thrown.kind).toBe('failed');
    expect(entryOf(thrown).error).toBe('no id generator');

    const other = ledger.confirm('tok-2', BOB, T0, (customer, request) =>
      planner('sub-new')(customer, { ...request, target: 'O365_E1' }),
    );
    expect(other.kind).toBe('failed');
    expect(entryOf(other).error).toMatch(/does not match the request: target O365_E1 instead of O365_E3/);
    expect(snapshot(dataDir).customers).toEqual(before);
  });

  it('a new subscription id that is already taken fails the confirm, changing nothing', () => {
    const dataDir = tempDir();
    const { ledger } = open(dataDir);
    ledger.record(contosoRequest('tok-1'));
    const before = snapshot(dataDir).customers;
    const outcome = ledger.confirm('tok-1', BOB, T0, planner('sub-contoso-exchange'));
    expect(outcome.kind).toBe('failed');
    expect(entryOf(outcome).error).toMatch(/subscription id "sub-contoso-exchange" is already used/);
    expect(snapshot(dataDir).customers).toEqual(before);
  });
});

describe('upgrade ledger: cancel and history', () => {
  it('cancel then confirm is `already` (cancelled, by whom, when) and nothing is upgraded', () => {
    const dataDir = tempDir();
    const { ledger, directory } = open(dataDir);
    ledger.record(contosoRequest('tok-1'));
    const cancelled = ledger.cancel('tok-1', ALICE, T0);
    expect(cancelled).toEqual({
      kind: 'cancelled',
      entry: {
        ...contosoRequest('tok-1'),
        status: 'cancelled',
        decidedBy: ALICE,
        decidedAt: T0.toISOString(),
        affectedAccounts: [],
        reasons: [],
      },
    });
    const confirmed = ledger.confirm('tok-1', BOB, T1, planner('sub-new'));
    expect(confirmed.kind).toBe('already');
    expect(entryOf(confirmed)).toMatchObject({
      status: 'cancelled',
      decidedBy: ALICE,
      decidedAt: T0.toISOString(),
    });
    expect(subscription(directory.byId(CONTOSO_ID), ESSENTIALS)?.status).toBe('active');
    expect(ledger.cancel('tok-1', BOB, T1).kind).toBe('already');
  });

  it('cancel after done is `already`', () => {
    const { ledger } = open(':memory:');
    ledger.record(contosoRequest('tok-1'));
    ledger.confirm('tok-1', BOB, T0, planner('sub-new'));
    const outcome = ledger.cancel('tok-1', ALICE, T1);
    expect(outcome.kind).toBe('already');
    expect(outcome.kind === 'already' && outcome.entry.status).toBe('done');
  });

  it('history lists every request of the customer, newest first', () => {
    const { ledger } = open(':memory:');
    ledger.record(contosoRequest('tok-a', { requestedAt: '2025-03-01T09:00:00.000Z' }));
    ledger.record(contosoRequest('tok-b', { requestedAt: '2025-03-01T11:00:00.000Z' }));
    ledger.record(contosoRequest('tok-c', { requestedAt: '2025-03-01T10:00:00.000Z' }));
    ledger.cancel('tok-a', ALICE, T0);
    ledger.confirm('tok-c', BOB, T0, planner('sub-new'));
    expect(ledger.history(CONTOSO_ID).map((e) => [e.token, e.status])).toEqual([
      ['tok-b', 'pending'],
      ['tok-c', 'done'],
      ['tok-a', 'cancelled'],
    ]);
    expect(ledger.history('someone-else')).toEqual([]);
  });

  it('the database keeps decided requests and events as they are', () => {
    const dataDir = tempDir();
    const { ledger } = open(dataDir);
    ledger.record(contosoRequest('tok-1'));
    ledger.cancel('tok-1', ALICE, T0);
    withRawDatabase(dataDir, (db) => {
      expect(() =>
        db.prepare("UPDATE upgrade_ledger SET status = 'pending' WHERE token = 'tok-1'").run(),
      ).toThrow(/already decided/);
      expect(() => db.prepare("DELETE FROM upgrade_ledger WHERE token = 'tok-1'").run()).toThrow(
        /never deleted/,
      );
      expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
      expect(() => db.prepare("UPDATE events SET what = 'x'").run()).toThrow(/append-only/);
    });
  });
});

describe('upgrade ledger: exactly once under concurrency', () => {
  it('20 concurrent confirms of one token over 5 connections to the same file: one done, 19 already', async () => {
    const dataDir = tempDir();
    const stores = Array.from({ length: 5 }, () => open(dataDir));
    stores[0]!.ledger.record(contosoRequest('tok-race'));

    const outcomes = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await sleep(i % 3);
        const store = stores[i % stores.length]!;
        return store.ledger.confirm('tok-race', { id: `clicker-${i}` }, T0, planner(`sub-race-${i}`));
      }),
    );

    const kinds = outcomes.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'done')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'already')).toHaveLength(19);
    const done = outcomes.find((o) => o.kind === 'done')!;
    for (const o of outcomes) {
      expect(entryOf(o)).toMatchObject({
        status: 'done',
        newSubscriptionId: entryOf(done).newSubscriptionId,
      });
    }
    expect(doneRows(dataDir)).toBe(1);
    // Every connection sees the one upgrade.
    for (const store of stores) {
      expect(e3Subscriptions(store.directory.byId(CONTOSO_ID)).map((s) => s.id)).toEqual([
        entryOf(done).newSubscriptionId,
      ]);
    }
    const events = stores[0]!.ledger.events('tok-race').map((e) => e.what);
    expect(events.filter((w) => w === 'done')).toHaveLength(1);
    expect(events.filter((w) => w === 'confirm_ignored')).toHaveLength(19);
  });

  it('20 confirms of one token from 4 processes at once: one done, 19 already', async () => {
    const dataDir = tempDir();
    open(dataDir).ledger.record(contosoRequest('tok-procs'));
    const startFile = join(dataDir, 'go');
    const fixture = join(import.meta.dirname, 'fixtures', 'confirm-worker.ts');
    const workers = Array.from(
      { length: 4 },
      (_, w) =>
        new Promise<string[]>((resolve, reject) => {
          const child = execFile(
            process.execPath,
            ['--import', 'tsx', fixture, dataDir, startFile, 'tok-procs', '5', `proc${w}`],
            { cwd: join(import.meta.dirname, '..', '..') },
            (error, stdout) => {
              if (error) reject(error);
              else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as string[]);
            },
          );
          child.stdout?.once('data', () => ready.push(w));
        }),
    );
    const ready: number[] = [];
    while (ready.length < 4) await sleep(20);
    writeFileSync(startFile, 'go');
    const kinds = (await Promise.all(workers)).flat();

    expect(kinds).toHaveLength(20);
    expect(kinds.filter((k) => k === 'done')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'already')).toHaveLength(19);
    expect(doneRows(dataDir)).toBe(1);
    const store = open(dataDir);
    expect(e3Subscriptions(store.directory.byId(CONTOSO_ID))).toHaveLength(1);
    // The 19 others were turned away by the status check, not by a failure.
    const events = store.ledger.events('tok-procs').map((e) => e.what);
    expect(events.filter((w) => w === 'confirm_ignored')).toHaveLength(19);
    expect(events).not.toContain('failed');
  });
});
