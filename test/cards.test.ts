import { describe, expect, it } from 'vitest';
import { eligibilityAnswer } from '../src/bot/answers/eligibility.js';
import { CARD_NAMES, CardTemplates } from '../src/bot/cards/templates.js';
import { Wording, type Language } from '../src/bot/i18n.js';
import { loadDemoDirectory } from '../src/directory/load.js';
import { allCards } from './support/card-specs.js';
import { actions, cardProblems, texts, unbound } from './support/cards.js';

const wording = new Wording();
const templates = new CardTemplates();
const customers = loadDemoDirectory().customers;

const cards = await allCards();

describe('card templates', () => {
  it('every template is rendered by some answer', () => {
    expect(new Set(cards.map((c) => c.spec.name))).toEqual(new Set(CARD_NAMES));
    expect(cards.length).toBeGreaterThan(100);
  });

  it.each(cards)(
    '$label: no unbound ${…}, no SDK error or warning, under 28 KB, on Teams and elsewhere',
    ({ spec, label }) => {
      // As sent: Action.Execute on Teams, Action.Submit elsewhere, every action tagged with the language.
      const language = label.split(' ')[0] as Language;
      const teams = templates.attachment(spec, 'msteams', language).content;
      const other = templates.attachment(spec, 'emulator', language).content;
      for (const card of [teams, other]) {
        expect(unbound(card)).toEqual([]);
        expect(cardProblems(card)).toEqual([]);
        expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(28 * 1024);
      }
    },
  );

  it('Teams gets Action.Execute; other channels Action.Submit with the verb in data', () => {
    const tr = wording.for('en');
    const contoso = customers.find((c) => c.companyProfile.companyName === 'Contoso Ltd')!;
    const spec = eligibilityAnswer(tr, contoso).card!;
    const teams = actions(templates.attachment(spec, 'msteams', 'en').content);
    const emulator = actions(templates.attachment(spec, 'emulator', 'en').content);
    expect(teams).toEqual([
      expect.objectContaining({
        type: 'Action.Execute',
        verb: 'startUpgrade',
        data: { customerId: contoso.id, subscriptionId: 'sub-contoso-essentials', lang: 'en' },
      }),
    ]);
    expect(emulator).toEqual([
      expect.objectContaining({
        type: 'Action.Submit',
        data: {
          customerId: contoso.id,
          subscriptionId: 'sub-contoso-essentials',
          lang: 'en',
          verb: 'startUpgrade',
        },
      }),
    ]);
  });

  it.each(cards)("$label: every action and the refresh carry the card's language", ({ spec, label }) => {
    const language = label.split(' ')[0] as Language;
    const refresh = { verb: 'refreshConfirm', data: { token: 'tok-12345678' }, userIds: ['u1'] };
    const teams = templates.attachment(spec, 'msteams', language, refresh).content as {
      refresh: { action: { data: Record<string, string> } };
    };
    const emulator = templates.attachment(spec, 'emulator', language).content;
    for (const action of [...actions(teams), ...actions(emulator)]) {
      expect((action as { data: Record<string, unknown> }).data.lang).toBe(language);
    }
    expect(teams.refresh.action.data).toEqual({ token: 'tok-12345678', lang: language });
  });

  it('the Contoso card explains the blocked target with the subscription, channel and remedy', () => {
    const tr = wording.for('en');
    const contoso = customers.find((c) => c.companyProfile.companyName === 'Contoso Ltd')!;
    const all = texts(templates.expand(eligibilityAnswer(tr, contoso).card!)).join('\n');
    expect(all).toContain(
      'Can move to: Office 365 Business Premium, Office 365 Enterprise E1, and Office 365 Enterprise E3.',
    );
    expect(all).toContain('Office 365 Enterprise E5: blocked');
    expect(all).toMatch(
      /already has Power BI Pro through .*sub-contoso-powerbi.*, bought directly from Microsoft/,
    );
    expect(all).toMatch(/must cancel .* there before we can sell the upgrade \(Multichannel\)/);
  });
});
