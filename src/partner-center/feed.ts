/**
 * STAND-IN (branch pc-wire): the real feed (Partner Center's customers and subscriptions mapped to the model)
 * comes from the sync helper's branch at merge.
 */
import type { CustomerFeed } from '../core/customer-feed.js';
import type { Customer } from '../rules/index.js';
import type { PartnerCenterClient } from './client.js';

export class PartnerCenterFeed implements CustomerFeed {
  constructor(private readonly client: PartnerCenterClient) {}

  // eslint-disable-next-line require-yield
  async *pages(): AsyncIterable<readonly Customer[]> {
    void this.client;
    throw new Error('PartnerCenterFeed is a stand-in on this branch');
  }

  customer(): Promise<Customer | undefined> {
    return Promise.reject(new Error('PartnerCenterFeed is a stand-in on this branch'));
  }
}
