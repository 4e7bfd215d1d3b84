/** PostgreSQL faults: a connection lost under the gateway leaves no half-done upgrade, and the pool recovers. */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { UpgradeFailedError, UpgradeRefusedError } from '../../src/core/gateway.js';
import { openPgStore } from '../../src/postgres/store.js';
import { CONTOSO_ID, DEMO, contosoRequest } from '../storage/support.js';
import { emptyPostgresDatabase, postgresOnly } from './engines.js';

describe.each(postgresOnly())('gateway faults on $name', () => {
  it('a connection killed while the gateway waits: the error is passed on (outcome unknown), nothing changed', async () => {
    const database = (await emptyPostgresDatabase())!;
    const store = await openPgStore({ connectionString: database.url, seed: DEMO });
    database.track(store);
    // Another transaction holds Contoso's row: the gateway waits for it.
    const holder = await store.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM customers WHERE id = $1 FOR UPDATE', [CONTOSO_ID]);
      const { requestedAt: _a, requestedBy: _b, token: _t, place: _p, ...order } = contosoRequest('x');
      const execution = store.gateway.execute(order, 'key-1').catch((error: unknown) => error);
      let killed = 0;
      for (let i = 0; i < 100 && killed === 0; i++) {
        await sleep(20);
        const { rowCount } = await store.pool.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        killed = rowCount ?? 0;
      }
      expect(killed).toBe(1);
      const error = await execution;
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(UpgradeFailedError);
      expect(error).not.toBeInstanceOf(UpgradeRefusedError);
      await holder.query('ROLLBACK');
    } finally {
      holder.release();
    }
    const { rows } = await store.pool.query<{ n: string }>('SELECT count(*) AS n FROM executions');
    expect(rows[0]!.n).toBe('0');
    // The pool replaced the killed connection: the same key runs again and upgrades once.
    const done = await store.gateway.execute(
      (({ requestedAt: _a, requestedBy: _b, token: _t, place: _p, ...order }) => order)(contosoRequest('x')),
      'key-1',
    );
    expect(done.newSubscriptionId).toBeTruthy();
  });
});
