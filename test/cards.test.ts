import { describe, expect, it } from 'vitest';
import { eligibilityAnswer, targetEligibilityAnswer } from '../src/bot/answers/eligibility.js';
import { ambiguousAnswer } from '../src/bot/answers/customer-choice.js';
import type { CardSpec } from '../src/bot/cards/data.js';
import { CARD_NAMES, CardTemplates, toSubmitActions } from '../src/bot/cards/templates.js';
import { LANGUAGES, Wording, type Language } from '../src/bot/i18n.js';
import { loadDemoDirectory } from '../src/directory/load.js';
import { openStore } from '../src/storage/store.js';
import { UpgradeFlow } from '../src/bot/upgrade-flow.js';
import type { Reply } from '../src/bot/answers/reply.js';
import { CustomerIndex } from '../src/directory/lookup.js';
import { actions, cardProblems, texts, unbound } from './support/cards.js';

const wording = new Wording();
const templates = new CardTemplates();
const customers = loadDemoDirectory().customers;
const lookup = new CustomerIndex(customers);

/** Every card the answers can make over the demo directory, in every language. */
function allCards(): { label: string; spec: CardSpec }[] {
  const out: { label: string; spec: CardSpec }[] = [];
  for (const language of LANGUAGES) {
    const tr = wording.for(language);
    for (const c of customers) {
      const e = eligibilityAnswer(tr, c);
      if (e.card)
        out.push({ label: `${language} eligibility ${c.companyProfile.companyName}`, spec: e.card });
      for (const target of ['O365_E3', 'O365_E5', 'O365_PROPLUS'] as const) {
        const t = targetEligibilityAnswer(tr, c, target);
        if (t.card)
          out.push({ label: `${language} ${target} ${c.companyProfile.companyName}`, spec: t.card });
      }
    }
    out.push(...flowCards(language));
    const fabr = lookup.search('fabrikam', 3).map((c) => customers.find((x) => x.id === c.customer.id)!);
    const amb = ambiguousAnswer(tr, 'fabrikam', fabr, { intent: 'eligibility', target: '' });
    if (amb.card) out.push({ label: `${language} disambiguation`, spec: amb.card });
  }
  return out;
}

/** The upgrade flow's cards: choose, confirm (live and read-only), and each outcome. */
function flowCards(language: string): { label: string; spec: CardSpec }[] {
  const tr = wording.for(language);
  const store = openStore({ dataDir: ':memory:', seed: loadDemoDirectory() });
  const flow = new UpgradeFlow({ directory: store.directory, ledger: store.ledger, approvers: ['aad-1'] });
  const contoso = customers.find((c) => c.companyProfile.companyName === 'Contoso Ltd')!;
  const actor = { id: 'u1', name: 'Megan Bowen' };
  const input = {
    customerId: contoso.id,
    subscriptionId: 'sub-contoso-essentials',
    target: 'O365_E3',
    seats: 40,
    transfer: true,
  };
  const out: { label: string; spec: CardSpec }[] = [];
  const add = (label: string, reply: Reply | undefined) => {
    if (reply?.card === undefined) throw new Error(`${label}: no card`);
    out.push({ label: `${language} ${label}`, spec: reply.card });
  };
  add('choose-target', flow.choose(tr, contoso.id, 'sub-contoso-essentials'));
  const review = flow.review(tr, input, actor, 'c1');
  add('confirm', review);
  const token = review?.card?.name === 'confirm' ? review.card.data.token : '';
  add('confirm read-only', flow.current(tr, token, { id: 'someone-else' }));
  add(
    'refused at review',
    flow.review(tr, { ...input, target: 'O365_BUSINESS_PREMIUM', seats: 301 }, actor, 'c1'),
  );
  const other = flow.review(tr, { ...input, target: 'O365_E1' }, actor, 'c1');
  add('cancelled', flow.cancel(tr, other?.card?.name === 'confirm' ? other.card.data.token : '', actor));
  add('done', flow.confirm(tr, token, { id: 'a', aadObjectId: 'aad-1', name: 'Approver' }));
  add('already', flow.confirm(tr, token, { id: 'a', aadObjectId: 'aad-1' }));
  store.close();
  return out;
}

const cards = allCards();

describe('card templates', () => {
  it('every template is rendered by some answer', () => {
    expect(new Set(cards.map((c) => c.spec.name))).toEqual(new Set(CARD_NAMES));
    expect(cards.length).toBeGreaterThan(100);
  });

  it.each(cards)(
    '$label: no unbound ${…}, no SDK error or warning, under 28 KB, on Teams and elsewhere',
    ({ spec }) => {
      const teams = templates.expand(spec);
      const other = toSubmitActions(teams);
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
