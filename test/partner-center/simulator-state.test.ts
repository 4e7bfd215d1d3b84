/** The simulator's own logic, in process (its HTTP side is tested through the client). */
import { describe, expect, it } from 'vitest';
import { simOfferOf } from '../../scripts/partner-center-sim/offers.js';
import { SimState } from '../../scripts/partner-center-sim/state.js';
import { patchSubscription } from '../../scripts/partner-center-sim/subscription-patch.js';
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

describe('seat PATCH', () => {
  const lamna = demo.customers.find((c) => c.companyProfile.companyName === 'Société Lamna');
  if (lamna === undefined) throw new Error('demo data changed');
  const id = 'sub-lamna-essentials';
  const patch = { acceptedDelayMs: 0 };
  const read = (state: SimState) => {
    const resource = state.subscriptionResource(lamna.id, id);
    if (resource === undefined) throw new Error('no subscription');
    return { resource, etag: (resource['attributes'] as { etag: string }).etag };
  };
  const body = (resource: Record<string, unknown>, quantity: number) =>
    JSON.stringify({ ...resource, quantity });

  it('changes the seats of the subscription as read, with a new ETag; the same request id again changes nothing', () => {
    const state = new SimState(demo.customers);
    const { resource, etag } = read(state);
    const reply = patchSubscription(state, lamna.id, id, body(resource, 20), `"${etag}"`, 'req-1', patch);
    expect(reply).toMatchObject({ status: 200, body: { id, quantity: 20 } });
    expect(state.quantityChanges).toBe(1);
    const after = read(state);
    expect(after.etag).not.toBe(etag);
    expect(patchSubscription(state, lamna.id, id, body(resource, 20), etag, 'req-1', patch)).toEqual(reply);
    expect(state.quantityChanges).toBe(1);
    // Back to 15 seats and then 20 again: the ETag is never the same twice.
    patchSubscription(state, lamna.id, id, body(after.resource, 15), after.etag, 'req-2', patch);
    const back = read(state);
    patchSubscription(state, lamna.id, id, body(back.resource, 20), back.etag, 'req-3', patch);
    expect(read(state).etag).not.toBe(etag);
    expect(read(state).etag).not.toBe(after.etag);
  });

  it('a stale ETag: 412 for If-Match, 400 code 2055 for the body alone; nothing changes', () => {
    const state = new SimState(demo.customers);
    const { resource, etag } = read(state);
    state.setQuantity(lamna.id, id, 17); // someone else
    expect(patchSubscription(state, lamna.id, id, body(resource, 20), etag, 'a', patch)).toMatchObject({
      status: 412,
      body: { code: 2055, source: 'PartnerFD' },
    });
    expect(patchSubscription(state, lamna.id, id, body(resource, 20), undefined, 'b', patch)).toMatchObject({
      status: 400,
      body: { code: 2055 },
    });
    // The body's ETag counts even when If-Match is current.
    const now = read(state).etag;
    expect(patchSubscription(state, lamna.id, id, body(resource, 20), now, 'c', patch)).toMatchObject({
      status: 400,
      body: { code: 2055 },
    });
    expect(state.quantityChanges).toBe(0);
    expect(state.customer(lamna.id)?.subscriptions.find((s) => s.id === id)?.quantity).toBe(17);
  });

  it.each([
    ['outside the offer’s limits', 'sub-lamna-essentials', 301, 400, 2002],
    ['not a whole number', 'sub-lamna-essentials', 16.5, 400, 2002],
    ['a trial', 'sub-wingtip-trial', 30, 403, 800027],
    ['suspended', 'sub-northwind-essentials', 30, 400, 800091],
  ])('refuses seats on a subscription %s', (_, subscriptionId, quantity, status, code) => {
    const state = new SimState(demo.customers);
    const c = demo.customers.find((x) => x.subscriptions.some((s) => s.id === subscriptionId))!;
    const resource = state.subscriptionResource(c.id, subscriptionId)!;
    const etag = (resource['attributes'] as { etag: string }).etag;
    const reply = patchSubscription(state, c.id, subscriptionId, body(resource, quantity), etag, 'x', patch);
    expect(reply).toMatchObject({ status, body: { code } });
    expect(state.quantityChanges).toBe(0);
  });
});
