/** Runs a labelled corpus through an understander and measures accuracy (shared by the accuracy test). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { DialogueContext, Seats, Understander, Understanding } from '../../src/bot/nlu/index.js';
import { INTENTS, type Intent, type Language } from '../../src/bot/nlu/classifier.js';
import { OFFER_IDS, OTHER_PRODUCT_IDS } from '../../src/rules/index.js';

const offerId = z.enum(OFFER_IDS);
const count = z.number().int().positive();

const CorpusEntrySchema = z.strictObject({
  text: z.string().min(1),
  intent: z.enum(INTENTS),
  /** The companyName of the customer expected; absent or null: none expected. */
  customer: z.string().nullable().optional(),
  target: offerId.nullable().optional(),
  source: offerId.nullable().optional(),
  /** A Microsoft 365 product that is not a catalog offer, named in the place of the plan. */
  otherProduct: z.enum(OTHER_PRODUCT_IDS).nullable().optional(),
  /** The licences a request to add licences asks for: how many more, or the new total. */
  seats: z
    .union([z.strictObject({ add: count }), z.strictObject({ total: count })])
    .nullable()
    .optional(),
  /**
   * A multi-turn case: the messages said before this one, oldest first. The context of each message is the
   * customer of the one before (named, or carried over), as the bot keeps it.
   */
  after: z.array(z.string().min(1)).min(1).optional(),
});
type CorpusEntry = z.infer<typeof CorpusEntrySchema>;

const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'corpus');

export function loadCorpus(language: Language): CorpusEntry[] {
  const json: unknown = JSON.parse(readFileSync(join(CORPUS_DIR, `${language}.json`), 'utf8'));
  return z.array(CorpusEntrySchema).parse(json);
}

export const LOCALES: Readonly<Record<Language, string>> = { en: 'en-US', fr: 'fr-FR', ja: 'ja-JP' };

export const FIELDS = ['intent', 'customer', 'target', 'source', 'otherProduct', 'seats'] as const;
export type Field = (typeof FIELDS)[number];

/** The company names of the directory, by customer id (a carried-over customer is known by its id). */
export type NamesById = ReadonlyMap<string, string>;

/** Seats as compared: "add 8", "total 60". */
function seatsText(seats: Seats | null | undefined): string | null {
  if (seats == null) return null;
  return 'add' in seats ? `add ${seats.add}` : `total ${seats.total}`;
}

/** What the understander found, in the corpus's terms. */
function observed(u: Understanding, names: NamesById): Record<Field, string | null> {
  let customer: string | null = null;
  if (u.customer !== undefined) {
    const r = u.customer.result;
    customer = r.kind === 'match' ? r.customer.companyProfile.companyName : `<${r.kind}>`;
  } else if (u.followUp !== undefined) {
    customer = names.get(u.followUp.customerId) ?? `<${u.followUp.customerId}>`;
  }
  return {
    intent: u.intent,
    customer,
    target: u.target ?? null,
    source: u.source ?? null,
    otherProduct: u.otherProduct ?? null,
    seats: seatsText(u.seats),
  };
}

function expected(e: CorpusEntry): Record<Field, string | null> {
  return {
    intent: e.intent,
    customer: e.customer ?? null,
    target: e.target ?? null,
    source: e.source ?? null,
    otherProduct: e.otherProduct ?? null,
    seats: seatsText(e.seats),
  };
}

/**
 * The context after a message, as the bot keeps it: the customer its answer is about (named and found, or
 * carried over), else the context before.
 */
function contextAfter(u: Understanding, before: DialogueContext | undefined): DialogueContext | undefined {
  const r = u.customer?.result;
  if (r?.kind === 'match') return { customerId: r.customer.id };
  return u.followUp ?? before;
}

/** Understands an entry, after its earlier messages when it is a multi-turn case. */
export function understandEntry(
  understander: Understander,
  language: Language,
  entry: CorpusEntry,
): Understanding {
  let context: DialogueContext | undefined;
  for (const earlier of entry.after ?? []) {
    context = contextAfter(understander.understand(earlier, LOCALES[language], context), context);
  }
  return understander.understand(entry.text, LOCALES[language], context);
}

export interface Score {
  correct: number;
  total: number;
}

export interface Tally {
  /** Every utterance: the field must equal its label (null included, so false positives count). */
  readonly all: Record<Field, Score>;
  /** Only the utterances whose label has a value for the field (intent: all). */
  readonly labelled: Record<Field, Score>;
  readonly perIntent: Record<Intent, Score>;
  readonly failures: readonly Failure[];
}

export interface Failure {
  readonly text: string;
  readonly after?: readonly string[];
  readonly field: Field;
  readonly expected: string | null;
  readonly got: string | null;
}

export interface LanguageReport extends Tally {
  readonly language: Language;
  /** The multi-turn cases alone (follow-ups after an answer about a customer). */
  readonly multiTurn: Tally;
}

function empty(): Score {
  return { correct: 0, total: 0 };
}

function tally(results: readonly { entry: CorpusEntry; got: Record<Field, string | null> }[]): Tally {
  const all = Object.fromEntries(FIELDS.map((f) => [f, empty()])) as Record<Field, Score>;
  const labelled = Object.fromEntries(FIELDS.map((f) => [f, empty()])) as Record<Field, Score>;
  const perIntent = Object.fromEntries(INTENTS.map((i) => [i, empty()])) as Record<Intent, Score>;
  const failures: Failure[] = [];
  for (const { entry, got } of results) {
    const want = expected(entry);
    for (const field of FIELDS) {
      const ok = want[field] === got[field];
      all[field].total++;
      if (ok) all[field].correct++;
      if (field === 'intent' || want[field] !== null) {
        labelled[field].total++;
        if (ok) labelled[field].correct++;
      }
      if (!ok) {
        failures.push({
          text: entry.text,
          ...(entry.after === undefined ? {} : { after: entry.after }),
          field,
          expected: want[field],
          got: got[field],
        });
      }
    }
    perIntent[entry.intent].total++;
    if (want.intent === got.intent) perIntent[entry.intent].correct++;
  }
  return { all, labelled, perIntent, failures };
}

export function evaluate(
  understander: Understander,
  language: Language,
  corpus: readonly CorpusEntry[],
  names: NamesById,
): LanguageReport {
  const results = corpus.map((entry) => ({
    entry,
    got: observed(understandEntry(understander, language, entry), names),
  }));
  return {
    language,
    ...tally(results),
    multiTurn: tally(results.filter((r) => r.entry.after !== undefined)),
  };
}

export function rate(s: Score): number {
  return s.total === 0 ? 1 : s.correct / s.total;
}

function pct(s: Score): string {
  return s.total === 0 ? '   n/a' : `${(100 * rate(s)).toFixed(1).padStart(5)}%`;
}

function fieldTable(title: string, tallies: readonly (Tally & { language: Language })[]): string[] {
  const lines = [title, `lang  n    ${FIELDS.map((f) => f.padEnd(17)).join('')}`];
  for (const r of tallies) {
    const cells = FIELDS.map((f) =>
      f === 'intent'
        ? pct(r.all[f]).padEnd(17)
        : `${pct(r.all[f])} [${pct(r.labelled[f]).trim()}]`.padEnd(17),
    );
    lines.push(`${r.language}    ${String(r.all.intent.total).padEnd(5)}${cells.join('')}`);
  }
  return lines;
}

function intentTable(title: string, tallies: readonly (Tally & { language: Language })[]): string[] {
  const lines = [title];
  for (const intent of INTENTS) {
    const cells = tallies.map((r) => `${pct(r.perIntent[intent])} (${r.perIntent[intent].total})`);
    lines.push(`  ${intent.padEnd(12)}${cells.map((c) => c.padEnd(14)).join(' ')}`);
  }
  return lines;
}

/** The accuracy tables, as printed by the test: every utterance, then the multi-turn cases alone. */
export function formatReports(reports: readonly LanguageReport[]): string {
  const languages = reports.map((r) => r.language).join(' / ');
  const multi = reports.map((r) => ({ ...r.multiTurn, language: r.language }));
  const lines = [
    ...fieldTable('NLU accuracy (all utterances; in brackets: only those labelled with a value)', reports),
    '',
    ...intentTable(`intent accuracy per intent (${languages})`, reports),
    '',
    ...fieldTable('multi-turn cases (follow-ups after an earlier message)', multi),
    '',
    ...intentTable(`multi-turn intent accuracy per intent (${languages})`, multi),
  ];
  const failures = reports.flatMap((r) => r.failures.map((f) => ({ ...f, language: r.language })));
  if (failures.length > 0) {
    lines.push('', 'misses:');
    for (const f of failures) {
      const before = f.after === undefined ? '' : `${f.after.map((a) => `"${a}" → `).join('')}`;
      lines.push(
        `  [${f.language}] ${f.field}: ${before}"${f.text}" expected ${f.expected ?? 'null'}, got ${f.got ?? 'null'}`,
      );
    }
  }
  return lines.join('\n');
}
