/**
 * Issue 16: a long answer stays within Teams' limits. Teams counts a message in UTF-16 (about two bytes a
 * character) and refuses one over about 100 KB (413 MessageSizeTooBig); the bot keeps every activity under
 * 20,000 characters of JSON (40 KB in UTF-16). The real server, a directory of customers with 5, 15, 60 and 100
 * subscriptions, asked in English, French and Japanese, on Teams and on the Emulator: the activity the bot
 * POSTs to the channel, serialized, is measured.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoDirectory } from '../../src/directory/load.js';
import type { Customer } from '../../src/rules/index.js';
import { LONG_SIZES, mixedCustomer, openCustomer, longCustomers } from '../support/long-customers.js';
import { actions } from '../support/cards.js';
import { ChannelEndpoint, emulatorMessage, post, startBot, type RunningBot } from '../support/server.js';

const LIMIT = 20_000;

const QUESTIONS = {
  en: { locale: 'en-US', ask: (name: string) => `can ${name} upgrade?` },
  fr: { locale: 'fr-FR', ask: (name: string) => `${name} peut-il passer à une offre supérieure ?` },
  ja: { locale: 'ja-JP', ask: (name: string) => `${name}はアップグレードできますか？` },
} as const;
const CHANNELS = ['msteams', 'emulator'] as const;

let bot: RunningBot;
const channel = new ChannelEndpoint();
let serviceUrl: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'answer-size-'));
  const file = join(dir, 'directory.json');
  const demo = loadDemoDirectory();
  writeFileSync(
    file,
    JSON.stringify({ partner: demo.partner, customers: [...demo.customers, ...longCustomers()] }),
  );
  bot = await startBot({ DIRECTORY_FILE: file, RATE_LIMIT_MESSAGES: '0' });
  serviceUrl = await channel.start();
}, 60_000);
afterAll(async () => {
  await bot?.close();
  await channel.close();
});

/** The activity the bot POSTs to the channel in answer to `text`. */
async function answer(
  text: string,
  locale: string,
  channelId: string,
): Promise<{ activity: Partial<Activity>; size: number }> {
  const before = channel.received.length;
  const res = await post(bot.url, emulatorMessage(text, serviceUrl, { channelId, locale }));
  expect(res.status).toBe(200);
  await channel.waitFor(before + 1, 15_000);
  const activity = channel.received[before]!.activity;
  return { activity, size: JSON.stringify(activity).length };
}

const sizes: string[] = [];
afterAll(() => {
  if (sizes.length > 0)
    console.log(`Eligibility answer, serialized activity (characters of JSON):\n${sizes.join('\n')}`);
});

/** What a card action POSTs to the channel: Action.Execute (an invoke) on Teams, Action.Submit elsewhere. */
async function pressed(
  data: Record<string, unknown>,
  locale: string,
  channelId: string,
): Promise<{ activity: Partial<Activity>; size: number }> {
  const before = channel.received.length;
  const { verb, ...rest } = data;
  const activity =
    channelId === 'msteams'
      ? emulatorMessage('', serviceUrl, {
          type: 'invoke',
          name: 'adaptiveCard/action',
          channelId,
          locale,
          replyToId: 'card-1',
          value: { action: { type: 'Action.Execute', verb, data: rest } },
        })
      : emulatorMessage('', serviceUrl, { channelId, locale, replyToId: 'card-1', value: data });
  const res = await post(bot.url, activity);
  expect(res.status).toBe(200);
  await channel.waitFor(before + 1, 15_000);
  const sent = channel.received[before]!.activity;
  return { activity: sent, size: JSON.stringify(sent).length };
}

describe.each(CHANNELS)(
  'the next page and a subscription’s details, at 100 subscriptions, on %s',
  (channelId) => {
    it.each(Object.entries(QUESTIONS))(
      `%s: under ${LIMIT} characters`,
      async (language, { locale, ask }) => {
        for (const customer of [mixedCustomer(100), openCustomer(100)]) {
          const first = await answer(ask(customer.companyProfile.companyName), locale, channelId);
          const acts = actions(first.activity.attachments?.[0]?.content) as {
            data: Record<string, unknown>;
            verb?: string;
          }[];
          const verbOf = (a: { data: Record<string, unknown>; verb?: string }) => a.verb ?? a.data.verb;
          const withVerb = (a: { data: Record<string, unknown>; verb?: string }) => ({
            ...a.data,
            verb: verbOf(a),
          });
          const next = acts.find((a) => verbOf(a) === 'eligibilityPage')!;
          const page = await pressed(withVerb(next), locale, channelId);
          expect(page.activity.attachments).toHaveLength(1);
          sizes.push(`${language}\t${channelId}\tpage 2\t${customer.subscriptions.length}\t${page.size}`);
          expect.soft(page.size).toBeLessThan(LIMIT);
          for (const details of acts.filter((a) => verbOf(a) === 'subscriptionDetails').slice(0, 2)) {
            const card = await pressed(withVerb(details), locale, channelId);
            expect(card.activity.attachments).toHaveLength(1);
            sizes.push(`${language}\t${channelId}\tdetails\t${customer.subscriptions.length}\t${card.size}`);
            expect.soft(card.size).toBeLessThan(LIMIT);
          }
        }
      },
      30_000,
    );
  },
);

describe.each(Object.entries(QUESTIONS))('%s', (language, { locale, ask }) => {
  describe.each(CHANNELS)('%s', (channelId) => {
    it.each(LONG_SIZES)(
      `%i subscriptions: the whole activity under ${LIMIT} characters`,
      async (size) => {
        for (const [shape, customer] of [
          ['mixed', mixedCustomer(size)],
          ['open', openCustomer(size)],
        ] as [string, Customer][]) {
          const name = customer.companyProfile.companyName;
          const { activity, size: chars } = await answer(ask(name), locale, channelId);
          sizes.push(`${language}\t${channelId}\t${shape}\t${size}\t${chars}`);
          expect(activity.text, `${shape} ${size}`).toContain(name);
          expect(activity.attachments, `${shape} ${size}`).toHaveLength(1);
          expect.soft(chars, `${language} ${channelId} ${shape} ${size}`).toBeLessThan(LIMIT);
        }
      },
      30_000,
    );
  });
});
