/** What shows that an upgrade went through: a live target subscription created since the request. */
import { describe, expect, it } from 'vitest';
import type { PcSubscription } from '../../src/partner-center/index.js';
import { upgradedSubscription } from '../../src/partner-center/upgrade-evidence.js';

const E3 = '796B6B5F-613C-4E24-A17C-EBA730D49C02'; // Office 365 Enterprise E3's documented offer id
const requestedAt = '2026-05-04T10:00:00.000Z';
const sub = (id: string, over: Partial<PcSubscription> = {}): PcSubscription => ({
  id,
  offerId: E3,
  quantity: 10,
  status: 'active',
  ...over,
});

describe('upgradedSubscription', () => {
  it('a live target created at or after the request, whatever the source is', () => {
    const subs = [
      sub('source', { offerId: 'other', status: 'suspended' }),
      sub('new', { creationDate: '2026-05-04T10:00:03Z' }),
    ];
    expect(upgradedSubscription(subs, { target: 'O365_E3', requestedAt })).toBe('new');
  });

  it('a target Partner Center dated a little before the request counts (clock skew); long before, not', () => {
    expect(
      upgradedSubscription([sub('new', { creationDate: '2026-05-04T09:57:00Z' })], {
        target: 'O365_E3',
        requestedAt,
      }),
    ).toBe('new');
    expect(
      upgradedSubscription([sub('old', { creationDate: '2016-03-14T09:12:44Z' })], {
        target: 'O365_E3',
        requestedAt,
      }),
    ).toBeUndefined();
  });

  it('not a target that is no longer live, an add-on, or another offer', () => {
    const created = { creationDate: '2026-05-04T10:01:00Z' };
    const subs = [
      sub('deleted', { ...created, status: 'deleted' }),
      sub('addon', { ...created, parentSubscriptionId: 'x' }),
      sub('other', { ...created, offerId: 'something-else', offerName: 'Something else' }),
    ];
    expect(upgradedSubscription(subs, { target: 'O365_E3', requestedAt })).toBeUndefined();
  });

  it('without a creation date, or without the request date, a live target subscription counts', () => {
    expect(upgradedSubscription([sub('undated')], { target: 'O365_E3', requestedAt })).toBe('undated');
    expect(
      upgradedSubscription([sub('old', { creationDate: '2016-03-14T09:12:44Z' })], { target: 'O365_E3' }),
    ).toBe('old');
  });
});
