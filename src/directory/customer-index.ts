/**
 * The customer index: lookup by company name or domain (docs/directory-format.md, "Finding a customer by
 * name"), forgiving case, accents, spacing and punctuation, legal forms ("Ltd", "Inc", "GmbH",
 * "株式会社"…), the domain or its first label, and small typos. Finding the name in a sentence is
 * mention-finder.ts's part.
 *
 * Two stages, so that a query costs about the same with 100 or 100,000 customers:
 * 1. Retrieval: an inverted index of the character trigrams of each customer's name (glued: "adatum",
 *    "northwindtraders") and domain label (trigram-index.ts), plus hash maps of the exact folded forms. It
 *    gives a few dozen candidates, never a scan of every name.
 * 2. Ranking: each candidate gets a real string similarity in [0, 1] to the query (optimal string alignment
 *    distance over the folded, space-free forms; see `similarity`), and the result is decided by thresholds
 *    on the best score and on its margin over the runner-up.
 */
import type {
  CustomerName,
  CustomerCandidate,
  CustomerLookup,
  CustomerMention,
  LookupResult,
} from './lookup-types.js';
import { findNameSpan } from './mention-finder.js';
import { coreWords, domainLabel, fold, queryOf, similarity, words, type Query } from './name-normalize.js';
import { LEADING_GENERIC } from './stopwords.js';
import { TrigramIndex } from './trigram-index.js';

/** A candidate at or above this score can be a match: about one typo per five letters. */
export const MATCH_MIN = 0.8;
/**
 * The best candidate is a clear match when the runner-up is at least this much lower, or when the runner-up
 * is `CLEAR_RATIO` times as far from the query (1 − score) as the best.
 */
const CLEAR_MARGIN = 0.15;
const CLEAR_RATIO = 3;
/** Below this, a candidate is not worth suggesting. */
const SUGGEST_MIN = 0.5;
/**
 * A query that matches only some words of a name ("Northwind" for "Northwind Traders") scores its
 * similarity to those words minus `PARTIAL_PENALTY` × the share of the name left out, and minus
 * `NON_LEADING_PENALTY` more when those words are not the start of the name ("Bank" for "Woodgrove Bank").
 */
const PARTIAL_PENALTY = 0.15;
const NON_LEADING_PENALTY = 0.2;
/**
 * A query with words the name lacks ("Contoso Seattle" for Contoso Ltd) scores the similarity of its leading
 * words to the name less this and the partial penalty: a suggestion, never a match on its own.
 */
const EXTRA_WORDS_PENALTY = 0.2;
/** A mention in a sentence needs a match-grade score (a short one, more: see mention-finder.ts). */
const MENTION_MIN = MATCH_MIN;
/** Candidates taken from the trigram index for ranking, per query and per word of a sentence. */
const RETRIEVE = 32;
const RETRIEVE_PER_WORD = 16;
const MAX_SUGGESTIONS = 3;
const MAX_RUNNERS_UP = 4;
const MAX_AMBIGUOUS = 6;
const DEFAULT_SEARCH_LIMIT = 10;
/** Candidates ranked in full: enough for every list a result carries. */
const KEEP = Math.max(MAX_AMBIGUOUS, MAX_RUNNERS_UP + 1, MAX_SUGGESTIONS);

interface Entry {
  readonly customer: CustomerName;
  /** Its slot in the trigram index. */
  readonly slot: number;
  /** Distinctive words of the name (legal forms removed), folded. */
  readonly words: readonly string[];
  /** Index in `words` of the first word that is not a generic lead-in ("Société", "The", "A."). */
  readonly head: number;
  /** The distinctive words glued: "northwindtraders". */
  readonly compact: string;
  /** Every word of the name glued, legal forms included: "contosoltd". */
  readonly full: string;
  readonly domain: string;
  /** domainLabel(domain): "contoso" for contoso.onmicrosoft.com. */
  readonly label: string;
}

/**
 * Exactness, strongest first: 3, the same full name (with the query's legal form) or domain; 2, the same
 * distinctive name; 1, the same domain label; 0, not exact.
 */
type Tier = 0 | 1 | 2 | 3;

interface Scored {
  readonly entry: Entry;
  readonly score: number;
  readonly matchedOn: 'name' | 'domain';
  readonly tier: Tier;
}

export class CustomerIndex implements CustomerLookup {
  private readonly entries = new Map<string, Entry>();
  private readonly slots: (Entry | undefined)[] = [];
  // Exact folded forms: one entry, or several when names collide.
  private readonly byCompact = new Map<string, Entries>();
  private readonly byFull = new Map<string, Entries>();
  private readonly byLabel = new Map<string, Entries>();
  private readonly byDomain = new Map<string, Entries>();
  private readonly trigrams = new TrigramIndex();

  constructor(customers: Iterable<CustomerName>) {
    for (const customer of customers) this.upsert(customer);
  }

  get size(): number {
    return this.entries.size;
  }

  search(query: string, limit = DEFAULT_SEARCH_LIMIT): readonly CustomerCandidate[] {
    return this.rank(queryOf(words(query), fold(query).trim()), Math.max(limit, KEEP))
      .slice(0, limit)
      .map(toCandidate);
  }

  resolve(query: string): LookupResult {
    return decide(this.rank(queryOf(words(query), fold(query).trim()), KEEP));
  }

  findMention(text: string): CustomerMention | undefined {
    // The finder cuts the sentence into spans and chooses one; the index retrieves and scores the candidates
    // of every span, from one pool for the whole sentence.
    const pool = new Map<string, Entry>();
    const span = findNameSpan<Scored>(text, {
      retrieve: (run, common) => this.retrieve(run, pool, RETRIEVE_PER_WORD, common),
      addExact: (query) => this.addExact(query, pool),
      best: (query) => rankPool(query, pool.values(), MENTION_MIN, 1)[0],
      isRunOfName: (match, compact) => hasRun(match.entry, compact),
    });
    if (span === undefined) return undefined;
    // The chosen span is decided as resolve() would decide it (runners-up below MENTION_MIN included).
    const { start, end, query } = span;
    this.retrieve(query.compact, pool, RETRIEVE);
    return {
      text: text.slice(start, end),
      start,
      end,
      result: decide(rankPool(query, pool.values(), SUGGEST_MIN, KEEP)),
    };
  }

  /** Drops a customer (removed from the directory); unknown ids are ignored. */
  remove(customerId: string): void {
    const previous = this.entries.get(customerId);
    if (previous === undefined) return;
    this.forget(previous);
    this.trigrams.remove(previous.slot, indexed(previous));
  }

  upsert(customer: CustomerName): void {
    const previous = this.entries.get(customer.id);
    if (previous !== undefined) {
      this.forget(previous);
      const entry = toEntry(customer, previous.slot);
      // Same names: the trigrams are unchanged, only the customer object is new.
      const renamed = previous.compact !== entry.compact || previous.label !== entry.label;
      if (renamed) this.trigrams.remove(previous.slot, indexed(previous));
      this.remember(entry);
      if (renamed) this.trigrams.add(entry.slot, indexed(entry));
      return;
    }
    const entry = toEntry(customer, this.slots.length);
    this.remember(entry);
    this.trigrams.add(entry.slot, indexed(entry));
  }

  /** Retrieval plus ranking for one query, best first. */
  private rank(query: Query, keep: number): Scored[] {
    if (query.compact.length === 0) return [];
    const pool = new Map<string, Entry>();
    this.addExact(query, pool);
    this.retrieve(query.compact, pool, RETRIEVE);
    return rankPool(query, pool.values(), SUGGEST_MIN, keep);
  }

  /**
   * Adds the best trigram matches of `text` to the pool (with `common` false, none for a common word), and
   * returns the best share of the text's trigrams that a match has.
   */
  private retrieve(text: string, pool: Map<string, Entry>, limit: number, common = true): number {
    if (text.length === 0) return 0;
    let coverage = 0;
    for (const hit of this.trigrams.search(text, limit, common)) {
      const entry = this.slots[hit.slot];
      if (entry !== undefined) pool.set(entry.customer.id, entry);
      coverage = Math.max(coverage, hit.coverage);
    }
    return coverage;
  }

  private addExact(query: Query, pool: Map<string, Entry>): void {
    const lists = [
      this.byCompact.get(query.compact),
      this.byFull.get(query.full),
      this.byFull.get(query.compact),
      this.byLabel.get(query.label ?? query.compact),
      query.domain === undefined ? undefined : this.byDomain.get(query.domain),
      query.label === undefined ? undefined : this.byCompact.get(query.label),
    ];
    for (const found of lists) {
      if (found === undefined) continue;
      if (Array.isArray(found)) for (const entry of found) pool.set(entry.customer.id, entry);
      else pool.set(found.customer.id, found);
    }
  }

  private remember(entry: Entry): void {
    this.entries.set(entry.customer.id, entry);
    this.slots[entry.slot] = entry;
    push(this.byCompact, entry.compact, entry);
    push(this.byFull, entry.full, entry);
    push(this.byLabel, entry.label, entry);
    push(this.byDomain, entry.domain, entry);
  }

  private forget(entry: Entry): void {
    this.entries.delete(entry.customer.id);
    this.slots[entry.slot] = undefined;
    pull(this.byCompact, entry.compact, entry.customer.id);
    pull(this.byFull, entry.full, entry.customer.id);
    pull(this.byLabel, entry.label, entry.customer.id);
    pull(this.byDomain, entry.domain, entry.customer.id);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Indexing

function toEntry(customer: CustomerName, slot: number): Entry {
  const all = words(customer.companyProfile.companyName);
  const core = coreWords(all);
  let head = 0;
  while (head < core.length - 1 && isLeadIn(core[head] ?? '')) head++;
  const domain = fold(customer.companyProfile.domain).trim();
  return {
    customer,
    slot,
    words: core,
    head,
    compact: core.join(''),
    full: all.join(''),
    domain,
    label: domainLabel(domain),
  };
}

function isLeadIn(word: string): boolean {
  return word.length === 1 || LEADING_GENERIC.has(word);
}

/** What the trigram index holds of a customer: the glued name and the domain label. */
function indexed(entry: Entry): string[] {
  return entry.label === entry.compact ? [entry.compact] : [entry.compact, entry.label];
}

type Entries = Entry | Entry[];

function push(map: Map<string, Entries>, key: string, entry: Entry): void {
  if (key.length === 0) return;
  const found = map.get(key);
  if (found === undefined) map.set(key, entry);
  else if (Array.isArray(found)) found.push(entry);
  else map.set(key, [found, entry]);
}

function pull(map: Map<string, Entries>, key: string, id: string): void {
  const found = map.get(key);
  if (found === undefined) return;
  const rest = (Array.isArray(found) ? found : [found]).filter((e) => e.customer.id !== id);
  if (rest.length === 0) map.delete(key);
  else map.set(key, rest.length === 1 ? (rest[0] as Entry) : rest);
}

// ---------------------------------------------------------------------------------------------------------
// Queries and scoring

/**
 * The best `keep` candidates of the pool scoring at least `floor`, best first. Once `keep` are found, the
 * floor rises to the worst of them, so that hopeless comparisons stop early.
 */
function rankPool(query: Query, pool: Iterable<Entry>, floor: number, keep: number): Scored[] {
  const ranked: Scored[] = [];
  let bar = floor;
  for (const entry of pool) {
    const scored = score(query, entry, bar);
    if (scored.score < bar) continue;
    let at = ranked.length;
    while (at > 0 && byRank(ranked[at - 1] as Scored, scored) > 0) at--;
    if (at >= keep) continue;
    ranked.splice(at, 0, scored);
    if (ranked.length > keep) ranked.pop();
    if (ranked.length === keep) bar = Math.max(floor, (ranked[keep - 1] as Scored).score);
  }
  return ranked;
}

/** Exact tiers first, then by score, then by name for a stable order. */
function byRank(a: Scored, b: Scored): number {
  if (a.tier !== b.tier) return b.tier - a.tier;
  if (a.score !== b.score) return b.score - a.score;
  return a.entry.full < b.entry.full ? -1 : a.entry.full > b.entry.full ? 1 : 0;
}

/** How close a customer's names are to the query; `floor` lets hopeless comparisons stop early. */
function score(query: Query, entry: Entry, floor: number): Scored {
  if (query.domain !== undefined && query.label !== undefined) {
    if (query.domain === entry.domain) return { entry, score: 1, matchedOn: 'domain', tier: 3 };
    if (query.label === entry.label) return { entry, score: 1, matchedOn: 'domain', tier: 2 };
    if (query.label === entry.compact) return { entry, score: 1, matchedOn: 'name', tier: 1 };
    const byDomain = similarity(query.label, entry.label, floor);
    const byName = nameSimilarity(query.label, entry, Math.max(floor, byDomain));
    return byName > byDomain
      ? { entry, score: byName, matchedOn: 'name', tier: 0 }
      : { entry, score: byDomain, matchedOn: 'domain', tier: 0 };
  }
  // The same name, legal form included, is more exact than the same distinctive words only when the query
  // has a legal form: "Contoso Inc" is Contoso Inc rather than Contoso Ltd, "Contoso" is either.
  if (query.full === entry.full && query.full !== query.compact) {
    return { entry, score: 1, matchedOn: 'name', tier: 3 };
  }
  if (query.compact === entry.compact || query.full === entry.full || query.compact === entry.full) {
    return { entry, score: 1, matchedOn: 'name', tier: 2 };
  }
  if (query.compact === entry.label) return { entry, score: 1, matchedOn: 'domain', tier: 1 };
  let byName = nameSimilarity(query.compact, entry, floor);
  // Legal forms count when both have one ("Contoso Ldt" is a typo of "Contoso Ltd", not an extra word).
  if (query.full !== query.compact || entry.full !== entry.compact) {
    byName = Math.max(byName, similarity(query.full, entry.full, byName));
  }
  // A query with more words than the name ("Fabrikum Industries" for Fabrikam): its leading words against the
  // name, less EXTRA_WORDS_PENALTY and the partial penalty for the share of the query left out.
  for (const lead of query.leads) {
    const penalty = EXTRA_WORDS_PENALTY + PARTIAL_PENALTY * (1 - lead.length / query.compact.length);
    const need = Math.max(floor, byName) + penalty;
    if (need >= 1) break;
    byName = Math.max(byName, similarity(lead, entry.compact, need) - penalty);
  }
  const byDomain = similarity(query.compact, entry.label, Math.max(floor, byName));
  return byDomain > byName
    ? { entry, score: byDomain, matchedOn: 'domain', tier: 0 }
    : { entry, score: byName, matchedOn: 'name', tier: 0 };
}

/** Similarity of a glued query to the whole name, or to a run of its words with the partial penalties. */
function nameSimilarity(q: string, entry: Entry, floor: number): number {
  const whole = entry.compact;
  let best = similarity(q, whole, floor);
  const n = entry.words.length;
  if (n < 2 || best === 1) return best;
  // The run of words i..j is whole.slice(from, to): no string is built unless it can beat `best`.
  let from = 0;
  for (let i = 0; i < n; i++) {
    let to = from;
    for (let j = i; j < n; j++) {
      to += (entry.words[j] as string).length;
      if (i === 0 && j === n - 1) break;
      const length = to - from;
      const leading = i <= entry.head && j >= entry.head;
      const penalty = PARTIAL_PENALTY * (1 - length / whole.length) + (leading ? 0 : NON_LEADING_PENALTY);
      const need = Math.max(best, floor) + penalty;
      if (need >= 1) continue;
      if (1 - Math.abs(q.length - length) / Math.max(q.length, length) < need) continue;
      const s = similarity(q, whole.slice(from, to), need) - penalty;
      if (s > best) best = s;
    }
    from += (entry.words[i] as string).length;
  }
  return best;
}

function toCandidate(s: Scored): CustomerCandidate {
  return { customer: s.entry.customer, score: round(s.score), matchedOn: s.matchedOn };
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}

/** Whether `best` is clearly ahead of `other` (see CLEAR_MARGIN, CLEAR_RATIO). */
function clearlyAhead(best: Scored, other: Scored): boolean {
  return best.score - other.score >= CLEAR_MARGIN || 1 - other.score >= CLEAR_RATIO * (1 - best.score);
}

/** Match, ambiguous or none, from candidates ranked best first. */
function decide(ranked: readonly Scored[]): LookupResult {
  const best = ranked[0];
  if (best === undefined) return { kind: 'none', suggestions: [] };
  if (best.tier > 0) {
    // An exact match wins over any near one; two equally exact ones (same name) are ambiguous.
    const exact = ranked.filter((c) => c.tier === best.tier);
    if (exact.length > 1)
      return { kind: 'ambiguous', candidates: exact.slice(0, MAX_AMBIGUOUS).map(toCandidate) };
    return match(best, ranked);
  }
  if (best.score < MATCH_MIN) {
    return { kind: 'none', suggestions: ranked.slice(0, MAX_SUGGESTIONS).map(toCandidate) };
  }
  const close = ranked.filter((c) => c === best || !clearlyAhead(best, c));
  if (close.length === 1) return match(best, ranked);
  return { kind: 'ambiguous', candidates: close.slice(0, MAX_AMBIGUOUS).map(toCandidate) };
}

function match(best: Scored, ranked: readonly Scored[]): LookupResult {
  const candidates = ranked
    .filter((c) => c !== best && c.score >= SUGGEST_MIN)
    .slice(0, MAX_RUNNERS_UP)
    .map(toCandidate);
  return { kind: 'match', customer: best.entry.customer, candidates };
}

/** Whether `q` is the customer's whole name, domain label, or a run of consecutive words of the name. */
function hasRun(entry: Entry, q: string): boolean {
  if (q === entry.compact || q === entry.label) return true;
  for (let i = 0; i < entry.words.length; i++) {
    let run = '';
    for (let j = i; j < entry.words.length && run.length < q.length; j++) run += entry.words[j] ?? '';
    if (run === q) return true;
  }
  return false;
}
