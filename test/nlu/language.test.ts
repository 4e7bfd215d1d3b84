import { describe, expect, it } from 'vitest';
import { languageOf } from '../../src/bot/language.js';

describe('languageOf', () => {
  it.each([
    ['en-US', 'en'],
    ['en', 'en'],
    ['fr-CA', 'fr'],
    ['fr-FR', 'fr'],
    ['fr', 'fr'],
    ['FR-be', 'fr'],
    ['fr_CH', 'fr'],
    ['ja-JP', 'ja'],
    ['ja', 'ja'],
    [' ja-jp ', 'ja'],
    ['de-DE', 'en'],
    ['es', 'en'],
    ['frisian', 'en'],
    ['', 'en'],
    [undefined, 'en'],
  ] as const)('%s → %s', (locale, language) => {
    expect(languageOf(locale)).toBe(language);
  });
});
