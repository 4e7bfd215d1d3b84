/** The real bot over the demo directory, driven turn by turn through botbuilder's TestAdapter. */
import { TestAdapter, type Activity, type ResourceResponse, type TurnContext } from 'botbuilder';
import { pino } from 'pino';
import { UpgradeAssistantBot } from '../../src/bot/bot.js';
import { CardTemplates } from '../../src/bot/cards/templates.js';
import { Conversation } from '../../src/bot/conversation.js';
import { Wording } from '../../src/bot/i18n.js';
import { createUnderstander } from '../../src/bot/nlu/index.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { CustomerIndex } from '../../src/directory/customer-index.js';
import { openStore } from '../../src/storage/store.js';
import type { SqliteDirectory } from '../../src/storage/sqlite-directory.js';
import type { SqliteUpgradeLedger } from '../../src/storage/upgrade-ledger.js';
import { ConversationState } from 'botbuilder';
import { DurableStorage } from '../../src/bot/state-storage.js';
import { UpgradeFlow } from '../../src/bot/upgrade-flow.js';

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

export async function createTestBot(approvers: string[] = []): Promise<TestBot> {
  const store = openStore({ dataDir: ':memory:', seed: loadDemoDirectory() });
  const { directory, ledger } = store;
  const lookup = new CustomerIndex(directory.all());
  const flow = new UpgradeFlow({ directory, ledger, approvers });
  const bot = new UpgradeAssistantBot({
    conversation: new Conversation({ directory, lookup, flow }),
    conversationState: new ConversationState(new DurableStorage(store.state)),
    flow,
    understander: await createUnderstander(lookup),
    wording: new Wording(),
    cards: new CardTemplates(),
    logger: pino({ level: 'silent' }),
  });
  const turn: TestBot['turn'] = async (activity, { locale = 'en-US', channelId = 'emulator' } = {}) => {
    const adapter = new RecordingAdapter((context) => bot.run(context), { channelId, locale });
    adapter.locale = locale;
    await adapter.processActivity({ locale, ...activity });
    return [...adapter.activeQueue.splice(0), ...adapter.updated];
  };
  return { bot, directory, ledger, turn, say: (text, options) => turn({ type: 'message', text }, options) };
}

/** The Adaptive Card content of a reply, if it has one. */
export function cardOf(activity: Partial<Activity> | undefined): Record<string, unknown> | undefined {
  const a = activity?.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive');
  return a?.content as Record<string, unknown> | undefined;
}
