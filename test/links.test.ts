/**
 * The links to the articles the Partner Center article cites (src/bot/links.ts): each one as docs/glossary.md
 * lists it, and a button on every answer to a reason the article cites an article for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { subscriptionDetailsAnswer, targetEligibilityAnswer } from '../src/bot/answers/eligibility.js';
import { CardTemplates } from '../src/bot/cards/templates.js';
import { explain } from '../src/bot/explain.js';
import { Wording, type Language } from '../src/bot/i18n.js';
import { LINK_KEYS, LINKS, link, type LinkKey } from '../src/bot/links.js';
import { loadDemoDirectory } from '../src/directory/load.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { REASON_CODES, type Reason, type ReasonCode, type SubscriptionRef } from '../src/rules/index.js';
import { openUrls } from './support/cards.js';

const wording = new Wording();
const templates = new CardTemplates();
const LANGUAGES: readonly Language[] = ['en', 'fr', 'ja'];
const LEARN = { en: 'en-us', fr: 'fr-fr', ja: 'ja-jp' } as const;

/** Each link's title in en / fr / ja as the seeds write it, and the seeds' own address where they give one. */
const SEEDS: Record<LinkKey, { titles: Record<Language, string>; fwlink?: string }> = {
  switchPlans: {
    titles: {
      en: 'Switch to a different Office 365 for business plan',
      fr: 'Basculer vers une autre offre Office 365 pour les entreprises',
      ja: '別の一般法人向け Office 365 プランに切り替える',
    },
    fwlink: 'http://go.microsoft.com/fwlink/p/?LinkId=723577',
  },
  reassign: {
    titles: {
      en: 'Licence reassignment issues when you switch plans in Office 365',
      fr: 'Problèmes de réaffectation des licences lorsque vous changez de plan dans Office 365',
      ja: 'Office 365 でプランを切り替える際に発生するライセンスの再アサイン問題',
    },
    fwlink: 'http://go.microsoft.com/fwlink/p/?LinkId=723576',
  },
  delegatedAdmin: {
    titles: {
      en: 'Request delegated admin privileges',
      fr: 'Demander des privilèges d’administration délégués',
      ja: '委任された管理者特権の要求',
    },
  },
  multichannel: { titles: { en: 'Multichannel', fr: 'Multicanal', ja: 'マルチチャネル' } },
  billing: {
    titles: {
      en: 'Common billing scenarios',
      fr: 'Scénarios de facturation courants',
      ja: '一般的な課金シナリオ',
    },
  },
};

describe('the links table', () => {
  it('has the five articles the seeds cite, no more', () => {
    expect([...LINK_KEYS].sort()).toEqual(Object.keys(SEEDS).sort());
  });

  it.each(LINK_KEYS)('%s: the seeds’ own fwlink, or a Microsoft Learn search of its title', (key) => {
    for (const language of LANGUAGES) {
      const url = LINKS[key][language];
      const fwlink = SEEDS[key].fwlink;
      if (fwlink !== undefined) {
        expect(url).toBe(fwlink);
      } else {
        const parsed = new URL(url);
        expect(parsed.origin + parsed.pathname).toBe(
          `https://learn.microsoft.com/${LEARN[language]}/search/`,
        );
        // The seed's title in the user's language (apostrophes as the locales write them).
        expect(parsed.searchParams.get('terms')?.replace('’', "'")).toBe(
          SEEDS[key].titles[language].replace('’', "'"),
        );
      }
    }
  });

  it('docs/glossary.md lists the same fwlinks and titles', () => {
    const glossary = readFileSync(join(PROJECT_ROOT, 'docs', 'glossary.md'), 'utf8').replace(/'/g, '’');
    for (const { titles, fwlink } of Object.values(SEEDS)) {
      if (fwlink !== undefined) expect(glossary).toContain(fwlink);
      for (const title of Object.values(titles)) expect(glossary).toContain(title.replace(/'/g, '’'));
    }
  });

  it.each(LANGUAGES)('%s: each button’s title is the article’s title, in the language', (language) => {
    const tr = wording.for(language);
    for (const key of LINK_KEYS) {
      const { title, url } = link(tr, key);
      expect(url).toBe(LINKS[key][language]);
      expect(title).toBe(SEEDS[key].titles[language]);
    }
  });
});

const elsewhere: SubscriptionRef = {
  subscriptionId: 'sub-x',
  offerId: 'O365_E5',
  channel: 'other-partner',
  status: 'active',
};
const ours: SubscriptionRef = { ...elsewhere, channel: 'partner' };

/** One reason of each code; the overlaps (C3, C4) once bought elsewhere and once from us. */
const REASONS: readonly { reason: Reason; link: LinkKey | undefined }[] = [
  { reason: { code: 'bought_elsewhere', channel: 'direct' }, link: 'multichannel' },
  { reason: { code: 'no_upgrade_path', offerId: 'O365_E3' }, link: 'switchPlans' },
  { reason: { code: 'subscription_not_active', status: 'suspended' }, link: undefined },
  {
    reason: { code: 'delegated_admin_missing', service: 'Office 365', status: 'expired' },
    link: 'delegatedAdmin',
  },
  { reason: { code: 'trial_subscription' }, link: undefined },
  { reason: { code: 'add_ons_present', addOns: ['POWER_BI_PRO'] }, link: undefined },
  {
    reason: {
      code: 'target_not_available',
      offerId: 'O365_BUSINESS',
      target: 'O365_E1',
      validTargets: ['O365_E3'],
      indiaRule: false,
    },
    link: undefined,
  },
  {
    reason: { code: 'conflicting_services', conflicting: elsewhere, services: ['power-bi-pro'] },
    link: 'multichannel',
  },
  {
    reason: { code: 'conflicting_services', conflicting: ours, services: ['power-bi-pro'] },
    link: undefined,
  },
  { reason: { code: 'target_already_owned', existing: elsewhere }, link: 'multichannel' },
  // Ours: add licences to it instead (a button that starts that flow, not an article).
  { reason: { code: 'target_already_owned', existing: ours }, link: undefined },
  {
    reason: {
      code: 'quantity_out_of_range',
      target: 'O365_E3',
      quantity: 0,
      minQuantity: 1,
      maxQuantity: 300,
    },
    link: undefined,
  },
  // Licences: the seeds cite no article for these.
  { reason: { code: 'seats_not_added', quantity: 40, asked: 40 }, link: undefined },
  { reason: { code: 'seat_count_changed', expected: 40, actual: 42 }, link: undefined },
];

describe('a reason the seeds cite an article for carries it', () => {
  it('every reason code is covered', () => {
    expect(new Set(REASONS.map((r) => r.reason.code))).toEqual(new Set<ReasonCode>(REASON_CODES));
  });

  it.each(LANGUAGES)('%s: explain() names the article', (language) => {
    const tr = wording.for(language);
    for (const { reason, link: expected } of REASONS) expect(explain(tr, reason).link).toBe(expected);
  });

  const customers = loadDemoDirectory().customers;
  const named = (name: string) => customers.find((c) => c.companyProfile.companyName === name)!;
  /** The demo customer and answer that shows each reason with an article, in full. */
  const ANSWERS: readonly [string, LinkKey, (l: Language) => unknown][] = [
    [
      'bought elsewhere (a subscription’s details)',
      'multichannel',
      (l) => subscriptionDetailsAnswer(wording.for(l), named('Fabrikam Inc'), 'sub-fabrikam-e5').card,
    ],
    [
      'no upgrade path (Business Premium India)',
      'switchPlans',
      (l) =>
        subscriptionDetailsAnswer(
          wording.for(l),
          named('Coho Winery India Pvt Ltd'),
          'sub-coho-premium-india',
        ).card,
    ],
    [
      'no delegated admin',
      'delegatedAdmin',
      (l) => subscriptionDetailsAnswer(wording.for(l), named('Fabricam Ltd'), 'sub-fabricam-essentials').card,
    ],
    [
      'services bought directly from Microsoft (condition 3)',
      'multichannel',
      (l) => targetEligibilityAnswer(wording.for(l), named('Contoso Ltd'), 'O365_E5').card,
    ],
    [
      'target owned through another partner (condition 4)',
      'multichannel',
      (l) => targetEligibilityAnswer(wording.for(l), named('Fabrikam Inc'), 'O365_E5').card,
    ],
  ];

  describe.each(LANGUAGES)('%s', (language) => {
    it.each(ANSWERS)('%s: the card has the button', (_, key, answer) => {
      const spec = answer(language) as Parameters<CardTemplates['expand']>[0];
      expect(openUrls(templates.expand(spec))).toContainEqual(link(wording.for(language), key));
    });

    it('ours (conditions 3 and 4 through us): no Multichannel button, nothing to cancel elsewhere', () => {
      const litware = named('Litware Inc');
      for (const target of ['O365_E3', 'O365_E5'] as const) {
        const card = templates.expand(targetEligibilityAnswer(wording.for(language), litware, target).card!);
        expect(openUrls(card)).toEqual([]);
      }
    });
  });
});
