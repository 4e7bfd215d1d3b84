/**
 * Where an unknown customer may be named: "can Zorblax Industries upgrade?" names no customer of the
 * directory, yet the bot must say that it does not know "Zorblax Industries" and suggest the closest names.
 * The candidates are runs of words that none of the classifiers has seen in training, that are not function
 * words or upgrade vocabulary (the lookup's stopwords) and that are not plan names: the words that a
 * customer placeholder would stand for. The understander tries each as the customer and keeps it when the
 * sentence then reads as a question about a customer.
 */
import { LEGAL_FORMS, tokenize, type Token } from '../../directory/name-normalize.js';
import { STOPWORDS } from '../../directory/stopwords.js';
import type { PlanMention } from './plans.js';

interface Span {
  readonly start: number;
  readonly end: number;
}

/** As in the lookup: a name is at most four words (legal forms not counted). */
const MAX_WORDS = 4;
/** Runs tried, longest first. */
const MAX_SPANS = 3;

/**
 * Latin-script runs must look like a name as typed: a capital letter ("Zorblax"), a digit or a dot
 * ("zorblax.com"); lower-case words ("tell me something funny") are more often ordinary words.
 */
function writtenLikeAName(text: string, start: number, end: number): boolean {
  return /[\p{Lu}0-9.]/u.test(text.slice(start, end));
}

function nameLike(token: Token, known: (word: string) => boolean): boolean {
  if (token.script !== 'word' && token.script !== 'katakana') return false;
  if (token.text.length < 2 || /^[0-9]+$/.test(token.text)) return false;
  return !STOPWORDS.has(token.text) && !known(token.text);
}

/** Runs of unknown, name-like words (a legal form may end a run), longest first. */
export function unknownNameSpans(
  text: string,
  plans: readonly PlanMention[],
  known: (word: string) => boolean,
): Span[] {
  const tokens = tokenize(text).filter((t) => plans.every((p) => t.end <= p.start || t.start >= p.end));
  const spans: { start: number; end: number; words: number }[] = [];
  let run: Token[] = [];
  const flush = (): void => {
    const first = run[0];
    const last = run[run.length - 1];
    if (first !== undefined && last !== undefined) {
      if (first.script !== 'word' || writtenLikeAName(text, first.start, last.end)) {
        spans.push({ start: first.start, end: last.end, words: run.length });
      }
    }
    run = [];
  };
  for (const token of tokens) {
    const legal = LEGAL_FORMS.has(token.text);
    const continues = run.length > 0 && !token.breakBefore && token.script === run[0]?.script;
    if (continues && (legal || nameLike(token, known)) && run.length < MAX_WORDS) {
      run.push(token);
    } else {
      flush();
      if (!legal && nameLike(token, known)) run.push(token);
    }
  }
  flush();
  return spans
    .sort((a, b) => b.words - a.words || b.end - b.start - (a.end - a.start) || a.start - b.start)
    .slice(0, MAX_SPANS)
    .map(({ start, end }) => ({ start, end }));
}
