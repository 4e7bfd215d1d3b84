/**
 * Composition root: configuration, directory, understanding, wording, cards, bot, guards, adapter, metrics
 * and server. `npm start` runs `main()` (signals, graceful shutdown, start-up errors); tests call
 * `createApp()` with their own configuration.
 */
import type { Server as HttpServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import {
  ActivityTypes,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  INVOKE_RESPONSE_KEY,
  type TurnContext,
} from 'botbuilder';
import type { Server } from 'restify';
import { UpgradeAssistantBot } from './bot/bot.js';
import { CardTemplates } from './bot/cards/templates.js';
import { Conversation } from './bot/conversation.js';
import { checkInvokes, rateLimit, tenantGate } from './bot/guards.js';
import { Wording } from './bot/i18n.js';
import { createUnderstander } from './bot/nlu/index.js';
import { RateLimiter } from './bot/rate-limiter.js';
import { DurableStorage } from './bot/state-storage.js';
import { turnIds, turnLogging } from './bot/turn-logging.js';
import { UpgradeFlow } from './bot/upgrade-flow.js';
import {
  authenticationRequired,
  botAuthSettings,
  ConfigError,
  listenHost,
  loadConfig,
  type Config,
} from './config.js';
import type { CustomerDirectory } from './directory/directory.js';
import {
  DirectoryError,
  DEMO_DIRECTORY_PATH,
  loadDemoDirectory,
  loadDirectoryFile,
} from './directory/load.js';
import { CustomerIndex } from './directory/lookup.js';
import { BotAdapter } from './http/adapter.js';
import { Authenticator } from './http/authentication.js';
import { InFlight } from './http/in-flight.js';
import { messagesEndpoint } from './http/messages.js';
import { metricsEndpoint } from './http/metrics-endpoint.js';
import {
  DEFAULT_OUTBOUND_RETRY,
  outboundRetryPolicy,
  type OutboundRetryOptions,
} from './http/outbound-retry.js';
import { RequestLog } from './http/request-log.js';
import { createLogger, type Logger } from './logger.js';
import { countingLedger } from './observability/ledger-metrics.js';
import { Metrics } from './observability/metrics.js';
import { createServer } from './server.js';
import { StorageError } from './storage/errors.js';
import { openStore, type Store } from './storage/store.js';
import type { LedgerFaults } from './storage/upgrade-ledger.js';

export interface App {
  readonly server: Server;
  readonly adapter: BotAdapter;
  readonly bot: UpgradeAssistantBot;
  readonly directory: CustomerDirectory;
  readonly store: Store;
  readonly metrics: Metrics;
  /** The requests being processed. */
  readonly inFlight: InFlight;
  /** Starts listening; resolves with the port. */
  listen(port?: number, host?: string): Promise<number>;
  /**
   * Graceful shutdown: stops accepting requests, waits for the ones in flight (at most `timeoutMs`, default
   * SHUTDOWN_TIMEOUT_SECONDS), then closes the connections and the database. Idempotent.
   */
  close(options?: { readonly timeoutMs?: number }): Promise<void>;
}

export interface AppOptions {
  readonly logger?: Logger;
  /** Fault injection for tests (inside the confirm transaction). */
  readonly faults?: LedgerFaults;
  /**
   * botbuilder authentication settings laid over those of the configuration, e.g. the OpenID metadata URLs
   * of a local stand-in for the Bot Framework's token service (tests).
   */
  readonly authSettings?: Readonly<Record<string, string>>;
  /** How long authenticating a request may take (default 10 s). */
  readonly authTimeoutMs?: number;
  /** The retry of requests to the channel (default `DEFAULT_OUTBOUND_RETRY`). */
  readonly outboundRetry?: Partial<OutboundRetryOptions>;
  /** Node.js process metrics on /metrics (default true). */
  readonly processMetrics?: boolean;
}

const ERROR_RESPONSE = 'application/vnd.microsoft.error';

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const metrics = new Metrics({ processMetrics: options.processMetrics ?? true });
  const store = openStore({
    dataDir: config.DATA_DIR,
    // Read only for a new database: a restart does not parse the directory file again.
    seed: () =>
      config.DIRECTORY_FILE === undefined ? loadDemoDirectory() : loadDirectoryFile(config.DIRECTORY_FILE),
    seedSource: config.DIRECTORY_FILE ?? DEMO_DIRECTORY_PATH,
    cacheSize: config.DIRECTORY_CACHE_SIZE,
    ...(options.faults === undefined ? {} : { faults: options.faults }),
  });
  logger.info(
    { database: store.path, seeded: store.seeded, customers: store.directory.count() },
    'storage open',
  );
  const { directory } = store;
  const ledger = countingLedger(store.ledger, metrics);
  const lookup = new CustomerIndex(directory.names());
  const wording = new Wording({ timeZone: config.DEFAULT_TIME_ZONE });
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

  const required = authenticationRequired(config);
  if (!required) {
    logger.warn('No MicrosoftAppId: the bot accepts unauthenticated requests (local clients only).');
  }
  const authentication = new ConfigurationBotFrameworkAuthentication({
    ...botAuthSettings(config),
    ...options.authSettings,
  });
  const adapter = new BotAdapter(authentication);
  adapter.use(turnLogging(logger, metrics));
  adapter.use(checkInvokes(logger));
  if (config.RATE_LIMIT_MESSAGES > 0) {
    const limiter = new RateLimiter({
      limit: config.RATE_LIMIT_MESSAGES,
      windowMs: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
    });
    adapter.use(rateLimit(limiter, wording, logger));
  }
  if (config.ALLOWED_TENANTS.length > 0) adapter.use(tenantGate(config.ALLOWED_TENANTS, wording, logger));
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    metrics.error('turn');
    logger.error({ ...turnIds(context), err: error }, 'turn failed');
    const apology = wording.forActivity(context.activity).t('apology');
    try {
      if (context.activity.type === ActivityTypes.Invoke) {
        if (context.turnState.get(INVOKE_RESPONSE_KEY) === undefined) {
          const value = { code: 'InternalError', message: apology };
          await context.sendActivity({
            type: ActivityTypes.InvokeResponse,
            value: { status: 200, body: { statusCode: 500, type: ERROR_RESPONSE, value } },
          });
        }
      } else {
        await context.sendActivity(apology);
      }
    } catch (sendError) {
      logger.error({ ...turnIds(context), err: sendError }, 'could not send the apology');
    }
  };

  const inFlight = new InFlight();
  const requestLog = new RequestLog(logger, metrics);
  const outboundRetry = outboundRetryPolicy(
    { ...DEFAULT_OUTBOUND_RETRY, ...options.outboundRetry },
    {
      onRetry: (failure, delayMs) => {
        metrics.outboundRetry();
        logger.warn({ ...failure, delayMs }, 'request to the channel failed; retrying');
      },
      onGiveUp: (failure) => {
        metrics.error('outbound');
        logger.error(failure, 'request to the channel failed; giving up');
      },
    },
  );
  const server = createServer({
    messages: messagesEndpoint({
      adapter,
      logic: (context) => bot.run(context),
      authenticator: new Authenticator({
        authentication,
        required,
        ...(options.authTimeoutMs === undefined ? {} : { timeoutMs: options.authTimeoutMs }),
      }),
      outboundRetry,
      inFlight,
      requestLog,
      metrics,
      logger,
    }),
    metrics: metricsEndpoint(metrics, config.METRICS_TOKEN, logger),
    requestLog,
    inFlight,
    maxBodyBytes: config.MAX_BODY_KB * 1024,
    logger,
  });

  let closing: Promise<void> | undefined;
  const shutdown = async (timeoutMs: number): Promise<void> => {
    inFlight.close();
    const http = server.server as HttpServer;
    const closed = new Promise<void>((resolve) => {
      if (!http.listening) resolve();
      else http.close(() => resolve());
    });
    http.closeIdleConnections();
    if (!(await inFlight.drained(timeoutMs))) {
      logger.warn({ inFlight: inFlight.size }, 'shutdown: requests still in flight after the time limit');
    }
    // Connections that just answered become idle; give the others a moment to finish writing.
    http.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
    clearTimeout(timer);
    http.closeAllConnections();
    store.close();
  };

  return {
    server,
    adapter,
    bot,
    directory,
    store,
    metrics,
    inFlight,
    listen: (port = config.PORT, host = listenHost(config)) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address().port);
        });
      }),
    close: (closeOptions = {}) =>
      (closing ??= shutdown(closeOptions.timeoutMs ?? config.SHUTDOWN_TIMEOUT_SECONDS * 1000)),
  };
}

/** The message of an error that stops start-up: the operator can act on it as it is. */
function startFailure(error: unknown): string {
  if (error instanceof ConfigError || error instanceof StorageError || error instanceof DirectoryError) {
    return error.message;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const app = await createApp(config, { logger });
  const port = await app.listen();
  logger.info(
    { port, host: listenHost(config), customers: app.directory.count() },
    `Upgrade Assistant listening on http://localhost:${port}/api/messages`,
  );

  let stopping = false;
  const stop = (reason: string, code: number) => {
    if (stopping) {
      logger.warn({ reason }, 'stopping now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ reason }, 'shutting down: no new requests, finishing the ones in flight');
    app.close().then(
      () => {
        logger.info('stopped');
        process.exit(code);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGINT', () => stop('SIGINT', 0));
  process.on('unhandledRejection', (reason) => {
    app.metrics.error('process');
    logger.error({ err: reason }, 'unhandled promise rejection');
  });
  process.on('uncaughtException', (error) => {
    app.metrics.error('process');
    logger.fatal({ err: error }, 'uncaught exception');
    stop('uncaughtException', 1);
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`Upgrade Assistant cannot start.\n${startFailure(error)}`);
    process.exit(1);
  });
}
