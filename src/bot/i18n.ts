/**
 * The bot's wording: i18next over the locale files in `locales/` (en, fr, ja), one translator per turn.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type TFunction } from 'i18next';
import { LOCALES_DIR } from '../paths.js';
import { LANGUAGES, languageOf, type Language } from './language.js';

export { LANGUAGES, languageOf, type Language } from './language.js';

export function readLocaleFile(language: Language): Record<string, unknown> {
  return JSON.parse(readFileSync(join(LOCALES_DIR, `${language}.json`), 'utf8')) as Record<string, unknown>;
}

export interface Translator {
  readonly language: Language;
  readonly t: TFunction;
  /** "a, b and c" in the user's language. */
  list(items: readonly string[]): string;
  number(n: number): string;
  date(d: Date): string;
}

export class Wording {
  private readonly i18n = i18next.createInstance();
  private readonly translators = new Map<Language, Translator>();

  constructor() {
    void this.i18n.init({
      resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: readLocaleFile(l) }])),
      fallbackLng: 'en',
      supportedLngs: [...LANGUAGES],
      interpolation: { escapeValue: false },
      returnNull: false,
      initAsync: false,
    });
    for (const language of LANGUAGES) {
      const lists = new Intl.ListFormat(language, { type: 'conjunction' });
      const numbers = new Intl.NumberFormat(language);
      const dates = new Intl.DateTimeFormat(language, {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: 'UTC',
      });
      this.translators.set(language, {
        language,
        t: this.i18n.getFixedT(language),
        list: (items) => lists.format(items),
        number: (n) => numbers.format(n),
        date: (d) => `${dates.format(d)} UTC`,
      });
    }
  }

  for(locale: string | undefined): Translator {
    return this.translators.get(languageOf(locale)) as Translator;
  }
}
