/** The real bot over the demo directory, driven turn by turn through botbuilder's TestAdapter. */
import { TestAdapter, type Activity, type ResourceResponse, type TurnContext } from 'botbuilder';
import { pino } from 'pino';
import { assembleBot, type BotPorts } from '../../src/bot/assemble.js';
import type { UpgradeAssistantBot } from '../../src/bot/bot.js';
import { ApprovalPolicy } from '../../src/core/approvals.js';
import { UpgradeService, type UpgradeTimings } from '../../src/core/upgrades.js';
import { DEMO_DIRECTORY_PATH, loadDemoDirectory } from '../../src/directory/load.js';
import { CustomerIndex } from '../../src/directory/customer-index.js';
import { parseConfig } from '../../src/config.js';
import type { CustomerRepository } from '../../src/core/customers.js';
import type { UpgradeGateway } from '../../src/core/gateway.js';
import type { UpgradeLedger } from '../../src/core/ledger.js';
import { FILE_SOURCE, type DirectorySource } from '../../src/core/system-of-record.js';
import { openPersistence, type Persistence } from '../../src/persistence.js';
import type { Customer } from '../../src/rules/index.js';
import { testDatabase } from './test-engine.js';

/** The application core over a store, as the composition root makes it. */
export function upgradeServiceOf(
  store: { customers: CustomerRepository; ledger: UpgradeLedger; gateway: UpgradeGateway },
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
  /** The storage of this file's engine (SQLite in memory, or a PostgreSQL database of its own). */
  readonly storage: Persistence;
  readonly upgrades: UpgradeService;
  readonly ledger: UpgradeLedger;
  /** The customer of that id (it must exist). */
  customer(id: string): Promise<Customer>;
  /** The customer of that company name (it must exist). */
  customerNamed(name: string): Promise<Customer>;
  /** Every customer, in directory order. */
  allCustomers(): Promise<Customer[]>;
  /** Sends one activity and returns what the bot sent back. */
  turn(
    activity: Partial<Activity>,
    options?: { locale?: string; channelId?: string },
  ): Promise<Partial<Activity>[]>;
  /** Sends a message text. */
  say(text: string, options?: { locale?: string; channelId?: string }): Promise<Partial<Activity>[]>;
  close(): Promise<void>;
}

const open = new Set<TestBot>();

/** The test bots not closed yet. */
export function openTestBots(): ReadonlySet<TestBot> {
  return open;
}

/** Closes the test bots still open (their storage; on PostgreSQL, their databases are dropped). */
export async function closeTestBots(which: (bot: TestBot) => boolean = () => true): Promise<void> {
  for (const bot of [...open].filter(which)) await bot.close();
}

export async function createTestBot(
  approvers: string[] = [],
  options: {
    timings?: Partial<UpgradeTimings>;
    now?: () => Date;
    /** Partner Center's live re-check and the disagreement hook, as the composition root passes them. */
    ports?: Pick<BotPorts, 'live' | 'onDisagreement'>;
    /** Where the customers come from (default: the directory file, nothing to refresh). */
    source?: DirectorySource;
    /** What carries the upgrades out (default: the store's embedded gateway). */
    gateway?: UpgradeGateway;
  } = {},
): Promise<TestBot> {
  const database = await testDatabase();
  const storage = await openPersistence(
    parseConfig({ DATA_DIR: ':memory:', DATABASE_POOL_SIZE: '4', ...database.env }),
    { seed: loadDemoDirectory, seedSource: DEMO_DIRECTORY_PATH },
  );
  const lookup = new CustomerIndex(await storage.customers.names());
  storage.customers.onChanged((change) => {
    if (change.kind === 'upserted') lookup.upsert(change.customer);
    else lookup.remove(change.customerId);
  });
  const { ports, source = FILE_SOURCE, gateway = storage.gateway, ...serviceOptions } = options;
  const upgrades = upgradeServiceOf(
    { customers: storage.customers, ledger: storage.ledger, gateway },
    serviceOptions,
  );
  const { bot } = await assembleBot({
    customers: storage.customers,
    lookup,
    upgrades,
    source,
    state: storage.state,
    approvals: new ApprovalPolicy({ approvers }),
    logger: pino({ level: 'silent' }),
    ...ports,
  });
  const turn: TestBot['turn'] = async (activity, { locale = 'en-US', channelId = 'emulator' } = {}) => {
    const adapter = new RecordingAdapter((context) => bot.run(context), { channelId, locale });
    adapter.locale = locale;
    await adapter.processActivity({ locale, ...activity });
    return [...adapter.activeQueue.splice(0), ...adapter.updated];
  };
  const allCustomers = async (): Promise<Customer[]> => {
    const all: Customer[] = [];
    for await (const page of storage.customers.pages()) all.push(...page);
    return all;
  };
  let closing: Promise<void> | undefined;
  const testBot: TestBot = {
    bot,
    storage,
    upgrades,
    ledger: storage.ledger,
    customer: async (id) => {
      const found = await storage.customers.get(id);
      if (found === undefined) throw new Error(`no customer ${id}`);
      return found;
    },
    customerNamed: async (name) => {
      const found = (await allCustomers()).find((c) => c.companyProfile.companyName === name);
      if (found === undefined) throw new Error(`no customer named ${name}`);
      return found;
    },
    allCustomers,
    turn,
    say: (text, options) => turn({ type: 'message', text }, options),
    close: () =>
      (closing ??= (async () => {
        open.delete(testBot);
        await bot.drain(5000);
        await upgrades.stop();
        await storage.close();
        await database.drop();
      })()),
  };
  open.add(testBot);
  return testBot;
}

/** The Adaptive Card content of a reply, if it has one. */
export function cardOf(activity: Partial<Activity> | undefined): Record<string, unknown> | undefined {
  const a = activity?.attachments?.find((x) => x.contentType === 'application/vnd.microsoft.card.adaptive');
  return a?.content as Record<string, unknown> | undefined;
}
