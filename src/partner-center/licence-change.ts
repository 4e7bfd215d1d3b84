/**
 * Licences added in Partner Center: the subscription's `quantity` PATCHed to the new total, once. The
 * subscription is read live first; the rules judge it as Partner Center holds it now (ours, active, not a
 * trial, within the offer's limits, and still the seat count the confirm card showed: a count changed
 * elsewhere is reported, never overwritten). The PATCH sends the subscription back as it was read, its ETag in
 * `attributes.etag` and `If-Match`, so that a change made between the read and the PATCH is refused by Partner
 * Center rather than overwritten; its MS-RequestId is derived from the ledger's token, as the upgrade's is.
 *
 * A seat count says what happened: on a resumption (the first attempt may have been carried out) the new
 * total means done, without a second PATCH; the count the card showed means nothing happened yet, so the
 * PATCH is made; any other count is a change made elsewhere after which nobody can tell whether ours went
 * through first: the outcome stays unknown, for a person to check.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { UpgradeRefusedError } from '../core/gateway.js';
import type { Execution, LicenceOrder } from '../core/ledger.js';
import { licenceReasons, type Reason, type Subscription } from '../rules/index.js';
import { upgradeRequestId, type PartnerCenterClient } from './client.js';
import { changeError } from './change-errors.js';
import { toSubscription } from './customer-mapping.js';
import { PartnerCenterConflictError, PartnerCenterOutcomeUnknownError } from './errors.js';
import { matchOffer } from './offers.js';
import type { PcEtaggedSubscription } from './schemas.js';

/** After a 202: when to read the subscription again, to see the new total (each wait after the last read). */
const ACCEPTED_POLLS_MS = [500, 1000, 2000] as const;

export interface LicenceChangeDeps {
  readonly client: PartnerCenterClient;
  /**
   * Called once the seats are added, or when Partner Center holds them otherwise (the store follows); neither
   * awaited nor able to fail the change.
   */
  readonly refresh: (customerId: string) => void;
}

export class PartnerCenterLicenceChange {
  constructor(private readonly deps: LicenceChangeDeps) {}

  /**
   * Adds the order's licences. Throws as `UpgradeGateway.execute` does: refused (nothing changed), failed
   * (nothing changed), or anything else: outcome unknown, resumed later with the same key and `attempt` + 1.
   */
  async execute(
    order: LicenceOrder,
    idempotencyKey: string,
    attempt: number,
    signal: AbortSignal,
  ): Promise<Execution> {
    const requestId = upgradeRequestId(idempotencyKey);
    try {
      return await this.addLicences(order, requestId, attempt, signal);
    } catch (error) {
      throw changeError(
        error,
        attempt,
        requestId,
        'whether the seats were added cannot be told, and Partner Center now says',
      );
    }
  }

  private async addLicences(
    order: LicenceOrder,
    requestId: string,
    attempt: number,
    signal: AbortSignal,
  ): Promise<Execution> {
    const { client } = this.deps;
    const live = await client.getSubscription(order.customerId, order.subscriptionId, 'live', signal);
    if (attempt > 1) {
      // The first attempt's PATCH may have gone through: the seat count says whether it did.
      if (live.quantity === order.quantity) return this.done(order);
      if (live.quantity !== order.previousQuantity) {
        throw new PartnerCenterOutcomeUnknownError(
          `the subscription now has ${live.quantity} seats, neither the ${order.previousQuantity} the card showed nor the ${order.quantity} asked for: it was changed elsewhere, and whether this change went through before cannot be told (MS-RequestId ${requestId})`,
          requestId,
        );
      }
    }
    const reasons = licenceReasons(rulesView(live, order), {
      quantity: order.quantity,
      previousQuantity: order.previousQuantity,
    });
    if (reasons.length > 0) {
      // The store follows Partner Center, so that the next card shows the subscription as it is there.
      this.deps.refresh(order.customerId);
      throw new UpgradeRefusedError(reasons, 'Partner Center holds the subscription otherwise now');
    }

    let outcome;
    try {
      outcome = await client.updateSubscriptionQuantity(
        { customerId: order.customerId, subscription: live, quantity: order.quantity },
        requestId,
        signal,
      );
    } catch (error) {
      if (error instanceof PartnerCenterConflictError) return this.conflict(order, attempt, signal, error);
      if (!(error instanceof PartnerCenterOutcomeUnknownError)) throw error;
      // Refused or failed after an attempt that went unanswered: that attempt may have gone through.
      if (await this.applied(order, signal)) return this.done(order);
      throw error;
    }
    switch (outcome.outcome) {
      case 'refused':
        // On a resumption this becomes an unknown outcome (changeError): the first may still be carried out.
        throw new UpgradeRefusedError(
          [],
          `Partner Center refused the seat change (${String(outcome.code ?? outcome.status)}: ${outcome.description})`,
        );
      case 'accepted':
        // Carried out later (202): the seat count shows it once done; until then the outcome is unknown.
        for (const wait of ACCEPTED_POLLS_MS) {
          await sleep(wait, undefined, { signal }).catch(() => {});
          if (await this.applied(order, signal)) return this.done(order);
        }
        throw new PartnerCenterOutcomeUnknownError(
          `Partner Center accepted the seat change for later and does not show it yet (MS-RequestId ${requestId})`,
          requestId,
        );
      case 'changed':
        if (outcome.subscription.quantity !== order.quantity) {
          throw new PartnerCenterOutcomeUnknownError(
            `Partner Center answered the seat change with ${outcome.subscription.quantity} seats, not the ${order.quantity} asked for (MS-RequestId ${requestId})`,
            requestId,
          );
        }
        return this.done(order);
    }
  }

  /**
   * A PATCH whose ETag was stale: the subscription changed since it was read, and this PATCH changed nothing:
   * refused. The seat count read again says how; a change of something else than the seats is said in
   * Partner Center's words (a new card reads the subscription as it is now). On a resumption, the new total
   * is done, as it would be at the next resumption's read.
   */
  private async conflict(
    order: LicenceOrder,
    attempt: number,
    signal: AbortSignal,
    error: PartnerCenterConflictError,
  ): Promise<Execution> {
    const actual = await this.deps.client
      .getSubscription(order.customerId, order.subscriptionId, 'live', signal)
      .then((s) => s.quantity)
      .catch(() => undefined);
    if (attempt > 1 && actual === order.quantity) return this.done(order);
    this.deps.refresh(order.customerId);
    if (actual === undefined) {
      throw new UpgradeRefusedError(
        [],
        `The subscription was changed in Partner Center since it was read, and cannot be read again now (${error.message})`,
      );
    }
    if (actual === order.previousQuantity) {
      throw new UpgradeRefusedError(
        [],
        `The subscription was changed in Partner Center since it was read, though not its seats (${error.message})`,
      );
    }
    const reason: Reason = { code: 'seat_count_changed', expected: order.previousQuantity, actual };
    throw new UpgradeRefusedError([reason], 'changed in Partner Center since it was read');
  }

  /** True when Partner Center shows the new total; false when it does not, or cannot be read now. */
  private async applied(order: LicenceOrder, signal: AbortSignal): Promise<boolean> {
    try {
      const now = await this.deps.client.getSubscription(
        order.customerId,
        order.subscriptionId,
        'live',
        signal,
      );
      return now.quantity === order.quantity;
    } catch {
      return false;
    }
  }

  private done(order: LicenceOrder): Execution {
    this.deps.refresh(order.customerId);
    return { newSubscriptionId: order.subscriptionId, affectedAccounts: [] };
  }
}

/**
 * The live subscription as the rules judge it. Its offer is the catalog's when Partner Center names one, the
 * order's otherwise (an offer id the catalog does not know, as a market's own id may be); one on another
 * catalog offer than the order's is not the subscription the card was made for.
 */
function rulesView(live: PcEtaggedSubscription, order: LicenceOrder): Subscription {
  const match = matchOffer({ id: live.offerId, name: live.offerName });
  if (match.kind === 'catalog' && match.offerId !== order.fromOffer) {
    throw new UpgradeRefusedError(
      [],
      `The subscription is on another offer in Partner Center now (${live.offerName ?? live.offerId})`,
    );
  }
  return toSubscription(live, order.fromOffer);
}
