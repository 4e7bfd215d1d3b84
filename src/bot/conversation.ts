/**
 * The conversation: from an understood message (or a card action) to the replies. One handler per intent,
 * chosen from a table; customer resolution is shared by the intents that need a customer.
 */
import type { CustomerRepository } from '../core/customers.js';
import {
  SystemOfRecordAuthError,
  SystemOfRecordUnavailableError,
  type DirectorySource,
} from '../core/system-of-record.js';
import type { CustomerLookup, LookupResult } from '../directory/lookup-types.js';
import { isOfferId, type Customer, type OfferId, type OtherProductId, type SeatAsk } from '../rules/index.js';
import {
  eligibilityAnswer,
  subscriptionDetailsAnswer,
  targetEligibilityAnswer,
} from './answers/eligibility.js';
import { ambiguousAnswer, notFoundAnswer } from './answers/customer-choice.js';
import { fleetAnswer } from './answers/fleet.js';
import { customerFreshness, fleetFreshness, momentText, withFreshness } from './answers/freshness.js';
import type { FleetSource } from './fleet-index.js';
import { helpAnswer, notUnderstoodAnswer } from './answers/help.js';
import { otherProductAnswer } from './answers/other-product.js';
import { pathsAnswer } from './answers/paths.js';
import type { Reply } from './answers/reply.js';
import type { Translator } from './i18n.js';
import type { DialogueContext, Intent, Understanding } from './nlu/index.js';
import type { UpgradeFlow } from './upgrade-flow.js';
import { historyAnswer } from './answers/history.js';

interface ConversationDeps {
  readonly customers: CustomerRepository;
  readonly lookup: CustomerLookup;
  readonly flow: UpgradeFlow;
  /** The fleet counts kept up to date; without it, each fleet question reads the whole directory. */
  readonly fleet?: FleetSource;
  /** Where the customers come from: how fresh the answers are, and "refresh Contoso". */
  readonly source: DirectorySource;
}

/** The intents that are about one customer, and what to answer once the customer is known. */
type CustomerIntent = 'eligibility' | 'upgrade' | 'history' | 'refresh' | 'addLicences';

interface CustomerQuestion {
  readonly intent: CustomerIntent;
  readonly target?: OfferId;
  /** Licences: how many were asked (to add, or the new total), and the plan named ("Contoso's E3"). */
  readonly seats?: SeatAsk;
  readonly offer?: OfferId;
  /** The subscription the conversation was about: an upgrade prepares it when it can go to the target. */
  readonly subscription?: string;
}

/** The seats asked as the disambiguation card carries them: `add:8`, `total:60`, or ''. */
function seatAskText(ask: SeatAsk | undefined): string {
  if (ask === undefined) return '';
  return 'total' in ask ? `total:${ask.total}` : `add:${ask.add}`;
}

function seatAskOf(text: string): SeatAsk | undefined {
  const match = /^(add|total):(\d+)$/.exec(text);
  if (match === null) return undefined;
  const n = Number(match[2]);
  return match[1] === 'total' ? { total: n } : { add: n };
}

export class Conversation {
  constructor(private readonly deps: ConversationDeps) {}

  private readonly handlers: Record<Intent, (tr: Translator, u: Understanding) => Reply | Promise<Reply>> = {
    eligibility: (tr, u) => this.aboutCustomer(tr, u, 'eligibility'),
    upgrade: (tr, u) => this.aboutCustomer(tr, u, 'upgrade'),
    history: (tr, u) => this.aboutCustomer(tr, u, 'history'),
    refresh: (tr, u) =>
      // The directory file has nothing to read again, whichever customer is named.
      this.deps.source.kind === 'file'
        ? { text: tr.t('refresh.fileSource') }
        : u.customer === undefined && u.followUp === undefined
          ? { text: tr.t('refresh.missing') }
          : this.aboutCustomer(tr, u, 'refresh'),
    paths: (tr, u) => {
      const plan = u.source ?? u.target;
      return plan === undefined ? { text: tr.t('paths.missing') } : pathsAnswer(tr, plan);
    },
    fleet: (tr, u) =>
      u.target === undefined ? { text: tr.t('fleet.missing') } : this.fleet(tr, u.target, 0),
    addLicences: (tr, u) => this.aboutCustomer(tr, u, 'addLicences'),
    // Out of scope, whoever the customer: said plainly, nothing changes.
    removeLicences: (tr) => ({ text: tr.t('licences.removeOutOfScope') }),
    help: (tr) => helpAnswer(tr),
    none: (tr, u) =>
      u.smallTalk !== undefined
        ? { text: tr.t(`smallTalk.${u.smallTalk}`) }
        : // A bare customer name is a question about that customer.
          u.customer === undefined
          ? notUnderstoodAnswer(tr)
          : this.aboutCustomer(tr, u, 'eligibility'),
  };

  /**
   * The answer to a message. A follow-up (`understanding.followUp`, set by the understander from the context
   * it was given) is about the customer and subscription of the previous answer.
   */
  async answer(tr: Translator, understanding: Understanding): Promise<Reply> {
    if (understanding.otherProduct !== undefined && understanding.intent !== 'help') {
      return this.otherProduct(tr, understanding, understanding.otherProduct);
    }
    return this.handlers[understanding.intent](tr, understanding);
  }

  /**
   * "Can Contoso move to Microsoft 365 E3?": another product, not among the upgrades of the table; the answer
   * names the Office 365 offer of the same tier, and offers the question about it.
   */
  private async otherProduct(tr: Translator, u: Understanding, product: OtherProductId): Promise<Reply> {
    const customer = await this.customerOf(u);
    const intent = u.intent === 'fleet' || u.intent === 'paths' ? u.intent : 'eligibility';
    const reply = otherProductAnswer(tr, product, intent, customer?.companyProfile.companyName);
    return customer === undefined ? reply : { ...reply, about: customer.id };
  }

  /** The customer of a message: named and found, or the previous answer's for a follow-up. */
  private async customerOf(u: Understanding): Promise<Customer | undefined> {
    const result = u.customer?.result;
    if (result?.kind === 'match') return this.deps.customers.get(result.customer.id);
    if (u.customer === undefined && u.followUp !== undefined) {
      return this.deps.customers.get(u.followUp.customerId);
    }
    return undefined;
  }

  /** The answer once the customer is known (from a message, or picked on the disambiguation card). */
  async answerFor(tr: Translator, customer: Customer, question: CustomerQuestion): Promise<Reply> {
    return { ...(await this.answerAbout(tr, customer, question)), about: customer.id };
  }

  private async answerAbout(tr: Translator, customer: Customer, question: CustomerQuestion): Promise<Reply> {
    switch (question.intent) {
      case 'eligibility':
        return this.fresh(
          tr,
          customer,
          question.target === undefined
            ? eligibilityAnswer(tr, customer)
            : targetEligibilityAnswer(tr, customer, question.target),
        );
      case 'upgrade':
        return this.upgrade(tr, customer, question.target, question.subscription);
      case 'history':
        return historyAnswer(tr, customer, await this.deps.flow.history(customer.id));
      case 'refresh':
        return this.refresh(tr, customer);
      case 'addLicences':
        return this.deps.flow.licences.start(tr, customer, {
          ...(question.seats === undefined ? {} : { seats: question.seats }),
          ...(question.offer === undefined ? {} : { offer: question.offer }),
          ...(question.subscription === undefined ? {} : { subscriptionId: question.subscription }),
        });
    }
  }

  /** A customer answer with how fresh its data is ("As of 10:42", and whether the syncs have failed). */
  private async fresh(tr: Translator, customer: Customer, reply: Reply): Promise<Reply> {
    return withFreshness(reply, customerFreshness(tr, customer, await this.deps.source.status()));
  }

  /** A fleet answer, with the time of the last sync. */
  private async fleet(tr: Translator, target: OfferId, offset: number): Promise<Reply> {
    const reply = await fleetAnswer(tr, this.deps.fleet ?? this.deps.customers.pages(), target, offset);
    return withFreshness(reply, fleetFreshness(tr, await this.deps.source.status()));
  }

  /**
   * "Refresh Contoso": the customer read again from the system of record now, then its eligibility. When the
   * system cannot be read, nothing changes and the answer says why (the last data is kept).
   */
  private async refresh(tr: Translator, customer: Customer): Promise<Reply> {
    const name = customer.companyProfile.companyName;
    let result;
    try {
      result = await this.deps.source.refresh(customer.id);
    } catch (error) {
      if (error instanceof SystemOfRecordAuthError) return { text: tr.t('refresh.auth', { customer: name }) };
      if (!(error instanceof SystemOfRecordUnavailableError)) throw error;
      return {
        text:
          customer.syncedAt === undefined
            ? tr.t('refresh.unavailableNoTime', { customer: name })
            : tr.t('refresh.unavailable', { customer: name, time: momentText(tr, customer.syncedAt) }),
      };
    }
    switch (result.kind) {
      case 'not-applicable':
        return { text: tr.t('refresh.fileSource') };
      case 'removed':
        return { text: tr.t('refresh.removed', { customer: name }) };
      case 'refreshed': {
        const fresh = result.customer;
        const count = fresh.subscriptions.length + (fresh.otherSubscriptions?.length ?? 0);
        const done = tr.t('refresh.done', {
          customer: fresh.companyProfile.companyName,
          count,
          time: momentText(tr, fresh.syncedAt ?? new Date().toISOString()),
        });
        const answer = await this.answerFor(tr, fresh, { intent: 'eligibility' });
        return { ...answer, text: `${done}\n\n${answer.text}` };
      }
    }
  }

  /**
   * "Upgrade Contoso to E3": straight to the choose-target card when one subscription can go there, or when
   * the subscription the conversation was about can ("go ahead with E5" after preparing its upgrade).
   */
  private async upgrade(
    tr: Translator,
    customer: Customer,
    target: OfferId | undefined,
    previous: string | undefined,
  ): Promise<Reply> {
    const candidates = this.deps.flow.upgradableSubscriptions(customer, target);
    const only =
      previous !== undefined && candidates.includes(previous)
        ? previous
        : candidates.length === 1
          ? candidates[0]
          : undefined;
    const choice =
      only === undefined ? undefined : await this.deps.flow.choose(tr, customer.id, only, target);
    if (choice !== undefined) return { ...choice, subscription: only };
    const answer = await this.answerFor(tr, customer, {
      intent: 'eligibility',
      ...(target === undefined ? {} : { target }),
    });
    return candidates.length > 1
      ? { ...answer, text: `${tr.t('upgrade.pickSubscription')}\n\n${answer.text}` }
      : answer;
  }

  /** A later page of a customer's history ("Show older"). */
  async historyPage(tr: Translator, customerId: string, offset: number): Promise<Reply> {
    const customer = await this.deps.customers.get(customerId);
    if (customer === undefined) return { text: tr.t('customer.unknownId') };
    const entries = await this.deps.flow.history(customer.id);
    return { ...historyAnswer(tr, customer, entries, offset), about: customer.id };
  }

  /**
   * A later page of a customer's eligibility answer. The card's data is not believed: the customer is looked up
   * and evaluated again; a target that is not a plan is the question about every target.
   */
  async eligibilityPage(tr: Translator, customerId: string, target: string, offset: number): Promise<Reply> {
    const customer = await this.deps.customers.get(customerId);
    if (customer === undefined) return { text: tr.t('customer.unknownId') };
    const reply = isOfferId(target)
      ? targetEligibilityAnswer(tr, customer, target, offset)
      : eligibilityAnswer(tr, customer, offset);
    return { ...(await this.fresh(tr, customer, reply)), about: customer.id };
  }

  /** One subscription's card, in full ("Details"), looked up and evaluated again. */
  async subscriptionDetails(
    tr: Translator,
    customerId: string,
    subscriptionId: string,
    target: string,
  ): Promise<Reply> {
    const customer = await this.deps.customers.get(customerId);
    if (customer === undefined) return { text: tr.t('customer.unknownId') };
    const reply = subscriptionDetailsAnswer(
      tr,
      customer,
      subscriptionId,
      isOfferId(target) ? target : undefined,
    );
    return { ...(await this.fresh(tr, customer, reply)), about: customer.id };
  }

  /** A later page of the customers that can move to a plan ("Next 10"). */
  async fleetPage(tr: Translator, target: string, offset: number): Promise<Reply> {
    if (!isOfferId(target)) return { text: tr.t('card.invalid') };
    return this.fleet(tr, target, offset);
  }

  /** The customer picked on a disambiguation card, looked up again. */
  async picked(
    tr: Translator,
    customerId: string,
    intent: CustomerIntent,
    target: string,
    seats = '',
  ): Promise<Reply> {
    const customer = await this.deps.customers.get(customerId);
    if (customer === undefined) return { text: tr.t('customer.unknownId') };
    const plan = isOfferId(target) ? target : undefined;
    if (intent === 'addLicences') {
      // What was asked goes on with the customer: the plan named is the subscription's, and the seats.
      const ask = seatAskOf(seats);
      return this.answerFor(tr, customer, {
        intent,
        ...(plan === undefined ? {} : { offer: plan }),
        ...(ask === undefined ? {} : { seats: ask }),
      });
    }
    return this.answerFor(tr, customer, { intent, ...(plan === undefined ? {} : { target: plan }) });
  }

  private async aboutCustomer(tr: Translator, u: Understanding, intent: CustomerIntent): Promise<Reply> {
    const question: CustomerQuestion = {
      intent,
      ...(u.target === undefined ? {} : { target: u.target }),
      // Licences: the seats asked, and the plan named is the subscription's ("Contoso's E3").
      ...(intent === 'addLicences' && u.seats !== undefined ? { seats: u.seats } : {}),
      ...(intent === 'addLicences' && u.source !== undefined ? { offer: u.source } : {}),
    };
    if (u.customer !== undefined) return this.resolved(tr, u.customer.text, u.customer.result, question);
    // "And to E5?": a follow-up without a name is about the customer (and subscription) of the previous answer.
    return u.followUp === undefined
      ? { text: tr.t('customer.missing') }
      : this.followUp(tr, u.followUp, question);
  }

  private async followUp(
    tr: Translator,
    context: DialogueContext,
    question: CustomerQuestion,
  ): Promise<Reply> {
    const previous = await this.deps.customers.get(context.customerId);
    if (previous === undefined) return { text: tr.t('customer.missing') };
    return this.answerFor(tr, previous, {
      ...question,
      ...(context.subscriptionId === undefined ? {} : { subscription: context.subscriptionId }),
    });
  }

  private async resolved(
    tr: Translator,
    query: string,
    result: LookupResult,
    question: CustomerQuestion,
  ): Promise<Reply> {
    switch (result.kind) {
      case 'match': {
        // The lookup knows names only: the directory has the customer as it is now.
        const customer = await this.deps.customers.get(result.customer.id);
        return customer === undefined
          ? { text: tr.t('customer.unknownId') }
          : this.answerFor(tr, customer, question);
      }
      case 'ambiguous': {
        const found = await Promise.all(result.candidates.map((c) => this.deps.customers.get(c.customer.id)));
        const candidates = found.filter((c): c is Customer => c !== undefined);
        return ambiguousAnswer(tr, query, candidates, {
          intent: question.intent,
          target: question.target ?? question.offer ?? '',
          seats: seatAskText(question.seats),
        });
      }
      case 'none':
        return notFoundAnswer(tr, query, result.suggestions);
    }
  }
}
