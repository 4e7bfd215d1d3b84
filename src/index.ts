/**
 * Composition root: configuration, directory, understanding, wording, cards, bot, adapter and server.
 * `npm start` runs `main()`; tests call `createApp()` with their own configuration.
 */
import { pathToFileURL } from 'node:url';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import { UpgradeAssistantBot } from './bot/bot.js';
import { CardTemplates } from './bot/cards/templates.js';
import { Conversation } from './bot/conversation.js';
import { Wording } from './bot/i18n.js';
import { createUnderstander } from './bot/nlu/index.js';
import { turnIds, turnLogging } from './bot/turn-logging.js';
import { botAuthSettings, loadConfig, type Config } from './config.js';
import type { CustomerDirectory } from './directory/directory.js';
import { DEMO_DIRECTORY_PATH, loadDemoDirectory, loadDirectoryFile } from './directory/load.js';
import { CustomerIndex } from './directory/lookup.js';
import { createLogger, type Logger } from './logger.js';
import { createServer } from './server.js';
import { openStore, type Store } from './storage/store.js';
import type { LedgerFaults } from './storage/upgrade-ledger.js';
import { ConversationState } from 'botbuilder';
import { DurableStorage } from './bot/state-storage.js';
import { UpgradeFlow } from './bot/upgrade-flow.js';

export interface App {
  readonly server: Server;
  readonly adapter: CloudAdapter;
  readonly bot: UpgradeAssistantBot;
  readonly directory: CustomerDirectory;
  readonly store: Store;
  /** Starts listening; resolves with the port. */
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export interface AppOptions {
  readonly logger?: Logger;
  /** Fault injection for tests (inside the confirm transaction). */
  readonly faults?: LedgerFaults;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const store = openStore({
    dataDir: config.DATA_DIR,
    seed:
      config.DIRECTORY_FILE === undefined ? loadDemoDirectory() : loadDirectoryFile(config.DIRECTORY_FILE),
    seedSource: config.DIRECTORY_FILE ?? DEMO_DIRECTORY_PATH,
    ...(options.faults === undefined ? {} : { faults: options.faults }),
  });
  logger.info(
    { database: store.path, seeded: store.seeded, customers: store.directory.count() },
    'storage open',
  );
  const { directory, ledger } = store;
  const lookup = new CustomerIndex(directory.all());
  const wording = new Wording();
  const flow = new UpgradeFlow({ directory, ledger, approvers: config.UPGRADE_APPROVERS });
  const bot = new UpgradeAssistantBot({
    conversation: new Conversation({ directory, lookup, flow }),
    conversationState: new ConversationState(new DurableStorage(store.state)),
    flow,
    understander: await createUnderstander(lookup),
    wording,
    cards: new CardTemplates(),
    logger,
  });

  if (config.MicrosoftAppId === '') {
    logger.warn('No MicrosoftAppId: the bot accepts unauthenticated requests (local clients only).');
  }
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(botAuthSettings(config)));
  adapter.use(turnLogging(logger));
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    logger.error({ ...turnIds(context), err: error }, 'turn failed');
    try {
      await context.sendActivity(wording.for(context.activity.locale).t('apology'));
    } catch (sendError) {
      logger.error({ ...turnIds(context), err: sendError }, 'could not send the apology');
    }
  };

  const server = createServer({ adapter, logic: (context) => bot.run(context), logger });
  return {
    server,
    adapter,
    bot,
    directory,
    store,
    listen: (port = config.PORT, host = config.HOST) =>
      new Promise((resolve) => {
        server.listen(port, host, () => resolve(server.address().port));
      }),
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          store.close();
          resolve();
        }),
      ),
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const app = await createApp(config, { logger });
  const port = await app.listen();
  logger.info(
    { port, customers: app.directory.count() },
    `Upgrade Assistant listening on http://localhost:${port}/api/messages`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
