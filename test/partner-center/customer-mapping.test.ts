/**
 * Partner Center customers and subscriptions in the rules' model (pure), from examples shaped like the
 * documented responses (fixtures/).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  subscriptionStatus,
  toCustomer,
  type PcCustomer,
  type PcSubscription,
} from '../../src/partner-center/index.js';
import { SUBSCRIPTION_STATUSES } from '../../src/rules/index.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T;
const AT = new Date('2025-03-01T10:42:00.000Z');

const CONTOSO: PcCustomer = {
  id: '3b1f6c2e-8d47-4a59-9c1e-5f2a7b0d4e61',
  companyProfile: { domain: 'contoso.onmicrosoft.com', companyName: 'Contoso Ltd' },
};

function sub(overrides: Partial<PcSubscription> & { id: string; offerId: string }): PcSubscription {
  return { quantity: 1, status: 'active', ...overrides };
}

describe('toCustomer', () => {
  it('maps the documented example: catalog offers by id, other add-ons and new commerce kept apart', () => {
    const { items } = fixture<{ items: PcSubscription[] }>('subscriptions.json');
    const customer = toCustomer({ customer: CONTOSO, subscriptions: items }, AT);
    expect(customer).toEqual({
      id: CONTOSO.id,
      companyProfile: { companyName: 'Contoso Ltd', domain: 'contoso.onmicrosoft.com' },
      delegatedAdmin: 'unknown',
      subscriptions: [
        {
          id: '6f2d8c41-93a7-4e0b-b5d2-1a8e7c3f9b06',
          offerId: 'O365_BUSINESS_PREMIUM',
          friendlyName: 'Office 365 Business Premium',
          quantity: 25,
          status: 'active',
          channel: 'partner',
          isTrial: false,
        },
        {
          id: 'c84a1e3d-5b7f-4c29-8e60-d3f1a2b9c754',
          offerId: 'O365_E1',
          friendlyName: 'Office 365 Enterprise E1',
          quantity: 10,
          status: 'active',
          channel: 'partner',
          isTrial: false,
        },
        {
          id: 'a3e5c7d9-1f2b-4d6e-8a0c-9b7d5f3e1c24',
          offerId: 'O365_E3',
          friendlyName: 'Office 365 Enterprise E3',
          quantity: 3,
          status: 'suspended',
          channel: 'partner',
          isTrial: false,
        },
      ],
      otherSubscriptions: [
        {
          // Exchange Online Archiving: an add-on the catalog does not know.
          id: '0d9b7f52-e1c4-4a83-96f7-4b2e8d1c6a9f',
          kind: 'unknown',
          offerId: '2828BE95-46BA-4F91-B2FD-0BEF192ECF60',
          offerName: 'Exchange Online Archiving for Exchange Online',
          friendlyName: 'Exchange Online Archiving for Exchange Online',
          quantity: 10,
          status: 'active',
        },
        {
          // Business Basic by name, but a new-commerce id: no verdict of ours.
          id: 'e2b4d6f8-0a1c-4e3b-9d5f-7c9e1a3b5d70',
          kind: 'new-commerce',
          offerId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971',
          offerName: 'Microsoft 365 Business Basic',
          friendlyName: 'Microsoft 365 Business Basic',
          quantity: 5,
          status: 'active',
        },
      ],
      syncedAt: '2025-03-01T10:42:00.000Z',
    });
  });

  it('takes the profile from the first page of the documented customer list', () => {
    const { items } = fixture<{ items: PcCustomer[] }>('customers-page-1.json');
    const customers = items.map((customer) => toCustomer({ customer, subscriptions: [] }, AT));
    expect(customers.map((c) => [c.id, c.companyProfile])).toEqual([
      [
        '3b1f6c2e-8d47-4a59-9c1e-5f2a7b0d4e61',
        { companyName: 'Contoso Ltd', domain: 'contoso.onmicrosoft.com' },
      ],
      [
        '9e4d2a71-0c3b-4f8e-a6d5-27c81b9f0a34',
        { companyName: 'Fabrikam Inc', domain: 'fabrikam.onmicrosoft.com' },
      ],
    ]);
    expect(customers.every((c) => c.subscriptions.length === 0 && c.otherSubscriptions === undefined)).toBe(
      true,
    );
  });

  it('puts a catalog add-on onto its catalog parent, by name when the id is not documented', () => {
    const customer = toCustomer(
      {
        customer: CONTOSO,
        subscriptions: [
          sub({
            id: 'p',
            offerId: '5EAF0000-0000-4000-8000-000000051300',
            offerName: 'Office 365 Business Premium',
            quantity: 20,
          }),
          sub({
            id: 'a1',
            offerId: 'X-1',
            offerName: 'Skype for Business Cloud PBX',
            parentSubscriptionId: 'p',
          }),
          sub({ id: 'a2', offerId: 'X-2', offerName: 'Power BI Pro', parentSubscriptionId: 'p' }),
        ],
      },
      AT,
    );
    expect(customer.subscriptions).toEqual([
      expect.objectContaining({
        id: 'p',
        offerId: 'O365_BUSINESS_PREMIUM',
        addOns: ['CLOUD_PBX', 'POWER_BI_PRO'],
      }),
    ]);
    expect(customer.otherSubscriptions).toBeUndefined();
  });

  it('leaves a catalog add-on that is not live (deleted, expired) off its parent: it blocks nothing', () => {
    const customer = toCustomer(
      {
        customer: CONTOSO,
        subscriptions: [
          sub({ id: 'p', offerId: 'O365_E1', offerName: 'Office 365 Enterprise E1', quantity: 20 }),
          sub({
            id: 'gone',
            offerId: 'X-1',
            offerName: 'Skype for Business Cloud PBX',
            parentSubscriptionId: 'p',
            status: 'deleted',
          }),
          sub({
            id: 'old',
            offerId: 'X-2',
            offerName: 'Power BI Pro',
            parentSubscriptionId: 'p',
            status: 'Expired',
          }),
          sub({
            id: 'live',
            offerId: 'X-3',
            offerName: 'Skype for Business Cloud PBX',
            parentSubscriptionId: 'p',
            status: 'suspended',
          }),
        ],
      },
      AT,
    );
    expect(customer.subscriptions).toEqual([
      expect.objectContaining({ id: 'p', offerId: 'O365_E1', addOns: ['CLOUD_PBX'] }),
    ]);
    expect(customer.otherSubscriptions).toBeUndefined();
  });

  it('never guesses: other products, unknown offers, and catalog add-ons of a parent we do not judge', () => {
    const customer = toCustomer(
      {
        customer: CONTOSO,
        subscriptions: [
          sub({ id: 'm365', offerId: 'M365-E3-ID', offerName: 'Microsoft 365 E3' }),
          sub({ id: 'odd', offerId: 'ODD-ID', offerName: 'Office 365 E3 (Nonprofit Staff Pricing)' }),
          sub({
            id: 'pbx',
            offerId: 'X-1',
            offerName: 'Skype for Business Cloud PBX',
            parentSubscriptionId: 'm365',
          }),
        ],
      },
      AT,
    );
    expect(customer.subscriptions).toEqual([]);
    expect(customer.otherSubscriptions?.map((o) => [o.id, o.kind, o.offerName])).toEqual([
      ['m365', 'other-product', 'Microsoft 365 E3'],
      ['odd', 'unknown', 'Office 365 E3 (Nonprofit Staff Pricing)'],
      ['pbx', 'unknown', 'Skype for Business Cloud PBX'],
    ]);
  });

  it('falls back to the domain, then the id, for a customer without a company name', () => {
    const noName = toCustomer(
      { customer: { id: 'c-9', companyProfile: { domain: 'x.onmicrosoft.com' } }, subscriptions: [] },
      AT,
    );
    expect(noName.companyProfile).toEqual({ companyName: 'x.onmicrosoft.com', domain: 'x.onmicrosoft.com' });
    const bare = toCustomer({ customer: { id: 'c-10' }, subscriptions: [] }, AT);
    expect(bare.companyProfile).toEqual({ companyName: 'c-10', domain: '' });
  });
});

describe('subscriptionStatus', () => {
  it("keeps the statuses the rules know (any case); Partner Center's none and unknown ones are pending", () => {
    for (const status of SUBSCRIPTION_STATUSES) {
      expect(subscriptionStatus(status)).toBe(status);
      expect(subscriptionStatus(status.toUpperCase())).toBe(status);
    }
    expect(subscriptionStatus('none')).toBe('pending');
    expect(subscriptionStatus('transferring')).toBe('pending');
  });
});
