/**
 * An inverted index of character trigrams (the method of PostgreSQL's pg_trgm): each indexed string is
 * padded ("  contoso ") and cut into overlapping three-letter grams; a query retrieves the documents that
 * share the most grams with it. A typo changes at most three grams, so "contso", "cotnoso" and "contosso"
 * still share most of theirs with "contoso", wherever the typo is, and so do run-together or partial forms
 * ("northwindtraders", "northwind"). Retrieval cost is that of walking the postings of the query's grams,
 * independent of the number of documents that share none.
 */

/** The distinct trigrams of a string, padded so that its start weighs more than its middle. */
function trigrams(text: string, into = new Set<string>()): Set<string> {
  const padded = `  ${text} `;
  for (let i = 0; i + 3 <= padded.length; i++) into.add(padded.slice(i, i + 3));
  return into;
}

interface TrigramHit {
  /** The document's slot, as given to add(). */
  readonly slot: number;
  /** Share of the query's grams found in the document, 0 to 1. */
  readonly coverage: number;
  /** Dice coefficient of the two gram sets, 0 to 1. */
  readonly dice: number;
}

export class TrigramIndex {
  private readonly postings = new Map<string, number[]>();
  /** Number of distinct grams of each slot's strings (0: free slot). */
  private gramCounts = new Uint16Array(1024);
  private counts = new Uint16Array(1024);
  /** The slots whose count is non-zero during a search (reused: a search allocates little). */
  private touched = new Int32Array(1024);
  private documents = 0;

  get size(): number {
    return this.documents;
  }

  /** Indexes the strings of a document under `slot` (a small non-negative integer, unique). */
  add(slot: number, strings: readonly string[]): void {
    const grams = gramsOf(strings);
    this.ensure(slot + 1);
    for (const gram of grams) {
      const list = this.postings.get(gram);
      if (list === undefined) this.postings.set(gram, [slot]);
      else list.push(slot);
    }
    this.gramCounts[slot] = Math.min(grams.size, 0xffff);
    this.documents++;
  }

  /** Removes a document; `strings` must be those it was added with. */
  remove(slot: number, strings: readonly string[]): void {
    for (const gram of gramsOf(strings)) {
      const list = this.postings.get(gram);
      if (list === undefined) continue;
      const at = list.indexOf(slot);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.postings.delete(gram);
    }
    this.gramCounts[slot] = 0;
    this.documents--;
  }

  /**
   * The `limit` documents sharing the most grams with `text` (by coverage of the query's grams, then Dice),
   * among those that share at least `minCoverage` of them. Grams found in more than `maxShare` of the
   * documents (common grams) are skipped, unless the query has nothing else and `common` is true: they cost
   * the most and tell the least.
   */
  search(text: string, limit: number, common = true, minCoverage = 0.3, maxShare = 0.02): TrigramHit[] {
    const grams = trigrams(text);
    const lists: number[][] = [];
    const maxPostings = Math.max(500, this.documents * maxShare);
    for (const gram of grams) {
      const list = this.postings.get(gram);
      if (list !== undefined) lists.push(list);
    }
    const rare = lists.filter((l) => l.length <= maxPostings);
    const walk = rare.length >= Math.min(3, lists.length) || !common ? rare : lists;

    const counts = this.counts;
    const touched = this.touched;
    let touchedCount = 0;
    for (const list of walk) {
      for (let i = 0; i < list.length; i++) {
        const slot = list[i] as number;
        if (counts[slot] === 0) touched[touchedCount++] = slot;
        counts[slot] = (counts[slot] as number) + 1;
      }
    }
    const queryGrams = grams.size;
    const minShared = Math.max(1, Math.ceil(minCoverage * queryGrams - (lists.length - walk.length)));
    // Keep the best `limit` in a small array sorted best first.
    const best: TrigramHit[] = [];
    for (let k = 0; k < touchedCount; k++) {
      const slot = touched[k] as number;
      const shared = counts[slot] as number;
      counts[slot] = 0;
      if (shared < minShared) continue;
      const coverage = shared / queryGrams;
      const dice = (2 * shared) / (queryGrams + (this.gramCounts[slot] as number));
      if (best.length === limit) {
        const last = best[limit - 1] as TrigramHit;
        if (coverage < last.coverage || (coverage === last.coverage && dice <= last.dice)) continue;
        best.pop();
      }
      let at = best.length;
      while (at > 0) {
        const before = best[at - 1] as TrigramHit;
        if (before.coverage > coverage || (before.coverage === coverage && before.dice >= dice)) break;
        at--;
      }
      best.splice(at, 0, { slot, coverage, dice });
    }
    return best;
  }

  private ensure(size: number): void {
    if (size <= this.counts.length) return;
    let capacity = this.counts.length;
    while (capacity < size) capacity *= 2;
    const gramCounts = new Uint16Array(capacity);
    gramCounts.set(this.gramCounts);
    this.gramCounts = gramCounts;
    this.counts = new Uint16Array(capacity);
    this.touched = new Int32Array(capacity);
  }
}

function gramsOf(strings: readonly string[]): Set<string> {
  const grams = new Set<string>();
  for (const s of strings) if (s.length > 0) trigrams(s, grams);
  return grams;
}
