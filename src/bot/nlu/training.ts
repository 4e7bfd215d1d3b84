/**
 * The training data (`training/{en,fr,ja}.json`: intent → example utterances) and the training of the
 * three classifiers.
 *
 * In the examples a customer is written in braces, "can {Contoso} upgrade?": the braces stand for what the
 * customer lookup recognizes at run time, whatever the directory holds. Plans are written as people type
 * them and recognized by the same plan recognizer as at run time (plans.ts); numbers ("8 more seats") by the
 * same number finder (seats.ts). All become the classifier's placeholders, exactly as in
 * `Understander.understand`.
 */
import { createHash } from 'node:crypto';
import en from './training/en.json' with { type: 'json' };
import fr from './training/fr.json' with { type: 'json' };
import ja from './training/ja.json' with { type: 'json' };
import {
  CUSTOMER_TOKEN,
  INTENTS,
  IntentClassifier,
  LANGUAGES,
  NUMBER_TOKEN,
  PLAN_TOKEN,
  type ClassifierJson,
  type Example,
  type Intent,
  type Language,
} from './classifier.js';
import { PLAN_ALIASES, findPlans, type PlanMention } from './plans.js';
import { findNumbers } from './seats.js';
import { blank, replaceSpans } from './text.js';

export type TrainingData = Readonly<Record<Intent, readonly string[]>>;

export const TRAINING_DATA: Readonly<Record<Language, TrainingData>> = { en, fr, ja };

/**
 * A sentence with its customer span, plan spans and numbers replaced by placeholders (`plans`: the plans
 * found in it, when already known; those that overlap the customer are left out). Numbers are looked for
 * with the customer and plans blanked out: the 3 of "E3" is no number.
 */
export function withPlaceholders(
  text: string,
  customer: { readonly start: number; readonly end: number } | undefined,
  plans: readonly PlanMention[] = findPlans(text),
): string {
  const kept = plans.filter(
    (p) => customer === undefined || p.end <= customer.start || p.start >= customer.end,
  );
  const named = customer === undefined ? kept : [customer, ...kept];
  const spans = [
    ...(customer === undefined ? [] : [{ ...customer, token: CUSTOMER_TOKEN }]),
    ...kept.map((p) => ({ start: p.start, end: p.end, token: PLAN_TOKEN })),
    ...findNumbers(blank(text, named)).map((n) => ({ start: n.start, end: n.end, token: NUMBER_TOKEN })),
  ];
  return replaceSpans(text, spans, (s) => s.token);
}

const CUSTOMER_MARKUP = /\{([^{}]+)\}/;

/** A training utterance as the classifier sees it: "{Contoso} → E5?" → "‹customer› → ‹plan›?". */
export function exampleText(utterance: string): string {
  const m = CUSTOMER_MARKUP.exec(utterance);
  if (m === null) return withPlaceholders(utterance, undefined);
  // The customer first, then plans elsewhere in the sentence.
  const start = m.index;
  const end = start + m[0].length;
  return withPlaceholders(utterance, { start, end });
}

export function examplesOf(data: TrainingData): Example[] {
  return INTENTS.flatMap((intent) => data[intent].map((u) => ({ text: exampleText(u), intent })));
}

export type NluModel = Readonly<Record<Language, IntentClassifier>>;

/**
 * Bump when the features change (tokenizing, stemming, placeholders, weights) or what a classifier saves:
 * a saved model of another format is then stale. 2: the words of paths questions (`pathsWords`). 3: numbers
 * as a placeholder (`NUMBER_TOKEN`).
 */
export const MODEL_FORMAT = 3;

export interface NluModelJson {
  readonly format: number;
  /** `trainingFingerprint()` of the data the model was trained on. */
  readonly fingerprint: string;
  readonly classifiers: readonly ClassifierJson[];
}

/** A hash of what a model is trained from: the feature format, the training data and the plan names. */
export function trainingFingerprint(data: Readonly<Record<Language, TrainingData>> = TRAINING_DATA): string {
  return createHash('sha256')
    .update(JSON.stringify({ format: MODEL_FORMAT, data, plans: PLAN_ALIASES }))
    .digest('hex')
    .slice(0, 32);
}

export function trainModel(data: Readonly<Record<Language, TrainingData>> = TRAINING_DATA): NluModel {
  return {
    en: IntentClassifier.train('en', examplesOf(data.en)),
    fr: IntentClassifier.train('fr', examplesOf(data.fr)),
    ja: IntentClassifier.train('ja', examplesOf(data.ja)),
  };
}

export function modelToJSON(model: NluModel, fingerprint = trainingFingerprint()): NluModelJson {
  return { format: MODEL_FORMAT, fingerprint, classifiers: LANGUAGES.map((l) => model[l].toJSON()) };
}

export function modelFromJSON(json: NluModelJson): NluModel {
  const byLanguage = new Map(json.classifiers.map((c) => [c.language, IntentClassifier.fromJSON(c)]));
  const get = (l: Language): IntentClassifier => {
    const c = byLanguage.get(l);
    if (c === undefined) throw new Error(`the NLU model has no ${l} classifier`);
    return c;
  };
  return { en: get('en'), fr: get('fr'), ja: get('ja') };
}
