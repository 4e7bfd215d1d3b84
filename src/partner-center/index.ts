/**
 * The Partner Center adapter: client, sign-in, errors, the offer mapping to the catalog, and the customer feed
 * the sync reads.
 */
export * from './auth.js';
export * from './budget.js';
export * from './client.js';
export * from './customer-mapping.js';
export * from './errors.js';
export * from './feed.js';
export * from './offers.js';
export * from './system-errors.js';
export type { CallCounters, RetryOptions } from './http.js';
export type {
  PcCustomer,
  PcEtaggedSubscription,
  PcOffer,
  PcSubscription,
  PcUpgrade,
  PcUpgradeError,
  PcUpgradeResult,
} from './schemas.js';
