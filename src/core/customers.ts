/**
 * The customer repository port: where the bot reads customers from (the embedded SQLite store, PostgreSQL, a
 * store synced from Partner Center). Asynchronous, because every backend but the embedded one is remote.
 */
import type { CustomerName } from '../directory/lookup-types.js';
import type { Customer } from '../rules/index.js';

export interface DirectoryInfo {
  readonly partnerName: string;
}

/** A customer added, renamed or removed, by this process, another replica or a sync. */
export type CustomerChange =
  | { readonly kind: 'upserted'; readonly customer: CustomerName }
  | { readonly kind: 'removed'; readonly customerId: string };

export interface CustomerRepository {
  readonly info: DirectoryInfo;
  get(customerId: string): Promise<Customer | undefined>;
  /** Every customer, a page at a time (fleet questions): memory holds one page, not the directory. */
  pages(): AsyncIterable<readonly Customer[]>;
  /** Every customer's id, name and domain (what the name index holds). */
  names(): Promise<readonly CustomerName[]>;
  count(): Promise<number>;
  /** Called for each change, whoever made it; returns the function that stops the calls. */
  onChanged(listener: (change: CustomerChange) => void): () => void;
}
