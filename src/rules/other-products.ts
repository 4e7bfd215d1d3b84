/**
 * Microsoft 365 products that are not offers of the catalog. Microsoft 365 E3, Microsoft 365 E5 and
 * Microsoft 365 Business Premium bundle more than Office 365 (Windows, device management…): they are other
 * products, not new names of the catalog's offers (docs/glossary.md, "Offer names"), and none of them is a
 * source or a target of the CSP upgrade paths. Each has an Office 365 offer of the same tier, which the bot
 * names instead.
 *
 * The offers that were only renamed (Business Essentials → Microsoft 365 Business Basic, Business Premium →
 * Microsoft 365 Business Standard, Business → Microsoft 365 Apps for business, ProPlus → Microsoft 365 Apps for
 * enterprise) are the catalog's own offers: their 2020 names are `Offer.name2020` (catalog.ts).
 */
import type { OfferId } from './catalog.js';

export const OTHER_PRODUCT_IDS = ['M365_BUSINESS_PREMIUM', 'M365_E3', 'M365_E5'] as const;
export type OtherProductId = (typeof OTHER_PRODUCT_IDS)[number];

export interface OtherProduct {
  readonly id: OtherProductId;
  /** The product's name, the same in every language. */
  readonly name: string;
  /** The Office 365 offer of the same tier. */
  readonly sameTier: OfferId;
  /**
   * The names of the catalog offer that, written after "Microsoft 365", name this product instead
   * ("Microsoft 365 E3"): the offer's short names of that tier, and "Business", which was the product's name
   * until 2020 ("Microsoft 365 Business").
   */
  readonly tierNames: readonly string[];
}

export const OTHER_PRODUCTS: Readonly<Record<OtherProductId, OtherProduct>> = {
  M365_BUSINESS_PREMIUM: {
    id: 'M365_BUSINESS_PREMIUM',
    name: 'Microsoft 365 Business Premium',
    sameTier: 'O365_BUSINESS_PREMIUM',
    tierNames: ['Business Premium', 'Premium', 'Business'],
  },
  M365_E3: {
    id: 'M365_E3',
    name: 'Microsoft 365 E3',
    sameTier: 'O365_E3',
    tierNames: ['E3', 'Enterprise E3'],
  },
  M365_E5: {
    id: 'M365_E5',
    name: 'Microsoft 365 E5',
    sameTier: 'O365_E5',
    tierNames: ['E5', 'Enterprise E5'],
  },
};

export function isOtherProductId(value: string): value is OtherProductId {
  return (OTHER_PRODUCT_IDS as readonly string[]).includes(value);
}
