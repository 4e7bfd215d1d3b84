/**
 * Reasons in words: every reason code becomes an explanation and a remedy, with the data behind it.
 */
import {
  CATALOG,
  UNLIMITED_SEATS,
  type OfferId,
  type Reason,
  type ReasonCode,
  type ServiceKey,
  type SubscriptionRef,
} from '../rules/index.js';
import type { Language, Translator } from './i18n.js';
import type { LinkKey } from './links.js';

interface Explanation {
  readonly code: ReasonCode;
  readonly text: string;
  readonly remedy: string;
  /** The article the Partner Center article cites for this reason, when it cites one. */
  readonly link?: LinkKey;
}

/**
 * Offer names are proper names, written as each language's edition of the Partner Center article writes them
 * (docs/glossary.md, "Offer names"): the French one says "Entreprise" for E1 and E3, "Enterprise" for E5; the
 * Japanese one keeps the English names. Elsewhere the catalog's name.
 */
const OFFER_NAMES: Readonly<Partial<Record<Language, Partial<Record<OfferId, string>>>>> = {
  fr: { O365_E1: 'Office 365 Entreprise E1', O365_E3: 'Office 365 Entreprise E3' },
};

export function offerName(tr: Pick<Translator, 'language'>, id: OfferId): string {
  return OFFER_NAMES[tr.language]?.[id] ?? CATALOG[id].name;
}

export function offerList(tr: Translator, ids: readonly OfferId[]): string {
  return ids.length === 0 ? tr.t('list.none') : tr.list(ids.map((id) => offerName(tr, id)));
}

const disjunctions = new Map<Language, Intl.ListFormat>();
const LATIN_END = /[\p{Script=Latin}\d.)]$/u;
const LATIN_START = /^[\p{Script=Latin}\d(]/u;
const KANA_KANJI_END = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]$/u;
const KANA_KANJI_START = /^[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;

/**
 * "A or B" in the language: "A, B, or C", « A, B ou C », 「A、B、または C」. Japanese text sets Latin words
 * apart from kana and kanji with a space, as the Partner Center article does ("Office 365 Business India と
 * Office 365 Business Essentials India は"); Intl writes "AまたはB".
 */
export function orList(tr: Pick<Translator, 'language'>, items: readonly string[]): string {
  let format = disjunctions.get(tr.language);
  if (format === undefined) {
    format = new Intl.ListFormat(tr.language, { type: 'disjunction' });
    disjunctions.set(tr.language, format);
  }
  const parts = format.formatToParts(items).map((p) => p.value);
  if (tr.language !== 'ja') return parts.join('');
  return parts.reduce((out, part) => {
    const spaced =
      (LATIN_END.test(out) && KANA_KANJI_START.test(part)) ||
      (KANA_KANJI_END.test(out) && LATIN_START.test(part));
    return spaced ? `${out} ${part}` : out + part;
  }, '');
}

/** Sentences one after the other: a space between them, none in Japanese (after 。). */
export function sentences(tr: Pick<Translator, 'language'>, ...parts: readonly string[]): string {
  return parts.filter((p) => p !== '').join(tr.language === 'ja' ? '' : ' ');
}

const JAPANESE = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}ー、。「」（）：]/u;
const KATAKANA = /[\p{Script=Katakana}ー]/u;

/**
 * Japanese sets Latin words apart with a space (the Partner Center article: "サブスクリプション で Power BI Pro を"
 * reads "… で Power BI Pro を"), so the strings put spaces around the names they take; a name that is itself
 * Japanese (電話システム, 自社から) must then lose them: "で 電話システム を" → "で電話システムを". Spaces between two
 * katakana words stay ("パートナー センター", "ユーザー アカウント"), as Microsoft writes them.
 */
export function tidyJapanese(text: string): string {
  return text.replace(/(?<=(.)) (?=(.))/gu, (space, before: string, after: string) =>
    JAPANESE.test(before) && JAPANESE.test(after) && !(KATAKANA.test(before) && KATAKANA.test(after))
      ? ''
      : space,
  );
}

export function serviceList(tr: Translator, services: readonly ServiceKey[]): string {
  return tr.list(services.map((s) => tr.t(`service.${s}`)));
}

/** How a subscription is named to the user: its friendly name or its offer, and its id. */
export function subscriptionLabel(
  tr: Pick<Translator, 'language'>,
  s: {
    friendlyName?: string;
    offerId: OfferId;
    subscriptionId?: string;
    id?: string;
  },
): string {
  const id = s.subscriptionId ?? s.id ?? '';
  return s.friendlyName === undefined
    ? `${offerName(tr, s.offerId)} (${id})`
    : `${s.friendlyName} – ${offerName(tr, s.offerId)} (${id})`;
}

/** The remedy for another subscription that blocks a plan (C3, C4), and the article it cites, if any. */
export function blockingRemedy(
  tr: Translator,
  code: 'conflicting_services' | 'target_already_owned',
  ref: SubscriptionRef,
): { readonly remedy: string; readonly link?: LinkKey } {
  const { remedy, link } = blockingSubscription(tr, code, ref);
  const tidy = tr.language === 'ja' ? tidyJapanese(remedy) : remedy;
  return link === undefined ? { remedy: tidy } : { remedy: tidy, link };
}

function blockingSubscription(
  tr: Translator,
  code: 'conflicting_services' | 'target_already_owned',
  ref: SubscriptionRef,
) {
  const subscription = subscriptionLabel(tr, ref);
  const ours = ref.channel === 'partner';
  return {
    subscription,
    channel: tr.t(`channel.${ref.channel}`),
    status: tr.t(`status.${ref.status}`),
    remedy: tr.t(`reason.${code}.remedy`, {
      context: ours ? undefined : 'elsewhere',
      subscription,
      target: offerName(tr, ref.offerId),
    }),
    // The article requires cancelling only what was bought from another partner or channel (Multichannel).
    ...(ours ? {} : { link: 'multichannel' as const }),
  };
}

/** What is being explained: an upgrade, or licences added to a subscription (the same codes read otherwise). */
export type ExplainedChange = 'upgrade' | 'licences';

export function explain(tr: Translator, reason: Reason, change: ExplainedChange = 'upgrade'): Explanation {
  const e = change === 'licences' ? licenceExplanation(tr, reason) : explanation(tr, reason);
  return tr.language === 'ja' ? { ...e, text: tidyJapanese(e.text), remedy: tidyJapanese(e.remedy) } : e;
}

/**
 * Licences added: the conditions on the subscription say "licences cannot be added", not "cannot be upgraded";
 * the seat limits are the subscription's own offer's.
 */
function licenceExplanation(tr: Translator, reason: Reason): Explanation {
  const { t } = tr;
  switch (reason.code) {
    case 'bought_elsewhere':
      return {
        code: reason.code,
        text: t('licences.reason.bought_elsewhere.text', { channel: t(`channel.${reason.channel}`) }),
        remedy: t('licences.reason.bought_elsewhere.remedy'),
        link: 'multichannel',
      };
    case 'subscription_not_active':
      return {
        code: reason.code,
        text: t('reason.subscription_not_active.text', { status: t(`status.${reason.status}`) }),
        remedy: t('licences.reason.subscription_not_active.remedy', { context: reason.status }),
      };
    case 'trial_subscription':
      return {
        code: reason.code,
        text: t('reason.trial_subscription.text'),
        remedy: t('licences.reason.trial_subscription.remedy'),
      };
    case 'quantity_out_of_range':
      return {
        code: reason.code,
        text: t('licences.reason.quantity_out_of_range.text', {
          context: reason.maxQuantity >= UNLIMITED_SEATS ? 'unlimited' : undefined,
          quantity: tr.number(reason.quantity),
          min: tr.number(reason.minQuantity),
          max: tr.number(reason.maxQuantity),
          offer: offerName(tr, reason.target),
        }),
        remedy: t('licences.reason.quantity_out_of_range.remedy', {
          context: reason.maxQuantity >= UNLIMITED_SEATS ? 'unlimited' : undefined,
          max: tr.number(reason.maxQuantity),
        }),
        ...(reason.maxQuantity >= UNLIMITED_SEATS ? {} : { link: 'switchPlans' as const }),
      };
    default:
      return explanation(tr, reason);
  }
}

function explanation(tr: Translator, reason: Reason): Explanation {
  const { t } = tr;
  const code = reason.code;
  switch (reason.code) {
    case 'bought_elsewhere':
      return {
        code,
        text: t('reason.bought_elsewhere.text', { channel: t(`channel.${reason.channel}`) }),
        remedy: t('reason.bought_elsewhere.remedy'),
        link: 'multichannel',
      };
    case 'no_upgrade_path':
      return {
        code,
        text: t('reason.no_upgrade_path.text', { offer: offerName(tr, reason.offerId) }),
        remedy: t('reason.no_upgrade_path.remedy'),
        link: 'switchPlans',
      };
    case 'subscription_not_active':
      return {
        code,
        text: t('reason.subscription_not_active.text', { status: t(`status.${reason.status}`) }),
        remedy: t('reason.subscription_not_active.remedy', { context: reason.status }),
      };
    case 'delegated_admin_missing':
      return {
        code,
        text: t('reason.delegated_admin_missing.text', {
          service: reason.service,
          state: t(`adminStatus.${reason.status}`),
        }),
        remedy: t('reason.delegated_admin_missing.remedy'),
        link: 'delegatedAdmin',
      };
    case 'trial_subscription':
      return {
        code,
        text: t('reason.trial_subscription.text'),
        remedy: t('reason.trial_subscription.remedy'),
      };
    case 'add_ons_present':
      return {
        code,
        text: t('reason.add_ons_present.text', { addOns: offerList(tr, reason.addOns) }),
        remedy: t('reason.add_ons_present.remedy'),
      };
    case 'target_not_available':
      return {
        code,
        text: t('reason.target_not_available.text', {
          context: reason.indiaRule ? 'india' : undefined,
          target: offerName(tr, reason.target),
          offer: offerName(tr, reason.offerId),
        }),
        remedy: t('reason.target_not_available.remedy', { targets: offerList(tr, reason.validTargets) }),
      };
    case 'conflicting_services': {
      const b = blockingSubscription(tr, reason.code, reason.conflicting);
      return {
        code,
        text: t('reason.conflicting_services.text', { ...b, services: serviceList(tr, reason.services) }),
        remedy: b.remedy,
        ...(b.link === undefined ? {} : { link: b.link }),
      };
    }
    case 'target_already_owned': {
      const b = blockingSubscription(tr, reason.code, reason.existing);
      return {
        code,
        text: t('reason.target_already_owned.text', { ...b, target: offerName(tr, reason.existing.offerId) }),
        remedy: b.remedy,
        ...(b.link === undefined ? {} : { link: b.link }),
      };
    }
    case 'quantity_out_of_range':
      return {
        code,
        text: t('reason.quantity_out_of_range.text', {
          context: reason.maxQuantity >= UNLIMITED_SEATS ? 'unlimited' : undefined,
          quantity: tr.number(reason.quantity),
          min: tr.number(reason.minQuantity),
          max: tr.number(reason.maxQuantity),
          target: offerName(tr, reason.target),
        }),
        remedy: t('reason.quantity_out_of_range.remedy'),
      };
    case 'seats_not_added':
      return {
        code,
        text: t('reason.seats_not_added.text', {
          quantity: tr.number(reason.quantity),
          asked: tr.number(reason.asked),
        }),
        remedy: t('reason.seats_not_added.remedy'),
      };
    case 'seat_count_changed':
      return {
        code,
        text: t('reason.seat_count_changed.text', {
          expected: tr.number(reason.expected),
          actual: tr.number(reason.actual),
        }),
        remedy: t('reason.seat_count_changed.remedy'),
      };
  }
}
