/** The blocking conditions of docs/rules.md, alone and together, and what never blocks. */
import { describe, expect, it } from 'vitest';
import {
  evaluateCustomer,
  evaluateSubscription,
  evaluateTarget,
  type Reason,
} from '../../src/rules/index.js';
import { customer, sub } from './fixtures.js';

const essentials = sub('O365_BUSINESS_ESSENTIALS', { id: 'S' });

function reasonsFor(
  c: ReturnType<typeof customer>,
  target: Parameters<typeof evaluateTarget>[2],
  quantity?: number,
) {
  const s = c.subscriptions.find((x) => x.id === 'S')!;
  return evaluateTarget(c, s, target, quantity === undefined ? {} : { quantity }).reasons;
}

describe('each blocking condition alone', () => {
  const cases: {
    name: string;
    c: ReturnType<typeof customer>;
    target: 'O365_E3' | 'O365_PROPLUS' | 'O365_E5';
    quantity?: number;
    expected: Reason[];
  }[] = [
    {
      name: 'bought_elsewhere',
      c: customer([{ ...essentials, channel: 'other-partner' }]),
      target: 'O365_E3',
      expected: [{ code: 'bought_elsewhere', channel: 'other-partner' }],
    },
    {
      name: 'no_upgrade_path',
      c: customer([sub('O365_E3', { id: 'S' })]),
      target: 'O365_E5',
      expected: [{ code: 'no_upgrade_path', offerId: 'O365_E3' }],
    },
    {
      name: 'subscription_not_active (suspended)',
      c: customer([{ ...essentials, status: 'suspended' }]),
      target: 'O365_E3',
      expected: [{ code: 'subscription_not_active', status: 'suspended' }],
    },
    {
      name: 'subscription_not_active (pending counts as not active)',
      c: customer([{ ...essentials, status: 'pending' }]),
      target: 'O365_E3',
      expected: [{ code: 'subscription_not_active', status: 'pending' }],
    },
    {
      name: 'delegated_admin_missing (expired)',
      c: customer([essentials], { delegatedAdmin: [{ service: 'Office 365', status: 'expired' }] }),
      target: 'O365_E3',
      expected: [{ code: 'delegated_admin_missing', service: 'Office 365', status: 'expired' }],
    },
    {
      name: 'delegated_admin_missing (only another service)',
      c: customer([essentials], { delegatedAdmin: [{ service: 'Exchange Online', status: 'active' }] }),
      target: 'O365_E3',
      expected: [{ code: 'delegated_admin_missing', service: 'Office 365', status: 'none' }],
    },
    {
      name: 'trial_subscription',
      c: customer([{ ...essentials, isTrial: true }]),
      target: 'O365_E3',
      expected: [{ code: 'trial_subscription' }],
    },
    {
      name: 'add_ons_present',
      c: customer([{ ...essentials, addOns: ['CLOUD_PBX'] }]),
      target: 'O365_E3',
      expected: [{ code: 'add_ons_present', addOns: ['CLOUD_PBX'] }],
    },
    {
      name: 'target_not_available',
      c: customer([essentials]),
      target: 'O365_PROPLUS',
      expected: [
        {
          code: 'target_not_available',
          offerId: 'O365_BUSINESS_ESSENTIALS',
          target: 'O365_PROPLUS',
          validTargets: ['O365_BUSINESS_PREMIUM', 'O365_E1', 'O365_E3', 'O365_E5'],
          indiaRule: false,
        },
      ],
    },
    {
      name: 'conflicting_services (bought direct)',
      c: customer([essentials, sub('POWER_BI_PRO', { id: 'P', channel: 'direct' })]),
      target: 'O365_E5',
      expected: [
        {
          code: 'conflicting_services',
          conflicting: { subscriptionId: 'P', offerId: 'POWER_BI_PRO', channel: 'direct', status: 'active' },
          services: ['power-bi-pro'],
        },
      ],
    },
    {
      name: 'target_already_owned (other partner)',
      c: customer([essentials, sub('O365_E3', { id: 'T', channel: 'other-partner', status: 'suspended' })]),
      target: 'O365_E3',
      expected: [
        {
          code: 'target_already_owned',
          existing: {
            subscriptionId: 'T',
            offerId: 'O365_E3',
            channel: 'other-partner',
            status: 'suspended',
          },
        },
      ],
    },
    {
      name: 'quantity_out_of_range (no seats)',
      c: customer([essentials]),
      target: 'O365_E3',
      quantity: 0,
      expected: [
        {
          code: 'quantity_out_of_range',
          target: 'O365_E3',
          quantity: 0,
          minQuantity: 1,
          maxQuantity: 1_000_000,
        },
      ],
    },
  ];

  it.each(cases)('$name', ({ c, target, quantity, expected }) => {
    expect(reasonsFor(c, target, quantity)).toEqual(expected);
  });

  it('quantity_out_of_range: above the Business 300-seat cap', () => {
    const c = customer([{ ...essentials, quantity: 320 }]);
    expect(reasonsFor(c, 'O365_BUSINESS_PREMIUM' as never)).toEqual([
      {
        code: 'quantity_out_of_range',
        target: 'O365_BUSINESS_PREMIUM',
        quantity: 320,
        minQuantity: 1,
        maxQuantity: 300,
      },
    ]);
    expect(reasonsFor(c, 'O365_E3')).toEqual([]);
  });
});

describe('what never blocks', () => {
  it.each(['deleted', 'expired', 'disabled'] as const)(
    'a %s subscription of the target or its services',
    (status) => {
      const c = customer([
        essentials,
        sub('O365_E5', { id: 'old-e5', status }),
        sub('POWER_BI_PRO', { id: 'old-bi', status, channel: 'direct' }),
      ]);
      expect(reasonsFor(c, 'O365_E5')).toEqual([]);
    },
  );

  it('a subscription whose services the source already has (no additional service overlaps)', () => {
    const c = customer([essentials, sub('EXCHANGE_ONLINE_PLAN_1', { id: 'X' })]);
    expect(reasonsFor(c, 'O365_E3')).toEqual([]);
  });

  it('Office 365 privileges cover the suite offers; an approval pending does not', () => {
    const pending = customer([essentials], {
      delegatedAdmin: [{ service: 'Office 365', status: 'approvalPending' }],
    });
    expect(reasonsFor(pending, 'O365_E3').map((r) => r.code)).toEqual(['delegated_admin_missing']);
    const several = customer([essentials], {
      delegatedAdmin: [
        { service: 'Office 365', status: 'terminated' },
        { service: 'Office 365', status: 'active' },
      ],
    });
    expect(reasonsFor(several, 'O365_E3')).toEqual([]);
  });
});

describe('several reasons at once: every failure reported', () => {
  it('all subscription- and target-level conditions together, in a stable order', () => {
    const c = customer(
      [
        { ...essentials, status: 'suspended', isTrial: true, addOns: ['CLOUD_PBX'], channel: 'direct' },
        sub('POWER_BI_PRO', { id: 'P', channel: 'ea' }),
        sub('O365_PROPLUS', { id: 'Q', channel: 'open' }),
        sub('O365_E5', { id: 'T', channel: 'other-partner' }),
      ],
      { delegatedAdmin: [] },
    );
    const reasons = reasonsFor(c, 'O365_E5', 0);
    expect(reasons.map((r) => r.code)).toEqual([
      'bought_elsewhere',
      'subscription_not_active',
      'delegated_admin_missing',
      'trial_subscription',
      'add_ons_present',
      'conflicting_services',
      'conflicting_services',
      'target_already_owned',
      'quantity_out_of_range',
    ]);
    const conflicts = reasons.filter((r) => r.code === 'conflicting_services');
    expect(conflicts).toEqual([
      expect.objectContaining({
        conflicting: expect.objectContaining({ subscriptionId: 'P', channel: 'ea' }),
        services: ['power-bi-pro'],
      }),
      expect.objectContaining({
        conflicting: expect.objectContaining({ subscriptionId: 'Q', channel: 'open' }),
        services: ['office-apps'],
      }),
    ]);
  });

  it('the subscription verdict separates the reasons that block every target', () => {
    const c = customer([
      { ...essentials, isTrial: true },
      sub('POWER_BI_PRO', { id: 'P', channel: 'direct' }),
    ]);
    const sv = evaluateSubscription(c, c.subscriptions[0]!);
    expect(sv.subscriptionReasons.map((r) => r.code)).toEqual(['trial_subscription']);
    expect(sv.upgradable).toBe(false);
    const e5 = sv.targets.find((t) => t.target === 'O365_E5')!;
    expect(e5.reasons.map((r) => r.code)).toEqual(['trial_subscription', 'conflicting_services']);
  });
});

describe('customer summary', () => {
  it('counts paths and reasons', () => {
    const c = customer([
      essentials,
      sub('POWER_BI_PRO', { id: 'P', channel: 'direct' }),
      sub('O365_E1', { id: 'E1', status: 'deleted' }),
    ]);
    const v = evaluateCustomer(c);
    expect(v.summary).toEqual({
      subscriptionCount: 3,
      upgradableCount: 1,
      eligiblePathCount: 3,
      blockedPathCount: 1,
      reasonCounts: {
        conflicting_services: 1,
        bought_elsewhere: 1,
        no_upgrade_path: 2,
        subscription_not_active: 1,
      },
    });
  });
});
