/**
 * The compiled wording (src/bot/compiled-wording.ts) against i18next, the reference: every key of every locale
 * file, in every language, with every placeholder given, one missing, odd values, every plural count and
 * context, must give exactly what i18next's getFixedT(language) gives; and what the compiled path does not
 * render itself goes to i18next.
 */
import fc from 'fast-check';
import i18next, { type i18n as I18n, type Resource, type TFunction } from 'i18next';
import { describe, expect, it, vi } from 'vitest';
import { compileT } from '../../src/bot/compiled-wording.js';
import { createI18next, LANGUAGES, readLocaleFile, Wording } from '../../src/bot/i18n.js';

/** Loose views of the two functions, to call them with any arguments. */
type AnyT = (key: unknown, options?: unknown, ...rest: unknown[]) => unknown;
const loose = (t: TFunction): AnyT => t as unknown as AnyT;

/** Key paths ("eligibility.verdict.blocked") to strings or arrays of strings. */
function flatten(node: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
    for (const [key, value] of Object.entries(node))
      flatten(value, prefix === '' ? key : `${prefix}.${key}`, out);
  } else {
    out.set(prefix, node);
  }
  return out;
}

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;
const COUNTS = [0, 1, 2, 5, 21];

const files = Object.fromEntries(LANGUAGES.map((l) => [l, flatten(readLocaleFile(l))]));
/** Every key of every locale file. */
const allKeys = [...new Set(LANGUAGES.flatMap((l) => [...files[l]!.keys()]))].sort();
/** Every placeholder name of every string. */
const placeholderNames = [
  ...new Set(
    LANGUAGES.flatMap((l) =>
      [...files[l]!.values()]
        .flatMap((v) => (Array.isArray(v) ? v : [v]))
        .flatMap((s) => [...String(s).matchAll(/\{\{([^}]*)\}\}/g)].map((m) => (m[1] as string).trim())),
    ),
  ),
].sort();
const placeholdersOf = (key: string): string[] =>
  [
    ...new Set(
      LANGUAGES.flatMap((l) => {
        const v = files[l]!.get(key);
        return (Array.isArray(v) ? v : [v]).flatMap((s) =>
          [...String(s ?? '').matchAll(/\{\{([^}]*)\}\}/g)].map((m) => (m[1] as string).trim()),
        );
      }),
    ),
  ].sort();

/** A value for every placeholder, each one telling which it is. */
const values: Record<string, unknown> = Object.fromEntries(placeholderNames.map((n) => [n, `«${n}»`]));

/** The plural bases (`eligibility.summary`) and the context bases with their contexts (`…remedy` + `suspended`). */
const pluralBases = [
  ...new Set(allKeys.filter((k) => PLURAL_SUFFIX.test(k)).map((k) => k.replace(PLURAL_SUFFIX, ''))),
];
const contexts: [string, string][] = allKeys
  .map((k) => k.replace(PLURAL_SUFFIX, ''))
  .flatMap((k) => {
    const last = k.lastIndexOf('.') + 1;
    const underscore = k.indexOf('_', last);
    return underscore === -1 ? [] : [[k.slice(0, underscore), k.slice(underscore + 1)] as [string, string]];
  });

/** The calls to try for a key: all placeholders given, none, each one missing, odd values. */
function callsFor(key: string): [string, Record<string, unknown> | undefined][] {
  const names = placeholdersOf(key);
  const calls: [string, Record<string, unknown> | undefined][] = [
    [key, undefined],
    [key, {}],
    [key, values],
    [key, { ...values, count: 3 }],
  ];
  for (const name of names) {
    const { [name]: _dropped, ...missing } = values;
    calls.push([key, missing]);
    calls.push([key, { ...values, [name]: undefined }]);
    calls.push([key, { ...values, [name]: null }]);
    calls.push([key, { ...values, [name]: 0 }]);
    calls.push([key, { ...values, [name]: 12.5 }]);
    calls.push([key, { ...values, [name]: ['a', 'b'] }]);
    calls.push([key, { ...values, [name]: { a: 1 } }]);
    calls.push([key, { ...values, [name]: `{{${names[0]}}} $t(apology) $&` }]);
  }
  return calls;
}

function pairs(i18n: I18n, language: string): { compiled: AnyT; reference: AnyT } {
  return { compiled: loose(compileT(i18n, language)), reference: loose(i18n.getFixedT(language)) };
}

/** Runs the same calls through both and returns the differences, as readable lines. */
function differences(i18n: I18n, language: string, calls: readonly (readonly unknown[])[]): string[] {
  const { compiled, reference } = pairs(i18n, language);
  const out: string[] = [];
  for (const call of calls) {
    const [key, ...rest] = call;
    const got = compiled(key, ...rest);
    const want = reference(key, ...rest);
    if (JSON.stringify(got) !== JSON.stringify(want) || typeof got !== typeof want) {
      out.push(
        `${language} ${JSON.stringify(call)}: ${JSON.stringify(got)}, i18next ${JSON.stringify(want)}`,
      );
    }
  }
  return out;
}

const i18n = createI18next();

describe('the compiled wording, against i18next', () => {
  it.each(LANGUAGES)(
    '%s: every key of every locale file, with all, no, missing and odd placeholder values',
    (l) => {
      const calls = allKeys.flatMap(callsFor);
      expect(calls.length).toBeGreaterThan(allKeys.length * 4);
      expect(differences(i18n, l, calls)).toEqual([]);
    },
  );

  it.each(LANGUAGES)('%s: every plural key with counts 0, 1, 2, 5, 21 (and a few odd ones)', (l) => {
    expect(pluralBases.length).toBeGreaterThan(5);
    const calls = pluralBases.flatMap((base) =>
      [...COUNTS, 3, 11, 100, 101, 1.5, -1, -0, NaN, Infinity, 1e21].flatMap((count) => [
        [base, { ...values, count }],
        [base, { count }],
        [base, { ...values, count, context: 'nothing-here' }],
      ]),
    );
    expect(differences(i18n, l, calls)).toEqual([]);
  });

  it.each(LANGUAGES)('%s: every context key through its base, with and without a count', (l) => {
    expect(contexts.length).toBeGreaterThan(5);
    const calls = contexts.flatMap(([base, context]) => [
      [base, { ...values, context }],
      [base, { context }],
      [base, { ...values, context: `${context}-unknown` }],
      [base, { ...values, context: '' }],
      [base, { ...values, context: undefined }],
      [base, { ...values, context: 5 }],
      [base, { ...values, context: true }],
      ...COUNTS.map((count) => [base, { ...values, context, count }]),
    ]);
    expect(differences(i18n, l, calls)).toEqual([]);
  });

  it.each(LANGUAGES)('%s: missing keys, objects, arrays and the options i18next reads for itself', (l) => {
    const calls: unknown[][] = [
      ['nope'],
      ['nope.missing', values],
      ['Hello {{customer}}', values],
      ['eligibility.summary'],
      ['eligibility.summary', { count: '2' }],
      ['eligibility.summary', { count: null }],
      ['help'],
      ['help.examples'],
      ['help.examples', { returnObjects: true }],
      ['help.examples.0'],
      ['help.examples.length'],
      ['help.examples.9'],
      ['eligibility.verdict', { returnObjects: true }],
      ['apology.length'],
      ['eligibility.toString'],
      ['eligibility.title.x', values],
      ['translation:apology'],
      ['eligibility.title', { ...values, lng: 'en' }],
      ['eligibility.title', { ...values, defaultValue: 'd' }],
      ['nope', { defaultValue: 'd {{customer}}', customer: 'C' }],
      ['nope', 'a default value'],
      ['eligibility.title', { replace: { customer: 'R' } }],
      ['eligibility.title', { ...values, interpolation: { escapeValue: true } }],
      ['eligibility.summary', { ...values, count: 1, ordinal: true }],
      ['eligibility.title', { ...values, skipInterpolation: true }],
      ['eligibility.title', null],
      ['eligibility.title', values, 'extra'],
      [['nope', 'eligibility.title'], values],
      [''],
      ['', { context: 'x' }],
      [undefined],
    ];
    expect(differences(i18n, l, calls)).toEqual([]);
  });

  it('arrays with returnObjects come back equal, and a fresh copy each time', () => {
    const { compiled, reference } = pairs(i18n, 'fr');
    const first = compiled('help.examples', { returnObjects: true });
    expect(first).toEqual(reference('help.examples', { returnObjects: true }));
    expect(compiled('help.examples', { returnObjects: true })).not.toBe(first);
  });

  it('Wording.for(…).t is the compiled t, with i18next’s results', () => {
    const wording = new Wording();
    for (const l of LANGUAGES) {
      const t = loose(wording.for(l).t);
      const reference = loose(i18n.getFixedT(l));
      for (const key of allKeys.slice(0, 60))
        expect(t(key, values), `${l} ${key}`).toBe(reference(key, values));
      expect(t('customer.subscriptionCount', { count: 1 })).toBe(
        reference('customer.subscriptionCount', { count: 1 }),
      );
    }
  });
});

describe('the compiled path stands alone where it can', () => {
  /** An instance whose `t` counts its calls: getFixedT's `t` goes through it. */
  function spied(resources?: Resource): { instance: I18n; calls: () => number } {
    const instance = createI18next(resources);
    const spy = vi.spyOn(instance, 't');
    return { instance, calls: () => spy.mock.calls.length };
  }

  it('renders every string, plural and context of the locale files without calling i18next', () => {
    const { instance, calls } = spied();
    for (const l of LANGUAGES) {
      const t = loose(compileT(instance, l));
      for (const key of allKeys) if (typeof files.en!.get(key) === 'string') t(key, values);
      for (const base of pluralBases) for (const count of COUNTS) t(base, { ...values, count });
      for (const [base, context] of contexts) t(base, { ...values, context });
    }
    expect(calls()).toBe(0);
  });

  it('falls back to English itself, for a key and for a plural form French lacks', () => {
    const { instance, calls } = spied({
      en: { translation: { only: 'English {{name}}', m_one: 'one m', m_other: 'ms', r_x: 'English r_x' } },
      fr: { translation: { m_one: 'un m', r: 'r français' } },
    });
    const t = loose(compileT(instance, 'fr'));
    expect([
      t('only', { name: 'N' }),
      t('m', { count: 2 }),
      t('m', { count: 0 }),
      t('r', { context: 'x' }),
    ]).toEqual([
      'English N',
      'ms',
      'un m',
      'r français', // French's own r comes before English's r_x
    ]);
    expect(calls()).toBe(0);
  });

  it('hands missing keys, returnObjects and i18next options to i18next', () => {
    const { instance, calls } = spied();
    const t = loose(compileT(instance, 'fr'));
    t('nope');
    t('help.examples', { returnObjects: true });
    t('eligibility.title', { lng: 'en' });
    t('eligibility.summary', { count: '1' });
    expect(calls()).toBe(4);
  });

  it('is i18next’s own t when the instance is configured otherwise (escapeValue true)', async () => {
    const instance = i18next.createInstance();
    await instance.init({ resources: { en: { translation: { a: '<{{x}}>' } } }, lng: 'en' });
    const t = compileT(instance, 'en');
    expect(loose(t)('a', { x: '&' })).toBe('<&amp;>');
  });
});

describe('fallback and plural forms over small resources', () => {
  const resources: Resource = {
    en: {
      translation: {
        only: 'English only, {{name}}',
        both: 'English {{name}}',
        n_zero: 'no item',
        n_one: '{{count}} item',
        n_other: '{{count}} items',
        m_one: '{{count}} English m',
        m_other: '{{count}} English ms',
        r: 'r',
        r_x: 'r in context x (English)',
        empty: '',
        nested: 'see $t(only)',
        format: 'at {{when, datetime}}',
        path: 'to {{who.name}}',
        unescaped: 'raw {{- html}}',
        lng: 'in {{lng}} {{ns}} {{lngs}} {{keyPrefix}}',
        spaced: '{{ name }} and {{name}} and {{ missing }}',
        braces: '{{{name}}} {name} }}{{',
        tree: { leaf: 'leaf' },
      },
    },
    fr: {
      translation: {
        both: 'Français {{name}}',
        n_one: '{{count}} élément',
        n_other: '{{count}} éléments',
        m_one: '{{count}} m français',
        r: 'r français',
        empty: '',
        tree: 'pas un arbre',
      },
    },
    ja: { translation: { n_other: '{{count}} 件', r_x: 'x の r' } },
  };
  const small = createI18next(resources);

  it('falls back to English for a key missing in French, as i18next does', () => {
    const t = loose(compileT(small, 'fr'));
    expect(t('only', { name: 'N' })).toBe('English only, N');
    expect(t('only', { name: 'N' })).toBe(loose(small.getFixedT('fr'))('only', { name: 'N' }));
    expect(t('both', { name: 'N' })).toBe('Français N');
  });

  it('takes a plural form missing in French from English, and French’s _one for 0', () => {
    const t = loose(compileT(small, 'fr'));
    expect(t('m', { count: 2 })).toBe('2 English ms');
    expect(t('m', { count: 1 })).toBe('1 m français');
    // Each language in turn: fr has no n_zero, and French says "one" for 0; English's n_zero is not reached.
    expect(t('n', { count: 0 })).toBe('0 élément');
    expect(loose(compileT(small, 'en'))('n', { count: 0 })).toBe('no item');
    for (const count of COUNTS) expect(t('m', { count })).toBe(loose(small.getFixedT('fr'))('m', { count }));
  });

  it('gives Japanese its only form, _other', () => {
    const t = loose(compileT(small, 'ja'));
    expect(COUNTS.map((count) => t('n', { count }))).toEqual(['0 件', '1 件', '2 件', '5 件', '21 件']);
  });

  it('matches i18next on every key and option of the small resources, in every language', () => {
    const keys = [...new Set(Object.values(resources).flatMap((r) => [...flatten(r.translation).keys()]))];
    const calls = keys.flatMap((key) => {
      const base = key.replace(PLURAL_SUFFIX, '');
      const options = [
        undefined,
        {},
        { name: 'N', count: 1 },
        { name: null },
        { html: '<b>', when: new Date(0) },
      ];
      return [
        ...options.map((o) => [key, o]),
        ...[0, 1, 2, 5, 21].map((count) => [base, { count, name: 'N' }]),
        [base, { context: 'x' }],
        [base, { context: 'x', count: 2 }],
      ];
    });
    for (const l of [...LANGUAGES, 'de', 'fr-CA']) expect(differences(small, l, calls)).toEqual([]);
  });

  it('matches i18next on random templates and values', () => {
    const template = fc
      .stringMatching(/^(?:[a-z ]|\{\{?|\}\}?|\$t\(|\)|-|,|\.|name|count)*$/, {
        maxLength: 24,
      })
      // A template that nests its own keys ("$t(a)" as the text of a) is a cycle: i18next, the reference,
      // overflows its stack on it (seed -1600663230), so there is nothing to compare. Other nestings stay.
      .filter((text) => !/\$t\([ab]/.test(text));
    const value = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.integer({ min: -2, max: 30 }),
      fc.stringMatching(/^(?:[a-z]|\{\{|\}\}|name|\$t\(a\)|\$&)*$/, { maxLength: 10 }),
    );
    fc.assert(
      fc.property(
        template,
        value,
        value,
        fc.constantFrom(undefined, 'x', ''),
        (text, name, count, context) => {
          const instance = createI18next({
            en: { translation: { a: text, a_x: `${text}!`, b_one: text, b_other: `${text}s` } },
            fr: { translation: { b_one: `${text} (fr)` } },
          });
          const options: Record<string, unknown> = { context };
          if (name !== undefined) options.name = name;
          if (count !== undefined) options.count = count;
          expect(
            differences(instance, 'fr', [['a', options], ['b', options], ['a'], ['b', { count: 2 }]]),
          ).toEqual([]);
        },
      ),
      { numRuns: 400 },
    );
  });
});
