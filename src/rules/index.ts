export * from './catalog.js';
export * from './model.js';
export * from './reasons.js';
export * from './eligibility.js';
export * from './fleet.js';
export * from './planning.js';
export * from './other-products.js';
export * from './licences.js';
