/**
 * A replica's cache and another replica's write: a customer read before a change, whose answer arrives after
 * this replica took that change in, is not kept (it would stay stale until the customer is written again).
 */
import { describe, expect, it } from 'vitest';
import { openPgStore } from '../../src/postgres/store.js';
import { CONTOSO_ID, DEMO } from '../storage/support.js';
import { emptyPostgresDatabase, postgresOnly } from './engines.js';

describe.each(postgresOnly())('the customer cache on $name', () => {
  it('a read that raced a refresh is answered but not cached; the next read sees the change', async () => {
    const database = (await emptyPostgresDatabase())!;
    const a = await openPgStore({ connectionString: database.url, seed: DEMO });
    database.track(a);
    const b = await openPgStore({ connectionString: database.url, seed: DEMO });
    database.track(b);
    // B's read of Contoso runs, then its answer is held until A has renamed Contoso and B has refreshed.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const query = b.pool.query.bind(b.pool) as (...args: unknown[]) => Promise<unknown>;
    let holding = true;
    (b.pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args) => {
      const result = await query(...args);
      if (holding && String(args[0]).startsWith('SELECT id, document, version FROM customers WHERE id')) {
        holding = false;
        await held;
      }
      return result;
    };
    const stale = b.customers.get(CONTOSO_ID);
    const before = (await a.customers.get(CONTOSO_ID))!;
    await a.customers.saveCustomer({
      ...before,
      companyProfile: { ...before.companyProfile, companyName: 'Contoso Renamed' },
    });
    await b.customers.refresh();
    release();
    // The read answers what it read (older than the rename)…
    expect((await stale)?.companyProfile.companyName).toBe('Contoso Ltd');
    // …but did not keep it: the next read is the renamed customer.
    expect((await b.customers.get(CONTOSO_ID))?.companyProfile.companyName).toBe('Contoso Renamed');
  });
});
