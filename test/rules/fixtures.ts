/** Small builders for rule tests: a customer that passes every condition unless told otherwise. */
import type { Customer, OfferId, Subscription } from '../../src/rules/index.js';

export function sub(offerId: OfferId, overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: overrides.id ?? `sub-${offerId.toLowerCase()}`,
    offerId,
    quantity: 10,
    status: 'active',
    channel: 'partner',
    ...overrides,
  };
}

export function customer(subscriptions: Subscription[], overrides: Partial<Customer> = {}): Customer {
  return {
    id: 'cust-1',
    companyProfile: { companyName: 'Contoso Ltd', domain: 'contoso.onmicrosoft.com' },
    delegatedAdmin: [{ service: 'Office 365', status: 'active' }],
    subscriptions,
    ...overrides,
  };
}
