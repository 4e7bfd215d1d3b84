/**
 * Follow-ups: after an answer about a customer, a short message that names no customer is about that customer
 * ("what about E3?", "go ahead with E5"; « et pour E3 ? », « vas-y, passe-le en E5 »; 「E3ならどう？」,
 * 「それならE5に上げて」). The previous turn's customer and subscription are the context of the message.
 *
 * The classifier is trained on such messages (training/*.json: utterances about a customer without one), so it
 * reads them as eligibility or upgrade questions. What it cannot know is the context: a bare plan ("E3?",
 * 「E3は？」) asks where the plan can go when nothing was said before, and whether the customer can move to it
 * after an answer about a customer. An explicit question about a plan's own paths ("what can E3 upgrade to?",
 * 「E5のアップグレード先は？」) stays one, and a customer named in the message (the understander checks that
 * first) overrides the context.
 */
import { isCustomerIntent, type Classification, type CustomerIntent } from './classifier.js';
import { movesTo } from './plan-roles.js';
import type { PlanMention } from './plans.js';

/** What the previous answer was about: the context of a follow-up. */
export interface DialogueContext {
  /** The customer the previous answer was about. */
  readonly customerId: string;
  /** The subscription it was about, when it was about one (the one an upgrade was prepared for). */
  readonly subscriptionId?: string;
}

/** A message of more words than this around its plan is a question of its own, not a bare follow-up. */
const FOLLOW_UP_MAX_WORDS = 3;

/** How the classifiers read the message (classifier.ts, `IntentClassifier.planQuestion`). */
export interface PlanQuestion {
  /** Words besides the placeholders. */
  readonly words: number;
  /** A word only questions about paths use ("paths", 「先」). */
  readonly pathsWord: boolean;
}

/**
 * Whether a message the classifier read as a paths question really asks about the plan itself: it uses a
 * word of paths questions ("upgrade paths for E3", 「E5のアップグレード先は？」); else, when it names every plan
 * as the plan to move to ("can it upgrade to E3?", 「E3にアップグレードできますか？」), it does not; else it
 * does when it is more than a few words ("what can E3 upgrade to?"), not when it is a plan and a word or two
 * ("E3?", "and E3?", 「E3は？」).
 */
function asksAboutPlan(text: string, plans: readonly PlanMention[], reading: PlanQuestion): boolean {
  if (reading.pathsWord) return true;
  if (plans.every((p) => movesTo(text, p))) return false;
  return reading.words > FOLLOW_UP_MAX_WORDS;
}

/**
 * The intent of a message that names no customer, read in the context of an answer about a customer, when it
 * is about that customer; undefined when it is not (help, small talk, a fleet question, a question about a
 * plan's own paths).
 * - A question about a customer (eligibility, upgrade, history, refresh, adding or removing licences) is about
 *   the previous one.
 * - A plan in a message that the classifier took for a paths question without it asking about the plan
 *   itself (`asksAboutPlan`), or that it could not place, is about moving the customer to it: an eligibility
 *   question, or an upgrade when the classifier scores upgrade higher ("go for E5").
 */
export function followUpOf(
  text: string,
  plans: readonly PlanMention[],
  classification: Classification,
  reading: () => PlanQuestion,
): CustomerIntent | undefined {
  const { intent, scores } = classification;
  if (isCustomerIntent(intent)) return intent;
  if (plans.length === 0) return undefined;
  if (intent === 'none' || (intent === 'paths' && !asksAboutPlan(text, plans, reading()))) {
    return (scores?.upgrade ?? 0) > (scores?.eligibility ?? 0) ? 'upgrade' : 'eligibility';
  }
  return undefined;
}
