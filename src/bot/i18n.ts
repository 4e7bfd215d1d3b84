/**
 * The bot's wording: i18next over the locale files in `locales/` (en, fr, ja), one translator per turn; `t` renders
 * the strings compiled once from i18next's resources (compiled-wording.ts), and i18next renders the rest.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type i18n as I18n, type Resource, type TFunction } from 'i18next';
import { LOCALES_DIR } from '../paths.js';
import { compileT } from './compiled-wording.js';
import { actionDataOf } from './actions.js';
import { LANGUAGES, cardLanguageOf, languageOf, type Language } from './language.js';

export { LANGUAGES, languageOf, type Language } from './language.js';

export function readLocaleFile(language: Language): Record<string, unknown> {
  return JSON.parse(readFileSync(join(LOCALES_DIR, `${language}.json`), 'utf8')) as Record<string, unknown>;
}

/** The i18next instance the bot's wording is read through, over the given resources (all locale files by default). */
export function createI18next(
  resources: Resource = Object.fromEntries(LANGUAGES.map((l) => [l, { translation: readLocaleFile(l) }])),
): I18n {
  const instance = i18next.createInstance();
  void instance.init({
    resources,
    fallbackLng: 'en',
    supportedLngs: [...LANGUAGES],
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  return instance;
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
  private readonly i18n = createI18next();
  private readonly translators = new Map<Language, Translator>();

  constructor() {
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
        // i18next's getFixedT(language), with the strings compiled once (see compiled-wording.ts).
        t: compileT(this.i18n, language),
        list: (items) => lists.format(items),
        number: (n) => numbers.format(n),
        date: (d) => `${dates.format(d)} UTC`,
      });
    }
  }

  for(locale: string | undefined): Translator {
    return this.translators.get(languageOf(locale)) as Translator;
  }

  /**
   * The translator for a turn: a card press in the language of the card (its actions carry it; clients such as
   * the Agents Playground send every invoke as en-US), anything else in the activity's locale.
   */
  forActivity(activity: {
    readonly type?: string;
    readonly value?: unknown;
    readonly locale?: string;
  }): Translator {
    return this.for(cardLanguageOf(actionDataOf(activity)) ?? activity.locale);
  }
}
