/** The real bot over the demo directory, driven turn by turn through botbuilder's TestAdapter. */
import { TestAdapter, type Activity, type ResourceResponse, type TurnContext } from 'botbuilder';
import { pino } from 'pino';
import { assembleBot } from '../../src/bot/assemble.js';
import type { UpgradeAssistantBot } from '../../src/bot/bot.js';
import { ApprovalPolicy } from '../../src/core/approvals.js';
import { UpgradeService, type UpgradeTimings } from '../../src/core/upgrades.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { CustomerIndex } from '../../src/directory/customer-index.js';
import type { SqliteDirectory } from '../../src/storage/sqlite-directory.js';
import { openStore, type Store } from '../../src/storage/store.js';
import type { SqliteUpgradeLedger } from '../../src/storage/upgrade-ledger.js';

/** The application core over a store, as the composition root makes it. */
export function upgradeServiceOf(
  store: Store,
  options: { timings?: Partial<UpgradeTimings>; now?: () => Date } = {},
): UpgradeService {
  return new UpgradeService({
    customers: store.customers,
    ledger: store.ledger,
    gateway: store.gateway,
    ...options,
  });
}

/** A TestAdapter that keeps the activities the bot updated in place (a card replaced by another). */
class RecordingAdapter extends TestAdapter {
  readonly updated: Partial<Activity>[] = [];
  override async updateActivity(
    context: TurnContext,
    activity: Partial<Activity>,
  ): Promise<ResourceResponse | void> {
    this.updated.push({ ...activity, type: 'messageUpdate' });
    return { id: activity.id ?? '' };
  }
}

export interface TestBot {
  readonly bot: UpgradeAssistantBot;
  readonly store: Store;
  readonly upgrades: UpgradeService;
  readonly directory: SqliteDirectory;
  readonly ledger: SqliteUpgradeLedger;
  /** Sends one activity and returns what the bot sent back. */
  turn(
    activity: Partial<Activity>,
    options?: { locale?: string; channelId?: string },
  ): Promise<Partial<Activity>[]>;
  /** Sends a message text. */
  say(text: string, options?: { locale?: string; channelId?: string }): Promise<Partial<Activity>[]>;
}

export async function createTestBot(
  approvers: string[] = [],
  options: { timings?: Partial<UpgradeTimings>; now?: () => Date } = {},
): Promise<TestBot> {
  const store = openStore({ dataDir: ':memory:', seed: loadDemoDirectory() });
  const { directory, ledger } = store;
  const lookup = new CustomerIndex(await store.customers.names());
  const upgrades = upgradeServiceOf(store, options);
  const { bot } = await assembleBot({
    customers: store.customers,
    lookup,
    upgrades,
    state: store.state,
    approvals: new ApprovalPolicy({ approvers }),
    logger: pino({ level: 'silent' }),
  });
  const turn: TestBot['turn'] = async (activity, { locale = 'en-US', channelId = 'emulator' } = {}) => {
    const adapter = new RecordingAdapter((context) => bot.run(context), { channelId, locale });
    adapter.locale = locale;
    await adapter.processActivity({ locale, ...activity });
    return [...adapter.activeQueue.splice(0), ...adapter.updated];
  };
  return {
    bot,
    store,
    upgrades,
    directory,
    ledger,
    turn,
    say: (text, options) => turn({ type: 'message', text }, options),
  };
}

/** The Adaptive Card content of a reply, if it has one. */
export function cardOf(activity: Partial<Activity> | undefined): Record<string, unknown> | undefined {
  const a = activity?.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive');
  return a?.content as Record<string, unknown> | undefined;
}
