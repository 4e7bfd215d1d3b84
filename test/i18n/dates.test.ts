/**
 * Dates in the user's time zone: Teams sends it on every activity (`localTimezone`, an IANA name); without it,
 * or with one Intl does not know, the configured default (DEFAULT_TIME_ZONE, UTC unless set). Each date names
 * its zone as Intl names it in the user's language.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Wording } from '../../src/bot/i18n.js';
import { parseConfig } from '../../src/config.js';
import { cardOf, createTestBot, type TestBot } from '../support/bot.js';
import { texts } from '../support/cards.js';

/** 4 March 2025, 05:06 UTC: 06:06 in Paris (winter time), 14:06 in Tokyo, 00:06 in New York. */
const WHEN = new Date('2025-03-04T05:06:00Z');

describe('Translator.date', () => {
  const wording = new Wording();

  it('writes UTC by default, and names it in the language', () => {
    expect(wording.for('en').date(WHEN)).toBe('March 4, 2025 at 5:06 AM Coordinated Universal Time');
    expect(wording.for('fr').date(WHEN)).toBe('4 mars 2025 à 05:06 temps universel coordonné');
    expect(wording.for('ja').date(WHEN)).toBe('2025年3月4日 5:06 (協定世界時)');
  });

  it('writes the activity’s time zone (Teams’ localTimezone), named as Intl names it', () => {
    const fr = wording.forActivity({ type: 'message', locale: 'fr-FR', localTimezone: 'Europe/Paris' });
    expect(fr.date(WHEN)).toBe('4 mars 2025 à 06:06 heure normale d’Europe centrale');
    const ja = wording.forActivity({ type: 'message', locale: 'ja-JP', localTimezone: 'Asia/Tokyo' });
    expect(ja.date(WHEN)).toBe('2025年3月4日 14:06 (日本標準時)');
    const en = wording.forActivity({ type: 'message', locale: 'en-US', localTimezone: 'America/New_York' });
    expect(en.date(WHEN)).toBe('March 4, 2025 at 12:06 AM Eastern Standard Time');
    expect(en.timeZone).toBe('America/New_York');
  });

  it('a card press keeps the card’s language and takes the zone of the activity', () => {
    const tr = wording.forActivity({
      type: 'invoke',
      locale: 'en-US',
      localTimezone: 'asia/tokyo',
      value: { action: { type: 'Action.Execute', verb: 'confirm', data: { token: 't', lang: 'fr' } } },
    });
    expect(tr.language).toBe('fr');
    expect(tr.timeZone).toBe('Asia/Tokyo');
    expect(tr.date(WHEN)).toBe('4 mars 2025 à 14:06 heure normale du Japon');
  });

  it.each([
    ['an unknown zone', 'Mars/Olympus'],
    ['a UTC offset', '+01:00'],
    ['a Windows zone name', 'Tokyo Standard Time'],
    ['an empty string', ''],
    ['a very long string', 'Europe/'.repeat(10_000)],
    ['a number', 42],
    ['null', null],
  ])('%s from the client falls back to the default, never a crash', (_, zone) => {
    const paris = new Wording({ timeZone: 'Europe/Paris' });
    const tr = paris.forActivity({ type: 'message', locale: 'fr-FR', localTimezone: zone as string });
    expect(tr.timeZone).toBe('Europe/Paris');
    expect(tr.date(WHEN)).toBe('4 mars 2025 à 06:06 heure normale d’Europe centrale');
  });

  it('the configured default is used when the activity names no zone', () => {
    const tokyo = new Wording({ timeZone: 'Asia/Tokyo' });
    expect(tokyo.forActivity({ type: 'message', locale: 'ja-JP' }).date(WHEN)).toBe(
      '2025年3月4日 14:06 (日本標準時)',
    );
    expect(tokyo.for('en').timeZone).toBe('Asia/Tokyo');
  });

  it('remembers a bounded number of zones whatever clients send', () => {
    const w = new Wording();
    for (let i = 0; i < 5000; i++) w.forActivity({ type: 'message', localTimezone: `Nowhere/${i}` });
    const zones = (w as unknown as { zones: Map<string, unknown> }).zones;
    const translators = (w as unknown as { translators: Map<string, unknown> }).translators;
    expect(zones.size).toBeLessThanOrEqual(1000);
    expect(translators.size).toBe(1);
  });
});

describe('DEFAULT_TIME_ZONE', () => {
  it('is UTC by default; an IANA name is taken as Intl names it', () => {
    expect(parseConfig({}).DEFAULT_TIME_ZONE).toBe('UTC');
    expect(parseConfig({ DEFAULT_TIME_ZONE: 'Europe/Paris' }).DEFAULT_TIME_ZONE).toBe('Europe/Paris');
    expect(parseConfig({ DEFAULT_TIME_ZONE: 'asia/tokyo' }).DEFAULT_TIME_ZONE).toBe('Asia/Tokyo');
  });

  it.each(['Mars/Olympus', '+09:00', 'Tokyo Standard Time', ''])(
    'refuses %j, naming the variable',
    (zone) => {
      expect(() => parseConfig({ DEFAULT_TIME_ZONE: zone })).toThrow(/DEFAULT_TIME_ZONE/);
    },
  );
});

describe('through the bot: the dates of an upgrade in the time zone of the activity', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await createTestBot();
  });

  /** Upgrade… → Review → Confirm on Contoso's Essentials, as the Emulator sends them; the confirm token. */
  async function upgradeContoso(): Promise<string> {
    const contoso = await bot.customerNamed('Contoso Ltd');
    const data = { customerId: contoso.id, subscriptionId: 'sub-contoso-essentials' };
    await bot.turn({ type: 'message', value: { ...data, verb: 'startUpgrade' } });
    const review = await bot.turn({
      type: 'message',
      value: { ...data, verb: 'review', target: 'O365_E3', seats: '40', transfer: 'true' },
    });
    const token = JSON.stringify(cardOf(review[0])).match(/"token":"([^"]+)"/)?.[1];
    if (token === undefined) throw new Error('no confirm card');
    await bot.turn({ type: 'message', value: { verb: 'confirm', token } });
    return token;
  }

  it('a second confirm says when it was done, in the presser’s zone and language', async () => {
    const token = await upgradeContoso();
    const decidedAt = new Date((await bot.ledger.get(token))!.decidedAt!);
    const again = await bot.turn(
      { type: 'message', value: { verb: 'confirm', token }, localTimezone: 'Asia/Tokyo' },
      { locale: 'ja-JP' },
    );
    const shown = [again[0]?.text ?? '', ...texts(cardOf(again[0]))].join('\n');
    const tokyo = new Wording().for('ja', 'Asia/Tokyo').date(decidedAt);
    expect(tokyo).toContain('(日本標準時)');
    expect(shown).toContain(tokyo);
    expect(shown).not.toContain('協定世界時');
  });

  it('history: each date in the asker’s zone; an invalid zone from the client gives the default', async () => {
    await upgradeContoso();
    const paris = await bot.turn(
      {
        type: 'message',
        text: 'Quelles mises à niveau avons-nous faites pour Contoso ?',
        localTimezone: 'Europe/Paris',
      },
      { locale: 'fr-FR' },
    );
    expect(paris[0]?.text).toMatch(/heure (normale|d’été) d’Europe centrale/);
    const bad = await bot.turn(
      {
        type: 'message',
        text: 'Quelles mises à niveau avons-nous faites pour Contoso ?',
        localTimezone: 'Europe/Nowhere',
      },
      { locale: 'fr-FR' },
    );
    expect(bad[0]?.text).toContain('temps universel coordonné');
  });
});
