import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHANNELS,
  DELEGATED_ADMIN_STATUSES,
  OFFER_IDS,
  SUBSCRIPTION_STATUSES,
  evaluateCustomer,
  evaluateTarget,
  isLive,
  type Customer,
  type Subscription,
} from '../../src/rules/index.js';

const arbSubscription = (id: string): fc.Arbitrary<Subscription> =>
  fc.record({
    id: fc.constant(id),
    offerId: fc.constantFrom(...OFFER_IDS),
    quantity: fc.integer({ min: 0, max: 400 }),
    status: fc.constantFrom(...SUBSCRIPTION_STATUSES),
    channel: fc.constantFrom(...CHANNELS),
    isTrial: fc.boolean(),
    addOns: fc.array(fc.constantFrom(...OFFER_IDS), { maxLength: 2 }),
  });

const arbCustomer: fc.Arbitrary<Customer> = fc.integer({ min: 1, max: 5 }).chain((n) =>
  fc.record({
    id: fc.constant('c'),
    companyProfile: fc.constant({ companyName: 'Prop Co', domain: 'prop.example' }),
    delegatedAdmin: fc.array(
      fc.record({
        service: fc.constantFrom('Office 365', 'Exchange Online', 'Power BI'),
        status: fc.constantFrom(...DELEGATED_ADMIN_STATUSES),
      }),
      { maxLength: 3 },
    ),
    subscriptions: fc.tuple(...Array.from({ length: n }, (_, i) => arbSubscription(`s${i}`))),
  }),
);

const arbQuestion = arbCustomer.chain((c) =>
  fc.record({
    customer: fc.constant(c),
    index: fc.integer({ min: 0, max: c.subscriptions.length - 1 }),
    target: fc.constantFrom(...OFFER_IDS),
  }),
);

describe('rule invariants (property-based)', () => {
  it('a target is eligible exactly when it has no reasons', () => {
    fc.assert(
      fc.property(arbQuestion, ({ customer, index, target }) => {
        const v = evaluateTarget(customer, customer.subscriptions[index]!, target);
        expect(v.eligible).toBe(v.reasons.length === 0);
      }),
    );
    fc.assert(
      fc.property(arbCustomer, (customer) => {
        for (const sv of evaluateCustomer(customer).subscriptions) {
          for (const t of sv.targets) expect(t.eligible).toBe(t.reasons.length === 0);
          expect(sv.eligibleTargets).toEqual(sv.targets.filter((t) => t.eligible).map((t) => t.target));
        }
      }),
    );
  });

  it('an India source is never offered Office 365 Business Premium', () => {
    fc.assert(
      fc.property(arbCustomer, (customer) => {
        for (const sv of evaluateCustomer(customer).subscriptions) {
          if (sv.subscription.offerId.endsWith('_INDIA')) {
            expect(sv.targets.map((t) => t.target)).not.toContain('O365_BUSINESS_PREMIUM');
          }
        }
      }),
    );
  });

  it('a deleted, expired or disabled subscription never blocks another', () => {
    fc.assert(
      fc.property(arbQuestion, ({ customer, index, target }) => {
        const s = customer.subscriptions[index]!;
        const v = evaluateTarget(customer, s, target);
        for (const r of v.reasons) {
          if (r.code === 'conflicting_services')
            expect(isLive({ ...s, status: r.conflicting.status })).toBe(true);
          if (r.code === 'target_already_owned')
            expect(isLive({ ...s, status: r.existing.status })).toBe(true);
        }
        // Dropping every non-live other subscription changes nothing.
        const pruned = {
          ...customer,
          subscriptions: customer.subscriptions.filter((o) => o.id === s.id || isLive(o)),
        };
        expect(evaluateTarget(pruned, s, target)).toEqual(v);
      }),
    );
  });

  it('evaluation is deterministic and does not change its input', () => {
    fc.assert(
      fc.property(arbCustomer, (customer) => {
        const before = structuredClone(customer);
        const a = evaluateCustomer(customer);
        const b = evaluateCustomer(structuredClone(customer));
        expect(b).toEqual(a);
        expect(customer).toEqual(before);
      }),
    );
  });

  it('the subscription-level reasons are the same for every target', () => {
    fc.assert(
      fc.property(arbCustomer, (customer) => {
        for (const sv of evaluateCustomer(customer).subscriptions) {
          for (const t of sv.targets) {
            for (const r of sv.subscriptionReasons) expect(t.reasons).toContainEqual(r);
          }
        }
      }),
    );
  });
});
