/** The simulator's own logic, in process (its HTTP side is tested through the client). */
import { describe, expect, it } from 'vitest';
import { simOfferOf } from '../../scripts/partner-center-sim/offers.js';
import { SimState } from '../../scripts/partner-center-sim/state.js';
import { parseUpgradeBody } from '../../scripts/partner-center-sim/upgrade-body.js';
import { loadDemoDirectory } from '../../src/directory/load.js';

const demo = loadDemoDirectory();
const woodgrove = demo.customers.find((c) => c.companyProfile.companyName === 'Woodgrove Bank');
if (woodgrove === undefined) throw new Error('demo data changed');

describe('upgrade body', () => {
  it("accepts the documentation's PascalCase sample with an integer upgrade type", () => {
    expect(
      parseUpgradeBody(JSON.stringify({ TargetOffer: { Id: 'X' }, Quantity: 3, UpgradeType: 1 })),
    ).toEqual({
      ok: true,
      upgrade: { targetOfferId: 'X', quantity: 3, upgradeType: 'upgrade_only' },
    });
  });

  it('accepts the camelCase resource with a named type, licence transfer by default', () => {
    expect(parseUpgradeBody(JSON.stringify({ targetOffer: { id: 'X' } }))).toEqual({
      ok: true,
      upgrade: { targetOfferId: 'X', upgradeType: 'upgrade_with_license_transfer' },
    });
  });

  it.each([
    ['{', /not valid JSON/],
    [JSON.stringify({ targetOffer: { id: 'X' }, upgradeType: 'none' }), /Invalid upgradeType/],
    [JSON.stringify({ targetOffer: { id: 'X' }, upgradeType: 7 }), /Invalid upgradeType/],
    [JSON.stringify({ quantity: 2 }), /Invalid upgrade/],
  ])('refuses %s', (text, problem) => {
    const parsed = parseUpgradeBody(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(problem);
  });
});

describe('simulator state', () => {
  it('pages the customers in directory order', () => {
    const state = new SimState(demo.customers);
    const first = state.customerPage(0, 5);
    const last = state.customerPage(demo.customers.length - 3, 5);
    expect(first.items.map((c) => c['id'])).toEqual(demo.customers.slice(0, 5).map((c) => c.id));
    expect(first.more).toBe(true);
    expect(last.items.map((c) => c['id'])).toEqual(demo.customers.slice(-3).map((c) => c.id));
    expect(last.more).toBe(false);
  });

  it('refuses a target that is not an upgrade path of the source (code 8), and stores the refusal', () => {
    const state = new SimState(demo.customers);
    const e1 = simOfferOf('O365_E1');
    const reply = state.createUpgrade(
      woodgrove.id,
      'sub-woodgrove-business',
      { targetOfferId: e1.id, upgradeType: 'upgrade_with_license_transfer' },
      'AAAAAAAA-0000-4000-8000-000000000001',
    );
    expect(reply).toMatchObject({ status: 200, body: { upgradeErrors: [{ code: 8 }] } });
    expect(state.upgradesApplied).toBe(0);
    expect(state.replay('aaaaaaaa-0000-4000-8000-000000000001')).toEqual(reply);
  });

  it('applies an upgrade once per request id', () => {
    const state = new SimState(demo.customers);
    const e3 = simOfferOf('O365_E3');
    const request = { targetOfferId: e3.id.toLowerCase(), upgradeType: 'upgrade_only' } as const;
    const first = state.createUpgrade(woodgrove.id, 'sub-woodgrove-business', request, 'id-1');
    expect(first.status).toBe(200);
    expect(state.upgradesApplied).toBe(1);
    expect(state.replay('id-1')).toEqual(first);
    // Another request id for the same upgrade is another order: the source is cancelled now, so it is refused.
    const second = state.createUpgrade(woodgrove.id, 'sub-woodgrove-business', request, 'id-2');
    // (not active, and the customer holds the target now)
    expect(second).toMatchObject({ status: 200, body: { upgradeErrors: [{ code: 2 }, { code: 4 }] } });
    expect(state.upgradesApplied).toBe(1);
  });
});
