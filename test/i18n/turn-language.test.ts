import { describe, expect, it } from 'vitest';
import { Wording } from '../../src/bot/i18n.js';

const wording = new Wording();
const invoke = (data: unknown, locale = 'en-US') => ({
  type: 'invoke',
  locale,
  value: { action: { type: 'Action.Execute', verb: 'review', data } },
});

describe('Wording.forActivity: the language of a turn', () => {
  it("a card press is answered in the card's language, whatever locale the client sends", () => {
    expect(wording.forActivity(invoke({ token: 't', lang: 'fr' })).language).toBe('fr');
    expect(wording.forActivity({ type: 'message', locale: 'en-US', value: { lang: 'ja' } }).language).toBe(
      'ja',
    );
  });

  it('anything else, or a card language the bot does not speak, in the locale', () => {
    expect(wording.forActivity({ type: 'message', locale: 'fr-FR' }).language).toBe('fr');
    expect(wording.forActivity(invoke({ lang: 'xx' }, 'ja-JP')).language).toBe('ja');
    expect(wording.forActivity(invoke({ lang: 42 }, 'fr-CA')).language).toBe('fr');
    expect(wording.forActivity({ type: 'invoke', locale: 'ja-JP', value: null }).language).toBe('ja');
    expect(wording.forActivity({ type: 'message', value: ['lang', 'fr'] }).language).toBe('en');
  });
});
