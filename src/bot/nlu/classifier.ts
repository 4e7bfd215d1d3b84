/**
 * The intent classifier: one NLP.js neural network (a perceptron per intent over a bag of features) per
 * language, trained on the example utterances of `training/{en,fr,ja}.json`.
 *
 * Features come from the text *after* entity recognition: the customer and plan spans, and the numbers, are
 * replaced by the placeholder tokens `CUSTOMER_TOKEN`, `PLAN_TOKEN` and `NUMBER_TOKEN`, so that the network
 * learns the shape of a sentence ("can ‹customer› upgrade to ‹plan›", "‹customer› needs ‹number› more
 * seats"), not names or numbers. The text is folded (case, accents, width), tokenized and
 * stemmed with NLP.js's English and French tokenizers and stemmers; Japanese, which has no spaces, is
 * segmented into words with `Intl.Segmenter` (ICU's dictionary, built into Node). Adjacent-token bigrams are
 * added to the unigrams so that word order counts ("upgrade ‹customer›" vs "‹customer› upgrade").
 *
 * Unknown words are first corrected to a known feature within one edit (NLP.js SpellCheck, for words of 5
 * letters or more); those that remain unknown feed NLP.js's "nonefeature", which pulls the scores towards
 * the `none` intent. The scores are normalized as NLP.js does (squared, summed to 1).
 */
import neural, { type FeatureVector, type NeuralNetwork, type NeuralNetworkJson } from '@nlpjs/neural';
import langEn from '@nlpjs/lang-en-min';
import langFr from '@nlpjs/lang-fr';
import similarity, { type SpellCheck } from '@nlpjs/similarity';
import { fold } from '../../directory/name-normalize.js';
import type { Language } from '../language.js';

export const INTENTS = [
  'eligibility',
  'upgrade',
  'paths',
  'fleet',
  'history',
  'refresh',
  'addLicences',
  'removeLicences',
  'help',
  'none',
] as const;
export type Intent = (typeof INTENTS)[number];
export { LANGUAGES, type Language } from '../language.js';

/** What stands in the text for a recognized customer, a recognized plan and a number (seats.ts). */
export const CUSTOMER_TOKEN = 'zcustomerz';
export const PLAN_TOKEN = 'zplanz';
export const NUMBER_TOKEN = 'znumberz';
const PLACEHOLDERS: ReadonlySet<string> = new Set([CUSTOMER_TOKEN, PLAN_TOKEN, NUMBER_TOKEN]);

const NONE_FEATURE = 'nonefeature';
/** The network's output for the none feature, counted as `none`. */
const NONE_OUTPUT = 'None';
const SPELL_CHECK_MIN_LENGTH = 5;

/** A labelled example, with its placeholders already in place. */
export interface Example {
  readonly text: string;
  readonly intent: Intent;
}

export interface Classification {
  readonly intent: Intent;
  /** The normalized score of the intent, 0..1. */
  readonly confidence: number;
  /** The normalized score of every intent (absent: 0). */
  readonly scores?: Readonly<Partial<Record<Intent, number>>>;
  /** The share of the sentence's words (not counting placeholders) that the classifier knows, 0..1. */
  readonly coverage: number;
}

// ---------------------------------------------------------------------------------------------------------
// Tokens

interface Stemmer {
  stemWord(word: string): string;
  cache: Record<string, string>;
}

const tokenizerEn = new langEn.TokenizerEn();
const tokenizerFr = new langFr.TokenizerFr();
const stemmers: Record<'en' | 'fr', Stemmer> = { en: new langEn.StemmerEn(), fr: new langFr.StemmerFr() };
const segmenterJa = new Intl.Segmenter('ja', { granularity: 'word' });
/** The NLP.js stemmers memoize every word they see: keep that bounded. */
const MAX_STEM_CACHE = 20_000;

function stem(language: 'en' | 'fr', word: string): string {
  if (PLACEHOLDERS.has(word) || /^[0-9]/.test(word)) return word;
  const stemmer = stemmers[language];
  const s = stemmer.stemWord(word);
  if (Object.keys(stemmer.cache).length > MAX_STEM_CACHE) stemmer.cache = {};
  return s;
}

/** The words of a sentence (placeholders kept as they are), folded, tokenized and stemmed. */
function tokensOf(text: string, language: Language): string[] {
  // Hyphens and typographic apostrophes: "est-ce" → est ce, "what’s" → what's.
  const folded = fold(text)
    .replace(/[’‘`´]/g, "'")
    .replace(/[-‐‑–—_]/g, ' ');
  let tokens: string[];
  if (language === 'ja') {
    tokens = [];
    for (const s of segmenterJa.segment(folded)) if (s.isWordLike) tokens.push(s.segment);
  } else if (language === 'en') {
    tokens = tokenizerEn.tokenize(folded).map((w) => stem('en', w));
  } else {
    tokens = tokenizerFr.tokenize(folded).map((w) => stem('fr', w));
  }
  tokens = tokens.filter((t) => t.length > 0);
  // A message of punctuation only ("?") is a sentence too.
  if (tokens.length === 0 && /[?？]/.test(folded)) tokens = ['?'];
  return tokens;
}

/**
 * Bigrams weigh less than words. 5-fold cross-validation on the training utterances (en / fr / ja intent
 * accuracy): without bigrams 81.5 / 81.7 / 80.2%, at 0.3 82.2 / 82.0 / 81.0%, at 1 77.7 / 81.1 / 77.7%.
 */
const BIGRAM_WEIGHT = 0.3;

/** Unigrams (weight 1) and adjacent bigrams (BIGRAM_WEIGHT). */
function features(tokens: readonly string[]): FeatureVector {
  const out: FeatureVector = {};
  for (const t of tokens) out[t] = 1;
  for (let i = 1; i < tokens.length; i++) out[`${tokens[i - 1]}_${tokens[i]}`] = BIGRAM_WEIGHT;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Classifier

export interface ClassifierJson {
  readonly language: Language;
  readonly network: NeuralNetworkJson;
  /** See `IntentClassifier.talksShop`. */
  readonly domainWords: readonly string[];
  /** See `IntentClassifier.planQuestion`. */
  readonly pathsWords: readonly string[];
}

/** The intents about upgrades (all but help and none). */
const DOMAIN_INTENTS: ReadonlySet<Intent> = new Set(INTENTS.filter((i) => i !== 'help' && i !== 'none'));
/** A domain word appears in at least this many examples of the domain intents. */
const DOMAIN_MIN_EXAMPLES = 2;

/** Words (and the plan placeholder) seen in examples about upgrades and never in help or small talk. */
function domainWordsOf(language: Language, examples: readonly Example[]): string[] {
  const inDomain = new Map<string, number>();
  const elsewhere = new Set<string>();
  for (const e of examples) {
    // Japanese particles and endings (hiragana only: で, が, ます) are no evidence of a topic.
    const tokens = tokensOf(e.text, language).filter((t) => !/^\p{Script=Hiragana}+$/u.test(t));
    for (const t of new Set(tokens)) {
      if (DOMAIN_INTENTS.has(e.intent)) inDomain.set(t, (inDomain.get(t) ?? 0) + 1);
      else elsewhere.add(t);
    }
  }
  return [...inDomain]
    .filter(([t, n]) => n >= DOMAIN_MIN_EXAMPLES && !elsewhere.has(t) && t !== CUSTOMER_TOKEN)
    .map(([t]) => t)
    .sort();
}

/** The intents about one customer (a follow-up is one of these; a plan's paths question never uses their words). */
export const CUSTOMER_INTENTS = [
  'eligibility',
  'upgrade',
  'history',
  'refresh',
  'addLicences',
  'removeLicences',
] as const satisfies readonly Intent[];
export type CustomerIntent = (typeof CUSTOMER_INTENTS)[number];

/** Whether the intent is about one customer. */
export function isCustomerIntent(intent: Intent): intent is CustomerIntent {
  return (CUSTOMER_INTENTS as readonly Intent[]).includes(intent);
}
/** A paths word appears in at least this many examples of paths. */
const PATHS_MIN_EXAMPLES = 2;

/** Words seen in examples of paths questions and never in questions about a customer ("paths", "先"). */
function pathsWordsOf(language: Language, examples: readonly Example[]): string[] {
  const inPaths = new Map<string, number>();
  const aboutCustomers = new Set<string>();
  for (const e of examples) {
    const tokens = tokensOf(e.text, language).filter(
      (t) => !PLACEHOLDERS.has(t) && !/^\p{Script=Hiragana}+$/u.test(t),
    );
    for (const t of new Set(tokens)) {
      if (e.intent === 'paths') inPaths.set(t, (inPaths.get(t) ?? 0) + 1);
      else if (isCustomerIntent(e.intent)) aboutCustomers.add(t);
    }
  }
  return [...inPaths]
    .filter(([t, n]) => n >= PATHS_MIN_EXAMPLES && !aboutCustomers.has(t))
    .map(([t]) => t)
    .sort();
}

export class IntentClassifier {
  readonly language: Language;
  private readonly network: NeuralNetwork;
  /** Every feature seen in training. */
  private readonly known: Set<string>;
  /** Known unigrams (the spelling corrector's dictionary). */
  private readonly spellCheck: SpellCheck;
  private readonly domainWords: ReadonlySet<string>;
  private readonly pathsWords: ReadonlySet<string>;

  private constructor(
    language: Language,
    network: NeuralNetwork,
    json: NeuralNetworkJson,
    domainWords: readonly string[],
    pathsWords: readonly string[],
  ) {
    this.language = language;
    this.network = network;
    this.domainWords = new Set(domainWords);
    this.pathsWords = new Set(pathsWords);
    this.known = new Set(json.features ?? []);
    this.known.delete(NONE_FEATURE);
    const unigrams: Record<string, number> = {};
    for (const f of this.known) if (!f.includes('_') && f.length >= SPELL_CHECK_MIN_LENGTH) unigrams[f] = 1;
    this.spellCheck = new similarity.SpellCheck({ features: unigrams, minLength: SPELL_CHECK_MIN_LENGTH });
  }

  /** Trains a network on examples (their placeholders already in place). Deterministic. */
  static train(language: Language, examples: readonly Example[]): IntentClassifier {
    const network = new neural.NeuralNetwork({ log: false });
    const corpus = examples.map((e) => ({
      input: features(tokensOf(e.text, language)),
      output: { [e.intent]: 1 },
    }));
    // NLP.js's "none feature": a sentence of unknown words is `None` (an output of its own: NLP.js gives every
    // other intent a tiny target on this example, `none` included).
    corpus.push({ input: { [NONE_FEATURE]: 1 }, output: { [NONE_OUTPUT]: 1 } });
    network.train(corpus);
    return new IntentClassifier(
      language,
      network,
      network.toJSON(),
      domainWordsOf(language, examples),
      pathsWordsOf(language, examples),
    );
  }

  static fromJSON(json: ClassifierJson): IntentClassifier {
    const network = new neural.NeuralNetwork();
    network.fromJSON(json.network);
    return new IntentClassifier(json.language, network, json.network, json.domainWords, json.pathsWords);
  }

  toJSON(): ClassifierJson {
    return {
      language: this.language,
      network: this.network.toJSON(),
      domainWords: [...this.domainWords],
      pathsWords: [...this.pathsWords],
    };
  }

  /**
   * What tells a question about a plan itself from a follow-up about a customer (follow-ups.ts), in a
   * sentence with its placeholders in place: how many words it has besides them, and whether one of them is
   * a word that only questions about paths use ("paths", "targets", 「先」).
   */
  planQuestion(text: string): { readonly words: number; readonly pathsWord: boolean } {
    const words = tokensOf(text, this.language).filter((t) => !PLACEHOLDERS.has(t) && t !== '?');
    return {
      words: words.length,
      pathsWord: words.some((t) => this.pathsWords.has(t) || this.pathsWords.has(this.correct(t))),
    };
  }

  /**
   * Whether a sentence (placeholders in place) uses the vocabulary of upgrades: a word, or a plan, seen only
   * in examples about upgrades ("upgrade", "éligible", "履歴"), never in help or small talk ("call", "play").
   */
  talksShop(text: string): boolean {
    return tokensOf(text, this.language).some(
      (t) => this.domainWords.has(t) || this.domainWords.has(this.correct(t)),
    );
  }

  /** Whether training has seen this word (after folding and stemming). */
  knows(word: string): boolean {
    return tokensOf(word, this.language).some((t) => this.known.has(t));
  }

  /** Classifies a sentence whose entities are already replaced by placeholders. */
  classify(text: string): Classification {
    const raw = tokensOf(text, this.language);
    const tokens = this.language === 'ja' ? raw : raw.map((t) => (this.known.has(t) ? t : this.correct(t)));
    const input: FeatureVector = {};
    let unknown = 0;
    let words = 0;
    let knownWords = 0;
    for (const t of tokens) {
      if (!PLACEHOLDERS.has(t)) {
        words++;
        if (this.known.has(t)) knownWords++;
      }
    }
    for (const [f, value] of Object.entries(features(tokens))) {
      if (this.known.has(f)) input[f] = value;
      else if (!f.includes('_')) unknown++;
    }
    // The share of unknown words (NLP.js adds a growing amount per unknown word; a share keeps a sentence of
    // unknown words at 1, the value the `none` example was trained with).
    if (unknown > 0) input[NONE_FEATURE] = unknown / new Set(tokens).size;
    const coverage = words === 0 ? 1 : knownWords / words;
    if (Object.keys(input).length === 0) return { intent: 'none', confidence: 1, coverage };
    const scores = this.network.run(input) ?? {};
    let total = 0;
    let best: Intent = 'none';
    let bestScore = 0;
    const squared: Partial<Record<Intent, number>> = {};
    for (const intent of INTENTS) {
      const raw =
        intent === 'none' ? Math.max(scores.none ?? 0, scores[NONE_OUTPUT] ?? 0) : (scores[intent] ?? 0);
      const s = raw ** 2;
      squared[intent] = s;
      total += s;
      if (s > bestScore) {
        best = intent;
        bestScore = s;
      }
    }
    if (total === 0) return { intent: 'none', confidence: 1, coverage };
    const normalized: Partial<Record<Intent, number>> = {};
    for (const intent of INTENTS) normalized[intent] = (squared[intent] ?? 0) / total;
    return { intent: best, confidence: bestScore / total, coverage, scores: normalized };
  }

  private correct(token: string): string {
    if (PLACEHOLDERS.has(token) || token.length < SPELL_CHECK_MIN_LENGTH) return token;
    return this.spellCheck.check([token], 1)[0] ?? token;
  }
}
