/**
 * Text folding, tokenizing, queries and string similarity for customer lookup (customer-index.ts,
 * mention-finder.ts).
 *
 * Everything compares *folded* text: compatibility-decomposed (full-width Latin becomes ASCII), Latin
 * diacritics removed (é → e, ü → u), a few letters that do not decompose spelled out (ß → ss, æ → ae, ø → o),
 * lower-cased. Kana voicing marks are kept (ガ stays ガ).
 */

/** Combining marks (accents once decomposed), except the kana voicing marks. */
const ACCENTS = /(?![\u3099\u309a])\p{Mn}/gu;

const SPELLED_OUT: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};
const SPELLED_OUT_RE = /[ßæœøłđðþı]/g;
/** Printable ASCII: folding is lower-casing. */
const PRINTABLE_ASCII = /^[ -~]*$/;

/** Case-, accent- and width-insensitive form of a piece of text. */
export function fold(text: string): string {
  if (PRINTABLE_ASCII.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(ACCENTS, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(SPELLED_OUT_RE, (c) => SPELLED_OUT[c] ?? c);
}

/** The script class of a token: Japanese sentences rarely put spaces between a name and its particles. */
export type TokenScript = 'word' | 'hiragana' | 'katakana' | 'han';

export interface Token {
  /** Folded form. */
  readonly text: string;
  /** Offsets of the token in the original text. */
  readonly start: number;
  readonly end: number;
  readonly script: TokenScript;
  /** Whether a clause break (comma, question mark, 。…) separates this token from the previous one. */
  readonly breakBefore: boolean;
}

const HIRAGANA = /\p{Script=Hiragana}/u;
const KATAKANA = /[\p{Script=Katakana}\u30fc\uff70]/u;
const HAN = /[\p{Script=Han}]/u;
const WORD = /[\p{L}\p{N}]/u;
const MARK = /\p{M}/u;
/** Kana voicing marks written as letters of their own (half-width ﾞ ﾟ, spacing ゛ ゜): part of the kana before. */
const VOICING = /[\uff9e\uff9f\u309b\u309c]/u;
/** Separators that end a clause: a name never spans them ("." is not one of them: "A. Datum"). */
const CLAUSE_BREAK = /[,;:!?()[\]{}"“”«»「」『』、。，；：！？（）]/u;
/**
 * Legal-form words that Japanese writes glued to the name: 株式会社コントソ, コントソ株式会社, 一般社団法人…
 * (longest first, so that a longer form is never cut by a shorter one).
 */
const GLUED_LEGAL_FORMS = [
  '特定非営利活動法人',
  '一般社団法人',
  '一般財団法人',
  '公益社団法人',
  '公益財団法人',
  '株式会社',
  '有限会社',
  '合同会社',
  '合資会社',
  '合名会社',
  '社団法人',
  '財団法人',
  '医療法人',
  '学校法人',
];
const GLUED_LEGAL_FORM_RE = new RegExp(`(${GLUED_LEGAL_FORMS.join('|')})`);

function scriptOf(char: string): TokenScript | 'mark' | undefined {
  const code = char.charCodeAt(0);
  if (code < 0x80) {
    const lower = code | 0x20;
    return (lower >= 0x61 && lower <= 0x7a) || (code >= 0x30 && code <= 0x39) ? 'word' : undefined;
  }
  if (VOICING.test(char)) return 'mark';
  if (HIRAGANA.test(char)) return 'hiragana';
  if (KATAKANA.test(char)) return 'katakana';
  if (HAN.test(char)) return 'han';
  if (WORD.test(char)) return 'word';
  if (MARK.test(char)) return 'mark';
  return undefined;
}

/**
 * Splits text into words: on spaces and punctuation, and wherever the script changes between Latin (and
 * other alphabets and digits), hiragana, katakana and kanji ("Contosoはアップグレード" → contoso, は,
 * アップグレード). Each token keeps its offsets in the original text.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let start = -1;
  let script: TokenScript = 'word';
  let pendingBreak = false;
  const flush = (end: number): void => {
    if (start < 0) return;
    const raw = text.slice(start, end);
    // Split a legal form off a kanji run so that it can be recognised as a prefix or suffix.
    const parts = script === 'han' ? raw.split(GLUED_LEGAL_FORM_RE).filter((p) => p.length > 0) : [raw];
    let at = start;
    for (const part of parts) {
      tokens.push({ text: fold(part), start: at, end: at + part.length, script, breakBefore: pendingBreak });
      pendingBreak = false;
      at += part.length;
    }
    pendingBreak = false;
    start = -1;
  };
  let i = 0;
  for (const char of text) {
    const s = scriptOf(char);
    if (s === undefined) {
      flush(i);
      if (CLAUSE_BREAK.test(char)) pendingBreak = true;
    } else if (s === 'mark') {
      // A combining mark belongs to the token it follows (or starts nothing).
    } else if (start < 0) {
      start = i;
      script = s;
    } else if (s !== script) {
      flush(i);
      start = i;
      script = s;
    }
    i += char.length;
  }
  flush(i);
  return mergeDottedForms(text, tokens);
}

/**
 * Legal forms written with dots, "S.A.R.L.", "S.A.", "K.K.", become one word ("sarl"), as written without
 * them. Only letters joined by dots with nothing between them, and only when they spell a legal form: "A. Datum"
 * keeps its initial.
 */
function mergeDottedForms(text: string, tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const first = tokens[i] as Token;
    let j = i;
    while (
      isLetter(tokens[j]) &&
      text[(tokens[j] as Token).end] === '.' &&
      isLetter(tokens[j + 1]) &&
      (tokens[j + 1] as Token).start === (tokens[j] as Token).end + 1
    ) {
      j++;
    }
    const glued = tokens
      .slice(i, j + 1)
      .map((t) => t.text)
      .join('');
    if (j > i && LEGAL_FORMS.has(glued)) {
      out.push({ ...first, text: glued, end: (tokens[j] as Token).end });
      i = j;
    } else {
      out.push(first);
    }
  }
  return out;
}

function isLetter(token: Token | undefined): boolean {
  return token !== undefined && token.script === 'word' && /^[a-z]$/.test(token.text);
}

const japaneseWords = new Intl.Segmenter('ja', { granularity: 'word' });
/** Longer kanji runs are not a name and a few words: they are left whole (bounds the work of one message). */
const MAX_KANJI_RUN = 24;

/**
 * Kanji runs cut into words by ICU's dictionary (Intl.Segmenter): Japanese writes a kanji name glued to the
 * kanji words around it ("山田商事様", "山田商事移行可否"), which the script changes of `tokenize` do not
 * separate. The pieces keep their offsets; the first keeps the token's clause break.
 */
export function splitKanjiRuns(text: string, tokens: readonly Token[]): Token[] {
  return tokens.flatMap((token) => {
    const length = token.end - token.start;
    if (token.script !== 'han' || length < 3 || length > MAX_KANJI_RUN || LEGAL_FORMS.has(token.text)) {
      return [token];
    }
    const pieces: Token[] = [];
    for (const s of japaneseWords.segment(text.slice(token.start, token.end))) {
      const start = token.start + s.index;
      pieces.push({
        text: fold(s.segment),
        start,
        end: start + s.segment.length,
        script: 'han',
        breakBefore: s.index === 0 && token.breakBefore,
      });
    }
    return pieces;
  });
}

/** Folded words of a name or query, without offsets. */
export function words(text: string): string[] {
  return tokenize(text).map((t) => t.text);
}

/**
 * Legal forms that a name may carry or omit ("Contoso Ltd" = "Contoso" = "Contoso Inc"). Multi-word forms
 * ("Pvt Ltd", "Private Limited", "Pty Ltd") are removed word by word from the end.
 */
export const LEGAL_FORMS: ReadonlySet<string> = new Set([
  'ltd',
  'limited',
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'co',
  'company',
  'llc',
  'llp',
  'lp',
  'plc',
  'pvt',
  'private',
  'pty',
  'gmbh',
  'ag',
  'kg',
  'ug',
  'sa',
  'sas',
  'sasu',
  'sarl',
  'eurl',
  'sl',
  'srl',
  'spa',
  'bv',
  'nv',
  'oy',
  'ab',
  'as',
  'kk',
  'gk',
  'kabushiki',
  'kaisha',
  'sca',
  'snc',
  'sci',
  'selarl',
  'scop',
  'gie',
  'kgaa',
  'ohg',
  'mbh',
  'ltda',
  'pte',
  'sdn',
  'bhd',
  'oyj',
  'aps',
  'asa',
  'sro',
  ...GLUED_LEGAL_FORMS,
  // (株), (有), ㈱: the short forms, written in brackets before or after the name.
  '株',
  '有',
]);

/** Legal forms written before the name (株式会社コントソ, (株)コントソ); "SAS Institute" keeps its "SAS". */
const LEADING_LEGAL_FORMS: ReadonlySet<string> = new Set([...GLUED_LEGAL_FORMS, '株', '有']);

/**
 * The distinctive words of a name: its folded words without the legal forms at its end, or the Japanese ones
 * at its start ("Tailspin Toys India Pvt Ltd" → tailspin toys india; "株式会社 コントソ" → コントソ). A name
 * made only of legal-form words keeps them.
 */
export function coreWords(allWords: readonly string[]): string[] {
  let from = 0;
  let to = allWords.length;
  while (to > from && LEGAL_FORMS.has(allWords[to - 1] ?? '')) to--;
  while (from < to && LEADING_LEGAL_FORMS.has(allWords[from] ?? '')) from++;
  return from < to ? allWords.slice(from, to) : [...allWords];
}

/** Second-level labels under which registrants get their name: contoso.co.uk, contoso.com.au. */
const GENERIC_LABELS = new Set([
  'co',
  'com',
  'org',
  'net',
  'ac',
  'gov',
  'gouv',
  'edu',
  'ne',
  'or',
  'ltd',
  'plc',
]);

const DOMAIN_RE = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$/;

/** Whether folded text looks like a domain name ("contoso.onmicrosoft.com", "lamna.fr"). */
export function isDomain(folded: string): boolean {
  return DOMAIN_RE.test(folded);
}

/**
 * The label of a domain that carries the customer's name, without hyphens:
 * contoso.onmicrosoft.com → contoso, fabricam.co.uk → fabricam, adventure-works.com → adventureworks.
 */
export function domainLabel(domain: string): string {
  const labels = fold(domain).trim().split('.');
  if (labels.length > 1) labels.pop();
  while (labels.length > 1) {
    const last = labels[labels.length - 1] ?? '';
    if (last !== 'onmicrosoft' && !GENERIC_LABELS.has(last)) break;
    labels.pop();
  }
  return (labels[labels.length - 1] ?? '').replace(/-/g, '');
}

/** A query (or a span of a sentence) in the forms the lookup compares. */
export interface Query {
  /** The distinctive words glued, legal forms removed: "northwindtraders". */
  readonly compact: string;
  /** Every word glued, legal forms included: "contosoltd". */
  readonly full: string;
  /** The glued leading words of a query of several words, shortest first ("fabrikum" for "Fabrikum Industries"). */
  readonly leads: readonly string[];
  /** Set when the query is a domain name. */
  readonly domain?: string;
  readonly label?: string;
}

/** A query from its folded words; `folded` is the whole folded query, to recognise a domain. */
export function queryOf(allWords: readonly string[], folded: string): Query {
  if (isDomain(folded)) {
    const label = domainLabel(folded);
    return { compact: label, full: label, leads: [], domain: folded, label };
  }
  const core = coreWords(allWords);
  const leads: string[] = [];
  for (let n = 1, lead = core[0] ?? ''; n < core.length; lead += core[n] ?? '', n++) leads.push(lead);
  return { compact: core.join(''), full: allWords.join(''), leads };
}

/**
 * Optimal string alignment distance (Damerau-Levenshtein without repeated edits of a substring): the number
 * of insertions, deletions, substitutions and transpositions of adjacent characters ("cotnoso" → 1) that
 * turn `a` into `b`. When the distance is known to exceed `max`, may return `max + 1` instead.
 *
 * Strings of up to 32 UTF-16 units use Hyyrö's bit-parallel algorithm (one pass of a few word operations per
 * character); longer ones the classic table (`editDistanceTable`).
 */
export function editDistance(a: string, b: string, max = Number.MAX_SAFE_INTEGER): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  if (a.length <= 32) return bitParallelDistance(a, b);
  if (b.length <= 32) return bitParallelDistance(b, a);
  return editDistanceTable(a, b, max);
}

/** Bit masks of the pattern's positions per character code, for the last pattern seen. */
const positions = new Int32Array(0x10000);
let pattern = '';

function usePattern(p: string): void {
  if (p === pattern) return;
  for (let i = 0; i < pattern.length; i++) positions[pattern.charCodeAt(i)] = 0;
  for (let i = 0; i < p.length; i++) {
    const code = p.charCodeAt(i);
    positions[code] = (positions[code] as number) | (1 << i);
  }
  pattern = p;
}

/**
 * Hyyrö (2003), "A bit-vector algorithm for computing Levenshtein and Damerau edit distances", the OSA
 * variant: the columns of the distance table as bit vectors of vertical (VP/VN) and diagonal (D0) deltas.
 * `p` has 1 to 32 characters.
 */
function bitParallelDistance(p: string, t: string): number {
  usePattern(p);
  const m = p.length;
  const last = 1 << (m - 1);
  let vp = -1;
  let vn = 0;
  let d0 = 0;
  let pmPrevious = 0;
  let distance = m;
  for (let j = 0; j < t.length; j++) {
    const pm = positions[t.charCodeAt(j)] as number;
    const transposition = ((~d0 & pm) << 1) & pmPrevious;
    d0 = ((((pm & vp) + vp) | 0) ^ vp) | pm | vn | transposition;
    let hp = vn | ~(d0 | vp);
    let hn = d0 & vp;
    if (hp & last) distance++;
    else if (hn & last) distance--;
    hp = (hp << 1) | 1;
    hn = hn << 1;
    vp = hn | ~(d0 | hp);
    vn = hp & d0;
    pmPrevious = pm;
  }
  return distance;
}

// Reused rows of the edit-distance table (no allocation per comparison).
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);
let rowC = new Int32Array(64);

/** The same distance by the classic dynamic-programming table, three rows at a time, for long strings. */
export function editDistanceTable(a: string, b: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  if (n === 0) return m;
  if (m === 0) return n;
  if (m + 1 > rowA.length) {
    const size = 2 * (m + 1);
    rowA = new Int32Array(size);
    rowB = new Int32Array(size);
    rowC = new Int32Array(size);
  }
  // prev2 = row i-2, prev = row i-1, cur = row i.
  let prev2 = rowA;
  let prev = rowB;
  let cur = rowC;
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    const ca = a.charCodeAt(i - 1);
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cb = b.charCodeAt(j - 1);
      const cost = ca === cb ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) {
        d = Math.min(d, (prev2[j - 2] as number) + 1);
      }
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[m] as number;
}

/**
 * Similarity of two strings in [0, 1]: 1 − edit distance / length of the longer. One typo in an 8-letter
 * name gives 0.875. When the similarity cannot reach `atLeast`, returns a value below it without computing
 * the full table.
 */
export function similarity(a: string, b: string, atLeast = 0): number {
  const longest = Math.max(a.length, b.length);
  if (longest === 0) return 1;
  const max = Math.floor((1 - atLeast) * longest + 1e-9);
  return 1 - editDistance(a, b, max) / longest;
}
