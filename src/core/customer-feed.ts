/**
 * STAND-IN (branch pc-wire): the real port comes from the sync helper's branch at merge.
 *
 * Where a sync reads customers from: the system of record, a page at a time, or one customer now.
 */
import type { Customer } from '../rules/index.js';

export interface CustomerFeed {
  pages(): AsyncIterable<readonly Customer[]>;
  customer(id: string): Promise<Customer | undefined>;
}
