/**
 * The Web Chat path end to end in a real browser: Action.Submit. The bot (in process, temp data dir), a local
 * Direct Line (scripts/directline.ts, a child process speaking Direct Line 3.0 to the page and the Bot Connector
 * API to the bot's /api/messages, channel id "webchat"), and Bot Framework Web Chat's own bundle
 * (botframework-webchat from npm, served on 127.0.0.1) in Debian's Chromium driven by playwright-core.
 * Everything stays on 127.0.0.1; every other host is refused.
 *
 * The user asks, chooses, confirms, then presses Confirm a second time on the same card: Direct Line cannot
 * update a sent message (as on Azure), so the confirm card stays pressable, and the bot must answer the second
 * press ("already done") without a second upgrade. The test reads what the page shows, then the ledger and the
 * directory. A screenshot of each step is saved in test-artifacts/e2e/webchat/.
 *
 * Chromium: /usr/bin/chromium (or CHROMIUM_PATH). When it is missing the test is skipped with a warning,
 * except in CI (CI=true), where that is a failure (.ci/run installs it).
 */
import { LINK_KEYS } from '../../src/bot/links.js';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Activity, TurnContext } from 'botbuilder';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDirectLine, type RunningDirectLine } from '../../scripts/directline.js';
import { startWebChatPage, type RunningWebChatPage } from '../../scripts/webchat.js';
import { Wording } from '../../src/bot/i18n.js';
import { browserSteps } from './browser-steps.js';
import { customerNamed, startBot, type RunningBot } from '../support/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const IN_CI = process.env.CI === 'true';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** Beside the Teams browser test's artifacts (test-artifacts/e2e/), in a folder of its own. */
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/e2e/webchat/', import.meta.url));
const STEP_TIMEOUT = 20_000;
const CHANNEL = 'webchat';
const USER = { id: 'webchat-megan', name: 'Megan Bowen' };

const en = new Wording().for('en-US');

if (!HAVE_CHROMIUM && !IN_CI) {
  console.warn(
    [
      '',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      `!!  WEB CHAT BROWSER TEST SKIPPED: no Chromium at ${CHROMIUM}.`,
      '!!  Install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH, then run',
      '!!  npx vitest run test/e2e. In CI (CI=true) a missing Chromium fails the run.',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      '',
    ].join('\n'),
  );
}

if (!HAVE_CHROMIUM && IN_CI) {
  describe('browser test (Web Chat over a local Direct Line + Chromium)', () => {
    it('needs Chromium', () => {
      throw new Error(
        `No Chromium at ${CHROMIUM}: CI must install it (.ci/run runs apt-get install chromium), ` +
          'or set CHROMIUM_PATH.',
      );
    });
  });
}

/** What the bot received, and what became of the message updates it tried. */
const received: Partial<Activity>[] = [];
const updates: { readonly ok: boolean; readonly error?: string }[] = [];
const blockedRequests = new Set<string>();

let dataDir = '';
let bot: RunningBot | undefined;
let directLine: RunningDirectLine | undefined;
let webChat: RunningWebChatPage | undefined;
let context: BrowserContext | undefined;
let page: Page;
const { noTemplateLeft, shot, failureShot } = browserSteps(() => page, ARTIFACTS);

(HAVE_CHROMIUM ? describe : describe.skip)(
  'in Bot Framework Web Chat over a local Direct Line (Action.Submit), in Chromium',
  () => {
    beforeAll(async () => {
      rmSync(ARTIFACTS, { recursive: true, force: true });
      mkdirSync(ARTIFACTS, { recursive: true });
      dataDir = mkdtempSync(join(tmpdir(), 'ua-e2e-webchat-'));
      bot = await startBot({ DATA_DIR: join(dataDir, 'data') });
      bot.app.adapter.use(async (turn: TurnContext, next) => {
        received.push({ ...turn.activity });
        turn.onUpdateActivity(async (_ctx, _activity, nextUpdate) => {
          try {
            await nextUpdate();
            updates.push({ ok: true });
          } catch (error) {
            updates.push({ ok: false, error: error instanceof Error ? error.message : String(error) });
            throw error;
          }
        });
        await next();
      });
      directLine = await startDirectLine({ botEndpoint: `${bot.url}/api/messages`, channelId: CHANNEL });
      webChat = await startWebChatPage({
        directLineDomain: directLine.domain,
        userId: USER.id,
        userName: USER.name,
        locale: 'en-US',
      });
      mkdirSync(join(dataDir, 'chromium'));
      context = await chromium.launchPersistentContext(join(dataDir, 'chromium'), {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--disable-default-apps',
          '--disable-extensions',
          // Nothing but this machine: every other host name fails to resolve.
          '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
        ],
        viewport: { width: 900, height: 1500 },
        locale: 'en-US',
        timezoneId: 'UTC',
        timeout: 30_000,
      });
      await context.route(
        (url) => url.hostname !== '127.0.0.1',
        (route) => {
          blockedRequests.add(new URL(route.request().url()).hostname);
          return route.abort();
        },
      );
      page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(STEP_TIMEOUT);
      await page.goto(webChat.url);
      await sendBox().waitFor();
      // Connected: the Direct Line told the bot the user joined, and the bot's welcome is on the page.
      await page.getByText(en.t('help.intro')).first().waitFor();
    }, 90_000);

    afterAll(async () => {
      if (directLine !== undefined) {
        writeFileSync(join(ARTIFACTS, 'directline-output.log'), directLine.output());
      }
      writeFindings();
      await context?.close().catch(() => undefined);
      await webChat?.close();
      await directLine?.close();
      await bot?.close();
      if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
    }, 30_000);

    it('can Contoso upgrade? → Upgrade… → E3 → Review → Confirm → Upgrade done; Confirm again → already done, one upgrade', async () => {
      failureShot('failure-webchat');
      const contoso = await customer('Contoso Ltd');
      const subscriptionsBefore = contoso.subscriptions.length;
      expect(await bot!.app.storage.ledger.history(contoso.id)).toEqual([]);

      // Ask.
      await say('can Contoso upgrade?');
      const eligibility = card('sub-contoso-essentials');
      await eligibility.waitFor();
      await expect
        .poll(() => textOf(eligibility), { timeout: STEP_TIMEOUT })
        .toContain('Office 365 Enterprise E5: blocked');
      const shown = await textOf(eligibility);
      expect(shown).toContain(en.t('eligibility.title', { customer: 'Contoso Ltd' }));
      expect(shown).toContain('Contoso HQ – Office 365 Business Essentials (sub-contoso-essentials)');
      expect(shown).toContain(en.t('eligibility.verdict.upgradable'));
      expect(shown).toContain('Power BI Pro');
      await noTemplateLeft();
      const upgrade = eligibility.getByRole('button', { name: en.t('eligibility.upgrade') });
      await expect.poll(() => upgrade.count()).toBe(1); // only the Business Essentials subscription can move
      await shot('01-eligibility', eligibility);

      // Choose: Upgrade… is an Action.Submit, sent as a message carrying its data in `value`.
      await upgrade.click();
      const choose = chooseCard('sub-contoso-essentials');
      await choose.waitFor();
      expect(submits().at(-1)?.value).toMatchObject({ verb: 'startUpgrade' });
      const targets = await choose
        .getByRole('radio')
        .evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value));
      expect(targets).toEqual(['O365_BUSINESS_PREMIUM', 'O365_E1', 'O365_E3']); // E5 is blocked: not offered
      await choose.getByRole('radio', { name: /Office 365 Enterprise E3/ }).check();
      expect(await choose.getByRole('spinbutton').inputValue()).toBe('40');
      expect(await choose.getByRole('checkbox').isChecked()).toBe(true); // licence transfer on by default
      await noTemplateLeft();
      await shot('02-choose-target', choose);

      // Review: the confirm card comes as a new message.
      await choose.getByRole('button', { name: en.t('upgrade.labels.review') }).click();
      const confirm = confirmCard('sub-contoso-essentials');
      await confirm.waitFor();
      expect(submits().at(-1)?.value).toMatchObject({ verb: 'review', target: 'O365_E3', seats: '40' });
      const confirmText = await textOf(confirm);
      expect(confirmText).toContain('Office 365 Business Essentials → Office 365 Enterprise E3');
      expect(confirmText).toContain('Adele Vance (adelev@contoso.onmicrosoft.com)');
      expect(confirmText).toContain('Isaiah Langer (isaiahl@contoso.onmicrosoft.com)');
      await noTemplateLeft();
      await shot('03-confirm', confirm);

      // Confirm: the outcome card comes as a new message; the confirm card stays, pressable.
      const confirmButton = confirm.getByRole('button', { name: en.t('upgrade.labels.confirm') });
      await confirmButton.click();
      const outcome = card(en.t('upgrade.doneTitle'));
      await outcome.waitFor();
      const [entry, ...others] = await bot!.app.storage.ledger.history(contoso.id);
      expect(others).toEqual([]);
      expect(entry).toMatchObject({
        status: 'done',
        subscriptionId: 'sub-contoso-essentials',
        fromOffer: 'O365_BUSINESS_ESSENTIALS',
        target: 'O365_E3',
        quantity: 40,
        upgradeType: 'upgrade_with_license_transfer',
        requestedBy: { id: USER.id, name: USER.name },
        decidedBy: { id: USER.id, name: USER.name },
      });
      const outcomeText = await textOf(outcome);
      expect(outcomeText).toContain('Contoso Ltd');
      expect(outcomeText).toContain('Office 365 Business Essentials → Office 365 Enterprise E3');
      expect(outcomeText).toContain(entry!.newSubscriptionId!);
      expect(outcomeText).toContain(USER.name);
      // The next steps are numbered 1, 2… as the bot numbers them (not each shown as a list of its own, "1.").
      expect(outcomeText).toMatch(/(^|\s)1\.\s[\s\S]*(^|\s)2\.\s/);
      // Nothing on it acts: its only buttons open the articles the seeds cite (Action.OpenUrl).
      const articles = LINK_KEYS.map((key) => en.t(`link.${key}`));
      const buttons = await outcome.getByRole('button').allTextContents();
      expect(
        buttons.every((b) => articles.some((title) => b.includes(title))),
        buttons.join(' | '),
      ).toBe(true);
      expect(await confirmButton.isEnabled()).toBe(true);
      await noTemplateLeft();
      await shot('04-outcome', outcome);

      // Confirm a second time, on the same card: answered, not done again.
      const cardsBefore = await page.locator('.ac-adaptiveCard').count();
      await confirmButton.click();
      const already = card(en.t('upgrade.alreadyTitle'));
      await already.waitFor();
      const alreadyText = await textOf(already);
      expect(alreadyText).toContain(`This upgrade was already done by ${USER.name} on `);
      expect(alreadyText).toContain('sub-contoso-essentials');
      expect(await already.getByRole('button').count()).toBe(0);
      expect(await page.locator('.ac-adaptiveCard').count()).toBe(cardsBefore + 1);
      await noTemplateLeft();
      await shot('05-confirm-again', already);

      // Both presses reached the bot, with the same token; the second changed nothing.
      const confirms = submits().filter((a) => (a.value as { verb?: string }).verb === 'confirm');
      expect(confirms).toHaveLength(2);
      expect(confirms[1]!.value).toEqual(confirms[0]!.value);
      expect(
        await page
          .locator('.ac-adaptiveCard')
          .filter({ hasText: en.t('upgrade.doneTitle') })
          .count(),
      ).toBe(1);
      // Exactly one upgrade: one ledger entry, one new subscription, the old one no longer active.
      const history = await bot!.app.storage.ledger.history(contoso.id);
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ token: entry!.token, status: 'done' });
      const after = (await customer('Contoso Ltd')).subscriptions;
      expect(after).toHaveLength(subscriptionsBefore + 1);
      expect(after.filter((s) => s.id === entry!.newSubscriptionId)).toEqual([
        expect.objectContaining({ offerId: 'O365_E3', status: 'active', quantity: 40 }),
      ]);
      expect(after.find((s) => s.id === 'sub-contoso-essentials')?.status).not.toBe('active');
    }, 120_000);

    it('what Web Chat sent: messages with value (Action.Submit) on channel "webchat", never an invoke; offline', () => {
      expect(received.filter((a) => a.type === 'invoke')).toEqual([]);
      expect(received.every((a) => a.channelId === CHANNEL)).toBe(true);
      expect(submits().map((a) => (a.value as { verb?: string }).verb)).toEqual([
        'startUpgrade',
        'review',
        'confirm',
        'confirm',
      ]);
      for (const a of submits()) {
        expect(a.from).toMatchObject({ id: USER.id, name: USER.name });
        expect(a.recipient?.role).toBe('bot');
      }
      // The page asked nothing of any other host.
      expect([...blockedRequests]).toEqual([]);
    });
  },
);

// ----------------------------------------------------------------------------------------------------------

/** The card presses: messages carrying a value (Action.Submit), as Web Chat sends them. */
function submits(): Partial<Activity>[] {
  return received.filter((a) => a.type === 'message' && a.value !== undefined);
}

/** What happened, for the reader of the artifacts (test-artifacts/e2e/webchat/findings.json). */
function writeFindings(): void {
  const findings = {
    received: received.map((a) => ({
      type: a.type,
      channelId: a.channelId,
      locale: a.locale,
      replyToId: a.replyToId,
      verb: (a.value as { verb?: string } | undefined)?.verb,
      text: a.text,
    })),
    botMessageUpdates: updates,
    refusedBrowserRequests: [...blockedRequests],
  };
  writeFileSync(join(ARTIFACTS, 'findings.json'), `${JSON.stringify(findings, null, 2)}\n`);
}

function customer(name: string) {
  return customerNamed(bot!.app, name);
}

function sendBox(): Locator {
  return page.getByPlaceholder('Type your message');
}

async function say(text: string): Promise<void> {
  const box = sendBox();
  await box.click();
  await box.fill(text);
  await box.press('Enter');
}

/**
 * What a card shows, as text. Web Chat's renderer puts zero-width spaces around the links it makes (the e-mail
 * addresses): they are left out.
 */
async function textOf(locator: Locator): Promise<string> {
  return (await locator.innerText()).replace(/\u200b/g, '');
}

/** The latest card showing `text`. */
function card(text: string): Locator {
  return page.locator('.ac-adaptiveCard').filter({ hasText: text }).last();
}

/** The choose-target card (a list of plans to pick from) of a subscription. */
function chooseCard(subscriptionId: string): Locator {
  return page
    .locator('.ac-adaptiveCard')
    .filter({ hasText: subscriptionId })
    .filter({ has: page.getByRole('radio') })
    .last();
}

/** The confirm card (Confirm upgrade and Cancel) of a subscription. */
function confirmCard(subscriptionId: string): Locator {
  return page
    .locator('.ac-adaptiveCard')
    .filter({ hasText: subscriptionId })
    .filter({ has: page.getByRole('button', { name: en.t('upgrade.labels.confirm') }) })
    .last();
}
