/**
 * The glossary (docs/glossary.md) against the wording: offer names as each language's edition of the Partner
 * Center article writes them, service names as Microsoft localizes them, and no English name left in a French
 * or Japanese string, card or answer where the glossary gives a localized one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { offerName } from '../../src/bot/explain.js';
import { CardTemplates } from '../../src/bot/cards/templates.js';
import { readLocaleFile, type Language } from '../../src/bot/i18n.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { OFFER_IDS, type OfferId } from '../../src/rules/index.js';
import { allCards } from '../support/card-specs.js';

type Row = Record<string, string>;

/** The rows of the first table under `## heading` in docs/glossary.md, keyed by its column headings. */
function table(heading: string): Row[] {
  const text = readFileSync(join(PROJECT_ROOT, 'docs', 'glossary.md'), 'utf8');
  const section = text.split(/^## /m).find((s) => s.startsWith(heading));
  if (section === undefined) throw new Error(`docs/glossary.md has no section "${heading}"`);
  const lines = section.split('\n').filter((l) => l.startsWith('|'));
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
  const [head, , ...body] = lines;
  const columns = cells(head ?? '');
  return body.map((line) => Object.fromEntries(cells(line).map((c, i) => [columns[i], c])));
}

/** Key paths to strings (array items as `key[i]`). */
function flatten(node: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (typeof node === 'string') out.set(prefix, node);
  else if (Array.isArray(node)) node.forEach((item, i) => flatten(item, `${prefix}[${i}]`, out));
  else if (node !== null && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  return out;
}

const TRANSLATED = ['fr', 'ja'] as const;
const services = table('Service names');
const offers = table('Offer names');
const strings = Object.fromEntries(
  (['en', ...TRANSLATED] as const).map((l) => [l, flatten(readLocaleFile(l))]),
) as Record<Language, Map<string, string>>;

/** The English names the glossary localizes in `language`, with the localized name. */
function localized(language: 'fr' | 'ja'): { english: string; local: string }[] {
  return [
    ...services.map((r) => ({ english: r.English!, local: r[language === 'fr' ? 'French' : 'Japanese']! })),
    ...offers.map((r) => ({ english: r.en!, local: r[language]! })),
  ].filter((n) => n.english !== n.local);
}

/** The English names of `language` found in `text`, unless the localized name is what is there. */
function englishIn(text: string, language: 'fr' | 'ja'): string[] {
  return localized(language)
    .filter(({ english }) => text.includes(english))
    .map(({ english, local }) => `${english} (say ${local})`);
}

describe('docs/glossary.md is read as the tests expect', () => {
  it('has the service and offer tables', () => {
    expect(services.map((r) => r.English)).toEqual([
      'Phone System',
      'Audio Conferencing',
      'Advanced Threat Protection',
    ]);
    expect(offers.map((r) => r.Offer)).toEqual(expect.arrayContaining(['O365_E1', 'O365_E3', 'O365_E5']));
    expect(localized('fr').map((n) => n.english)).toEqual(
      expect.arrayContaining(['Phone System', 'Office 365 Enterprise E3']),
    );
  });
});

describe.each(TRANSLATED)('%s', (language) => {
  const column = language === 'fr' ? 'French' : 'Japanese';

  it('names each service as the glossary does', () => {
    for (const row of services) {
      const key = [...strings.en].find(([k, v]) => k.startsWith('service.') && v === row.English)?.[0];
      expect(key, `no service key for ${row.English} in en.json`).toBeDefined();
      expect(strings[language].get(key!)).toBe(row[column]);
    }
  });

  it('names each offer as its edition of the article does', () => {
    for (const row of offers) {
      expect(offerName({ language }, row.Offer as OfferId)).toBe(row[language]);
      expect(offerName({ language: 'en' }, row.Offer as OfferId)).toBe(row.en);
    }
    // The India variants and the standalone offers keep their English names.
    expect(offerName({ language }, 'O365_BUSINESS_PREMIUM_INDIA')).toBe('Office 365 Business Premium India');
    expect(OFFER_IDS.every((id) => offerName({ language }, id).length > 0)).toBe(true);
  });

  it('no string of the locale keeps an English name the glossary localizes', () => {
    const found = [...strings[language]].flatMap(([key, text]) =>
      englishIn(text, language).map((e) => `${key}: ${e}`),
    );
    expect(found).toEqual([]);
  });

  it('no card keeps one either (every card the answers and the flow make, as sent)', async () => {
    const templates = new CardTemplates();
    const cards = (await allCards()).filter((c) => c.label.startsWith(`${language} `));
    expect(cards.length).toBeGreaterThan(30);
    const found = cards.flatMap(({ label, spec }) =>
      englishIn(JSON.stringify(templates.expand(spec)), language).map((e) => `${label}: ${e}`),
    );
    expect(found).toEqual([]);
  });
});
