/**
 * Adding licences through botbuilder's TestAdapter (issue 15), on the Emulator (Action.Submit) and Teams
 * (Action.Execute), in English, French and Japanese: the add-licences card (which subscription when there are
 * several, the seats pre-filled), the confirm card (seats before → after, prorated billing), confirm exactly
 * once, the rules' refusals with their reasons, the approvers and token rules, a seat count changed elsewhere,
 * and condition 4's "Add licences" button.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Wording } from '../src/bot/i18n.js';
import { loadDemoDirectory } from '../src/directory/load.js';
import type { Customer } from '../src/rules/index.js';
import { actions, inputs as cardInputs, openUrls, texts } from './support/cards.js';
import { cardOf, createTestBot, type TestBot } from './support/bot.js';
import { actionData, allText, press, shownCard, type Channel } from './support/press.js';

const demo = loadDemoDirectory().customers;
const idOf = (name: string): string => demo.find((c) => c.companyProfile.companyName === name)!.id;
const CONTOSO = idOf('Contoso Ltd');
const ALPINE = idOf('Alpine Ski House');
const LITWARE = idOf('Litware Inc');
const WINGTIP = idOf('Wingtip Toys');
const NORTHWIND = idOf('Northwind Traders');
const TREY = idOf('Trey Research');

const wording = new Wording();
const LOCALES = ['en-US', 'fr-FR', 'ja-JP'] as const;

let bot: TestBot;
afterEach(async () => {
  await bot.close();
});

function seatsOf(customer: Customer, subscriptionId: string): number {
  return customer.subscriptions.find((s) => s.id === subscriptionId)!.quantity;
}

/** The verbs of a card's actions, however the channel carries them. */
function verbs(card: unknown): string[] {
  return actions(card).map((a) =>
    String(a.verb ?? (a.data as { verb?: string } | undefined)?.verb ?? a.type),
  );
}

/** The Input.Number and Input.ChoiceSet of the add-licences card. */
function inputs(card: unknown): { seats?: Record<string, unknown>; choice?: Record<string, unknown> } {
  const found = cardInputs(card);
  return {
    seats: found.find((i) => i.type === 'Input.Number'),
    choice: found.find((i) => i.type === 'Input.ChoiceSet'),
  };
}

/** Review on the add-licences card of one subscription, `seats` to add (en-US): the confirm card's token. */
async function licenceToken(
  channel: Channel,
  customerId: string,
  subscriptionId: string,
  seats: number,
): Promise<string> {
  const review = await press(
    bot,
    channel,
    'reviewLicences',
    { customerId, subscriptionId, mode: 'add', seats: String(seats) },
    'en-US',
  );
  return actionData(shownCard(channel, review), 'confirm').token as string;
}

describe.each(['emulator', 'msteams'] as Channel[])('on %s', (channel) => {
  describe.each(LOCALES)('in %s', (locale) => {
    const { t } = wording.for(locale);
    beforeEach(async () => {
      bot = await createTestBot();
    });

    /** The add-licences card, then Review with these seats: the card the user then sees. */
    async function review(customerId: string, subscriptionId: string | undefined, seats: number | string) {
      const start = await press(bot, channel, 'startLicences', { customerId }, locale);
      const card = cardOf(start.find((r) => cardOf(r)));
      expect(card).toBeDefined();
      const data = actionData(card, 'reviewLicences');
      const answer = await press(
        bot,
        channel,
        'reviewLicences',
        { ...data, ...(subscriptionId === undefined ? {} : { subscriptionId }), seats: String(seats) },
        locale,
      );
      return { card: card!, answer, shown: shownCard(channel, answer) };
    }

    it('asks which subscription when there are several, then confirms once: seats 40 → 48, billed prorated', async () => {
      const { card, shown } = await review(CONTOSO, 'sub-contoso-essentials', 8);
      // Contoso has two subscriptions of ours that can take licences: the card asks which.
      const { choice, seats } = inputs(card);
      const choices = JSON.stringify(choice);
      expect(choices).toContain('sub-contoso-essentials');
      expect(choices).toContain('sub-contoso-exchange');
      expect(choices).not.toContain('sub-contoso-powerbi'); // bought direct from Microsoft
      expect(choices).not.toContain('sub-contoso-e3-2019'); // cancelled
      expect(seats?.value).toBe(1);
      // The confirm card: the customer, the subscription, seats before → after, the prorated billing and its link.
      const confirmText = texts(shown).join('\n');
      expect(confirmText).toContain('Contoso Ltd');
      expect(confirmText).toContain('sub-contoso-essentials');
      expect(confirmText).toContain(t('upgrade.change', { from: '40', to: '48' }));
      expect(confirmText).toContain(t('licences.billing', { count: 8 }));
      expect(openUrls(shown).map((l) => l.title)).toContain(t('link.billing'));
      expect(verbs(shown)).toEqual(expect.arrayContaining(['confirm', 'cancel']));
      const token = actionData(shown, 'confirm').token as string;

      const done = await press(bot, channel, 'confirm', { token }, locale);
      expect(allText(channel, done)).toContain(t('licences.doneTitle'));
      expect(allText(channel, done)).toContain(t('partnerCenter.doneEmbedded'));
      expect(seatsOf(await bot.customer(CONTOSO), 'sub-contoso-essentials')).toBe(48);

      // A second press (a double click, a retry) adds nothing more and says who did it.
      const again = await press(bot, channel, 'confirm', { token }, locale);
      expect(allText(channel, again)).toContain(t('licences.alreadyTitle'));
      expect(seatsOf(await bot.customer(CONTOSO), 'sub-contoso-essentials')).toBe(48);
      const entry = await bot.ledger.get(token);
      expect(entry).toMatchObject({
        status: 'done',
        change: 'add_licences',
        previousQuantity: 40,
        quantity: 48,
      });
      expect(entry?.attempts).toBe(1);

      // The history shows it as licences added.
      const history = await bot.turn(
        { type: 'message', value: { verb: 'historyPage', key: CONTOSO, offset: 0 } },
        { channelId: channel === 'msteams' ? 'emulator' : channel, locale },
      );
      const line = history.map((r) => r.text ?? '').join('\n');
      expect(line).toContain('sub-contoso-essentials');
      expect(line).toMatch(/40 → 48/);
      expect(line).toContain(t('history.outcome.done', { context: 'licences' }));
      expect(line).toContain(t('history.summary', { count: 1, customer: 'Contoso Ltd' }));
    });

    it('the new total, and a Business plan beyond 300 seats refused with the reason, nothing recorded', async () => {
      const start = await press(bot, channel, 'startLicences', { customerId: ALPINE }, locale);
      const card = cardOf(start.find((r) => cardOf(r)));
      // One subscription: no choice, the offer's maximum said.
      expect(inputs(card).choice).toBeUndefined();
      expect(texts(card).join('\n')).toContain(
        t('licences.labels.maxHint', { offer: 'Office 365 Business Premium', max: '300' }),
      );
      const data = actionData(card, 'reviewLicences');
      const over = await press(bot, channel, 'reviewLicences', { ...data, seats: '10' }, locale);
      const refusal = allText(channel, over);
      expect(refusal).toContain(t('licences.refusedTitle'));
      expect(refusal).toContain(
        t('licences.reason.quantity_out_of_range.text', {
          quantity: wording.for(locale).number(305),
          min: wording.for(locale).number(1),
          max: wording.for(locale).number(300),
          offer: 'Office 365 Business Premium',
        }),
      );
      expect(verbs(shownCard(channel, over))).not.toContain('confirm');
      expect(await bot.upgrades.history(ALPINE)).toHaveLength(0);

      // The new total: 300 is within the limit.
      const total = await press(
        bot,
        channel,
        'reviewLicences',
        { ...data, mode: 'total', seats: '300' },
        locale,
      );
      const confirm = shownCard(channel, total);
      expect(texts(confirm).join('\n')).toContain(t('upgrade.change', { from: '295', to: '300' }));
      const token = actionData(confirm, 'confirm').token as string;
      await press(bot, channel, 'confirm', { token }, locale);
      expect(seatsOf(await bot.customer(ALPINE), 'sub-alpine-premium')).toBe(300);
    });

    it.each([
      ['0', 'seats_not_added'],
      ['-3', 'seats_not_added'],
      ['2.5', 'quantity_out_of_range'],
      ['10000001', 'quantity_out_of_range'],
    ])('%s licences to add: refused, the reason said, nothing recorded', async (seats, code) => {
      const { answer } = await review(CONTOSO, 'sub-contoso-exchange', seats);
      const text = allText(channel, answer);
      expect(text).toContain(t('licences.refusedTitle'));
      const remedy =
        code === 'seats_not_added'
          ? t('reason.seats_not_added.remedy')
          : t('licences.reason.quantity_out_of_range.remedy_unlimited');
      expect(text).toContain(remedy);
      expect(await bot.upgrades.history(CONTOSO)).toHaveLength(0);
    });

    it.each([
      ['a trial', WINGTIP, undefined, 'licences.reason.trial_subscription.remedy'],
      ['suspended', NORTHWIND, undefined, 'licences.reason.subscription_not_active.remedy_suspended'],
      ['bought elsewhere', TREY, 'sub-trey-e1', 'licences.reason.bought_elsewhere.remedy'],
    ])(
      '%s: no card that cannot work, the reason and its remedy',
      async (_case, customerId, subscriptionId, key) => {
        const answer = await press(
          bot,
          channel,
          'startLicences',
          { customerId, ...(subscriptionId === undefined ? {} : { subscriptionId }) },
          locale,
        );
        // On Teams, a new card (here the refusal) is posted; the invoke's answer is its text.
        const card = cardOf(answer.find((r) => cardOf(r)));
        expect([allText(channel, answer), ...texts(card)].join('\n')).toContain(t(key));
        expect(verbs(card)).not.toContain('reviewLicences');
        if (subscriptionId === 'sub-trey-e1') {
          expect(openUrls(card).map((l) => l.title)).toContain(t('link.multichannel'));
        }
      },
    );

    it('a seat count changed elsewhere after the card: refused as a conflict, never overwritten', async () => {
      const { shown } = await review(CONTOSO, 'sub-contoso-exchange', 5);
      const token = actionData(shown, 'confirm').token as string;
      const contoso = await bot.customer(CONTOSO);
      await bot.storage.saveCustomer({
        ...contoso,
        subscriptions: contoso.subscriptions.map((s) =>
          s.id === 'sub-contoso-exchange' ? { ...s, quantity: 12 } : s,
        ),
      });
      const confirmed = await press(bot, channel, 'confirm', { token }, locale);
      const text = allText(channel, confirmed);
      expect(text).toContain(t('licences.refusedTitle'));
      expect(text).toContain(t('reason.seat_count_changed.remedy'));
      expect(seatsOf(await bot.customer(CONTOSO), 'sub-contoso-exchange')).toBe(12);
      expect((await bot.ledger.get(token))?.status).toBe('refused');
    });

    it("condition 4 through us: the eligibility answer's Add licences button starts the flow on that subscription", async () => {
      const say = {
        'en-US': 'can Litware upgrade to E3?',
        'fr-FR': 'Litware peut-il passer à E3 ?',
        'ja-JP': 'LitwareはE3にアップグレードできますか？',
      }[locale];
      const replies = await bot.say(say, { locale, channelId: channel });
      const card = cardOf(replies.find((r) => cardOf(r)));
      const button = actions(card).find(
        (a) => (a.verb ?? (a.data as { verb?: string }).verb) === 'startLicences',
      );
      expect(button?.title).toBe(t('licences.addButton'));
      const data = actionData(card, 'startLicences');
      expect(data).toMatchObject({ customerId: LITWARE, subscriptionId: 'sub-litware-e3' });
      const started = await press(bot, channel, 'startLicences', data, locale);
      const licences = cardOf(started.find((r) => cardOf(r)));
      expect(inputs(licences).choice).toBeUndefined();
      expect(actionData(licences, 'reviewLicences')).toMatchObject({ shownSubscriptionId: 'sub-litware-e3' });
    });
  });
});

describe.each(LOCALES)('approvers and token rules, as for upgrades, in %s', (locale) => {
  const { t } = wording.for(locale);
  beforeEach(async () => {
    bot = await createTestBot(['emulator:user-2']);
  });

  async function token(): Promise<string> {
    const start = await press(bot, 'emulator', 'startLicences', { customerId: CONTOSO }, locale);
    const data = actionData(cardOf(start.find((r) => cardOf(r))), 'reviewLicences');
    const answer = await press(
      bot,
      'emulator',
      'reviewLicences',
      { ...data, subscriptionId: 'sub-contoso-exchange', seats: '2' },
      locale,
    );
    return actionData(shownCard('emulator', answer), 'confirm').token as string;
  }

  it('the requester cannot confirm when approvers are named; an approver can, once', async () => {
    const tok = await token();
    const mine = await press(bot, 'emulator', 'confirm', { token: tok }, locale, 'user-1');
    expect(allText('emulator', mine)).toContain(t('licences.notApprover'));
    expect(seatsOf(await bot.customer(CONTOSO), 'sub-contoso-exchange')).toBe(10);
    const approved = await press(bot, 'emulator', 'confirm', { token: tok }, locale, 'user-2');
    expect(allText('emulator', approved)).toContain(t('licences.doneTitle'));
    expect(seatsOf(await bot.customer(CONTOSO), 'sub-contoso-exchange')).toBe(12);
  });

  it('a token from another conversation changes nothing; a forged token is an invalid card', async () => {
    const tok = await token();
    const elsewhere = await press(bot, 'emulator', 'confirm', { token: tok }, locale, 'user-2', 'conv-2');
    expect(allText('emulator', elsewhere)).toContain(t('licences.wrongPlace'));
    const forged = await press(bot, 'emulator', 'confirm', { token: 'forged-token-123' }, locale, 'user-2');
    expect(allText('emulator', forged)).toContain(t('card.invalid'));
    expect(seatsOf(await bot.customer(CONTOSO), 'sub-contoso-exchange')).toBe(10);
    expect((await bot.ledger.get(tok))?.status).toBe('pending');
  });

  it('cancel: nothing added, and the card cannot be confirmed afterwards', async () => {
    const tok = await token();
    const cancelled = await press(bot, 'emulator', 'cancel', { token: tok }, locale, 'user-1');
    expect(allText('emulator', cancelled)).toContain(t('licences.cancelledTitle'));
    const after = await press(bot, 'emulator', 'confirm', { token: tok }, locale, 'user-2');
    expect(allText('emulator', after)).toContain(t('licences.alreadyTitle'));
    expect(seatsOf(await bot.customer(CONTOSO), 'sub-contoso-exchange')).toBe(10);
  });
});

describe.each([
  {
    locale: 'en-US',
    several: 'Contoso needs 8 more seats',
    onePlan: "give Litware's E3 another 4 licences",
    total: "bring Litware's E3 to 60 seats",
    followUp: 'add 5 more seats',
    remove: 'remove 3 licences from Litware',
    unknown: 'Zorblax Industries needs 8 more seats',
  },
  {
    locale: 'fr-FR',
    several: 'Contoso a besoin de 8 sièges de plus',
    onePlan: 'ajoute 4 licences à l’E3 de Litware',
    total: 'passe l’E3 de Litware à 60 licences',
    followUp: 'ajoute 5 licences',
    remove: 'retire 3 licences à Litware',
    unknown: 'Zorblax Industries a besoin de 8 sièges de plus',
  },
  {
    locale: 'ja-JP',
    several: 'Contosoのライセンスを8つ増やして',
    onePlan: 'LitwareのE3のライセンスを4つ増やして',
    total: 'LitwareのE3を60ライセンスにして',
    followUp: '5ライセンス追加して',
    remove: 'Litwareのライセンスを3つ減らして',
    unknown: 'Zorblax Industriesのライセンスを8つ増やして',
  },
])('in words, $locale', ({ locale, several, onePlan, total, followUp, remove, unknown }) => {
  const { t } = wording.for(locale);
  beforeEach(async () => {
    bot = await createTestBot();
  });

  async function cardFor(text: string) {
    const replies = await bot.say(text, { locale });
    return { replies, card: cardOf(replies.find((r) => cardOf(r))) };
  }

  it('several subscriptions of ours: the card asks which, with what was asked pre-filled', async () => {
    const { card } = await cardFor(several);
    expect(JSON.stringify(inputs(card).choice)).toContain('sub-contoso-exchange');
    expect(inputs(card).seats?.value).toBe(8);
    expect(actionData(card, 'reviewLicences')).toMatchObject({ customerId: CONTOSO, mode: 'add' });
  });

  it('the plan named picks its subscription: no choice, the seats to add, or the new total', async () => {
    const add = await cardFor(onePlan);
    expect(inputs(add.card).choice).toBeUndefined();
    expect(inputs(add.card).seats?.value).toBe(4);
    expect(actionData(add.card, 'reviewLicences')).toMatchObject({
      shownSubscriptionId: 'sub-litware-e3',
      mode: 'add',
    });
    const to = await cardFor(total);
    expect(inputs(to.card).seats?.value).toBe(60);
    expect(inputs(to.card).seats?.label).toBe(t('licences.labels.seats_total'));
    // Review with the total: 12 → 60.
    const review = await press(
      bot,
      'emulator',
      'reviewLicences',
      { ...actionData(to.card, 'reviewLicences'), seats: '60' },
      locale,
    );
    expect(texts(shownCard('emulator', review)).join('\n')).toContain(
      t('upgrade.change', { from: '12', to: '60' }),
    );
  });

  it('a follow-up without a name is about the customer of the previous answer', async () => {
    await bot.say(onePlan, { locale });
    const { card } = await cardFor(followUp);
    expect(actionData(card, 'reviewLicences')).toMatchObject({ customerId: LITWARE });
    expect(inputs(card).seats?.value).toBe(5);
  });

  it('removing licences: said to be out of scope, nothing recorded', async () => {
    const replies = await bot.say(remove, { locale });
    expect(replies.map((r) => r.text).join('\n')).toBe(t('licences.removeOutOfScope'));
    expect(await bot.upgrades.history(LITWARE)).toHaveLength(0);
  });

  it('an unknown customer: said so, no card', async () => {
    const replies = await bot.say(unknown, { locale });
    expect(replies.map((r) => r.text).join('\n')).toContain('Zorblax Industries');
    expect(replies.some((r) => cardOf(r) !== undefined && verbs(cardOf(r)).includes('reviewLicences'))).toBe(
      false,
    );
  });
});

describe('an upgrade and licences on one subscription', () => {
  const { t } = wording.for('en-US');
  beforeEach(async () => {
    bot = await createTestBot();
  });

  it('licences added after an upgrade card was shown: its confirm is refused, the seats are not lost', async () => {
    const choose = await press(
      bot,
      'emulator',
      'startUpgrade',
      { customerId: CONTOSO, subscriptionId: 'sub-contoso-essentials' },
      'en-US',
    );
    const reviewed = await press(
      bot,
      'emulator',
      'review',
      { ...actionData(cardOf(choose[0]), 'review'), target: 'O365_E3', seats: '40', transfer: 'true' },
      'en-US',
    );
    const upgradeToken = actionData(shownCard('emulator', reviewed), 'confirm').token as string;
    // Meanwhile, 8 licences are added to the same subscription.
    const added = await licenceToken('emulator', CONTOSO, 'sub-contoso-essentials', 8);
    await press(bot, 'emulator', 'confirm', { token: added }, 'en-US');
    expect(seatsOf(await bot.customer(CONTOSO), 'sub-contoso-essentials')).toBe(48);
    // The upgrade card was made on 40 seats: confirming it now would lose the 8 just bought.
    const upgraded = await press(bot, 'emulator', 'confirm', { token: upgradeToken }, 'en-US');
    const text = allText('emulator', upgraded);
    expect(text).toContain(t('upgrade.refusedTitle'));
    expect(text).toContain(t('reason.seat_count_changed.text', { expected: '40', actual: '48' }));
    const contoso = await bot.customer(CONTOSO);
    expect(contoso.subscriptions.find((s) => s.id === 'sub-contoso-essentials')).toMatchObject({
      status: 'active',
      quantity: 48,
    });
    expect((await bot.ledger.get(upgradeToken))?.status).toBe('refused');
  });

  it('one change at a time on a subscription: a licence confirm while another change is carried out is "busy"', async () => {
    const token = await licenceToken('emulator', CONTOSO, 'sub-contoso-exchange', 2);
    // Another request on the same subscription holds it (executing, under its lease).
    const other = await bot.upgrades.request({
      change: 'add_licences',
      customerId: CONTOSO,
      subscriptionId: 'sub-contoso-exchange',
      fromOffer: 'EXCHANGE_ONLINE_PLAN_1',
      target: 'EXCHANGE_ONLINE_PLAN_1',
      previousQuantity: 10,
      quantity: 11,
      token: 'other-request-1',
      requestedBy: { id: 'user-9' },
    });
    await bot.ledger.claim(other.token, { id: 'user-9' }, new Date(), new Date(Date.now() + 60_000));
    const busy = await press(bot, 'emulator', 'confirm', { token }, 'en-US');
    expect(allText('emulator', busy)).toContain(t('licences.busy'));
    expect(seatsOf(await bot.customer(CONTOSO), 'sub-contoso-exchange')).toBe(10);
    expect((await bot.ledger.get(token))?.status).toBe('pending');
  });

  it('Teams refresh of a licence confirm card: live for the requester, read-only for others, the outcome once done', async () => {
    const token = await licenceToken('msteams', CONTOSO, 'sub-contoso-exchange', 3);
    const refresh = (from: string) =>
      bot.turn(
        {
          type: 'invoke',
          name: 'adaptiveCard/action',
          from: { id: from, name: from },
          conversation: { id: 'conv-1', conversationType: 'personal' } as never,
          value: {
            action: { type: 'Action.Execute', verb: 'refreshConfirm', data: { token } },
            trigger: 'automatic',
          },
        },
        { channelId: 'msteams', locale: 'en-US' },
      );
    expect(verbs(shownCard('msteams', await refresh('user-1')))).toContain('confirm');
    expect(verbs(shownCard('msteams', await refresh('user-2')))).not.toContain('confirm');
    await press(bot, 'msteams', 'confirm', { token }, 'en-US');
    expect(texts(shownCard('msteams', await refresh('user-1'))).join('\n')).toContain(
      t('licences.doneTitle'),
    );
  });
});

describe('a name that matches several customers', () => {
  beforeEach(async () => {
    bot = await createTestBot();
  });

  it.each([
    ['en-US', 'fabrikan needs 8 more seats'],
    ['fr-FR', 'fabrikan a besoin de 8 sièges de plus'],
    ['ja-JP', 'fabrikanのライセンスを8つ増やして'],
  ])('%s: the customer picked on the card, what was asked goes on with it', async (locale, text) => {
    const asked = await bot.say(text, { locale });
    const choice = cardOf(asked.find((r) => cardOf(r)));
    const picks = actions(choice).filter(
      (a) => (a.verb ?? (a.data as { verb?: string }).verb) === 'pickCustomer',
    );
    const fabrikam = picks.find(
      (a) => (a.data as { customerId: string }).customerId === idOf('Fabrikam Inc'),
    );
    expect(fabrikam?.data).toMatchObject({ intent: 'addLicences', seats: 'add:8' });
    const picked = await press(
      bot,
      'emulator',
      'pickCustomer',
      fabrikam!.data as Record<string, unknown>,
      locale,
    );
    const card = shownCard('emulator', picked);
    expect(inputs(card).seats?.value).toBe(8);
    expect(actionData(card, 'reviewLicences')).toMatchObject({
      customerId: idOf('Fabrikam Inc'),
      mode: 'add',
    });
  });
});
