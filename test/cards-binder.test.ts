/**
 * The compiled card binder (src/bot/cards/binder.ts) against its reference, adaptivecards-templating: every card
 * the bot makes, the real templates over generated data, each supported feature, generated `$when` expressions,
 * and the compile-time refusal of anything else.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ACData from 'adaptivecards-templating';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTemplate, TemplateCompileError } from '../src/bot/cards/binder.js';
import type { CardName } from '../src/bot/cards/data.js';
import { CARD_NAMES, CardTemplates } from '../src/bot/cards/templates.js';
import { CARDS_DIR } from '../src/paths.js';
import { allCards } from './support/card-specs.js';

const templateJson = (name: CardName): unknown =>
  JSON.parse(readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8'));

type Outcome = { value: unknown } | { threw: string };

const libraryTemplates = new WeakMap<object, ACData.Template>();
const compiledTemplates = new WeakMap<object, (data: unknown) => unknown>();

/** What adaptivecards-templating makes of the template and data (or the error it throws). */
function reference(template: unknown, data: unknown): Outcome {
  try {
    const key = template as object;
    const library = libraryTemplates.get(key) ?? new ACData.Template(template);
    libraryTemplates.set(key, library);
    return { value: library.expand({ $root: data }) as unknown };
  } catch (e) {
    return { threw: (e as Error).message };
  }
}

function compiled(template: unknown, data: unknown): Outcome {
  const key = template as object;
  const bind = compiledTemplates.get(key) ?? compileTemplate(template);
  compiledTemplates.set(key, bind);
  try {
    return { value: bind(data) };
  } catch (e) {
    return { threw: (e as Error).message };
  }
}

/** The binder makes what the library makes: the same value, the same JSON text, or the same error. */
function expectSame(template: unknown, data: unknown): unknown {
  const want = reference(template, data);
  const got = compiled(template, data);
  expect(got).toStrictEqual(want);
  if ('value' in want && 'value' in got) expect(JSON.stringify(got.value)).toBe(JSON.stringify(want.value));
  return 'value' in got ? got.value : undefined;
}

describe('every card the bot makes expands exactly as adaptivecards-templating expands it', () => {
  const templates = new CardTemplates();
  const library = new Map(CARD_NAMES.map((name) => [name, new ACData.Template(templateJson(name))]));
  const cards = allCards();

  it('covers every template', () => {
    expect(new Set(cards.map((c) => c.spec.name))).toEqual(new Set(CARD_NAMES));
    expect(cards.length).toBeGreaterThan(100);
  });

  it.each(cards)('$label', ({ spec }) => {
    const want = library.get(spec.name)!.expand({ $root: spec.data }) as unknown;
    const got = templates.expand(spec);
    expect(got).toStrictEqual(want);
    expect(JSON.stringify(got)).toBe(JSON.stringify(want));
  });

  /** Each card's data with every array emptied, every string blanked, every boolean flipped, or all three. */
  const variants = (data: unknown): unknown[] => {
    const map = (v: unknown, f: (x: unknown) => unknown): unknown => {
      if (Array.isArray(v)) return f(v.map((x) => map(x, f)));
      if (v !== null && typeof v === 'object') {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, map(x, f)]));
      }
      return f(v);
    };
    const empty = (x: unknown) => (Array.isArray(x) ? [] : x);
    const blank = (x: unknown) => (typeof x === 'string' ? '' : x);
    const flip = (x: unknown) => (typeof x === 'boolean' ? !x : x);
    return [
      map(data, empty),
      map(data, blank),
      map(data, flip),
      map(data, (x) => flip(blank(empty(x)))),
      map(data, (x) => (typeof x === 'number' ? `${x}` : x)),
    ];
  };

  const files = new Map(CARD_NAMES.map((name) => [name, templateJson(name)]));
  it.each(cards)('$label, data varied: arrays emptied, blanks, flips, numbers as text', ({ spec }) => {
    for (const data of variants(spec.data)) expectSame(files.get(spec.name), data);
  });
});

/** Data of any shape under the templates' own names (and their case variants): values, nulls, gaps. */
function arbitraryData(names: readonly string[]): fc.Arbitrary<unknown> {
  const keys = fc.constantFrom(...names, ...names.map((n) => n.toUpperCase()), 'other');
  const { data } = fc.letrec<{ data: Record<string, unknown>; value: unknown }>((tie) => ({
    data: fc.dictionary(keys, tie('value'), { maxKeys: 8 }),
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string({ maxLength: 6 }),
      fc.constantFrom('', 'x', 'true', '${title}'),
      fc.integer({ min: -3, max: 300 }),
      fc.double({ noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('data'), { maxLength: 3 }),
      fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), { maxLength: 3 }),
      tie('data'),
    ),
  }));
  return data;
}

describe('the real templates over generated data', () => {
  it.each(CARD_NAMES)('%s', (name) => {
    const template = templateJson(name);
    const text = JSON.stringify(template);
    const names = [
      ...new Set([...text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)].map((m) => m[0]).filter((n) => n !== 'count')),
    ];
    fc.assert(
      fc.property(arbitraryData(names), (data) => {
        expectSame(template, data);
      }),
      { numRuns: 300, seed: 5150 },
    );
  });
});

describe('binder features, each checked against adaptivecards-templating', () => {
  const data = {
    title: 'Hello',
    n: 40,
    sum: 0.1 + 0.2,
    zero: 0,
    yes: true,
    no: false,
    empty: '',
    nothing: null,
    obj: { a: 1, Mixed: 'first', mixed: 'second' },
    list: [1, 2],
    rows: [
      { name: 'A', tags: [{ t: 'a1' }, { t: 'a2' }], on: true },
      { name: 'B', tags: [], on: false },
      { name: 'C', tags: [{ t: 'c1' }], on: true },
    ],
    none: [],
    labels: { go: 'Go' },
  };

  it('a whole-string ${path} keeps the value and its type', () => {
    const template = {
      s: '${title}',
      n: '${n}',
      z: '${zero}',
      b: '${no}',
      o: '${obj}',
      a: '${list}',
      nul: '${nothing}',
      deep: '${labels.go}',
      spaced: '${ labels . go }',
    };
    expect(expectSame(template, data)).toStrictEqual({
      s: 'Hello',
      n: 40,
      z: 0,
      b: false,
      o: { a: 1, Mixed: 'first', mixed: 'second' },
      a: [1, 2],
      nul: null,
      deep: 'Go',
      spaced: 'Go',
    });
  });

  it('an embedded ${path} is stringified into the text', () => {
    const template = {
      text: '• ${title}: ${n} seats, ${yes}/${no}, ${list}, ${obj}',
      odd: 'a\nb {x} $y } ${title}${title}',
    };
    expect(expectSame(template, data)).toStrictEqual({
      text: '• Hello: 40 seats, true/false, 1,2, [object Object]',
      odd: 'a\nb {x} $y } HelloHello',
    });
  });

  it('an embedded null throws, as the library does', () => {
    expect(() => compileTemplate({ text: 'x ${nothing}' })(data)).toThrow(TypeError);
    expectSame({ text: 'x ${nothing}' }, data);
  });

  it('a missing path is left as ${path}, whole or embedded, from $data or $root', () => {
    const template = {
      a: '${missing}',
      b: 'x ${labels.missing} y',
      c: '${$root.missing.deep}',
      d: '${title.length}',
      e: '${$index}',
    };
    expect(expectSame(template, data)).toStrictEqual({
      a: '${missing}',
      b: 'x ${labels.missing} y',
      c: '${$root.missing.deep}',
      d: '${title.length}',
      e: '${$index}',
    });
  });

  it('names are looked up ignoring case, the first matching key winning', () => {
    expect(expectSame({ a: '${TITLE}', b: '${obj.MIXED}', c: '${obj.mixed}' }, data)).toStrictEqual({
      a: 'Hello',
      b: 'first',
      c: 'first',
    });
  });

  it('$data over an array repeats the element, with $index; an empty array drops it', () => {
    const template = {
      items: [
        { type: 'head' },
        { $data: '${rows}', name: '${name}', i: '${$index}', go: '${$root.labels.go}' },
        { $data: '${none}', never: true },
        { type: 'tail' },
      ],
    };
    expect(expectSame(template, data)).toStrictEqual({
      items: [
        { type: 'head' },
        { name: 'A', i: 0, go: 'Go' },
        { name: 'B', i: 1, go: 'Go' },
        { name: 'C', i: 2, go: 'Go' },
        { type: 'tail' },
      ],
    });
  });

  it('a repeated element in a property (not an array) is null, one object, or an array', () => {
    const template = {
      none: { $data: '${none}', x: 1 },
      one: { $data: '${list}', $when: '${$index == 0}', x: '${$data}' },
      many: { $data: '${list}', x: '${$data}' },
    };
    expect(expectSame(template, data)).toStrictEqual({
      none: null,
      one: { x: 1 },
      many: [{ x: 1 }, { x: 2 }],
    });
  });

  it('$data over an object, a missing path or null changes the scope without repeating', () => {
    const template = {
      a: { $data: '${labels}', go: '${go}', title: '${$root.title}' },
      b: { $data: '${missing}', go: '${go}' },
      c: { $data: '${nothing}', go: '${go}', n: '${$root.n}' },
    };
    expect(expectSame(template, data)).toStrictEqual({
      a: { go: 'Go', title: 'Hello' },
      b: { go: '${go}' },
      c: { go: '${go}', n: 40 },
    });
  });

  it('nested $data scopes: the inner item, the outer by $root only, $index of the innermost', () => {
    const template = {
      body: [
        {
          $data: '${rows}',
          items: [{ $data: '${tags}', text: '${t} of ${$root.title}', i: '${$index}' }],
          after: '${name}',
        },
      ],
    };
    expect(expectSame(template, data)).toStrictEqual({
      body: [
        {
          items: [
            { text: 'a1 of Hello', i: 0 },
            { text: 'a2 of Hello', i: 1 },
          ],
          after: 'A',
        },
        { items: [], after: 'B' },
        { items: [{ text: 'c1 of Hello', i: 0 }], after: 'C' },
      ],
    });
  });

  it('$when keeps the element only for true, per repeated item too', () => {
    const template = {
      body: [
        { $when: '${yes}', k: 'yes' },
        { $when: '${no}', k: 'no' },
        { $when: '${n}', k: 'a number is not true' },
        { $when: "${title != ''}", k: 'title' },
        { $when: "${empty != ''}", k: 'empty' },
        { $when: '${count(list) > 0}', k: 'list' },
        { $when: '${count(none) > 0}', k: 'none' },
        { $when: '${count(missing) > 0}', k: 'missing' },
        { $data: '${rows}', $when: '${on}', k: '${name}' },
        { $data: '${rows}', $when: '${!on && count(tags) == 0}', k: 'not ${name}' },
      ],
    };
    expect(expectSame(template, data)).toStrictEqual({
      body: [{ k: 'yes' }, { k: 'title' }, { k: 'list' }, { k: 'A' }, { k: 'C' }, { k: 'not B' }],
    });
  });

  it('$when operators follow adaptive-expressions: precedence, truthiness, errors, equality', () => {
    const cases: [string, boolean][] = [
      ['${!no}', true],
      ['${!missing}', true],
      ['${!empty}', false], // '' is true to adaptive-expressions
      ['${yes && zero}', true], // 0 too
      ['${no || nothing || yes}', true],
      ["${!empty == 'x'}", false], // (!empty) == 'x'
      ['${n > 1 == true}', false], // n > (1 == true): not comparable
      ['${(n > 1) == true}', true],
      ["${!(n > 'a')}", true], // an error, negated
      ["${(n > 'a') == false}", false], // an error makes == false
      ['${(missing > 1) == false}', true], // a null operand is false, not an error
      ['${sum == 0.3}', true], // equal within Number.EPSILON
      ['${sum != 0.3}', false],
      ['${n == 40.1}', false],
      ["${'40' == n}", false],
      ['${nothing == null}', true],
      ['${missing != null}', false],
      ["${missing != ''}", true],
      ['${count(obj) >= 3 && count(title) <= 5}', true],
      ["${'b' > 'a' || no}", true],
      ['${$root.yes}', true],
      ['${YES}', true],
    ];
    for (const [when, kept] of cases) {
      const template = { body: [{ $when: when, kept: true }] };
      expect(expectSame(template, data), when).toStrictEqual({ body: kept ? [{ kept: true }] : [] });
    }
  });

  it('arrays drop nulls and splice arrays (all the way down), reserved keys are dropped, literals are copied', () => {
    const template = {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      list: [null, [1, [2]], '${list}', '${nothing}', { a: null, b: [] }, 'no template $ here', 3.5, false],
      $root: 'dropped',
      $index: 'dropped',
      $host: 'dropped',
      $_acTemplateVersion: 'dropped',
    };
    expect(expectSame(template, data)).toStrictEqual({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      list: [1, 2, 1, 2, { a: null, b: [] }, 'no template $ here', 3.5, false],
    });
  });

  it('makes fresh objects on every call', () => {
    const bind = compileTemplate({ body: [{ type: 'TextBlock', text: 'static' }] });
    const a = bind(data) as { body: object[] };
    const b = bind(data) as { body: object[] };
    expect(a).toStrictEqual(b);
    expect(a).not.toBe(b);
    expect(a.body[0]).not.toBe(b.body[0]);
  });
});

describe('generated $when expressions evaluate as adaptive-expressions evaluates them', () => {
  const paths = ['a', 'b', 'c', 'A', 'obj.a', 'obj.x', '$root.top', '$index', 'missing', 'list'];
  const literals = ["''", "'x'", "'A'", '0', '1', '2.5', 'true', 'false', 'null'];
  const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...paths),
      fc.constantFrom(...literals),
      fc.constantFrom('count(list)', 'count(a)', 'count(obj)', 'count(missing)'),
      tie('e').map((e) => `!${e}`),
      tie('e').map((e) => `(${e})`),
      fc
        .tuple(tie('e'), fc.constantFrom('&&', '||', '<', '<=', '>', '>='), tie('e'))
        .map(([l, op, r]) => `${l} ${op} ${r}`),
      fc
        .tuple(tie('e'), fc.constantFrom('==', '!='), fc.constantFrom(...literals), fc.boolean())
        .map(([e, op, lit, flip]) => (flip ? `${lit} ${op} ${e}` : `${e} ${op} ${lit}`)),
    ),
  })).e;
  const value = fc.oneof(
    fc.constantFrom('', 'x', 'A', 'abc', 0, 1, 2.5, -1, true, false, null),
    fc.constantFrom([], [1], ['x', 'y'], {}, { a: 1 }),
  );
  const row = fc.record(
    { a: value, b: value, c: value, obj: fc.dictionary(fc.constantFrom('a', 'A', 'x'), value), list: value },
    { requiredKeys: [] },
  );
  const data = fc.record({ top: value, rows: fc.array(row, { minLength: 1, maxLength: 3 }) });

  it('keeps and drops the same elements', () => {
    let compiledCount = 0;
    fc.assert(
      fc.property(expr, data, (when, d) => {
        const template = { body: [{ $data: '${rows}', $when: `\${${when}}`, i: '${$index}' }] };
        try {
          compileTemplate(template);
        } catch (e) {
          // Refused at compile time (e.g. `==` between two non-literals, or a literal alone): loud, not wrong.
          expect(e).toBeInstanceOf(TemplateCompileError);
          return;
        }
        compiledCount++;
        expectSame(template, d);
      }),
      { numRuns: 1500, seed: 4242 },
    );
    expect(compiledCount).toBeGreaterThan(1000);
  });
});

describe('anything else is refused at compile time, naming the place and the expression', () => {
  it.each([
    ['body[0].text', { body: [{ text: '${formatNumber(n, 2)}' }] }, 'formatNumber'],
    ['body[0].text', { body: [{ text: 'Total ${a + b}' }] }, 'a + b'],
    ['body[0].text', { body: [{ text: '${list[0]}' }] }, 'list[0]'],
    ['body[0].text', { body: [{ text: "${'literal'}" }] }, "'literal'"],
    ['body[0].text', { body: [{ text: '${count(list)}' }] }, 'count(list)'],
    ['body[0].text', { body: [{ text: '${$host.x}' }] }, '$host.x'],
    ['body[0].text', { body: [{ text: '${a ?? b}' }] }, 'a ?? b'],
    ['body[0].text', { body: [{ text: '${}' }] }, '${}'],
    ['body[0].text', { body: [{ text: 'unclosed ${title' }] }, 'unclosed ${title'],
    ['body[0].text', { body: [{ text: 'escaped \\${title}' }] }, 'backslash'],
    ['body[0].text', { body: [{ text: 'tick ` ${title}' }] }, 'backtick'],
    ['body[1].$when', { body: [{}, { $when: '${a == b}' }] }, 'a == b'],
    ['body[1].$when', { body: [{}, { $when: '${x ? y : z}' }] }, 'x ? y : z'],
    ['body[1].$when', { body: [{}, { $when: '${true}' }] }, 'true'],
    ['body[1].$when', { body: [{}, { $when: true }] }, 'true'],
    ['body[1].$when', { body: [{}, { $when: 'visible' }] }, 'visible'],
    ['body[1].$when', { body: [{}, { $when: '${a} and ${b}' }] }, '${a} and ${b}'],
    ['body[1].$when', { body: [{}, { $when: '${count(count(x)) > 0}' }] }, 'count(count(x)) > 0'],
    ['body[1].$when', { body: [{}, { $when: "${a <> ''}" }] }, "a <> ''"],
    ['body[1].$when', { body: [{}, { $when: '${a = 1}' }] }, 'a = 1'],
    ['actions[0].$data', { actions: [{ $data: 'targets' }] }, 'targets'],
    ['actions[0].$data', { actions: [{ $data: [1, 2] }] }, '[1,2]'],
    ['actions[0].$data', { actions: [{ $data: 'all ${targets}' }] }, 'all ${targets}'],
    ['actions[0].$data', { actions: [{ $data: '${where(targets, t, t.on)}' }] }, 'where(targets, t, t.on)'],
  ])('%s: %j', (place, template, expression) => {
    expect(() => compileTemplate(template, 'probe.json')).toThrow(TemplateCompileError);
    expect(() => compileTemplate(template, 'probe.json')).toThrow(`probe.json at ${place}`);
    expect(() => compileTemplate(template, 'probe.json')).toThrow(expression);
  });

  it('a Designer edit using a new feature stops the bot at start-up, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cards-'));
    for (const name of CARD_NAMES) {
      writeFileSync(join(dir, `${name}.json`), readFileSync(join(CARDS_DIR, `${name}.json`)));
    }
    expect(() => new CardTemplates(dir)).not.toThrow();
    const confirm = templateJson('confirm') as { body: Record<string, unknown>[] };
    confirm.body[2]!.text = "${formatNumber(seats, 0)} ${if(live, 'a', 'b')}";
    writeFileSync(join(dir, 'confirm.json'), JSON.stringify(confirm));
    expect(() => new CardTemplates(dir)).toThrow(/confirm\.json at body\[2\]\.text: .*formatNumber/);
  });
});
