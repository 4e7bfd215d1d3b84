/**
 * Planning an upgrade that the system of record (Partner Center) judges: its "eligible" beats the rules' verdict
 * on the synced copy, its seat limits beat the catalog's table, and the seats asked for are still checked.
 */
import { describe, expect, it } from 'vitest';
import { planUpgrade } from '../../src/rules/index.js';
import { customer, sub } from './fixtures.js';

const source = sub('O365_BUSINESS_ESSENTIALS', { id: 'S', quantity: 10 });
const stale = customer([{ ...source, status: 'suspended' }]);
const request = {
  subscriptionId: 'S',
  target: 'O365_E3',
  upgradeType: 'upgrade_with_license_transfer',
} as const;

describe('planning with the system of record', () => {
  it('the rules alone refuse what the synced copy says is not eligible', () => {
    const result = planUpgrade(stale, request, 'NEW');
    expect(result).toMatchObject({ ok: false, problem: 'not_eligible' });
  });

  it('eligible in the system of record: planned though the synced copy says no', () => {
    const result = planUpgrade(stale, request, 'NEW', { eligibleInSystemOfRecord: true });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.plan.newSubscription).toMatchObject({ id: 'NEW', offerId: 'O365_E3' });
  });

  it('the seats asked for are still checked, against the system of record limits', () => {
    const options = { eligibleInSystemOfRecord: true, seatLimits: { min: 5, max: 12 } };
    const tooMany = planUpgrade(stale, { ...request, quantity: 13 }, 'NEW', options);
    expect(tooMany.ok).toBe(false);
    if (!tooMany.ok && tooMany.problem === 'not_eligible') {
      expect(tooMany.verdict.reasons).toEqual([
        { code: 'quantity_out_of_range', target: 'O365_E3', quantity: 13, minQuantity: 5, maxQuantity: 12 },
      ]);
    }
    expect(planUpgrade(stale, { ...request, quantity: 12 }, 'NEW', options).ok).toBe(true);
    expect(planUpgrade(stale, { ...request, quantity: 4 }, 'NEW', options).ok).toBe(false);
  });

  it('seat limits from the system of record apply without the eligibility override too', () => {
    const fine = customer([source]);
    // The catalog allows any number of E3 seats; Partner Center's offer says at most 8.
    expect(planUpgrade(fine, { ...request, quantity: 9 }, 'NEW').ok).toBe(true);
    expect(planUpgrade(fine, { ...request, quantity: 9 }, 'NEW', { seatLimits: { min: 1, max: 8 } }).ok).toBe(
      false,
    );
  });

  it('an unknown subscription is still unknown', () => {
    const result = planUpgrade(stale, { ...request, subscriptionId: 'X' }, 'NEW', {
      eligibleInSystemOfRecord: true,
    });
    expect(result).toEqual({ ok: false, problem: 'unknown_subscription' });
  });
});
