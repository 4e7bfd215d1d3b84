/** Finding the customer named in a sentence in English, French or Japanese (CustomerIndex.findMention). */
import { describe, expect, it } from 'vitest';
import type { CustomerMention } from '../src/directory/lookup-types.js';
import { CustomerIndex } from '../src/directory/customer-index.js';
import type { Customer } from '../src/rules/index.js';
import { DEMO_NAMES, bareCustomer } from './support/demo-names.js';

const index = new CustomerIndex(DEMO_NAMES.map(([name, domain]) => bareCustomer(name, domain, domain)));

/** The customer a mention resolves to (the first candidate when ambiguous), and the text as written. */
function found(sentence: string): { customer?: string; text?: string; kind?: string } {
  const mention = index.findMention(sentence);
  if (mention === undefined) return {};
  expect(sentence.slice(mention.start, mention.end)).toBe(mention.text);
  const { result } = mention;
  const customer =
    result.kind === 'match'
      ? result.customer
      : result.kind === 'ambiguous'
        ? result.candidates[0]?.customer
        : result.suggestions[0]?.customer;
  return { customer: customer?.companyProfile.companyName, text: mention.text, kind: result.kind };
}

type Case = readonly [sentence: string, customer: string, written: string];

const ENGLISH: readonly Case[] = [
  ['can Contoso upgrade?', 'Contoso Ltd', 'Contoso'],
  ['is contoso eligible for an upgrade', 'Contoso Ltd', 'contoso'],
  ['can Contoso upgrade to E5?', 'Contoso Ltd', 'Contoso'],
  ["why can't Fabrikam move to Enterprise E3?", 'Fabrikam Inc', 'Fabrikam'],
  ['upgrade Northwind Traders to E3', 'Northwind Traders', 'Northwind Traders'],
  ['start an upgrade for adventure works', 'Adventure Works Cycles', 'adventure works'],
  ['what upgrades have we done for A. Datum?', 'A. Datum Corporation', 'A. Datum'],
  [
    'can tailspin toys india move to Business Premium India?',
    'Tailspin Toys India Pvt Ltd',
    'tailspin toys india',
  ],
  ['is woodgrovebank.onmicrosoft.com eligible?', 'Woodgrove Bank', 'woodgrovebank.onmicrosoft.com'],
  ['Can Trey Research move to ProPlus?', 'Trey Research', 'Trey Research'],
  ['what can wingtip toys upgrade to', 'Wingtip Toys', 'wingtip toys'],
  ['can Contoso Ltd upgrade to Office 365 Enterprise E5?', 'Contoso Ltd', 'Contoso Ltd'],
  ['show the subscriptions of Société Lamna', 'Société Lamna', 'Société Lamna'],
  // Typos.
  ['can contosso upgrade?', 'Contoso Ltd', 'contosso'],
  ['can nortwind upgrade to E5', 'Northwind Traders', 'nortwind'],
  ['is adventure wroks eligible for Enterprise E3', 'Adventure Works Cycles', 'adventure wroks'],
  ['upgrade woodgrove bnak to E5 please', 'Woodgrove Bank', 'woodgrove bnak'],
  ['what upgrades have we done for Trey Reserch?', 'Trey Research', 'Trey Reserch'],
];

const FRENCH: readonly Case[] = [
  ['Est-ce que la société Lamna peut passer à E3 ?', 'Société Lamna', 'société Lamna'],
  ['Contoso peut-il passer à Office 365 E5 ?', 'Contoso Ltd', 'Contoso'],
  ['Pourquoi Fabrikam ne peut pas passer à Enterprise E3 ?', 'Fabrikam Inc', 'Fabrikam'],
  ['Mettre à niveau Northwind Traders vers E3', 'Northwind Traders', 'Northwind Traders'],
  ['Quelles mises à niveau avons-nous faites pour Contoso ?', 'Contoso Ltd', 'Contoso'],
  ['Le client Adventure Works est-il éligible ?', 'Adventure Works Cycles', 'Adventure Works'],
  ['Est-ce que Woodgrove Bank peut migrer vers E5 ?', 'Woodgrove Bank', 'Woodgrove Bank'],
  ['Lancer une mise à niveau pour Tailspin Toys India', 'Tailspin Toys India Pvt Ltd', 'Tailspin Toys India'],
  ['La société Lamna est-elle éligible à une mise à niveau ?', 'Société Lamna', 'société Lamna'],
  ['Historique des mises à niveau de Trey Research', 'Trey Research', 'Trey Research'],
  ['Est-ce que A. Datum peut passer à E5 ?', 'A. Datum Corporation', 'A. Datum'],
  ["Quels abonnements de l'entreprise Wingtip Toys peuvent évoluer ?", 'Wingtip Toys', 'Wingtip Toys'],
  // Typos.
  ['Est-ce que Contosso peut passer à E5 ?', 'Contoso Ltd', 'Contosso'],
  ['Est-ce que nortwind peut passer à E5 ?', 'Northwind Traders', 'nortwind'],
  ['Est-ce que la societe Lamma peut migrer ?', 'Société Lamna', 'societe Lamma'],
  // Legal forms left out or written otherwise, accents left out.
  ['Est-ce que Electricite Merand peut passer à E5 ?', 'Électricité Mérand SA', 'Electricite Merand'],
  ['electricite merand s.a. peut-elle évoluer ?', 'Électricité Mérand SA', 'electricite merand'],
  ['Passe la Fromagerie Berard en E3', 'Fromagerie Bérard SARL', 'Fromagerie Berard'],
  ['fromagerie bérard sas est-elle éligible ?', 'Fromagerie Bérard SARL', 'fromagerie bérard sas'],
  ['Historique de Transports Lefevre', 'Transports Lefèvre SAS', 'Transports Lefevre'],
  ['TRANSPORTS LEFÈVRE S.A.S. peut passer en E5 ?', 'Transports Lefèvre SAS', 'TRANSPORTS LEFÈVRE S.A.S'],
];

const JAPANESE: readonly Case[] = [
  ['Contosoはアップグレードできますか？', 'Contoso Ltd', 'Contoso'],
  ['ContosoをE5にアップグレードしてください', 'Contoso Ltd', 'Contoso'],
  ['Fabrikamはエンタープライズ E3に移行できますか', 'Fabrikam Inc', 'Fabrikam'],
  ['Northwind Tradersのアップグレード履歴を見せて', 'Northwind Traders', 'Northwind Traders'],
  ['Adventure Worksはアップグレードの対象ですか？', 'Adventure Works Cycles', 'Adventure Works'],
  ['A. Datumのサブスクリプションをアップグレードできますか', 'A. Datum Corporation', 'A. Datum'],
  ['tailspintoys.inはE3に移行できますか', 'Tailspin Toys India Pvt Ltd', 'tailspintoys.in'],
  ['Woodgrove Bankをアップグレードして', 'Woodgrove Bank', 'Woodgrove Bank'],
  ['Société LamnaはE5にアップグレードできますか', 'Société Lamna', 'Société Lamna'],
  ['Trey Researchのアップグレード履歴', 'Trey Research', 'Trey Research'],
  ['Ｃｏｎｔｏｓｏはアップグレードできますか', 'Contoso Ltd', 'Ｃｏｎｔｏｓｏ'],
  // Japanese companies: the legal form left out or written another way, half-width katakana, no space before
  // the particle, a kanji name glued to the kanji words after it.
  ['サクラ精機はE5にアップグレードできますか', '株式会社サクラ精機', 'サクラ精機'],
  ['株式会社サクラ精機のアップグレード履歴', '株式会社サクラ精機', '株式会社サクラ精機'],
  ['ｻｸﾗ精機をE3にアップグレードして', '株式会社サクラ精機', 'ｻｸﾗ精機'],
  ['㈱サクラ精機はアップグレードできる？', '株式会社サクラ精機', 'サクラ精機'],
  ['ミドリ電子の移行可否を確認して', 'ミドリ電子株式会社', 'ミドリ電子'],
  ['ﾐﾄﾞﾘ電子(株)はE5に移行できますか', 'ミドリ電子株式会社', 'ﾐﾄﾞﾘ電子'],
  ['ミドリ電子株式会社をE3にして', 'ミドリ電子株式会社', 'ミドリ電子株式会社'],
  ['山田商事様はE5にアップグレードできますか', '山田商事株式会社', '山田商事'],
  ['山田商事移行可否', '山田商事株式会社', '山田商事'],
  ['株式会社山田商事を見て', '山田商事株式会社', '株式会社山田商事'],
  ['ヒカリ物産はアップグレードできますか', '(株)ヒカリ物産', 'ヒカリ物産'],
  ['ヒカリ物産株式会社の履歴', '(株)ヒカリ物産', 'ヒカリ物産株式会社'],
  ['ﾋｶﾘ物産をE3に', '(株)ヒカリ物産', 'ﾋｶﾘ物産'],
  ['顧客Wingtip Toysのライセンスを確認して', 'Wingtip Toys', 'Wingtip Toys'],
  // Typos.
  ['Contossoはアップグレードできますか？', 'Contoso Ltd', 'Contosso'],
  ['Nortwind Tradersをアップグレードできますか', 'Northwind Traders', 'Nortwind Traders'],
  ['Woodgrove BnakはE5に移行できますか', 'Woodgrove Bank', 'Woodgrove Bnak'],
];

describe.each([
  ['English', ENGLISH],
  ['French', FRENCH],
  ['Japanese', JAPANESE],
])('findMention in %s', (_language, cases) => {
  it.each(cases)('%s', (sentence, customer, written) => {
    expect(found(sentence)).toEqual({ customer, text: written, kind: 'match' });
  });
});

describe('findMention: what it is not', () => {
  it.each([
    'what can Business Essentials upgrade to?',
    'which customers can upgrade to E5?',
    'help',
    '?',
    'hello, thanks!',
    'upgrade to E3 please',
    'Office 365 Business Premium',
    'Microsoft 365 Business Standard',
    'what can Exchange Online (Plan 1) move to?',
    'can Skype for Business Cloud PBX be upgraded',
    'Quels clients peuvent passer à E5 ?',
    'Vers quoi Business Premium peut-il évoluer ?',
    'aide',
    'E5にアップグレードできる顧客は？',
    'Business Essentialsはどのプランにアップグレードできますか？',
    'ヘルプ',
    '日本のお客様でE5に移行できるのは？',
    '山田さんに電話して',
    '',
  ])('no customer in %j', (sentence) => {
    expect(index.findMention(sentence)).toBeUndefined();
  });

  it('does not take a generic word of a name for the customer', () => {
    expect(index.findMention('is there a bank that can upgrade?')).toBeUndefined();
    expect(index.findMention('which toys customers can upgrade?')).toBeUndefined();
  });

  it('needs a short name written exactly', () => {
    expect(found('can Trey upgrade?')).toEqual({ customer: 'Trey Research', text: 'Trey', kind: 'match' });
    expect(index.findMention('can Tery upgrade?')).toBeUndefined();
  });
});

describe('findMention: ambiguity and choice of words', () => {
  it('passes an ambiguous name on, with both candidates', () => {
    const mention = index.findMention('can fabrikm upgrade to E3?') as CustomerMention;
    expect(mention.text).toBe('fabrikm');
    expect(mention.result.kind).toBe('ambiguous');
    const names =
      mention.result.kind === 'ambiguous'
        ? mention.result.candidates.map((c) => c.customer.companyProfile.companyName)
        : [];
    expect(names).toEqual(['Fabrikam Inc', 'Fabricam Ltd']);
  });

  it('takes an exact name over a close one, with the close one as runner-up', () => {
    const mention = index.findMention('can Fabricam upgrade?') as CustomerMention;
    expect(mention.result.kind).toBe('match');
    if (mention.result.kind !== 'match') return;
    expect(mention.result.customer.companyProfile.companyName).toBe('Fabricam Ltd');
    expect(mention.result.candidates.map((c) => c.customer.companyProfile.companyName)).toEqual([
      'Fabrikam Inc',
    ]);
  });

  it('reports offsets into the original text', () => {
    const sentence = 'Est-ce que la Société Lamna peut passer à E3 ?';
    const mention = index.findMention(sentence) as CustomerMention;
    expect(mention).toMatchObject({ text: 'Société Lamna', start: 14, end: 27 });
  });

  it('prefers the longer name when a shorter one is also a customer', () => {
    const both = new CustomerIndex(
      [
        ['Solar Island', 'solarisland.com'],
        ['Solar Island Retail Inc', 'solarislandretail.com'],
      ].map(([companyName = '', domain = '']): Customer => ({
        id: domain,
        companyProfile: { companyName, domain },
        delegatedAdmin: [],
        subscriptions: [],
      })),
    );
    const pick = (sentence: string): string | undefined => {
      const result = both.findMention(sentence)?.result;
      return result?.kind === 'match' ? result.customer.companyProfile.companyName : undefined;
    };
    expect(pick('can Solar Island Retail upgrade?')).toBe('Solar Island Retail Inc');
    expect(pick('can Solar Island Reail upgrade?')).toBe('Solar Island Retail Inc');
    expect(pick('can Solar Island upgrade?')).toBe('Solar Island');
  });

  it('finds the first customer of a clause when two are named', () => {
    expect(found('can Contoso upgrade, and what about Fabrikam?').customer).toBe('Contoso Ltd');
  });
});
