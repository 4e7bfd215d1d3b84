/**
 * The plan entity: where a plan (a catalog offer) is named in free text, in English, French or Japanese.
 *
 * Every way to name an offer is data in one table, `PLAN_ALIASES`, built from the catalog (name, 2020 name,
 * short names) plus the forms of the Partner Center article's French and Japanese editions (docs/rules.md)
 * and common usage. Matching is case-, accent-, width- and spacing-insensitive ("Pro Plus" = "proplus" =
 * "ＰｒｏＰｌｕｓ"), an optional "Office 365"/"O365"/"Microsoft 365" prefix is part of the match, and the
 * longest match wins ("Business Premium India" over "Business Premium" over "Business"). Aliases that are
 * also ordinary words ("Business", "Exchange") are *weak*: they count only with a prefix or next to a word
 * that says "plan" ("the Business plan", "l'offre Business", "Businessプラン").
 *
 * "Microsoft 365" is not always the new name of an Office 365 offer: "Microsoft 365 Business Basic" is
 * Business Essentials renamed, but "Microsoft 365 E3", "Microsoft 365 E5" and "Microsoft 365 Business
 * Premium" are other products (rules/other-products.ts). After "Microsoft 365" (or M365), the names of those
 * tiers name the other product, never the Office 365 offer.
 */
import {
  CATALOG,
  OFFER_IDS,
  OTHER_PRODUCTS,
  OTHER_PRODUCT_IDS,
  type OfferId,
  type OtherProductId,
} from '../../rules/index.js';
import { foldWithOffsets, originalSpan } from './text.js';

interface PlanAliases {
  /** Names that mean this offer wherever they appear. */
  readonly strong: readonly string[];
  /** Ordinary words that mean this offer only next to a prefix or a word for "plan". */
  readonly weak: readonly string[];
}

interface Mention {
  /** The text as written. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** A plan named in text: an offer of the catalog, or another Microsoft 365 product ("Microsoft 365 E3"). */
export type PlanMention =
  | (Mention & { readonly offerId: OfferId; readonly other?: undefined })
  | (Mention & { readonly other: OtherProductId; readonly offerId?: undefined });

/** Catalog short names that are also ordinary words. */
const WEAK_SHORT_NAMES: ReadonlySet<string> = new Set(['Business', 'Exchange']);

/** Localized and colloquial forms, added to the catalog's names (the article's French and Japanese terms). */
const LOCALIZED: Partial<Record<OfferId, { strong?: readonly string[]; weak?: readonly string[] }>> = {
  O365_BUSINESS: {
    strong: ['Apps pour les entreprises', 'Microsoft 365 Apps pour les entreprises'],
    weak: ['ビジネス'],
  },
  O365_BUSINESS_ESSENTIALS: {
    strong: [
      'Business Essential',
      'Business Essentiels',
      'Business Essentiel',
      'ビジネス エッセンシャルズ',
      'ビジネス エッセンシャル',
      'ビジネス ベーシック',
      'エッセンシャルズ',
    ],
  },
  O365_BUSINESS_PREMIUM: {
    strong: ['ビジネス プレミアム', 'ビジネス スタンダード', 'プレミアム'],
  },
  O365_PROPLUS: {
    strong: [
      'Pro+',
      'Apps pour les grandes entreprises',
      'Microsoft 365 Apps pour les grandes entreprises',
      'プロプラス',
      'プロ プラス',
    ],
  },
  O365_E1: { strong: ['Entreprise E1', 'エンタープライズ E1'] },
  O365_E3: { strong: ['Entreprise E3', 'エンタープライズ E3'] },
  O365_E5: { strong: ['Entreprise E5', 'エンタープライズ E5'] },
  POWER_BI_PRO: { strong: ['Power BI Pro'] },
};

/** How "India" is written after an India offer's base name. */
const INDIA_WORDS: readonly string[] = ['India', 'Inde', 'インド', '(India)', '(Inde)', 'for India'];

/** Words before or after a weak alias that make it a plan name. */
const PLAN_WORDS_AFTER: readonly string[] = [
  'plan',
  'plans',
  'subscription',
  'subscriptions',
  'sku',
  'skus',
  'licence',
  'licences',
  'license',
  'licenses',
  'seats',
  'offer',
  'edition',
  'suite',
  'tier',
  'プラン',
  'サブスクリプション',
  'ライセンス',
  'エディション',
  '版',
];
const PLAN_WORDS_BEFORE: readonly string[] = [
  'plan',
  'offre',
  'offer',
  'abonnement',
  'abonnements',
  'formule',
  'forfait',
  'licence',
  'licences',
  'sku',
  'edition',
];

/** The base offer of an India offer ("Office 365 Business Premium India" → Business Premium). */
function indiaBase(id: OfferId): OfferId | undefined {
  const name = CATALOG[id].name.replace(/ India$/, '');
  return OFFER_IDS.find((other) => other !== id && CATALOG[other].name === name);
}

function aliasesOf(id: OfferId): PlanAliases {
  const o = CATALOG[id];
  const own = [o.name, ...(o.name2020 === undefined ? [] : [o.name2020]), ...o.shortNames];
  const strong = own.filter((n) => !WEAK_SHORT_NAMES.has(n));
  const weak = own.filter((n) => WEAK_SHORT_NAMES.has(n));
  strong.push(...(LOCALIZED[id]?.strong ?? []));
  weak.push(...(LOCALIZED[id]?.weak ?? []));
  const base = o.india ? indiaBase(id) : undefined;
  if (base !== undefined) {
    const baseAliases = aliasesOf(base);
    for (const b of [...baseAliases.strong, ...baseAliases.weak]) {
      for (const india of INDIA_WORDS) strong.push(`${b} ${india}`);
    }
  }
  return { strong: [...new Set(strong)], weak: [...new Set(weak)] };
}

/** Every way to name each offer. */
export const PLAN_ALIASES: Readonly<Record<OfferId, PlanAliases>> = Object.fromEntries(
  OFFER_IDS.map((id) => [id, aliasesOf(id)]),
) as Record<OfferId, PlanAliases>;

/** The French and Japanese forms of the other products' tier names ("Microsoft 365 エンタープライズ E3"). */
const LOCALIZED_TIER_NAMES: Readonly<Record<OtherProductId, readonly string[]>> = {
  M365_BUSINESS_PREMIUM: ['ビジネス プレミアム', 'プレミアム', 'ビジネス'],
  M365_E3: ['Entreprise E3', 'エンタープライズ E3'],
  M365_E5: ['Entreprise E5', 'エンタープライズ E5'],
};

// ---------------------------------------------------------------------------------------------------------
// Matching

/** Separators allowed (or not) between the words of an alias: "Pro Plus" = "ProPlus" = "pro-plus". */
const SEP = '[\\s\\-_·・]*';
/** "Microsoft 365 " / "M365 " / "マイクロソフト 365 " (a few separators at most: it is looked behind too). */
const NEAR = '[\\s\\-_·・]{0,3}';
const MICROSOFT_365 = `(?<![a-z0-9])(?:microsoft|m|ms|マイクロソフト)${NEAR}365${NEAR}`;
/** "Office 365 " / "O365 " / "Microsoft 365 " / "M365 " / "オフィス365 " before any alias. */
const PREFIX = `((?:office|o|microsoft|m|ms|マイクロソフト|オフィス)${SEP}365${SEP})?`;
/** Before the tier names of the other products: "Office 365 " / "O365 " only, and never after "Microsoft 365". */
const OFFICE_ONLY_PREFIX = `(?<!${MICROSOFT_365})((?:office|o|オフィス)${SEP}365${SEP})?`;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A folded alias's words, split at spaces and at letter↔digit changes. */
function aliasPieces(alias: string): string[] {
  return foldWithOffsets(alias)
    .text.split(/[\s\-_·・]+/)
    .flatMap((w) => w.split(/(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])/))
    .filter((w) => w.length > 0);
}

interface CompiledAlias {
  readonly product: { readonly offerId: OfferId } | { readonly other: OtherProductId };
  readonly weak: boolean;
  readonly re: RegExp;
  /** The alias's longest word: a text without it cannot match, and is not run through `re`. */
  readonly needle: string;
}

/** The folded tier names that, after "Microsoft 365", name another product. */
const TIER_NAMES: ReadonlySet<string> = new Set(
  OTHER_PRODUCT_IDS.flatMap((id) => [...OTHER_PRODUCTS[id].tierNames, ...LOCALIZED_TIER_NAMES[id]]).map(
    (name) => aliasPieces(name).join(' '),
  ),
);

function compile(
  alias: string,
  product: CompiledAlias['product'],
  weak: boolean,
  prefix: string,
): CompiledAlias {
  const pieces = aliasPieces(alias);
  return {
    product,
    weak,
    // Not inside a Latin word or number: "E3" is not in "E35", "business" not in "businesses".
    re: new RegExp(`(?<![a-z0-9])${prefix}${pieces.map(escapeRegExp).join(SEP)}(?![a-z0-9])`, 'gu'),
    needle: pieces.reduce((a, b) => (b.length > a.length ? b : a), ''),
  };
}

const COMPILED: readonly CompiledAlias[] = [
  ...OFFER_IDS.flatMap((offerId) => {
    const { strong, weak } = PLAN_ALIASES[offerId];
    const prefixOf = (alias: string): string =>
      TIER_NAMES.has(aliasPieces(alias).join(' ')) ? OFFICE_ONLY_PREFIX : PREFIX;
    return [
      ...strong.map((a) => compile(a, { offerId }, false, prefixOf(a))),
      ...weak.map((a) => compile(a, { offerId }, true, prefixOf(a))),
    ];
  }),
  // "Microsoft 365 E3": the prefix is part of the name (a capture group, so that weak tier names count).
  ...OTHER_PRODUCT_IDS.flatMap((other) =>
    [...OTHER_PRODUCTS[other].tierNames, ...LOCALIZED_TIER_NAMES[other]].map((tier) =>
      compile(tier, { other }, false, `(${MICROSOFT_365})`),
    ),
  ),
];

const WORD_BEFORE = /([\p{L}\p{N}]+)[\s'’]*$/u;

function startsWithWord(text: string, words: readonly string[]): boolean {
  return words.some((w) => text.startsWith(w) && !/^[a-z0-9]/.test(text.slice(w.length)));
}

/** Whether a weak alias at [start, end) of the folded text stands next to a word for "plan". */
function inPlanContext(folded: string, start: number, end: number): boolean {
  const before = WORD_BEFORE.exec(folded.slice(0, start))?.[1];
  if (before !== undefined && PLAN_WORDS_BEFORE.includes(before)) return true;
  return startsWithWord(folded.slice(end).trimStart(), PLAN_WORDS_AFTER);
}

interface Candidate {
  readonly product: CompiledAlias['product'];
  readonly start: number;
  readonly end: number;
}

/** The plans named in `text`, in text order, without overlaps (the longest match wins). */
export function findPlans(text: string): PlanMention[] {
  const folded = foldWithOffsets(text);
  const candidates: Candidate[] = [];
  for (const alias of COMPILED) {
    if (!folded.text.includes(alias.needle)) continue;
    alias.re.lastIndex = 0;
    for (let m = alias.re.exec(folded.text); m !== null; m = alias.re.exec(folded.text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (end === start) {
        alias.re.lastIndex++;
        continue;
      }
      if (alias.weak && m[1] === undefined && !inPlanContext(folded.text, start, end)) continue;
      candidates.push({ product: alias.product, start, end });
    }
  }
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const chosen: Candidate[] = [];
  for (const c of candidates) {
    if (chosen.every((o) => c.end <= o.start || c.start >= o.end)) chosen.push(c);
  }
  return chosen
    .sort((a, b) => a.start - b.start)
    .map((c) => {
      // Trailing separators are not part of the name.
      let end = c.end;
      while (end > c.start && /[\s\-_·・]/.test(folded.text[end - 1] ?? '')) end--;
      const span = originalSpan(folded, c.start, end);
      return { ...c.product, text: text.slice(span.start, span.end), ...span };
    });
}
