/**
 * The customer feed port: every customer of the system of record (Partner Center), read in the rules' model,
 * for the sync to store. Adapters throw `SystemOfRecordUnavailableError` (try later) or
 * `SystemOfRecordAuthError` (the bot's credentials need an administrator) from `./system-of-record.js`, so
 * that the sync and the bot never see an adapter's own errors.
 */
import type { Customer } from '../rules/index.js';

export interface CustomerFeed {
  /**
   * Every customer, a page at a time, each with `syncedAt` set to when its page was read. The listing is
   * complete only when the iteration ends without error.
   */
  pages(): AsyncIterable<readonly Customer[]>;
  /** One customer read now, or undefined when the system of record no longer has it. */
  customer(customerId: string): Promise<Customer | undefined>;
}
