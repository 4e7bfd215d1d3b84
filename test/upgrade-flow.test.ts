/**
 * The upgrade flow through botbuilder's TestAdapter: Emulator/Web Chat (Action.Submit) and Teams
 * (Action.Execute invokes), in three languages: choose, review, confirm or cancel, the outcome, history.
 */
import type { Activity } from 'botbuilder';
import { beforeEach, describe, expect, it } from 'vitest';
import { Wording } from '../src/bot/i18n.js';
import { loadDemoDirectory } from '../src/directory/load.js';
import { actions, texts } from './support/cards.js';
import { actionData, allText, press as pressOn, shownCard, type Channel } from './support/press.js';
import { cardOf, createTestBot, type TestBot } from './support/bot.js';

const CONTOSO = 'Contoso Ltd';
let bot: TestBot;
beforeEach(async () => {
  bot = await createTestBot();
});

/** Contoso's id in the demo directory the test bots are seeded with. */
const CONTOSO_ID = loadDemoDirectory().customers.find((c) => c.companyProfile.companyName === CONTOSO)!.id;

function contosoId(): string {
  return CONTOSO_ID;
}

/** Presses a card action the way the channel sends it, on this file's bot. */
function press(
  channel: Channel,
  verb: string,
  data: Record<string, unknown>,
  locale: string,
  from = 'user-1',
): Promise<Partial<Activity>[]> {
  return pressOn(bot, channel, verb, data, locale, from);
}

/** Emulator: Upgrade… on Contoso's Essentials, Review with the target and 40 seats; the confirm token. */
async function emulatorToken(target: string): Promise<string> {
  const choose = await press(
    'emulator',
    'startUpgrade',
    { customerId: contosoId(), subscriptionId: 'sub-contoso-essentials' },
    'en-US',
  );
  const review = await press(
    'emulator',
    'review',
    { ...actionData(cardOf(choose[0]), 'review'), target, seats: '40' },
    'en-US',
  );
  return actionData(shownCard('emulator', review), 'confirm').token as string;
}

const wording = new Wording();
const LANGS = ['en-US', 'fr-FR', 'ja-JP'].map((locale) => {
  const { t } = wording.for(locale);
  return {
    locale,
    done: t('upgrade.doneTitle'),
    cancelled: t('upgrade.cancelledTitle'),
    already: t('upgrade.alreadyTitle'),
  };
});

describe.each(['emulator', 'msteams'] as Channel[])('on %s', (channel) => {
  describe.each(LANGS)('in $locale', ({ locale, done, cancelled, already }) => {
    async function reachConfirm(seats = 40, transfer = 'true') {
      const choose = await press(
        channel,
        'startUpgrade',
        { customerId: contosoId(), subscriptionId: 'sub-contoso-essentials' },
        locale,
      );
      const chooseCard = cardOf(choose.find((r) => cardOf(r)));
      expect(chooseCard).toBeDefined();
      const choices = JSON.stringify(chooseCard);
      expect(choices).toContain('O365_E3');
      expect(choices).not.toContain('"O365_E5"'); // blocked: Power BI Pro bought direct
      const review = await press(
        channel,
        'review',
        { ...actionData(chooseCard, 'review'), target: 'O365_E3', seats: String(seats), transfer },
        locale,
      );
      const confirmCard = shownCard(channel, review);
      expect(confirmCard).toBeDefined();
      return { confirmCard: confirmCard!, token: actionData(confirmCard, 'confirm').token as string };
    }

    it('select, review, confirm: the upgrade is done once, and the outcome says what to do next', async () => {
      const { confirmCard, token } = await reachConfirm();
      const confirmText = texts(confirmCard).join('\n');
      // Offer names as each language's edition of the Partner Center article writes them (docs/glossary.md).
      const e3Name = locale === 'fr-FR' ? 'Office 365 Entreprise E3' : 'Office 365 Enterprise E3';
      expect(confirmText).toContain(`Office 365 Business Essentials → ${e3Name}`);
      expect(actions(confirmCard).map((a) => a.verb ?? (a.data as { verb: string }).verb)).toContain(
        'cancel',
      );
      // The two users with services turned off will need manual work, and nobody else.
      expect(confirmText).toContain('Adele Vance (adele');
      expect(confirmText).toContain('Isaiah Langer (isaiah');
      expect(confirmText).not.toContain('Megan Bowen (');

      const outcome = await press(channel, 'confirm', { token }, locale);
      const shown = allText(channel, outcome);
      expect(shown).toContain(done);
      const contoso = await bot.customer(contosoId());
      const e3 = contoso.subscriptions.filter((s) => s.offerId === 'O365_E3' && s.status === 'active');
      expect(e3).toHaveLength(1);
      expect(shown).toContain(e3[0]!.id);
      expect(contoso.subscriptions.find((s) => s.id === 'sub-contoso-essentials')?.status).toBe('deleted');
      expect(actions(shownCard(channel, outcome))).toEqual([]); // the outcome card has no buttons left
      expect(shown).toContain('Adele Vance');

      // A second click changes nothing and says who did it and when.
      const again = await press(channel, 'confirm', { token }, locale, 'user-2');
      expect(allText(channel, again)).toContain(already);
      expect(allText(channel, again)).toContain('Megan Bowen');
      expect(
        (await bot.customer(contosoId())).subscriptions.filter(
          (s) => s.offerId === 'O365_E3' && s.status === 'active',
        ),
      ).toHaveLength(1);
      expect((await bot.ledger.history(contosoId())).map((e) => e.status)).toEqual(['done']);
    });

    it('cancel changes nothing; confirming afterwards is refused as already handled', async () => {
      const { token } = await reachConfirm();
      const before = JSON.stringify(await bot.customer(contosoId()));
      const c = await press(channel, 'cancel', { token }, locale);
      expect(allText(channel, c)).toContain(cancelled);
      const later = await press(channel, 'confirm', { token }, locale);
      expect(allText(channel, later)).toContain(already);
      expect(JSON.stringify(await bot.customer(contosoId()))).toBe(before);
    });
  });
});

describe('never trust the card', () => {
  it('seats out of range, an unknown target, a subscription of another customer: refused, nothing recorded', async () => {
    const id = contosoId();
    const fabrikam = await bot.customerNamed('Fabrikam Inc');
    const tooMany = await press(
      'emulator',
      'review',
      {
        customerId: id,
        subscriptionId: 'sub-contoso-essentials',
        target: 'O365_BUSINESS_PREMIUM',
        seats: '301',
      },
      'en-US',
    );
    expect(allText('emulator', tooMany)).toMatch(/301 seats do not fit/);
    const notAPath = await press(
      'emulator',
      'review',
      { customerId: id, subscriptionId: 'sub-contoso-essentials', target: 'O365_PROPLUS', seats: '10' },
      'en-US',
    );
    expect(allText('emulator', notAPath)).toMatch(/not an upgrade path/);
    const crossed = await press(
      'emulator',
      'review',
      { customerId: id, subscriptionId: fabrikam.subscriptions[0]!.id, target: 'O365_E3', seats: '10' },
      'en-US',
    );
    expect(crossed[0]?.text).toMatch(/not valid any more/);
    const forged = await press('emulator', 'confirm', { token: 'forged-token-123' }, 'en-US');
    expect(forged[0]?.text).toMatch(/not valid any more/);
    expect(await bot.ledger.history(id)).toEqual([]);
  });

  it('the rules are checked again at confirm: a subscription suspended since the card was shown is refused', async () => {
    const token = await emulatorToken('O365_E1');
    // Meanwhile the customer buys E1 through another partner (a directory sync brings it in).
    const c = await bot.customer(contosoId());
    await bot.storage.saveCustomer({
      ...c,
      subscriptions: [
        ...c.subscriptions,
        { id: 'elsewhere-e1', offerId: 'O365_E1', quantity: 5, status: 'active', channel: 'other-partner' },
      ],
    });
    const outcome = await press('emulator', 'confirm', { token }, 'en-US');
    expect(allText('emulator', outcome)).toMatch(/Upgrade refused/);
    expect(allText('emulator', outcome)).toMatch(/elsewhere-e1/);
    expect(
      (await bot.customer(contosoId())).subscriptions.find((s) => s.id === 'sub-contoso-essentials')?.status,
    ).toBe('active');
  });
});

describe('approvers', () => {
  it('only an approver can confirm; others are refused and nothing changes', async () => {
    bot = await createTestBot(['aad-user-2']);
    const choose = await press(
      'msteams',
      'startUpgrade',
      { customerId: contosoId(), subscriptionId: 'sub-contoso-essentials' },
      'en-US',
    );
    const review = await press(
      'msteams',
      'review',
      { ...actionData(cardOf(choose.find((r) => cardOf(r))), 'review'), target: 'O365_E3', seats: '40' },
      'en-US',
    );
    const token = actionData(shownCard('msteams', review), 'confirm').token as string;
    const refused = await press('msteams', 'confirm', { token }, 'en-US', 'user-1');
    expect(allText('msteams', refused)).toMatch(/Only an approver can confirm/);
    expect((await bot.ledger.get(token))?.status).toBe('pending');
    const ok = await press('msteams', 'confirm', { token }, 'en-US', 'user-2');
    expect(allText('msteams', ok)).toMatch(/Upgrade done/);
  });
});

describe('from a message', () => {
  it('"upgrade Contoso to E3" goes straight to the choose-target card, E3 pre-selected', async () => {
    const replies = await bot.say('upgrade Contoso to E3');
    const card = cardOf(replies[0]);
    expect(JSON.stringify(card)).toContain('"value":"O365_E3"');
    expect(JSON.stringify(card)).toContain('"Input.ChoiceSet"');
  });

  it('history lists the confirmed upgrades, in each language', async () => {
    await press('emulator', 'confirm', { token: await emulatorToken('O365_E3') }, 'en-US');
    const en = await bot.say('what upgrades have we done for Contoso?');
    expect(en[0]?.text).toMatch(
      /Megan Bowen: Office 365 Business Essentials → Office 365 Enterprise E3, seats: 40/,
    );
    const fr = await bot.say('Quelles mises à niveau avons-nous faites pour Contoso ?', { locale: 'fr-FR' });
    expect(fr[0]?.text).toContain('Office 365 Entreprise E3');
    const ja = await bot.say('Contosoで実施したアップグレードの履歴は？', { locale: 'ja-JP' });
    expect(ja[0]?.text).toContain('Office 365 Enterprise E3');
  });
});

describe('Teams group chats', () => {
  async function groupInvoke(verb: string, data: Record<string, unknown>, from: string) {
    return bot.turn(
      {
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId: 'card-1',
        from: { id: from, name: from, aadObjectId: `aad-${from}` },
        conversation: { id: 'group-1', conversationType: 'groupChat' } as Activity['conversation'],
        value: { action: { type: 'Action.Execute', verb, data, trigger: 'manual' } },
      },
      { channelId: 'msteams' },
    );
  }
  const verbs = (card: unknown) => actions(card).map((a) => a.verb);

  it('the confirm card is read-only for the chat, live for the requester, refreshed with their id', async () => {
    const review = await groupInvoke(
      'review',
      { customerId: contosoId(), subscriptionId: 'sub-contoso-essentials', target: 'O365_E3', seats: '40' },
      'requester',
    );
    const update = review.find((r) => r.type === 'messageUpdate');
    const forEveryone = cardOf(update) as { refresh?: { userIds: string[]; action: { verb: string } } };
    expect(update?.id).toBe('card-1');
    // The card alone: Teams refuses to update a message into text + card ("multiple skype activities").
    expect(update).not.toHaveProperty('text');
    expect(update).not.toHaveProperty('suggestedActions');
    expect(update?.attachments).toHaveLength(1);
    expect(forEveryone.refresh?.userIds).toEqual(['requester']);
    expect(verbs({ body: (forEveryone as { body: unknown }).body })).toEqual([]); // no Confirm/Cancel in the body
    const forRequester = shownCard('msteams', review);
    expect(verbs(forRequester)).toEqual(expect.arrayContaining(['confirm', 'cancel']));
    const token = actionData(forRequester, 'confirm').token as string;

    // The automatic refresh: live for the requester, read-only for anyone else; no message is sent.
    const mine = await groupInvoke('refreshConfirm', { token }, 'requester');
    expect(verbs((shownCard('msteams', mine) as { body: unknown }).body)).toEqual(['confirm', 'cancel']);
    expect(mine.filter((r) => r.type === 'message' || r.type === 'messageUpdate')).toEqual([]);
    const theirs = await groupInvoke('refreshConfirm', { token }, 'bystander');
    expect(verbs((shownCard('msteams', theirs) as { body: unknown }).body)).toEqual([]);

    // Once confirmed, the message shows the outcome to everyone.
    const done = await groupInvoke('confirm', { token }, 'requester');
    expect(texts(cardOf(done.find((r) => r.type === 'messageUpdate'))).join('\n')).toContain('Upgrade done');
  });
});

describe.each(['emulator', 'msteams'] as Channel[])(
  "on %s, a press is answered in the card's language",
  (channel) => {
    const fr = wording.for('fr');
    const frOnly = (key: string) => {
      const text = fr.t(key);
      expect(text).not.toBe(wording.for('en').t(key));
      return text;
    };

    it('French cards pressed from a client that sends en-US (the Agents Playground) stay French', async () => {
      const choose = await press(
        channel,
        'startUpgrade',
        { customerId: contosoId(), subscriptionId: 'sub-contoso-essentials', lang: 'fr' },
        'en-US',
      );
      const chooseCard = cardOf(choose.find((r) => cardOf(r)));
      expect(JSON.stringify(chooseCard)).toContain(frOnly('upgrade.labels.target'));
      const reviewData = actionData(chooseCard, 'review');
      expect(reviewData.lang).toBe('fr');
      const review = await press(
        channel,
        'review',
        { ...reviewData, target: 'O365_E3', seats: '40', transfer: 'true' },
        'en-US',
      );
      const confirmCard = shownCard(channel, review);
      expect(JSON.stringify(confirmCard)).toContain(frOnly('upgrade.labels.confirm'));
      const outcome = await press(channel, 'confirm', actionData(confirmCard, 'confirm'), 'en-US');
      expect(allText(channel, outcome)).toContain(frOnly('upgrade.doneTitle'));
      expect((await bot.ledger.history(contosoId())).filter((e) => e.status === 'done')).toHaveLength(1);
    });

    it.each([
      ['an unknown language', 'xx'],
      ['a non-string', 42],
    ])('a card language that is %s falls back to the locale the client sent', async (_, lang) => {
      const choose = await press(
        channel,
        'startUpgrade',
        { customerId: contosoId(), subscriptionId: 'sub-contoso-essentials', lang },
        'ja-JP',
      );
      const ja = wording.for('ja').t('upgrade.labels.target');
      const shown = JSON.stringify(cardOf(choose.find((r) => cardOf(r))));
      expect(shown).toContain(ja);
    });
  },
);
