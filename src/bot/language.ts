/** The languages the bot speaks, the language of a locale, and the language a card action was made in. */
export const LANGUAGES = ['en', 'fr', 'ja'] as const;
export type Language = (typeof LANGUAGES)[number];

/** `fr-CA` → fr, `ja-JP` → ja; anything else, or nothing, → en. */
export function languageOf(locale: string | undefined): Language {
  const primary = (locale ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(primary ?? '') ? (primary as Language) : 'en';
}

/** The key of the card's language in every card action's data (see cards/templates.ts). */
export const CARD_LANGUAGE = 'lang';

/**
 * The language a card action was made in, from its data (Action.Execute data or Action.Submit value); none when
 * absent or not one the bot speaks (a tampered value).
 */
export function cardLanguageOf(data: unknown): Language | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const lang = (data as Record<string, unknown>)[CARD_LANGUAGE];
  return (LANGUAGES as readonly unknown[]).includes(lang) ? (lang as Language) : undefined;
}
