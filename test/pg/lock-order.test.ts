/**
 * A sync writing a customer while an upgrade of that customer runs: both take the customer's row, then the
 * directory revision, in that order, so the sync waits for the upgrade instead of deadlocking with it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openPgStore } from '../../src/postgres/store.js';
import { CONTOSO_ID, DEMO } from '../storage/support.js';
import { emptyPostgresDatabase, postgresOnly } from './engines.js';

describe.each(postgresOnly())('lock order on $name', () => {
  it('saveCustomer during an upgrade of the same customer waits, and both commit', async () => {
    const database = (await emptyPostgresDatabase())!;
    const store = await openPgStore({ connectionString: database.url, seed: DEMO });
    database.track(store);
    const contoso = (await store.customers.get(CONTOSO_ID))!;
    // What the gateway does: the customer's row first…
    const upgrade = await store.pool.connect();
    try {
      await upgrade.query('BEGIN');
      await upgrade.query('SELECT document FROM customers WHERE id = $1 FOR UPDATE', [CONTOSO_ID]);
      // …meanwhile a sync writes the same customer…
      let saved = false;
      const sync = store.customers
        .saveCustomer({
          ...contoso,
          companyProfile: { ...contoso.companyProfile, companyName: 'Contoso Sync' },
        })
        .then(() => (saved = true));
      // …which must wait for the row (not take the revision first); give it time to queue.
      for (let i = 0; i < 50; i++) {
        const { rowCount } = await store.pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if ((rowCount ?? 0) > 0) break;
        await sleep(20);
      }
      expect(saved).toBe(false);
      // …then the gateway takes the revision (a deadlock with the old order: PostgreSQL would abort one).
      await upgrade.query('UPDATE directory_revision SET revision = revision + 1');
      await upgrade.query('COMMIT');
      await sync;
      expect(saved).toBe(true);
    } finally {
      upgrade.release();
    }
    expect((await store.customers.get(CONTOSO_ID))?.companyProfile.companyName).toBe('Contoso Sync');
  });
});
