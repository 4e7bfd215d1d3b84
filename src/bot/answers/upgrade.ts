/**
 * The upgrade cards' content: choose the target, confirm (with the planned changes), and the upgrade done.
 * What every request's outcome shares is in ./outcomes.ts.
 */
import {
  CATALOG,
  UNLIMITED_SEATS,
  type AffectedAccount,
  type Customer,
  type OfferId,
  type Reason,
  type Subscription,
  type TargetVerdict,
  type UpgradePlan,
} from '../../rules/index.js';
import type { LedgerEntry } from '../../core/ledger.js';
import type { ChooseTargetCardData, ConfirmCardData, Fact, TextLine } from '../cards/data.js';
import { offerName, sentences, serviceList, subscriptionLabel } from '../explain.js';
import type { Translator } from '../i18n.js';
import { NO_LINK, linkButton, type LinkKey } from '../links.js';
import {
  entryFacts,
  factsText,
  outcome,
  plainText,
  reasonLine,
  refusalMessage,
  refusedWithLines,
  requestFacts,
  type OutcomeLine,
  type RefusalMessageKey,
} from './outcomes.js';
import type { Reply } from './reply.js';

/** The choose-target card: only the eligible targets, seats bounded by the targets' limits, transfer on. */
export function chooseTargetAnswer(
  tr: Translator,
  customer: Customer,
  subscription: Subscription,
  eligible: readonly TargetVerdict[],
  preselected?: OfferId,
): Reply {
  const subscriptionName = subscriptionLabel(tr, subscription);
  const name = customer.companyProfile.companyName;
  const targets = eligible.map((v) => ({
    value: v.target,
    title:
      v.additionalServices.length === 0
        ? tr.t('upgrade.targetChoiceNothing', { target: offerName(tr, v.target) })
        : tr.t('upgrade.targetChoice', {
            target: offerName(tr, v.target),
            services: serviceList(tr, v.additionalServices),
          }),
  }));
  const offers = eligible.map((v) => CATALOG[v.target]);
  const maxSeats = Math.max(...offers.map((o) => o.maxQuantity));
  const selected = eligible.some((v) => v.target === preselected) ? preselected! : eligible[0]!.target;
  const title = tr.t('upgrade.chooseTitle', { subscription: subscriptionName });
  const data: ChooseTargetCardData = {
    title,
    subtitle: tr.t('upgrade.chooseSubtitle', {
      customer: name,
      offer: offerName(tr, subscription.offerId),
      seats: tr.number(subscription.quantity),
    }),
    freshness: '',
    fallbackText: plainText([title, ...targets.map((t) => `- ${t.title}`)]),
    customerId: customer.id,
    subscriptionId: subscription.id,
    targets,
    selected,
    seats: subscription.quantity,
    minSeats: Math.min(...offers.map((o) => o.minQuantity)),
    maxSeats: maxSeats >= UNLIMITED_SEATS ? UNLIMITED_SEATS : maxSeats,
    labels: {
      target: tr.t('upgrade.labels.target'),
      targetRequired: tr.t('upgrade.labels.targetRequired'),
      seats: tr.t('upgrade.labels.seats'),
      seatsError: tr.t('upgrade.labels.seatsError'),
      seatsHint: tr.t('upgrade.labels.seatsHint', { seats: tr.number(subscription.quantity) }),
      transfer: tr.t('upgrade.labels.transfer'),
      review: tr.t('upgrade.labels.review'),
    },
  };
  return {
    text: tr.t('upgrade.chooseSummary', { subscription: subscriptionName, customer: name }),
    card: { name: 'choose-target', data },
  };
}

function accountLine(tr: Translator, a: AffectedAccount): TextLine {
  if (a.cause === 'partner_center_licence_error') {
    // Partner Center's own words: it names no services, only what went wrong.
    return {
      text: tr.t('partnerCenter.licenceError', {
        name: a.name,
        email: a.email,
        faults: (a.faults ?? []).join('; '),
      }),
    };
  }
  return {
    text: tr.t('upgrade.account', {
      name: a.name,
      email: a.email,
      services: serviceList(tr, a.services),
      cause: tr.t(`upgrade.cause.${a.cause}`),
    }),
  };
}

export interface ConfirmView {
  readonly token: string;
  /** Confirm and Cancel shown (false: the read-only view for others in a group chat). */
  readonly live: boolean;
  readonly approversOnly: boolean;
  /** Partner Center judged it: the card says what its check does not cover. */
  readonly notChecked?: boolean;
}

/** The confirm card for a planned (not yet applied) upgrade. */
export function confirmAnswer(
  tr: Translator,
  customer: Customer,
  plan: UpgradePlan,
  view: ConfirmView,
): Reply {
  const name = customer.companyProfile.companyName;
  const facts = [
    ...requestFacts(tr, customer, plan),
    {
      title: tr.t('upgrade.facts.added'),
      value:
        plan.additionalServices.length === 0 ? tr.t('list.none') : serviceList(tr, plan.additionalServices),
    },
  ];
  const accounts = plan.affectedAccounts.map((a) => accountLine(tr, a));
  const title = tr.t('upgrade.confirmTitle', { customer: name });
  const accountsTitle = tr.t('upgrade.accountsTitle', { count: accounts.length });
  const billing = tr.t('upgrade.billing');
  // Said before Confirm: without licence transfer, every user of the old subscription is left without one.
  const warning =
    plan.upgradeType === 'upgrade_only'
      ? tr.t('upgrade.upgradeOnlyWarning', { subscription: subscriptionLabel(tr, plan.source) })
      : '';
  const note = sentences(
    tr,
    view.notChecked === true ? tr.t('partnerCenter.notChecked') : '',
    view.approversOnly ? tr.t('upgrade.approversNote') : '',
  );
  const data: ConfirmCardData = {
    title,
    freshness: '',
    fallbackText: plainText([
      title,
      ...factsText(tr, facts),
      warning,
      billing,
      accountsTitle,
      ...accounts.map((a) => `- ${a.text}`),
      note,
    ]),
    facts,
    warning,
    billing,
    billingLink: linkButton(tr, 'billing'),
    accountsTitle,
    accounts,
    accountsLink: accounts.length > 0 ? linkButton(tr, 'reassign') : NO_LINK,
    note,
    token: view.token,
    live: view.live,
    labels: { confirm: tr.t('upgrade.labels.confirm'), cancel: tr.t('upgrade.labels.cancel') },
  };
  const text = tr.t('upgrade.confirmSummary', {
    subscription: subscriptionLabel(tr, plan.source),
    customer: name,
    from: offerName(tr, plan.source.offerId),
    to: offerName(tr, plan.target),
    seats: tr.number(plan.quantity),
  });
  return { text, card: { name: 'confirm', data } };
}

/**
 * The upgrade's outcome. `system` says where the change was made: Partner Center, or the demo directory only
 * (the bot's own data: the card must not let anyone believe that a real subscription changed).
 */
export function doneAnswer(
  tr: Translator,
  customer: Customer,
  entry: LedgerEntry,
  system: 'embedded' | 'partner-center' = 'embedded',
): Reply {
  const name = customer.companyProfile.companyName;
  const source = customer.subscriptions.find((s) => s.id === entry.subscriptionId);
  const vars = {
    customer: name,
    subscription: source === undefined ? entry.subscriptionId : subscriptionLabel(tr, source),
    from: offerName(tr, entry.fromOffer),
    to: offerName(tr, entry.target),
    newSubscription: entry.newSubscriptionId ?? '',
  };
  const accounts = entry.affectedAccounts.map((a) => accountLine(tr, a));
  const causes = new Set(entry.affectedAccounts.map((a) => a.cause));
  const step = (key: string, link?: LinkKey): OutcomeLine[] => [
    link === undefined ? { text: tr.t(key) } : { text: tr.t(key), link },
  ];
  // Partner Center lists the accounts that need manual work; the article on licence reassignment says how.
  const steps = [
    ...(causes.has('licence_not_transferred') ? step('upgrade.nextSteps.assignLicences', 'reassign') : []),
    ...(causes.has('custom_assignment_lost') ? step('upgrade.nextSteps.reassign', 'reassign') : []),
    ...(causes.has('beyond_seat_count') ? step('upgrade.nextSteps.notMoved', 'reassign') : []),
    ...(causes.has('partner_center_licence_error')
      ? step('partnerCenter.licenceErrorsStep', 'reassign')
      : []),
  ];
  const where =
    system === 'partner-center'
      ? tr.t('partnerCenter.doneInPartnerCenter', vars)
      : tr.t('partnerCenter.doneEmbedded');
  if (steps.length === 0) steps.push(...step('upgrade.nextSteps.nothing'));
  return outcome(tr, tr.t('upgrade.doneSummary', vars), {
    title: tr.t('upgrade.doneTitle'),
    color: 'Good',
    message: sentences(tr, tr.t('upgrade.doneMessage', vars), where),
    facts: entryFacts(tr, customer, entry),
    linesTitle: tr.t('upgrade.affectedTitle'),
    lines: accounts,
    nextSteps: [...steps, ...step('upgrade.nextSteps.billing', 'billing')],
  });
}

/** Refused now: the rules say no (at review or at confirm); nothing changed. */
export function refusedAnswer(
  tr: Translator,
  customer: Customer,
  request: { subscriptionId: string; fromOffer: OfferId; target: OfferId },
  reasons: readonly Reason[],
  facts: Fact[] = [],
  messageKey: RefusalMessageKey = 'refusedMessage',
): Reply {
  const message = refusalMessage(tr, customer, request, messageKey);
  return refusedWithLines(
    tr,
    message,
    reasons.map((r) => reasonLine(tr, r)),
    facts,
  );
}
