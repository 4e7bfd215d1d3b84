/**
 * The upgrade gateway over Partner Center: the change is carried out there, once. Licences added go to
 * licence-change.ts (the subscription's seats PATCHed, guarded by its ETag); the rest of this file is the
 * upgrade. Partner Center judges eligibility itself: the chosen Upgrade is read again just before the POST,
 * and posted back as it came, with the seats and the upgrade type set. The ledger's token gives the POST's
 * MS-RequestId (the client derives it), so a retry, or a resumption after a crash, cannot upgrade twice.
 * Whenever the first POST may have gone through (a resumption, or a refusal or failure after an unanswered
 * attempt), the customer's subscriptions are read before anything is recorded: refused or failed is said only
 * when nothing was carried out.
 */
import type { CustomerRepository } from '../core/customers.js';
import { UpgradeRefusedError, type UpgradeGateway } from '../core/gateway.js';
import type { LiveFinding } from '../core/live-check.js';
import {
  isLicenceOrder,
  type ChangeOrder,
  type Execution,
  type UpgradeOrder,
  type UpgradeRequestRecord,
} from '../core/ledger.js';
import type { AffectedAccount, Customer, OfferId, Reason, Subscription } from '../rules/index.js';
import { upgradeRequestId, type PartnerCenterClient } from './client.js';
import { PartnerCenterHttpError, PartnerCenterOutcomeUnknownError } from './errors.js';
import { changeError } from './change-errors.js';
import { PartnerCenterLicenceChange } from './licence-change.js';
import type { PcUpgradeError, PcUpgradeResult } from './schemas.js';
import { upgradedSubscription } from './upgrade-evidence.js';
import { targetOfferOf, upgradeFindings } from './upgrade-findings.js';

/** The order as the ledger passes it: its entry, with the date of the request (see upgrade-evidence.ts). */
type LedgerOrder = UpgradeOrder & Partial<Pick<UpgradeRequestRecord, 'requestedAt'>>;

/** Default of `deadlineMs`: half the ledger's default lease (120 s). */
const DEFAULT_DEADLINE_MS = 60_000;

export interface PartnerCenterGatewayDeps {
  readonly client: PartnerCenterClient;
  /**
   * Called once Partner Center has carried an upgrade out (the composition root passes the sync's refresh, so
   * that the store follows). Not awaited: it is a Partner Center round trip the outcome need not wait for. Its
   * failure never fails the upgrade: it is the caller's to log.
   */
  readonly afterUpgrade?: (customerId: string) => Promise<void>;
  /**
   * The longest one `execute` may take, retries and Retry-After waits included; past it every call is ended
   * and the outcome left unknown. Keep it well under the ledger's lease, so that a call never runs beside the
   * resumption that takes its claim over. Default 60 s.
   */
  readonly deadlineMs?: number;
  /**
   * The synced customers, to name the subscription that overlaps when Partner Center refuses for conflicting
   * services (code 3). Without it the refusal carries Partner Center's own words.
   */
  readonly customers?: Pick<CustomerRepository, 'get'>;
}

/** The source as the order describes it: what the gateway knows of the customer without the store. */
function orderCustomer(order: UpgradeOrder): Customer {
  const source: Subscription = {
    id: order.subscriptionId,
    offerId: order.fromOffer,
    quantity: order.quantity,
    status: 'active',
    channel: 'partner',
  };
  return {
    id: order.customerId,
    companyProfile: { companyName: order.customerId, domain: '' },
    delegatedAdmin: 'unknown',
    subscriptions: [source],
  };
}

function describe(errors: readonly PcUpgradeError[]): string {
  return errors
    .map((e) => `${String(e.code)}: ${[e.description, e.additionalDetails].filter(Boolean).join(' ')}`)
    .join('; ');
}

/** Our reasons among the findings; the others are said in the message, as Partner Center said them. */
function refusal(findings: readonly LiveFinding[], errors: readonly PcUpgradeError[]): UpgradeRefusedError {
  const reasons = findings.flatMap((f) => (f.kind === 'reason' ? [f.reason] : []));
  return new UpgradeRefusedError(reasons, `Partner Center refused the upgrade (${describe(errors)})`);
}

function affected(licenseErrors: PcUpgradeResult['licenseErrors']): AffectedAccount[] {
  return licenseErrors.map((l) => ({
    objectId: l.userObjectId,
    name: l.name ?? l.email ?? l.userObjectId,
    email: l.email ?? '',
    cause: 'partner_center_licence_error',
    services: [],
    faults: l.errors.map((f) => f.description ?? String(f.code)),
  }));
}

export class PartnerCenterGateway implements UpgradeGateway {
  readonly system = 'partner-center' as const;
  readonly judgesEligibility = true;

  private readonly licences: PartnerCenterLicenceChange;

  constructor(private readonly deps: PartnerCenterGatewayDeps) {
    this.licences = new PartnerCenterLicenceChange({
      client: deps.client,
      refresh: (customerId) => this.refreshAfter(customerId),
    });
  }

  async execute(
    order: ChangeOrder & Partial<Pick<UpgradeRequestRecord, 'requestedAt'>>,
    idempotencyKey: string,
    attempt = 1,
  ): Promise<Execution> {
    // Every call ends by the deadline (its timer does not keep the process alive).
    const signal = AbortSignal.timeout(this.deps.deadlineMs ?? DEFAULT_DEADLINE_MS);
    if (isLicenceOrder(order)) return this.licences.execute(order, idempotencyKey, attempt, signal);
    try {
      if (attempt > 1) {
        // The first attempt may have been carried out: its new subscription says so, whatever the source's
        // status. Otherwise the POST is made again with the same MS-RequestId: Partner Center answers as it
        // did the first time rather than upgrading twice.
        const found = await this.upgradedSince(order, signal);
        if (found !== undefined) {
          this.refreshAfter(order.customerId);
          return { newSubscriptionId: found, affectedAccounts: [] };
        }
      }
      return await this.upgrade(order, idempotencyKey, signal);
    } catch (error) {
      throw changeError(
        error,
        attempt,
        upgradeRequestId(idempotencyKey),
        'no new subscription found and Partner Center now says',
      );
    }
  }

  /**
   * The source's seats as Partner Center holds them must be the ones the card showed: licences added since
   * (here or elsewhere) would be lost by an upgrade to the card's seats. Refused, and the store follows.
   */
  private async sameSeats(order: LedgerOrder, signal: AbortSignal): Promise<void> {
    if (order.previousQuantity === undefined) return;
    const live = await this.deps.client.getSubscription(
      order.customerId,
      order.subscriptionId,
      'live',
      signal,
    );
    if (live.quantity === order.previousQuantity) return;
    this.refreshAfter(order.customerId);
    const reason: Reason = {
      code: 'seat_count_changed',
      expected: order.previousQuantity,
      actual: live.quantity,
    };
    throw new UpgradeRefusedError([reason], 'the seats changed in Partner Center since the card was shown');
  }

  /**
   * The new subscription, when the customer's subscriptions show that the upgrade was carried out (see
   * upgrade-evidence.ts). A definitive error of that read (403, 404) says nothing of the upgrade: it leaves the
   * outcome unknown rather than failed.
   */
  private async upgradedSince(order: LedgerOrder, signal: AbortSignal): Promise<string | undefined> {
    try {
      const subscriptions = await this.deps.client.listSubscriptions(order.customerId, 'live', signal);
      return upgradedSubscription(subscriptions, order);
    } catch (error) {
      if (!(error instanceof PartnerCenterHttpError)) throw error;
      throw new PartnerCenterOutcomeUnknownError(
        `the customer's subscriptions could not be read to learn whether the upgrade was carried out: ${error.message}`,
        error.requestId,
        { cause: error },
      );
    }
  }

  private async upgrade(order: LedgerOrder, idempotencyKey: string, signal: AbortSignal): Promise<Execution> {
    const { client } = this.deps;
    const upgrades = await client.getUpgrades(order.customerId, order.subscriptionId, 'live', signal);
    const validTargets = upgrades.map(targetOfferOf).filter((t): t is OfferId => t !== undefined);
    const chosen = upgrades.find((u) => targetOfferOf(u) === order.target);
    if (chosen === undefined) {
      const reason: Reason = {
        code: 'target_not_available',
        offerId: order.fromOffer,
        target: order.target,
        validTargets,
        indiaRule: false,
      };
      throw new UpgradeRefusedError([reason], 'Partner Center lists no upgrade to this target now');
    }
    if (!chosen.isEligible) {
      throw refusal(await this.findings(order, chosen.upgradeErrors, validTargets), chosen.upgradeErrors);
    }
    await this.sameSeats(order, signal);

    let outcome;
    try {
      outcome = await client.createUpgrade(
        {
          customerId: order.customerId,
          subscriptionId: order.subscriptionId,
          upgrade: chosen,
          quantity: order.quantity,
          upgradeType: order.upgradeType,
        },
        idempotencyKey,
        signal,
      );
    } catch (error) {
      if (!(error instanceof PartnerCenterOutcomeUnknownError)) throw error;
      // Refused or failed after an attempt that went unanswered: that attempt may have gone through. Its new
      // subscription says so; without one, or when it cannot be read, the outcome stays unknown (the ledger
      // resumes with the same key) and never turns into a failure.
      const found = await this.upgradedSince(order, signal).catch(() => undefined);
      if (found === undefined) throw error;
      this.refreshAfter(order.customerId);
      return { newSubscriptionId: found, affectedAccounts: [] };
    }
    if (outcome.outcome === 'refused') {
      throw refusal(await this.findings(order, outcome.errors, validTargets), outcome.errors);
    }
    this.refreshAfter(order.customerId);
    return {
      newSubscriptionId: outcome.targetSubscriptionId,
      affectedAccounts: affected(outcome.licenseErrors),
    };
  }

  /** The store follows the upgrade; not awaited (the store catches up at the next sync if this fails). */
  private refreshAfter(customerId: string): void {
    const { afterUpgrade } = this.deps;
    if (afterUpgrade === undefined) return;
    // The caller's function logs its failure; a throw, synchronous or not, never reaches the upgrade.
    void Promise.resolve()
      .then(() => afterUpgrade(customerId))
      .catch(() => {});
  }

  private async findings(
    order: UpgradeOrder,
    errors: readonly PcUpgradeError[],
    validTargets: readonly OfferId[],
  ): Promise<LiveFinding[]> {
    const synced = await this.deps.customers?.get(order.customerId).catch(() => undefined);
    const customer = synced ?? orderCustomer(order);
    const source =
      customer.subscriptions.find((s) => s.id === order.subscriptionId) ??
      orderCustomer(order).subscriptions[0];
    return upgradeFindings(errors, { customer, source, target: order.target, validTargets });
  }
}
