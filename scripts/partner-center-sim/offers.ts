/**
 * The simulator's offer catalog: one Partner Center offer per catalog offer. The ids Microsoft documents (US
 * catalog: Enterprise E1, Enterprise E3, Business Premium) are used as they are; the others are ids made up
 * for the simulator (Microsoft documents none), so a client can only recognise those offers by name, as it
 * would have to with a real market's ids. Names are today's where Microsoft renamed the offer (Business
 * Essentials is "Microsoft 365 Business Basic", …), the catalog's otherwise.
 */
import { CATALOG, OFFER_IDS, type OfferId } from '../../src/rules/index.js';

export interface SimOffer {
  readonly id: string;
  readonly catalogId: OfferId;
  readonly name: string;
  readonly minimumQuantity: number;
  readonly maximumQuantity: number;
  readonly country: string;
}

const DOCUMENTED: Partial<Record<OfferId, string>> = {
  O365_E1: '91FD106F-4B2C-4938-95AC-F54F74E9A239',
  O365_E3: '796B6B5F-613C-4E24-A17C-EBA730D49C02',
  O365_BUSINESS_PREMIUM: '031C9E47-4802-4248-838E-778FB1D2CC05',
};

/** A made-up, stable, uppercase GUID per offer: the offer's index in the last digits. */
function madeUpId(index: number): string {
  return `5EAF0000-0000-4000-8000-${(0x51300 + index).toString(16).toUpperCase().padStart(12, '0')}`;
}

export const SIM_OFFERS: readonly SimOffer[] = OFFER_IDS.map((catalogId, index) => {
  const offer = CATALOG[catalogId];
  return {
    id: DOCUMENTED[catalogId] ?? madeUpId(index),
    catalogId,
    name: offer.name2020 ?? offer.name,
    minimumQuantity: offer.minQuantity,
    // "No practical maximum": the number Partner Center's own examples show.
    maximumQuantity: offer.maxQuantity >= 1_000_000 ? 10_000_000 : offer.maxQuantity,
    country: offer.india ? 'IN' : 'US',
  };
});

const BY_CATALOG = new Map(SIM_OFFERS.map((o) => [o.catalogId, o]));
const BY_ID = new Map(SIM_OFFERS.map((o) => [o.id.toLowerCase(), o]));

export function simOfferOf(catalogId: OfferId): SimOffer {
  const offer = BY_CATALOG.get(catalogId);
  if (offer === undefined) throw new Error(`no simulator offer for ${catalogId}`);
  return offer;
}

/** Offer ids compare case-insensitively. */
export function simOfferById(id: string): SimOffer | undefined {
  return BY_ID.get(id.toLowerCase());
}

/** The Offer resource as Partner Center returns it in an Upgrade's `targetOffer`. */
export function offerResource(offer: SimOffer): Record<string, unknown> {
  return {
    id: offer.id,
    name: offer.name,
    description: `${offer.name} (Partner Center simulator)`,
    minimumQuantity: offer.minimumQuantity,
    maximumQuantity: offer.maximumQuantity,
    rank: 0,
    uri: `/offers/${offer.id}?country=${offer.country}`,
    locale: 'en-us',
    country: offer.country,
    category: { id: 'Business', name: 'Business', attributes: { objectType: 'OfferCategory' } },
    prerequisiteOffers: [],
    isAddOn: false,
    isAvailableForPurchase: true,
    billing: 'license',
    isAutoRenewable: true,
    isInternal: false,
    conversionTargetOffers: [],
    partnerQualifications: ['none'],
    product: { id: offer.id.toLowerCase(), name: offer.name, unit: 'Licenses' },
    unitType: 'Licenses',
    links: { self: { uri: `/offers/${offer.id}?country=${offer.country}`, method: 'GET', headers: [] } },
    attributes: { objectType: 'Offer' },
  };
}
