/**
 * Which catalog offer (src/rules/catalog.ts) a Partner Center offer is. Pure: no I/O.
 *
 * 1. A new-commerce id (`PRODUCT:SKU:AVAILABILITY`) is new commerce, whatever its name: the CSP upgrade
 *    rules of the catalog are those of traditional licences, so there is no verdict for it.
 * 2. A traditional offer id Microsoft documents (US catalog) is that offer.
 * 3. Otherwise the offer's name, compared exactly (case, spaces and Unicode forms aside): the catalog's
 *    names, the names Microsoft gave the same offers since (Business Basic, Business Standard, Apps for
 *    business, Apps for enterprise; Office 365 E1/E3/E5 without "Enterprise").
 * 4. Microsoft 365 E3, E5 and Business Premium are other products: never an Office 365 plan.
 * 5. Anything else is unknown and shown as it is: never guessed.
 *
 * The seats allowed come from the offer Partner Center sends when it sends them; the catalog's seat table is
 * the fallback.
 */
import { CATALOG, OFFER_IDS, type OfferId } from '../rules/index.js';

export type OfferMatch =
  | {
      readonly kind: 'catalog';
      readonly offerId: OfferId;
      readonly by: 'offer-id' | 'offer-name';
      /** The name Partner Center sent (the catalog's name is CATALOG[offerId].name). */
      readonly name: string;
    }
  | {
      readonly kind: 'new-commerce';
      readonly productId: string;
      readonly skuId: string;
      readonly availabilityId: string;
      readonly name: string;
    }
  | { readonly kind: 'other-product'; readonly offerId: string; readonly name: string }
  | { readonly kind: 'unknown'; readonly offerId: string; readonly name: string };

/** The traditional offer ids Partner Center's documentation gives (US catalog), upper case. */
export const DOCUMENTED_OFFER_IDS: Readonly<Record<string, OfferId>> = {
  '91FD106F-4B2C-4938-95AC-F54F74E9A239': 'O365_E1',
  '796B6B5F-613C-4E24-A17C-EBA730D49C02': 'O365_E3',
  '031C9E47-4802-4248-838E-778FB1D2CC05': 'O365_BUSINESS_PREMIUM',
};

/** Names of other products that look like ours. */
const OTHER_PRODUCTS = ['Microsoft 365 E3', 'Microsoft 365 E5', 'Microsoft 365 Business Premium'];

/** Today's names of catalog offers that the catalog does not carry. */
const CURRENT_NAMES: Partial<Record<OfferId, readonly string[]>> = {
  O365_E1: ['Office 365 E1'],
  O365_E3: ['Office 365 E3'],
  O365_E5: ['Office 365 E5'],
};

const NEW_COMMERCE_ID = /^([A-Z0-9]+):([A-Z0-9]+):([A-Z0-9]+)$/i;

function key(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

const BY_NAME: ReadonlyMap<string, OfferId> = new Map(
  OFFER_IDS.flatMap((id) => {
    const offer = CATALOG[id];
    const names = [
      offer.name,
      ...(offer.name2020 === undefined ? [] : [offer.name2020]),
      ...(CURRENT_NAMES[id] ?? []),
    ];
    return names.map((n) => [key(n), id] as const);
  }),
);
const OTHER = new Set(OTHER_PRODUCTS.map(key));

export function matchOffer(offer: { readonly id: string; readonly name?: string | undefined }): OfferMatch {
  const id = offer.id.trim();
  const name = offer.name ?? '';
  const nce = NEW_COMMERCE_ID.exec(id);
  if (nce !== null) {
    return {
      kind: 'new-commerce',
      productId: nce[1] ?? '',
      skuId: nce[2] ?? '',
      availabilityId: nce[3] ?? '',
      name,
    };
  }
  const documented = DOCUMENTED_OFFER_IDS[id.toUpperCase()];
  if (documented !== undefined) return { kind: 'catalog', offerId: documented, by: 'offer-id', name };
  const k = key(name);
  if (OTHER.has(k)) return { kind: 'other-product', offerId: id, name };
  const byName = BY_NAME.get(k);
  if (byName !== undefined) return { kind: 'catalog', offerId: byName, by: 'offer-name', name };
  return { kind: 'unknown', offerId: id, name };
}

export interface SeatLimits {
  readonly minQuantity: number;
  readonly maxQuantity: number;
  /** Where each limit came from. */
  readonly source: { readonly min: 'offer' | 'catalog'; readonly max: 'offer' | 'catalog' };
}

/** The seats allowed on a catalog offer: Partner Center's offer's minimum and maximum first, ours otherwise. */
export function seatLimits(
  offerId: OfferId,
  offer?: { readonly minimumQuantity?: number | undefined; readonly maximumQuantity?: number | undefined },
): SeatLimits {
  const min = offer?.minimumQuantity;
  const max = offer?.maximumQuantity;
  const validMin = min !== undefined && Number.isInteger(min) && min >= 0;
  const validMax = max !== undefined && Number.isInteger(max) && max >= (validMin ? min : 0);
  return {
    minQuantity: validMin ? min : CATALOG[offerId].minQuantity,
    maxQuantity: validMax ? max : CATALOG[offerId].maxQuantity,
    source: { min: validMin ? 'offer' : 'catalog', max: validMax ? 'offer' : 'catalog' },
  };
}
