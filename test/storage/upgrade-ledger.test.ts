import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  LedgerError,
  type Actor,
  type UpgradeOrder,
  type UpgradeRequestRecord,
} from '../../src/core/ledger.js';
import {
  ALICE,
  BOB,
  CONTOSO_ID,
  ESSENTIALS,
  contosoRequest,
  e3Subscriptions,
  open,
  tempDir,
  withRawDatabase,
} from './support.js';
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
} from './ledger-fixtures.js';

function count(dataDir: string, sql: string): number {
  return withRawDatabase(dataDir, (db) => db.prepare<[], number>(sql).pluck().get()!);
}

describe('upgrade ledger: record and get', () => {
  it('records a pending request and reads it back, with its lifetime', async () => {
    const { ledger } = open(tempDir());
    const entry = await record(ledger, 'tok-1');
    expect(entry).toEqual({
      ...contosoRequest('tok-1'),
      status: 'pending',
      expiresAt: EXPIRES.toISOString(),
      attempts: 0,
      affectedAccounts: [],
      reasons: [],
    });
    expect(await ledger.get('tok-1')).toEqual(entry);
    expect(await ledger.get('nope')).toBeUndefined();
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

  it('stores the request time in UTC, whatever offset it was written with', async () => {
    const { ledger } = open(':memory:');
    const entry = await record(ledger, 'tok-1', { requestedAt: '2025-03-01T11:00:00+01:00' });
    expect(entry.requestedAt).toBe('2025-03-01T10:00:00.000Z');
  });

  it('refuses a duplicate token and invalid fields with a LedgerError, recording nothing', async () => {
    const { ledger } = open(':memory:');
    await record(ledger, 'tok-1');
    await expect(record(ledger, 'tok-1', { target: 'O365_E1' })).rejects.toThrow(LedgerError);
    expect((await ledger.get('tok-1'))?.target).toBe('O365_E3');
    expect(ledger.events('tok-1')).toHaveLength(1);
    const invalid: [string, Partial<UpgradeRequestRecord & UpgradeOrder>, RegExp][] = [
      ['tok-2', { quantity: 0 }, /quantity/],
      ['tok-3', { quantity: 1.5 }, /quantity/],
      ['tok-4', { requestedAt: 'yesterday' }, /requestedAt/],
      [' ', {}, /token is empty/],
      ['tok-5', { requestedBy: { id: ' ' } }, /requestedBy has no id/],
    ];
    for (const [token, overrides, message] of invalid) {
      const rejected = record(ledger, token, overrides);
      await expect(rejected).rejects.toThrow(LedgerError);
      await expect(rejected).rejects.toThrow(message);
      expect(await ledger.get(token)).toBeUndefined();
    }
  });

  it('records a request for a customer the directory does not hold (the ledger outlives customers)', async () => {
    const { ledger } = open(':memory:');
    const entry = await record(ledger, 'tok-1', { customerId: 'nobody' });
    expect(entry).toMatchObject({ customerId: 'nobody', status: 'pending' });
    expect(await ledger.history('nobody')).toEqual([entry]);
  });
});

describe('upgrade ledger: claim', () => {
  it('claims a pending request: executing, decided by the claimer, with a lease and one attempt', async () => {
    const { ledger } = open(':memory:');
    await record(ledger, 'tok-1');
    const outcome = await ledger.claim('tok-1', BOB, T0, LEASE);
    expect(outcome).toEqual({
      kind: 'claimed',
      entry: {
        ...contosoRequest('tok-1'),
        status: 'executing',
        expiresAt: EXPIRES.toISOString(),
        decidedBy: BOB,
        leaseUntil: LEASE.toISOString(),
        attempts: 1,
        affectedAccounts: [],
        reasons: [],
      },
    });
    expect(await ledger.get('tok-1')).toEqual(entryOf(outcome));
    expect(ledger.events('tok-1').map((e) => [e.what, e.at, e.actor?.id])).toEqual([
      ['requested', '2025-03-01T10:00:00.000Z', ALICE.id],
      ['claimed', T0.toISOString(), BOB.id],
    ]);
  });

  it('a second claim is `already`, saying who holds it; nothing changes', async () => {
    const { ledger } = open(':memory:');
    const claimed = await executing(ledger, 'tok-1');
    const second = await ledger.claim('tok-1', ALICE, T1, NEXT_LEASE);
    expect(second).toEqual({ kind: 'already', entry: claimed });
    expect(await ledger.get('tok-1')).toEqual(claimed);
    expect(ledger.events('tok-1').at(-1)).toMatchObject({
      what: 'confirm_ignored',
      actor: { id: ALICE.id },
      detail: 'executing',
    });
  });

  it('an unknown token is `unknown`', async () => {
    const { ledger } = open(':memory:');
    expect(await ledger.claim('nope', BOB, T0, LEASE)).toEqual({ kind: 'unknown' });
    expect(await ledger.cancel('nope', BOB, T0)).toEqual({ kind: 'unknown' });
    expect(await ledger.reclaim('nope', LATER, NEXT_LEASE)).toBeUndefined();
  });

  it('a request past its lifetime is recorded as expired at the claim, and stays expired', async () => {
    const { ledger } = open(':memory:');
    await record(ledger, 'tok-1');
    await record(ledger, 'tok-2', { subscriptionId: 'sub-other' });
    // Up to the last millisecond of its lifetime, it can be claimed.
    const justInTime = new Date(EXPIRES.getTime() - 1);
    expect((await ledger.claim('tok-2', BOB, justInTime, LEASE)).kind).toBe('claimed');

    const outcome = await ledger.claim('tok-1', BOB, EXPIRES, NEXT_LEASE);
    expect(outcome).toMatchObject({ kind: 'expired', expiredNow: true });
    const expired = entryOf(outcome);
    expect(expired).toEqual({
      ...contosoRequest('tok-1'),
      status: 'expired',
      expiresAt: EXPIRES.toISOString(),
      decidedAt: EXPIRES.toISOString(),
      attempts: 0,
      affectedAccounts: [],
      reasons: [],
    });
    expect(await ledger.get('tok-1')).toEqual(expired);
    expect(ledger.events('tok-1').at(-1)).toMatchObject({ what: 'expired', actor: { id: BOB.id } });

    const later = new Date(EXPIRES.getTime() + 60_000);
    expect(await ledger.claim('tok-1', ALICE, later, NEXT_LEASE)).toEqual({
      kind: 'expired',
      entry: expired,
      expiredNow: false,
    });
    expect(await ledger.cancel('tok-1', ALICE, later)).toEqual({
      kind: 'expired',
      entry: expired,
      expiredNow: false,
    });
    expect(ledger.events('tok-1').map((e) => [e.what, e.detail])).toEqual([
      ['requested', `${ESSENTIALS} → O365_E3`],
      ['expired', undefined],
      ['confirm_ignored', 'expired'],
      ['cancel_ignored', 'expired'],
    ]);
  });

  it('a cancel past the lifetime expires the request instead', async () => {
    const { ledger } = open(':memory:');
    await record(ledger, 'tok-1');
    const outcome = await ledger.cancel('tok-1', ALICE, EXPIRES);
    expect(outcome.kind).toBe('expired');
    expect(await ledger.get('tok-1')).toMatchObject({ status: 'expired', decidedAt: EXPIRES.toISOString() });
    expect((await ledger.get('tok-1'))?.decidedBy).toBeUndefined();
  });

  it('a second request on a subscription with a change under way is `busy`, and stays pending', async () => {
    const { ledger } = open(':memory:');
    await executing(ledger, 'tok-1');
    const pending = await record(ledger, 'tok-2');
    const busy = await ledger.claim('tok-2', ALICE, T1, NEXT_LEASE);
    expect(busy).toEqual({ kind: 'busy', entry: pending });
    expect(await ledger.get('tok-2')).toEqual(pending);
    expect(ledger.events('tok-2').at(-1)).toMatchObject({ what: 'confirm_ignored', detail: 'busy' });
    // Another subscription is not held up.
    await record(ledger, 'tok-3', { subscriptionId: 'sub-contoso-exchange' });
    expect((await ledger.claim('tok-3', ALICE, T1, NEXT_LEASE)).kind).toBe('claimed');
    // Once the change is over, the second request can be claimed.
    await ledger.fail('tok-1', 'gone wrong', T1);
    expect((await ledger.claim('tok-2', ALICE, T1, NEXT_LEASE)).kind).toBe('claimed');
  });
});

describe('upgrade ledger: outcomes', () => {
  it('complete: executing → done, with the new subscription and the affected accounts; lease dropped', async () => {
    const { ledger } = open(':memory:');
    const claimed = await executing(ledger, 'tok-1');
    const done = await ledger.complete('tok-1', EXECUTION, T1);
    const { leaseUntil: _lease, ...rest } = claimed;
    expect(done).toEqual({
      ...rest,
      status: 'done',
      decidedAt: T1.toISOString(),
      newSubscriptionId: 'sub-new-1',
      affectedAccounts: [ADELE],
    });
    expect(await ledger.get('tok-1')).toEqual(done);
    expect(ledger.events('tok-1').at(-1)).toMatchObject({ what: 'done', detail: 'sub-new-1' });
  });

  it('fail and refuse: executing → failed (with the error) or refused (with the reasons)', async () => {
    const { ledger } = open(':memory:');
    await executing(ledger, 'tok-1');
    const failed = await ledger.fail('tok-1', 'the system of record said no', T1);
    expect(failed).toMatchObject({ status: 'failed', error: 'the system of record said no', attempts: 1 });
    expect(failed.leaseUntil).toBeUndefined();
    expect(failed.newSubscriptionId).toBeUndefined();

    await executing(ledger, 'tok-2');
    const reasons = [{ code: 'subscription_not_active', status: 'suspended' }] as const;
    const refused = await ledger.refuse('tok-2', reasons, T1);
    expect(refused).toMatchObject({
      status: 'refused',
      reasons,
      decidedBy: BOB,
      decidedAt: T1.toISOString(),
    });
    expect(refused.error).toBeUndefined();
    expect(ledger.events('tok-2').at(-1)).toMatchObject({
      what: 'refused',
      detail: 'subscription_not_active',
    });

    await executing(ledger, 'tok-3');
    const missing = await ledger.refuse('tok-3', [], T1, 'customer "x" is not in the directory');
    expect(missing).toMatchObject({
      status: 'refused',
      reasons: [],
      error: 'customer "x" is not in the directory',
    });
  });

  it('complete, fail and refuse only from executing: a LedgerError otherwise, nothing changes', async () => {
    const { ledger } = open(':memory:');
    const pending = await record(ledger, 'tok-1');
    await expect(ledger.complete('tok-1', EXECUTION, T1)).rejects.toThrow(LedgerError);
    await expect(ledger.fail('tok-1', 'x', T1)).rejects.toThrow(/cannot become failed: it is pending/);
    await expect(ledger.refuse('tok-1', [], T1)).rejects.toThrow(LedgerError);
    expect(await ledger.get('tok-1')).toEqual(pending);

    await executing(ledger, 'tok-2');
    const done = await ledger.complete('tok-2', EXECUTION, T1);
    await expect(
      ledger.complete('tok-2', { ...EXECUTION, newSubscriptionId: 'other' }, LATER),
    ).rejects.toThrow(/cannot become done: it is done/);
    await expect(ledger.fail('tok-2', 'x', LATER)).rejects.toThrow(LedgerError);
    await expect(ledger.refuse('tok-2', [], LATER)).rejects.toThrow(LedgerError);
    expect(await ledger.get('tok-2')).toEqual(done);
    await expect(ledger.complete('nope', EXECUTION, T1)).rejects.toThrow(/it is unknown/);
    expect(ledger.events('tok-2').filter((e) => e.what === 'done')).toHaveLength(1);
  });
});

describe('upgrade ledger: cancel', () => {
  it('cancel then claim is `already` (cancelled, by whom, when); a second cancel too', async () => {
    const { ledger } = open(':memory:');
    await record(ledger, 'tok-1');
    const cancelled = await ledger.cancel('tok-1', ALICE, T0);
    expect(cancelled).toEqual({
      kind: 'cancelled',
      entry: {
        ...contosoRequest('tok-1'),
        status: 'cancelled',
        expiresAt: EXPIRES.toISOString(),
        decidedBy: ALICE,
        decidedAt: T0.toISOString(),
        attempts: 0,
        affectedAccounts: [],
        reasons: [],
      },
    });
    const claimed = await ledger.claim('tok-1', BOB, T1, NEXT_LEASE);
    expect(claimed.kind).toBe('already');
    expect(entryOf(claimed)).toMatchObject({
      status: 'cancelled',
      decidedBy: ALICE,
      decidedAt: T0.toISOString(),
    });
    expect((await ledger.cancel('tok-1', BOB, T1)).kind).toBe('already');
    expect(ledger.events('tok-1').map((e) => [e.what, e.actor?.id, e.detail])).toEqual([
      ['requested', ALICE.id, `${ESSENTIALS} → O365_E3`],
      ['cancelled', ALICE.id, undefined],
      ['confirm_ignored', BOB.id, 'cancelled'],
      ['cancel_ignored', BOB.id, 'cancelled'],
    ]);
  });

  it('cancel while executing or after done is `already`, and changes nothing', async () => {
    const { ledger } = open(':memory:');
    const claimed = await executing(ledger, 'tok-1');
    expect(await ledger.cancel('tok-1', ALICE, T1)).toEqual({ kind: 'already', entry: claimed });
    const done = await ledger.complete('tok-1', EXECUTION, T1);
    expect(await ledger.cancel('tok-1', ALICE, LATER)).toEqual({ kind: 'already', entry: done });
  });
});

describe('upgrade ledger: unfinished claims', () => {
  it('reclaim only once the lease ran out: a new lease, one more attempt, a `resumed` event', async () => {
    const { ledger } = open(':memory:');
    await executing(ledger, 'tok-1');
    expect(await ledger.reclaim('tok-1', T1, NEXT_LEASE)).toBeUndefined();
    expect(await ledger.reclaim('tok-1', LEASE, NEXT_LEASE)).toBeUndefined();
    const resumed = await ledger.reclaim('tok-1', LATER, NEXT_LEASE);
    expect(resumed).toMatchObject({
      status: 'executing',
      decidedBy: BOB,
      leaseUntil: NEXT_LEASE.toISOString(),
      attempts: 2,
    });
    expect(await ledger.get('tok-1')).toEqual(resumed);
    // The new lease holds: a second replica does not take it over.
    expect(await ledger.reclaim('tok-1', LATER, new Date('2025-03-01T10:20:00.000Z'))).toBeUndefined();
    expect(ledger.events('tok-1').at(-1)).toEqual({
      token: 'tok-1',
      at: LATER.toISOString(),
      what: 'resumed',
      detail: 'attempt 2',
    });
  });

  it('reclaim leaves pending and final requests alone', async () => {
    const { ledger } = open(':memory:');
    const pending = await record(ledger, 'tok-1');
    await executing(ledger, 'tok-2');
    const done = await ledger.complete('tok-2', EXECUTION, T1);
    expect(await ledger.reclaim('tok-1', LATER, NEXT_LEASE)).toBeUndefined();
    expect(await ledger.reclaim('tok-2', LATER, NEXT_LEASE)).toBeUndefined();
    expect(await ledger.get('tok-1')).toEqual(pending);
    expect(await ledger.get('tok-2')).toEqual(done);
  });

  it('unfinished lists the executing requests whose lease ran out, soonest lease first', async () => {
    const { ledger } = open(':memory:');
    await record(ledger, 'pending');
    await executing(ledger, 'late');
    await record(ledger, 'early', { subscriptionId: 'sub-contoso-exchange' });
    await ledger.claim('early', BOB, T0, T1);
    await record(ledger, 'running', { subscriptionId: 'sub-contoso-other' });
    await ledger.claim('running', BOB, T0, NEXT_LEASE);
    await record(ledger, 'finished', { subscriptionId: 'sub-contoso-finished' });
    await ledger.claim('finished', BOB, T0, T1);
    await ledger.complete('finished', { ...EXECUTION, newSubscriptionId: 'sub-finished' }, T0);

    expect((await ledger.unfinished(LATER)).map((e) => e.token)).toEqual(['early', 'late']);
    expect((await ledger.unfinished(LEASE)).map((e) => e.token)).toEqual(['early']);
    expect(await ledger.unfinished(T0)).toEqual([]);
  });
});

describe('upgrade ledger: history and the database guards', () => {
  it('history lists every request of the customer, newest first', async () => {
    const { ledger } = open(':memory:');
    await record(ledger, 'tok-a', { requestedAt: '2025-03-01T09:00:00.000Z' });
    await record(ledger, 'tok-b', { requestedAt: '2025-03-01T11:00:00.000Z' });
    await record(ledger, 'tok-c', { requestedAt: '2025-03-01T10:00:00.000Z', subscriptionId: 'sub-x' });
    await record(ledger, 'tok-d', { requestedAt: '2025-03-01T10:30:00+01:00' }); // 09:30 UTC
    await ledger.cancel('tok-a', ALICE, T0);
    await ledger.claim('tok-c', BOB, T0, LEASE);
    await ledger.complete('tok-c', EXECUTION, T1);
    expect((await ledger.history(CONTOSO_ID)).map((e) => [e.token, e.status])).toEqual([
      ['tok-b', 'pending'],
      ['tok-c', 'done'],
      ['tok-d', 'pending'],
      ['tok-a', 'cancelled'],
    ]);
    expect(await ledger.history('someone-else')).toEqual([]);
  });

  it('the database keeps final requests as they are, executing ones going forward only, and events', async () => {
    const dataDir = tempDir();
    const { ledger } = open(dataDir);
    await record(ledger, 'cancelled');
    await ledger.cancel('cancelled', ALICE, T0);
    await executing(ledger, 'done');
    await ledger.complete('done', EXECUTION, T1);
    await record(ledger, 'expired', { subscriptionId: 'sub-x' });
    await ledger.claim('expired', ALICE, EXPIRES, NEXT_LEASE);
    await record(ledger, 'executing', { subscriptionId: 'sub-y' });
    await ledger.claim('executing', BOB, T0, LEASE);
    const before = withRawDatabase(dataDir, (db) =>
      db.prepare('SELECT * FROM upgrade_ledger ORDER BY 1').all(),
    );

    withRawDatabase(dataDir, (db) => {
      for (const token of ['cancelled', 'done', 'expired']) {
        expect(() =>
          db
            .prepare("UPDATE upgrade_ledger SET status = 'pending', decided_at = NULL WHERE token = ?")
            .run(token),
        ).toThrow(/already decided/);
        expect(() =>
          db.prepare("UPDATE upgrade_ledger SET error = 'edited' WHERE token = ?").run(token),
        ).toThrow(/already decided/);
      }
      expect(() =>
        db
          .prepare(
            "UPDATE upgrade_ledger SET status = 'pending', lease_until = NULL WHERE token = 'executing'",
          )
          .run(),
      ).toThrow(/already decided/);
      expect(() => db.prepare("DELETE FROM upgrade_ledger WHERE token = 'done'").run()).toThrow(
        /never deleted/,
      );
      expect(() => db.prepare("DELETE FROM upgrade_ledger WHERE token = 'executing'").run()).toThrow(
        /never deleted/,
      );
      // Events are never changed; old ones may be pruned (retention).
      expect(() => db.prepare("UPDATE events SET what = 'x'").run()).toThrow(/append-only/);
    });
    expect(
      withRawDatabase(dataDir, (db) => db.prepare('SELECT * FROM upgrade_ledger ORDER BY 1').all()),
    ).toEqual(before);
  });

  it('keeps the audit trail of a request: who did what, when', async () => {
    const { ledger } = open(':memory:');
    await executing(ledger, 'tok-1');
    await ledger.reclaim('tok-1', LATER, NEXT_LEASE);
    await ledger.complete('tok-1', EXECUTION, LATER);
    await ledger.claim('tok-1', ALICE, LATER, NEXT_LEASE);
    expect(ledger.events('tok-1').map((e) => [e.what, e.at, e.actor?.id, e.detail])).toEqual([
      ['requested', '2025-03-01T10:00:00.000Z', ALICE.id, `${ESSENTIALS} → O365_E3`],
      ['claimed', T0.toISOString(), BOB.id, undefined],
      ['resumed', LATER.toISOString(), undefined, 'attempt 2'],
      ['done', LATER.toISOString(), undefined, 'sub-new-1'],
      ['confirm_ignored', LATER.toISOString(), ALICE.id, 'done'],
    ]);
  });
});

describe('upgrade ledger: exactly once under concurrency', () => {
  it('20 concurrent claims of one token over 5 connections to the same file: one claimed, 19 already', async () => {
    const dataDir = tempDir();
    const stores = Array.from({ length: 5 }, () => open(dataDir));
    await record(stores[0]!.ledger, 'tok-race');

    const outcomes = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await sleep(i % 3);
        const clicker: Actor = { id: `clicker-${i}` };
        return stores[i % stores.length]!.ledger.claim('tok-race', clicker, T0, LEASE);
      }),
    );

    const kinds = outcomes.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'claimed')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'already')).toHaveLength(19);
    const winner = entryOf(outcomes.find((o) => o.kind === 'claimed')!);
    for (const o of outcomes) expect(entryOf(o)).toEqual(winner);
    expect(winner).toMatchObject({ status: 'executing', attempts: 1 });
    const events = stores[0]!.ledger.events('tok-race').map((e) => e.what);
    expect(events.filter((w) => w === 'claimed')).toHaveLength(1);
    expect(events.filter((w) => w === 'confirm_ignored')).toHaveLength(19);
  });

  it('20 confirms of one token from 4 processes at once: one done, 19 already, one upgrade', async () => {
    const dataDir = tempDir();
    // The workers confirm on the system clock: a lifetime well ahead of it.
    await open(dataDir).ledger.record(contosoRequest('tok-procs'), new Date(Date.now() + 3_600_000));
    const startFile = join(dataDir, 'go');
    const fixture = join(import.meta.dirname, 'fixtures', 'confirm-worker.ts');
    const ready: number[] = [];
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
    while (ready.length < 4) await sleep(20);
    writeFileSync(startFile, 'go');
    const kinds = (await Promise.all(workers)).flat();

    expect(kinds).toHaveLength(20);
    expect(kinds.filter((k) => k === 'done')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'already')).toHaveLength(19);
    expect(count(dataDir, "SELECT count(*) FROM upgrade_ledger WHERE status = 'done'")).toBe(1);
    expect(count(dataDir, 'SELECT count(*) FROM executions')).toBe(1);
    const store = open(dataDir);
    const e3 = e3Subscriptions(store.directory.byId(CONTOSO_ID));
    expect(e3.map((s) => s.id)).toEqual([(await store.ledger.get('tok-procs'))?.newSubscriptionId]);
    // The 19 others were turned away by the status check, not by a failure.
    const events = store.ledger.events('tok-procs').map((e) => e.what);
    expect(events.filter((w) => w === 'claimed')).toHaveLength(1);
    expect(events.filter((w) => w === 'confirm_ignored')).toHaveLength(19);
    expect(events).not.toContain('failed');
  });
});

describe('upgrade ledger: retention', () => {
  it('prune deletes what changed nothing before the cutoff, and old events; keeps pending, executing and done', async () => {
    const dataDir = tempDir();
    const { ledger } = open(dataDir);
    await record(ledger, 'cancelled', { subscriptionId: 'sub-a' });
    await ledger.cancel('cancelled', ALICE, T0);
    await executing(ledger, 'done');
    await ledger.complete('done', EXECUTION, T1);
    await record(ledger, 'stale', { subscriptionId: 'sub-b' }); // pending, past its lifetime by the cutoff
    await record(ledger, 'running', { subscriptionId: 'sub-c' });
    await ledger.claim('running', BOB, T0, LEASE);
    const later = new Date(EXPIRES.getTime() + 86_400_000);
    await record(ledger, 'fresh', { subscriptionId: 'sub-d' }, new Date(later.getTime() + 86_400_000));

    const deleted = await ledger.prune(later);
    expect(deleted).toBeGreaterThan(0);
    expect(await ledger.get('cancelled')).toBeUndefined();
    expect(await ledger.get('stale')).toBeUndefined();
    expect((await ledger.get('done'))?.status).toBe('done');
    expect((await ledger.get('running'))?.status).toBe('executing');
    expect((await ledger.get('fresh'))?.status).toBe('pending');
    expect(ledger.events('cancelled')).toEqual([]);
    // The trail of a done request is kept with it.
    expect(ledger.events('done').map((e) => e.what)).toContain('done');
    expect(await ledger.prune(later)).toBe(0);
  });
});
