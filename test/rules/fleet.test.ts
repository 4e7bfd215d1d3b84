import { describe, expect, it } from 'vitest';
import { customersEligibleFor } from '../../src/rules/index.js';
import { customer, sub } from './fixtures.js';

describe('customersEligibleFor (the fleet question)', () => {
  const ready = customer([sub('O365_BUSINESS_ESSENTIALS', { id: 'a-1' }), sub('O365_E1', { id: 'a-2' })], {
    id: 'a',
    companyProfile: { companyName: 'Alpine Ski House', domain: 'alpine.example' },
  });
  const trial = customer([sub('O365_BUSINESS_ESSENTIALS', { id: 'b-1', isTrial: true })], {
    id: 'b',
    companyProfile: { companyName: 'Blue Yonder', domain: 'blue.example' },
  });
  const elsewhere = customer([sub('O365_BUSINESS_ESSENTIALS', { id: 'c-1', channel: 'other-partner' })], {
    id: 'c',
    companyProfile: { companyName: 'Coho Winery', domain: 'coho.example' },
  });
  const noPath = customer([sub('O365_E5', { id: 'd-1' })], {
    id: 'd',
    companyProfile: { companyName: 'Datum', domain: 'datum.example' },
  });

  it('lists who can move (first eligible subscription), counts the blocked by reason and those without a path', () => {
    const answer = customersEligibleFor([ready, trial, elsewhere, noPath], 'O365_E3');
    expect(answer.eligible).toEqual([
      { customerId: 'a', companyName: 'Alpine Ski House', subscriptionId: 'a-1', seats: expect.any(Number) },
    ]);
    expect(answer.blockedCount).toBe(2);
    expect(answer.blockedByReason).toEqual({ trial_subscription: 1, bought_elsewhere: 1 });
    expect(answer.noPathCount).toBe(1);
  });

  it('keeps ids, names and seats only: no eligible customer object is held by the answer', () => {
    const answer = customersEligibleFor([ready], 'O365_E3');
    for (const match of answer.eligible) {
      expect(Object.values(match).every((v) => typeof v === 'string' || typeof v === 'number')).toBe(true);
    }
  });

  it('reads the customers once, in one pass (a directory can stream them)', () => {
    let reads = 0;
    function* stream() {
      for (const c of [ready, trial, elsewhere, noPath]) {
        reads++;
        yield c;
      }
    }
    customersEligibleFor(stream(), 'O365_E3');
    expect(reads).toBe(4);
  });
});
