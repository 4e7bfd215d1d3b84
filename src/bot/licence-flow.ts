/**
 * Adding licences behind the cards: which subscription and how many (add-licences card) → review (the rules
 * again, a new pending request, the confirm card) → confirm or cancel, which `UpgradeFlow` runs for every
 * request alike (same ledger, approvers and token rules). Card data is never trusted: each step looks the
 * customer and subscription up again.
 */
import type { ApprovalPolicy, Caller } from '../core/approvals.js';
import type { CustomerRepository } from '../core/customers.js';
import { newUpgradeToken, type LedgerEntry, type LicenceOrder } from '../core/ledger.js';
import type { DirectorySource } from '../core/system-of-record.js';
import type { UpgradeService } from '../core/upgrades.js';
import {
  findSubscription,
  licenceCandidates,
  licenceReasons,
  planLicenceAddition,
  seatTotal,
  type Customer,
  type OfferId,
  type SeatAsk,
  type Subscription,
} from '../rules/index.js';
import { withCustomerFreshness } from './answers/freshness.js';
import { addLicencesAnswer, licenceConfirmAnswer, licenceRefusedAnswer } from './answers/licences.js';
import { systemOfRecordRejectedAnswer } from './answers/partner-center.js';
import { currentCustomer } from './current-customer.js';
import type { Reply } from './answers/reply.js';
import { offerName } from './explain.js';
import type { Translator } from './i18n.js';

interface LicenceFlowDeps {
  readonly customers: CustomerRepository;
  readonly upgrades: UpgradeService;
  readonly approvals: ApprovalPolicy;
  readonly source?: DirectorySource;
}

/** What a request to add licences names besides the customer. */
export interface LicenceAsk {
  readonly seats?: SeatAsk;
  /** The plan named ("Contoso's E3"): the subscriptions of that offer. */
  readonly offer?: OfferId;
  /** The subscription named (a button on it, or the one the conversation was about). */
  readonly subscriptionId?: string;
}

interface LicenceReviewInput {
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly mode: 'add' | 'total';
  readonly seats: number;
}

/** Reasons about the subscription itself: no number of seats would do. */
const SUBSCRIPTION_CODES = new Set(['bought_elsewhere', 'subscription_not_active', 'trial_subscription']);

export class LicenceFlow {
  constructor(private readonly deps: LicenceFlowDeps) {}

  /**
   * The add-licences card for the customer: the subscription named, or the ones of the plan named, or all of
   * ours that are not ended; with one that cannot take licences at all, why.
   */
  async start(tr: Translator, customer: Customer, ask: LicenceAsk): Promise<Reply> {
    const name = customer.companyProfile.companyName;
    const named =
      ask.subscriptionId === undefined ? undefined : findSubscription(customer, ask.subscriptionId);
    let candidates: Subscription[] = licenceCandidates(customer);
    if (ask.offer !== undefined && named?.offerId !== ask.offer) {
      candidates = candidates.filter((s) => s.offerId === ask.offer);
      if (candidates.length === 0) {
        return { text: tr.t('licences.noSuchPlan', { customer: name, offer: offerName(tr, ask.offer) }) };
      }
    }
    // A button on one subscription (condition 4's "Add licences"), or the one the conversation was about.
    const only =
      named !== undefined && (ask.offer === undefined || named.offerId === ask.offer) ? [named] : candidates;
    if (only.length === 0) return { text: tr.t('licences.noSubscription', { customer: name }) };
    const usable = only.filter((s) => !this.blocked(s));
    if (usable.length === 0) {
      // None can take licences: why, for the first (one said clearly rather than a card that cannot work).
      const first = only[0]!;
      return this.fresh(tr, customer, licenceRefusedAnswer(tr, customer, first, this.blockers(first)));
    }
    const selected = usable[0]!;
    const seats = ask.seats ?? { add: 1 };
    return this.fresh(tr, customer, addLicencesAnswer(tr, customer, usable, selected, seats));
  }

  /** The add-licences card from a button (condition 4: "Add licences" to the subscription the customer has). */
  async startById(tr: Translator, customerId: string, subscriptionId?: string): Promise<Reply | undefined> {
    const customer = await this.deps.customers.get(customerId);
    if (customer === undefined) return undefined;
    if (subscriptionId !== undefined && findSubscription(customer, subscriptionId) === undefined)
      return undefined;
    const reply = await this.start(tr, customer, subscriptionId === undefined ? {} : { subscriptionId });
    return {
      ...reply,
      about: customer.id,
      ...(subscriptionId === undefined ? {} : { subscription: subscriptionId }),
    };
  }

  /** Review: the rules on the seats asked, then the confirm card (a new pending request). */
  async review(tr: Translator, input: LicenceReviewInput, caller: Caller): Promise<Reply | undefined> {
    const known = await this.deps.customers.get(input.customerId);
    if (known === undefined || findSubscription(known, input.subscriptionId) === undefined) return undefined;
    const read = await currentCustomer(tr, this.deps.source, known);
    if ('reply' in read) return read.reply;
    const { customer } = read;
    const subscription = findSubscription(customer, input.subscriptionId);
    // Gone from Partner Center since the card was shown: said as its 404 is.
    if (subscription === undefined) return systemOfRecordRejectedAnswer(tr, customer, 404);
    const seats: SeatAsk = input.mode === 'total' ? { total: input.seats } : { add: input.seats };
    const quantity = seatTotal(subscription, seats);
    const planned = planLicenceAddition(customer, { subscriptionId: subscription.id, quantity });
    if (!planned.ok) {
      const reasons = planned.problem === 'not_eligible' ? planned.reasons : [];
      return licenceRefusedAnswer(tr, customer, subscription, reasons);
    }
    const order: LicenceOrder = {
      change: 'add_licences',
      customerId: customer.id,
      subscriptionId: subscription.id,
      fromOffer: subscription.offerId,
      target: subscription.offerId,
      quantity,
      previousQuantity: subscription.quantity,
    };
    const entry = await this.deps.upgrades.request({
      ...order,
      token: newUpgradeToken(),
      requestedBy: caller.user,
      place: caller.place,
    });
    return this.fresh(
      tr,
      customer,
      this.confirmCard(tr, customer, entry as LedgerEntry & LicenceOrder, true),
    );
  }

  /**
   * The confirm card of a pending licence request, live (Confirm/Cancel) or read-only; the rules again on the
   * customer as it is now: a seat count changed since the card was made is said, never overwritten.
   */
  confirmCard(tr: Translator, customer: Customer, entry: LedgerEntry & LicenceOrder, live: boolean): Reply {
    const subscription = findSubscription(customer, entry.subscriptionId);
    const view = { token: entry.token, live, approversOnly: this.deps.approvals.approversConfigured };
    if (this.deps.upgrades.judgesEligibility && subscription !== undefined) {
      // Partner Center judges it when confirmed, on the seats it holds then; the synced copy here may lag the
      // count review read there: the card shows the request as recorded.
      const { previousQuantity, quantity } = entry;
      const plan = {
        customerId: customer.id,
        subscription,
        previousQuantity,
        quantity,
        added: quantity - previousQuantity,
      };
      return licenceConfirmAnswer(tr, customer, plan, view);
    }
    const planned = planLicenceAddition(customer, entry);
    if (!planned.ok || subscription === undefined) {
      const reasons = planned.ok || planned.problem !== 'not_eligible' ? [] : planned.reasons;
      return licenceRefusedAnswer(
        tr,
        customer,
        subscription ?? {
          id: entry.subscriptionId,
          offerId: entry.fromOffer,
          quantity: entry.previousQuantity,
          status: 'deleted',
          channel: 'partner',
        },
        reasons,
      );
    }
    return licenceConfirmAnswer(tr, customer, planned.plan, view);
  }

  private blockers(s: Subscription) {
    return licenceReasons(s, { quantity: s.quantity + 1 }).filter((r) => SUBSCRIPTION_CODES.has(r.code));
  }

  private blocked(s: Subscription): boolean {
    return this.blockers(s).length > 0;
  }

  private fresh(tr: Translator, customer: Customer, reply: Reply): Promise<Reply> {
    return withCustomerFreshness(tr, this.deps.source, customer, reply);
  }
}
