/** Partner Center's upgradeErrors in the rules' terms (src/partner-center/upgrade-findings.ts): pure. */
import { describe, expect, it } from 'vitest';
import {
  liveTarget,
  upgradeFindings,
  type FindingContext,
} from '../../src/partner-center/upgrade-findings.js';
import type { PcUpgrade } from '../../src/partner-center/index.js';
import { customer, sub } from '../rules/fixtures.js';

const source = sub('O365_BUSINESS_ESSENTIALS', { id: 'S', addOns: [] });
const powerBi = sub('POWER_BI_PRO', { id: 'PBI', friendlyName: 'Analysts' });
const synced = customer([source, powerBi], { delegatedAdmin: 'unknown' });
const context = (over: Partial<FindingContext> = {}): FindingContext => ({
  customer: synced,
  source,
  target: 'O365_E5',
  validTargets: ['O365_BUSINESS_PREMIUM', 'O365_E1', 'O365_E3', 'O365_E5'],
  ...over,
});

describe('upgradeErrors → findings', () => {
  it('code 1: delegated admin missing for the source offer service', () => {
    expect(upgradeFindings([{ code: 1, description: 'x' }], context())).toEqual([
      { kind: 'reason', reason: { code: 'delegated_admin_missing', service: 'Office 365', status: 'none' } },
    ]);
  });

  it('code 2: the status Partner Center gives, else the synced one, else its own words', () => {
    expect(
      upgradeFindings(
        [{ code: 'subscription_status_not_active', additionalDetails: 'Suspended' }],
        context(),
      ),
    ).toEqual([{ kind: 'reason', reason: { code: 'subscription_not_active', status: 'suspended' } }]);
    const deleted = { ...source, status: 'deleted' as const };
    expect(upgradeFindings([{ code: 2 }], context({ source: deleted }))).toEqual([
      { kind: 'reason', reason: { code: 'subscription_not_active', status: 'deleted' } },
    ]);
    expect(upgradeFindings([{ code: 2, description: 'Not active.' }], context())).toEqual([
      { kind: 'partner-center', code: '2', description: 'Not active.', remedy: 'generic' },
    ]);
  });

  it('code 3: the synced subscription that overlaps is named', () => {
    const [finding] = upgradeFindings([{ code: 3 }], context());
    expect(finding).toMatchObject({
      kind: 'reason',
      reason: {
        code: 'conflicting_services',
        conflicting: { subscriptionId: 'PBI' },
        services: ['power-bi-pro'],
      },
    });
  });

  it('code 3 with no synced overlap: bought from another partner or directly (Multichannel)', () => {
    const alone = customer([source], { delegatedAdmin: 'unknown' });
    expect(upgradeFindings([{ code: 3 }], context({ customer: alone }))).toEqual([
      { kind: 'conflict-elsewhere', target: 'O365_E5' },
    ]);
  });

  it('code 6: the synced add-ons; none synced: its own words', () => {
    const withAddOn = { ...source, addOns: ['POWER_BI_PRO' as const] };
    expect(upgradeFindings([{ code: 6 }], context({ source: withAddOn }))).toEqual([
      { kind: 'reason', reason: { code: 'add_ons_present', addOns: ['POWER_BI_PRO'] } },
    ]);
    expect(upgradeFindings([{ code: 6, description: 'Has add-ons.' }], context())[0]).toMatchObject({
      kind: 'partner-center',
    });
  });

  it('code 7 and 8: no path; target not available among the targets Partner Center lists', () => {
    expect(upgradeFindings([{ code: 7 }], context())).toEqual([
      { kind: 'reason', reason: { code: 'no_upgrade_path', offerId: 'O365_BUSINESS_ESSENTIALS' } },
    ]);
    expect(
      upgradeFindings(
        [{ code: 'subscription_target_offer_not_found' }],
        context({ validTargets: ['O365_E3'] }),
      ),
    ).toEqual([
      {
        kind: 'reason',
        reason: {
          code: 'target_not_available',
          offerId: 'O365_BUSINESS_ESSENTIALS',
          target: 'O365_E5',
          validTargets: ['O365_E3'],
          indiaRule: false,
        },
      },
    ]);
  });

  it.each([
    [0, 'generic'],
    [4, 'retry-later'],
    [5, 'sign-in'],
    [9, 'retry-later'],
    [10, 'generic'],
    [11, 'generic'],
    [42, 'generic'],
    ['user_context_required', 'sign-in'],
    ['something_new', 'generic'],
  ] as const)('code %s: Partner Center says, remedy %s', (code, remedy) => {
    expect(
      upgradeFindings([{ code, description: 'It says so.', additionalDetails: 'More.' }], context()),
    ).toEqual([{ kind: 'partner-center', code: String(code), description: 'It says so. More.', remedy }]);
  });

  it('a code without a description still shows what it is', () => {
    expect(upgradeFindings([{ code: 5 }], context())).toEqual([
      { kind: 'partner-center', code: '5', description: 'user_context_required', remedy: 'sign-in' },
    ]);
  });
});

describe('an Upgrade as a live target', () => {
  const upgrade = (over: Partial<PcUpgrade['targetOffer']>, isEligible = true): PcUpgrade => ({
    targetOffer: { id: '796B6B5F-613C-4E24-A17C-EBA730D49C02', name: 'Office 365 Enterprise E3', ...over },
    isEligible,
    upgradeErrors: isEligible ? [] : [{ code: 5, description: 'Needs a user.' }],
  });

  it('a catalog offer, its seats as Partner Center sends them', () => {
    expect(liveTarget(upgrade({ minimumQuantity: 1, maximumQuantity: 500 }), context())).toEqual({
      target: 'O365_E3',
      targetName: 'Office 365 Enterprise E3',
      eligible: true,
      findings: [],
      seats: { min: 1, max: 500 },
    });
    expect(liveTarget(upgrade({}), context()).seats).toBeUndefined();
  });

  it('an offer the catalog does not know: no target, shown by its name, with its findings', () => {
    const t = liveTarget(upgrade({ id: 'ABC', name: 'Contoso Special Suite' }, false), context());
    expect(t).toMatchObject({ target: undefined, targetName: 'Contoso Special Suite', eligible: false });
    expect(t.findings).toEqual([
      { kind: 'partner-center', code: '5', description: 'Needs a user.', remedy: 'sign-in' },
    ]);
  });
});
