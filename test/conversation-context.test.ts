/**
 * Conversation scripts through botbuilder's TestAdapter (issue 16): follow-ups carry the previous answer's
 * customer and subscription in every language, and the Microsoft 365 products that are not catalog offers are
 * answered with the Office 365 plan of their tier.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actions, texts } from './support/cards.js';
import { cardOf, createTestBot, type TestBot } from './support/bot.js';

type Lang = 'en' | 'fr' | 'ja';
const LOCALES: Record<Lang, string> = { en: 'en-US', fr: 'fr-FR', ja: 'ja-JP' };

/** A fresh bot (and so a fresh conversation state) for every test. */
let bot: TestBot;
beforeEach(async () => {
  bot = await createTestBot();
});
afterEach(async () => {
  await bot.close();
});

/** The single reply to a message: its text, its card, all its words, and its suggested questions. */
async function ask(text: string, lang: Lang) {
  const replies = await bot.say(text, { locale: LOCALES[lang] });
  expect(replies).toHaveLength(1);
  const reply = replies[0]!;
  const card = cardOf(reply);
  return {
    text: reply.text ?? '',
    card,
    all: [reply.text ?? '', ...(card ? texts(card) : [])].join('\n'),
    suggestions: reply.suggestedActions?.actions.map((a) => String(a.value)) ?? [],
  };
}

/** Whether a card is the choose-target card of the upgrade flow (its action is Review). */
function isChooseCard(card: unknown): boolean {
  return actions(card).some(
    (a) => a.verb === 'review' || (a.data as { verb?: string } | undefined)?.verb === 'review',
  );
}

const E3 = { en: 'Office 365 Enterprise E3', fr: 'Office 365 Entreprise E3', ja: 'Office 365 Enterprise E3' };

describe('follow-ups carry the customer (the issue’s examples)', () => {
  it.each([
    ['en', 'can Contoso upgrade?', 'what about E3?'],
    ['fr', 'Contoso peut-il passer à une offre supérieure ?', 'et pour E3 ?'],
    ['ja', 'Contosoはアップグレードできますか？', 'E3ならどう？'],
  ] as const)('%s: "%s" then "%s" is about Contoso and E3', async (lang, first, followUp) => {
    await ask(first, lang);
    const { all, card } = await ask(followUp, lang);
    expect(all).toContain('Contoso Ltd');
    expect(all).toContain(E3[lang]);
    expect(JSON.stringify(card)).toContain('sub-contoso-essentials');
    // Not the paths of E3 (which has none).
    expect(all).not.toMatch(
      /no upgrade path|aucune mise à niveau n’est possible|アップグレード先がありません/,
    );
  });

  it.each([
    ['en', 'can Woodgrove Bank upgrade to E5?', 'go ahead with E5'],
    ['fr', 'Woodgrove Bank peut-il passer à E5 ?', 'vas-y, passe-le en E5'],
    ['ja', 'Woodgrove BankはE5にアップグレードできますか？', 'それならE5に上げて'],
  ] as const)('%s: "%s" then "%s" prepares the upgrade of Woodgrove Bank', async (lang, first, followUp) => {
    await ask(first, lang);
    const { all, card } = await ask(followUp, lang);
    expect(isChooseCard(card)).toBe(true);
    expect(all).toContain('Woodgrove Bank');
    expect(JSON.stringify(card)).toContain('sub-woodgrove-business');
    expect(JSON.stringify(card)).toContain('O365_E5');
  });

  it('Japanese: an explicit paths question overrides the context (「E5のアップグレード先は？」)', async () => {
    await ask('Contosoはアップグレードできますか？', 'ja');
    const { all, card } = await ask('E5のアップグレード先は？', 'ja');
    expect(all).toContain(
      'Office 365 Enterprise E5 には、クラウド ソリューション プロバイダー (CSP) でのアップグレード先がありません',
    );
    expect(all).not.toContain('Contoso Ltd');
    expect(card).toBeUndefined();
  });

  it.each([
    ['en', 'can Contoso upgrade to E5?', 'what about Fabrikam Inc?'],
    ['fr', 'Contoso peut-il passer à E5 ?', 'et Fabrikam Inc ?'],
    ['ja', 'ContosoはE5にアップグレードできますか？', 'Fabrikam Incはどう？'],
  ] as const)('%s: an explicit new customer overrides the context', async (lang, first, followUp) => {
    await ask(first, lang);
    const { all } = await ask(followUp, lang);
    expect(all).toContain('Fabrikam Inc');
    expect(all).not.toContain('Contoso Ltd');
  });

  it('the new customer is the context from then on', async () => {
    await ask('can Contoso upgrade?', 'en');
    await ask('and Woodgrove Bank?', 'en');
    const { all } = await ask('and to E3?', 'en');
    expect(all).toContain('Can Woodgrove Bank move to Office 365 Enterprise E3?');
  });

  it('without an answer about a customer before, a follow-up asks which customer; a plan alone asks for its paths', async () => {
    const { text } = await ask('E3ならどう？', 'ja');
    expect(text).toContain('顧客名を入れて質問してください');
    const bare = await ask('Enterprise E3?', 'en');
    expect(bare.all).toContain('Office 365 Enterprise E3 has no upgrade path in CSP');
  });

  it('after an answer about a customer, the same plan alone is about the customer', async () => {
    await ask('can Contoso upgrade?', 'en');
    const { all } = await ask('Enterprise E3?', 'en');
    expect(all).toContain('Can Contoso Ltd move to Office 365 Enterprise E3?');
  });

  it('help and small talk leave the context as it was', async () => {
    await ask('can Contoso upgrade?', 'en');
    await ask('help', 'en');
    const { all } = await ask('and E1?', 'en');
    expect(all).toContain('Can Contoso Ltd move to Office 365 Enterprise E1?');
  });
});

describe('follow-ups carry the subscription', () => {
  // Transports Lefèvre has two Business subscriptions, each of which can go to E3 and E5.
  async function pressUpgrade(subscriptionId: string, lang: Lang) {
    const customer = await bot.customerNamed('Transports Lefèvre SAS');
    const replies = await bot.turn(
      { type: 'message', value: { verb: 'startUpgrade', customerId: customer.id, subscriptionId } },
      { locale: LOCALES[lang] },
    );
    expect(isChooseCard(cardOf(replies[0]))).toBe(true);
  }

  it.each([
    ['en', 'go ahead with E5', 'upgrade Transports Lefevre to E5'],
    ['fr', 'vas-y, passe-le en E5', 'passe Transports Lefevre en E5'],
    ['ja', 'それならE5に上げて', 'Transports LefevreをE5にアップグレードして'],
  ] as const)(
    '%s: after "Upgrade…" on one subscription, "%s" prepares that one',
    async (lang, followUp, named) => {
      const several = await ask(named, lang);
      expect(isChooseCard(several.card)).toBe(false);
      await pressUpgrade('sub-lefevre-paris', lang);
      const { card } = await ask(followUp, lang);
      expect(isChooseCard(card)).toBe(true);
      expect(JSON.stringify(card)).toContain('"sub-lefevre-paris"');
      expect(JSON.stringify(card)).toContain('O365_E5');
    },
  );

  it('a customer named again forgets the subscription', async () => {
    await pressUpgrade('sub-lefevre-paris', 'en');
    await ask('can Contoso upgrade?', 'en');
    await ask('and Transports Lefevre?', 'en');
    const { text, card } = await ask('go ahead with E5', 'en');
    expect(isChooseCard(card)).toBe(false);
    expect(text).toContain('Several subscriptions can be upgraded');
  });
});

describe('Microsoft 365 products that are not Office 365 plans', () => {
  it.each([
    [
      'en',
      'can Contoso upgrade to Microsoft 365 E3?',
      'Microsoft 365 E3 is another product',
      'The Office 365 plan of the same tier is Office 365 Enterprise E3.',
      'Can Contoso Ltd upgrade to Office 365 Enterprise E3?',
    ],
    [
      'fr',
      'Contoso peut-il passer à Microsoft 365 E3 ?',
      'Microsoft 365 E3 est un autre produit',
      'L’offre Office 365 du même niveau est Office 365 Entreprise E3.',
      'Le client Contoso Ltd peut-il passer à l’offre Office 365 Entreprise E3\u00a0?',
    ],
    [
      'ja',
      'ContosoはMicrosoft 365 E3にアップグレードできますか？',
      'Microsoft 365 E3 は別の製品で',
      '同じレベルの Office 365 のプランは Office 365 Enterprise E3 です。',
      'Contoso LtdはOffice 365 Enterprise E3にアップグレードできますか？',
    ],
  ] as const)(
    '%s: not among the upgrades; the Office 365 plan of the tier',
    async (lang, q, other, tier, s) => {
      const { text, card, suggestions } = await ask(q, lang);
      expect(text).toContain(other);
      expect(text).toContain(tier);
      expect(card).toBeUndefined();
      expect(suggestions).toEqual([s]);
      // The suggested question is understood: Contoso's eligibility for E3.
      const asked = await ask(s, lang);
      expect(asked.all).toContain('Contoso Ltd');
      expect(asked.all).toContain(E3[lang]);
      expect(JSON.stringify(asked.card)).toContain('sub-contoso-essentials');
    },
  );

  it.each([
    ['en', 'upgrade Woodgrove Bank to M365 E5', 'Office 365 Enterprise E5'],
    ['fr', 'passe Woodgrove Bank en Microsoft 365 E5', 'Office 365 Enterprise E5'],
    ['ja', 'Woodgrove BankをMicrosoft 365 E5にアップグレードして', 'Office 365 Enterprise E5'],
  ] as const)('%s: never an upgrade to the Office 365 plan of the tier', async (lang, q, offer) => {
    const { text, card } = await ask(q, lang);
    expect(card).toBeUndefined();
    expect(text).toContain('Microsoft 365 E5');
    expect(text).toContain(offer);
  });

  it.each([
    ['en', 'is Northwind eligible for Microsoft 365 Business Premium?', 'Office 365 Business Premium, now'],
    [
      'fr',
      'Northwind peut-il passer à Microsoft 365 Business Premium ?',
      'Office 365 Business Premium, désormais',
    ],
    [
      'ja',
      'NorthwindはMicrosoft 365 Business Premiumに移れますか',
      'Office 365 Business Premium (現在の名前は',
    ],
  ] as const)(
    '%s: Business Premium names its Office 365 tier and its present name',
    async (lang, q, named) => {
      const { text } = await ask(q, lang);
      expect(text).toContain('Microsoft 365 Business Premium');
      expect(text).toContain(named);
      expect(text).toContain('Microsoft 365 Business Standard');
    },
  );

  it.each([
    [
      'en',
      'which customers can upgrade to Microsoft 365 E5?',
      'Which customers can upgrade to Office 365 Enterprise E5?',
    ],
    [
      'fr',
      'quels clients peuvent passer à Microsoft 365 E5 ?',
      'Quels clients peuvent passer à l’offre Office 365 Enterprise E5\u00a0?',
    ],
    [
      'ja',
      'Microsoft 365 E5にアップグレードできる顧客は？',
      'Office 365 Enterprise E5にアップグレードできる顧客は？',
    ],
    ['en', 'what can Microsoft 365 E3 upgrade to?', 'What can Office 365 Enterprise E3 upgrade to?'],
    [
      'fr',
      'vers quoi Microsoft 365 E3 peut-il évoluer ?',
      'Vers quoi l’offre Office 365 Entreprise E3 peut-elle être mise à niveau\u00a0?',
    ],
    [
      'ja',
      'Microsoft 365 E3のアップグレード先は？',
      'Office 365 Enterprise E3はどのプランにアップグレードできますか？',
    ],
  ] as const)('%s: "%s" offers "%s", which is understood', async (lang, q, suggestion) => {
    const { suggestions } = await ask(q, lang);
    expect(suggestions).toEqual([suggestion]);
    const asked = await ask(suggestion, lang);
    expect(asked.text).not.toContain('Microsoft 365 E');
    expect(asked.all).toContain('Office 365 E');
  });

  it.each([
    ['en', 'can Woodgrove Bank move to Microsoft 365 Business Standard?'],
    ['fr', 'Woodgrove Bank peut-il passer à Microsoft 365 Business Standard ?'],
    ['ja', 'Woodgrove BankはMicrosoft 365 Business Standardに切り替えられますか'],
  ] as const)('%s: a renamed plan is its Office 365 plan', async (lang, q) => {
    const { all, card } = await ask(q, lang);
    expect(all).toContain('Office 365 Business Premium');
    expect(all).not.toContain('another product');
    expect(JSON.stringify(card)).toContain('sub-woodgrove-business');
  });

  it('a follow-up about another product keeps the customer for the suggestion', async () => {
    await ask('can Contoso upgrade?', 'en');
    const { suggestions } = await ask('and Microsoft 365 E5?', 'en');
    expect(suggestions).toEqual(['Can Contoso Ltd upgrade to Office 365 Enterprise E5?']);
  });
});
