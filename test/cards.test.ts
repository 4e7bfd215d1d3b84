import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eligibilityAnswer } from '../src/bot/answers/eligibility.js';
import type { CardDataMap, CardName, CardSpec } from '../src/bot/cards/data.js';
import { CARD_NAMES, CardTemplates } from '../src/bot/cards/templates.js';
import { Wording, type Language } from '../src/bot/i18n.js';
import { loadDemoDirectory } from '../src/directory/load.js';
import { CARDS_DIR } from '../src/paths.js';
import { allCards, flowCards } from './support/card-specs.js';
import { actions, cardProblems, texts, unbound } from './support/cards.js';

const wording = new Wording();
const templates = new CardTemplates();
const customers = loadDemoDirectory().customers;

const cards = await allCards();
const englishFlow = await flowCards('en');

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
    // What the customer already has is said once, under its own heading, with the subscription and channel.
    expect(all).toMatch(
      /^• Power BI Pro through .*sub-contoso-powerbi.*, bought directly from Microsoft\.$/m,
    );
    expect(all).toContain('It would add Power BI Pro, which the customer already has (see below).');
    expect(all).toMatch(/must cancel .* there before we can sell the upgrade \(Multichannel\)/);
  });
});

/** A card of the given template, with its data changed. */
function withData<K extends CardName>(
  spec: CardSpec | undefined,
  name: K,
  change: (data: CardDataMap[K]) => CardDataMap[K],
): CardSpec {
  if (spec?.name !== name) throw new Error(`not a ${name} card`);
  return { name, data: change(spec.data as CardDataMap[K]) } as CardSpec;
}

describe('what the templates make of the data', () => {
  const tr = wording.for('en');
  const contoso = customers.find((c) => c.companyProfile.companyName === 'Contoso Ltd')!;
  const eligibility = eligibilityAnswer(tr, contoso).card;
  const flow = new Map(englishFlow.map((c) => [c.label.replace(/^en /, ''), c.spec]));

  it('no card has an empty text: elements with nothing to say are left out', () => {
    for (const { spec, label } of cards) expect(texts(templates.expand(spec)), label).not.toContain('');
  });

  it('shows the data as written: ${…}, quotes, backslashes, backticks and braces are not evaluated', () => {
    const odd = 'Contoso ${title} ${$root.customerId} `x` \\ \'a\' "b" {{c}} $t(d) }';
    const card = templates.expand(withData(eligibility, 'eligibility', (d) => ({ ...d, title: odd })));
    expect(texts(card)[0]).toBe(odd);
    const confirm = withData(flow.get('confirm'), 'confirm', (d) => ({ ...d, accounts: [{ text: odd }] }));
    expect(texts(templates.expand(confirm))).toContain(`• ${odd}`);
  });

  it('an Upgrade action for each subscription that can be upgraded, and only for those', () => {
    const upgrades = (spec: CardSpec) =>
      actions(templates.expand(spec)).map((a) => (a.data as Record<string, string>).subscriptionId);
    expect(upgrades(eligibility!)).toEqual(['sub-contoso-essentials']);
    const all = withData(eligibility, 'eligibility', (d) => ({
      ...d,
      subscriptions: d.subscriptions.map((s) => ({ ...s, upgradable: true })),
    }));
    expect(upgrades(all)).toEqual(contoso.subscriptions.map((s) => s.id));
    expect(actions(templates.expand(all))[0]).toEqual({
      type: 'Action.Execute',
      title: 'Upgrade…',
      verb: 'startUpgrade',
      data: { customerId: contoso.id, subscriptionId: contoso.subscriptions[0]!.id },
    });
  });

  it("the eligibility card's notes and eligible line appear only when there is one", () => {
    const spec = withData(eligibility, 'eligibility', (d) => ({
      ...d,
      subscriptions: d.subscriptions.map((s, i) => ({
        ...s,
        notes: i === 0 ? 'A note' : '',
        eligibleLine: i === 1 ? 'Can move to: X.' : '',
      })),
    }));
    const all = texts(templates.expand(spec));
    expect(all.filter((t) => t === 'A note' || t.startsWith('Can move to:'))).toEqual([
      'A note',
      'Can move to: X.',
    ]);
  });

  it('the confirm card: Confirm and Cancel only while live; the note only when there is one', () => {
    const live = flow.get('confirm');
    const token = live?.name === 'confirm' ? live.data.token : '';
    expect(actions(templates.expand(live!)).map((a) => [a.verb, a.data])).toEqual([
      ['confirm', { token }],
      ['cancel', { token }],
    ]);
    const readOnly = flow.get('confirm read-only')!;
    expect(actions(templates.expand(readOnly))).toEqual([]);
    const noted = withData(live, 'confirm', (d) => ({ ...d, note: 'Only approvers may confirm.' }));
    const silent = withData(live, 'confirm', (d) => ({ ...d, note: '' }));
    expect(texts(templates.expand(noted))).toContain('Only approvers may confirm.');
    expect(texts(templates.expand(silent))).toHaveLength(texts(templates.expand(noted)).length - 1);
  });

  it('the outcome card: a list and its heading only when the list has lines', () => {
    const done = flow.get('done');
    const heading = (spec: CardSpec) =>
      texts(templates.expand(spec)).filter((t) => t === 'Lines:' || t === 'Next:');
    const titled = (d: CardDataMap['outcome']) => ({ ...d, linesTitle: 'Lines:', nextStepsTitle: 'Next:' });
    const both = withData(done, 'outcome', (d) => ({
      ...titled(d),
      lines: [{ text: 'one' }, { text: 'two' }],
      nextSteps: [{ text: 'step' }],
    }));
    expect(heading(both)).toEqual(['Lines:', 'Next:']);
    expect(texts(templates.expand(both))).toEqual(expect.arrayContaining(['• one', '• two', 'step']));
    const none = withData(done, 'outcome', (d) => ({ ...titled(d), lines: [], nextSteps: [] }));
    expect(heading(none)).toEqual([]);
  });

  it('makes a new card on every call: adapting one for a channel leaves the next untouched', () => {
    const first = templates.expand(eligibility!);
    expect(templates.expand(eligibility!)).toStrictEqual(first);
    expect(templates.expand(eligibility!)).not.toBe(first);
    templates.attachment(eligibility!, 'emulator', 'fr');
    expect(templates.expand(eligibility!)).toStrictEqual(first);
    expect(actions(templates.attachment(eligibility!, 'msteams', 'en').content)).toEqual([
      expect.objectContaining({ type: 'Action.Execute', verb: 'startUpgrade' }),
    ]);
  });
});

describe('the templates at start-up', () => {
  const copy = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'cards-'));
    for (const name of CARD_NAMES) {
      writeFileSync(join(dir, `${name}.json`), readFileSync(join(CARDS_DIR, `${name}.json`)));
    }
    return dir;
  };

  it('a template edited into an expression that does not parse stops the bot, naming the file', () => {
    const dir = copy();
    expect(() => new CardTemplates(dir)).not.toThrow();
    const confirm = readFileSync(join(dir, 'confirm.json'), 'utf8');
    writeFileSync(join(dir, 'confirm.json'), confirm.replace('"${billing}"', '"${formatNumber(seats, 0}"'));
    expect(() => new CardTemplates(dir)).toThrow(/confirm\.json: syntax error/);
  });

  it('a file that is not an Adaptive Card stops the bot, naming the file', () => {
    const dir = copy();
    writeFileSync(join(dir, 'outcome.json'), '{ "type": "Container" }');
    expect(() => new CardTemplates(dir)).toThrow(/outcome\.json: not an Adaptive Card/);
    writeFileSync(join(dir, 'outcome.json'), '{ "type": ');
    expect(() => new CardTemplates(dir)).toThrow(/outcome\.json: /);
  });
});
