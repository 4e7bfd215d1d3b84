/**
 * The customer feed over Partner Center: every customer with its subscriptions, a page at a time (the
 * client follows every page and keeps within the request budget), mapped to the rules' model. A customer
 * whose subscriptions Partner Center refused for good is listed as unreadable; Partner Center's other failures
 * leave as the system-of-record errors.
 */
import type { CustomerFeed, FeedPage } from '../core/customer-feed.js';
import type { Customer } from '../rules/index.js';
import type { Lane } from './budget.js';
import type { PartnerCenterClient } from './client.js';
import { toCustomer } from './customer-mapping.js';
import { PartnerCenterHttpError } from './errors.js';
import { toSystemOfRecordError } from './system-errors.js';

export interface PartnerCenterFeedOptions {
  /** The clock of `syncedAt` (default: the system clock). */
  readonly now?: () => Date;
  /**
   * The budget lane of `customer(id)`: `live` by default, since a user asked for it and waits ("refresh
   * Contoso"); the full listing always takes the bulk lane.
   */
  readonly refreshLane?: Lane;
}

export class PartnerCenterFeed implements CustomerFeed {
  private readonly now: () => Date;
  private readonly refreshLane: Lane;

  constructor(
    private readonly client: Pick<
      PartnerCenterClient,
      'customersWithSubscriptions' | 'getCustomer' | 'listSubscriptions'
    >,
    options: PartnerCenterFeedOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.refreshLane = options.refreshLane ?? 'live';
  }

  async *pages(): AsyncIterable<FeedPage> {
    try {
      for await (const page of this.client.customersWithSubscriptions()) {
        const readAt = this.now();
        const customers: Customer[] = [];
        const unreadable: { customerId: string; reason: string }[] = [];
        for (const entry of page) {
          if ('error' in entry)
            unreadable.push({ customerId: entry.customer.id, reason: entry.error.message });
          else customers.push(toCustomer(entry, readAt));
        }
        yield { customers, unreadable };
      }
    } catch (error) {
      throw toSystemOfRecordError(error);
    }
  }

  async customer(customerId: string): Promise<Customer | undefined> {
    try {
      // At once: the customer and its subscriptions. A 404 on either means it is gone (or went in between).
      const [customer, subscriptions] = await Promise.all([
        this.client.getCustomer(customerId, this.refreshLane),
        this.client.listSubscriptions(customerId, this.refreshLane).catch((error: unknown) => {
          if (error instanceof PartnerCenterHttpError && error.status === 404) return undefined;
          throw error;
        }),
      ]);
      if (customer === undefined || subscriptions === undefined) return undefined;
      return toCustomer({ customer, subscriptions }, this.now());
    } catch (error) {
      throw toSystemOfRecordError(error);
    }
  }
}
