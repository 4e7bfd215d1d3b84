/**
 * The lease store in SQLite: one row per lease name. Taking a lease is one upsert that only overwrites a row
 * that ran out or is the caller's own, so two connections racing for it cannot both win.
 */
import type Database from 'better-sqlite3';
import type { LeaseStore } from '../core/leases.js';

export class SqliteLeaseStore implements LeaseStore {
  private readonly take: Database.Statement<[string, string, string, string], { holder: string }>;
  private readonly until: Database.Statement<[string], { until: string }>;
  private readonly give: Database.Statement<[string, string]>;

  constructor(db: Database.Database) {
    // Times are ISO strings from toISOString (one fixed format), so they compare as text.
    this.take = db.prepare(
      `INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
         WHERE leases.until < ? OR leases.holder = excluded.holder
       RETURNING holder`,
    );
    this.until = db.prepare('SELECT until FROM leases WHERE name = ?');
    this.give = db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?');
  }

  async acquire(name: string, holder: string, until: Date, now: Date): Promise<boolean> {
    return this.take.get(name, holder, until.toISOString(), now.toISOString()) !== undefined;
  }

  async heldUntil(name: string): Promise<Date | undefined> {
    const row = this.until.get(name);
    return row === undefined ? undefined : new Date(row.until);
  }

  async release(name: string, holder: string): Promise<void> {
    this.give.run(name, holder);
  }
}
