/**
 * End to end in a real browser: the bot (in process, temp data dir), Microsoft 365 Agents Playground in Teams
 * mode pointed at it (child process), and Debian's Chromium driven by playwright-core, everything on 127.0.0.1
 * and offline. The user types and presses buttons as in Teams; the test reads what the cards show, then checks
 * the ledger and the directory. A screenshot of each step is saved in test-artifacts/e2e/.
 *
 * Chromium: /usr/bin/chromium (or CHROMIUM_PATH). When it is missing the tests are skipped with a warning,
 * except in CI (CI=true), where that is a failure (.ci/run installs it).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Activity, TurnContext } from 'botbuilder';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlayground, type RunningPlayground } from '../../scripts/playground.js';
import { Wording } from '../../src/bot/i18n.js';
import { browserSteps } from './browser-steps.js';
import { allCustomers, startBot, type RunningBot } from '../support/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const IN_CI = process.env.CI === 'true';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/e2e/', import.meta.url));
const MESSAGE_BOX = '[data-lexical-editor="true"][role="textbox"]';
const STEP_TIMEOUT = 15_000;

const wording = new Wording();
const en = wording.for('en-US');
const fr = wording.for('fr-FR');
/** The user's time zone, as the Playground reports it (its own process's: TZ). */
const USER_TIME_ZONE = 'Europe/Paris';

if (!HAVE_CHROMIUM && !IN_CI) {
  console.warn(
    [
      '',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      `!!  BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM}.`,
      '!!  Install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH, then run',
      '!!  npx vitest run test/e2e. In CI (CI=true) a missing Chromium fails the run.',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      '',
    ].join('\n'),
  );
}

if (!HAVE_CHROMIUM && IN_CI) {
  describe('browser tests (Agents Playground + Chromium)', () => {
    it('need Chromium', () => {
      throw new Error(
        `No Chromium at ${CHROMIUM}: CI must install it (.ci/run runs apt-get install chromium), ` +
          'or set CHROMIUM_PATH.',
      );
    });
  });
}

/** What the bot received and what its card updates got back from the Playground's connector. */
interface Recorded {
  readonly received: Partial<Activity>[];
  readonly updates: { readonly ok: boolean; readonly error?: string }[];
}

let dataDir = '';
let bot: RunningBot | undefined;
let playground: RunningPlayground | undefined;
let context: BrowserContext | undefined;
let page: Page;
const { noTemplateLeft, shot, failureShot } = browserSteps(() => page, ARTIFACTS);
const recorded: Recorded = { received: [], updates: [] };
const blockedRequests = new Set<string>();
/** The language each card of the French flow came back in. */
const frenchFlow: Record<string, string> = {};

(HAVE_CHROMIUM ? describe : describe.skip)(
  'in Microsoft 365 Agents Playground (Teams mode), in Chromium',
  () => {
    beforeAll(async () => {
      // Its own artifacts only: test/e2e/webchat.test.ts writes in webchat/ here, perhaps at the same time.
      mkdirSync(ARTIFACTS, { recursive: true });
      for (const name of readdirSync(ARTIFACTS)) {
        if (name !== 'webchat') rmSync(join(ARTIFACTS, name), { recursive: true, force: true });
      }
      dataDir = mkdtempSync(join(tmpdir(), 'ua-e2e-'));
      bot = await startBot({ DATA_DIR: join(dataDir, 'data') });
      bot.app.adapter.use(async (turn: TurnContext, next) => {
        recorded.received.push({ ...turn.activity });
        turn.onUpdateActivity(async (_ctx, _activity, nextUpdate) => {
          try {
            await nextUpdate();
            recorded.updates.push({ ok: true });
          } catch (error) {
            recorded.updates.push({
              ok: false,
              error: error instanceof Error ? error.message : String(error),
            });
            throw error;
          }
        });
        await next();
      });
      playground = await startPlayground({
        botEndpoint: `${bot.url}/api/messages`,
        channel: 'msteams',
        workDir: join(dataDir, 'playground'),
        // Sent as the user's localTimezone on every activity, as Teams does: dates are written in it.
        timeZone: USER_TIME_ZONE,
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
        viewport: { width: 1400, height: 1900 },
        locale: 'en-US',
        timezoneId: 'UTC',
        permissions: ['clipboard-read', 'clipboard-write'],
        timeout: 30_000,
      });
      // The Playground's page asks a CDN for its fonts: refused (the browser stays offline), it uses local fonts.
      await context.route(
        (url) => url.hostname !== '127.0.0.1',
        (route) => {
          blockedRequests.add(new URL(route.request().url()).hostname);
          return route.abort();
        },
      );
      page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(STEP_TIMEOUT);
      await page.goto(playground.url);
      await page.locator(MESSAGE_BOX).waitFor();
      // The Teams welcome (installationUpdate) arrives first.
      await until(
        () => recorded.received.some((a) => a.type === 'installationUpdate'),
        'the installationUpdate',
      );
    }, 90_000);

    afterAll(async () => {
      if (playground !== undefined) {
        writeFileSync(join(ARTIFACTS, 'playground-output.log'), playground.output());
      }
      writeFindings();
      await context?.close().catch(() => undefined);
      await playground?.close();
      await bot?.close();
      if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
    }, 30_000);

    it('English: can Contoso upgrade? → Upgrade… → E3 → Review → Confirm → Upgrade done', async () => {
      failureShot('failure-en');
      await say('can Contoso upgrade?');
      const eligibility = card('sub-contoso-essentials');
      await eligibility.waitFor();
      await expect
        .poll(() => eligibility.innerText(), { timeout: STEP_TIMEOUT })
        .toContain('Office 365 Enterprise E5: blocked');
      const shown = await eligibility.innerText();
      expect(shown).toContain('Office 365 Business Essentials');
      expect(shown).toContain('Power BI Pro');
      await noTemplateLeft();
      const upgrade = eligibility.getByRole('button', { name: en.t('eligibility.upgrade') });
      await expect.poll(() => upgrade.count()).toBe(1); // only the Business Essentials subscription can move
      await shot('01-eligibility-en', eligibility);

      // Upgrade… : a Teams Universal Action (invoke), answered with the choose-target card.
      const invokesBefore = invokes().length;
      await upgrade.click();
      const choose = chooseCard('sub-contoso-essentials');
      await choose.waitFor();
      expect(invokes().length).toBe(invokesBefore + 1);
      expect(invokes().at(-1)?.value).toMatchObject({
        action: { type: 'Action.Execute', verb: 'startUpgrade' },
      });
      const targets = await choose
        .getByRole('radio')
        .evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value));
      expect(targets).toEqual(['O365_BUSINESS_PREMIUM', 'O365_E1', 'O365_E3']); // E5 is blocked: not offered
      await choose.getByRole('radio', { name: /Office 365 Enterprise E3/ }).check();
      const seats = choose.getByRole('spinbutton');
      expect(await seats.inputValue()).toBe('40');
      expect(await choose.getByRole('checkbox').isChecked()).toBe(true); // licence transfer on by default
      await noTemplateLeft();
      await shot('02-choose-target-en', choose);

      // Review: the invoke response (the confirm card) replaces the pressed card in place.
      const cardsBefore = await page.locator('.ac-adaptiveCard').count();
      await choose.getByRole('button', { name: en.t('upgrade.labels.review') }).click();
      const confirm = confirmCard('sub-contoso-essentials');
      await confirm.waitFor();
      await expect
        .poll(() => chooseCard('sub-contoso-essentials').count(), { timeout: STEP_TIMEOUT })
        .toBe(0);
      expect(await page.locator('.ac-adaptiveCard').count()).toBe(cardsBefore);
      const confirmText = await confirm.innerText();
      expect(confirmText).toContain('Office 365 Business Essentials → Office 365 Enterprise E3');
      expect(confirmText).toContain('Adele Vance (adelev@contoso.onmicrosoft.com)');
      expect(confirmText).toContain('Isaiah Langer (isaiahl@contoso.onmicrosoft.com)');
      await noTemplateLeft();
      await shot('03-confirm-en', confirm);

      await confirm.getByRole('button', { name: en.t('upgrade.labels.confirm') }).click();
      const outcome = card(en.t('upgrade.doneTitle'));
      await outcome.waitFor();
      expect(await confirmCard('sub-contoso-essentials').count()).toBe(0); // replaced: no second click possible
      expect(await outcome.getByRole('button').count()).toBe(0);
      await noTemplateLeft();
      await shot('04-outcome-en', outcome);

      // The ledger and the directory, through the app.
      const contoso = await customer('Contoso Ltd');
      const history = await bot!.app.storage.ledger.history(contoso.id);
      expect(history).toHaveLength(1);
      const [entry] = history;
      expect(entry).toMatchObject({
        status: 'done',
        subscriptionId: 'sub-contoso-essentials',
        fromOffer: 'O365_BUSINESS_ESSENTIALS',
        target: 'O365_E3',
        quantity: 40,
        upgradeType: 'upgrade_with_license_transfer',
        requestedBy: { name: 'Alex Wilber' }, // the Playground's user
      });
      expect(await outcome.innerText()).toContain(entry!.newSubscriptionId!);
      const now = (await customer('Contoso Ltd')).subscriptions;
      expect(now.find((s) => s.id === entry!.newSubscriptionId)).toMatchObject({
        offerId: 'O365_E3',
        status: 'active',
        quantity: 40,
      });
      expect(now.find((s) => s.id === 'sub-contoso-essentials')?.status).not.toBe('active');
    }, 90_000);

    it('French (locale fr-FR, sent as a Playground custom activity): Société Lamna, the same flow', async () => {
      failureShot('failure-fr');
      // The Playground has no locale setting: it sends every message and invoke with locale "en-US". Its
      // "Mock an Activity → Custom activity" editor sends an activity as written: the question goes that way.
      await sendCustomActivity({
        type: 'message',
        text: 'Société Lamna peut-il passer à une offre supérieure ?',
        locale: 'fr-FR',
      });
      const eligibility = card('sub-lamna-essentials');
      await eligibility.waitFor();
      const shown = await eligibility.innerText();
      expect(shown).toContain(fr.t('eligibility.title', { customer: 'Société Lamna' }));
      expect(shown).toContain(fr.t('eligibility.facts.seats'));
      expect(englishIn(shown)).toEqual([]);
      await verdictUnderHeading(
        eligibility,
        'Lamna Lyon – Office 365 Business Essentials (sub-lamna-essentials)',
        fr.t('eligibility.verdict.upgradable'),
      );
      await noTemplateLeft();
      await shot('05-eligibility-fr', eligibility);

      await eligibility.getByRole('button', { name: fr.t('eligibility.upgrade') }).click();
      // The card presses are invokes with locale "en-US", whatever the card's language.
      const choose = chooseCard('sub-lamna-essentials');
      await choose.waitFor();
      expect(invokes().at(-1)?.locale).toBe('en-US');
      frenchFlow.choose = await languageOf(choose, 'upgrade.labels.target');
      // The French edition of the Partner Center article says "Entreprise" (docs/glossary.md).
      await choose.getByRole('radio', { name: /Office 365 Entreprise E3/ }).check();
      // Every choice shown whole, the long E5 one (what it adds) included: the choices wrap.
      expect(await clippedLabels(choose)).toEqual([]);
      expect(await choose.innerText()).toContain('Power BI Pro et fonctionnalités d’analyse');
      expect(englishIn(await choose.innerText())).toEqual([]);
      await shot('06-choose-target-fr', choose);

      await choose.getByRole('button', { name: labels('upgrade.labels.review') }).click();
      const confirm = confirmCard('sub-lamna-essentials');
      await confirm.waitFor();
      frenchFlow.confirm = await languageOf(confirm, 'upgrade.labels.confirm');
      expect(await confirm.innerText()).toContain('Chloé Lefèvre (chloe.lefevre@lamna.fr)');
      expect(englishIn(await confirm.innerText())).toEqual([]);
      await noTemplateLeft();
      await shot('07-confirm-fr', confirm);

      await confirm.getByRole('button', { name: labels('upgrade.labels.confirm') }).click();
      const outcome = page
        .locator('.ac-adaptiveCard')
        .filter({ hasText: labels('upgrade.doneTitle') })
        .filter({ hasText: 'Société Lamna' })
        .last();
      await outcome.waitFor();
      frenchFlow.outcome = await languageOf(outcome, 'upgrade.doneTitle');
      // The date in the user's zone (the Playground's localTimezone), the zone named in French.
      expect(invokes().at(-1)?.localTimezone).toBe(USER_TIME_ZONE);
      expect(await outcome.innerText()).toMatch(/à \d\d:\d\d heure (normale|d’été) d’Europe centrale/);
      expect(englishIn(await outcome.innerText())).toEqual([]);
      await noTemplateLeft();
      await shot('08-outcome-fr', outcome);

      const lamna = await customer('Société Lamna');
      const [entry, ...others] = await bot!.app.storage.ledger.history(lamna.id);
      expect(others).toEqual([]);
      expect(entry).toMatchObject({ status: 'done', target: 'O365_E3', quantity: 15 });
      expect(await outcome.innerText()).toContain(entry!.newSubscriptionId!);
    }, 90_000);

    // The Playground sends every invoke as en-US: the cards carry their language in each action's data and the
    // bot answers a press in the card's language.
    it('the cards that answer a press on a French card are in French, though the invokes say en-US', () => {
      expect(frenchFlow).toEqual({ choose: 'fr', confirm: 'fr', outcome: 'fr' });
    });

    it('a blocked customer: Fabrikam Inc, every reason and its remedy, no Upgrade… button', async () => {
      failureShot('failure-blocked');
      await say('can Fabrikam Inc upgrade?');
      const eligibility = card('sub-fabrikam-premium');
      await eligibility.waitFor();
      const shown = await eligibility.innerText();
      expect(shown).toContain('Fabrikam Inc: no subscription can be upgraded now (2 in all).');
      expect(shown).toContain('Office 365 Enterprise E3: blocked');
      expect(shown).toContain('Office 365 Enterprise E5: blocked');
      expect(shown).toContain('bought through another CSP partner');
      expect(shown).toContain('they must cancel Fabrikam executives');
      expect(shown).toContain('(Multichannel)');
      await verdictUnderHeading(
        eligibility,
        'Fabrikam staff – Office 365 Business Premium (sub-fabrikam-premium)',
        en.t('eligibility.verdict.blocked'),
      );
      expect(await eligibility.getByRole('button', { name: en.t('eligibility.upgrade') }).count()).toBe(0);
      await noTemplateLeft();
      await shot('09-blocked-en', eligibility);
      expect(await bot!.app.storage.ledger.history((await customer('Fabrikam Inc')).id)).toEqual([]);
    }, 60_000);

    it('what the Playground did: Action.Execute invokes only, offline, card updates with text + card refused', async () => {
      // Teams mode: every press was an adaptiveCard/action invoke carrying Action.Execute, never a message value.
      const presses = invokes();
      expect(presses.length).toBeGreaterThanOrEqual(6);
      for (const p of presses) {
        expect(p.channelId).toBe('msteams');
        expect((p.value as { action?: { type?: string } }).action?.type).toBe('Action.Execute');
      }
      expect(recorded.received.filter((a) => a.type === 'message' && a.value !== undefined)).toEqual([]);
      // Nothing left this machine from the page but the refused CDN font requests.
      expect([...blockedRequests].filter((h) => !h.endsWith('.cdn.office.net'))).toEqual([]);
      expect(playground!.output()).not.toContain('[offline] refused');

      // The bot also updates the pressed message for everyone (updateActivity). The Playground's connector, like
      // Teams, keeps text and card as two messages and refuses to update one into "text + card":
      const review = presses.find(
        (p) =>
          (p.value as { action: { verb: string } }).action.verb === 'review' && p.replyToId !== undefined,
      )!;
      const url = `${review.serviceUrl}/v3/conversations/${review.conversation!.id}/activities/${review.replyToId}`;
      const card = {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: minimalCard('updated'),
      };
      const put = (body: unknown) =>
        fetch(url, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const both = await put({ type: 'message', text: 'summary', attachments: [card] });
      expect(both.status).toBe(400);
      expect(await both.text()).toContain('Activity resulted into multiple skype activities');
      const cardOnly = await put({ type: 'message', attachments: [card] });
      expect(cardOnly.status).toBe(200);
      await expect
        .poll(() => page.getByText('updated', { exact: true }).count(), { timeout: STEP_TIMEOUT })
        .toBe(1);
    }, 30_000);

    // The bot updates the pressed message with the card alone, which the Playground (like Teams) accepts: the
    // message changes for everyone in the chat, not only in the invoke response of the user who pressed.
    it("the Playground accepts the bot's card updates", () => {
      expect(recorded.updates.length).toBeGreaterThan(0);
      expect(recorded.updates.filter((u) => !u.ok)).toEqual([]);
    });
  },
);

// ----------------------------------------------------------------------------------------------------------

/** What the Playground sent and did, for the reader of the artifacts (test-artifacts/e2e/findings.json). */
function writeFindings(): void {
  const actionOf = (a: Partial<Activity>) =>
    (a.value as { action?: { type?: string; verb?: string } } | undefined)?.action;
  const findings = {
    invokes: invokes().map((a) => ({
      locale: a.locale,
      localTimezone: a.localTimezone,
      replyToId: a.replyToId,
      type: actionOf(a)?.type,
      verb: actionOf(a)?.verb,
    })),
    messageLocales: recorded.received.filter((a) => a.type === 'message').map((a) => a.locale),
    frenchFlowLanguages: frenchFlow,
    botCardUpdates: recorded.updates,
    refusedBrowserRequests: [...blockedRequests],
  };
  writeFileSync(join(ARTIFACTS, 'findings.json'), `${JSON.stringify(findings, null, 2)}\n`);
}

/** Waits (outside a test) until `done()` holds. */
async function until(done: () => boolean, what: string, ms = STEP_TIMEOUT): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} did not come within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function invokes(): Partial<Activity>[] {
  return recorded.received.filter((a) => a.type === 'invoke' && a.name === 'adaptiveCard/action');
}

async function customer(name: string) {
  const found = (await allCustomers(bot!.app)).find((c) => c.companyProfile.companyName === name);
  if (found === undefined) throw new Error(`no customer ${name}`);
  return found;
}

/** The latest card showing `text`. */
function card(text: string): Locator {
  return page.locator('.ac-adaptiveCard').filter({ hasText: text }).last();
}

/** The choose-target card (a radio list of plans) of a subscription. */
function chooseCard(subscriptionId: string): Locator {
  return page
    .locator('.ac-adaptiveCard')
    .filter({ hasText: subscriptionId })
    .filter({ has: page.getByRole('radiogroup') })
    .last();
}

/** The confirm card (Confirm and Cancel buttons, in either language) of a subscription. */
function confirmCard(subscriptionId: string): Locator {
  return page
    .locator('.ac-adaptiveCard')
    .filter({ hasText: subscriptionId })
    .filter({ has: page.getByRole('button', { name: labels('upgrade.labels.confirm') }) })
    .last();
}

/** A wording key in English or in French, as a pattern for button names and texts. */
function labels(key: string): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escape(en.t(key))}|${escape(fr.t(key))}`);
}

/** 'fr' or 'en': which language's wording of `key` the card shows. */
async function languageOf(locator: Locator, key: string): Promise<string> {
  const text = await locator.innerText();
  if (text.includes(fr.t(key))) return 'fr';
  if (text.includes(en.t(key))) return 'en';
  return 'neither';
}

async function say(text: string): Promise<void> {
  const box = page.locator(MESSAGE_BOX);
  await box.click();
  await box.fill(text);
  await box.press('Enter');
}

/**
 * Sends an activity through the Playground's "Mock an Activity → Custom activity" editor: its template (the
 * conversation, the user, the bot, the service URL) with `fields` laid over it.
 */
async function sendCustomActivity(fields: Record<string, unknown>): Promise<void> {
  await page.getByRole('button', { name: 'Mock an Activity' }).click();
  await page.getByRole('menuitem', { name: 'Custom activity' }).click();
  const dialog = page.getByRole('dialog');
  const editor = dialog.locator('.monaco-editor').first();
  await editor.waitFor();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+C');
  const template = JSON.parse(
    await page.evaluate(() => (globalThis as unknown as BrowserGlobals).navigator.clipboard.readText()),
  ) as object;
  const activity = { ...template, ...fields, timestamp: new Date().toISOString() };
  // Pasted, not typed: the editor would close brackets and indent as it goes.
  await page.evaluate(
    (text) => (globalThis as unknown as BrowserGlobals).navigator.clipboard.writeText(text),
    JSON.stringify(activity, null, 2),
  );
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
  await dialog.getByRole('button', { name: 'Send activity' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** What the page's code uses of the browser (the project's TypeScript has no DOM types). */
interface BrowserGlobals {
  readonly navigator: {
    readonly clipboard: { readText(): Promise<string>; writeText(text: string): Promise<void> };
  };
}

/** English wording that must not show on a French card: labels, verdicts, and the names fr localizes. */
const ENGLISH_ONLY = [
  ...[
    'eligibility.facts.seats',
    'eligibility.facts.status',
    'eligibility.facts.channel',
    'eligibility.verdict.upgradable',
    'eligibility.verdict.blocked',
    'eligibility.upgrade',
    'upgrade.labels.target',
    'upgrade.labels.seats',
    'upgrade.labels.review',
    'upgrade.labels.confirm',
    'upgrade.labels.cancel',
    'upgrade.facts.customer',
    'upgrade.facts.change',
    'upgrade.facts.type',
    'upgrade.facts.added',
    'upgrade.doneTitle',
    'upgrade.nextStepsTitle',
    'service.office-apps',
    'service.phone-system',
    'service.audio-conferencing',
    'service.advanced-threat-protection',
  ].map((key) => en.t(key)),
  'Office 365 Enterprise E1',
  'Office 365 Enterprise E3',
  'Coordinated Universal Time',
];

/** The English-only words found in a French card's text. */
function englishIn(text: string): string[] {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return ENGLISH_ONLY.filter((english) =>
    new RegExp(`(?<!\\p{L})${escape(english)}(?!\\p{L})`, 'u').test(text),
  );
}

/** The verdict is its own line under the subscription heading (not a column beside it). */
async function verdictUnderHeading(card: Locator, heading: string, verdict: string): Promise<void> {
  const top = await card.getByText(heading, { exact: true }).boundingBox();
  const under = await card.getByText(verdict, { exact: true }).first().boundingBox();
  expect(top).not.toBeNull();
  expect(under).not.toBeNull();
  expect(under!.y).toBeGreaterThanOrEqual(top!.y + top!.height - 1);
  expect(Math.abs(under!.x - top!.x)).toBeLessThan(2);
}

/** The labels of a card cut by their box (ellipsis, no wrap): their text overflows. */
async function clippedLabels(card: Locator): Promise<string[]> {
  return card.locator('label').evaluateAll((labels) =>
    labels
      .map((l) => l as unknown as { scrollWidth: number; clientWidth: number; textContent: string | null })
      .filter((l) => l.scrollWidth > l.clientWidth + 1)
      .map((l) => l.textContent ?? ''),
  );
}

function minimalCard(text: string) {
  return { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text }] };
}
