import { describe, expect, it } from 'vitest';
import { matchOffer, seatLimits, type OfferMatch } from '../../src/partner-center/offers.js';
import { CATALOG, OFFER_IDS, UNLIMITED_SEATS } from '../../src/rules/index.js';

const catalog = (offerId: string, by: 'offer-id' | 'offer-name') => ({ kind: 'catalog', offerId, by });

describe('matchOffer', () => {
  it.each([
    // Documented offer ids win over the name, in any case.
    ['91FD106F-4B2C-4938-95AC-F54F74E9A239', 'Office 365 Enterprise E1', catalog('O365_E1', 'offer-id')],
    ['796b6b5f-613c-4e24-a17c-eba730d49c02', 'anything at all', catalog('O365_E3', 'offer-id')],
    [
      '031C9E47-4802-4248-838E-778FB1D2CC05',
      'Office 365 Business Premium',
      catalog('O365_BUSINESS_PREMIUM', 'offer-id'),
    ],
    // Otherwise the catalog's names…
    ['A1B2C3D4-0000-4000-8000-000000000001', 'Office 365 Enterprise E5', catalog('O365_E5', 'offer-name')],
    ['A1B2C3D4-0000-4000-8000-000000000002', 'Office 365 Business', catalog('O365_BUSINESS', 'offer-name')],
    [
      'A1B2C3D4-0000-4000-8000-000000000003',
      'Office 365 Business Essentials India',
      catalog('O365_BUSINESS_ESSENTIALS_INDIA', 'offer-name'),
    ],
    ['A1B2C3D4-0000-4000-8000-000000000004', 'Office 365 ProPlus', catalog('O365_PROPLUS', 'offer-name')],
    [
      'A1B2C3D4-0000-4000-8000-000000000005',
      'Exchange Online (Plan 1)',
      catalog('EXCHANGE_ONLINE_PLAN_1', 'offer-name'),
    ],
    // … and the names Microsoft gave the same offers since (case and spaces aside).
    [
      'A1B2C3D4-0000-4000-8000-000000000006',
      'Microsoft 365 Business Basic',
      catalog('O365_BUSINESS_ESSENTIALS', 'offer-name'),
    ],
    [
      'A1B2C3D4-0000-4000-8000-000000000007',
      'Microsoft 365 Business Standard',
      catalog('O365_BUSINESS_PREMIUM', 'offer-name'),
    ],
    [
      'A1B2C3D4-0000-4000-8000-000000000008',
      'Microsoft 365 Apps for business',
      catalog('O365_BUSINESS', 'offer-name'),
    ],
    [
      'A1B2C3D4-0000-4000-8000-000000000009',
      '  microsoft 365   APPS for Enterprise ',
      catalog('O365_PROPLUS', 'offer-name'),
    ],
    ['A1B2C3D4-0000-4000-8000-00000000000A', 'Office 365 E3', catalog('O365_E3', 'offer-name')],
  ])('%s "%s" is %j', (id, name, expected) => {
    expect(matchOffer({ id, name })).toMatchObject(expected);
  });

  it.each([
    'Microsoft 365 E3',
    'Microsoft 365 E5',
    'Microsoft 365 Business Premium',
    'MICROSOFT 365 BUSINESS PREMIUM',
  ])('"%s" is another product, never an Office 365 plan', (name) => {
    const match = matchOffer({ id: 'B0000000-0000-4000-8000-000000000001', name });
    expect(match.kind).toBe('other-product');
    expect(match).not.toHaveProperty('offerId', expect.stringMatching(/^O365_/));
  });

  it('a new-commerce id is new commerce with no verdict, even under a catalog name', () => {
    const match = matchOffer({ id: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971', name: 'Microsoft 365 Business Basic' });
    expect(match).toEqual<OfferMatch>({
      kind: 'new-commerce',
      productId: 'CFQ7TTC0LH18',
      skuId: '0001',
      availabilityId: 'CFQ7TTC0K971',
      name: 'Microsoft 365 Business Basic',
    });
  });

  it.each([
    ['2828BE95-46BA-4F91-B2FD-0BEF192ECF60', 'Exchange Online Archiving for Exchange Online'],
    ['C0000000-0000-4000-8000-000000000001', 'Office 365 Enterprise E4'],
    ['C0000000-0000-4000-8000-000000000002', 'Office 365 E3 (no Teams)'],
    ['C0000000-0000-4000-8000-000000000003', 'Business Premium'],
    ['C0000000-0000-4000-8000-000000000004', 'Office 365 Busines Premium'],
    ['C0000000-0000-4000-8000-000000000005', ''],
  ])('%s "%s" is unknown and kept as it is', (id, name) => {
    expect(matchOffer({ id, name })).toEqual({ kind: 'unknown', offerId: id, name });
  });

  it('every catalog offer is found by its catalog name and, where renamed, by its new name', () => {
    for (const id of OFFER_IDS) {
      const offer = CATALOG[id];
      for (const name of [offer.name, ...(offer.name2020 === undefined ? [] : [offer.name2020])]) {
        expect(matchOffer({ id: 'D0000000-0000-4000-8000-000000000000', name }), name).toMatchObject({
          kind: 'catalog',
          offerId: id,
        });
      }
    }
  });
});

describe('seatLimits', () => {
  it("takes the offer's minimum and maximum over the catalog's seat table", () => {
    expect(seatLimits('O365_BUSINESS_PREMIUM', { minimumQuantity: 5, maximumQuantity: 250 })).toEqual({
      minQuantity: 5,
      maxQuantity: 250,
      source: { min: 'offer', max: 'offer' },
    });
    expect(seatLimits('O365_E3', { minimumQuantity: 1, maximumQuantity: 10_000_000 }).maxQuantity).toBe(
      10_000_000,
    );
  });

  it("falls back to the catalog's for what the offer does not say (or says wrongly)", () => {
    expect(seatLimits('O365_BUSINESS_PREMIUM')).toEqual({
      minQuantity: 1,
      maxQuantity: 300,
      source: { min: 'catalog', max: 'catalog' },
    });
    expect(seatLimits('O365_BUSINESS', { maximumQuantity: 100 })).toMatchObject({
      minQuantity: 1,
      maxQuantity: 100,
      source: { min: 'catalog', max: 'offer' },
    });
    expect(seatLimits('O365_E5', { minimumQuantity: 10, maximumQuantity: 3 })).toMatchObject({
      minQuantity: 10,
      maxQuantity: UNLIMITED_SEATS,
      source: { min: 'offer', max: 'catalog' },
    });
  });
});
