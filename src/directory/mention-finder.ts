/**
 * Finding the customer named in a sentence, in English, French or Japanese (`CustomerIndex.findMention`):
 * which runs of words could be a name, which of them to look up, and which span is the mention. The index
 * (customer-index.ts) retrieves and scores the candidates of each span; this module cuts and chooses.
 */
import {
  LEGAL_FORMS,
  coreWords,
  fold,
  isDomain,
  queryOf,
  splitKanjiRuns,
  tokenize,
  type Query,
  type Token,
} from './name-normalize.js';
import { CATALOG_WORDS, CONNECTORS, LEADING_GENERIC, STOPWORDS } from './stopwords.js';

/** Spans of this many letters or fewer must be an exact name, domain label or run of words of the name. */
const SHORT_SPAN = 4;
/**
 * When choosing among the spans of a sentence, a span loses this much for leaving out all the content words
 * next to it ("Solar Island" in "Solar Island Retail"): a longer span with a typo beats a shorter exact one.
 */
const LEFT_OUT_PENALTY = 0.5;
/** Longest span of words tried as a name in a sentence (legal forms not counted). */
const MAX_SPAN_WORDS = 4;
/** A run of words whose trigrams a customer's name has this share of needs no word-by-word lookup. */
const RUN_COVERED = 0.75;

/** The best candidate for a span, as the index scored it. */
interface SpanMatch {
  /** Similarity to the span, 0 to 1. */
  readonly score: number;
  /**
   * Exactness, strongest first: 3, the same full name (legal form included) or domain; 2, the same
   * distinctive name; 1, the same domain label; 0, not exact.
   */
  readonly tier: number;
}

/** What the finder asks of the index while it reads one sentence; the index pools the candidates it finds. */
interface SpanSearch<M extends SpanMatch> {
  /**
   * Pools the customers whose names share the most trigrams with `text` (with `common` false, none for a
   * common word); returns the best share of the text's trigrams that one of them has.
   */
  retrieve(text: string, common: boolean): number;
  /** Pools the customers whose name, domain or domain label is exactly the query's. */
  addExact(query: Query): void;
  /** The best pooled candidate for the query, if one scores as a match. */
  best(query: Query): M | undefined;
  /** Whether `compact` is the candidate's whole name, its domain label, or a run of words of its name. */
  isRunOfName(match: M, compact: string): boolean;
}

/** The span of a sentence that names a customer, and the query it makes. */
interface NameSpan {
  readonly start: number;
  readonly end: number;
  readonly query: Query;
}

/** The span of `text` that best names a customer `search` knows, or undefined when none does. */
export function findNameSpan<M extends SpanMatch>(text: string, search: SpanSearch<M>): NameSpan | undefined {
  const spans = candidateSpans(text, splitKanjiRuns(text, tokenize(text)));
  if (spans.length === 0) return undefined;
  // One retrieval per run of name-like words ("northwind traders", "société lamna") and per distinctive
  // content word; every span ("A. Datum") is also looked up exactly.
  // The words are looked up only when the run matches no name well: they are there for a name followed by
  // other words ("Contoso Seattle").
  const runs = new Map<string, Set<string>>();
  for (const span of spans) {
    if (span.run === undefined) continue;
    const runWords = runs.get(span.run) ?? new Set<string>();
    for (const word of span.contentWords) runWords.add(word);
    runs.set(span.run, runWords);
  }
  for (const [run, runWords] of runs) {
    if (search.retrieve(run, true) >= RUN_COVERED) continue;
    for (const word of runWords) if (word !== run) search.retrieve(word, false);
  }
  for (const span of spans) search.addExact(span.query);

  let best: { span: Span; top: M } | undefined;
  for (const span of spans) {
    const top = search.best(span.query);
    if (top === undefined) continue;
    // Short spans ("Trey", "Bank") must be a whole name, domain label or run of words of the name.
    if (
      span.query.compact.length <= SHORT_SPAN &&
      top.tier === 0 &&
      !search.isRunOfName(top, span.query.compact)
    ) {
      continue;
    }
    if (best === undefined || betterSpan(span, top, best.span, best.top)) best = { span, top };
  }
  if (best === undefined) return undefined;
  const { start, end, query } = best.span;
  return { start, end, query };
}

interface Span {
  readonly start: number;
  readonly end: number;
  readonly words: number;
  /** Neither end of the span is a stopword, save a lead-in at its start (or the span is a domain). */
  readonly clean: boolean;
  /** The glued words of the run of name-like words (see nameRuns) that the span starts in, if any. */
  readonly run?: string;
  readonly contentWords: readonly string[];
  /**
   * Share of the letters of the content words around it (in the same run of name-like words) that the span
   * leaves out: "Solar Island" in "can Solar Island Retail upgrade?" leaves "Retail" out.
   */
  readonly leftOut: number;
  readonly query: Query;
}

/**
 * Runs of 1 to MAX_SPAN_WORDS words that could be a name: starting with a name-like word, not across a
 * clause break or a hiragana run (a particle), not made only of stopwords, at least 3 letters once legal
 * forms are removed.
 */
function candidateSpans(text: string, tokens: readonly Token[]): Span[] {
  const runs = nameRuns(tokens);
  const spans: Span[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const first = tokens[i] as Token;
    const bounds = runs[i];
    // A name starts with a name-like word or an initial ("A. Datum"), never with "can" or a particle.
    if (bounds === undefined && (first.text.length !== 1 || first.script !== 'word')) continue;
    const run =
      bounds === undefined
        ? undefined
        : coreWords(
            tokens
              .slice(bounds[0], Math.min(bounds[1], bounds[0] + 2 * MAX_SPAN_WORDS) + 1)
              .map((t) => t.text),
          ).join('');
    const contentWords: string[] = [];
    let counted = 0;
    let covered = 0;
    for (let j = i; j < tokens.length; j++) {
      const last = tokens[j] as Token;
      if (j > i && (last.breakBefore || last.script === 'hiragana')) break;
      const legal = LEGAL_FORMS.has(last.text);
      if (!legal && ++counted > MAX_SPAN_WORDS) break;
      if (isContent(last)) {
        contentWords.push(last.text);
        covered += last.text.length;
      }
      if (contentWords.length === 0) continue;
      const spanWords = tokens.slice(i, j + 1).map((t) => t.text);
      // A span written as a domain ("woodgrovebank.onmicrosoft.com") is looked up as one.
      const written = fold(text.slice(first.start, last.end));
      const query = queryOf(spanWords, j > i && isDomain(written) ? written : '');
      if (query.compact.length < 3) continue;
      const around = contentAround(tokens, runs, i, j);
      spans.push({
        start: first.start,
        end: last.end,
        words: j - i + 1,
        clean:
          query.domain !== undefined ||
          ((!STOPWORDS.has(first.text) || LEADING_GENERIC.has(first.text)) && !STOPWORDS.has(last.text)),
        ...(run === undefined ? {} : { run }),
        contentWords: [...contentWords],
        leftOut: around > covered ? (around - covered) / around : 0,
        query,
      });
    }
  }
  return spans;
}

/**
 * For each token, the run of consecutive name-like tokens it belongs to, as [first, last] indices; undefined
 * for other tokens. Name-like: content words, legal forms, lead-ins ("Société"), numbers, the words of offer
 * names ("India"), and a connector between two of them ("Bank of Contoso", "Informatica De Luca").
 */
function nameRuns(tokens: readonly Token[]): ([number, number] | undefined)[] {
  const nameLike = tokens.map(
    (token) =>
      isContent(token) ||
      LEGAL_FORMS.has(token.text) ||
      LEADING_GENERIC.has(token.text) ||
      CATALOG_WORDS.has(token.text) ||
      /^[0-9]+$/.test(token.text),
  );
  const runs: ([number, number] | undefined)[] = [];
  let run: [number, number] | undefined;
  tokens.forEach((token, k) => {
    const next = tokens[k + 1];
    const bridge =
      run !== undefined &&
      CONNECTORS.has(token.text) &&
      next !== undefined &&
      !next.breakBefore &&
      nameLike[k + 1] === true;
    if (!nameLike[k] && !bridge) run = undefined;
    else if (run === undefined || token.breakBefore) run = [k, k];
    else run[1] = k;
    runs.push(run);
  });
  return runs;
}

/** Letters of the content words in the runs that tokens i..j touch. */
function contentAround(
  tokens: readonly Token[],
  runs: readonly ([number, number] | undefined)[],
  i: number,
  j: number,
): number {
  let from = i;
  let to = j;
  for (let k = i; k <= j; k++) {
    const run = runs[k];
    if (run === undefined) continue;
    from = Math.min(from, run[0]);
    to = Math.max(to, run[1]);
  }
  let letters = 0;
  for (let k = from; k <= to; k++) {
    const token = tokens[k] as Token;
    if (isContent(token)) letters += token.text.length;
  }
  return letters;
}

/** A word that can carry a name on its own: not a stopword, not a number, not a lone kanji. */
function isContent(token: Token): boolean {
  if (STOPWORDS.has(token.text) || token.script === 'hiragana') return false;
  if (/^[0-9]+$/.test(token.text)) return false;
  return token.text.length >= 2;
}

/**
 * Which of two spans is the better mention: the higher score, less LEFT_OUT_PENALTY for the share of the
 * surrounding name-like words it leaves out; then the more exact; then the one without stopwords at its
 * ends; then the longer.
 */
function betterSpan(a: Span, aTop: SpanMatch, b: Span, bTop: SpanMatch): boolean {
  const aQuality = aTop.score - LEFT_OUT_PENALTY * a.leftOut;
  const bQuality = bTop.score - LEFT_OUT_PENALTY * b.leftOut;
  if (Math.abs(aQuality - bQuality) > 1e-9) return aQuality > bQuality;
  // An exact name beats an exact domain label; with or without its legal form is all one across spans.
  const aTier = Math.min(aTop.tier, 2);
  const bTier = Math.min(bTop.tier, 2);
  if (aTier !== bTier) return aTier > bTier;
  if (a.clean !== b.clean) return a.clean;
  return a.words > b.words;
}
