/**
 * The outcome of any request, an upgrade or licences added: the outcome card, the request's facts, and what
 * the ledger says of it (done by whom, cancelled, refused, failed, in progress). Each request is worded as what
 * it changes (`wordsOf`).
 */
import type { Customer, OfferId, Reason, Subscription, UpgradePlan } from '../../rules/index.js';
import { isLicenceOrder, type Actor, type LedgerEntry } from '../../core/ledger.js';
import type { Fact, OutcomeCardData, TextLine, VerdictColor } from '../cards/data.js';
import { explain, offerName, sentences, subscriptionLabel, type ExplainedChange } from '../explain.js';
import type { Translator } from '../i18n.js';
import { linkButton, type LinkKey } from '../links.js';
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

export function requestFacts(
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
