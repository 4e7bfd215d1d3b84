/**
 * Adding licences, in words and cards: which subscription and how many (add-licences card), the confirm card
 * (seats before → after, prorated billing) and the outcome. The request's ledger outcomes (already, cancelled,
 * failed, in progress) are the upgrade answers' with the licences' words (`wordsOf`).
 */
import type { LedgerEntry } from '../../core/ledger.js';
import {
  CATALOG,
  UNLIMITED_SEATS,
  type Customer,
  type LicencePlan,
  type Reason,
  type SeatAsk,
  type Subscription,
} from '../../rules/index.js';
import type { AddLicencesCardData, ConfirmCardData } from '../cards/data.js';
import { offerName, sentences, subscriptionLabel } from '../explain.js';
import type { Translator } from '../i18n.js';
import { NO_LINK, linkButton } from '../links.js';
import type { Reply } from './reply.js';
import {
  entryFacts,
  factsText,
  licenceFacts,
  outcome,
  plainText,
  reasonLine,
  refusedWithLines,
} from './outcomes.js';
import type { ConfirmView } from './upgrade.js';

function seatsLine(tr: Translator, s: Subscription): string {
  return tr.t('licences.subscriptionChoice', {
    subscription: subscriptionLabel(tr, s),
    seats: tr.number(s.quantity),
  });
}

/** The most seats the offer allows, in words ("at most 300"), or '' when there is no practical maximum. */
function maxNote(tr: Translator, s: Subscription): string {
  const max = CATALOG[s.offerId].maxQuantity;
  return max >= UNLIMITED_SEATS
    ? ''
    : tr.t('licences.labels.maxHint', { offer: offerName(tr, s.offerId), max: tr.number(max) });
}

/**
 * The add-licences card: the subscriptions to choose from when there are several (`selected` first chosen), and
 * the seats as asked (to add, or the new total), pre-filled.
 */
export function addLicencesAnswer(
  tr: Translator,
  customer: Customer,
  candidates: readonly Subscription[],
  selected: Subscription,
  ask: SeatAsk,
): Reply {
  const name = customer.companyProfile.companyName;
  const several = candidates.length > 1;
  const mode = 'total' in ask ? 'total' : 'add';
  const title = several
    ? tr.t('licences.chooseTitleCustomer', { customer: name })
    : tr.t('licences.chooseTitle', { subscription: subscriptionLabel(tr, selected) });
  const subscriptions = candidates.map((s) => ({ value: s.id, title: seatsLine(tr, s) }));
  const hint = sentences(
    tr,
    tr.t(`licences.labels.seatsHint_${mode}`),
    several ? '' : maxNote(tr, selected),
    tr.t('licences.labels.addOnly'),
  );
  const data: AddLicencesCardData = {
    title,
    subtitle: several
      ? tr.t('licences.chooseSubtitleSeveral', { customer: name })
      : tr.t('upgrade.chooseSubtitle', {
          customer: name,
          offer: offerName(tr, selected.offerId),
          seats: tr.number(selected.quantity),
        }),
    freshness: '',
    fallbackText: plainText([title, ...subscriptions.map((s) => `- ${s.title}`), hint]),
    customerId: customer.id,
    showChoice: several,
    subscriptions,
    selected: selected.id,
    shownSubscriptionId: several ? '' : selected.id,
    mode,
    seats: 'total' in ask ? ask.total : ask.add,
    labels: {
      subscription: tr.t('licences.labels.subscription'),
      subscriptionRequired: tr.t('licences.labels.subscriptionRequired'),
      seats: tr.t(`licences.labels.seats_${mode}`),
      seatsError: tr.t('licences.labels.seatsError'),
      seatsHint: hint,
      review: tr.t('upgrade.labels.review'),
    },
  };
  const text = several
    ? tr.t('licences.chooseSummarySeveral', { customer: name })
    : tr.t('licences.chooseSummary', { subscription: subscriptionLabel(tr, selected), customer: name });
  return { text, card: { name: 'add-licences', data } };
}

/** The confirm card of licences to add: seats before → after, and the billing effect (prorated from today). */
export function licenceConfirmAnswer(
  tr: Translator,
  customer: Customer,
  plan: LicencePlan,
  view: ConfirmView,
): Reply {
  const name = customer.companyProfile.companyName;
  const facts = licenceFacts(tr, customer, plan.subscription, plan.previousQuantity, plan.quantity);
  const title = tr.t('licences.confirmTitle', { customer: name });
  const billing = tr.t('licences.billing', { count: plan.added });
  const note = view.approversOnly ? tr.t('licences.approversNote') : '';
  const data: ConfirmCardData = {
    title,
    freshness: '',
    fallbackText: plainText([title, ...factsText(tr, facts), billing, note]),
    facts,
    warning: '',
    billing,
    billingLink: linkButton(tr, 'billing'),
    accountsTitle: '',
    accounts: [],
    accountsLink: NO_LINK,
    note,
    token: view.token,
    live: view.live,
    labels: {
      confirm: tr.t('licences.labels.confirm', { count: plan.added }),
      cancel: tr.t('upgrade.labels.cancel'),
    },
  };
  const text = tr.t('licences.confirmSummary', {
    subscription: subscriptionLabel(tr, plan.subscription),
    customer: name,
    from: tr.number(plan.previousQuantity),
    to: tr.number(plan.quantity),
    count: plan.added,
  });
  return { text, card: { name: 'confirm', data } };
}

/** Licences cannot be added as asked (before any card is confirmed, or at confirm): the reasons, nothing changed. */
export function licenceRefusedAnswer(
  tr: Translator,
  customer: Customer,
  subscription: Subscription,
  reasons: readonly Reason[],
): Reply {
  const message = tr.t('licences.notPossibleMessage', {
    customer: customer.companyProfile.companyName,
    subscription: subscriptionLabel(tr, subscription),
  });
  return refusedWithLines(
    tr,
    message,
    reasons.map((r) => reasonLine(tr, r, 'licences')),
    [],
    'licences',
  );
}

/** The licences were added: where (Partner Center, or the demo directory only) and what to do next. */
export function licenceDoneAnswer(
  tr: Translator,
  customer: Customer,
  entry: LedgerEntry & { readonly previousQuantity: number },
  system: 'embedded' | 'partner-center',
): Reply {
  const subscription = customer.subscriptions.find((s) => s.id === entry.subscriptionId);
  const vars = {
    customer: customer.companyProfile.companyName,
    subscription: subscription === undefined ? entry.subscriptionId : subscriptionLabel(tr, subscription),
    from: tr.number(entry.previousQuantity),
    to: tr.number(entry.quantity),
    count: entry.quantity - entry.previousQuantity,
  };
  const where =
    system === 'partner-center' ? tr.t('licences.doneInPartnerCenter') : tr.t('partnerCenter.doneEmbedded');
  return outcome(tr, tr.t('licences.doneSummary', vars), {
    title: tr.t('licences.doneTitle'),
    color: 'Good',
    message: sentences(tr, tr.t('licences.doneMessage', vars), where),
    facts: entryFacts(tr, customer, entry),
    nextSteps: [
      { text: tr.t('licences.nextSteps.assign', vars) },
      { text: tr.t('licences.nextSteps.billing'), link: 'billing' },
    ],
  });
}
