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
 */
import { CATALOG, OFFER_IDS, type OfferId } from '../../rules/index.js';
import { foldWithOffsets, originalSpan } from './text.js';

interface PlanAliases {
  /** Names that mean this offer wherever they appear. */
  readonly strong: readonly string[];
  /** Ordinary words that mean this offer only next to a prefix or a word for "plan". */
  readonly weak: readonly string[];
}

export interface PlanMention {
  readonly offerId: OfferId;
  /** The text as written. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

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

// ---------------------------------------------------------------------------------------------------------
// Matching

/** Separators allowed (or not) between the words of an alias: "Pro Plus" = "ProPlus" = "pro-plus". */
const SEP = '[\\s\\-_·・]*';
/** "Office 365 " / "O365 " / "Microsoft 365 " / "M365 " / "オフィス365 " before any alias. */
const PREFIX = `((?:office|o|microsoft|m|ms|オフィス)${SEP}365${SEP})?`;

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
  readonly offerId: OfferId;
  readonly weak: boolean;
  readonly re: RegExp;
  /** The alias's longest word: a text without it cannot match, and is not run through `re`. */
  readonly needle: string;
}

const COMPILED: readonly CompiledAlias[] = OFFER_IDS.flatMap((offerId) => {
  const { strong, weak } = PLAN_ALIASES[offerId];
  const compile = (alias: string, isWeak: boolean): CompiledAlias => {
    const pieces = aliasPieces(alias);
    return {
      offerId,
      weak: isWeak,
      // Not inside a Latin word or number: "E3" is not in "E35", "business" not in "businesses".
      re: new RegExp(`(?<![a-z0-9])${PREFIX}${pieces.map(escapeRegExp).join(SEP)}(?![a-z0-9])`, 'gu'),
      needle: pieces.reduce((a, b) => (b.length > a.length ? b : a), ''),
    };
  };
  return [...strong.map((a) => compile(a, false)), ...weak.map((a) => compile(a, true))];
});

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
  readonly offerId: OfferId;
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
      candidates.push({ offerId: alias.offerId, start, end });
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
      return { offerId: c.offerId, text: text.slice(span.start, span.end), ...span };
    });
}
