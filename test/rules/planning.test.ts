/** Upgrade planning (docs/rules.md, "Doing the upgrade"): what an upgrade changes, and when it cannot. */
import { describe, expect, it } from 'vitest';
import { applyPlan, planUpgrade, type UpgradePlan, type UserLicense } from '../../src/rules/index.js';
import { customer, sub } from './fixtures.js';

const users: UserLicense[] = [
  { objectId: 'u1', name: 'Megan Bowen', email: 'megan@contoso.com' },
  { objectId: 'u2', name: 'Alex Wilber', email: 'alex@contoso.com', disabledServices: ['sharepoint'] },
  { objectId: 'u3', name: 'Lee Gu', email: 'lee@contoso.com', disabledServices: ['yammer', 'compliance'] },
  { objectId: 'u4', name: 'Nestor Wilke', email: 'nestor@contoso.com' },
];
const source = sub('O365_BUSINESS_ESSENTIALS', { id: 'S', quantity: 4, friendlyName: 'HQ', users });
const c = customer([source]);

function plan(request: Parameters<typeof planUpgrade>[1]): UpgradePlan {
  const result = planUpgrade(c, request, 'NEW');
  if (!result.ok) throw new Error(`expected a plan, got ${result.problem}`);
  return result.plan;
}

describe('upgrade planning', () => {
  it('with licence transfer: users move, custom assignments are lost, the source is cancelled', () => {
    const p = plan({ subscriptionId: 'S', target: 'O365_E3', upgradeType: 'upgrade_with_license_transfer' });
    expect(p.quantity).toBe(4);
    expect(p.additionalServices).toEqual(['office-apps', 'compliance']);
    expect(p.cancelledSource).toMatchObject({ id: 'S', status: 'deleted', users: [] });
    expect(p.newSubscription).toMatchObject({
      id: 'NEW',
      offerId: 'O365_E3',
      quantity: 4,
      status: 'active',
      channel: 'partner',
      friendlyName: 'HQ',
    });
    expect(p.movedUsers.map((u) => u.objectId)).toEqual(['u1', 'u2', 'u3', 'u4']);
    // The custom assignment does not survive: moved users carry no disabledServices.
    expect(p.newSubscription.users!.every((u) => u.disabledServices === undefined)).toBe(true);
    expect(p.affectedAccounts).toEqual([
      {
        objectId: 'u2',
        name: 'Alex Wilber',
        email: 'alex@contoso.com',
        cause: 'custom_assignment_lost',
        services: ['sharepoint'],
      },
      {
        objectId: 'u3',
        name: 'Lee Gu',
        email: 'lee@contoso.com',
        cause: 'custom_assignment_lost',
        services: ['yammer', 'compliance'],
      },
    ]);
  });

  it('a disabled service the target does not have affects nobody', () => {
    const p = plan({
      subscriptionId: 'S',
      target: 'O365_BUSINESS_PREMIUM',
      upgradeType: 'upgrade_with_license_transfer',
    });
    // Business Premium has no compliance: Lee Gu's yammer is still lost, compliance is not named.
    expect(p.affectedAccounts.find((a) => a.objectId === 'u3')?.services).toEqual(['yammer']);
  });

  it('fewer seats than assigned users: the users beyond the seat count are not moved', () => {
    const p = plan({
      subscriptionId: 'S',
      target: 'O365_E1',
      quantity: 2,
      upgradeType: 'upgrade_with_license_transfer',
    });
    expect(p.movedUsers.map((u) => u.objectId)).toEqual(['u1', 'u2']);
    expect(p.affectedAccounts.map((a) => [a.objectId, a.cause])).toEqual([
      ['u2', 'custom_assignment_lost'],
      ['u3', 'beyond_seat_count'],
      ['u4', 'beyond_seat_count'],
    ]);
    expect(p.affectedAccounts.find((a) => a.objectId === 'u4')?.services).toEqual([
      'exchange',
      'sharepoint',
      'onedrive',
      'skype',
      'yammer',
    ]);
  });

  it('more seats than assigned users: everybody moves, the seats are kept', () => {
    const p = plan({
      subscriptionId: 'S',
      target: 'O365_E5',
      quantity: 25,
      upgradeType: 'upgrade_with_license_transfer',
    });
    expect(p.newSubscription.quantity).toBe(25);
    expect(p.movedUsers).toHaveLength(4);
    expect(p.affectedAccounts.map((a) => a.cause)).toEqual([
      'custom_assignment_lost',
      'custom_assignment_lost',
    ]);
  });

  it('upgrade only: no licence moves, every assigned user is affected', () => {
    const p = plan({ subscriptionId: 'S', target: 'O365_E3', upgradeType: 'upgrade_only' });
    expect(p.movedUsers).toEqual([]);
    expect(p.newSubscription.users).toEqual([]);
    expect(p.cancelledSource.status).toBe('deleted');
    expect(p.affectedAccounts.map((a) => [a.objectId, a.cause])).toEqual(
      users.map((u) => [u.objectId, 'licence_not_transferred']),
    );
  });

  it('refuses what the rules refuse, with the verdict', () => {
    const result = planUpgrade(
      c,
      { subscriptionId: 'S', target: 'O365_PROPLUS', upgradeType: 'upgrade_only' },
      'NEW',
    );
    expect(result).toMatchObject({ ok: false, problem: 'not_eligible' });
    if (!result.ok && result.problem === 'not_eligible') {
      expect(result.verdict.reasons.map((r) => r.code)).toEqual(['target_not_available']);
    }
    const tooMany = planUpgrade(
      c,
      { subscriptionId: 'S', target: 'O365_BUSINESS_PREMIUM', quantity: 301, upgradeType: 'upgrade_only' },
      'NEW',
    );
    expect(tooMany).toMatchObject({ ok: false, problem: 'not_eligible' });
    expect(
      planUpgrade(c, { subscriptionId: 'nope', target: 'O365_E3', upgradeType: 'upgrade_only' }, 'NEW'),
    ).toEqual({
      ok: false,
      problem: 'unknown_subscription',
    });
  });

  it('applying a plan cancels the source and adds the new subscription; the upgrade cannot be planned twice', () => {
    const p = plan({ subscriptionId: 'S', target: 'O365_E3', upgradeType: 'upgrade_with_license_transfer' });
    const after = applyPlan(c, p);
    expect(after.subscriptions.map((s) => [s.id, s.offerId, s.status])).toEqual([
      ['S', 'O365_BUSINESS_ESSENTIALS', 'deleted'],
      ['NEW', 'O365_E3', 'active'],
    ]);
    const again = planUpgrade(
      after,
      { subscriptionId: 'S', target: 'O365_E3', upgradeType: 'upgrade_only' },
      'NEW2',
    );
    expect(again.ok).toBe(false);
    if (!again.ok && again.problem === 'not_eligible') {
      expect(again.verdict.reasons.map((r) => r.code)).toEqual([
        'subscription_not_active',
        'target_already_owned',
      ]);
    }
  });
});

describe('the source seats the request was made on', () => {
  const request = {
    subscriptionId: 'S',
    target: 'O365_E3',
    upgradeType: 'upgrade_with_license_transfer',
  } as const;

  it('the same count: planned; another count (licences added meanwhile): refused, nothing would be lost', () => {
    expect(planUpgrade(c, { ...request, previousQuantity: 4 }, 'N').ok).toBe(true);
    expect(planUpgrade(c, { ...request, previousQuantity: 2 }, 'N')).toEqual({
      ok: false,
      problem: 'not_eligible',
      verdict: expect.objectContaining({ reasons: [{ code: 'seat_count_changed', expected: 2, actual: 4 }] }),
    });
  });

  it('a request made before the count was kept is planned as before; a system of record checks it itself', () => {
    expect(planUpgrade(c, request, 'N').ok).toBe(true);
    expect(
      planUpgrade(c, { ...request, previousQuantity: 2 }, 'N', { eligibleInSystemOfRecord: true }).ok,
    ).toBe(true);
  });
});
