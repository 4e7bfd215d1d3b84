/**
 * The live re-check over Partner Center: `GET …/subscriptions/{id}/upgrades` on the live lane (ahead of syncs
 * in the request budget), each Upgrade mapped to the rules' terms. Partner Center's `isEligible` is the verdict.
 */
import type { LiveCheck, LiveVerdict } from '../core/live-check.js';
import { SystemOfRecordRejectedError } from '../core/system-of-record.js';
import { findSubscription, type Customer, type OfferId } from '../rules/index.js';
import type { PartnerCenterClient } from './client.js';
import { PartnerCenterHttpError } from './errors.js';
import { toSystemOfRecordError } from './system-errors.js';
import { liveTarget, targetOfferOf } from './upgrade-findings.js';

/** What `GET …/upgrades` cannot see: the users' service settings and their licences one by one. */
const NOT_CHECKED: LiveVerdict['notChecked'] = ['service-settings', 'per-user-licences'];

/**
 * Partner Center's definite no to the re-check: 403 (the bot's GDAP roles do not cover this customer's
 * subscriptions) or 404 (the subscription or the customer is gone). Both want a person, not a retry.
 */
function rejected(error: unknown): SystemOfRecordRejectedError | undefined {
  if (!(error instanceof PartnerCenterHttpError) || (error.status !== 403 && error.status !== 404)) {
    return undefined;
  }
  const what = error.status === 403 ? 'access denied' : 'not found';
  return new SystemOfRecordRejectedError(
    error.status,
    `Partner Center answered ${error.status}: ${what} (${error.message})`,
    { cause: error },
  );
}

export class PartnerCenterLiveCheck implements LiveCheck {
  constructor(private readonly deps: { readonly client: PartnerCenterClient; readonly now?: () => Date }) {}

  async upgrades(customer: Customer, subscriptionId: string): Promise<LiveVerdict> {
    let upgrades;
    try {
      upgrades = await this.deps.client.getUpgrades(customer.id, subscriptionId, 'live');
    } catch (error) {
      throw rejected(error) ?? toSystemOfRecordError(error);
    }
    const validTargets = upgrades.map(targetOfferOf).filter((t): t is OfferId => t !== undefined);
    const source = findSubscription(customer, subscriptionId);
    return {
      checkedAt: (this.deps.now?.() ?? new Date()).toISOString(),
      targets: upgrades.map((u) => liveTarget(u, { customer, source, validTargets })),
      notChecked: NOT_CHECKED,
    };
  }
}
