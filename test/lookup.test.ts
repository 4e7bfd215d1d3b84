/** Customer lookup by name or domain (src/directory/customer-index.ts) and the string helpers. */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CustomerCandidate, LookupResult } from '../src/directory/lookup-types.js';
import { CustomerIndex, MATCH_MIN } from '../src/directory/customer-index.js';
import {
  coreWords,
  domainLabel,
  editDistance,
  editDistanceTable,
  fold,
  similarity,
  splitKanjiRuns,
  tokenize,
  words,
} from '../src/directory/name-normalize.js';
import type { Customer } from '../src/rules/index.js';
import { DEMO_NAMES, bareCustomer, demoNameCustomers } from './support/demo-names.js';
import { generateCustomers } from './support/generate-customers.js';

const DEMO = DEMO_NAMES;
const customer = bareCustomer;
const demo = demoNameCustomers;

const nameOf = (c: { companyProfile: { companyName: string } }): string => c.companyProfile.companyName;
const names = (candidates: readonly CustomerCandidate[]): string[] =>
  candidates.map((c) => nameOf(c.customer));

function matched(result: LookupResult): string | undefined {
  return result.kind === 'match' ? nameOf(result.customer) : undefined;
}

/** The best candidate whatever the kind: the match, the first ambiguous one, the first suggestion. */
function top(result: LookupResult): string | undefined {
  if (result.kind === 'match') return nameOf(result.customer);
  const first = result.kind === 'ambiguous' ? result.candidates[0] : result.suggestions[0];
  return first === undefined ? undefined : nameOf(first.customer);
}

describe('resolve on the demo names', () => {
  const index = new CustomerIndex(demo());

  it.each([
    ['Contoso Ltd', 'Contoso Ltd'],
    ['Fabrikam Inc', 'Fabrikam Inc'],
    ['Fabricam Ltd', 'Fabricam Ltd'],
    ['Northwind Traders', 'Northwind Traders'],
    ['Adventure Works Cycles', 'Adventure Works Cycles'],
    ['A. Datum Corporation', 'A. Datum Corporation'],
    ['Tailspin Toys India Pvt Ltd', 'Tailspin Toys India Pvt Ltd'],
    ['Société Lamna', 'Société Lamna'],
  ])('exact name: %s', (query, expected) => {
    expect(matched(index.resolve(query))).toBe(expected);
  });

  it.each([
    ['CONTOSO LTD', 'Contoso Ltd'],
    ['contoso ltd', 'Contoso Ltd'],
    ['fAbRiKaM iNc', 'Fabrikam Inc'],
    ['  contoso   ltd ', 'Contoso Ltd'],
    ['Ｃｏｎｔｏｓｏ', 'Contoso Ltd'],
  ])('case, spacing and width: %s', (query, expected) => {
    expect(matched(index.resolve(query))).toBe(expected);
  });

  it.each([
    ['societe lamna', 'Société Lamna'],
    ['SOCIETE LAMNA', 'Société Lamna'],
    ['Sociéte Lämna', 'Société Lamna'],
    ['Cóntoso', 'Contoso Ltd'],
  ])('accents: %s', (query, expected) => {
    expect(matched(index.resolve(query))).toBe(expected);
  });

  it.each([
    ['Northwind-Traders', 'Northwind Traders'],
    ['northwindtraders', 'Northwind Traders'],
    ['A Datum', 'A. Datum Corporation'],
    ['A.Datum Corp', 'A. Datum Corporation'],
    ['adatum', 'A. Datum Corporation'],
    ['adventureworks', 'Adventure Works Cycles'],
  ])('punctuation and run-together words: %s', (query, expected) => {
    expect(matched(index.resolve(query))).toBe(expected);
  });

  it.each([
    ['Contoso', 'Contoso Ltd'],
    ['Contoso Inc', 'Contoso Ltd'],
    ['Contoso Corporation', 'Contoso Ltd'],
    ['Contoso LLC', 'Contoso Ltd'],
    ['Contoso 株式会社', 'Contoso Ltd'],
    ['株式会社Contoso', 'Contoso Ltd'],
    ['Contoso KK', 'Contoso Ltd'],
    ['Fabrikam', 'Fabrikam Inc'],
    ['A. Datum', 'A. Datum Corporation'],
    ['Tailspin Toys India', 'Tailspin Toys India Pvt Ltd'],
    ['Tailspin Toys India Private Limited', 'Tailspin Toys India Pvt Ltd'],
    ['Wingtip Toys GmbH', 'Wingtip Toys'],
    ['Woodgrove Bank SAS', 'Woodgrove Bank'],
    ['Société Lamna SA', 'Société Lamna'],
  ])('legal form missing or added: %s', (query, expected) => {
    expect(matched(index.resolve(query))).toBe(expected);
  });

  it.each([
    ['contoso.onmicrosoft.com', 'Contoso Ltd'],
    ['CONTOSO.ONMICROSOFT.COM', 'Contoso Ltd'],
    ['contoso.com', 'Contoso Ltd'],
    ['fabricam.co.uk', 'Fabricam Ltd'],
    ['adventure-works.com', 'Adventure Works Cycles'],
    ['tailspintoys.in', 'Tailspin Toys India Pvt Ltd'],
    ['tailspintoys', 'Tailspin Toys India Pvt Ltd'],
    ['lamna.fr', 'Société Lamna'],
    ['lamna', 'Société Lamna'],
    ['woodgrovebank.onmicrosoft.com', 'Woodgrove Bank'],
  ])('domain or its label: %s', (query, expected) => {
    expect(matched(index.resolve(query))).toBe(expected);
  });

  it('says a domain matched on the domain, and a name on the name', () => {
    const byDomain = index.search('lamna.fr')[0];
    expect(byDomain).toMatchObject({ score: 1, matchedOn: 'domain' });
    const byName = index.search('Societe Lamna')[0];
    expect(byName).toMatchObject({ score: 1, matchedOn: 'name' });
  });

  it.each([
    ['contso', 'Contoso Ltd'],
    ['contosso', 'Contoso Ltd'],
    ['cotnoso', 'Contoso Ltd'],
    ['Contoso Ldt', 'Contoso Ltd'],
    ['nortwind', 'Northwind Traders'],
    ['northwnd traders', 'Northwind Traders'],
    ['Northwind Trader', 'Northwind Traders'],
    ['wingtip toy', 'Wingtip Toys'],
    ['wingtp toys', 'Wingtip Toys'],
    ['adventur works', 'Adventure Works Cycles'],
    ['woodgrove bnak', 'Woodgrove Bank'],
    ['trey reserch', 'Trey Research'],
    ['tailspin tois', 'Tailspin Toys India Pvt Ltd'],
    ['societe lamma', 'Société Lamna'],
  ])('small typo: %s', (query, expected) => {
    const result = index.resolve(query);
    expect(matched(result)).toBe(expected);
    if (result.kind === 'match')
      expect(result.candidates.every((c) => c.customer !== result.customer)).toBe(true);
  });

  it.each([['Northwind'], ['Woodgrove'], ['Wingtip'], ['Trey'], ['Adventure Works']])(
    'the first words of a name: %s',
    (query) => {
      expect(matched(index.resolve(query))).toBe(DEMO.map(([n]) => n).find((n) => n.startsWith(query)));
    },
  );

  it('an exact name wins over a near one, which comes as the runner-up', () => {
    const fabrikam = index.resolve('fabrikam');
    expect(matched(fabrikam)).toBe('Fabrikam Inc');
    expect(fabrikam.kind === 'match' && names(fabrikam.candidates)).toEqual(['Fabricam Ltd']);
    const fabricam = index.resolve('Fabricam');
    expect(matched(fabricam)).toBe('Fabricam Ltd');
    expect(fabricam.kind === 'match' && names(fabricam.candidates)).toEqual(['Fabrikam Inc']);
  });

  it.each([['fabrikan'], ['fabrikm'], ['fabrikom'], ['fabricm'], ['fabrecam']])(
    'a typo between two close names is ambiguous, best first: %s',
    (query) => {
      const result = index.resolve(query);
      expect(result.kind).toBe('ambiguous');
      const candidates = result.kind === 'ambiguous' ? names(result.candidates) : [];
      expect(candidates.sort()).toEqual(['Fabricam Ltd', 'Fabrikam Inc']);
    },
  );

  it('ranks the closer of two ambiguous names first', () => {
    const result = index.resolve('fabrikan');
    expect(
      result.kind === 'ambiguous' && result.candidates.map((c) => [nameOf(c.customer), c.score]),
    ).toEqual([
      ['Fabrikam Inc', 0.875],
      ['Fabricam Ltd', 0.75],
    ]);
  });

  it.each([
    ['toys', ['Wingtip Toys', 'Tailspin Toys India Pvt Ltd']],
    ['bank', ['Woodgrove Bank']],
    ['Contoso Pharmaceuticals', ['Contoso Ltd']],
    ['Fabrikum Industries', ['Fabrikam Inc']],
    ['Contrasto', ['Contoso Ltd']],
  ])('none, with the closest names as suggestions: %s', (query, expected) => {
    const result = index.resolve(query);
    expect(result.kind).toBe('none');
    if (result.kind !== 'none') return;
    expect(names(result.suggestions)).toEqual(expected);
    for (const s of result.suggestions) expect(s.score).toBeLessThan(MATCH_MIN);
  });

  it.each([['zzz'], ['Globex'], [''], ['   '], ['!!!'], ['Microsoft']])(
    'none without suggestions: %j',
    (query) => {
      expect(index.resolve(query)).toEqual({ kind: 'none', suggestions: [] });
    },
  );

  it('search ranks candidates best first, with scores in [0, 1], up to the limit', () => {
    const all = index.search('fabrikam');
    expect(names(all)).toEqual(['Fabrikam Inc', 'Fabricam Ltd']);
    expect(all.map((c) => c.score)).toEqual([1, 0.875]);
    expect(index.search('fabrikam', 1)).toHaveLength(1);
    const toys = index.search('toys');
    for (const c of toys) expect(c.score).toBeGreaterThan(0);
    for (const c of toys) expect(c.score).toBeLessThanOrEqual(1);
    expect(toys.map((c) => c.score)).toEqual([...toys.map((c) => c.score)].sort((a, b) => b - a));
  });
});

describe('resolve: legal forms in every language, width and accents', () => {
  const index = new CustomerIndex(demo());

  it.each([
    // Japanese: the form before or after the name, left out, abbreviated, or the other way round.
    ['サクラ精機', '株式会社サクラ精機'],
    ['株式会社サクラ精機', '株式会社サクラ精機'],
    ['サクラ精機株式会社', '株式会社サクラ精機'],
    ['(株)サクラ精機', '株式会社サクラ精機'],
    ['（株）サクラ精機', '株式会社サクラ精機'],
    ['㈱サクラ精機', '株式会社サクラ精機'],
    ['株式会社 サクラ精機', '株式会社サクラ精機'],
    ['ミドリ電子', 'ミドリ電子株式会社'],
    ['株式会社ミドリ電子', 'ミドリ電子株式会社'],
    ['ミドリ電子(株)', 'ミドリ電子株式会社'],
    ['有限会社ミドリ電子', 'ミドリ電子株式会社'],
    ['山田商事', '山田商事株式会社'],
    ['(株)山田商事', '山田商事株式会社'],
    ['ヒカリ物産', '(株)ヒカリ物産'],
    ['ヒカリ物産株式会社', '(株)ヒカリ物産'],
    // Half-width katakana, with and without voicing marks.
    ['ｻｸﾗ精機', '株式会社サクラ精機'],
    ['ﾐﾄﾞﾘ電子', 'ミドリ電子株式会社'],
    ['ﾋｶﾘ物産', '(株)ヒカリ物産'],
    // French: SA, SARL, SAS, with or without dots, another form, accents left out.
    ['Électricité Mérand', 'Électricité Mérand SA'],
    ['electricite merand', 'Électricité Mérand SA'],
    ['Electricite Merand S.A.', 'Électricité Mérand SA'],
    ['ELECTRICITE MERAND SAS', 'Électricité Mérand SA'],
    ['Fromagerie Berard', 'Fromagerie Bérard SARL'],
    ['fromagerie bérard s.a.r.l.', 'Fromagerie Bérard SARL'],
    ['Transports Lefevre', 'Transports Lefèvre SAS'],
    ['Transports Lefèvre S.A.S.', 'Transports Lefèvre SAS'],
    // Other languages' forms.
    ['Contoso GmbH', 'Contoso Ltd'],
    ['Contoso Pvt Ltd', 'Contoso Ltd'],
    ['Trey Research Inc.', 'Trey Research'],
    ['Wingtip Toys K.K.', 'Wingtip Toys'],
  ])('%s → %s', (query, expected) => {
    expect(matched(index.resolve(query))).toBe(expected);
  });

  it('still tells apart names that differ by more than a legal form', () => {
    expect(matched(index.resolve('サクラ物流'))).toBeUndefined();
    expect(matched(index.resolve('Transports Martin'))).toBeUndefined();
  });
});

describe('resolve: names that fold to the same', () => {
  it('is ambiguous between two customers with the same distinctive name', () => {
    const index = new CustomerIndex([
      customer('Contoso Ltd', 'contoso.onmicrosoft.com'),
      customer('Contoso Inc', 'contoso-us.com'),
    ]);
    const result = index.resolve('contoso');
    expect(result.kind).toBe('ambiguous');
    expect(result.kind === 'ambiguous' && names(result.candidates).sort()).toEqual([
      'Contoso Inc',
      'Contoso Ltd',
    ]);
    // The full name, legal form included, still tells them apart.
    expect(matched(index.resolve('Contoso Inc'))).toBe('Contoso Inc');
    expect(matched(index.resolve('contoso ltd'))).toBe('Contoso Ltd');
  });

  it('is ambiguous between a name with and without a legal form, unless the query has one', () => {
    const index = new CustomerIndex([
      customer('Contoso', 'contoso.com'),
      customer('Contoso Ltd', 'contoso.co.uk'),
    ]);
    expect(index.resolve('contoso').kind).toBe('ambiguous');
    expect(matched(index.resolve('Contoso Ltd'))).toBe('Contoso Ltd');
  });

  it('is ambiguous between names that differ only by accents and punctuation', () => {
    const index = new CustomerIndex([
      customer('Société Lamna', 'lamna.fr'),
      customer('Societe-Lamna', 'lamna.ch'),
    ]);
    expect(index.resolve('societe lamna').kind).toBe('ambiguous');
    expect(matched(index.resolve('lamna.ch'))).toBe('Societe-Lamna');
  });

  it('prefers a customer named so over one whose domain label only is so', () => {
    const index = new CustomerIndex([
      customer('Tailspin Toys', 'tailspin.com'),
      customer('Tailspin Toys India Pvt Ltd', 'tailspintoys.in'),
    ]);
    expect(matched(index.resolve('Tailspin Toys'))).toBe('Tailspin Toys');
    expect(matched(index.resolve('tailspintoys.in'))).toBe('Tailspin Toys India Pvt Ltd');
  });
});

describe('upsert', () => {
  it('adds a customer', () => {
    const index = new CustomerIndex(demo());
    expect(index.resolve('Litware').kind).toBe('none');
    index.upsert(customer('Litware Inc', 'litware.onmicrosoft.com', 'new'));
    expect(matched(index.resolve('litware'))).toBe('Litware Inc');
    expect(index.size).toBe(DEMO.length + 1);
  });

  it('follows a rename: the old name is gone, the new one found, by name and domain', () => {
    const index = new CustomerIndex([customer('Contoso Ltd', 'contoso.onmicrosoft.com', 'c1')]);
    index.upsert(customer('Proseware Inc', 'proseware.com', 'c1'));
    expect(index.resolve('contoso').kind).toBe('none');
    expect(matched(index.resolve('proseware'))).toBe('Proseware Inc');
    expect(matched(index.resolve('proseware.com'))).toBe('Proseware Inc');
    expect(index.resolve('contoso.onmicrosoft.com').kind).toBe('none');
    expect(index.size).toBe(1);
  });

  it('returns the new customer object when only its subscriptions changed', () => {
    const before = customer('Contoso Ltd', 'contoso.onmicrosoft.com', 'c1');
    const index = new CustomerIndex([before]);
    const after: Customer = {
      ...before,
      subscriptions: [{ id: 's1', offerId: 'O365_E3', quantity: 5, status: 'active', channel: 'partner' }],
    };
    index.upsert(after);
    const result = index.resolve('contoso');
    expect(result.kind === 'match' && result.customer).toBe(after);
    expect(index.findMention('can contoso upgrade?')?.result).toMatchObject({
      kind: 'match',
      customer: after,
    });
  });

  it('keeps the last of two customers given with the same id', () => {
    const index = new CustomerIndex([
      customer('Contoso Ltd', 'contoso.com', 'x'),
      customer('Fabrikam Inc', 'f.com', 'x'),
    ]);
    expect(index.size).toBe(1);
    expect(index.resolve('contoso').kind).toBe('none');
    expect(matched(index.resolve('fabrikam'))).toBe('Fabrikam Inc');
  });
});

describe('100,000 generated customers with the demo names mixed in', () => {
  let index: CustomerIndex;
  let customers: Customer[];

  beforeAll(() => {
    customers = [...generateCustomers(100_000, 3), ...demo()];
    index = new CustomerIndex(customers);
  });

  it('answers 200 queries with typos, mostly with the intended customer first', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 0x100000000;
    };
    const queries = Array.from({ length: 200 }, () => {
      const target = customers[Math.floor(random() * customers.length)] as Customer;
      const name = nameOf(target);
      const at = 1 + Math.floor(random() * (name.length - 2));
      return { target, query: name.slice(0, at) + name.slice(at + 1) };
    });
    // Speed is measured by `npm run bench:lookup`, not by a clock in a test.
    const results = queries.map(({ query }) => index.resolve(query));
    const mentions = queries.map(({ query }) => index.findMention(`can ${query} upgrade to E5?`));
    const found = results.filter((r, i) => top(r) === nameOf(queries[i]?.target as Customer)).length;
    expect(found).toBeGreaterThanOrEqual(190);
    const mentioned = mentions.filter(
      (m, i) => m && top(m.result) === nameOf(queries[i]?.target as Customer),
    );
    expect(mentioned.length).toBeGreaterThanOrEqual(180);
  });

  it.each([
    ['Contoso Ltd', 'Contoso Ltd'],
    ['contoso.onmicrosoft.com', 'Contoso Ltd'],
    ['fabrikam', 'Fabrikam Inc'],
    ['Societe Lamna', 'Société Lamna'],
    ['tailspintoys.in', 'Tailspin Toys India Pvt Ltd'],
    ['A. Datum', 'A. Datum Corporation'],
  ])('still finds %s exactly', (query, expected) => {
    expect(matched(index.resolve(query))).toBe(expected);
  });

  it.each([
    ['contso', 'Contoso Ltd'],
    ['nortwind traders', 'Northwind Traders'],
    ['woodgrove bnak', 'Woodgrove Bank'],
    ['adventure works', 'Adventure Works Cycles'],
  ])('still puts %s first', (query, expected) => {
    expect(top(index.resolve(query))).toBe(expected);
  });

  it('finds a demo customer named in a sentence', () => {
    expect(index.findMention('Est-ce que la société Lamna peut passer à E3 ?')).toMatchObject({
      text: 'société Lamna',
      result: { kind: 'match', customer: { companyProfile: { companyName: 'Société Lamna' } } },
    });
    expect(index.findMention('what can Business Essentials upgrade to?')).toBeUndefined();
  });
});

describe('name helpers', () => {
  it('folds case, accents, width and letters that do not decompose', () => {
    expect(fold('Société GÉNÉRALE')).toBe('societe generale');
    expect(fold('Ｃｏｎｔｏｓｏ')).toBe('contoso');
    expect(fold('Großmann Æther Øresund')).toBe('grossmann aether oresund');
    expect(fold('ガス')).toBe('ガス');
  });

  it('splits words on punctuation and script changes, with offsets', () => {
    const text = 'Contosoはアップグレード、A. Datum?';
    const tokens = tokenize(text);
    expect(tokens.map((t) => t.text)).toEqual(['contoso', 'は', 'アップグレード', 'a', 'datum']);
    for (const t of tokens) expect(fold(text.slice(t.start, t.end))).toBe(t.text);
    expect(tokens.map((t) => t.breakBefore)).toEqual([false, false, false, true, false]);
  });

  it('removes legal forms at the end, and Japanese ones at the start', () => {
    expect(coreWords(words('Tailspin Toys India Pvt Ltd'))).toEqual(['tailspin', 'toys', 'india']);
    expect(coreWords(words('Müller Bau GmbH & Co. KG'))).toEqual(['muller', 'bau']);
    expect(coreWords(words('株式会社コントソ'))).toEqual(['コントソ']);
    expect(coreWords(words('SAS Institute Inc'))).toEqual(['sas', 'institute']);
    expect(coreWords(words('Ltd'))).toEqual(['ltd']);
    expect(coreWords(words('ミドリ電子株式会社'))).toEqual(['ミドリ', '電子']);
    expect(coreWords(words('(株)ヒカリ物産'))).toEqual(['ヒカリ', '物産']);
    expect(coreWords(words('一般社団法人サクラ協会'))).toEqual(['サクラ', '協会']);
    expect(coreWords(words('Fromagerie Bérard S.A.R.L.'))).toEqual(['fromagerie', 'berard']);
    expect(coreWords(words('Électricité Mérand SA'))).toEqual(['electricite', 'merand']);
  });

  it('reads dotted legal forms as one word, and keeps initials', () => {
    expect(words('Dupont S.A.R.L.')).toEqual(['dupont', 'sarl']);
    expect(words('K.K. Sakura')).toEqual(['kk', 'sakura']);
    expect(words('A. Datum')).toEqual(['a', 'datum']);
    expect(words('J.R.R. Tolkien')).toEqual(['j', 'r', 'r', 'tolkien']);
  });

  it('keeps half-width voicing marks with their kana', () => {
    const tokens = tokenize('ﾐﾄﾞﾘ電子');
    expect(tokens.map((t) => t.text)).toEqual(['ミドリ', '電子']);
    expect(tokens[0]).toMatchObject({ start: 0, end: 4, script: 'katakana' });
  });

  it('cuts kanji runs into words, with offsets, legal forms whole', () => {
    const text = '株式会社山田商事様の移行可否';
    const pieces = splitKanjiRuns(text, tokenize(text));
    expect(pieces.map((t) => t.text)).toEqual(['株式会社', '山田', '商事', '様', 'の', '移行', '可否']);
    for (const t of pieces) expect(text.slice(t.start, t.end)).toBe(t.text);
    // A run far longer than a name and a few words is left whole.
    const long = '山田商事'.repeat(10);
    expect(splitKanjiRuns(long, tokenize(long))).toHaveLength(1);
  });

  it('takes the label that carries the name from a domain', () => {
    expect(domainLabel('contoso.onmicrosoft.com')).toBe('contoso');
    expect(domainLabel('fabricam.co.uk')).toBe('fabricam');
    expect(domainLabel('adventure-works.com')).toBe('adventureworks');
    expect(domainLabel('mail.lamna.fr')).toBe('lamna');
    expect(domainLabel('contoso')).toBe('contoso');
  });

  it('counts a swap of adjacent letters as one edit', () => {
    expect(editDistance('cotnoso', 'contoso')).toBe(1);
    expect(editDistance('contso', 'contoso')).toBe(1);
    expect(editDistance('fabrikan', 'fabricam')).toBe(2);
    expect(similarity('fabrikan', 'fabrikam')).toBe(0.875);
    expect(similarity('', '')).toBe(1);
  });

  it('computes the same distance bit-parallel as with the table', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', 'ー'), maxLength: 40 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(editDistance(a, b)).toBe(editDistanceTable(a, b));
        expect(editDistance(a, b)).toBe(editDistance(b, a));
      }),
      { numRuns: 3000 },
    );
  });

  it('never returns a similarity above the bound it was asked to reach when it cannot', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 20 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (a, b, bar) => {
          const exact = similarity(a, b);
          const bounded = similarity(a, b, bar);
          if (exact >= bar) expect(bounded).toBeCloseTo(exact, 9);
          else expect(bounded).toBeLessThan(bar);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
