/**
 * The number of licences in a request to add licences (src/bot/nlu/seats.ts): how many to add or the new
 * total, in en, fr and ja, digits (ASCII and full-width) and small number words; and, through the
 * understander, never a digit of a plan or a customer's name.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CustomerIndex } from '../../src/directory/customer-index.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { createUnderstander, type Understander } from '../../src/bot/nlu/index.js';
import { findNumbers, seatsOf } from '../../src/bot/nlu/seats.js';
import type { Customer } from '../../src/rules/index.js';

describe('seatsOf: how many licences to add', () => {
  it.each([
    // English
    ['needs 8 more seats', 8],
    ["give 's    another 4 licences", 4],
    ['4 more licences', 4],
    ['add 8 seats', 8],
    ['increase the seats by 5', 5],
    ['order 2 additional seats', 2],
    ['+3 seats please', 3],
    ['three more seats', 3],
    ['add twelve licences', 12],
    ['one more seat', 1],
    ['we need 8 seats', 8],
    // French
    ['a besoin de 8 sièges de plus', 8],
    ['ajoute 3 licences', 3],
    ['il faut 12 sièges supplémentaires', 12],
    ['encore 4 sièges', 4],
    ["augmente les licences de l'   de 5", 5],
    ['deux sièges de plus', 2],
    ['encore une licence', 1],
    ["besoin d'une licence supplémentaire", 1],
    ['rajoute dix-sept licences', 17],
    // Japanese
    ['のライセンスを4つ増やして', 4],
    ['ライセンスを5追加', 5],
    ['に8席追加して', 8],
    ['あと2席ほしい', 2],
    ['ライセンスを四つ増やして', 4],
    ['五ライセンス追加', 5],
    ['十五ライセンス追加', 15],
    ['ひとつ追加', 1],
  ])('"%s" → add %i', (text, add) => {
    expect(seatsOf(text)).toEqual({ add });
  });
});

describe('seatsOf: the new total', () => {
  it.each([
    // English
    ["bring 's    to 60 seats", 60],
    ['increase    to 60', 60],
    ['60 seats in total', 60],
    ['a total of 30 seats', 30],
    ['make it 45 licences', 45],
    ['bring it up to twenty seats', 20],
    ['from 40 to 60 seats', 60],
    ['increase by 8 to 48', 48],
    ['has 25 seats, make it 35', 35],
    // French
    ['passer à 60 licences', 60],
    ['porter à 60', 60],
    ['60 licences au total', 60],
    ['30 sièges en tout', 30],
    ['passer de 40 à 60', 60],
    ['a 25 sièges, passe-les à 35', 35],
    ['passe a 60 licences', 60],
    // Japanese
    ['60ライセンスにして', 60],
    ['合計60', 60],
    ['ライセンスを合計60にして', 60],
    ['60に増やして', 60],
    ['55席まで増やして', 55],
    ['全部で70にしたい', 70],
    ['200から220ライセンスに', 220],
  ])('"%s" → total %i', (text, total) => {
    expect(seatsOf(text)).toEqual({ total });
  });
});

describe('seatsOf: full-width digits', () => {
  it.each([
    ['add ８ seats', { add: 8 }],
    ['ライセンスを５追加', { add: 5 }],
    ['ライセンスを４つ増やして', { add: 4 }],
    ['６０ライセンスにして', { total: 60 }],
    ['ＡＤＤ １２ ＭＯＲＥ', { add: 12 }],
    // Thousands grouped as each language writes them (the bot's own French numbers use a narrow no-break space).
    ['add 1,000 seats', { add: 1000 }],
    ['ajoute 1 000 licences', { add: 1000 }],
    ['ajoute 1\u202f000 licences', { add: 1000 }],
    ['passer à 2\u00a0500 licences', { total: 2500 }],
  ])('"%s" → %j', (text, seats) => {
    expect(seatsOf(text)).toEqual(seats);
  });
});

describe('seatsOf: no number of licences', () => {
  it.each([
    'needs more seats',
    'a besoin de plus de licences',
    'ライセンスを増やしたい',
    // Not counts: a product's number, a time, a share, an amount, a duration, a decimal.
    'add more Office 365 licences',
    'add Microsoft 365 licences',
    'call me at 3pm about seats',
    'increase by 10%',
    'add licences worth $50',
    'for 12 months',
    'raise it by 2.5',
    // Number words count only next to a word for licences or for "more".
    'which one is it',
    'un abonnement de plus',
    // Kanji numerals need a counter: 一覧 (a list) is no number.
    'ライセンスの一覧',
    'from 40',
  ])('"%s" → none', (text) => {
    expect(seatsOf(text)).toBeUndefined();
  });
});

describe('findNumbers', () => {
  it('reports spans of the text as typed, counters included, and no digit inside a word', () => {
    const text = 'O365 and E3x: ライセンスを４つ, 2 more, twelve seats';
    expect(findNumbers(text).map((n) => [text.slice(n.start, n.end), n.value])).toEqual([
      ['４つ', 4],
      ['2', 2],
      ['twelve', 12],
    ]);
  });
});

describe('understand: seats, never from a plan or a name', () => {
  const demo = loadDemoDirectory().customers;
  const contoso = demo.find((c) => c.companyProfile.companyName === 'Contoso Ltd') as Customer;
  /** A customer whose name has digits in it. */
  const fabrikam365: Customer = {
    ...contoso,
    id: 'fabrikam-365',
    companyProfile: { ...contoso.companyProfile, companyName: 'Fabrikam 365', domain: 'fabrikam365.com' },
  };
  let nlu: Understander;

  beforeAll(async () => {
    nlu = await createUnderstander(new CustomerIndex([...demo, fabrikam365]));
  });

  it.each([
    ['en-US', 'Contoso needs 8 more seats', { add: 8 }, undefined],
    ['en-US', "give Contoso's E3 another 4 licences", { add: 4 }, 'O365_E3'],
    ['en-US', "bring Contoso's E3 to 60 seats", { total: 60 }, 'O365_E3'],
    ['en-US', "add 5 seats to Contoso's Office 365 E5", { add: 5 }, 'O365_E5'],
    ['fr-FR', 'Contoso a besoin de 8 sièges de plus', { add: 8 }, undefined],
    ['fr-FR', "passe l'E3 de Contoso à 60 licences", { total: 60 }, 'O365_E3'],
    ['ja-JP', 'ContosoのE3のライセンスを4つ増やして', { add: 4 }, 'O365_E3'],
    ['ja-JP', 'ContosoのE3を60ライセンスにして', { total: 60 }, 'O365_E3'],
  ])('%s: "%s" → %j on %s', (locale, text, seats, source) => {
    const u = nlu.understand(text, locale);
    expect(u).toMatchObject({ intent: 'addLicences', seats });
    expect(u.source).toBe(source);
    expect(u.target).toBeUndefined();
    expect(u.customer?.result.kind === 'match' && u.customer.result.customer.id).toBe(contoso.id);
  });

  it.each([
    ['en-US', 'Contoso needs more E3 seats'],
    ['en-US', 'add more seats to Office 365 E5 for Contoso'],
    ['fr-FR', "l'E3 de Contoso a besoin de plus de licences"],
    ['ja-JP', 'ContosoのE5のライセンスを増やして'],
  ])('%s: "%s" has no number: seats absent', (locale, text) => {
    const u = nlu.understand(text, locale);
    expect(u.intent).toBe('addLicences');
    expect(u.seats).toBeUndefined();
  });

  it.each([
    ['en-US', 'Fabrikam 365 needs 4 more seats', { add: 4 }],
    ['en-US', 'Fabrikam 365 needs more seats', undefined],
    ['fr-FR', 'ajoute 2 licences à Fabrikam 365', { add: 2 }],
    ['ja-JP', 'Fabrikam 365のライセンスを増やして', undefined],
  ])('%s: the digits of the name in "%s" are no count', (locale, text, seats) => {
    const u = nlu.understand(text, locale);
    expect(u.intent).toBe('addLicences');
    expect(u.customer?.result.kind === 'match' && u.customer.result.customer.id).toBe('fabrikam-365');
    expect(u.seats).toEqual(seats);
  });

  it('gives seats only to requests to add licences', () => {
    for (const [text, locale] of [
      ['remove 3 licences from Contoso', 'en-US'],
      ['réduis Contoso à 20 sièges', 'fr-FR'],
      ['Contosoのライセンスを3つ減らして', 'ja-JP'],
    ] as const) {
      const u = nlu.understand(text, locale);
      expect(u.intent, text).toBe('removeLicences');
      expect(u.seats, text).toBeUndefined();
    }
    expect(nlu.understand('upgrade Contoso to E5 for 30 users', 'en-US').seats).toBeUndefined();
  });
});
