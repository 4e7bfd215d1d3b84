/** Runs a labelled corpus through an understander and measures accuracy (shared by the accuracy test). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Understander, Understanding } from '../../src/bot/nlu/index.js';
import { INTENTS, LANGUAGES, type Intent, type Language } from '../../src/bot/nlu/classifier.js';
import { OFFER_IDS } from '../../src/rules/index.js';

const offerId = z.enum(OFFER_IDS);

const CorpusEntrySchema = z.strictObject({
  text: z.string().min(1),
  intent: z.enum(INTENTS),
  /** The companyName of the customer expected; absent or null: none expected. */
  customer: z.string().nullable().optional(),
  target: offerId.nullable().optional(),
  source: offerId.nullable().optional(),
});
type CorpusEntry = z.infer<typeof CorpusEntrySchema>;

const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'corpus');

export function loadCorpus(language: Language): CorpusEntry[] {
  const json: unknown = JSON.parse(readFileSync(join(CORPUS_DIR, `${language}.json`), 'utf8'));
  return z.array(CorpusEntrySchema).parse(json);
}

export const LOCALES: Readonly<Record<Language, string>> = { en: 'en-US', fr: 'fr-FR', ja: 'ja-JP' };

export const FIELDS = ['intent', 'customer', 'target', 'source'] as const;
export type Field = (typeof FIELDS)[number];

/** What the understander found, in the corpus's terms. */
function observed(u: Understanding): Record<Field, string | null> {
  let customer: string | null = null;
  if (u.customer !== undefined) {
    const r = u.customer.result;
    customer = r.kind === 'match' ? r.customer.companyProfile.companyName : `<${r.kind}>`;
  }
  return { intent: u.intent, customer, target: u.target ?? null, source: u.source ?? null };
}

function expected(e: CorpusEntry): Record<Field, string | null> {
  return {
    intent: e.intent,
    customer: e.customer ?? null,
    target: e.target ?? null,
    source: e.source ?? null,
  };
}

export interface Score {
  correct: number;
  total: number;
}

export interface LanguageReport {
  readonly language: Language;
  /** Every utterance: the field must equal its label (null included, so false positives count). */
  readonly all: Record<Field, Score>;
  /** Only the utterances whose label has a value for the field (intent: all). */
  readonly labelled: Record<Field, Score>;
  readonly perIntent: Record<Intent, Score>;
  readonly failures: readonly { text: string; field: Field; expected: string | null; got: string | null }[];
}

function empty(): Score {
  return { correct: 0, total: 0 };
}

export function evaluate(
  understander: Understander,
  language: Language,
  corpus: readonly CorpusEntry[],
): LanguageReport {
  const all = Object.fromEntries(FIELDS.map((f) => [f, empty()])) as Record<Field, Score>;
  const labelled = Object.fromEntries(FIELDS.map((f) => [f, empty()])) as Record<Field, Score>;
  const perIntent = Object.fromEntries(INTENTS.map((i) => [i, empty()])) as Record<Intent, Score>;
  const failures: { text: string; field: Field; expected: string | null; got: string | null }[] = [];
  for (const entry of corpus) {
    const want = expected(entry);
    const got = observed(understander.understand(entry.text, LOCALES[language]));
    for (const field of FIELDS) {
      const ok = want[field] === got[field];
      all[field].total++;
      if (ok) all[field].correct++;
      if (field === 'intent' || want[field] !== null) {
        labelled[field].total++;
        if (ok) labelled[field].correct++;
      }
      if (!ok) failures.push({ text: entry.text, field, expected: want[field], got: got[field] });
    }
    perIntent[entry.intent].total++;
    if (want.intent === got.intent) perIntent[entry.intent].correct++;
  }
  return { language, all, labelled, perIntent, failures };
}

export function rate(s: Score): number {
  return s.total === 0 ? 1 : s.correct / s.total;
}

function pct(s: Score): string {
  return s.total === 0 ? '   n/a' : `${(100 * rate(s)).toFixed(1).padStart(5)}%`;
}

/** The accuracy tables, as printed by the test. */
export function formatReports(reports: readonly LanguageReport[]): string {
  const lines: string[] = [];
  lines.push('NLU accuracy (all utterances; in brackets: only those labelled with a value)');
  lines.push(`lang  n   ${FIELDS.map((f) => f.padEnd(17)).join('')}`);
  for (const r of reports) {
    const cells = FIELDS.map((f) =>
      f === 'intent'
        ? pct(r.all[f]).padEnd(17)
        : `${pct(r.all[f])} [${pct(r.labelled[f]).trim()}]`.padEnd(17),
    );
    lines.push(`${r.language}    ${String(r.all.intent.total).padEnd(4)}${cells.join('')}`);
  }
  lines.push('', `intent accuracy per intent (${LANGUAGES.join(' / ')})`);
  for (const intent of INTENTS) {
    const cells = reports.map((r) => `${pct(r.perIntent[intent])} (${r.perIntent[intent].total})`);
    lines.push(`  ${intent.padEnd(12)}${cells.join('   ')}`);
  }
  const failures = reports.flatMap((r) => r.failures.map((f) => ({ ...f, language: r.language })));
  if (failures.length > 0) {
    lines.push('', 'misses:');
    for (const f of failures) {
      lines.push(
        `  [${f.language}] ${f.field}: "${f.text}" expected ${f.expected ?? 'null'}, got ${f.got ?? 'null'}`,
      );
    }
  }
  return lines.join('\n');
}
