/**
 * The upgrade flow behind the cards: choose → review → confirm or cancel. Card data is never trusted: every
 * step looks the customer, subscription and target up again and re-runs the rules; the application core's
 * `UpgradeService` carries a confirmed upgrade out exactly once (claim, gateway, outcome).
 */
import type { Logger } from '../logger.js';
import type { CustomerRepository } from '../core/customers.js';
import type { LiveCheck, LiveTarget, LiveVerdict } from '../core/live-check.js';
import {
  SystemOfRecordAuthError,
  SystemOfRecordRejectedError,
  SystemOfRecordUnavailableError,
} from '../core/system-of-record.js';
import type { ApprovalPolicy, Caller, Refusal } from '../core/approvals.js';
import { isLicenceOrder, newUpgradeToken, type LedgerEntry } from '../core/ledger.js';
import type { UpgradeService } from '../core/upgrades.js';
import type { DirectorySource } from '../core/system-of-record.js';
import { withCustomerFreshness } from './answers/freshness.js';
import {
  additionalServices,
  evaluateSubscription,
  evaluateTarget,
  findSubscription,
  hasUpgradePath,
  isOfferId,
  planUpgrade,
  type Customer,
  type OfferId,
  type PlanOptions,
  type Subscription,
  type TargetVerdict,
  type UpgradeType,
  upgradeTargets,
} from '../rules/index.js';
import {
  liveRefusedAnswer,
  systemOfRecordErrorAnswer,
  systemOfRecordRejectedAnswer,
} from './answers/partner-center.js';
import { chooseTargetAnswer, confirmAnswer, doneAnswer, refusedAnswer } from './answers/upgrade.js';
import {
  alreadyAnswer,
  cancelledAnswer,
  failedAnswer,
  inProgressAnswer,
  placeholderCustomer,
  refusedEntryAnswer,
  wordsOf,
} from './answers/outcomes.js';
import { licenceDoneAnswer } from './answers/licences.js';
import { LicenceFlow } from './licence-flow.js';
import type { Reply } from './answers/reply.js';
import type { Translator } from './i18n.js';

interface UpgradeFlowDeps {
  readonly customers: CustomerRepository;
  readonly upgrades: UpgradeService;
  /** Who may confirm, cancel or see a confirm card live, and where. */
  readonly approvals: ApprovalPolicy;
  /**
   * How long a press waits for the outcome of an upgrade another press is carrying out (default 2.5 s; the bot
   * sets 60 % of Teams' invoke budget), so that it can answer "already done by …" rather than "in progress".
   */
  readonly settleMs?: number;
  /** Partner Center's live re-check: its verdict is authoritative (absent with the embedded directory). */
  readonly live?: LiveCheck;
  /** Told when Partner Center and the rules (on the synced copy) disagree on a target; the answer follows Partner Center. */
  readonly onDisagreement?: (d: Disagreement) => void;
  /** Where the live check's failures are logged (the user gets a clear answer, not the error). */
  readonly logger?: Logger;
  /** Where the customers come from: the choose and confirm cards say how fresh their data is. */
  readonly source?: DirectorySource;
}

export type Eligibility = 'eligible' | 'not-eligible';

export interface Disagreement {
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly target: OfferId;
  readonly rules: Eligibility;
  readonly partnerCenter: Eligibility;
}

/** What a refused confirm or cancel says (nothing changed), in the words of the request (`wordsOf`). */
const REFUSAL_KEYS: Record<Refusal, string> = {
  wrong_place: 'wrongPlace',
  not_approver: 'notApprover',
  own_request: 'ownRequest',
  untrusted_channel: 'untrustedChannel',
  not_allowed: 'cancelNotAllowed',
};

/** The refusal in the words of the entry: an upgrade's, or licences'. */
function refusalText(
  tr: Translator,
  entry: LedgerEntry,
  refusal: Refusal | 'only_requester' | 'busy',
): string {
  const key =
    refusal === 'only_requester' ? 'onlyRequester' : refusal === 'busy' ? 'busy' : REFUSAL_KEYS[refusal];
  return tr.t(`${wordsOf(entry)}.${key}`);
}

interface ReviewInput {
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly target: string;
  readonly seats: number;
  readonly transfer: boolean;
}

export class UpgradeFlow {
  /** Adding licences: its own cards up to the confirm card; confirm and cancel are this flow's. */
  readonly licences: LicenceFlow;

  constructor(private readonly deps: UpgradeFlowDeps) {
    this.licences = new LicenceFlow({
      customers: deps.customers,
      upgrades: deps.upgrades,
      approvals: deps.approvals,
      ...(deps.source === undefined ? {} : { source: deps.source }),
    });
  }

  get approvals(): ApprovalPolicy {
    return this.deps.approvals;
  }

  /** The choose-target card for one subscription, or why it cannot be upgraded; undefined when the ids are unknown. */
  async choose(
    tr: Translator,
    customerId: string,
    subscriptionId: string,
    preselected?: OfferId,
  ): Promise<Reply | undefined> {
    const customer = await this.deps.customers.get(customerId);
    const subscription = customer === undefined ? undefined : findSubscription(customer, subscriptionId);
    if (customer === undefined || subscription === undefined) return undefined;
    if (this.deps.live !== undefined) return this.chooseLive(tr, customer, subscription, preselected);
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
    return this.fresh(tr, customer, chooseTargetAnswer(tr, customer, subscription, eligible, preselected));
  }

  /** A card about the customer, with how fresh its data is (nothing for the directory file). */
  private fresh(tr: Translator, customer: Customer, reply: Reply): Promise<Reply> {
    return withCustomerFreshness(tr, this.deps.source, customer, reply);
  }

  /** Review: the rules again with the chosen target and seats, then the confirm card (a new pending request). */
  async review(tr: Translator, input: ReviewInput, caller: Caller): Promise<Reply | undefined> {
    const customer = await this.deps.customers.get(input.customerId);
    const source = customer === undefined ? undefined : findSubscription(customer, input.subscriptionId);
    if (customer === undefined || source === undefined || !isOfferId(input.target)) return undefined;
    const upgradeType: UpgradeType = input.transfer ? 'upgrade_with_license_transfer' : 'upgrade_only';
    const request = { subscriptionId: source.id, target: input.target, quantity: input.seats, upgradeType };
    let options: PlanOptions = {};
    let verdict: LiveVerdict | undefined;
    if (this.deps.live !== undefined) {
      // Partner Center again, now, for this target: it is the verdict; the rules' is compared and reported.
      const checked = await this.liveVerdict(tr, customer, source.id);
      if ('reply' in checked) return checked.reply;
      verdict = checked.verdict;
      const target = input.target;
      const live = verdict.targets.find((t) => t.target === target);
      this.compare(customer, source, target, live?.eligible ?? false);
      if (live === undefined || !live.eligible) {
        const findings: LiveTarget['findings'] = live?.findings ?? [
          {
            kind: 'reason',
            reason: {
              code: 'target_not_available',
              offerId: source.offerId,
              target,
              validTargets: verdict.targets.flatMap((t) => (t.target === undefined ? [] : [t.target])),
              indiaRule: false,
            },
          },
        ];
        return liveRefusedAnswer(
          tr,
          customer,
          { subscriptionId: source.id, fromOffer: source.offerId, target },
          findings,
          verdict.notChecked,
          'notPossibleMessage',
        );
      }
      options = {
        eligibleInSystemOfRecord: true,
        ...(live.seats === undefined ? {} : { seatLimits: live.seats }),
      };
    }
    const planned = planUpgrade(customer, request, 'new-subscription', options);
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
    const entry = await this.deps.upgrades.request({
      token: newUpgradeToken(),
      customerId: customer.id,
      subscriptionId: source.id,
      fromOffer: source.offerId,
      target: input.target,
      quantity: input.seats,
      upgradeType,
      // The source's seats as the card shows them: licences added before the confirm are not lost.
      previousQuantity: source.quantity,
      requestedBy: caller.user,
      place: caller.place,
    });
    return this.fresh(tr, customer, this.confirmCard(tr, customer, entry, true, options));
  }

  /**
   * The confirm card of a pending request, live (Confirm/Cancel) or read-only. `options`: how review planned it
   * (Partner Center's verdict and seat limits); without them (a Teams refresh), a system of record that judges
   * eligibility itself is not second-guessed on the synced copy, and the seats stand as review checked them.
   */
  confirmCard(
    tr: Translator,
    customer: Customer,
    entry: LedgerEntry,
    live: boolean,
    options?: PlanOptions,
  ): Reply {
    if (isLicenceOrder(entry)) return this.licences.confirmCard(tr, customer, entry, live);
    const judged = this.deps.upgrades.judgesEligibility;
    const planOptions: PlanOptions =
      options ??
      (judged
        ? { eligibleInSystemOfRecord: true, seatLimits: { min: entry.quantity, max: entry.quantity } }
        : {});
    // The recorded request is the request: subscription, target, quantity and upgrade type.
    const planned = planUpgrade(customer, entry, 'new-subscription', planOptions);
    if (!planned.ok) {
      const reasons = planned.problem === 'not_eligible' ? planned.verdict.reasons : [];
      return refusedAnswer(tr, customer, entry, reasons);
    }
    return confirmAnswer(tr, customer, planned.plan, {
      token: entry.token,
      live,
      approversOnly: this.deps.approvals.approversConfigured,
      notChecked: planOptions.eligibleInSystemOfRecord === true,
    });
  }

  /** What a card showing this token should show now, to this user (Teams refresh). */
  async current(tr: Translator, token: string, caller: Caller): Promise<Reply | undefined> {
    const entry = await this.deps.upgrades.get(token);
    // A token shown in another conversation is not answered here at all.
    if (entry === undefined || this.deps.approvals.cancelRefusal(entry, caller) === 'wrong_place') {
      return undefined;
    }
    const customer = await this.deps.customers.get(entry.customerId);
    if (entry.status !== 'pending') return this.decided(tr, customer, entry);
    if (customer === undefined) return undefined;
    // Live buttons for the requester and the approvers only; everybody else sees a read-only card.
    return this.fresh(
      tr,
      customer,
      this.confirmCard(tr, customer, entry, this.deps.approvals.seesLive(entry, caller)),
    );
  }

  async confirm(tr: Translator, token: string, caller: Caller): Promise<Reply | undefined> {
    let entry = await this.deps.upgrades.get(token);
    if (entry === undefined) return undefined;
    const refusal = this.deps.approvals.confirmRefusal(entry, caller);
    // Another conversation learns nothing of the request, not even its status.
    if (refusal === 'wrong_place') return { text: refusalText(tr, entry, refusal) };
    if (entry.status === 'executing') entry = (await this.settle(token)) ?? entry;
    if (entry.status !== 'pending') {
      return alreadyAnswer(tr, await this.deps.customers.get(entry.customerId), entry);
    }
    if (refusal === 'not_approver' && !this.deps.approvals.approversConfigured) {
      return { text: refusalText(tr, entry, 'only_requester') };
    }
    if (refusal !== undefined) return { text: refusalText(tr, entry, refusal) };
    let outcome = await this.deps.upgrades.confirm(token, caller.user);
    if (outcome.kind === 'unknown') return undefined;
    if (outcome.kind === 'already' && outcome.entry.status === 'executing') {
      outcome = { kind: 'already', entry: (await this.settle(token)) ?? outcome.entry };
    }
    const after = await this.deps.customers.get(outcome.entry.customerId);
    switch (outcome.kind) {
      case 'already':
      case 'expired':
      case 'gaveUp':
        return alreadyAnswer(tr, after, outcome.entry);
      case 'busy':
        return { text: refusalText(tr, outcome.entry, 'busy') };
      case 'executing':
        return inProgressAnswer(tr, after, outcome.entry);
      case 'done':
        return this.done(tr, after ?? placeholderCustomer(outcome.entry), outcome.entry);
      case 'refused':
        return refusedEntryAnswer(
          tr,
          after ?? placeholderCustomer(outcome.entry),
          outcome.entry,
          this.deps.upgrades.system,
        );
      case 'failed':
        return failedAnswer(tr, after, outcome.entry);
    }
  }

  /**
   * The choose-target card from Partner Center's verdict: the targets it says are eligible (a target the rules
   * block on the synced copy is offered all the same), or its reasons when none is.
   */
  private async chooseLive(
    tr: Translator,
    customer: Customer,
    subscription: Subscription,
    preselected: OfferId | undefined,
  ): Promise<Reply> {
    const checked = await this.liveVerdict(tr, customer, subscription.id);
    if ('reply' in checked) return checked.reply;
    const { verdict } = checked;
    const eligible: TargetVerdict[] = [];
    for (const t of verdict.targets) {
      if (t.target === undefined) continue; // not in the catalog: shown by Partner Center, never offered here
      // A target Partner Center offers is compared with the rules at review (one question, one disagreement);
      // one it refuses never reaches review, so it is compared here.
      if (!t.eligible) this.compare(customer, subscription, t.target, false);
      if (t.eligible) {
        eligible.push({
          target: t.target,
          eligible: true,
          reasons: [],
          additionalServices: additionalServices(subscription.offerId, t.target),
          quantity: subscription.quantity,
        });
      }
    }
    if (eligible.length > 0) {
      return this.fresh(tr, customer, chooseTargetAnswer(tr, customer, subscription, eligible, preselected));
    }
    // The preselected target's findings ("upgrade Contoso to E5"), or every target's (each said once).
    const asked = verdict.targets.find((t) => preselected !== undefined && t.target === preselected);
    const findings = asked?.findings ?? verdict.targets.flatMap((t) => t.findings);
    return liveRefusedAnswer(
      tr,
      customer,
      {
        subscriptionId: subscription.id,
        fromOffer: subscription.offerId,
        target:
          preselected ?? verdict.targets.find((t) => t.target !== undefined)?.target ?? subscription.offerId,
      },
      findings,
      verdict.notChecked,
      'nothingEligible',
    );
  }

  /** Partner Center's verdict, or the answer to give when it refused the bot's credentials or cannot be reached. */
  private async liveVerdict(
    tr: Translator,
    customer: Customer,
    subscriptionId: string,
  ): Promise<{ verdict: LiveVerdict } | { reply: Reply }> {
    try {
      return { verdict: await this.deps.live!.upgrades(customer, subscriptionId) };
    } catch (error) {
      if (error instanceof SystemOfRecordRejectedError) {
        // An operator's matter (403: the GDAP roles) or a store behind Partner Center (404): logged, answered.
        this.deps.logger?.[error.status === 403 ? 'error' : 'warn'](
          { err: error, customerId: customer.id, subscriptionId, status: error.status },
          error.status === 403
            ? "live re-check: the system of record denied access to the customer's subscriptions"
            : 'live re-check: the system of record no longer has the subscription or the customer',
        );
        return { reply: systemOfRecordRejectedAnswer(tr, customer, error.status) };
      }
      const kind =
        error instanceof SystemOfRecordAuthError
          ? 'auth'
          : error instanceof SystemOfRecordUnavailableError
            ? 'unavailable'
            : undefined;
      if (kind === undefined) throw error;
      this.deps.logger?.error(
        { err: error, customerId: customer.id, subscriptionId },
        kind === 'auth'
          ? 'live re-check: the system of record refused the credentials'
          : 'live re-check: the system of record cannot be reached',
      );
      return { reply: systemOfRecordErrorAnswer(tr, kind) };
    }
  }

  /** Reports a target on which Partner Center and the rules (on the synced copy) disagree. */
  private compare(customer: Customer, source: Subscription, target: OfferId, partnerCenter: boolean): void {
    const rules = evaluateTarget(customer, source, target).eligible;
    if (rules === partnerCenter) return;
    this.deps.onDisagreement?.({
      customerId: customer.id,
      subscriptionId: source.id,
      target,
      rules: rules ? 'eligible' : 'not-eligible',
      partnerCenter: partnerCenter ? 'eligible' : 'not-eligible',
    });
  }

  /** The outcome of a request carried out: an upgrade's, or licences added. */
  private done(tr: Translator, customer: Customer, entry: LedgerEntry): Reply {
    const system = this.deps.upgrades.system;
    return isLicenceOrder(entry)
      ? licenceDoneAnswer(tr, customer, entry, system)
      : doneAnswer(tr, customer, entry, system);
  }

  /** The entry once the press carrying it out is finished, or as it is when the wait is over. */
  private settle(token: string): Promise<LedgerEntry | undefined> {
    return this.deps.upgrades.settled(token, this.deps.settleMs ?? 2500);
  }

  /** The "in progress" card of a confirmed request whose outcome is not known yet. */
  async inProgress(tr: Translator, token: string): Promise<Reply | undefined> {
    try {
      const entry = await this.deps.upgrades.get(token);
      if (entry === undefined) return undefined;
      return inProgressAnswer(tr, await this.deps.customers.get(entry.customerId), entry);
    } catch {
      // The confirm runs on (it may well succeed): "in progress" it is, even when the details cannot be read.
      return { text: tr.t('upgrade.inProgressUnread') };
    }
  }

  async cancel(tr: Translator, token: string, caller: Caller): Promise<Reply | undefined> {
    const entry = await this.deps.upgrades.get(token);
    if (entry === undefined) return undefined;
    const refusal = this.deps.approvals.cancelRefusal(entry, caller);
    if (refusal !== undefined) return { text: refusalText(tr, entry, refusal) };
    const outcome = await this.deps.upgrades.cancel(token, caller.user);
    if (outcome.kind === 'unknown') return undefined;
    const customer = await this.deps.customers.get(outcome.entry.customerId);
    return outcome.kind === 'cancelled'
      ? cancelledAnswer(tr, customer, outcome.entry)
      : alreadyAnswer(tr, customer, outcome.entry);
  }

  private decided(tr: Translator, customer: Customer | undefined, entry: LedgerEntry): Reply {
    switch (entry.status) {
      case 'done':
        return customer === undefined ? alreadyAnswer(tr, customer, entry) : this.done(tr, customer, entry);
      case 'cancelled':
        return cancelledAnswer(tr, customer, entry);
      case 'executing':
        return inProgressAnswer(tr, customer, entry);
      case 'expired':
      case 'unknown':
        return alreadyAnswer(tr, customer, entry);
      case 'refused':
        return customer === undefined
          ? alreadyAnswer(tr, customer, entry)
          : refusedEntryAnswer(tr, customer, entry, this.deps.upgrades.system);
      default:
        return failedAnswer(tr, customer, entry);
    }
  }

  /**
   * Which of the customer's subscriptions can go to the target (or anywhere, without one): the rules' verdict,
   * or, with Partner Center's live check, every subscription of ours (not deleted) with such an upgrade path,
   * since `choose` asks Partner Center and the rules on the synced copy must not hide one it may allow.
   */
  upgradableSubscriptions(customer: Customer, target?: OfferId): string[] {
    const candidate =
      this.deps.live === undefined
        ? (s: Subscription) =>
            target === undefined
              ? evaluateSubscription(customer, s).upgradable
              : evaluateTarget(customer, s, target).eligible
        : (s: Subscription) =>
            s.channel === 'partner' &&
            s.status !== 'deleted' &&
            (target === undefined ? hasUpgradePath(s.offerId) : upgradeTargets(s.offerId).includes(target));
    return customer.subscriptions.filter(candidate).map((s) => s.id);
  }

  /** The requests that were acted on (confirmed or cancelled), newest first. */
  async history(customerId: string): Promise<readonly LedgerEntry[]> {
    const entries = await this.deps.upgrades.history(customerId);
    return entries.filter((e) => e.status !== 'pending' && e.status !== 'expired');
  }
}
