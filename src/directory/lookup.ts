/** Kept for the importers of `CustomerIndex` from its former file; it lives in customer-index.ts. */
export { CustomerIndex } from './customer-index.js';
