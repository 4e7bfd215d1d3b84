/**
 * Adding licences against the running server over HTTP (issue 15), in English, French and Japanese: the
 * request in words, the add-licences card, the confirm card and its outcome as the Emulator (Action.Submit,
 * expectReplies) and Teams (invokes) send them; each test checks the directory and the ledger afterwards.
 */
import type { Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { Wording } from '../../src/bot/i18n.js';
import { actions, texts } from '../support/cards.js';
import { httpFixture } from '../support/http-fixture.js';
import { customerNamed, directorySnapshot, type RunningBot } from '../support/server.js';

const http = httpFixture('ua-http-licences-');
const { start, invoke } = http;

const wording = new Wording();

/** An Emulator message (text, or an Action.Submit value) in one conversation; the replies (expectReplies). */
function say(b: RunningBot, locale: string, message: { text?: string; value?: unknown }) {
  return http.submit(b, { ...message, locale });
}

function cardIn(replies: Partial<Activity>[]): unknown {
  return replies.find((a) => a.attachments?.length)?.attachments?.[0]?.content;
}

/** The data of a card's Action.Submit of that verb (the verb is in the data). */
function submitData(card: unknown, verb: string): Record<string, unknown> {
  const a = actions(card).find((x) => (x.data as { verb?: string } | undefined)?.verb === verb);
  if (a === undefined) throw new Error(`no ${verb} action`);
  return { ...(a.data as Record<string, unknown>) };
}

/** The Input.Number's pre-filled value. */
function prefilled(card: unknown): unknown {
  const text = JSON.stringify(card);
  const match =
    /"type":"Input\.Number"[^}]*"value":(\d+)/.exec(text) ??
    /"value":(\d+)[^}]*"type":"Input\.Number"/.exec(text);
  return match === null ? undefined : Number(match[1]);
}

async function seats(b: RunningBot, customer: string, subscriptionId: string): Promise<number> {
  return (await customerNamed(b.app, customer)).subscriptions.find((s) => s.id === subscriptionId)!.quantity;
}

const ASKS = [
  { locale: 'en-US', text: 'Contoso needs 8 more seats', remove: 'remove 3 licences from Contoso' },
  { locale: 'fr-FR', text: 'Contoso a besoin de 8 sièges de plus', remove: 'retire 3 licences à Contoso' },
  { locale: 'ja-JP', text: 'Contosoのライセンスを8つ増やして', remove: 'Contosoのライセンスを3つ減らして' },
];

describe.each(ASKS)('in $locale', ({ locale, text, remove }) => {
  const { t } = wording.for(locale);

  it('"Contoso needs 8 more seats": which subscription, 8 pre-filled, confirm once: 40 → 48', async () => {
    const b = await start();
    const asked = await say(b, locale, { text });
    const card = cardIn(asked);
    expect(JSON.stringify(card)).toContain('sub-contoso-exchange'); // several: a choice
    expect(prefilled(card)).toBe(8);
    const review = await say(b, locale, {
      value: { ...submitData(card, 'reviewLicences'), subscriptionId: 'sub-contoso-essentials', seats: '8' },
    });
    const confirmCard = cardIn(review);
    expect(texts(confirmCard).join('\n')).toContain(t('licences.billing', { count: 8 }));
    const token = submitData(confirmCard, 'confirm').token as string;
    const done = await say(b, locale, { value: { verb: 'confirm', token } });
    expect(done[0]?.text).toBe(
      t('licences.doneSummary', { count: 8, customer: 'Contoso Ltd', from: '40', to: '48' }),
    );
    const again = await say(b, locale, { value: { verb: 'confirm', token } });
    expect(texts(cardIn(again)).join('\n')).toContain(t('licences.alreadyTitle'));
    expect(await seats(b, 'Contoso Ltd', 'sub-contoso-essentials')).toBe(48);
    const history = await b.app.storage.ledger.history((await customerNamed(b.app, 'Contoso Ltd')).id);
    expect(history.map((e) => [e.status, e.change])).toEqual([['done', 'add_licences']]);
  });

  it('removing licences: the bot says it does not, and changes nothing', async () => {
    const b = await start();
    const before = await directorySnapshot(b.app);
    const answer = await say(b, locale, { text: remove });
    expect(answer.map((a) => a.text).join('\n')).toContain(t('licences.removeOutOfScope'));
    expect(await directorySnapshot(b.app)).toBe(before);
  });
});

describe('exactly once, and bad input changes nothing', () => {
  it('20 concurrent confirms on Teams: the seats go up once, 19 "already handled"', async () => {
    const b = await start({ TEAMS_INVOKE_BUDGET_MS: '10000', RATE_LIMIT_MESSAGES: '0' });
    const contoso = await customerNamed(b.app, 'Contoso Ltd');
    const review = await invoke(b, 'reviewLicences', {
      customerId: contoso.id,
      subscriptionId: 'sub-contoso-exchange',
      mode: 'add',
      seats: '5',
    });
    const token = (actions(review.value).find((a) => a.verb === 'confirm')!.data as { token: string }).token;
    const answers = await Promise.all(Array.from({ length: 20 }, () => invoke(b, 'confirm', { token })));
    const bodies = answers.map((a) => JSON.stringify(a.value));
    const { t } = wording.for('en-US');
    expect(bodies.filter((x) => x.includes(t('licences.doneTitle')))).toHaveLength(1);
    expect(bodies.filter((x) => x.includes(t('licences.alreadyTitle')))).toHaveLength(19);
    expect(await seats(b, 'Contoso Ltd', 'sub-contoso-exchange')).toBe(15);
  });

  it('tampered card data: unknown ids, seats that are not a number, a forged token', async () => {
    const b = await start();
    const id = (await customerNamed(b.app, 'Contoso Ltd')).id;
    const before = await directorySnapshot(b.app);
    const bad = [
      {
        verb: 'reviewLicences',
        customerId: 'nope',
        subscriptionId: 'sub-contoso-exchange',
        mode: 'add',
        seats: '2',
      },
      { verb: 'reviewLicences', customerId: id, subscriptionId: 'sub-nope', mode: 'add', seats: '2' },
      {
        verb: 'reviewLicences',
        customerId: id,
        subscriptionId: 'sub-contoso-exchange',
        mode: 'add',
        seats: 'lots',
      },
      {
        verb: 'reviewLicences',
        customerId: id,
        subscriptionId: 'sub-contoso-exchange',
        mode: 'remove',
        seats: '2',
      },
      { verb: 'reviewLicences', customerId: id, mode: 'add', seats: '2' },
      {
        verb: 'reviewLicences',
        customerId: id,
        subscriptionId: 'sub-contoso-exchange',
        mode: 'add',
        seats: 'Infinity',
      },
      { verb: 'startLicences', customerId: id, subscriptionId: 'sub-nope' },
      { verb: 'confirm', token: 'forged-token-0123' },
    ];
    const { t } = wording.for('en-US');
    for (const value of bad) {
      const answer = await say(b, 'en-US', { value });
      expect(answer.map((a) => a.text).join('\n'), JSON.stringify(value)).toContain(t('card.invalid'));
    }
    expect(await directorySnapshot(b.app)).toBe(before);
    expect(await b.app.storage.ledger.history(id)).toEqual([]);
  });
});
