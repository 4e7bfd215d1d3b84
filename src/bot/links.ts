/**
 * The articles the Partner Center article "Add licenses or services to an existing subscription" cites, in one
 * table (docs/glossary.md, "Links the article cites"). The two fwlinks are the article's own, the same in every
 * edition. The three others are relative links in the article whose present address was never verified: a
 * search of Microsoft Learn for the article's title, in the user's language, always resolves.
 * Button titles are wording: they live in the locales (`link.*`).
 */
import type { Language, Translator } from './i18n.js';

export const LINK_KEYS = ['switchPlans', 'reassign', 'delegatedAdmin', 'multichannel', 'billing'] as const;
export type LinkKey = (typeof LINK_KEYS)[number];

export const LINKS: Readonly<Record<LinkKey, Readonly<Record<Language, string>>>> = {
  switchPlans: same('http://go.microsoft.com/fwlink/p/?LinkId=723577'),
  reassign: same('http://go.microsoft.com/fwlink/p/?LinkId=723576'),
  delegatedAdmin: {
    en: learnSearch('en-us', 'Request delegated admin privileges'),
    fr: learnSearch('fr-fr', 'Demander des privilèges d’administration délégués'),
    ja: learnSearch('ja-jp', '委任された管理者特権の要求'),
  },
  multichannel: {
    en: learnSearch('en-us', 'Multichannel'),
    fr: learnSearch('fr-fr', 'Multicanal'),
    ja: learnSearch('ja-jp', 'マルチチャネル'),
  },
  billing: {
    en: learnSearch('en-us', 'Common billing scenarios'),
    fr: learnSearch('fr-fr', 'Scénarios de facturation courants'),
    ja: learnSearch('ja-jp', '一般的な課金シナリオ'),
  },
};

function same(url: string): Record<Language, string> {
  return { en: url, fr: url, ja: url };
}

function learnSearch(locale: string, title: string): string {
  return `https://learn.microsoft.com/${locale}/search/?terms=${encodeURIComponent(title)}`;
}

/** A button to an article: its title in the user's language and its address. */
export interface Link {
  readonly title: string;
  readonly url: string;
}

export function link(tr: Pick<Translator, 'language' | 't'>, key: LinkKey): Link {
  return { title: tr.t(`link.${key}`), url: LINKS[key][tr.language] };
}

/** The fields of a card's button to the article, both '' when there is none. */
export function linkButton(
  tr: Pick<Translator, 'language' | 't'>,
  key: LinkKey | undefined,
): { readonly linkTitle: string; readonly linkUrl: string } {
  if (key === undefined) return NO_LINK;
  const { title, url } = link(tr, key);
  return { linkTitle: title, linkUrl: url };
}

export const NO_LINK = { linkTitle: '', linkUrl: '' } as const;
