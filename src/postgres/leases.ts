/**
 * The lease store in PostgreSQL, shared by every replica: taking a lease is one upsert that only overwrites a
 * row that ran out or is the caller's own, so of two replicas racing for it exactly one wins.
 */
import type { Pool } from 'pg';
import type { LeaseStore } from '../core/leases.js';

export class PgLeaseStore implements LeaseStore {
  constructor(private readonly pool: Pool) {}

  async acquire(name: string, holder: string, until: Date, now: Date): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
         WHERE leases.until < $4 OR leases.holder = excluded.holder
       RETURNING holder`,
      [name, holder, until, now],
    );
    return rowCount === 1;
  }

  async heldUntil(name: string): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ until: Date }>('SELECT until FROM leases WHERE name = $1', [
      name,
    ]);
    return rows[0]?.until;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.pool.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
  }
}
