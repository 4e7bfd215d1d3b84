/** The rules of adding licences (src/rules/licences.ts): every reason, the limits, the plan and its result. */
import { describe, expect, it } from 'vitest';
import {
  applyLicencePlan,
  licenceCandidates,
  licenceReasons,
  planLicenceAddition,
  seatTotal,
  type Customer,
  type Subscription,
} from '../../src/rules/index.js';

const premium: Subscription = {
  id: 'sub-premium',
  offerId: 'O365_BUSINESS_PREMIUM',
  quantity: 295,
  status: 'active',
  channel: 'partner',
};
const e3: Subscription = {
  id: 'sub-e3',
  offerId: 'O365_E3',
  quantity: 40,
  status: 'active',
  channel: 'partner',
};
const customer: Customer = {
  id: 'c1',
  companyProfile: { companyName: 'Alpine Ski House', domain: 'alpine.example' },
  delegatedAdmin: [{ service: 'Office 365', status: 'active' }],
  subscriptions: [
    premium,
    e3,
    { ...e3, id: 'sub-gone', status: 'deleted' },
    { ...e3, id: 'sub-ea', channel: 'ea' },
    { ...premium, id: 'sub-trial', isTrial: true },
  ],
};
const codes = (s: Subscription, quantity: number, previousQuantity?: number) =>
  licenceReasons(s, { quantity, ...(previousQuantity === undefined ? {} : { previousQuantity }) }).map(
    (r) => r.code,
  );

describe('adding licences', () => {
  it('more seats on an active subscription of ours, within its limits: no reason', () => {
    expect(codes(premium, 300)).toEqual([]);
    expect(codes(e3, 5000)).toEqual([]);
  });

  it('the Business family stops at 300 seats; every offer starts at 1 and takes whole numbers only', () => {
    expect(licenceReasons(premium, { quantity: 301 })).toEqual([
      {
        code: 'quantity_out_of_range',
        target: 'O365_BUSINESS_PREMIUM',
        quantity: 301,
        minQuantity: 1,
        maxQuantity: 300,
      },
    ]);
    expect(codes(e3, 40.5)).toEqual(['quantity_out_of_range']);
    expect(codes(e3, Number.NaN)).toEqual(['quantity_out_of_range']);
    expect(codes(e3, 0)).toEqual(['quantity_out_of_range', 'seats_not_added']);
  });

  it('no more seats than it has: not an addition (removing licences is not done here)', () => {
    expect(licenceReasons(e3, { quantity: 40 })).toEqual([
      { code: 'seats_not_added', quantity: 40, asked: 40 },
    ]);
    expect(codes(e3, 30)).toEqual(['seats_not_added']);
  });

  it('sold elsewhere, not active, a trial: each said, whatever the seats', () => {
    expect(codes({ ...e3, channel: 'ea' }, 50)).toEqual(['bought_elsewhere']);
    expect(codes({ ...e3, status: 'suspended' }, 50)).toEqual(['subscription_not_active']);
    expect(codes({ ...premium, isTrial: true }, 296)).toEqual(['trial_subscription']);
    expect(codes({ ...e3, channel: 'direct', status: 'deleted', isTrial: true }, 50)).toEqual([
      'bought_elsewhere',
      'subscription_not_active',
      'trial_subscription',
    ]);
  });

  it('the count the card showed is not the count now: a change made elsewhere, said alone', () => {
    expect(licenceReasons(e3, { quantity: 45, previousQuantity: 40 })).toEqual([]);
    expect(licenceReasons({ ...e3, quantity: 44 }, { quantity: 44, previousQuantity: 40 })).toEqual([
      { code: 'seat_count_changed', expected: 40, actual: 44 },
    ]);
  });

  it('plans the addition: the seats before and after, and the customer once applied', () => {
    const planned = planLicenceAddition(customer, { subscriptionId: 'sub-e3', quantity: 48 });
    expect(planned).toEqual({
      ok: true,
      plan: { customerId: 'c1', subscription: e3, previousQuantity: 40, quantity: 48, added: 8 },
    });
    if (!planned.ok) return;
    const after = applyLicencePlan(customer, planned.plan);
    expect(after.subscriptions.map((s) => s.quantity)).toEqual([295, 48, 40, 40, 295]);
    expect(customer.subscriptions[1]!.quantity).toBe(40); // pure: the customer given is not changed
    expect(planLicenceAddition(customer, { subscriptionId: 'nope', quantity: 2 })).toEqual({
      ok: false,
      problem: 'unknown_subscription',
    });
    expect(planLicenceAddition(customer, { subscriptionId: 'sub-premium', quantity: 301 })).toMatchObject({
      ok: false,
      problem: 'not_eligible',
    });
  });

  it('what was asked: seats to add or the new total; the candidates are ours and not ended', () => {
    expect(seatTotal(e3, { add: 8 })).toBe(48);
    expect(seatTotal(e3, { total: 60 })).toBe(60);
    expect(licenceCandidates(customer).map((s) => s.id)).toEqual(['sub-premium', 'sub-e3', 'sub-trial']);
  });
});
