/**
 * The customer feed port: every customer of the system of record (Partner Center), read in the rules' model,
 * for the sync to store. Adapters throw `SystemOfRecordUnavailableError` (try later) or
 * `SystemOfRecordAuthError` (the bot's credentials need an administrator) from `./system-of-record.js`, so
 * that the sync and the bot never see an adapter's own errors.
 */
import type { Customer } from '../rules/index.js';

/** A customer the listing named but whose details the system of record refused for good (gone, no access). */
export interface UnreadableCustomer {
  readonly customerId: string;
  /** Why, for the logs (the system of record's own words). */
  readonly reason: string;
}

/** One page of the listing: the customers read, and those listed that could not be read. */
export interface FeedPage {
  readonly customers: readonly Customer[];
  readonly unreadable: readonly UnreadableCustomer[];
}

export interface CustomerFeed {
  /**
   * Every customer, a page at a time, each with `syncedAt` set to when its page was read. The listing is
   * complete only when the iteration ends without error; a customer that could not be read is still listed
   * (in `unreadable`), so that it is not taken for gone.
   */
  pages(): AsyncIterable<FeedPage>;
  /** One customer read now, or undefined when the system of record no longer has it. */
  customer(customerId: string): Promise<Customer | undefined>;
}
