/**
 * Folding text for matching while keeping offsets into the original: the plan recognizer matches folded
 * text (case-, accent- and width-insensitive) and reports spans of the text as the user typed it.
 */
import { fold } from '../../directory/name-normalize.js';

interface FoldedText {
  /** The folded text ("Ｅ３ Entreprise" → "e3 entreprise"). */
  readonly text: string;
  /** For each UTF-16 unit of `text`, the offsets of the original character it came from. */
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

/** Folds each character on its own (so that every folded unit maps back to one original character). */
export function foldWithOffsets(original: string): FoldedText {
  let text = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  for (const char of original) {
    const folded = fold(char);
    text += folded;
    for (let k = 0; k < folded.length; k++) {
      starts.push(i);
      ends.push(i + char.length);
    }
    i += char.length;
  }
  return { text, starts, ends };
}

/** The original span of the folded span [start, end) (end > start). */
export function originalSpan(folded: FoldedText, start: number, end: number): { start: number; end: number } {
  return { start: folded.starts[start] ?? 0, end: folded.ends[end - 1] ?? 0 };
}

/** Replaces spans (non-overlapping, any order) of `text` by `replacement(span)`, padded with spaces. */
export function replaceSpans<T extends { readonly start: number; readonly end: number }>(
  text: string,
  spans: readonly T[],
  replacement: (span: T) => string,
): string {
  let out = '';
  let at = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.start < at) continue;
    out += `${text.slice(at, span.start)} ${replacement(span)} `;
    at = span.end;
  }
  return out + text.slice(at);
}

/** The text with the given spans turned into spaces (same length, so offsets still hold). */
export function blank(
  text: string,
  spans: readonly { readonly start: number; readonly end: number }[],
): string {
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + ' '.repeat(s.end - s.start) + out.slice(s.end);
  return out;
}
