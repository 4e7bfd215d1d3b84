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
import { ianaTimeZone } from '../time-zone.js';

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
  /** Date and time in `timeZone`, the zone named as Intl names it in the language ("日本標準時"). */
  date(d: Date): string;
  /** The IANA time zone of `date`: the user's (Teams' `localTimezone`), else the configured default. */
  readonly timeZone: string;
}

export interface WordingOptions {
  /** The IANA time zone of dates when the activity names none, or none Intl knows (DEFAULT_TIME_ZONE). */
  readonly timeZone?: string;
}

/** The `localTimezone` values already looked at are remembered; past this many (a client may send anything), forgotten. */
const MAX_ZONES_SEEN = 1000;

/** "4 mars 2025 à 06:06 heure normale d’Europe centrale", "2025年3月4日 14:06 (日本標準時)". */
function dateFormat(language: Language, timeZone: string): (d: Date) => string {
  const format = new Intl.DateTimeFormat(language, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'long',
  });
  if (language !== 'ja') return (d) => format.format(d);
  // Japanese puts the zone after the time in brackets, as notices do: 14:06 (日本標準時).
  return (d) =>
    format
      .formatToParts(d)
      .map((p) => (p.type === 'timeZoneName' ? `(${p.value})` : p.value))
      .join('');
}

export class Wording {
  private readonly i18n = createI18next();
  private readonly languages = new Map<Language, Omit<Translator, 'date' | 'timeZone'>>();
  /** By language and canonical zone: at most the languages times the zones Intl knows. */
  private readonly translators = new Map<string, Translator>();
  /** A zone as sent → the zone as Intl names it, or undefined for one it does not know. */
  private readonly zones = new Map<string, string | undefined>();
  /** The default time zone (UTC unless configured). */
  readonly timeZone: string;

  constructor(options: WordingOptions = {}) {
    this.timeZone = ianaTimeZone(options.timeZone ?? 'UTC') ?? 'UTC';
    for (const language of LANGUAGES) {
      const lists = new Intl.ListFormat(language, { type: 'conjunction' });
      const numbers = new Intl.NumberFormat(language);
      this.languages.set(language, {
        language,
        // i18next's getFixedT(language), with the strings compiled once (see compiled-wording.ts).
        t: compileT(this.i18n, language),
        list: (items) => lists.format(items),
        number: (n) => numbers.format(n),
      });
    }
  }

  /** The translator for a locale, its dates in `timeZone` (an IANA name; the default when absent or unknown). */
  for(locale: string | undefined, timeZone?: string): Translator {
    const language = languageOf(locale);
    const zone = this.zoneOf(timeZone) ?? this.timeZone;
    const key = `${language} ${zone}`;
    let translator = this.translators.get(key);
    if (translator === undefined) {
      translator = {
        ...(this.languages.get(language) as Omit<Translator, 'date' | 'timeZone'>),
        date: dateFormat(language, zone),
        timeZone: zone,
      };
      this.translators.set(key, translator);
    }
    return translator;
  }

  private zoneOf(name: string | undefined): string | undefined {
    if (name === undefined) return undefined;
    if (this.zones.has(name)) return this.zones.get(name);
    if (this.zones.size >= MAX_ZONES_SEEN) this.zones.clear();
    const zone = ianaTimeZone(name);
    this.zones.set(name, zone);
    return zone;
  }

  /**
   * The translator for a turn: a card press in the language of the card (its actions carry it; clients such as
   * the Agents Playground send every invoke as en-US), anything else in the activity's locale. Dates in the
   * activity's `localTimezone` (Teams sends the user's IANA zone), else the default.
   */
  forActivity(activity: {
    readonly type?: string;
    readonly value?: unknown;
    readonly locale?: string;
    readonly localTimezone?: string;
  }): Translator {
    const zone = typeof activity.localTimezone === 'string' ? activity.localTimezone : undefined;
    return this.for(cardLanguageOf(actionDataOf(activity)) ?? activity.locale, zone);
  }
}
