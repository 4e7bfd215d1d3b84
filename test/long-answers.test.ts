/**
 * Long answers (issue 16), through botbuilder's TestAdapter, in English, French and Japanese: a customer with
 * many subscriptions is answered a page at a time, the upgradable ones first and in full, the others one line
 * each with a "Details" action; "which customers can upgrade to E3?" by seats, ten at a time. Card data is
 * never believed: a forged or stale press is answered politely and changes nothing.
 */
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Wording } from '../src/bot/i18n.js';
import { offerName, subscriptionLabel } from '../src/bot/explain.js';
import { customersEligibleFor, type Customer } from '../src/rules/index.js';
import { cardOf, createTestBot, type TestBot } from './support/bot.js';
import { actions, texts } from './support/cards.js';
import { generateCustomers } from './support/generate-customers.js';
import { mixedCustomer, openCustomer } from './support/long-customers.js';

let bot: TestBot;
const wording = new Wording();
const mixed = mixedCustomer(60);
const open = openCustomer(15);
const opportunities = generateCustomers(120, 9);

beforeAll(async () => {
  bot = await createTestBot();
  for (const c of [mixed, open, ...opportunities]) await bot.storage.saveCustomer(c);
});
afterAll(() => bot.close());

const LANGUAGES = {
  en: {
    locale: 'en-US',
    ask: (n: string) => `can ${n} upgrade?`,
    fleet: 'which customers can upgrade to E3?',
  },
  fr: {
    locale: 'fr-FR',
    ask: (n: string) => `${n} peut-il passer à une offre supérieure ?`,
    fleet: 'Quels clients peuvent passer à E3 ?',
  },
  ja: {
    locale: 'ja-JP',
    ask: (n: string) => `${n}はアップグレードできますか？`,
    fleet: 'E3にアップグレードできる顧客は？',
  },
} as const;

type Action = { type: string; verb?: string; title?: string; data: Record<string, unknown> };

/** The card's actions as the Emulator sends them back (Action.Submit, the verb in the data). */
function cardActions(activity: Partial<Activity> | undefined): Action[] {
  return actions(cardOf(activity)) as unknown as Action[];
}

/** Presses an Action.Submit: a message carrying the action's data. */
function press(data: Record<string, unknown>, locale: string): Promise<Partial<Activity>[]> {
  return bot.turn({ type: 'message', value: data, replyToId: 'card-1' }, { locale });
}

function allText(activity: Partial<Activity> | undefined): string {
  return [activity?.text ?? '', ...texts(cardOf(activity))].join('\n');
}

async function snapshot(): Promise<string> {
  return JSON.stringify(await bot.allCustomers());
}

describe.each(Object.entries(LANGUAGES))('%s', (language, { locale, ask, fleet }) => {
  const tr = wording.for(language);

  it('a customer with 60 subscriptions: upgradable first in full, the others one line with Details, 20 a page', async () => {
    const [reply, ...rest] = await bot.say(ask(mixed.companyProfile.companyName), { locale });
    expect(rest).toEqual([]);
    const acts = cardActions(reply);
    const details = acts.filter((a) => a.data.verb === 'subscriptionDetails');
    const upgrades = acts.filter((a) => a.data.verb === 'startUpgrade');
    // 20 subscriptions on the page: each either in full (with Upgrade…) or one line (with Details).
    expect(details.length + upgrades.length).toBe(20);
    expect(details.length).toBeGreaterThan(0);
    expect(details.every((a) => a.title === tr.t('eligibility.details'))).toBe(true);
    const next = acts.filter((a) => a.data.verb === 'eligibilityPage');
    expect(next).toEqual([
      expect.objectContaining({
        title: tr.t('eligibility.showMore', { count: 20 }),
        data: expect.objectContaining({ customerId: mixed.id, offset: 20, target: '', lang: language }),
      }),
    ]);
    expect(allText(reply)).toContain(tr.t('eligibility.more', { count: 40 }));
    // The fallback text is short: the title and the summary, not the card again.
    expect((cardOf(reply)!.fallbackText as string).length).toBeLessThan(1000);
  });

  it('the upgradable subscriptions come first, in full, each with its Upgrade action', async () => {
    const [reply] = await bot.say(ask(open.companyProfile.companyName), { locale });
    const acts = cardActions(reply);
    const shown = acts.filter((a) => a.data.verb === 'startUpgrade' || a.data.verb === 'subscriptionDetails');
    expect(shown.map((a) => a.data.verb)).toEqual([
      ...Array<string>(5).fill('startUpgrade'),
      ...Array<string>(10).fill('subscriptionDetails'),
    ]);
    expect(shown.map((a) => a.data.subscriptionId)).toEqual(open.subscriptions.map((s) => s.id));
    expect(JSON.stringify(cardOf(reply))).toContain('"FactSet"');
  });

  it('"Details" answers with that subscription’s card, in full', async () => {
    const [first] = await bot.say(ask(mixed.companyProfile.companyName), { locale });
    const action = cardActions(first).find((a) => a.data.verb === 'subscriptionDetails')!;
    const subscription = mixed.subscriptions.find((s) => s.id === action.data.subscriptionId)!;
    const before = await snapshot();
    const replies = await press(action.data, locale);
    expect(replies).toHaveLength(1); // a new card; the list stays where it was
    const details = replies[0]!;
    expect(details.type).toBe('message');
    const card = cardOf(details)!;
    expect(texts(card)[0]).toBe(
      tr.t('eligibility.detailsTitle', {
        customer: mixed.companyProfile.companyName,
        subscription: subscriptionLabel(tr, subscription),
      }),
    );
    expect(JSON.stringify(card)).toContain('"FactSet"');
    expect(cardActions(details).filter((a) => a.data.verb === 'subscriptionDetails')).toEqual([]);
    expect(JSON.stringify(details).length).toBeLessThan(20_000);
    expect(await snapshot()).toBe(before);
  });

  it('the next page: subscriptions 21–40, then 41–60 with no next action', async () => {
    const page2 = await press(
      { verb: 'eligibilityPage', customerId: mixed.id, target: '', offset: '20', lang: language },
      locale,
    );
    expect(page2).toHaveLength(1);
    expect(page2[0]!.text).toBe(
      tr.t('eligibility.page', {
        customer: mixed.companyProfile.companyName,
        from: tr.number(21),
        to: tr.number(40),
        total: tr.number(60),
      }),
    );
    const next = cardActions(page2[0]).filter((a) => a.data.verb === 'eligibilityPage');
    expect(next.map((a) => a.data.offset)).toEqual([40]);
    const page3 = await press(next[0]!.data, locale);
    expect(page3[0]!.text).toContain(tr.number(60));
    expect(cardActions(page3[0]).filter((a) => a.data.verb === 'eligibilityPage')).toEqual([]);
    const shown = cardActions(page3[0]).filter(
      (a) => a.data.verb === 'subscriptionDetails' || a.data.verb === 'startUpgrade',
    );
    expect(shown).toHaveLength(20);
  });

  it('a forged or stale press is answered politely and changes nothing', async () => {
    const before = await snapshot();
    const name = mixed.companyProfile.companyName;
    const gone = await press(
      { verb: 'subscriptionDetails', customerId: mixed.id, subscriptionId: 'sub-that-never-was', target: '' },
      locale,
    );
    expect(gone.map((a) => a.text)).toEqual([
      tr.t('eligibility.unknownSubscription', { customer: name, subscription: 'sub-that-never-was' }),
    ]);
    expect(cardOf(gone[0])).toBeUndefined();
    const farPage = await press(
      { verb: 'eligibilityPage', customerId: mixed.id, target: '', offset: 600 },
      locale,
    );
    expect(farPage.map((a) => a.text)).toEqual([tr.t('eligibility.pageGone', { customer: name })]);
    const nobody = await press(
      { verb: 'eligibilityPage', customerId: 'nobody', target: '', offset: 20 },
      locale,
    );
    expect(nobody.map((a) => a.text)).toEqual([tr.t('customer.unknownId')]);
    for (const junk of [
      { verb: 'eligibilityPage', customerId: mixed.id, target: '', offset: 'twenty' },
      { verb: 'eligibilityPage', customerId: mixed.id, target: '', offset: -20 },
      { verb: 'subscriptionDetails', customerId: mixed.id },
      { verb: 'fleetPage', key: 'O365_E3', offset: 1e12 },
    ]) {
      const replies = await press(junk, locale);
      expect(replies.map((a) => a.text)).toEqual([tr.t('card.invalid')]);
    }
    // A plan that is not one: the question about every plan, never an error.
    const odd = await press(
      {
        verb: 'subscriptionDetails',
        customerId: mixed.id,
        subscriptionId: mixed.subscriptions[0]!.id,
        target: 'E9',
      },
      locale,
    );
    expect(cardOf(odd[0])).toBeDefined();
    const notAPlan = await press({ verb: 'fleetPage', key: 'O365_E9', offset: 10 }, locale);
    expect(notAPlan.map((a) => a.text)).toEqual([tr.t('card.invalid')]);
    expect(await snapshot()).toBe(before);
  });

  it('a card made stale by a change to the customer is answered with what is true now', async () => {
    const base = openCustomer(60);
    const customer: Customer = {
      ...base,
      id: `stale-${language}`,
      companyProfile: { companyName: `Stalemate ${language} Orchards`, domain: `stale-${language}.example` },
    };
    await bot.storage.saveCustomer(customer);
    const [first] = await bot.say(ask(customer.companyProfile.companyName), { locale });
    const next = cardActions(first).find((a) => a.data.verb === 'eligibilityPage')!;
    const details = cardActions(first)
      .filter((a) => a.data.verb === 'subscriptionDetails')
      .at(-1)!;
    // The customer now has 10 subscriptions: the next page and the 20th subscription are gone.
    await bot.storage.saveCustomer({ ...customer, subscriptions: customer.subscriptions.slice(0, 10) });
    const before = await snapshot();
    const page = await press(next.data, locale);
    expect(page.map((a) => a.text)).toEqual([
      tr.t('eligibility.pageGone', { customer: customer.companyProfile.companyName }),
    ]);
    const gone = await press(details.data, locale);
    expect(gone.map((a) => a.text)).toEqual([
      tr.t('eligibility.unknownSubscription', {
        customer: customer.companyProfile.companyName,
        subscription: details.data.subscriptionId,
      }),
    ]);
    expect(await snapshot()).toBe(before);
  });

  it('"which customers can upgrade to E3?": largest first, the total seats, 10 at a time, blocked counted by reason', async () => {
    const [reply] = await bot.say(fleet, { locale });
    const text = reply!.text!;
    const expected = customersEligibleFor(await bot.allCustomers(), 'O365_E3');
    expect(expected.eligible.length).toBeGreaterThan(20);
    const entries = text.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(entries).toEqual(
      expected.eligible
        .slice(0, 10)
        .map(
          (m, i) => `${i + 1}. ${tr.t('fleet.entry', { name: m.companyName, seats: tr.number(m.seats) })}`,
        ),
    );
    const seats = expected.eligible.map((m) => m.seats);
    expect([...seats].sort((a, b) => b - a)).toEqual(seats);
    expect(text).toContain(
      tr.t('fleet.summary', {
        count: expected.eligible.length,
        target: offerName(tr, 'O365_E3'),
        seats: tr.number(seats.reduce((a, b) => a + b, 0)),
      }),
    );
    expect(text).toContain(tr.t('fleet.blocked', { count: expected.blockedCount }));
    for (const [code, n] of Object.entries(expected.blockedByReason))
      expect(text).toContain(
        `- ${tr.t('fleet.byReason', { reason: tr.t(`reasonTitle.${code}`), count: n })}`,
      );
    const more = cardActions(reply).find((a) => a.data.verb === 'fleetPage')!;
    expect(more.title).toBe(tr.t('fleet.next', { count: 10 }));
    expect(more.data).toMatchObject({ key: 'O365_E3', offset: 10 });
    const [page2] = await press(more.data, locale);
    const next = page2!.text!.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(next[0]).toMatch(/^11\. /);
    expect(next.length).toBeGreaterThan(0);
    const far = await press({ verb: 'fleetPage', key: 'O365_E3', offset: 100_000 }, locale);
    expect(far.map((a) => a.text)).toEqual([
      tr.t('fleet.pageGone', {
        target: 'Office 365 Enterprise E3'.replace(
          'Enterprise',
          language === 'fr' ? 'Entreprise' : 'Enterprise',
        ),
      }),
    ]);
  });
});

describe('Teams (Action.Execute)', () => {
  it('"Details" is answered by the invoke response, and the details card is posted', async () => {
    const customer: Customer = mixed;
    const replies = await bot.turn(
      {
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId: 'card-1',
        value: {
          action: {
            type: 'Action.Execute',
            verb: 'subscriptionDetails',
            data: { customerId: customer.id, subscriptionId: customer.subscriptions[3]!.id, target: '' },
          },
        },
      },
      { channelId: 'msteams', locale: 'fr-FR' },
    );
    const invoke = replies.find((r) => r.type === 'invokeResponse');
    expect(invoke?.value).toMatchObject({
      status: 200,
      body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message' },
    });
    const posted = replies.find((r) => r.type === 'message');
    expect(cardOf(posted)).toBeDefined();
    expect(cardActions(posted).every((a) => a.type === 'Action.Execute')).toBe(true);
  });
});
