/**
 * The role of each plan named in a sentence: the plan moved to ("to E3", "vers E3", "en E3", 「E3に」) or the
 * plan moved from or asked about ("from Business", "depuis Business", 「Businessから」).
 */
import type { PlanMention } from './plans.js';

/** Words that come right before the plan moved to ("to E3", "vers E3", "en E3") or after it ("E3に"). */
const TO_BEFORE = /(?:^|[^\p{L}\p{N}])(?:to|into|onto|for|vers|en|à|a|au|sur|pour)[\s'’]*$/iu;
const TO_AFTER = /^\s*(?:に|へ|まで)/u;
/** Words that come right before the plan moved from ("from Business", "depuis Business") or after it ("から"). */
const FROM_BEFORE = /(?:^|[^\p{L}\p{N}])(?:from|depuis|de|du)[\s'’]*$/iu;
const FROM_AFTER = /^\s*(?:から|より)/u;

/** The plan the sentence moves to, when several are named ("from Essentials to E3" → E3). */
export function targetOf(text: string, plans: readonly PlanMention[]): PlanMention | undefined {
  if (plans.length <= 1) return plans[0];
  const marked = plans.find((p) => movesTo(text, p));
  if (marked !== undefined) return marked;
  const notFrom = plans.filter(
    (p) => !FROM_BEFORE.test(text.slice(0, p.start)) && !FROM_AFTER.test(text.slice(p.end)),
  );
  return notFrom[notFrom.length - 1] ?? plans[plans.length - 1];
}

/** The plan asked about in a paths question: the one moved from, else the first named. */
export function sourceOf(text: string, plans: readonly PlanMention[]): PlanMention | undefined {
  if (plans.length <= 1) return plans[0];
  const from = plans.find(
    (p) => FROM_BEFORE.test(text.slice(0, p.start)) || FROM_AFTER.test(text.slice(p.end)),
  );
  return from ?? plans[0];
}

/** Whether the sentence names `plan` as the plan to move to ("to E3", "en E3", 「E3に」). */
export function movesTo(text: string, plan: PlanMention): boolean {
  return TO_BEFORE.test(text.slice(0, plan.start)) || TO_AFTER.test(text.slice(plan.end));
}
