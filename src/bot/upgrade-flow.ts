/**
 * The upgrade flow behind the cards: choose → review → confirm or cancel. Card data is never trusted: every
 * step looks the customer, subscription and target up again and re-runs the rules; the confirm token makes
 * the upgrade happen at most once (the ledger's transaction).
 */
import { randomUUID } from 'node:crypto';
import type { CustomerDirectory } from '../directory/directory.js';
import {
  evaluateSubscription,
  evaluateTarget,
  findSubscription,
  isOfferId,
  planUpgrade,
  type Customer,
  type OfferId,
  type UpgradeType,
} from '../rules/index.js';
import {
  newUpgradeToken,
  type Actor,
  type LedgerEntry,
  type UpgradeLedger,
} from '../storage/upgrade-ledger.js';
import {
  alreadyAnswer,
  cancelledAnswer,
  chooseTargetAnswer,
  confirmAnswer,
  doneAnswer,
  failedAnswer,
  refusedAnswer,
  refusedEntryAnswer,
} from './answers/upgrade.js';
import type { Reply } from './answers/reply.js';
import type { Translator } from './i18n.js';

export interface UpgradeFlowDeps {
  readonly directory: CustomerDirectory;
  readonly ledger: UpgradeLedger;
  /** AAD object ids or channel user ids allowed to confirm; empty: anyone. */
  readonly approvers: readonly string[];
  readonly now?: () => Date;
  readonly newSubscriptionId?: () => string;
}

export interface ReviewInput {
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly target: string;
  readonly seats: number;
  readonly transfer: boolean;
}

export class UpgradeFlow {
  private readonly now: () => Date;
  private readonly newSubscriptionId: () => string;

  constructor(private readonly deps: UpgradeFlowDeps) {
    this.now = deps.now ?? (() => new Date());
    this.newSubscriptionId = deps.newSubscriptionId ?? randomUUID;
  }

  get approverIds(): readonly string[] {
    return this.deps.approvers;
  }

  get approversConfigured(): boolean {
    return this.deps.approvers.length > 0;
  }

  isApprover(actor: Actor): boolean {
    if (!this.approversConfigured) return true;
    return [actor.aadObjectId, actor.id].some((id) => id !== undefined && this.deps.approvers.includes(id));
  }

  /** The choose-target card for one subscription, or why it cannot be upgraded; undefined when the ids are unknown. */
  choose(
    tr: Translator,
    customerId: string,
    subscriptionId: string,
    preselected?: OfferId,
  ): Reply | undefined {
    const customer = this.deps.directory.byId(customerId);
    const subscription = customer === undefined ? undefined : findSubscription(customer, subscriptionId);
    if (customer === undefined || subscription === undefined) return undefined;
    const verdict = evaluateSubscription(customer, subscription);
    const eligible = verdict.targets.filter((t) => t.eligible);
    if (eligible.length === 0) {
      const first = verdict.targets[0];
      return refusedAnswer(
        tr,
        customer,
        {
          subscriptionId,
          fromOffer: subscription.offerId,
          target: preselected ?? first?.target ?? subscription.offerId,
        },
        verdict.subscriptionReasons.length > 0 ? verdict.subscriptionReasons : (first?.reasons ?? []),
        [],
        'nothingEligible',
      );
    }
    return chooseTargetAnswer(tr, customer, subscription, eligible, preselected);
  }

  /** Review: the rules again with the chosen target and seats, then the confirm card (a new pending request). */
  review(
    tr: Translator,
    input: ReviewInput,
    actor: Actor,
    conversationId: string | undefined,
  ): Reply | undefined {
    const customer = this.deps.directory.byId(input.customerId);
    const source = customer === undefined ? undefined : findSubscription(customer, input.subscriptionId);
    if (customer === undefined || source === undefined || !isOfferId(input.target)) return undefined;
    const upgradeType: UpgradeType = input.transfer ? 'upgrade_with_license_transfer' : 'upgrade_only';
    const request = { subscriptionId: source.id, target: input.target, quantity: input.seats, upgradeType };
    const planned = planUpgrade(customer, request, 'new-subscription');
    if (!planned.ok) {
      const reasons = planned.problem === 'not_eligible' ? planned.verdict.reasons : [];
      return refusedAnswer(
        tr,
        customer,
        { subscriptionId: source.id, fromOffer: source.offerId, target: input.target },
        reasons,
        [],
        'notPossibleMessage',
      );
    }
    const entry = this.deps.ledger.record({
      token: newUpgradeToken(),
      customerId: customer.id,
      subscriptionId: source.id,
      fromOffer: source.offerId,
      target: input.target,
      quantity: input.seats,
      upgradeType,
      requestedBy: actor,
      requestedAt: this.now().toISOString(),
      ...(conversationId === undefined ? {} : { conversationId }),
    });
    return this.confirmCard(tr, customer, entry, true);
  }

  /** The confirm card of a pending request, live (Confirm/Cancel) or read-only. */
  confirmCard(tr: Translator, customer: Customer, entry: LedgerEntry, live: boolean): Reply {
    // The recorded request is the request: subscription, target, quantity and upgrade type.
    const planned = planUpgrade(customer, entry, 'new-subscription');
    if (!planned.ok) {
      const reasons = planned.problem === 'not_eligible' ? planned.verdict.reasons : [];
      return refusedAnswer(tr, customer, entry, reasons);
    }
    return confirmAnswer(tr, customer, planned.plan, {
      token: entry.token,
      live,
      approversOnly: this.approversConfigured,
    });
  }

  /** What a card showing this token should show now, to this user (Teams refresh). */
  current(tr: Translator, token: string, actor: Actor): Reply | undefined {
    const entry = this.deps.ledger.get(token);
    if (entry === undefined) return undefined;
    const customer = this.deps.directory.byId(entry.customerId);
    if (entry.status !== 'pending') return this.decided(tr, customer, entry);
    if (customer === undefined) return undefined;
    // Live buttons for the requester and the configured approvers only; everybody else sees a read-only card.
    const live = entry.requestedBy.id === actor.id || (this.approversConfigured && this.isApprover(actor));
    return this.confirmCard(tr, customer, entry, live);
  }

  confirm(tr: Translator, token: string, actor: Actor): Reply | undefined {
    const entry = this.deps.ledger.get(token);
    if (entry === undefined) return undefined;
    const customer = this.deps.directory.byId(entry.customerId);
    if (entry.status !== 'pending') return alreadyAnswer(tr, customer, entry);
    if (!this.isApprover(actor)) return { text: tr.t('upgrade.notApprover') };
    const outcome = this.deps.ledger.confirm(token, actor, this.now(), (current, request) =>
      planUpgrade(current, request, this.newSubscriptionId()),
    );
    const after = this.deps.directory.byId(entry.customerId);
    switch (outcome.kind) {
      case 'unknown_token':
        return undefined;
      case 'already':
        return alreadyAnswer(tr, after, outcome.entry);
      case 'done':
        return doneAnswer(tr, after as Customer, outcome.entry);
      case 'refused':
        return refusedEntryAnswer(tr, after as Customer, outcome.entry);
      case 'failed':
        return failedAnswer(tr, after, outcome.entry);
    }
  }

  cancel(tr: Translator, token: string, actor: Actor): Reply | undefined {
    const outcome = this.deps.ledger.cancel(token, actor, this.now());
    if (outcome.kind === 'unknown_token') return undefined;
    const customer = this.deps.directory.byId(outcome.entry.customerId);
    return outcome.kind === 'cancelled'
      ? cancelledAnswer(tr, customer, outcome.entry)
      : alreadyAnswer(tr, customer, outcome.entry);
  }

  private decided(tr: Translator, customer: Customer | undefined, entry: LedgerEntry): Reply {
    switch (entry.status) {
      case 'done':
        return customer === undefined ? alreadyAnswer(tr, customer, entry) : doneAnswer(tr, customer, entry);
      case 'cancelled':
        return cancelledAnswer(tr, customer, entry);
      case 'refused':
        return customer === undefined
          ? alreadyAnswer(tr, customer, entry)
          : refusedEntryAnswer(tr, customer, entry);
      default:
        return failedAnswer(tr, customer, entry);
    }
  }

  /** Which of the customer's subscriptions can go to the target (or anywhere, without one). */
  upgradableSubscriptions(customer: Customer, target?: OfferId): string[] {
    return customer.subscriptions
      .filter((s) =>
        target === undefined
          ? evaluateSubscription(customer, s).upgradable
          : evaluateTarget(customer, s, target).eligible,
      )
      .map((s) => s.id);
  }

  history(customerId: string): readonly LedgerEntry[] {
    return this.deps.ledger.history(customerId).filter((e) => e.status !== 'pending');
  }
}
