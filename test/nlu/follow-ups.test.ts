/**
 * Understanding in context (src/bot/nlu/follow-ups.ts): after an answer about a customer, a message that names
 * no customer is about that customer and subscription; a named customer or an explicit paths question
 * overrides them. And the other Microsoft 365 products, never read as the Office 365 offer of their tier.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CustomerIndex } from '../../src/directory/customer-index.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { createUnderstander, type DialogueContext, type Understander } from '../../src/bot/nlu/index.js';
import { SAVED_MODEL } from '../../src/bot/nlu/saved-model.js';
import type { Customer } from '../../src/rules/index.js';

const customers = loadDemoDirectory().customers;
let nlu: Understander;

beforeAll(async () => {
  nlu = await createUnderstander(new CustomerIndex(customers));
});

function idOf(name: string): string {
  return (customers.find((c) => c.companyProfile.companyName === name) as Customer).id;
}

const LOCALE = { en: 'en-US', fr: 'fr-FR', ja: 'ja-JP' } as const;
type Lang = keyof typeof LOCALE;

/** Contoso's Business Essentials subscription: the context after preparing its upgrade. */
const CONTOSO: DialogueContext = {
  customerId: idOf('Contoso Ltd'),
  subscriptionId: 'sub-contoso-essentials',
};

describe('a follow-up carries the previous customer and subscription', () => {
  it.each([
    ['en', 'what about E3?', 'eligibility', 'O365_E3'],
    ['en', 'go ahead with E5', 'upgrade', 'O365_E5'],
    ['fr', 'et pour E3 ?', 'eligibility', 'O365_E3'],
    ['fr', 'vas-y, passe-le en E5', 'upgrade', 'O365_E5'],
    ['ja', 'E3ならどう？', 'eligibility', 'O365_E3'],
    ['ja', 'それならE5に上げて', 'upgrade', 'O365_E5'],
    // More of our own.
    ['en', 'and Business Premium?', 'eligibility', 'O365_BUSINESS_PREMIUM'],
    ['en', 'E1 maybe?', 'eligibility', 'O365_E1'],
    ['en', 'sure, take it to E3', 'upgrade', 'O365_E3'],
    ['fr', 'et vers ProPlus ?', 'eligibility', 'O365_PROPLUS'],
    ['fr', 'bon, mets-le en E1', 'upgrade', 'O365_E1'],
    ['ja', 'E1は？', 'eligibility', 'O365_E1'],
    ['ja', 'じゃあE3でお願いします', 'upgrade', 'O365_E3'],
    ['ja', 'E5にアップグレードできますか？', 'eligibility', 'O365_E5'],
  ] as const)('%s: "%s" → %s %s', (lang: Lang, text, intent, target) => {
    const u = nlu.understand(text, LOCALE[lang], CONTOSO);
    expect(u).toMatchObject({ intent, target, followUp: CONTOSO });
    expect(u.customer).toBeUndefined();
  });

  it.each([
    ['en', 'show me its history'],
    ['fr', 'et son historique ?'],
    ['ja', '履歴を見せて'],
  ] as const)('%s: "%s" is its history', (lang: Lang, text) => {
    expect(nlu.understand(text, LOCALE[lang], CONTOSO)).toMatchObject({
      intent: 'history',
      followUp: CONTOSO,
    });
  });

  it('a plan alone is a paths question without context, and about the customer with it', () => {
    for (const [text, locale] of [
      ['Enterprise E3?', 'en-US'],
      ['Entreprise E3 ?', 'fr-FR'],
      ['エンタープライズ E3？', 'ja-JP'],
    ] as const) {
      expect(nlu.understand(text, locale), text).toMatchObject({ intent: 'paths', source: 'O365_E3' });
      expect(nlu.understand(text, locale).followUp).toBeUndefined();
      expect(nlu.understand(text, locale, CONTOSO), text).toMatchObject({
        intent: 'eligibility',
        target: 'O365_E3',
        followUp: CONTOSO,
      });
    }
  });
});

describe('a request about licences follows up too', () => {
  it.each([
    ['en', 'add 5 more seats', 'addLicences', { add: 5 }],
    ['en', 'bring it to 60 seats', 'addLicences', { total: 60 }],
    ['fr', 'ajoute 5 licences', 'addLicences', { add: 5 }],
    ['fr', 'passe-le à 60 sièges', 'addLicences', { total: 60 }],
    ['ja', '5ライセンス追加して', 'addLicences', { add: 5 }],
    ['ja', '合計60ライセンスにしたい', 'addLicences', { total: 60 }],
    ['en', 'remove 2 licences', 'removeLicences', undefined],
    ['fr', 'retire 2 licences', 'removeLicences', undefined],
    ['ja', 'ライセンスを減らして', 'removeLicences', undefined],
  ] as const)('%s: "%s" → %s %j', (lang: Lang, text, intent, seats) => {
    const u = nlu.understand(text, LOCALE[lang], CONTOSO);
    expect(u).toMatchObject({ intent, followUp: CONTOSO });
    expect(u.seats).toEqual(seats);
    expect(u.customer).toBeUndefined();
  });

  it('a customer named in it overrides the context', () => {
    const u = nlu.understand('add 5 more seats for Fabrikam Inc', 'en-US', CONTOSO);
    expect(u).toMatchObject({ intent: 'addLicences', seats: { add: 5 } });
    expect(u.followUp).toBeUndefined();
    expect(u.customer?.result.kind === 'match' && u.customer.result.customer.id).toBe(idOf('Fabrikam Inc'));
  });
});

describe('what overrides the context', () => {
  it.each([
    ['en', 'what about Fabrikam Inc?', 'Fabrikam Inc'],
    ['en', 'and Woodgrove Bank, to E5?', 'Woodgrove Bank'],
    ['fr', 'et la société Lamna ?', 'Société Lamna'],
    ['fr', 'passe plutôt Northwind Traders en E3', 'Northwind Traders'],
    ['ja', 'Fabrikam Incならどう？', 'Fabrikam Inc'],
    ['ja', 'サクラ精機はE5にできる？', '株式会社サクラ精機'],
  ] as const)('%s: a customer named in "%s"', (lang: Lang, text, name) => {
    const u = nlu.understand(text, LOCALE[lang], CONTOSO);
    expect(u.followUp).toBeUndefined();
    expect(u.customer?.result.kind === 'match' && u.customer.result.customer.id).toBe(idOf(name));
  });

  it.each([
    ['en', 'what can E5 upgrade to?', 'O365_E5'],
    ['en', 'upgrade paths for Business Premium', 'O365_BUSINESS_PREMIUM'],
    ['fr', 'quels sont les chemins de mise à niveau de E3 ?', 'O365_E3'],
    ['fr', 'vers quoi peut évoluer Business Essentials ?', 'O365_BUSINESS_ESSENTIALS'],
    ['ja', 'E5のアップグレード先は？', 'O365_E5'],
    ['ja', 'Business Premiumの移行先は？', 'O365_BUSINESS_PREMIUM'],
    ['ja', 'E3は何にアップグレードできますか', 'O365_E3'],
  ] as const)('%s: an explicit paths question, "%s"', (lang: Lang, text, source) => {
    const u = nlu.understand(text, LOCALE[lang], CONTOSO);
    expect(u).toMatchObject({ intent: 'paths', source });
    expect(u.followUp).toBeUndefined();
  });

  it.each([
    ['en', 'which customers can move to E5?', 'fleet'],
    ['fr', 'aide', 'help'],
    ['ja', 'ありがとう', 'none'],
  ] as const)('%s: "%s" is not about the customer', (lang: Lang, text, intent) => {
    const u = nlu.understand(text, LOCALE[lang], CONTOSO);
    expect(u.intent).toBe(intent);
    expect(u.followUp).toBeUndefined();
  });
});

describe('the other Microsoft 365 products', () => {
  it.each([
    ['en', 'can Contoso move to Microsoft 365 E3?', 'eligibility', 'M365_E3'],
    ['en', 'upgrade Contoso to M365 E5', 'upgrade', 'M365_E5'],
    ['en', 'which customers can go to Microsoft 365 Business Premium?', 'fleet', 'M365_BUSINESS_PREMIUM'],
    ['en', 'what can Microsoft 365 E5 be upgraded to?', 'paths', 'M365_E5'],
    ['fr', 'Contoso peut-il passer à Microsoft 365 E5 ?', 'eligibility', 'M365_E5'],
    ['fr', 'mets Contoso en Microsoft 365 Business Premium', 'upgrade', 'M365_BUSINESS_PREMIUM'],
    ['ja', 'ContosoはMicrosoft 365 E3に移れますか', 'eligibility', 'M365_E3'],
    ['ja', 'Microsoft 365 E5にアップグレードできる顧客は？', 'fleet', 'M365_E5'],
  ] as const)('%s: "%s" → %s, %s, and no Office 365 plan', (lang: Lang, text, intent, otherProduct) => {
    const u = nlu.understand(text, LOCALE[lang]);
    expect(u).toMatchObject({ intent, otherProduct });
    expect(u.target).toBeUndefined();
    expect(u.source).toBeUndefined();
  });

  it.each([
    ['en', 'can Contoso move to Microsoft 365 Business Basic?', 'O365_BUSINESS_ESSENTIALS'],
    ['en', 'can Contoso move to Microsoft 365 Business Standard?', 'O365_BUSINESS_PREMIUM'],
    ['fr', 'Contoso peut-il passer à Microsoft 365 Apps pour les grandes entreprises ?', 'O365_PROPLUS'],
    ['ja', 'ContosoはMicrosoft 365 Apps for businessに移れますか', 'O365_BUSINESS'],
  ] as const)('%s: a renamed plan, "%s", is its Office 365 plan', (lang: Lang, text, target) => {
    const u = nlu.understand(text, LOCALE[lang]);
    expect(u).toMatchObject({ intent: 'eligibility', target });
    expect(u.otherProduct).toBeUndefined();
  });

  it('in a follow-up, with the customer of the context', () => {
    const u = nlu.understand('et Microsoft 365 E3 ?', 'fr-FR', CONTOSO);
    expect(u).toMatchObject({ intent: 'eligibility', otherProduct: 'M365_E3', followUp: CONTOSO });
    expect(u.target).toBeUndefined();
  });
});

describe('the words of paths questions, learned from the training data', () => {
  it('are saved with the model, in every language, and never a word of questions about a customer', () => {
    const words = Object.fromEntries(SAVED_MODEL.classifiers.map((c) => [c.language, c.pathsWords]));
    expect(words.en).toContain('path');
    expect(words.fr).toContain('chemin');
    expect(words.ja).toContain('先');
    for (const list of Object.values(words)) {
      expect(list).not.toContain('upgrad');
      expect(list).not.toContain('アップグレード');
    }
  });
});
