/**
 * Partner Center as the source, through the whole bot (TestAdapter): "refresh Contoso" in every outcome, and how
 * fresh every answer says its data is, in English, French and Japanese. The source is a fake DirectorySource
 * driven by each test; the store is the demo directory with Contoso rewritten as a sync would store it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  SystemOfRecordAuthError,
  SystemOfRecordUnavailableError,
  type DirectorySource,
  type RefreshResult,
  type SyncStatus,
} from '../src/core/system-of-record.js';
import { Wording } from '../src/bot/i18n.js';
import type { LiveCheck } from '../src/core/live-check.js';
import type { Customer } from '../src/rules/index.js';
import { texts } from './support/cards.js';
import { cardOf, createTestBot, type TestBot } from './support/bot.js';

const CONTOSO = '2910b58b-762c-5990-8865-a0f46c436a70';
const LOCALES = { en: 'en-US', fr: 'fr-FR', ja: 'ja-JP' } as const;

/** Today at 10:42 UTC: the answers say "10:42" (the default time zone is UTC). */
function todayAt(hours: number, minutes: number): string {
  const d = new Date();
  d.setUTCHours(hours, minutes, 0, 0);
  return d.toISOString();
}

class FakeSource implements DirectorySource {
  readonly kind = 'partner-center' as const;
  syncStatus: SyncStatus = { source: 'partner-center', periodMinutes: 60, stale: false };
  next: () => Promise<RefreshResult> = () => Promise.resolve({ kind: 'removed' });
  refreshed: string[] = [];
  status = async () => this.syncStatus;
  refresh = async (customerId: string) => {
    this.refreshed.push(customerId);
    return this.next();
  };
}

const source = new FakeSource();
let bot: TestBot;
let fileBot: TestBot;
let synced: Customer;

beforeAll(async () => {
  bot = await createTestBot([], { source });
  fileBot = await createTestBot();
  const contoso = await bot.customer(CONTOSO);
  synced = {
    ...contoso,
    delegatedAdmin: 'unknown',
    syncedAt: todayAt(10, 42),
    otherSubscriptions: [
      {
        id: 'sub-contoso-m365e3',
        kind: 'other-product',
        offerId: 'Microsoft 365 E3',
        offerName: 'Microsoft 365 E3',
        quantity: 12,
        status: 'active',
      },
      {
        id: 'sub-contoso-nce',
        kind: 'new-commerce',
        offerId: 'CFQ7TTC0LF8Q:0001:P1Y',
        offerName: 'Office 365 E1 (NCE)',
        quantity: 5,
        status: 'active',
      },
      {
        id: 'sub-contoso-visio',
        kind: 'unknown',
        offerId: '5E2C8C4B-1F10-4B55-8F03-2D5F1F5C3F07',
        offerName: 'Visio Plan 2',
        quantity: 3,
        status: 'suspended',
      },
    ],
  };
  await bot.storage.saveCustomer(synced);
});
afterAll(async () => {
  await bot?.close();
  await fileBot?.close();
});
beforeEach(() => {
  source.syncStatus = {
    source: 'partner-center',
    periodMinutes: 60,
    lastSuccessAt: todayAt(10, 40),
    stale: false,
  };
  source.refreshed = [];
});

async function ask(which: TestBot, text: string, locale: string, localTimezone?: string) {
  const replies = await which.turn(
    { type: 'message', text, ...(localTimezone === undefined ? {} : { localTimezone }) },
    { locale },
  );
  expect(replies).toHaveLength(1);
  const card = cardOf(replies[0]);
  return [replies[0]?.text ?? '', ...(card ? texts(card) : [])].join('\n');
}

describe('"refresh Contoso"', () => {
  it('with the directory file: nothing to refresh, in every language', async () => {
    expect(await ask(fileBot, 'refresh Contoso', LOCALES.en)).toContain(
      'There is nothing to refresh: the bot reads the demo directory, not Partner Center.',
    );
    expect(await ask(fileBot, 'actualise Contoso', LOCALES.fr)).toContain('Il n’y a rien à actualiser');
    expect(await ask(fileBot, 'Contosoを更新', LOCALES.ja)).toContain('更新するものはありません');
  });

  it('refreshed: says so with the time and the count, then the eligibility answer', async () => {
    source.next = async () => ({ kind: 'refreshed', customer: { ...synced, syncedAt: todayAt(11, 5) } });
    const en = await ask(bot, "reload Contoso's data", LOCALES.en);
    expect(source.refreshed).toEqual([CONTOSO]);
    expect(en).toMatch(/Contoso Ltd refreshed from Partner Center \(as of 11:05\s?AM\): 7 subscriptions\./);
    expect(en).toContain('sub-contoso-essentials'); // the eligibility card follows
    const fr = await ask(bot, 'rafraîchis les données de Contoso', LOCALES.fr);
    expect(fr).toContain('Contoso Ltd actualisé depuis l’Espace partenaires (11:05)\u00a0: 7 abonnements.');
    const ja = await ask(bot, 'Contoso のデータを再読み込み', LOCALES.ja);
    expect(ja).toContain(
      'Contoso Ltd をパートナー センターから更新しました (11:05 時点): サブスクリプション 7 件。',
    );
  });

  it('the command a 404 on the re-check suggests, with the full name, in every language', async () => {
    source.next = async () => ({ kind: 'removed' });
    const wording = new Wording();
    for (const locale of Object.values(LOCALES)) {
      const said = wording.for(locale).t('partnerCenter.notFound', { customer: 'Contoso Ltd' });
      const command = /["«「]\s?([^"»」]+?)\s?["»」]/.exec(said)?.[1];
      expect(command).toContain('Contoso Ltd');
      source.refreshed = [];
      await ask(bot, command!, locale);
      expect(source.refreshed).toEqual([CONTOSO]);
    }
  });

  it('removed from Partner Center: says so', async () => {
    source.next = async () => ({ kind: 'removed' });
    expect(await ask(bot, 'sync Contoso', LOCALES.en)).toBe(
      "Contoso Ltd is no longer in Partner Center: it was removed from the bot's directory.",
    );
    expect(await ask(bot, 'mets à jour Contoso', LOCALES.fr)).toContain(
      'Contoso Ltd ne figure plus dans l’Espace partenaires',
    );
  });

  it('Partner Center unavailable: the last data is kept, as of its time', async () => {
    source.next = () => Promise.reject(new SystemOfRecordUnavailableError('503 after 6 tries'));
    const en = await ask(bot, 'refresh Contoso', LOCALES.en);
    expect(en).toMatch(
      /cannot be reached now, so Contoso Ltd was not refreshed\. The last data is kept, as of 10:42\s?AM/,
    );
    expect(en).not.toContain('503');
    expect(await ask(bot, 'Contosoを更新', LOCALES.ja)).toContain(
      '最後のデータ (10:42 時点) をそのまま使います',
    );
  });

  it("refused credentials: an administrator must fix the bot's Partner Center credentials", async () => {
    source.next = () =>
      Promise.reject(new SystemOfRecordAuthError('the client secret has expired (AADSTS7000222)'));
    const en = await ask(bot, 'refresh Contoso', LOCALES.en);
    expect(en).toContain("an administrator must fix the bot's Partner Center credentials");
    expect(en).not.toContain('AADSTS');
    expect(await ask(bot, 'actualise Contoso', LOCALES.fr)).toContain(
      'Un administrateur doit corriger les identifiants Espace partenaires du bot',
    );
  });
});

describe('freshness in every answer', () => {
  it('a customer answer says "as of" in the language and time zone of the user', async () => {
    expect(await ask(bot, 'can Contoso upgrade?', LOCALES.en)).toMatch(/As of 10:42\s?AM\./);
    expect(await ask(bot, 'Contoso peut-il passer à une offre supérieure ?', LOCALES.fr)).toContain(
      'Données lues dans l’Espace partenaires\u00a0: 10:42.',
    );
    // Tokyo is UTC+9: 19:42 there (with the date when it is another day in Tokyo).
    expect(await ask(bot, 'Contosoはアップグレードできますか？', LOCALES.ja, 'Asia/Tokyo')).toMatch(
      /19:42 時点のデータです。/,
    );
    // The directory file says nothing of the kind.
    expect(await ask(fileBot, 'can Contoso upgrade?', LOCALES.en)).not.toMatch(/As of/);
  });

  it('the choose card says it too', async () => {
    const all = await ask(bot, 'upgrade Contoso to E3', LOCALES.en);
    expect(all).toContain('Choose');
    expect(all).toMatch(/As of 10:42\s?AM\./);
  });

  it("the choose card made from Partner Center's live verdict says it too", async () => {
    const live: LiveCheck = {
      upgrades: async () => ({
        checkedAt: new Date().toISOString(),
        targets: [{ target: 'O365_E3', targetName: 'Office 365 E3', eligible: true, findings: [] }],
        notChecked: [],
      }),
    };
    const liveBot = await createTestBot([], { source, ports: { live } });
    try {
      await liveBot.storage.saveCustomer(synced);
      const all = await ask(liveBot, 'upgrade Contoso to E3', LOCALES.en);
      expect(all).toContain('Choose');
      expect(all).toMatch(/As of 10:42\s?AM\./);
      expect(await ask(liveBot, 'mets à niveau Contoso vers E3', LOCALES.fr)).toContain(
        'Données lues dans l’Espace partenaires\u00a0: 10:42.',
      );
    } finally {
      await liveBot.close();
    }
  });

  it('stale data: the answer says since when Partner Center could not be read', async () => {
    source.syncStatus = {
      source: 'partner-center',
      periodMinutes: 60,
      lastSuccessAt: todayAt(10, 40),
      lastFailureAt: todayAt(13, 40),
      stale: true,
    };
    expect(await ask(bot, 'can Contoso upgrade?', LOCALES.en)).toMatch(
      /Partner Center could not be read since 10:40\s?AM: this is the data of 10:42\s?AM\./,
    );
    expect(await ask(bot, 'which customers can upgrade to E5?', LOCALES.en)).toMatch(
      /As of 10:40\s?AM, the last sync from Partner Center\. Partner Center could not be read since 10:40\s?AM/,
    );
    expect(await ask(bot, 'Contosoはアップグレードできますか？', LOCALES.ja)).toContain(
      '10:40 以降、パートナー センターを読み取れていません。これは 10:42 時点のデータです。',
    );
  });

  it('a fleet answer says when the last sync finished', async () => {
    expect(await ask(bot, 'which customers can upgrade to E5?', LOCALES.en)).toMatch(
      /As of 10:40\s?AM, the last sync from Partner Center\./,
    );
  });

  it('delegated admin unknown: one line says what was not checked, in every language', async () => {
    const en = await ask(bot, 'can Contoso upgrade?', LOCALES.en);
    expect(en.split('Not checked here: delegated admin privileges')).toHaveLength(3); // the text and the card
    expect(await ask(bot, 'Contoso peut-il passer à une offre supérieure ?', LOCALES.fr)).toContain(
      'les privilèges d’administration délégués',
    );
    expect(await ask(bot, 'Contosoはアップグレードできますか？', LOCALES.ja)).toContain(
      'ここでは委任された管理者特権を確認していません',
    );
  });

  it('the subscriptions the catalog does not judge are listed as they are, without a verdict', async () => {
    const en = await ask(bot, 'can Contoso upgrade?', LOCALES.en);
    expect(en).toContain('Other subscriptions');
    expect(en).toContain('Microsoft 365 E3 · 12 · active — other product, no upgrade verdict here');
    expect(en).toContain('Office 365 E1 (NCE) · 5 · active — new commerce, no verdict yet');
    expect(en).toContain('Visio Plan 2 · 3 · suspended — no verdict');
    const fr = await ask(bot, 'Contoso peut-il passer à une offre supérieure ?', LOCALES.fr);
    expect(fr).toContain('Microsoft 365 E3 · 12');
    expect(fr).toContain('autre produit, pas d’avis de mise à niveau ici');
    expect(fr).toContain('nouvelle expérience commerciale, pas encore d’avis');
    const ja = await ask(bot, 'Contosoはアップグレードできますか？', LOCALES.ja);
    expect(ja).toContain('Visio Plan 2');
    expect(ja).toContain('別の製品のため、ここではアップグレードの判定はありません');
  });
});
