import { describe, expect, it } from 'vitest';
import { PLAN_ALIASES, findPlans } from '../../src/bot/nlu/plans.js';
import { CATALOG, OFFER_IDS, type OfferId, type OtherProductId } from '../../src/rules/index.js';

/** The offers (or other products) named in a text, in order. */
function ids(text: string): (OfferId | OtherProductId)[] {
  return findPlans(text).map((p) => p.offerId ?? p.other);
}

describe('findPlans: the catalog names', () => {
  it.each(OFFER_IDS)('recognizes every name of %s on its own and in a sentence', (id) => {
    const offer = CATALOG[id];
    const names = [
      offer.name,
      ...(offer.name2020 === undefined ? [] : [offer.name2020]),
      ...offer.shortNames,
    ];
    for (const name of names) {
      const inPlan = name === 'Business' || name === 'Exchange' ? `the ${name} plan` : name;
      expect(ids(inPlan), inPlan).toEqual([id]);
      expect(ids(`can Contoso move to ${inPlan}?`), name).toEqual([id]);
    }
  });

  it.each(OFFER_IDS.flatMap((id) => PLAN_ALIASES[id].strong.map((alias) => [alias, id] as const)))(
    'alias "%s" means %s',
    (alias, id) => {
      expect(ids(alias)).toEqual([id]);
    },
  );

  it.each([
    ['Office 365 Enterprise E3', 'O365_E3'],
    ['E3', 'O365_E3'],
    ['Enterprise E5', 'O365_E5'],
    ['O365 E1', 'O365_E1'],
    ['O365 E5', 'O365_E5'],
    ['Office365 E3', 'O365_E3'],
    ['Business Premium', 'O365_BUSINESS_PREMIUM'],
    ['ProPlus', 'O365_PROPLUS'],
    ['Pro Plus', 'O365_PROPLUS'],
    ['pro-plus', 'O365_PROPLUS'],
    ['Essentials', 'O365_BUSINESS_ESSENTIALS'],
    ['Microsoft 365 Business Standard', 'O365_BUSINESS_PREMIUM'],
    ['Microsoft 365 Business Basic', 'O365_BUSINESS_ESSENTIALS'],
    ['Microsoft 365 Apps for business', 'O365_BUSINESS'],
    ['Microsoft 365 Apps for enterprise', 'O365_PROPLUS'],
    ['Office 365 Business', 'O365_BUSINESS'],
  ] as const)('"%s" → %s', (text, id) => {
    expect(ids(text)).toEqual([id]);
  });
});

describe('findPlans: Microsoft 365 names', () => {
  it.each([
    // The new names of the catalog's offers are those offers.
    ['Microsoft 365 Business Basic', 'O365_BUSINESS_ESSENTIALS'],
    ['M365 Business Basic', 'O365_BUSINESS_ESSENTIALS'],
    ['Business Basic', 'O365_BUSINESS_ESSENTIALS'],
    ['Microsoft 365 Business Standard', 'O365_BUSINESS_PREMIUM'],
    ['m365 business standard', 'O365_BUSINESS_PREMIUM'],
    ['Microsoft 365 Apps for business', 'O365_BUSINESS'],
    ['Microsoft 365 Apps pour les entreprises', 'O365_BUSINESS'],
    ['Microsoft 365 Apps for enterprise', 'O365_PROPLUS'],
    ['Microsoft 365 Apps pour les grandes entreprises', 'O365_PROPLUS'],
    ['Ｍｉｃｒｏｓｏｆｔ ３６５ Ａｐｐｓ ｆｏｒ ｅｎｔｅｒｐｒｉｓｅ', 'O365_PROPLUS'],
    // Other products: the same tier names after "Microsoft 365" are not Office 365 offers.
    ['Microsoft 365 E3', 'M365_E3'],
    ['M365 E3', 'M365_E3'],
    ['microsoft365 e3', 'M365_E3'],
    ['Microsoft 365 Enterprise E3', 'M365_E3'],
    ['Microsoft 365 Entreprise E3', 'M365_E3'],
    ['Ｍｉｃｒｏｓｏｆｔ ３６５ Ｅ３', 'M365_E3'],
    ['マイクロソフト 365 E3', 'M365_E3'],
    ['Microsoft 365 E5', 'M365_E5'],
    ['M365 E5', 'M365_E5'],
    ['Microsoft 365 エンタープライズ E5', 'M365_E5'],
    ['Microsoft 365 Business Premium', 'M365_BUSINESS_PREMIUM'],
    ['M365 Business Premium', 'M365_BUSINESS_PREMIUM'],
    ['Microsoft 365 Business', 'M365_BUSINESS_PREMIUM'],
    ['Microsoft 365 ビジネス プレミアム', 'M365_BUSINESS_PREMIUM'],
    // The Office 365 offers of those tiers, named as such.
    ['Office 365 E3', 'O365_E3'],
    ['O365 E5', 'O365_E5'],
    ['Office 365 Business Premium', 'O365_BUSINESS_PREMIUM'],
    ['オフィス365 E3', 'O365_E3'],
  ] as const)('"%s" → %s', (text, id) => {
    expect(ids(text)).toEqual([id]);
  });

  it.each([
    ['can Contoso move to Microsoft 365 E3?', ['M365_E3']],
    ['ContosoはMicrosoft 365 E5にアップグレードできますか', ['M365_E5']],
    ['Contoso peut-il passer à Microsoft 365 Business Premium ?', ['M365_BUSINESS_PREMIUM']],
    ['from Microsoft 365 Business Basic to Microsoft 365 E3', ['O365_BUSINESS_ESSENTIALS', 'M365_E3']],
    ['Office 365 E3 or Microsoft 365 E3', ['O365_E3', 'M365_E3']],
  ] as const)('in a sentence: "%s"', (text, expected) => {
    expect(ids(text)).toEqual(expected);
  });

  it('reports the whole name, "Microsoft 365" included', () => {
    const [plan] = findPlans('can Contoso go to M365 E5 please');
    expect(plan).toMatchObject({ other: 'M365_E5', text: 'M365 E5' });
  });
});

describe('findPlans: case, accents, spacing and width', () => {
  it.each([
    ['office 365 enterprise e3', 'O365_E3'],
    ['OFFICE 365 BUSINESS PREMIUM', 'O365_BUSINESS_PREMIUM'],
    ['businesspremium', 'O365_BUSINESS_PREMIUM'],
    ['Business  Premium', 'O365_BUSINESS_PREMIUM'],
    ['business-essentials', 'O365_BUSINESS_ESSENTIALS'],
    ['ＰｒｏＰｌｕｓ', 'O365_PROPLUS'],
    ['Ｅ５', 'O365_E5'],
    ['Office\u00a0365 Entreprise\u00a0E3', 'O365_E3'],
    ['E 3', 'O365_E3'],
  ] as const)('"%s" → %s', (text, id) => {
    expect(ids(text)).toEqual([id]);
  });
});

describe('findPlans: the French and Japanese forms', () => {
  it.each([
    ['Office 365 Entreprise E3', 'O365_E3'],
    ['passer en Entreprise E5', 'O365_E5'],
    ["l'offre Entreprise E1", 'O365_E1'],
    ['Office 365 Business Premium Inde', 'O365_BUSINESS_PREMIUM_INDIA'],
    ['Business Essentiels', 'O365_BUSINESS_ESSENTIALS'],
    ['Microsoft 365 Apps pour les grandes entreprises', 'O365_PROPLUS'],
    ['Microsoft 365 Apps pour les entreprises', 'O365_BUSINESS'],
    ["options de mise à niveau pour l'offre Business", 'O365_BUSINESS'],
    ['E3にアップグレード', 'O365_E3'],
    ['E5プランに移行', 'O365_E5'],
    ['エンタープライズ E3', 'O365_E3'],
    ['エンタープライズE5にしたい', 'O365_E5'],
    ['ビジネス プレミアム', 'O365_BUSINESS_PREMIUM'],
    ['ビジネスプレミアムに切り替え', 'O365_BUSINESS_PREMIUM'],
    ['ビジネス・エッセンシャルズ', 'O365_BUSINESS_ESSENTIALS'],
    ['プロプラス', 'O365_PROPLUS'],
    ['Businessプランのアップグレード', 'O365_BUSINESS'],
    ['Office 365 Business Premium Indiaにアップグレード', 'O365_BUSINESS_PREMIUM_INDIA'],
  ] as const)('"%s" → %s', (text, id) => {
    expect(ids(text)).toEqual([id]);
  });
});

describe('findPlans: the longest match wins', () => {
  it('India variants over their base offers', () => {
    expect(ids('Business Premium India')).toEqual(['O365_BUSINESS_PREMIUM_INDIA']);
    expect(ids('Office 365 Business India')).toEqual(['O365_BUSINESS_INDIA']);
    expect(ids('Business Essentials India')).toEqual(['O365_BUSINESS_ESSENTIALS_INDIA']);
    expect(ids('Business Premium (India)')).toEqual(['O365_BUSINESS_PREMIUM_INDIA']);
  });

  it('"Business Premium" over "Business" and "Premium"', () => {
    expect(ids('Office 365 Business Premium')).toEqual(['O365_BUSINESS_PREMIUM']);
    expect(ids('Business Premium plan')).toEqual(['O365_BUSINESS_PREMIUM']);
  });

  it('"Skype for Business" is not Office 365 Business', () => {
    expect(ids('Skype for Business Online')).toEqual(['SKYPE_FOR_BUSINESS_ONLINE_PLAN_2']);
    expect(ids('Skype for Business plan')).toEqual(['SKYPE_FOR_BUSINESS_ONLINE_PLAN_2']);
  });

  it('several plans in one sentence, in text order', () => {
    expect(ids('upgrade from Business Essentials to Enterprise E3 or E5')).toEqual([
      'O365_BUSINESS_ESSENTIALS',
      'O365_E3',
      'O365_E5',
    ]);
    expect(ids('Business EssentialsからE3に')).toEqual(['O365_BUSINESS_ESSENTIALS', 'O365_E3']);
  });
});

describe('findPlans: ordinary words are not plans', () => {
  it.each([
    'how is business going',
    'we do business with Contoso',
    'the business case for the upgrade',
    'businesses in India',
    'let us exchange ideas',
    'Woodgrove Bank',
    'Tailspin Toys India Pvt Ltd',
    'E35 is not a plan',
    'see page E3a',
    'ビジネス上の理由',
    'what is the weather',
  ])('"%s"', (text) => {
    expect(findPlans(text)).toEqual([]);
  });

  it('a lone "Business" counts with a prefix or a word for "plan" around it', () => {
    expect(ids('O365 Business')).toEqual(['O365_BUSINESS']);
    expect(ids('the Business subscription')).toEqual(['O365_BUSINESS']);
    expect(ids('Business licences')).toEqual(['O365_BUSINESS']);
    expect(ids("l'abonnement Business")).toEqual(['O365_BUSINESS']);
    expect(ids('upgrade from Business to E3')).toEqual(['O365_E3']);
  });
});

describe('findPlans: spans', () => {
  it('reports the text as written, with its offsets', () => {
    const text = 'can Contoso move from office 365 business essentials to ＥＮＴＥＲＰＲＩＳＥ Ｅ３ ?';
    const plans = findPlans(text);
    expect(plans.map((p) => p.text)).toEqual(['office 365 business essentials', 'ＥＮＴＥＲＰＲＩＳＥ Ｅ３']);
    for (const p of plans) expect(text.slice(p.start, p.end)).toBe(p.text);
  });

  it('does not include trailing separators', () => {
    const [plan] = findPlans('Pro Plus - please');
    expect(plan?.text).toBe('Pro Plus');
  });
});
