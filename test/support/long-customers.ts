/**
 * Customers with many subscriptions, for the tests of long answers (issue 16): each answer must stay within
 * Teams' message size. Two shapes per size: `mixed`, the generator's subscriptions (every offer, status and
 * channel, friendly names, add-ons; most overlap one another), and `open`, Business Essentials subscriptions
 * only, all of them upgradable to every target (the most detail an answer can have).
 */
import type { Customer, Subscription } from '../../src/rules/index.js';
import { generateCustomers } from './generate-customers.js';

export const LONG_SIZES = [5, 15, 60, 100] as const;
export type LongSize = (typeof LONG_SIZES)[number];

const MIXED_NAMES: Record<LongSize, string> = {
  5: 'Alpenglow Textiles',
  15: 'Brightwater Logistics',
  60: 'Cobalt Ridge Foods',
  100: 'Driftwood Analytics',
};
const OPEN_NAMES: Record<LongSize, string> = {
  5: 'Emberline Studios',
  15: 'Foxglove Pharmacies',
  60: 'Granite Harbor Shipping',
  100: 'Hollowbrook Orchards',
};

function uuid(prefix: number, n: number): string {
  return `${prefix.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

const pool: readonly Subscription[] = generateCustomers(400, 16).flatMap((c) => c.subscriptions);

function customer(serial: number, name: string, subscriptions: Subscription[]): Customer {
  return {
    id: uuid(0x16000000 + serial, serial),
    companyProfile: { companyName: name, domain: `${name.toLowerCase().replace(/\W+/g, '')}.example` },
    delegatedAdmin: [{ service: 'Office 365', status: 'active' }],
    subscriptions,
  };
}

/** The mixed customer with `size` subscriptions. */
export function mixedCustomer(size: LongSize): Customer {
  return customer(
    size,
    MIXED_NAMES[size],
    pool.slice(size * 3, size * 4).map((s, i) => ({ ...s, id: uuid(0x5b000000 + size, i) })),
  );
}

/** The customer with `size` Business Essentials subscriptions, every one upgradable. */
export function openCustomer(size: LongSize): Customer {
  return customer(
    1000 + size,
    OPEN_NAMES[size],
    Array.from({ length: size }, (_, i) => ({
      id: uuid(0x0e000000 + size, i),
      offerId: 'O365_BUSINESS_ESSENTIALS',
      friendlyName: `Essentials for office ${i + 1}`,
      quantity: 10 + i,
      status: 'active',
      channel: 'partner',
    })),
  );
}

export function longCustomers(): Customer[] {
  return LONG_SIZES.flatMap((size) => [mixedCustomer(size), openCustomer(size)]);
}
