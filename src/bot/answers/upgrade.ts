/**
 * The upgrade cards' content: choose the target, confirm (with the planned changes), and the outcome.
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
import { isLicenceOrder, type Actor, type LedgerEntry } from '../../core/ledger.js';
import type {
  ChooseTargetCardData,
  ConfirmCardData,
  Fact,
  OutcomeCardData,
  TextLine,
  VerdictColor,
} from '../cards/data.js';
import {
  explain,
  offerName,
  sentences,
  serviceList,
  subscriptionLabel,
  type ExplainedChange,
} from '../explain.js';
import type { Translator } from '../i18n.js';
import { NO_LINK, linkButton, type LinkKey } from '../links.js';
import { asPlainText } from '../plain-text.js';
import type { Reply } from './reply.js';

/** A line of an outcome (a reason, a next step) and the article it cites, if any. */
export interface OutcomeLine {
  readonly text: string;
  readonly link?: LinkKey;
}

export function plainText(lines: readonly (string | undefined)[]): string {
  return lines.filter((l): l is string => l !== undefined && l !== '').join('\n');
}

/** The facts as lines, "title: value" as the language writes it (« Sièges : 40 », with its no-break space). */
export function factsText(tr: Translator, facts: readonly Fact[]): string[] {
  return facts.map((f) => tr.t('card.fact', { title: f.title, value: f.value }));
}

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

function requestFacts(
  tr: Translator,
  customer: Customer,
  plan: Pick<UpgradePlan, 'source' | 'target' | 'quantity' | 'upgradeType'>,
): Fact[] {
  return [
    { title: tr.t('upgrade.facts.customer'), value: customer.companyProfile.companyName },
    { title: tr.t('upgrade.facts.subscription'), value: subscriptionLabel(tr, plan.source) },
    {
      title: tr.t('upgrade.facts.change'),
      value: tr.t('upgrade.change', {
        from: offerName(tr, plan.source.offerId),
        to: offerName(tr, plan.target),
      }),
    },
    { title: tr.t('upgrade.facts.seats'), value: tr.number(plan.quantity) },
    { title: tr.t('upgrade.facts.type'), value: tr.t(`upgrade.type.${plan.upgradeType}`) },
  ];
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

/** The wording of an entry's outcomes: an upgrade's, or licences added. */
export function wordsOf(entry: LedgerEntry): 'upgrade' | 'licences' {
  return isLicenceOrder(entry) ? 'licences' : 'upgrade';
}

export function outcome(
  tr: Translator,
  summary: string,
  parts: {
    title: string;
    color: VerdictColor;
    message: string;
    facts: Fact[];
    linesTitle?: string;
    lines?: readonly OutcomeLine[];
    nextSteps?: readonly OutcomeLine[];
  },
): Reply {
  const lines: TextLine[] = (parts.lines ?? []).map(({ text }) => ({ text }));
  // A no-break space after the number: with a plain space, markdown makes each step a list of its own, and a
  // renderer that ignores a list's start number (Web Chat) shows every step as "1.".
  const nextSteps = (parts.nextSteps ?? []).map(({ text }, i) => ({ text: `${i + 1}.\u00a0${text}` }));
  // One button per article, however many lines cite it.
  const cited = new Set([...(parts.lines ?? []), ...(parts.nextSteps ?? [])].map((l) => l.link));
  const links = [...cited].flatMap((key) => (key === undefined ? [] : [linkButton(tr, key)]));
  const data: OutcomeCardData = {
    title: parts.title,
    color: parts.color,
    message: parts.message,
    facts: parts.facts,
    linesTitle: parts.linesTitle ?? '',
    lines,
    nextStepsTitle: tr.t('upgrade.nextStepsTitle'),
    nextSteps,
    links,
    fallbackText: plainText([
      parts.title,
      parts.message,
      ...factsText(tr, parts.facts),
      lines.length > 0 ? parts.linesTitle : undefined,
      ...lines.map((l) => `- ${l.text}`),
      ...nextSteps.map((s) => s.text),
    ]),
  };
  return { text: summary, card: { name: 'outcome', data } };
}

/** The customer, the subscription and its seats before → after, and how many are added. */
export function licenceFacts(
  tr: Translator,
  customer: Customer,
  subscription: Pick<Subscription, 'id' | 'offerId' | 'friendlyName'>,
  previous: number,
  quantity: number,
): Fact[] {
  return [
    { title: tr.t('upgrade.facts.customer'), value: customer.companyProfile.companyName },
    { title: tr.t('upgrade.facts.subscription'), value: subscriptionLabel(tr, subscription) },
    {
      title: tr.t('licences.facts.seats'),
      value: tr.t('upgrade.change', { from: tr.number(previous), to: tr.number(quantity) }),
    },
    { title: tr.t('licences.facts.added'), value: tr.number(quantity - previous) },
  ];
}

/** An entry as a plan-like record (for the facts of an outcome). */
export function entryFacts(tr: Translator, customer: Customer | undefined, entry: LedgerEntry): Fact[] {
  const found = customer?.subscriptions.find((s) => s.id === entry.subscriptionId);
  const source = { ...(found ?? { id: entry.subscriptionId }), offerId: entry.fromOffer } as Subscription;
  const owner = customer ?? placeholderCustomer(entry);
  const facts = isLicenceOrder(entry)
    ? licenceFacts(tr, owner, source, entry.previousQuantity, entry.quantity)
    : requestFacts(tr, owner, {
        source,
        target: entry.target,
        quantity: entry.quantity,
        upgradeType: entry.upgradeType,
      });
  if (entry.newSubscriptionId !== undefined && !isLicenceOrder(entry))
    facts.push({ title: tr.t('upgrade.facts.newSubscription'), value: entry.newSubscriptionId });
  if (entry.decidedBy !== undefined)
    facts.push({ title: tr.t('upgrade.facts.by'), value: actorName(tr, entry.decidedBy) });
  if (entry.decidedAt !== undefined)
    facts.push({ title: tr.t('upgrade.facts.when'), value: tr.date(new Date(entry.decidedAt)) });
  return facts;
}

/** A customer no longer in the directory (removed by a sync): the entry's ids stand for it. */
export function placeholderCustomer(entry: LedgerEntry): Customer {
  return {
    id: entry.customerId,
    companyProfile: { companyName: entry.customerId, domain: '' },
    delegatedAdmin: [],
    subscriptions: [],
  };
}

/** Who did it, as text: the display name (set by the user) never renders as markdown. */
export function actorName(tr: Translator, actor: Actor | undefined): string {
  const name = actor?.name ?? actor?.id;
  return name === undefined ? tr.t('upgrade.someone') : asPlainText(name);
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

/** A decided request with a plain message and no lines: cancelled, or failed (nothing changed). */
function entryOutcome(
  tr: Translator,
  customer: Customer | undefined,
  entry: LedgerEntry,
  kind: 'cancelled' | 'failed' | 'inProgress',
  color: VerdictColor,
): Reply {
  const words = wordsOf(entry);
  const message = tr.t(`${words}.${kind}Message`, {
    customer: customer?.companyProfile.companyName ?? entry.customerId,
  });
  return outcome(tr, message, {
    title: tr.t(`${words}.${kind}Title`),
    color,
    message,
    facts: entryFacts(tr, customer, entry),
  });
}

export function cancelledAnswer(tr: Translator, customer: Customer | undefined, entry: LedgerEntry): Reply {
  return entryOutcome(tr, customer, entry, 'cancelled', 'Default');
}

export type RefusalMessageKey = 'refusedMessage' | 'notPossibleMessage' | 'nothingEligible';

/** What a refusal says of the request (nothing changed). */
export function refusalMessage(
  tr: Translator,
  customer: Customer,
  request: { subscriptionId: string; fromOffer: OfferId; target: OfferId },
  messageKey: RefusalMessageKey,
): string {
  return tr.t(`upgrade.${messageKey}`, {
    subscription: subscriptionLabel(
      tr,
      customer.subscriptions.find((s) => s.id === request.subscriptionId) ?? {
        id: request.subscriptionId,
        offerId: request.fromOffer,
      },
    ),
    customer: customer.companyProfile.companyName,
    from: offerName(tr, request.fromOffer),
    to: offerName(tr, request.target),
  });
}

/** A reason in our words, with its remedy and the article it cites. */
export function reasonLine(tr: Translator, reason: Reason, change: ExplainedChange = 'upgrade'): OutcomeLine {
  const e = explain(tr, reason, change);
  const text = sentences(tr, e.text, e.remedy);
  return e.link === undefined ? { text } : { text, link: e.link };
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

/** The refused outcome card with its message and one line per reason (ours, or the system of record's). */
export function refusedWithLines(
  tr: Translator,
  message: string,
  lines: readonly OutcomeLine[],
  facts: Fact[] = [],
  words: 'upgrade' | 'licences' = 'upgrade',
): Reply {
  return outcome(tr, message, {
    title: tr.t(`${words}.refusedTitle`),
    color: 'Attention',
    message,
    facts,
    linesTitle: tr.t('upgrade.reasonsTitle'),
    lines,
  });
}

/**
 * A request refused when it was carried out. Partner Center may refuse for a reason that is none of ours
 * (codes 0, 4, 5, 9, 10, 11, unknown ones): the entry then has no reasons, only Partner Center's own words,
 * which are shown as it said them rather than a refusal that explains nothing.
 */
export function refusedEntryAnswer(
  tr: Translator,
  customer: Customer,
  entry: LedgerEntry,
  system: 'embedded' | 'partner-center' = 'embedded',
): Reply {
  const lines: OutcomeLine[] = entry.reasons.map((r) => reasonLine(tr, r, wordsOf(entry)));
  if (lines.length === 0 && system === 'partner-center' && entry.error !== undefined && entry.error !== '') {
    lines.push({
      text: sentences(
        tr,
        tr.t('partnerCenter.says', { description: entry.error }),
        tr.t('partnerCenter.remedy.generic'),
      ),
    });
  }
  const message = isLicenceOrder(entry)
    ? tr.t('licences.refusedMessage', {
        customer: customer.companyProfile.companyName,
        from: tr.number(entry.previousQuantity),
        to: tr.number(entry.quantity),
      })
    : refusalMessage(tr, customer, entry, 'refusedMessage');
  return refusedWithLines(tr, message, lines, entryFacts(tr, customer, entry), wordsOf(entry));
}

export function failedAnswer(tr: Translator, customer: Customer | undefined, entry: LedgerEntry): Reply {
  return entryOutcome(tr, customer, entry, 'failed', 'Attention');
}

/** Confirmed, but the outcome is not known yet: it is carried out once, and the history will show it. */
export function inProgressAnswer(tr: Translator, customer: Customer | undefined, entry: LedgerEntry): Reply {
  return { ...entryOutcome(tr, customer, entry, 'inProgress', 'Warning'), refreshToken: entry.token };
}

/** A second click, another user, a retry: what happened to this request, by whom and when. */
export function alreadyAnswer(tr: Translator, customer: Customer | undefined, entry: LedgerEntry): Reply {
  const message = tr.t(`${wordsOf(entry)}.alreadyMessage`, {
    context: entry.status,
    by: actorName(tr, entry.decidedBy),
    when: tr.date(
      new Date(entry.status === 'expired' ? entry.expiresAt : (entry.decidedAt ?? entry.requestedAt)),
    ),
  });
  return outcome(tr, message, {
    title: tr.t(`${wordsOf(entry)}.alreadyTitle`),
    color: 'Warning',
    message,
    facts: entryFacts(tr, customer, entry),
  });
}
