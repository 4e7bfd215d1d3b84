/**
 * Remedies a partner can act on (issue 15, "Remedies that are right"), through botbuilder's TestAdapter in
 * English, French and Japanese: nothing that would hurt the customer, the seeds' own words and links.
 */
import type { Activity } from 'botbuilder';
import { beforeEach, describe, expect, it } from 'vitest';
import { Wording, readLocaleFile, type Language } from '../src/bot/i18n.js';
import { subscriptionLabel, tidyJapanese } from '../src/bot/explain.js';
import { link } from '../src/bot/links.js';
import { loadDemoDirectory } from '../src/directory/load.js';
import { upgradeTargets, OFFER_IDS } from '../src/rules/index.js';
import { cardOf, createTestBot, type TestBot } from './support/bot.js';
import { actions, openUrls, texts } from './support/cards.js';

const wording = new Wording();
const LOCALES = { en: 'en-US', fr: 'fr-FR', ja: 'ja-JP' } as const;
const LANGUAGES = Object.keys(LOCALES) as Language[];

let bot: TestBot;
beforeEach(async () => {
  bot = await createTestBot();
});

/** The single reply to a message: its text and card text together, and the card's links. */
async function ask(text: string, language: Language) {
  const replies = await bot.say(text, { locale: LOCALES[language], channelId: 'emulator' });
  expect(replies).toHaveLength(1);
  const card = cardOf(replies[0]!);
  return {
    all: [replies[0]!.text ?? '', ...(card ? texts(card) : [])].join('\n'),
    links: card ? openUrls(card) : [],
  };
}

/** Words that present cancelling as the thing to do first, in each language. */
const CANCEL_FIRST = {
  en: /cancel [^.]* first/i,
  fr: /annulez d’abord|résilier? d’abord/i,
  ja: /先に[^。]*キャンセル/,
};

describe.each(LANGUAGES)('%s', (language) => {
  const tr = wording.for(language);
  const t = (key: string, options?: Record<string, unknown>) => tr.t(key, options);

  it('condition 4, the target already owned through us: add licences to it, never "cancel it first"', async () => {
    const say = {
      en: 'can Litware upgrade to E3?',
      fr: 'Litware peut-il passer à E3 ?',
      ja: 'LitwareはE3にアップグレードできますか？',
    }[language];
    const { all, links } = await ask(say, language);
    const add = { en: 'add licences to', fr: 'ajoutez des licences à', ja: 'にライセンスを追加してください' }[
      language
    ];
    expect(all).toContain(add);
    // It names the subscription the customer already has.
    expect(all).toMatch(/Litware engineering – Office 365 (Enterprise|Entreprise) E3 \(sub-litware-e3\)/);
    expect(all).not.toMatch(CANCEL_FIRST[language]);
    // No article to open (nothing to cancel elsewhere); the button that adds licences is test/licences-flow's.
    expect(links).toEqual([]);
  });

  it('condition 3 through us: the overlap explained; cancelling is not the first step and says what it costs', async () => {
    const say = {
      en: 'can Litware upgrade to E5?',
      fr: 'Litware peut-il passer à E5 ?',
      ja: 'LitwareはE5にアップグレードできますか？',
    }[language];
    const { all, links } = await ask(say, language);
    expect(all).toContain('sub-litware-e3');
    expect(all).not.toMatch(CANCEL_FIRST[language]);
    // What cancelling would do to its users is said with it.
    const costs = {
      en: 'would take these services away from its users',
      fr: 'retirerait ces services à ses utilisateurs',
      ja: 'そのユーザーはこれらのサービスを使えなくなります',
    }[language];
    expect(all).toContain(costs);
    expect(links).toEqual([]);
  });

  it('condition 3 or 4 bought elsewhere: cancel it there (Multichannel), with the button', async () => {
    const say = {
      en: 'can Fabrikam Inc upgrade to E5?',
      fr: 'Fabrikam Inc peut-il passer à E5 ?',
      ja: 'Fabrikam IncはE5にアップグレードできますか？',
    }[language];
    const { all, links } = await ask(say, language);
    expect(all).toContain(t('link.multichannel'));
    expect(links).toEqual([link(tr, 'multichannel')]);
  });

  it('India: Business Premium India has no upgrade path, and the answer says which India offers have one', async () => {
    const say = {
      en: 'can Coho Winery upgrade?',
      fr: 'Coho Winery peut-il passer à une offre supérieure ?',
      ja: 'Coho Wineryはアップグレードできますか？',
    }[language];
    const { all, links } = await ask(say, language);
    const none = t('reason.no_upgrade_path.remedy');
    expect(all).toContain(none);
    expect(links).toEqual([link(tr, 'switchPlans')]);
    // "What can Business Premium India upgrade to?" says the same.
    const paths = await ask(
      {
        en: 'what can Business Premium India upgrade to?',
        fr: 'Vers quoi Business Premium India peut-il être mis à niveau ?',
        ja: 'Business Premium Indiaはどのプランにアップグレードできますか？',
      }[language],
      language,
    );
    expect(paths.all).toContain(t('paths.none', { offer: 'Office 365 Business Premium India' }));
    expect(paths.all).toContain(`(${link(tr, 'switchPlans').url})`);
  });

  it('the sentences that list where upgrades exist say what the table says', () => {
    const sources = OFFER_IDS.filter((id) => upgradeTargets(id).length > 0);
    expect(sources).toEqual([
      'O365_BUSINESS',
      'O365_BUSINESS_INDIA',
      'O365_BUSINESS_ESSENTIALS',
      'O365_BUSINESS_ESSENTIALS_INDIA',
      'O365_BUSINESS_PREMIUM',
    ]);
    const india = {
      en: 'their India variants',
      fr: 'leurs variantes pour l’Inde',
      ja: 'それぞれのインド向けプラン',
    }[language];
    for (const key of ['paths.none', 'reason.no_upgrade_path.remedy']) {
      const text = t(key, { offer: 'X' });
      // The India variants of Business and Business Essentials have one; Business Premium India has none.
      expect(text).toMatch(/Office 365 Business (and|et|と) Office 365 Business Essentials \(/);
      expect(text).toContain(india);
      expect(text).toContain('Office 365 Business Premium India');
      expect(text.indexOf(india)).toBeLessThan(text.indexOf('Office 365 Business Premium'));
    }
  });

  it('delegated admin is GDAP today: the roles the upgrade needs, and the button', async () => {
    const say = {
      en: 'can Fabricam Ltd upgrade?',
      fr: 'Fabricam Ltd peut-il passer à une offre supérieure ?',
      ja: 'Fabricam Ltdはアップグレードできますか？',
    }[language];
    const { all, links } = await ask(say, language);
    for (const word of ['GDAP', 'Directory Writers', 'Directory Readers', 'Global Reader'])
      expect(all).toContain(word);
    expect(links).toEqual([link(tr, 'delegatedAdmin')]);
    // The Partner Center answers say the same roles.
    expect(t('partnerCenter.accessDenied', { customer: 'X' })).toContain('Global Reader');
  });
});

/** The confirm card of Contoso's Business Essentials → E3, with or without licence transfer. */
async function confirmCard(language: Language, transfer: 'true' | 'false') {
  const locale = LOCALES[language];
  const contoso = loadDemoDirectory().customers.find((c) => c.companyProfile.companyName === 'Contoso Ltd')!;
  const press = (verb: string, data: Record<string, unknown>) =>
    bot.turn(
      {
        type: 'message',
        from: { id: 'user-1', name: 'Megan Bowen', aadObjectId: 'aad-user-1' },
        replyToId: 'card-1',
        value: { ...data, verb },
      } as Partial<Activity>,
      { channelId: 'emulator', locale },
    );
  const dataOf = (card: unknown, verb: string) =>
    (actions(card).find((a) => (a.data as { verb?: string }).verb === verb)!.data ?? {}) as Record<
      string,
      unknown
    >;
  const choose = cardOf(
    (await press('startUpgrade', { customerId: contoso.id, subscriptionId: 'sub-contoso-essentials' }))[0]!,
  );
  const review = await press('review', {
    ...dataOf(choose, 'review'),
    target: 'O365_E3',
    seats: '40',
    transfer,
  });
  const card = cardOf(review.find((r) => cardOf(r) !== undefined)!)!;
  return { card, all: texts(card).join('\n'), links: openUrls(card), token: dataOf(card, 'confirm').token };
}

describe.each(LANGUAGES)('%s: the confirm card and the outcome', (language) => {
  const tr = wording.for(language);

  it('per-user services: one true thing, the accounts listed and re-assigned by the admin, with the article', async () => {
    const { all, links, token } = await confirmCard(language, 'true');
    const cause = tr.t('upgrade.cause.custom_assignment_lost');
    expect(all).toContain(cause);
    expect(all).not.toMatch(/turned back on|réactivés|再びオン/);
    expect(links).toEqual([link(tr, 'billing'), link(tr, 'reassign')]);
    // With licence transfer, no user loses a licence: no upgrade-only warning.
    expect(all).not.toMatch(/lose their licences|perdent leur licence|ライセンスを失います/);
    // Confirmed: the outcome says Partner Center lists them and the admin re-assigns; the same article.
    const done = await bot.turn(
      {
        type: 'message',
        from: { id: 'user-1', name: 'Megan Bowen', aadObjectId: 'aad-user-1' },
        replyToId: 'card-1',
        value: { token, verb: 'confirm' },
      } as Partial<Activity>,
      { channelId: 'emulator', locale: LOCALES[language] },
    );
    const outcome = cardOf(done.find((r) => cardOf(r) !== undefined)!)!;
    const text = texts(outcome).join('\n');
    expect(text).toContain(tr.t('upgrade.nextSteps.reassign'));
    expect(text).not.toMatch(/services listed above|services indiqués ci-dessus|上記のサービス/);
    expect(openUrls(outcome)).toEqual([link(tr, 'reassign'), link(tr, 'billing')]);
  });

  it('upgrade only: before Confirm, the old subscription is cancelled and its users lose their licences', async () => {
    const { all, card } = await confirmCard(language, 'false');
    const essentials = loadDemoDirectory()
      .customers.flatMap((c) => c.subscriptions)
      .find((x) => x.id === 'sub-contoso-essentials')!;
    const warning = tr.t('upgrade.upgradeOnlyWarning', { subscription: subscriptionLabel(tr, essentials) });
    expect(all).toContain(language === 'ja' ? tidyJapanese(warning) : warning);
    const body = JSON.stringify(card);
    // Said before the Confirm button.
    expect(body.indexOf(warning.slice(-20))).toBeGreaterThan(-1);
    expect(body.indexOf(warning.slice(-20))).toBeLessThan(body.indexOf('"confirm"'));
    const { lose } = {
      en: { lose: 'lose their licences' },
      fr: { lose: 'perdent leur licence' },
      ja: { lose: 'ライセンスを失います' },
    }[language];
    expect(all).toContain(lose);
  });
});

describe('the seeds’ words, in every string', () => {
  const strings = (language: Language): string[] => {
    const out: string[] = [];
    const walk = (node: unknown): void => {
      if (typeof node === 'string') out.push(node);
      else if (node !== null && typeof node === 'object') Object.values(node).forEach(walk);
    };
    walk(readLocaleFile(language));
    return out;
  };

  it('French: « programme Fournisseur de solutions Cloud », never « programme CSP »', () => {
    const fr = strings('fr');
    expect(fr.filter((s) => /programme CSP|chemins de mise à niveau CSP/.test(s))).toEqual([]);
    expect(fr.some((s) => s.includes('programme Fournisseur de solutions Cloud'))).toBe(true);
  });

  it('Japanese: クラウド ソリューション プロバイダー for the program; 再アサイン for reassigning', () => {
    const ja = strings('ja');
    // "CSP" alone names the program nowhere: only beside its name, or in "CSP パートナー" and "自社 (CSP)".
    expect(
      ja.filter((s) => /CSP (で|の)/.test(s) && !s.includes('クラウド ソリューション プロバイダー')),
    ).toEqual([]);
    expect(ja.filter((s) => /再び割り当て|再割り当て/.test(s))).toEqual([]);
    expect(ja.some((s) => s.includes('再アサイン'))).toBe(true);
  });

  it('French: offers named as the French seed names them', () => {
    const fr = strings('fr');
    expect(fr.filter((s) => /Office 365 Enterprise E[13]|Office 365 Entreprise E5/.test(s))).toEqual([]);
  });

  it('English: licences are transferred, plans are moved to or upgraded: never the same word', () => {
    const en = strings('en');
    expect(en.filter((s) => /licen[cs]e/i.test(s) && /\bmov(e|ed|es)\b/i.test(s))).toEqual([]);
    expect(en.some((s) => /licen[cs]e transfer/.test(s))).toBe(true);
  });

  it('French: licences are transferred (transfert), plans upgraded (mise à niveau): never the same word', () => {
    const fr = strings('fr');
    expect(fr.filter((s) => /licence/.test(s) && /passe|basculement/.test(s) && !/transf/.test(s))).toEqual(
      [],
    );
    expect(fr.filter((s) => /transf[ée]r/.test(s) && /offre/.test(s) && !/licence/.test(s))).toEqual([]);
  });
});
