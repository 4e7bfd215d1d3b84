/**
 * The number of licences in a request to add licences, in English, French or Japanese: how many to add
 * ("8 more seats", "another 4 licences", « 8 sièges de plus », 「4つ増やして」「ライセンスを5追加」) or the new total
 * ("bring it to 60 seats", "60 seats in total", « passer à 60 licences », 「60ライセンスにして」「合計60」).
 *
 * The text given is the message with its customer and plans blanked out (index.ts), so that the digits of a
 * plan or a name ("E3", "Office 365 E5", "Fabrikam 365") are never a count. What is left is matched folded
 * (case, accents, width: "４" is 4), with offsets kept into the text as typed:
 * - Numbers (`findNumbers`): ASCII or full-width digits that stand alone (not in "O365", "3pm", "2.5", "10%",
 *   "Office 365", "12 months"); small number words next to a word for licences or for "more" ("three more",
 *   "deux sièges", "another five"); Japanese numerals with a counter (四つ, 五ライセンス, ひとつ).
 * - What each number is (`seatsOf`), from the words around it: "more", "another", "add", "by", « de plus »,
 *   « ajoute », 「増やして」「追加」「あと」 say how many to add; "to", "total", « à », « au total », 「…に」「合計」
 *   say the new total; "from", 「…から」 the count before. A total wins over an increment ("by 8 to 48" is 48
 *   in total, which is what the confirm card shows); a number that says neither is how many to add ("Contoso
 *   needs 8 seats").
 */
import { foldWithOffsets, originalSpan } from './text.js';

/** The licences to add: how many more, or the new total. */
export type Seats = { readonly add: number } | { readonly total: number };

/** A number in the text, with its span in the text as typed. */
export interface NumberMention {
  readonly start: number;
  readonly end: number;
  readonly value: number;
}

// ---------------------------------------------------------------------------------------------------------
// Words

/** The words for a licence, folded (accents dropped): "seats", « sièges », 「ライセンス」. */
const SEAT_NOUN = String.raw`(?:seats?|licen[cs]es?|users?|sieges?|utilisateur(?:s|rices?)?|postes?|places?)(?![a-z])`;
const SEAT_NOUN_JA = '(?:ライセンス|シート|席|ユーザー|ユーザ|アカウント|人|名)';
/** Japanese counters that belong to the number (四つ, 5個): part of its span. */
const COUNTER_JA = '(?:つ|個|本)';

/** Small number words, English and French (folded). */
const WORD_VALUES: Readonly<Record<string, number>> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  un: 1,
  une: 1,
  deux: 2,
  trois: 3,
  quatre: 4,
  cinq: 5,
  sept: 7,
  huit: 8,
  neuf: 9,
  dix: 10,
  onze: 11,
  douze: 12,
  treize: 13,
  quatorze: 14,
  quinze: 15,
  seize: 16,
  'dix-sept': 17,
  'dix-huit': 18,
  'dix-neuf': 19,
  vingt: 20,
};
const WORD_RE = new RegExp(
  String.raw`(?<![a-z0-9-])(${Object.keys(WORD_VALUES)
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace('-', '[- ]?'))
    .join('|')})(?![a-z0-9-])`,
  'gu',
);
/** A number word counts only next to a word for licences or for "more" ("three more", "deux sièges"). */
const WORD_AFTER = new RegExp(
  String.raw`^\s+(?:(?:more|extra|additional|further|de plus|en plus|supplementaires?|additionnel(?:le)?s?)(?![a-z])|(?:(?:more|extra|additional|new|user|nouveaux|nouvelles|nouvel(?:le)?)\s+)?${SEAT_NOUN})`,
  'u',
);
const WORD_BEFORE = /(?:^|[^a-z])(?:another|add|adding|plus|encore|r?ajout\w*)\s+$/u;

/** Japanese numerals one to ninety-nine (一, 十五, 二十), and the native counts ひとつ…ここのつ. */
const KANJI_DIGITS: Readonly<Record<string, number>> = {
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const NATIVE_COUNTS: Readonly<Record<string, number>> = {
  ひとつ: 1,
  ふたつ: 2,
  みっつ: 3,
  よっつ: 4,
  いつつ: 5,
  むっつ: 6,
  ななつ: 7,
  やっつ: 8,
  ここのつ: 9,
};
/** A kanji numeral counts only with a counter or a word for licences after it (四つ, 五ライセンス; not 一覧). */
const KANJI_RE = new RegExp(
  `(?<!\\p{Script=Han})([一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])(?:${COUNTER_JA}|(?=${SEAT_NOUN_JA}))`,
  'gu',
);
const NATIVE_RE = new RegExp(`(${Object.keys(NATIVE_COUNTS).join('|')})`, 'gu');

function kanjiValue(numeral: string): number {
  const ten = numeral.indexOf('十');
  if (ten < 0) return KANJI_DIGITS[numeral] ?? 0;
  const tens = ten === 0 ? 1 : (KANJI_DIGITS[numeral.slice(0, ten)] ?? 0);
  const units = ten === numeral.length - 1 ? 0 : (KANJI_DIGITS[numeral.slice(ten + 1)] ?? 0);
  return tens * 10 + units;
}

// ---------------------------------------------------------------------------------------------------------
// Digits

/**
 * Digits standing alone ("8", "1,000", « 1 000 » grouped as French writes them, 「4つ」), a Japanese counter included: not inside a word or another
 * number ("O365", "3pm", "2.5", "10:30"), nor an amount, a share or a duration ("10%", "$10", "12 months").
 */
const DIGITS_RE = new RegExp(
  String.raw`(?<![a-z0-9.,:$€£¥#-])(\d{1,3}(?:,\d{3})+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![0-9])|\d+)(?![0-9]|[.,:]\d|[a-z]|\s*(?:[%€$£]|円|ドル|ユーロ|時|分(?!の)|日|週|月|ヶ月|か月|年|(?:dollars?|euros?|pounds?|percent|pour ?cent|am|pm|h|hours?|heures?|minutes?|days?|jours?|weeks?|semaines?|months?|mois|years?|ans?)(?![a-z])))(${COUNTER_JA})?`,
  'gu',
);
/** "Office 365", "Microsoft 365", "Windows 11": a product's number, not a count. */
const PRODUCT_BEFORE = /(?:^|[^a-z0-9])(?:office|microsoft|windows)[\s_-]*$|(?:オフィス|マイクロソフト)\s*$/u;

interface FoldedNumber {
  /** Offsets into the folded text. */
  readonly start: number;
  readonly end: number;
  readonly value: number;
}

/** The French number words of 17 to 19 as written in WORD_VALUES ("dix sept", "dixsept" → "dix-sept"). */
function wordKey(word: string): string {
  return word.startsWith('dix') && word.length > 3 ? `dix-${word.slice(3).replace(/^[- ]/, '')}` : word;
}

/** The numbers of a folded text, in text order, without overlaps. */
function numbersOf(f: string): FoldedNumber[] {
  const found: FoldedNumber[] = [];
  for (const m of f.matchAll(DIGITS_RE)) {
    if (PRODUCT_BEFORE.test(f.slice(0, m.index))) continue;
    const value = Number((m[1] ?? '').replace(/[,\s\u00a0\u202f]/g, ''));
    if (Number.isSafeInteger(value)) found.push({ start: m.index, end: m.index + m[0].length, value });
  }
  for (const m of f.matchAll(WORD_RE)) {
    const end = m.index + m[0].length;
    if (!WORD_AFTER.test(f.slice(end)) && !WORD_BEFORE.test(f.slice(0, m.index))) continue;
    const value = WORD_VALUES[wordKey(m[1] ?? '')];
    if (value !== undefined) found.push({ start: m.index, end, value });
  }
  for (const m of f.matchAll(KANJI_RE)) {
    found.push({ start: m.index, end: m.index + m[0].length, value: kanjiValue(m[1] ?? '') });
  }
  for (const m of f.matchAll(NATIVE_RE)) {
    found.push({ start: m.index, end: m.index + m[0].length, value: NATIVE_COUNTS[m[1] ?? ''] ?? 0 });
  }
  const sorted = found.filter((n) => n.value > 0).sort((a, b) => a.start - b.start);
  return sorted.filter((n, i) => i === 0 || n.start >= (sorted[i - 1]?.end ?? 0));
}

/**
 * The numbers that count something in `text` (its customer and plans already blanked out), in text order,
 * with their spans in the text as typed.
 */
export function findNumbers(text: string): NumberMention[] {
  const folded = foldWithOffsets(text);
  return numbersOf(folded.text).map((n) => ({ ...originalSpan(folded, n.start, n.end), value: n.value }));
}

// ---------------------------------------------------------------------------------------------------------
// Add or total

/** What a unit after the number may be, before the words that say what the number is. */
const UNIT_AFTER = String.raw`(?:\s*(?:(?:more|extra|additional|new|user)\s+)?${SEAT_NOUN}|\s*${SEAT_NOUN_JA}\s*分?)?`;

const ADD_BEFORE = new RegExp(
  String.raw`(?:(?:^|[^a-z])(?:another|add|adding|added|plus|buy|buying|purchase|order|by|extra|additional|encore|r?ajout\w*|achete\w*|commande\w*)|\+|あと|さらに|もう|追加で|プラス)\s*$`,
  'u',
);
/** « augmente … de 8 »: "de" before the number, after a verb of increase. */
const ADD_BY_FR = /(?:augment|accroi|rallong)[^.?!]*(?:^|[^a-z])de\s*$/u;
const ADD_AFTER = new RegExp(
  String.raw`^(?:\s*(?:more|extra|additional|further|new)(?![a-z])|${UNIT_AFTER}\s*(?:more|extra|de plus|en plus|supplementaires?|additionnel(?:le)?s?)(?![a-z])|${UNIT_AFTER}\s*(?:の\s*(?:ライセンス|シート|席)\s*)?[をも]?\s*(?:増|追加|足|買い増|プラス|加え))`,
  'u',
);
const TOTAL_BEFORE = new RegExp(
  String.raw`(?:(?:^|[^a-z])(?:to|at|total(?:ing|ling)?(?: of)?|make it|jusqu['’ ]?a|total de)|合計で?|計|全部で|トータル|総数|合わせて)\s*$`,
  'u',
);
/**
 * « à 60 »: folded, « à » is « a », as is « a » (has: « Contoso a 25 sièges »). Written « à », or « a » after a
 * verb that sets a count (« passe a 60 », typed without accents).
 */
const TOTAL_A_ACCENT = /(?:^|[^\p{L}\p{N}])à\s*$/iu;
const TOTAL_A_AFTER_VERB =
  /(?:^|[^a-z])(?:pass|port|mont|augment|met|mett|amen|ramen|fix|eleve|eten)[a-z]*(?:[^a-z.?!,;]+[^.?!,;]*)?(?:^|[^a-z])a\s*$/u;
const TOTAL_AFTER = new RegExp(
  String.raw`^${UNIT_AFTER}\s*(?:(?:in total|total|altogether|overall|in all|au total|en tout)(?![a-z])|(?:に|まで))`,
  'u',
);
const FROM_BEFORE = /(?:^|[^a-z])from\s*$/u;
const FROM_AFTER = /^\s*(?:から|より)/u;

type Role = 'add' | 'total' | 'from' | 'count';

/** What a number is, from the folded text around it and the text before it as typed (for « à »). */
function roleOf(folded: string, start: number, end: number, typedBefore: string): Role {
  const before = folded.slice(Math.max(0, start - 60), start);
  const after = folded.slice(end, end + 40);
  if (ADD_AFTER.test(after) || ADD_BEFORE.test(before) || ADD_BY_FR.test(before)) return 'add';
  if (TOTAL_AFTER.test(after) || TOTAL_BEFORE.test(before)) return 'total';
  if (TOTAL_A_ACCENT.test(typedBefore) || TOTAL_A_AFTER_VERB.test(before)) return 'total';
  if (FROM_BEFORE.test(before) || FROM_AFTER.test(after)) return 'from';
  return 'count';
}

/**
 * The licences a request asks for, in `text` with its customer and plans blanked out; undefined when it gives
 * no number ("Contoso needs more seats": the card asks).
 */
export function seatsOf(text: string): Seats | undefined {
  const folded = foldWithOffsets(text);
  const f = folded.text;
  const roles = numbersOf(f).map((n) => ({
    value: n.value,
    role: roleOf(f, n.start, n.end, text.slice(0, folded.starts[n.start] ?? 0)),
  }));
  const total = roles.find((r) => r.role === 'total');
  if (total !== undefined) return { total: total.value };
  const add = roles.find((r) => r.role === 'add') ?? roles.find((r) => r.role === 'count');
  return add === undefined ? undefined : { add: add.value };
}
