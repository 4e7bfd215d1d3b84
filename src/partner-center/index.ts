/** The Partner Center adapter: client, sign-in, errors, and the offer mapping to the catalog. */
export * from './auth.js';
export * from './budget.js';
export * from './client.js';
export * from './errors.js';
export * from './offers.js';
export type { CallCounters, RetryOptions } from './http.js';
export type {
  PcCustomer,
  PcOffer,
  PcSubscription,
  PcUpgrade,
  PcUpgradeError,
  PcUpgradeResult,
} from './schemas.js';
