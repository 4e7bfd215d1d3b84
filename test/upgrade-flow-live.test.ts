/**
 * The upgrade flow with Partner Center's live re-check (a fake LiveCheck) through botbuilder's TestAdapter:
 * Partner Center's verdict is followed where the rules disagree, and the disagreement is reported; its own
 * findings are shown in its words; refused credentials give a clear answer and nothing is recorded.
 */
import type { Activity } from 'botbuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { UpgradeRefusedError, type UpgradeGateway } from '../src/core/gateway.js';
import type { LiveCheck, LiveTarget, LiveVerdict } from '../src/core/live-check.js';
import {
  SystemOfRecordAuthError,
  SystemOfRecordRejectedError,
  SystemOfRecordUnavailableError,
} from '../src/core/system-of-record.js';
import type { Disagreement } from '../src/bot/upgrade-flow.js';
import { Wording } from '../src/bot/i18n.js';
import { loadDemoDirectory } from '../src/directory/load.js';
import { actions, texts } from './support/cards.js';
import { cardOf, createTestBot, type TestBot } from './support/bot.js';

const CONTOSO_ID = loadDemoDirectory().customers.find(
  (c) => c.companyProfile.companyName === 'Contoso Ltd',
)!.id;
const SUBSCRIPTION = 'sub-contoso-essentials';

/** A LiveCheck that answers what the test says (or throws it), and counts its calls. */
class FakeLiveCheck implements LiveCheck {
  calls = 0;
  constructor(public answer: readonly LiveTarget[] | Error) {}
  async upgrades(): Promise<LiveVerdict> {
    this.calls++;
    if (this.answer instanceof Error) throw this.answer;
    return {
      checkedAt: new Date().toISOString(),
      targets: this.answer,
      notChecked: ['service-settings', 'per-user-licences'],
    };
  }
}

const target = (id: LiveTarget['target'], eligible: boolean, findings: LiveTarget['findings'] = []) =>
  ({ target: id, targetName: String(id), eligible, findings }) satisfies LiveTarget;

let bot: TestBot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

async function botWith(live: FakeLiveCheck): Promise<{ bot: TestBot; disagreements: Disagreement[] }> {
  const disagreements: Disagreement[] = [];
  bot = await createTestBot([], { ports: { live, onDisagreement: (d) => disagreements.push(d) } });
  return { bot, disagreements };
}

async function press(b: TestBot, verb: string, data: Record<string, unknown>, locale = 'en-US') {
  const activity: Partial<Activity> = {
    type: 'message',
    from: { id: 'user-1', name: 'Megan Bowen', aadObjectId: 'aad-user-1' } as Activity['from'],
    replyToId: 'card-1',
    value: { ...data, verb },
  };
  return b.turn(activity, { channelId: 'emulator', locale });
}

function shown(replies: Partial<Activity>[]): string {
  return replies.flatMap((r) => [r.text ?? '', ...texts(cardOf(r))]).join('\n');
}

function review(b: TestBot, target: string, locale = 'en-US') {
  return press(
    b,
    'review',
    { customerId: CONTOSO_ID, subscriptionId: SUBSCRIPTION, target, seats: '40', transfer: 'true' },
    locale,
  );
}

const wording = new Wording();

describe('the flow follows Partner Center', () => {
  it('Partner Center says no where the rules say yes: refused with its reasons, the disagreement reported', async () => {
    const live = new FakeLiveCheck([
      target('O365_E3', false, [
        {
          kind: 'reason',
          reason: { code: 'delegated_admin_missing', service: 'Office 365', status: 'none' },
        },
      ]),
    ]);
    const { bot: b, disagreements } = await botWith(live);
    const tr = wording.for('en-US');

    const choose = shown(
      await press(b, 'startUpgrade', { customerId: CONTOSO_ID, subscriptionId: SUBSCRIPTION }),
    );
    expect(choose).toContain(tr.t('upgrade.refusedTitle'));
    expect(choose).toContain(tr.t('reason.delegated_admin_missing.remedy'));
    expect(choose).toContain(tr.t('partnerCenter.notChecked'));
    const disagreement = {
      customerId: CONTOSO_ID,
      subscriptionId: SUBSCRIPTION,
      target: 'O365_E3',
      rules: 'eligible',
      partnerCenter: 'not-eligible',
    };
    // A target Partner Center refuses is never offered, so it cannot reach review: counted here, once.
    expect(disagreements).toEqual([disagreement]);

    // A card shown before (or forged) still gets Partner Center's word at review, and nothing is recorded.
    const refused = shown(await review(b, 'O365_E3'));
    expect(refused).toContain(tr.t('upgrade.refusedTitle'));
    expect(refused).toContain(tr.t('reason.delegated_admin_missing.remedy'));
    expect(refused).not.toContain(tr.t('upgrade.labels.confirm'));
    // Another question (the old card pressed), counted once again.
    expect(disagreements).toEqual([disagreement, disagreement]);
    expect(await b.ledger.history(CONTOSO_ID)).toEqual([]);
    expect(live.calls).toBe(2);
  });

  it('Partner Center says yes where the rules say no: offered, and the confirm card shown', async () => {
    // The rules block E5 for Contoso (Power BI Pro bought directly); Partner Center allows it.
    const live = new FakeLiveCheck([target('O365_E3', true), target('O365_E5', true)]);
    const { bot: b, disagreements } = await botWith(live);

    const chooseCard = cardOf(
      (await press(b, 'startUpgrade', { customerId: CONTOSO_ID, subscriptionId: SUBSCRIPTION })).find((r) =>
        cardOf(r),
      ),
    );
    expect(JSON.stringify(chooseCard)).toContain('"O365_E5"');
    const replies = await review(b, 'O365_E5', 'fr-FR');
    const confirmCard = cardOf(replies.find((r) => cardOf(r)));
    expect(
      actions(confirmCard).some((a) => (a.data as { verb?: string } | undefined)?.verb === 'confirm'),
    ).toBe(true);
    expect(texts(confirmCard).join('\n')).toContain(wording.for('fr-FR').t('partnerCenter.notChecked'));
    // Choose then review is one question: counted once, at review.
    expect(disagreements.filter((d) => d.target === 'O365_E5')).toEqual([
      expect.objectContaining({ rules: 'not-eligible', partnerCenter: 'eligible' }),
    ]);
    expect(disagreements.filter((d) => d.target === 'O365_E3')).toEqual([]);
    const [pending] = await b.ledger.history(CONTOSO_ID);
    expect(pending).toMatchObject({ status: 'pending', target: 'O365_E5', quantity: 40 });
  });

  it('"upgrade Contoso to E5" typed: Partner Center is asked, not only the rules (which block E5)', async () => {
    const live = new FakeLiveCheck([target('O365_E3', true), target('O365_E5', true)]);
    const { bot: b } = await botWith(live);
    const replies = await b.say('upgrade Contoso to E5');
    const card = cardOf(replies.find((r) => cardOf(r)));
    expect(live.calls).toBe(1);
    expect(JSON.stringify(card)).toContain('"O365_E5"');
    expect(actions(card).some((a) => (a.data as { verb?: string } | undefined)?.verb === 'review')).toBe(
      true,
    );

    // And where Partner Center says no, its own words for that target.
    live.answer = [
      target('O365_E5', false, [
        { kind: 'partner-center', code: '9', description: 'Try later.', remedy: 'retry-later' },
      ]),
    ];
    const refused = shown(await b.say('upgrade Contoso to E5'));
    expect(refused).toContain(wording.for('en-US').t('partnerCenter.says', { description: 'Try later.' }));
  });

  it.each(['en-US', 'fr-FR', 'ja-JP'])(
    'a code Partner Center alone knows: "Partner Center says" with its words and the sign-in remedy (%s)',
    async (locale) => {
      const description = 'This operation requires a user context.';
      const live = new FakeLiveCheck([
        target('O365_E3', false, [{ kind: 'partner-center', code: '5', description, remedy: 'sign-in' }]),
      ]);
      const { bot: b } = await botWith(live);
      const tr = wording.for(locale);
      const text = shown(await review(b, 'O365_E3', locale));
      expect(text).toContain(tr.t('partnerCenter.says', { description }));
      expect(text).toContain(tr.t('partnerCenter.remedy.sign-in'));
      expect(text).toContain(tr.t('partnerCenter.notChecked'));
    },
  );

  it('conflicting services nobody synced: probably bought from another partner or directly', async () => {
    const live = new FakeLiveCheck([
      target('O365_E3', false, [{ kind: 'conflict-elsewhere', target: 'O365_E3' }]),
    ]);
    const { bot: b } = await botWith(live);
    const tr = wording.for('en-US');
    const text = shown(await review(b, 'O365_E3'));
    expect(text).toContain(tr.t('partnerCenter.conflictElsewhere', { target: 'Office 365 Enterprise E3' }));
  });

  it.each([
    [
      'credentials refused',
      new SystemOfRecordAuthError('invalid_client: the secret expired'),
      'partnerCenter.authError',
    ],
    ['unreachable', new SystemOfRecordUnavailableError('no answer'), 'partnerCenter.unavailable'],
  ])('Partner Center %s: a clear answer, nothing recorded', async (_, error, key) => {
    const { bot: b } = await botWith(new FakeLiveCheck(error));
    for (const locale of ['en-US', 'fr-FR', 'ja-JP']) {
      const expected = wording.for(locale).t(key);
      const choose = await press(
        b,
        'startUpgrade',
        { customerId: CONTOSO_ID, subscriptionId: SUBSCRIPTION },
        locale,
      );
      expect(shown(choose)).toContain(expected);
      expect(shown(await review(b, 'O365_E3', locale))).toContain(expected);
    }
    expect(await b.ledger.history(CONTOSO_ID)).toEqual([]);
  });
});

describe('Partner Center says no to the re-check itself (403, 404): a clear answer, nothing recorded', () => {
  it.each([
    [403, 'partnerCenter.accessDenied'],
    [404, 'partnerCenter.notFound'],
  ] as const)('%s', async (status, key) => {
    const { bot: b } = await botWith(
      new FakeLiveCheck(new SystemOfRecordRejectedError(status, `Partner Center answered ${status}`)),
    );
    for (const locale of ['en-US', 'fr-FR', 'ja-JP']) {
      const expected = wording.for(locale).t(key, { customer: 'Contoso Ltd' });
      const choose = await press(
        b,
        'startUpgrade',
        { customerId: CONTOSO_ID, subscriptionId: SUBSCRIPTION },
        locale,
      );
      expect(shown(choose)).toContain(expected);
      expect(shown(await review(b, 'O365_E3', locale))).toContain(expected);
    }
    expect(await b.ledger.history(CONTOSO_ID)).toEqual([]);
  });

  it('403 names the GDAP roles; 404 says how to read the customer again', () => {
    const en = wording.for('en-US');
    expect(en.t('partnerCenter.accessDenied', { customer: 'Contoso Ltd' })).toMatch(
      /Directory Readers.*Directory Writers.*Nothing was changed/,
    );
    expect(en.t('partnerCenter.notFound', { customer: 'Contoso Ltd' })).toContain('"refresh Contoso Ltd"');
  });
});

describe('refused at confirm for a reason of Partner Center alone', () => {
  /** As the Partner Center gateway refuses for a code that is none of ours: no reasons, its own words. */
  const PC_REFUSAL = 'Partner Center refused the upgrade (5: This operation requires a user context.)';
  const refusing = (system: UpgradeGateway['system']): UpgradeGateway => ({
    system,
    judgesEligibility: true,
    execute: async () => {
      throw new UpgradeRefusedError([], PC_REFUSAL);
    },
  });

  async function confirmed(gateway: UpgradeGateway) {
    const live = new FakeLiveCheck([target('O365_E3', true)]);
    bot = await createTestBot([], { ports: { live }, gateway });
    const replies = await review(bot, 'O365_E3');
    const token = (
      actions(cardOf(replies.find((r) => cardOf(r)))).find(
        (a) => (a.data as { verb?: string } | undefined)?.verb === 'confirm',
      )!.data as { token: string }
    ).token;
    return { b: bot, token, done: shown(await press(bot, 'confirm', { token })) };
  }

  it('"Partner Center says:" with its words and the generic remedy', async () => {
    const { b, token, done } = await confirmed(refusing('partner-center'));
    const tr = wording.for('en-US');
    expect(done).toContain(tr.t('upgrade.refusedTitle'));
    expect(done).toContain(tr.t('partnerCenter.says', { description: PC_REFUSAL }));
    expect(done).toContain(tr.t('partnerCenter.remedy.generic'));
    expect(await b.ledger.get(token)).toMatchObject({ status: 'refused', reasons: [], error: PC_REFUSAL });
  });

  it("the embedded directory: its refusal text is not passed off as Partner Center's", async () => {
    const { done } = await confirmed(refusing('embedded'));
    const tr = wording.for('en-US');
    expect(done).toContain(tr.t('upgrade.refusedTitle'));
    expect(done).not.toContain(tr.t('partnerCenter.says', { description: PC_REFUSAL }));
  });

  it('in every language; our own reasons, when there are some, stand alone', async () => {
    const { refusedEntryAnswer } = await import('../src/bot/answers/outcomes.js');
    const customer = loadDemoDirectory().customers.find((c) => c.id === CONTOSO_ID)!;
    const entry = {
      token: 't',
      customerId: CONTOSO_ID,
      subscriptionId: SUBSCRIPTION,
      fromOffer: 'O365_BUSINESS_ESSENTIALS',
      target: 'O365_E3',
      quantity: 40,
      upgradeType: 'upgrade_only',
      requestedBy: { id: 'u' },
      requestedAt: '2026-01-01T00:00:00Z',
      status: 'refused',
      expiresAt: '2026-01-02T00:00:00Z',
      attempts: 1,
      reasons: [],
      affectedAccounts: [],
      error: PC_REFUSAL,
    } as const;
    for (const locale of ['en-US', 'fr-FR', 'ja-JP']) {
      const tr = wording.for(locale);
      const text = shown([
        { text: '', ...toActivity(refusedEntryAnswer(tr, customer, entry, 'partner-center')) },
      ]);
      expect(text).toContain(tr.t('partnerCenter.says', { description: PC_REFUSAL }));
      expect(text).toContain(tr.t('partnerCenter.remedy.generic'));
    }
    const tr = wording.for('en-US');
    const withReason = shown([
      {
        text: '',
        ...toActivity(
          refusedEntryAnswer(
            tr,
            customer,
            { ...entry, reasons: [{ code: 'subscription_not_active', status: 'suspended' }] },
            'partner-center',
          ),
        ),
      },
    ]);
    expect(withReason).toContain('The subscription is suspended, not active.');
    expect(withReason).not.toContain(tr.t('partnerCenter.says', { description: PC_REFUSAL }));
  });
});

describe('the outcome says where the change was made', () => {
  it('the embedded directory: recorded in the demo directory only, Partner Center not connected', async () => {
    bot = await createTestBot();
    const replies = await review(bot, 'O365_E3');
    const token = (
      actions(cardOf(replies.find((r) => cardOf(r)))).find(
        (a) => (a.data as { verb?: string } | undefined)?.verb === 'confirm',
      )!.data as { token: string }
    ).token;
    const done = shown(await press(bot, 'confirm', { token }));
    const tr = wording.for('en-US');
    expect(done).toContain(tr.t('upgrade.doneTitle'));
    expect(done).toContain(tr.t('partnerCenter.doneEmbedded'));
    expect(done).not.toContain(
      tr.t('partnerCenter.doneInPartnerCenter', { newSubscription: '' }).slice(0, 20),
    );
  });
});

describe('the outcome of an upgrade made in Partner Center', () => {
  it('says so, with the new subscription, and its licence errors as accounts that need manual work', async () => {
    const { doneAnswer } = await import('../src/bot/answers/upgrade.js');
    const customer = loadDemoDirectory().customers.find((c) => c.id === CONTOSO_ID)!;
    const entry = {
      token: 't',
      customerId: CONTOSO_ID,
      subscriptionId: SUBSCRIPTION,
      fromOffer: 'O365_BUSINESS_ESSENTIALS',
      target: 'O365_E3',
      quantity: 40,
      upgradeType: 'upgrade_with_license_transfer',
      requestedBy: { id: 'u' },
      requestedAt: '2026-01-01T00:00:00Z',
      status: 'done',
      expiresAt: '2026-01-02T00:00:00Z',
      attempts: 1,
      newSubscriptionId: 'pc-new-1',
      reasons: [],
      affectedAccounts: [
        {
          objectId: 'o1',
          name: 'Megan Bowen',
          email: 'megan@contoso.com',
          cause: 'partner_center_licence_error',
          services: [],
          faults: ['Licence migration failed.'],
        },
      ],
    } as const;
    for (const locale of ['en-US', 'fr-FR', 'ja-JP']) {
      const tr = wording.for(locale);
      const text = shown([{ text: '', ...toActivity(doneAnswer(tr, customer, entry, 'partner-center')) }]);
      expect(text).toContain(tr.t('partnerCenter.doneInPartnerCenter', { newSubscription: 'pc-new-1' }));
      expect(text).not.toContain(tr.t('partnerCenter.doneEmbedded'));
      expect(text).toContain(
        tr.t('partnerCenter.licenceError', {
          name: 'Megan Bowen',
          email: 'megan@contoso.com',
          faults: 'Licence migration failed.',
        }),
      );
      expect(text).toContain(tr.t('partnerCenter.licenceErrorsStep'));
    }
  });
});

/** A reply's card as an activity attachment (what `shown` reads). */
function toActivity(reply: { text: string; card?: { data: unknown } }): Partial<Activity> {
  return {
    text: `${reply.text}\n${JSON.stringify(reply.card?.data ?? {})}`,
  };
}
