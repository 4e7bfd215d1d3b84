import { describe, expect, it } from 'vitest';
import {
  OFFER_IDS,
  allUpgradeTargets,
  evaluateSubscription,
  evaluateTarget,
  upgradeTargets,
  type OfferId,
} from '../../src/rules/index.js';
import { customer, sub } from './fixtures.js';

/** The upgrade paths of docs/rules.md, India rule applied, written out in full. */
const EXPECTED: Record<OfferId, OfferId[]> = {
  O365_BUSINESS: ['O365_BUSINESS_PREMIUM', 'O365_PROPLUS', 'O365_E3', 'O365_E5'],
  O365_BUSINESS_INDIA: ['O365_BUSINESS_PREMIUM_INDIA', 'O365_PROPLUS', 'O365_E3', 'O365_E5'],
  O365_BUSINESS_PREMIUM: ['O365_E3', 'O365_E5'],
  O365_BUSINESS_ESSENTIALS: ['O365_BUSINESS_PREMIUM', 'O365_E1', 'O365_E3', 'O365_E5'],
  O365_BUSINESS_ESSENTIALS_INDIA: ['O365_BUSINESS_PREMIUM_INDIA', 'O365_E1', 'O365_E3', 'O365_E5'],
  O365_BUSINESS_PREMIUM_INDIA: [],
  O365_PROPLUS: [],
  O365_E1: [],
  O365_E3: [],
  O365_E5: [],
  EXCHANGE_ONLINE_PLAN_1: [],
  SHAREPOINT_ONLINE_PLAN_1: [],
  SKYPE_FOR_BUSINESS_ONLINE_PLAN_2: [],
  POWER_BI_PRO: [],
  CLOUD_PBX: [],
};

const pairs = OFFER_IDS.flatMap((source) => OFFER_IDS.map((target) => ({ source, target })));

describe('upgrade paths', () => {
  it.each(OFFER_IDS.map((source) => ({ source, targets: EXPECTED[source] })))(
    '$source → $targets',
    ({ source, targets }) => {
      expect(upgradeTargets(source)).toEqual(targets);
    },
  );

  it.each(pairs)('$source → $target: eligible exactly when it is a path', ({ source, target }) => {
    // A customer that holds nothing but the source passes every other condition.
    const c = customer([sub(source)]);
    const v = evaluateTarget(c, c.subscriptions[0]!, target);
    const isPath = EXPECTED[source].includes(target);
    expect(v.eligible).toBe(isPath);
    const codes = v.reasons.map((r) => r.code);
    if (EXPECTED[source].length === 0) expect(codes).toEqual(['no_upgrade_path']);
    else if (!isPath) expect(codes).toContain('target_not_available');
  });

  it('India sources are offered Business Premium India, never Business Premium', () => {
    for (const source of ['O365_BUSINESS_INDIA', 'O365_BUSINESS_ESSENTIALS_INDIA'] as const) {
      const c = customer([sub(source)]);
      const sv = evaluateSubscription(c, c.subscriptions[0]!);
      expect(sv.indiaRule).toBe(true);
      expect(sv.eligibleTargets).toContain('O365_BUSINESS_PREMIUM_INDIA');
      expect(sv.eligibleTargets).not.toContain('O365_BUSINESS_PREMIUM');
      const premium = evaluateTarget(c, c.subscriptions[0]!, 'O365_BUSINESS_PREMIUM');
      expect(premium.reasons).toEqual([
        expect.objectContaining({ code: 'target_not_available', indiaRule: true }),
      ]);
    }
  });

  it('the offers no source reaches are never targets', () => {
    expect(allUpgradeTargets()).toEqual([
      'O365_BUSINESS_PREMIUM',
      'O365_BUSINESS_PREMIUM_INDIA',
      'O365_PROPLUS',
      'O365_E1',
      'O365_E3',
      'O365_E5',
    ]);
  });
});
