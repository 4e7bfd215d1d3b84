/**
 * The translations (locales/fr.json, locales/ja.json) against the source wording (locales/en.json), read at run
 * time: every key of en is translated (plural forms as each language needs them), nothing extra, nothing empty,
 * the same {{placeholders}}, arrays of the same length, and the terminology of the Partner Center article the
 * project was built from (shared/seeds: the French and Japanese editions).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { LOCALES_DIR } from '../../src/paths.js';

type Leaf = string | readonly string[];
type Flat = Map<string, Leaf>;
type Translated = 'fr' | 'ja';

function readLocale(language: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(LOCALES_DIR, `${language}.json`), 'utf8')) as Record<string, unknown>;
}

/** Key paths ("eligibility.verdict.blocked") to strings or arrays of strings. */
function flatten(node: unknown, prefix = '', out: Flat = new Map()): Flat {
  if (typeof node === 'string') {
    out.set(prefix, node);
  } else if (Array.isArray(node)) {
    if (!node.every((item) => typeof item === 'string'))
      throw new Error(`${prefix}: arrays must hold strings only`);
    out.set(prefix, node as string[]);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node))
      flatten(value, prefix === '' ? key : `${prefix}.${key}`, out);
  } else {
    throw new Error(`${prefix}: unexpected ${JSON.stringify(node)}`);
  }
  return out;
}

/** i18next's plural suffixes (JSON v4). Context suffixes (`_india`, `_elsewhere`, `_yes`…) are not among them. */
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** The plural forms each language needs besides `_zero`, which is kept exactly where en has it. */
const PLURAL_FORMS: Record<'en' | Translated, readonly string[]> = {
  en: ['one', 'other'],
  fr: ['one', 'other'],
  ja: ['other'],
};

function pluralParts(key: string): { base: string; form: string } | undefined {
  const match = PLURAL_SUFFIX.exec(key);
  return match === null ? undefined : { base: key.slice(0, match.index), form: match[1] as string };
}

/** The plural bases of en (`customer.subscriptionCount`) with the forms en gives each. */
function pluralBases(en: Flat): Map<string, Set<string>> {
  const bases = new Map<string, Set<string>>();
  for (const key of en.keys()) {
    const parts = pluralParts(key);
    if (parts === undefined) continue;
    const forms = bases.get(parts.base) ?? new Set<string>();
    forms.add(parts.form);
    bases.set(parts.base, forms);
  }
  return bases;
}

/** The keys a translation must have: en's, with each plural group rewritten into the language's forms. */
function expectedKeys(en: Flat, language: Translated): string[] {
  const keys = new Set<string>();
  for (const key of en.keys()) if (pluralParts(key) === undefined) keys.add(key);
  for (const [base, forms] of pluralBases(en)) {
    for (const form of PLURAL_FORMS[language]) keys.add(`${base}_${form}`);
    if (forms.has('zero')) keys.add(`${base}_zero`);
  }
  return [...keys].sort();
}

/** The en string a translated key renders: the same key, or for a plural form en lacks, en's `_other`. */
function sourceOf(en: Flat, key: string): Leaf | undefined {
  if (en.has(key)) return en.get(key);
  const parts = pluralParts(key);
  return parts === undefined ? undefined : en.get(`${parts.base}_other`);
}

/** `{{name}}`, `{{ name }}`, `{{name, format}}` → name. */
function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([^}\s,]+)[^}]*\}\}/g)].map((m) => m[1] as string))].sort();
}

function strings(leaf: Leaf): readonly string[] {
  return typeof leaf === 'string' ? [leaf] : leaf;
}

/** Every problem of a translation against en, as readable lines (empty when all is well). */
function problems(en: Flat, translated: Flat, language: Translated): string[] {
  const out: string[] = [];
  const expected = expectedKeys(en, language);
  for (const key of expected) if (!translated.has(key)) out.push(`missing key ${key}`);
  for (const key of translated.keys()) if (!expected.includes(key)) out.push(`extra key ${key}`);
  for (const [key, leaf] of translated) {
    const source = sourceOf(en, key);
    if (source === undefined || !expected.includes(key)) continue;
    if (typeof source === 'string' && typeof leaf !== 'string')
      out.push(`${key}: en is a string, not an array`);
    if (typeof source !== 'string' && typeof leaf === 'string')
      out.push(`${key}: en is an array, not a string`);
    if (typeof source !== 'string' && typeof leaf !== 'string' && source.length !== leaf.length) {
      out.push(`${key}: ${leaf.length} items, en has ${source.length}`);
    }
    const sourceStrings = strings(source);
    strings(leaf).forEach((text, i) => {
      const from = sourceStrings[i] ?? sourceStrings[0] ?? '';
      const label = typeof leaf === 'string' ? key : `${key}[${i}]`;
      if (text.trim() === '' && from.trim() !== '') out.push(`${label}: empty, en is "${from}"`);
      const want = placeholders(from).join(', ');
      const got = placeholders(text).join(', ');
      if (want !== got) out.push(`${label}: placeholders {${got}}, en has {${want}}`);
    });
  }
  return out;
}

/** Product names stay in their catalog (English) form, so these may equal en's string. */
const SAME_AS_ENGLISH = new Set([
  'service.onedrive',
  'service.sharepoint',
  'service.skype',
  'service.yammer',
  'service.phone-system',
  'service.audio-conferencing',
  'service.advanced-threat-protection',
  'service.power-bi-pro',
  'channelShort.direct',
]);

/** Strings left in English: equal to en's, with words in them, and not a product name. */
function untranslated(en: Flat, translated: Flat): string[] {
  const out: string[] = [];
  for (const [key, leaf] of translated) {
    const source = sourceOf(en, key);
    if (source === undefined || SAME_AS_ENGLISH.has(key)) continue;
    strings(leaf).forEach((text, i) => {
      const words = text.replace(/\{\{[^}]*\}\}/g, '').match(/\p{L}{2,}/gu) ?? [];
      if (words.length > 0 && text === strings(source)[i]) out.push(`${key}: "${text}"`);
    });
  }
  return out;
}

/** All the strings of a file as one text, with typographic apostrophes and non-breaking spaces made plain. */
function allText(flat: Flat): string {
  return [...flat.values()]
    .flatMap(strings)
    .join('\n')
    .replace(/[’‘]/g, "'")
    .replace(/[\u00a0\u202f]/g, ' ');
}

const en = flatten(readLocale('en'));
const locales: Record<Translated, Flat> = { fr: flatten(readLocale('fr')), ja: flatten(readLocale('ja')) };

describe('locales/en.json (the source)', () => {
  it('gives every plural group its one and other forms', () => {
    const incomplete = [...pluralBases(en)].filter(([, forms]) => !forms.has('one') || !forms.has('other'));
    expect(incomplete.map(([base]) => base)).toEqual([]);
  });
});

describe.each(['fr', 'ja'] as const)('locales/%s.json', (language) => {
  const translated = locales[language];

  it('has every key of en, in its own plural forms, and no other key', () => {
    const keyProblems = problems(en, translated, language).filter((p) => p.includes(' key '));
    expect(keyProblems).toEqual([]);
  });

  it('has no empty string where en has text, the same placeholders as en, and arrays of the same length', () => {
    const valueProblems = problems(en, translated, language).filter((p) => !p.includes(' key '));
    expect(valueProblems).toEqual([]);
  });

  it('leaves nothing in English but product names', () => {
    expect(untranslated(en, translated)).toEqual([]);
  });

  it('quotes with its own quotation marks, never with "', () => {
    const quoted = [...translated].filter(([, leaf]) => strings(leaf).some((s) => s.includes('"')));
    expect(quoted.map(([key]) => key)).toEqual([]);
  });

  it('is resolved by i18next in its own plural forms, without falling back to English', async () => {
    const i18n = i18next.createInstance();
    await i18n.init({
      resources: { en: { translation: readLocale('en') }, [language]: { translation: readLocale(language) } },
      lng: language,
      fallbackLng: 'en',
      interpolation: { escapeValue: false },
    });
    for (const base of pluralBases(en).keys()) {
      for (const count of [0, 1, 2, 5, 21]) {
        const params = { count, customer: 'C', target: 'T', total: 9, names: 'N' };
        const english = i18n.t(base, { ...params, lng: 'en' });
        if (english !== '') expect(i18n.t(base, params), `${base} with count ${count}`).not.toBe(english);
      }
    }
  });
});

describe('the seeds’ terminology', () => {
  it('French: abonnement, mise à niveau, privilèges d’administration délégués', () => {
    const text = allText(locales.fr);
    expect(text).toContain('abonnement');
    expect(text).toMatch(/mise à niveau|mettre à niveau/);
    expect(text).toContain("privilèges d'administration délégués");
    expect(text).toContain("« Demander des privilèges d'administration délégués »");
    expect(text).toContain('Espace partenaires');
  });

  it('Japanese: サブスクリプション, アップグレード, 委任された管理者特権', () => {
    const text = allText(locales.ja);
    expect(text).toContain('サブスクリプション');
    expect(text).toContain('アップグレード');
    expect(text).toContain('委任された管理者特権');
    expect(text).toContain('「委任された管理者特権の要求」');
    expect(text).toContain('パートナー センター');
  });

  it('Japanese has no _one forms (i18next gives Japanese only "other")', () => {
    expect([...locales.ja.keys()].filter((key) => key.endsWith('_one'))).toEqual([]);
  });
});

describe('the checker itself', () => {
  const source = flatten({
    a: 'Hello {{name}}',
    n_one: '{{count}} item',
    n_other: '{{count}} items',
    list: ['x', 'y'],
  });

  it('reports a key added to en and not translated', () => {
    const fr = flatten({ n_one: '{{count}} élément', n_other: '{{count}} éléments', list: ['x', 'y'] });
    expect(problems(source, fr, 'fr')).toEqual(['missing key a']);
  });

  it('reports a lost placeholder, an empty string, a short array and a Japanese _one', () => {
    const ja = flatten({ a: 'こんにちは', n_one: '', n_other: '', list: ['x'] });
    expect(problems(source, ja, 'ja')).toEqual([
      'extra key n_one',
      'a: placeholders {}, en has {name}',
      'n_other: empty, en is "{{count}} items"',
      'n_other: placeholders {}, en has {count}',
      'list: 1 items, en has 2',
    ]);
  });
});
