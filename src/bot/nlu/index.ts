/**
 * The understanding layer: free text in English, French or Japanese → an intent and its entities.
 *
 * 1. Entities first. Plans are recognized from the catalog's names in every form (plans.ts); the customer is
 *    found by the directory's lookup (`CustomerLookup.findMention`), on the text with the plan names blanked
 *    out so that a plan is never taken for a customer.
 * 2. Both are replaced by placeholders and the sentence is classified by an NLP.js neural network trained
 *    on example utterances (classifier.ts, training/*.json). There is one classifier per language; the
 *    locale's is tried first, and when the text is written in another language (more of its words known to
 *    another classifier, or the locale's classifier not confident) the others are tried too.
 * 3. No customer found? A run of unknown words that reads as the customer of a question about upgrades
 *    ("can Zorblax Industries upgrade?") is passed on with the lookup's `resolve` answer (none, with the
 *    closest names), so that the bot can say it does not know that customer.
 * 4. The entities are attached according to the intent: the customer to eligibility, upgrade, history,
 *    refresh and the licence requests; the plan to move to (`target`) to eligibility, upgrade and fleet; the
 *    plan asked about (`source`) to paths, and the plan of the subscription to add licences to or remove them
 *    from ("Contoso's E3") to the licence requests. A Microsoft 365 product that is not a catalog offer
 *    ("Microsoft 365 E3") in the place of the plan is `otherProduct`, never the Office 365 offer of its tier.
 *    A request to add licences carries how many, or the new total (`seats`, seats.ts), read on the text with
 *    the customer and plans blanked out.
 * 5. Context (follow-ups.ts): after an answer about a customer, a message that names no customer is about
 *    that customer ("what about E3?", "et pour E3 ?", "E3ならどう？"): `followUp` carries the previous turn's
 *    customer and subscription. A customer named in the message, or an explicit question about a plan's own
 *    paths ("E5のアップグレード先は？"), overrides them.
 */
import { smallTalkOf, type SmallTalk } from './small-talk.js';
import type { CustomerLookup, CustomerMention } from '../../directory/lookup-types.js';
import type { OfferId, OtherProductId } from '../../rules/index.js';
import { LANGUAGES, languageOf, type Language } from '../language.js';
import { isCustomerIntent, type Classification, type Intent } from './classifier.js';
import { findPlans, type PlanMention } from './plans.js';
import { followUpOf, type DialogueContext, type PlanQuestion } from './follow-ups.js';
import { sourceOf, targetOf } from './plan-roles.js';
import { seatsOf, type Seats } from './seats.js';
import { blank } from './text.js';
import { unknownNameSpans } from './unknown-names.js';
import { loadSavedModel } from './saved-model.js';
import { modelFromJSON, trainModel, withPlaceholders, type NluModel, type NluModelJson } from './training.js';

export type { Intent } from './classifier.js';
export type { Language } from '../language.js';
export type { DialogueContext } from './follow-ups.js';
export type { Seats } from './seats.js';

export interface Understanding {
  readonly intent: Intent;
  /** The classifier's score for the intent, 0..1. */
  readonly confidence: number;
  /** The language of the reply: the locale's (the text may be written in another). */
  readonly language: Language;
  /** The customer named in the text (eligibility, upgrade, history, refresh, addLicences, removeLicences). */
  readonly customer?: CustomerMention;
  /** The plan to move to (eligibility with a target, upgrade, fleet). */
  readonly target?: OfferId;
  /**
   * The plan asked about (paths), or the plan of the subscription to add licences to or remove them from
   * (addLicences, removeLicences: "Contoso's E3").
   */
  readonly source?: OfferId;
  /**
   * The licences to add (addLicences): how many more ("8 more seats") or the new total ("to 60 seats");
   * absent when the message gives no number.
   */
  readonly seats?: Seats;
  /**
   * A Microsoft 365 product that is not an offer of the catalog ("Microsoft 365 E3"), named where the plan to
   * move to or the plan asked about is expected; `target` and `source` are then left out.
   */
  readonly otherProduct?: OtherProductId;
  /**
   * The message names no customer and is about the previous answer's: its customer and subscription, as given
   * in the context.
   */
  readonly followUp?: DialogueContext;
  /** The message is only thanks, yes or no (intent `none`): answered as such, and nothing changes. */
  readonly smallTalk?: SmallTalk;
}

export interface Understander {
  /** `context`: what the previous answer was about (a follow-up question is about it too). */
  understand(text: string, locale: string | undefined, context?: DialogueContext): Understanding;
}

/** Below this score (NLP.js's default threshold) the classifier's answer is not trusted: the intent is `none`. */
const MIN_CONFIDENCE = 0.5;
/** Longer messages are understood from their beginning (bounds the time one message can take). */
export const MAX_TEXT = 1000;
/** Another language's classifier is preferred when it knows this much more of the sentence's words. */
const COVERAGE_MARGIN = 0.25;

const TARGET_INTENTS: ReadonlySet<Intent> = new Set(['eligibility', 'upgrade', 'fleet']);
/** The plan named is the one asked about (paths) or the subscription's (licences), never one to move to. */
const SOURCE_INTENTS: ReadonlySet<Intent> = new Set(['paths', 'addLicences', 'removeLicences']);

/** The plan entities of an understanding: the plan of `key`, or the other product in its place. */
function planEntities(
  key: 'target' | 'source',
  plan: PlanMention | undefined,
): Partial<Pick<Understanding, 'target' | 'source' | 'otherProduct'>> {
  if (plan === undefined) return {};
  return plan.other !== undefined ? { otherProduct: plan.other } : { [key]: plan.offerId };
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

const JAPANESE_SCRIPT = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;

class NluUnderstander implements Understander {
  constructor(
    private readonly lookup: CustomerLookup,
    private readonly model: NluModel,
  ) {}

  understand(message: string, locale: string | undefined, context?: DialogueContext): Understanding {
    const language = languageOf(locale);
    const text = message.slice(0, MAX_TEXT);
    const smallTalk = smallTalkOf(text);
    if (smallTalk !== undefined) return { intent: 'none', confidence: 1, language, smallTalk };
    const plans = findPlans(text);
    let customer = this.lookup.findMention(blank(text, plans));
    if (customer !== undefined) {
      const c = customer;
      if (plans.some((p) => overlaps(p, c))) customer = undefined;
      else customer = { ...c, text: text.slice(c.start, c.end) };
    }
    const japanese = JAPANESE_SCRIPT.test(text);
    const shaped = withPlaceholders(text, customer, plans);
    const classification = this.classify(shaped, language, japanese);
    let { intent, confidence } = classification;
    if (customer === undefined) {
      const unknown = this.unknownCustomer(text, plans, language, japanese, { intent, confidence });
      if (unknown !== undefined) ({ customer, intent, confidence } = unknown);
    }
    const followUp =
      customer === undefined && context !== undefined
        ? followUpOf(text, plans, classification, () => this.planQuestion(shaped, japanese))
        : undefined;
    if (followUp !== undefined) intent = followUp;
    return {
      intent,
      confidence,
      language,
      ...(customer !== undefined && isCustomerIntent(intent) ? { customer } : {}),
      ...(TARGET_INTENTS.has(intent) ? planEntities('target', targetOf(text, plans)) : {}),
      ...(SOURCE_INTENTS.has(intent) ? planEntities('source', sourceOf(text, plans)) : {}),
      ...(intent === 'none'
        ? planEntities(
            'target',
            plans.find((p) => p.other !== undefined),
          )
        : {}),
      ...(followUp !== undefined && context !== undefined ? { followUp: context } : {}),
      ...(intent === 'addLicences' ? this.seats(text, plans, customer) : {}),
    };
  }

  /** How many licences to add, or the new total, read with the customer and plans blanked out. */
  private seats(
    text: string,
    plans: readonly PlanMention[],
    customer: CustomerMention | undefined,
  ): Pick<Understanding, 'seats'> {
    const seats = seatsOf(blank(text, customer === undefined ? plans : [...plans, customer]));
    return seats === undefined ? {} : { seats };
  }

  /** How the classifiers of the message's script read it as a question about a plan (follow-ups.ts). */
  private planQuestion(shaped: string, japanese: boolean): PlanQuestion {
    const readings = LANGUAGES.filter((l) => (l === 'ja') === japanese).map((l) =>
      this.model[l].planQuestion(shaped),
    );
    return {
      words: Math.max(...readings.map((r) => r.words)),
      pathsWord: readings.some((r) => r.pathsWord),
    };
  }

  /**
   * A customer the directory does not know ("can Zorblax Industries upgrade?"), for the bot to say so and
   * suggest the closest names: a run of words no classifier knows (unknown-names.ts) that, taken as the
   * customer, makes the sentence a confident question about a customer, in a sentence that uses the words of
   * upgrades ("Call Sarah" or "Play Taylor Swift" do not). Its lookup result, usually `none` with
   * suggestions, comes from `resolve`.
   */
  private unknownCustomer(
    text: string,
    plans: readonly PlanMention[],
    language: Language,
    japanese: boolean,
    without: { intent: Intent; confidence: number },
  ): { customer: CustomerMention; intent: Intent; confidence: number } | undefined {
    // A confident answer that needs no customer stands, unless a customer makes it more confident still.
    const toBeat =
      !isCustomerIntent(without.intent) && without.intent !== 'none' && without.confidence >= MIN_CONFIDENCE
        ? without.confidence
        : 0;
    const known = (word: string): boolean => LANGUAGES.some((l) => this.model[l].knows(word));
    let best: { span: { start: number; end: number }; intent: Intent; confidence: number } | undefined;
    for (const span of unknownNameSpans(text, plans, known)) {
      const shaped = withPlaceholders(text, span, plans);
      const c = this.classify(shaped, language, japanese);
      if (!isCustomerIntent(c.intent) || c.confidence < Math.max(MIN_CONFIDENCE, toBeat)) continue;
      if (!LANGUAGES.some((l) => this.model[l].talksShop(shaped))) continue;
      if (best === undefined || c.confidence > best.confidence) best = { span, ...c };
    }
    if (best === undefined) return undefined;
    const name = text.slice(best.span.start, best.span.end);
    const customer = { text: name, ...best.span, result: this.lookup.resolve(name) };
    return { customer, intent: best.intent, confidence: best.confidence };
  }

  /**
   * The locale's classifier, unless another language's knows clearly more of the sentence's words (a French
   * user typing English); when the chosen one is unsure, any other that is confident; else `none`.
   */
  private classify(shaped: string, locale: Language, japaneseScript: boolean): Classification {
    const others = LANGUAGES.filter((l) => l !== locale && (l === 'ja') === japaneseScript).map((l) =>
      this.model[l].classify(shaped),
    );
    const primary = this.model[locale].classify(shaped);
    let chosen = primary;
    for (const r of others) if (r.coverage >= chosen.coverage + COVERAGE_MARGIN) chosen = r;
    if (chosen.confidence >= MIN_CONFIDENCE) return chosen;
    const rescue = [primary, ...others]
      .filter((r) => r !== chosen && r.intent !== 'none' && r.confidence >= MIN_CONFIDENCE)
      .sort((a, b) => b.coverage - a.coverage || b.confidence - a.confidence)[0];
    if (rescue !== undefined && rescue.coverage >= chosen.coverage) return rescue;
    // Nothing is confident: `none`, as sure as the chosen intent is unsure.
    return {
      intent: 'none',
      confidence: chosen.intent === 'none' ? chosen.confidence : 1 - chosen.confidence,
      coverage: chosen.coverage,
    };
  }
}

interface UnderstanderOptions {
  /** A model (modelToJSON) to use instead of the saved one. */
  readonly model?: NluModelJson;
}

/**
 * An understander that finds customers with `lookup`. It loads the saved model (model.json, a few
 * milliseconds); should that be stale (training data changed without `npm run nlu:train` being run), it
 * trains the classifiers instead (about half a second).
 */
export async function createUnderstander(
  lookup: CustomerLookup,
  options: UnderstanderOptions = {},
): Promise<Understander> {
  const model =
    options.model === undefined ? (loadSavedModel() ?? trainModel()) : modelFromJSON(options.model);
  return new NluUnderstander(lookup, model);
}
