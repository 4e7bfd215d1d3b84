/**
 * The bot reading Partner Center (the simulator, a process of its own) over HTTP, as Teams drives it: the
 * sync, the live re-check at review following Partner Center where it and the rules disagree (and counting it),
 * the upgrade carried out in Partner Center exactly once (also when the connection drops after it was
 * applied), and credentials that Partner Center refuses.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../scripts/partner-center-sim/start.js';
import { loadDemoDirectory } from '../../../src/directory/load.js';
import type { Customer } from '../../../src/rules/index.js';
import { ScriptedChannel, teamsInvoke, type ChildBot } from '../../hardening/support.js';
import { post } from '../../support/server.js';
import { actions } from '../../support/cards.js';
import { ask, press, review, stopAll, waitUntil } from '../../support/child-bots.js';
import {
  invoke,
  ledgerCount,
  ledgerEntry,
  metricsOf,
  metricValue,
  newDataDir,
  startSyncedBot,
} from './support.js';

vi.setConfig({ testTimeout: 120_000 });

const demo = loadDemoDirectory();
const named = (name: string): Customer => demo.customers.find((c) => c.companyProfile.companyName === name)!;
const contoso = named('Contoso Ltd');
const fabricam = named('Fabricam Ltd');
const adventure = named('Adventure Works Cycles');

const NOT_ELIGIBLE_THERE =
  /^partner_center_disagreements_total\{rules="eligible",partner_center="not-eligible"\}/;
const ELIGIBLE_THERE =
  /^partner_center_disagreements_total\{rules="not-eligible",partner_center="eligible"\}/;

const channel = new ScriptedChannel();
let serviceUrl = '';
let sim: RunningSimulator;
let bot: ChildBot;
let dataDir: string;

beforeAll(async () => {
  serviceUrl = await channel.start();
  sim = await startSimulator({ rateLimitPerMinute: 0 });
  dataDir = newDataDir();
  bot = await startSyncedBot(sim, dataDir, demo.customers.length);
}, 180_000);
afterAll(async () => {
  await stopAll();
  await sim?.stop();
  await channel.close();
});
afterEach(async () => {
  await sim.clearFaults();
  await sim.secret('valid');
});

describe('answers from the store, with their freshness', () => {
  it('says how fresh the data is, and what was not checked', async () => {
    const answer = await ask(bot, serviceUrl, 'can Contoso upgrade?');
    expect(answer).toMatch(/As of \d{1,2}:\d{2}/);
    expect(answer).toContain('Not checked here: delegated admin privileges');
    expect(answer).toContain('Contoso Ltd');
  });
});

describe('the upgrade, in Partner Center, once', () => {
  it('review re-checks live, confirm upgrades in the simulator once, and the card says where', async () => {
    await sim.resetStats();
    const token = await review(bot, serviceUrl, {
      customerId: contoso.id,
      subscriptionId: 'sub-contoso-essentials',
      target: 'O365_E3',
      seats: 40,
    });
    expect((await sim.stats()).byRoute['GET upgrades']?.['200']).toBeGreaterThanOrEqual(1);
    const pressed = await press(bot, serviceUrl, token);
    expect(pressed.answer, pressed.body).toBe('done');
    expect(pressed.body).toContain('Partner Center');
    const stats = await sim.stats();
    expect(stats.upgradesApplied).toBe(1);
    expect(stats.upgradeRequestIds).toHaveLength(1);
    const after = (await sim.customer(contoso.id)) as Customer;
    expect(after.subscriptions.find((s) => s.id === 'sub-contoso-essentials')?.status).not.toBe('active');
    expect(after.subscriptions.filter((s) => s.offerId === 'O365_E3' && s.status === 'active')).toHaveLength(
      1,
    );
    // A second press says it is done already, and changes nothing.
    const again = await press(bot, serviceUrl, token);
    expect(again.answer).toBe('already');
    expect((await sim.stats()).upgradesApplied).toBe(1);
  });

  it('the connection drops after Partner Center applied the POST: the retry has the same MS-RequestId, one upgrade', async () => {
    await sim.resetStats();
    const woodgrove = named('Woodgrove Bank');
    const token = await review(bot, serviceUrl, {
      customerId: woodgrove.id,
      subscriptionId: 'sub-woodgrove-business',
      target: 'O365_BUSINESS_PREMIUM',
      seats: woodgrove.subscriptions[0]!.quantity,
    });
    await sim.faults([{ method: 'POST', path: '/upgrades$', action: 'drop-after-apply', times: 1 }]);
    const pressed = await press(bot, serviceUrl, token);
    expect(pressed.answer, pressed.body).toBe('done');
    const stats = await sim.stats();
    expect(stats.upgradesApplied).toBe(1);
    expect(stats.idempotentReplays).toBe(1);
    expect(stats.upgradeRequestIds).toHaveLength(2);
    expect(new Set(stats.upgradeRequestIds).size).toBe(1);
  });
});

describe('licences added, in Partner Center, once', () => {
  /** Teams: Review on the add-licences card of a subscription; the confirm card's token, or the answer. */
  async function licenceToken(customerId: string, subscriptionId: string, seats: number) {
    const body = await invoke(bot, serviceUrl, 'reviewLicences', {
      customerId,
      subscriptionId,
      mode: 'add',
      seats: String(seats),
    });
    const confirm = actions(JSON.parse(body) as unknown).find((a) => a.verb === 'confirm');
    return { body, token: (confirm?.data as { token?: string } | undefined)?.token };
  }

  it('confirm PATCHes the seats in the simulator once; the card says Partner Center; a second press adds nothing', async () => {
    await sim.resetStats();
    const { body, token } = await licenceToken(contoso.id, 'sub-contoso-exchange', 4);
    expect(token, body).toBeDefined();
    const done = await invoke(bot, serviceUrl, 'confirm', { token: token! });
    expect(done).toContain('Licences added');
    expect(done).toContain('The seat count was changed in Partner Center.');
    const seats = async () =>
      ((await sim.customer(contoso.id)) as Customer).subscriptions.find(
        (s) => s.id === 'sub-contoso-exchange',
      )?.quantity;
    expect(await seats()).toBe(14);
    const again = await invoke(bot, serviceUrl, 'confirm', { token: token! });
    expect(again).toContain('Already handled');
    expect(await seats()).toBe(14);
    expect((await sim.stats()).quantityChanges).toBe(1);
    expect(ledgerEntry(dataDir, token!)?.status).toBe('done');
  });

  it('the seats changed in Partner Center before the card (since the sync): the card reads them there', async () => {
    const trey = named('Trey Research');
    const there = (await sim.customer(trey.id)) as Customer;
    const seatsThere = there.subscriptions.find((s) => s.id === 'sub-trey-proplus')!.quantity + 3;
    await sim.replaceCustomer({
      ...there,
      subscriptions: there.subscriptions.map((s) =>
        s.id === 'sub-trey-proplus' ? { ...s, quantity: seatsThere } : s,
      ),
    });
    const { body, token } = await licenceToken(trey.id, 'sub-trey-proplus', 2);
    expect(body).toContain(`${seatsThere} → ${seatsThere + 2}`);
    const done = await invoke(bot, serviceUrl, 'confirm', { token: token! });
    expect(done).toContain('Licences added');
    const now = (await sim.customer(trey.id)) as Customer;
    expect(now.subscriptions.find((s) => s.id === 'sub-trey-proplus')?.quantity).toBe(seatsThere + 2);
  });

  it('the seats changed in Partner Center after the card: refused as a conflict, the other change kept', async () => {
    const { token } = await licenceToken(named('Société Lamna').id, 'sub-lamna-essentials', 5);
    const lamna = (await sim.customer(named('Société Lamna').id)) as Customer;
    const changed = lamna.subscriptions.map((s) =>
      s.id === 'sub-lamna-essentials' ? { ...s, quantity: s.quantity + 2 } : s,
    );
    await sim.replaceCustomer({ ...lamna, subscriptions: changed });
    const refused = await invoke(bot, serviceUrl, 'confirm', { token: token! });
    expect(refused).toContain('Licences not added');
    expect(refused).toContain('changed since the card was made');
    const now = (await sim.customer(named('Société Lamna').id)) as Customer;
    expect(now.subscriptions.find((s) => s.id === 'sub-lamna-essentials')?.quantity).toBe(
      changed.find((s) => s.id === 'sub-lamna-essentials')!.quantity,
    );
  });
});

describe('an upgrade card and seats added in Partner Center since', () => {
  it('the upgrade is refused with the seats there, never carried out to the card’s count', async () => {
    const berard = named('Fromagerie Bérard SARL');
    const token = await review(bot, serviceUrl, {
      customerId: berard.id,
      subscriptionId: 'sub-berard-business-premium',
      target: 'O365_E3',
      seats: 15,
    });
    const there = (await sim.customer(berard.id)) as Customer;
    await sim.replaceCustomer({
      ...there,
      subscriptions: there.subscriptions.map((s) =>
        s.id === 'sub-berard-business-premium' ? { ...s, quantity: 17 } : s,
      ),
    });
    await sim.resetStats();
    const pressed = await press(bot, serviceUrl, token);
    expect(pressed.body).toContain('Upgrade refused');
    expect(pressed.body).toContain('15 then, 17 now');
    expect((await sim.stats()).upgradesApplied).toBe(0);
    const now = (await sim.customer(berard.id)) as Customer;
    expect(now.subscriptions.find((s) => s.id === 'sub-berard-business-premium')).toMatchObject({
      status: 'active',
      quantity: 17,
    });
  });
});

describe('Partner Center slower than the in-turn budget', () => {
  it('the confirm is answered "in progress"; the outcome then replaces the card, and the ledger records it', async () => {
    const sakura = demo.customers.find((c) => c.id.startsWith('a51d8dec'))!;
    const source = sakura.subscriptions[0]!;
    const token = await review(bot, serviceUrl, {
      customerId: sakura.id,
      subscriptionId: source.id,
      target: 'O365_E3',
      seats: source.quantity,
    });
    // Two calls (the re-check, then the POST) of 2.5 s each: past the bot's 4 s budget for a Teams invoke.
    await sim.config({ latencyMs: 2500 });
    channel.requests.length = 0;
    try {
      const res = await post(
        bot.url,
        teamsInvoke(serviceUrl, 'confirm', { token }, { replyToId: 'card-pc' }),
      );
      expect(await res.text()).toContain('Upgrade in progress');
      await channel.waitFor(2, 15_000);
    } finally {
      await sim.config({ latencyMs: 0 });
    }
    const updates = channel.requests.map((r) => JSON.stringify(r.activity));
    expect(updates.at(-1)).toContain('Upgrade done');
    expect(updates.at(-1)).toContain('Upgraded in Partner Center');
    expect(channel.requests.every((r) => r.method === 'PUT' && r.path.endsWith('/activities/card-pc'))).toBe(
      true,
    );
    expect(ledgerEntry(dataDir, token)?.status).toBe('done');
  });
});

describe('Partner Center and the rules disagree: the answer follows Partner Center, and the metric counts it', () => {
  it('Partner Center says not eligible where the rules say eligible (delegated admin expired)', async () => {
    await sim.resetStats();
    const before = metricValue(await metricsOf(bot), NOT_ELIGIBLE_THERE);
    const body = await invoke(bot, serviceUrl, 'review', {
      customerId: fabricam.id,
      subscriptionId: 'sub-fabricam-essentials',
      target: 'O365_E3',
      seats: String(fabricam.subscriptions[0]!.quantity),
      transfer: 'true',
    });
    expect(body).not.toContain('"verb":"confirm"');
    expect(body).toMatch(/delegated admin/i);
    const after = metricValue(await metricsOf(bot), NOT_ELIGIBLE_THERE);
    expect(after).toBe(before + 1);
    expect((await sim.stats()).upgradesApplied).toBe(0);
  });

  it('Partner Center says eligible where the rules say not (the add-on was removed there since the sync)', async () => {
    const now = (await sim.customer(adventure.id)) as Customer;
    await sim.replaceCustomer({
      ...now,
      subscriptions: now.subscriptions.map((s) => ({ ...s, addOns: [] })),
    });
    const metric = ELIGIBLE_THERE;
    const before = metricValue(await metricsOf(bot), metric);
    const source = adventure.subscriptions[0]!;
    const token = await review(bot, serviceUrl, {
      customerId: adventure.id,
      subscriptionId: source.id,
      target: 'O365_E3',
      seats: source.quantity,
    });
    expect(token).toMatch(/.+/);
    expect(metricValue(await metricsOf(bot), metric)).toBe(before + 1);
  });
});

describe('credentials Partner Center refuses', () => {
  it.each(['revoked', 'expired'] as const)(
    'a %s secret: a clear answer, an error in the log, nothing changed',
    async (state) => {
      await sim.resetStats();
      const ledgerBefore = ledgerCount(dataDir);
      const logged = bot.stdout.length;
      await sim.secret(state);
      await sim.expireTokens();
      const body = await invoke(bot, serviceUrl, 'review', {
        customerId: named('A. Datum Corporation').id,
        subscriptionId: 'sub-adatum-essentials',
        target: 'O365_E3',
        seats: '10',
        transfer: 'true',
      });
      expect(body).not.toContain('"verb":"confirm"');
      expect(body).toMatch(/credentials/i);
      expect(body).toMatch(/nothing (was )?changed/i);
      // The error line may reach this process after the answer.
      await waitUntil(
        'an error logged about the credentials',
        () =>
          bot.stdout
            .slice(logged)
            .some((line) => line.includes('"level":50') && /credential|AADSTS|invalid_client/i.test(line)),
        { timeoutMs: 5000 },
      );
      expect(ledgerCount(dataDir)).toBe(ledgerBefore);
      expect((await sim.stats()).upgradesApplied).toBe(0);
    },
  );

  it('a secret revoked between the review and the confirm: the upgrade fails, nothing is sent or changed', async () => {
    const lefevre = named('Transports Lefèvre SAS');
    const token = await review(bot, serviceUrl, {
      customerId: lefevre.id,
      subscriptionId: 'sub-lefevre-business',
      target: 'O365_BUSINESS_PREMIUM',
      seats: lefevre.subscriptions[0]!.quantity,
    });
    await sim.resetStats();
    await sim.secret('revoked');
    await sim.expireTokens();
    const pressed = await press(bot, serviceUrl, token);
    expect(pressed.body).toContain('Upgrade failed');
    expect(pressed.body).toContain('nothing was changed');
    const stats = await sim.stats();
    expect(stats.upgradeRequestIds).toEqual([]);
    expect(stats.upgradesApplied).toBe(0);
    expect(ledgerEntry(dataDir, token)?.status).toBe('failed');
  });
});
