/**
 * "Can Contoso upgrade?" and "can Contoso move to E5?": the verdict on each subscription, every reason with
 * its remedy, and an "Upgrade…" action where a target is open.
 *
 * Long answers stay readable and within Teams' message size (issue 16): each fact is said once (what the
 * customer already has, that blocks a plan, is named in one place, not under every subscription it blocks);
 * the upgradable subscriptions come first, in full; the others take one line each, with a "Details" action
 * that fetches that subscription's card; and the answer comes a page at a time.
 */
import {
  CATALOG,
  evaluateCustomer,
  evaluateTarget,
  isSubscriptionReason,
  REASON_CODES,
  upgradeTargets,
  type Customer,
  type OfferId,
  type OtherSubscription,
  type Reason,
  type ReasonCode,
  type ServiceKey,
  type Subscription,
  type SubscriptionRef,
  type SubscriptionVerdict,
  type TargetVerdict,
} from '../../rules/index.js';
import {
  NO_ADD_LICENCES,
  type BlockSection,
  type EligibilityCardData,
  type Fact,
  type ReasonLine,
  type SubscriptionLine,
  type SubscriptionSection,
  type TextLine,
  type VerdictColor,
} from '../cards/data.js';
import {
  blockingRemedy,
  explain,
  offerList,
  offerName,
  serviceList,
  subscriptionLabel,
  tidyJapanese,
} from '../explain.js';
import { NO_LINK, linkButton } from '../links.js';
import type { Translator } from '../i18n.js';
import type { Reply } from './reply.js';

/** Subscriptions on a page of the answer ("page past about 20"). */
export const ELIGIBILITY_PAGE = 20;
/** At most this many subscriptions in full on a page; an answer about this many or fewer shows them all in full. */
export const FULL_PER_PAGE = 5;
/** Subscriptions named under "what the customer already has", before "and N more". */
const MAX_OWNED = 8;

/** A subscription and the verdicts of the targets asked about. */
interface Entry {
  readonly verdict: SubscriptionVerdict;
  readonly targets: readonly TargetVerdict[];
  readonly upgradable: boolean;
}

/** The question a card answers: every target, or one. */
interface Question {
  readonly target?: OfferId;
}

function facts(tr: Translator, s: Subscription): Fact[] {
  const offer = CATALOG[s.offerId];
  const name = offerName(tr, s.offerId);
  const offerText =
    offer.name2020 === undefined
      ? name
      : `${name} (${tr.t('eligibility.name2020', { name: offer.name2020 })})`;
  return [
    { title: tr.t('eligibility.facts.offer'), value: offerText },
    { title: tr.t('eligibility.facts.seats'), value: tr.number(s.quantity) },
    { title: tr.t('eligibility.facts.status'), value: tr.t(`status.${s.status}`) },
    { title: tr.t('eligibility.facts.channel'), value: tr.t(`channelShort.${s.channel}`) },
  ];
}

function verdictOf(reasons: readonly Reason[], eligible: boolean): { key: string; color: VerdictColor } {
  const codes = new Set(reasons.map((r) => r.code));
  if (eligible) return { key: 'upgradable', color: 'Good' };
  if (codes.has('bought_elsewhere')) return { key: 'elsewhere', color: 'Default' };
  if (codes.has('no_upgrade_path')) return { key: 'noPath', color: 'Default' };
  if (codes.has('subscription_not_active')) return { key: 'inactive', color: 'Warning' };
  return { key: 'blocked', color: 'Attention' };
}

function japanese(tr: Translator, text: string): string {
  return tr.language === 'ja' ? tidyJapanese(text) : text;
}

function reasonLine(tr: Translator, r: Reason): ReasonLine {
  const { text, remedy, link } = explain(tr, r);
  return { text, remedy, ...linkButton(tr, link), addLicences: NO_ADD_LICENCES };
}

/** What another subscription has that a target would add: said once, under "what the customer already has". */
type Overlap = Extract<Reason, { code: 'conflicting_services' | 'target_already_owned' }>;

function isOverlap(r: Reason): r is Overlap {
  return r.code === 'conflicting_services' || r.code === 'target_already_owned';
}

function overlapRef(r: Overlap): SubscriptionRef {
  return r.code === 'conflicting_services' ? r.conflicting : r.existing;
}

/**
 * A target's own reasons in words: each overlap with another subscription is one short line for all of them
 * ("it would add Power BI Pro, which the customer already has"), the subscriptions named once elsewhere.
 */
function targetLines(tr: Translator, reasons: readonly Reason[]): ReasonLine[] {
  const out: ReasonLine[] = [];
  const overlaps = reasons.filter(isOverlap);
  const owned = overlaps.find((r) => r.code === 'target_already_owned');
  const services = new Set(overlaps.flatMap((r) => (r.code === 'conflicting_services' ? r.services : [])));
  let said = false;
  for (const r of reasons) {
    if (!isOverlap(r)) {
      out.push(reasonLine(tr, r));
      continue;
    }
    if (said) continue;
    said = true;
    if (owned !== undefined)
      out.push({
        text: japanese(
          tr,
          tr.t('eligibility.alreadyOwns', { target: offerName(tr, owned.existing.offerId) }),
        ),
        remedy: '',
        ...NO_LINK,
        addLicences: NO_ADD_LICENCES,
      });
    if (services.size > 0)
      out.push({
        text: japanese(tr, tr.t('eligibility.alreadyHas', { services: serviceList(tr, [...services]) })),
        remedy: '',
        ...NO_LINK,
        addLicences: NO_ADD_LICENCES,
      });
  }
  return out;
}

function section(tr: Translator, entry: Entry): SubscriptionSection {
  const sv = entry.verdict;
  const s = sv.subscription;
  const eligible = entry.targets.filter((t) => t.eligible).map((t) => t.target);
  const verdict = verdictOf(sv.subscriptionReasons, eligible.length > 0);
  const blocks: BlockSection[] = [];
  if (sv.subscriptionReasons.length > 0) {
    blocks.push({
      heading: tr.t('eligibility.blockedAll'),
      reasons: sv.subscriptionReasons.map((r) => reasonLine(tr, r)),
    });
  }
  for (const t of entry.targets) {
    const own = t.reasons.filter((r) => !isSubscriptionReason(r));
    if (own.length > 0) {
      blocks.push({
        heading: tr.t('eligibility.blockedTarget', { target: offerName(tr, t.target) }),
        reasons: targetLines(tr, own),
      });
    }
  }
  return {
    id: s.id,
    heading: subscriptionLabel(tr, s),
    verdict: tr.t(`eligibility.verdict.${verdict.key}`),
    verdictColor: verdict.color,
    facts: facts(tr, s),
    notes: sv.indiaRule ? tr.t('eligibility.indiaNote') : '',
    eligibleLine:
      eligible.length > 0 ? tr.t('eligibility.canMoveTo', { targets: offerList(tr, eligible) }) : '',
    blocks,
    upgradable: eligible.length > 0,
  };
}

/** One line: the subscription, its verdict and, when blocked, what blocks it in a word or two. */
function line(tr: Translator, entry: Entry): SubscriptionLine {
  const s = entry.verdict.subscription;
  const key = verdictOf(entry.verdict.subscriptionReasons, entry.upgradable).key;
  const verdict = tr.t(`eligibility.verdict.${key}`);
  const subscription = subscriptionLabel(tr, s);
  if (entry.upgradable) return { id: s.id, text: tr.t('eligibility.line', { subscription, verdict }) };
  // What blocks it, but not what the verdict says already ("Not active: subscription not active").
  const codes = new Set<ReasonCode>(
    [...entry.verdict.subscriptionReasons, ...entry.targets.flatMap((t) => t.reasons)].map((r) => r.code),
  );
  codes.delete(VERDICT_CODES[key] ?? 'bought_elsewhere');
  const why = REASON_CODES.filter((c) => codes.has(c)).map((c) => tr.t(`reasonTitle.${c}`));
  return {
    id: s.id,
    text:
      why.length === 0
        ? tr.t('eligibility.line', { subscription, verdict })
        : tr.t('eligibility.lineWhy', { subscription, verdict, why: tr.list(why) }),
  };
}

/** The reason each verdict says by itself. */
const VERDICT_CODES: Readonly<Record<string, ReasonCode>> = {
  elsewhere: 'bought_elsewhere',
  noPath: 'no_upgrade_path',
  inactive: 'subscription_not_active',
};

/**
 * What the customer already has that blocks a target shown in full: each subscription once, with the services
 * the targets would add again, and its remedy.
 */
function owned(tr: Translator, customerId: string, entries: readonly Entry[]): ReasonLine[] {
  const bySubscription = new Map<
    string,
    { ref: SubscriptionRef; services: Set<ServiceKey>; code: Overlap['code'] }
  >();
  for (const entry of entries)
    for (const t of entry.targets)
      for (const r of t.reasons) {
        if (!isOverlap(r)) continue;
        const ref = overlapRef(r);
        const seen = bySubscription.get(ref.subscriptionId) ?? {
          ref,
          services: new Set<ServiceKey>(),
          code: r.code,
        };
        bySubscription.set(ref.subscriptionId, seen);
        if (r.code === 'conflicting_services') for (const s of r.services) seen.services.add(s);
        // A subscription of a plan asked for is that plan already owned (C4): its remedy is not C3's.
        else seen.code = r.code;
      }
  const all = [...bySubscription.values()];
  const out: ReasonLine[] = all.slice(0, MAX_OWNED).map(({ ref, services, code }) => {
    const subscription = subscriptionLabel(tr, ref);
    const has = services.size > 0 ? [...services] : CATALOG[ref.offerId].services;
    const { remedy, link } = blockingRemedy(tr, code, ref);
    return {
      text: japanese(
        tr,
        tr.t('eligibility.ownedLine', {
          services: serviceList(tr, has),
          subscription,
          channel: tr.t(`channel.${ref.channel}`),
        }),
      ),
      remedy,
      ...linkButton(tr, link),
      // The plan owned through us (C4): more users get it by more licences on that subscription.
      addLicences:
        code === 'target_already_owned' && ref.channel === 'partner'
          ? { title: tr.t('licences.addButton'), customerId, subscriptionId: ref.subscriptionId }
          : NO_ADD_LICENCES,
    };
  });
  if (all.length > MAX_OWNED)
    out.push({
      text: tr.t('eligibility.ownedMore', { count: all.length - MAX_OWNED }),
      remedy: '',
      ...NO_LINK,
      addLicences: NO_ADD_LICENCES,
    });
  return out;
}

/**
 * What the synced copy could not check: delegated admin, when the source does not hold it. One line for the
 * customer, not one per subscription.
 */
function notCheckedOf(tr: Translator, customer: Customer): string {
  return customer.delegatedAdmin === 'unknown' ? tr.t('freshness.notChecked') : '';
}

/** A subscription the catalog does not judge, as it is: its name, seats and status, and that we give no verdict. */
function unjudgedLine(tr: Translator, s: OtherSubscription): TextLine {
  const name =
    s.friendlyName === undefined || s.friendlyName === s.offerName
      ? s.offerName
      : `${s.friendlyName} (${s.offerName})`;
  const subscription = `${name} · ${tr.number(s.quantity)} · ${tr.t(`status.${s.status}`)}`;
  return { text: tr.t(`freshness.other.${s.kind}`, { subscription }) };
}

/** The short text for clients that do not render cards: the title, the summary, the upgradable ones. */
function fallbackText(title: string, summary: string, full: readonly SubscriptionSection[]): string {
  const upgradable = full.filter((s) => s.upgradable).map((s) => `- ${s.heading}`);
  return [title, summary, ...upgradable].filter((l) => l !== '').join('\n');
}

function card(
  tr: Translator,
  customer: Customer,
  question: Question,
  content: {
    title: string;
    summary: string;
    full: readonly Entry[];
    brief: readonly Entry[];
    /** Subscriptions after this page, and where the next page starts. */
    remaining: number;
    nextOffset: number;
    /** The first page of an answer: what was not checked, and the subscriptions without a verdict. */
    first: boolean;
  },
): EligibilityCardData {
  const subscriptions = content.full.map((e) => section(tr, e));
  const ownedLines = owned(tr, customer.id, content.full);
  const unjudged = content.first ? (customer.otherSubscriptions ?? []).map((s) => unjudgedLine(tr, s)) : [];
  const notChecked = content.first ? notCheckedOf(tr, customer) : '';
  return {
    title: content.title,
    summary: content.summary,
    freshness: '',
    notChecked,
    fallbackText: [
      fallbackText(content.title, content.summary, subscriptions),
      notChecked,
      ...unjudged.map((l) => `- ${l.text}`),
    ]
      .filter((l) => l !== '')
      .join('\n'),
    customerId: customer.id,
    target: question.target ?? '',
    labels: { upgrade: tr.t('eligibility.upgrade'), details: tr.t('eligibility.details') },
    subscriptions,
    ownedTitle: ownedLines.length > 0 ? tr.t('eligibility.ownedTitle') : '',
    owned: ownedLines,
    othersTitle: content.brief.length > 0 ? tr.t('eligibility.othersTitle') : '',
    others: content.brief.map((e) => line(tr, e)),
    unjudgedTitle: unjudged.length > 0 ? tr.t('freshness.otherTitle') : '',
    unjudged,
    more: content.remaining > 0 ? tr.t('eligibility.more', { count: content.remaining }) : '',
    moreLabel: tr.t('eligibility.showMore', { count: Math.min(ELIGIBILITY_PAGE, content.remaining) }),
    nextOffset: content.nextOffset,
  };
}

/** The subscriptions asked about, each with the verdicts of the targets asked about, upgradable first. */
function entriesOf(customer: Customer, question: Question): { entries: Entry[]; withPath: boolean } {
  const all = evaluateCustomer(customer).subscriptions;
  const { target } = question;
  if (target === undefined) {
    const entries = all.map((verdict) => ({
      verdict,
      targets: verdict.targets,
      upgradable: verdict.upgradable,
    }));
    return { entries: upgradableFirst(entries), withPath: true };
  }
  const withPath = all.filter((sv) => upgradeTargets(sv.subscription.offerId).includes(target));
  const asked = withPath.length > 0 ? withPath : all;
  const entries = asked.map((verdict) => {
    const t = evaluateTarget(customer, verdict.subscription, target);
    return { verdict, targets: [t], upgradable: t.eligible };
  });
  return { entries: upgradableFirst(entries), withPath: withPath.length > 0 };
}

function upgradableFirst(entries: Entry[]): Entry[] {
  return [...entries.filter((e) => e.upgradable), ...entries.filter((e) => !e.upgradable)];
}

function titleOf(tr: Translator, customer: Customer, question: Question): string {
  const name = customer.companyProfile.companyName;
  return question.target === undefined
    ? tr.t('eligibility.title', { customer: name })
    : tr.t('eligibility.titleTarget', { customer: name, target: offerName(tr, question.target) });
}

function summaryOf(
  tr: Translator,
  customer: Customer,
  question: Question,
  entries: readonly Entry[],
  withPath: boolean,
): string {
  const name = customer.companyProfile.companyName;
  const open = entries.filter((e) => e.upgradable);
  if (question.target === undefined)
    return tr.t('eligibility.summary', { customer: name, count: open.length, total: entries.length });
  const target = offerName(tr, question.target);
  if (!withPath) return tr.t('eligibility.noPathToTarget', { customer: name, target });
  if (open.length === 0) return tr.t('eligibility.summaryTarget_no', { customer: name, target });
  if (open.length > 3)
    return tr.t('eligibility.summaryTargetCount', { customer: name, target, count: open.length });
  return tr.t('eligibility.summaryTarget_yes', {
    customer: name,
    target,
    subscriptions: tr.list(open.map((e) => subscriptionLabel(tr, e.verdict.subscription))),
  });
}

/**
 * A page of the answer: the subscriptions from `offset`, `ELIGIBILITY_PAGE` at most, upgradable first; the
 * upgradable ones in full (`FULL_PER_PAGE` at most), the others one line each. An answer about no more than
 * `FULL_PER_PAGE` subscriptions shows every one in full.
 */
function eligibilityPage(tr: Translator, customer: Customer, question: Question, offset: number): Reply {
  const name = customer.companyProfile.companyName;
  if (customer.subscriptions.length === 0) {
    // Only offers the catalog does not judge, if any: listed as they are.
    const unjudged = (customer.otherSubscriptions ?? []).map((s) => `- ${unjudgedLine(tr, s).text}`);
    return {
      text: [tr.t('eligibility.noSubscriptions', { customer: name }), notCheckedOf(tr, customer), ...unjudged]
        .filter((l) => l !== '')
        .join('\n'),
    };
  }
  const { entries, withPath } = entriesOf(customer, question);
  if (!Number.isInteger(offset) || offset < 0 || offset >= entries.length)
    return { text: tr.t('eligibility.pageGone', { customer: name }) };
  const page = entries.slice(offset, offset + ELIGIBILITY_PAGE);
  const allFull = entries.length <= FULL_PER_PAGE;
  const full: Entry[] = [];
  const brief: Entry[] = [];
  for (const e of page) {
    if (allFull || (e.upgradable && full.length < FULL_PER_PAGE)) full.push(e);
    else brief.push(e);
  }
  const summary =
    offset === 0
      ? summaryOf(tr, customer, question, entries, withPath)
      : tr.t('eligibility.page', {
          customer: name,
          from: tr.number(offset + 1),
          to: tr.number(offset + page.length),
          total: tr.number(entries.length),
        });
  const nextOffset = offset + page.length;
  const data = card(tr, customer, question, {
    title: titleOf(tr, customer, question),
    summary,
    full,
    brief,
    remaining: entries.length - nextOffset,
    nextOffset,
    first: offset === 0,
  });
  const text = data.notChecked === '' ? summary : `${summary}\n${data.notChecked}`;
  return { text, card: { name: 'eligibility', data } };
}

/** Every subscription of the customer and every target of each (the first page). */
export function eligibilityAnswer(tr: Translator, customer: Customer, offset = 0): Reply {
  return eligibilityPage(tr, customer, {}, offset);
}

/** The verdict for one target on each subscription that has it as a path (or, if none has, on each one). */
export function targetEligibilityAnswer(
  tr: Translator,
  customer: Customer,
  target: OfferId,
  offset = 0,
): Reply {
  return eligibilityPage(tr, customer, { target }, offset);
}

/** One subscription's card, in full (the "Details" action on its line), for the question of the card. */
export function subscriptionDetailsAnswer(
  tr: Translator,
  customer: Customer,
  subscriptionId: string,
  target?: OfferId,
): Reply {
  const name = customer.companyProfile.companyName;
  const entry = entriesOf(customer, target === undefined ? {} : { target }).entries.find(
    (e) => e.verdict.subscription.id === subscriptionId,
  );
  if (entry === undefined)
    return {
      text: tr.t('eligibility.unknownSubscription', { customer: name, subscription: subscriptionId }),
    };
  const title = tr.t('eligibility.detailsTitle', {
    customer: name,
    subscription: subscriptionLabel(tr, entry.verdict.subscription),
  });
  const data = card(tr, customer, target === undefined ? {} : { target }, {
    title,
    summary: '',
    full: [entry],
    brief: [],
    remaining: 0,
    nextOffset: 0,
    first: false,
  });
  const verdict = data.subscriptions[0]?.verdict ?? '';
  return {
    text: `${title} · ${verdict}`,
    card: { name: 'eligibility', data: { ...data, fallbackText: `${title}\n${verdict}` } },
  };
}
