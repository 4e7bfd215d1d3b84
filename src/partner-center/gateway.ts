/**
 * The upgrade gateway over Partner Center: the upgrade is carried out there, once. Partner Center judges
 * eligibility itself: the chosen Upgrade is read again just before the POST, and posted back as it came, with
 * the seats and the upgrade type set. The ledger's token gives the POST's MS-RequestId (the client derives it),
 * so a retry, or a resumption after a crash, cannot upgrade twice.
 */
import type { CustomerRepository } from '../core/customers.js';
import { UpgradeFailedError, UpgradeRefusedError, type UpgradeGateway } from '../core/gateway.js';
import type { LiveFinding } from '../core/live-check.js';
import type { Execution, UpgradeOrder } from '../core/ledger.js';
import {
  isLive,
  type AffectedAccount,
  type Customer,
  type OfferId,
  type Reason,
  type Subscription,
  type SubscriptionStatus,
} from '../rules/index.js';
import type { PartnerCenterClient } from './client.js';
import { PartnerCenterAuthError, PartnerCenterHttpError } from './errors.js';
import { matchOffer } from './offers.js';
import type { PcSubscription, PcUpgradeError, PcUpgradeResult } from './schemas.js';
import { targetOfferOf, upgradeFindings } from './upgrade-findings.js';

export interface PartnerCenterGatewayDeps {
  readonly client: PartnerCenterClient;
  /**
   * Called once Partner Center has carried an upgrade out (the composition root passes the sync's refresh, so
   * that the store follows). Its failure never fails the upgrade: it is the caller's to log.
   */
  readonly afterUpgrade?: (customerId: string) => Promise<void>;
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

function liveStatus(status: string): boolean {
  return isLive({ status: status as SubscriptionStatus } as Subscription);
}

export class PartnerCenterGateway implements UpgradeGateway {
  readonly system = 'partner-center' as const;
  readonly judgesEligibility = true;

  constructor(private readonly deps: PartnerCenterGatewayDeps) {}

  async execute(order: UpgradeOrder, idempotencyKey: string, attempt = 1): Promise<Execution> {
    try {
      if (attempt > 1) {
        const found = await this.alreadyUpgraded(order);
        if (found !== undefined) return { newSubscriptionId: found, affectedAccounts: [] };
      }
      return await this.upgrade(order, idempotencyKey);
    } catch (error) {
      if (error instanceof UpgradeRefusedError || error instanceof UpgradeFailedError) throw error;
      if (error instanceof PartnerCenterHttpError) {
        // A definitive answer (403: the app may not do this; 404: the customer or subscription is gone).
        throw new UpgradeFailedError(error.message, { cause: error });
      }
      if (error instanceof PartnerCenterAuthError && attempt === 1) {
        throw new UpgradeFailedError(
          `Partner Center refused the bot's credentials, so nothing was sent: ${error.message}`,
          { cause: error },
        );
      }
      // Unavailable, timed out, an answer of an unexpected shape, or the credentials refused on a resumption
      // (the first attempt may have been carried out): the outcome is unknown, the ledger resumes with the same
      // key, hence the same MS-RequestId.
      throw error;
    }
  }

  /**
   * On a resumption, the first attempt may have reached Partner Center: a live subscription of the target with
   * the source no longer live means it did. With the source still live, the POST is made again: its
   * MS-RequestId is the same, so Partner Center answers as it did the first time rather than upgrading twice.
   */
  private async alreadyUpgraded(order: UpgradeOrder): Promise<string | undefined> {
    const subscriptions = await this.deps.client.listSubscriptions(order.customerId, 'live');
    const source = subscriptions.find((s) => s.id === order.subscriptionId);
    if (source !== undefined && liveStatus(source.status)) return undefined;
    const target = subscriptions.find((s) => isTarget(s, order.target) && liveStatus(s.status));
    return target?.id;
  }

  private async upgrade(order: UpgradeOrder, idempotencyKey: string): Promise<Execution> {
    const { client } = this.deps;
    const upgrades = await client.getUpgrades(order.customerId, order.subscriptionId, 'live');
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

    const outcome = await client.createUpgrade(
      {
        customerId: order.customerId,
        subscriptionId: order.subscriptionId,
        upgrade: chosen,
        quantity: order.quantity,
        upgradeType: order.upgradeType,
      },
      idempotencyKey,
    );
    if (outcome.outcome === 'refused') {
      throw refusal(await this.findings(order, outcome.errors, validTargets), outcome.errors);
    }
    try {
      await this.deps.afterUpgrade?.(order.customerId);
    } catch {
      // The upgrade is made: the store catches up at the next sync. The caller's function logs its failure.
    }
    return {
      newSubscriptionId: outcome.targetSubscriptionId,
      affectedAccounts: affected(outcome.licenseErrors),
    };
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

function isTarget(s: PcSubscription, target: OfferId): boolean {
  if (s.parentSubscriptionId !== undefined && s.parentSubscriptionId !== '') return false;
  const match = matchOffer({ id: s.offerId, ...(s.offerName === undefined ? {} : { name: s.offerName }) });
  return match.kind === 'catalog' && match.offerId === target;
}
