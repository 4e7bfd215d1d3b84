/**
 * Composition root: configuration, directory, understanding, wording, cards, bot, guards, adapter, metrics
 * and server. `npm start` runs `main()` (signals, graceful shutdown, start-up errors); tests call
 * `createApp()` with their own configuration.
 */
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { Server } from 'restify';
import { assembleBot } from './bot/assemble.js';
import { Wording } from './bot/i18n.js';
import type { UpgradeAssistantBot } from './bot/bot.js';
import { checkInvokes, rateLimit, tenantGate } from './bot/guards.js';
import { RateLimiter } from './bot/rate-limiter.js';
import { turnErrorHandler } from './bot/turn-error.js';
import { turnLogging } from './bot/turn-logging.js';
import {
  authenticationRequired,
  botAuthSettings,
  checkListenHost,
  ConfigError,
  listenHost,
  loadConfig,
  trustClientUserIds,
  localOnly,
  type Config,
} from './config.js';
import { ApprovalPolicy } from './core/approvals.js';
import {
  DirectoryError,
  DEMO_DIRECTORY_PATH,
  loadDemoDirectory,
  loadDirectoryFile,
} from './directory/load.js';
import { CustomerIndex } from './directory/customer-index.js';
import { BotAdapter } from './http/adapter.js';
import { Authenticator, CHANNEL_ISSUER } from './http/authentication.js';
import { InFlight } from './http/in-flight.js';
import { messagesAdmission, messagesEndpoint } from './http/messages.js';
import { metricsEndpoint } from './http/metrics-endpoint.js';
import { createMetricsServer } from './http/metrics-server.js';
import { isLoopbackHost } from './http/loopback.js';
import {
  DEFAULT_OUTBOUND_RETRY,
  outboundRetryPolicy,
  type OutboundRetryOptions,
} from './http/outbound-retry.js';
import { RequestLog } from './http/request-log.js';
import { closeServer } from './http/shutdown.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './observability/metrics.js';
import { createServer, limitSlowClients } from './server.js';
import { openPersistence, type Persistence } from './persistence.js';
import { StorageError } from './storage/errors.js';
import type { LicencePlan, UpgradePlan } from './rules/index.js';
import type { CustomerRepository } from './core/customers.js';
import type { UpgradeGateway } from './core/gateway.js';
import { startRetention } from './core/retention.js';
import { FILE_SOURCE, type DirectorySource } from './core/system-of-record.js';
import {
  openPartnerCenter,
  PARTNER_CENTER_DIRECTORY,
  type PartnerCenterParts,
} from './partner-center-composition.js';
import { UpgradeService } from './core/upgrades.js';

export interface App {
  readonly server: Server;
  readonly adapter: BotAdapter;
  readonly bot: UpgradeAssistantBot;
  readonly customers: CustomerRepository;
  /** The storage engine (SQLite or PostgreSQL) and its ports. */
  readonly storage: Persistence;
  readonly upgrades: UpgradeService;
  /** Where the customers come from and how fresh they are (the directory file, or Partner Center). */
  readonly source: DirectorySource;
  readonly metrics: Metrics;
  /** The requests being processed. */
  readonly inFlight: InFlight;
  /** With METRICS_PORT: the listener serving `/metrics` (then not served by `server`). */
  readonly metricsServer: HttpServer | undefined;
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
  /** Fault injection for tests (inside the embedded gateway's transaction). */
  readonly faults?: { readonly beforeCommit?: (plan: UpgradePlan | LicencePlan) => void };
  /**
   * botbuilder authentication settings laid over those of the configuration, e.g. the OpenID metadata URLs
   * of a local stand-in for the Bot Framework's token service (tests).
   */
  readonly authSettings?: Readonly<Record<string, string>>;
  /** How long authenticating a request may take (default 10 s). */
  readonly authTimeoutMs?: number;
  /** The retry of requests to the channel (default `DEFAULT_OUTBOUND_RETRY`). */
  readonly outboundRetry?: Partial<OutboundRetryOptions>;
  /** Wraps the upgrade gateway (tests: a slow or failing system of record). */
  readonly wrapGateway?: (gateway: UpgradeGateway) => UpgradeGateway;
  /** Node.js process metrics on /metrics (default true). */
  readonly processMetrics?: boolean;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const metrics = new Metrics({ processMetrics: options.processMetrics ?? true });
  const fromPartnerCenter = config.partnerCenter !== undefined;
  const store = await openPersistence(config, {
    // Read only for a new database: a restart does not parse the directory file again. Partner Center's
    // customers come from the sync, into an empty directory.
    seed: () =>
      fromPartnerCenter
        ? { partner: { name: PARTNER_CENTER_DIRECTORY }, customers: [] }
        : config.DIRECTORY_FILE === undefined
          ? loadDemoDirectory()
          : loadDirectoryFile(config.DIRECTORY_FILE),
    seedSource: fromPartnerCenter ? 'partner-center' : (config.DIRECTORY_FILE ?? DEMO_DIRECTORY_PATH),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    onWarning: (message) => logger.warn(message),
  });
  const { customers } = store;
  logger.info(
    {
      engine: store.engine,
      database: store.location,
      seeded: store.seeded,
      customers: await customers.count(),
    },
    'storage open',
  );
  const lookup = new CustomerIndex(await customers.names());
  // The name index follows customers added, renamed or removed, here or by another process.
  customers.onChanged((change) => {
    if (change.kind === 'upserted') lookup.upsert(change.customer);
    else lookup.remove(change.customerId);
  });
  const stopWatching = store.watch(config.CACHE_REFRESH_SECONDS * 1000);
  const partnerCenter: PartnerCenterParts | undefined =
    config.partnerCenter === undefined
      ? undefined
      : openPartnerCenter(config.partnerCenter, store, logger, metrics, config.UPGRADE_LEASE_SECONDS * 1000);
  const source: DirectorySource = partnerCenter?.sync ?? FILE_SOURCE;
  const gateway = partnerCenter?.gateway ?? store.gateway;
  const upgrades = new UpgradeService({
    customers,
    ledger: store.ledger,
    gateway: options.wrapGateway?.(gateway) ?? gateway,
    timings: {
      leaseMs: config.UPGRADE_LEASE_SECONDS * 1000,
      lifetimeMs: config.UPGRADE_REQUEST_LIFETIME_SECONDS * 1000,
      retryDelayMs: config.UPGRADE_RETRY_DELAY_SECONDS * 1000,
      maxAttempts: config.UPGRADE_MAX_ATTEMPTS,
    },
    onFinal: (status, entry) => metrics.upgrade(status, entry.change ?? 'upgrade'),
    onError: (error, token) =>
      logger.error({ err: error, token }, 'upgrade outcome unknown; it will be resumed'),
  });
  // Claims left unfinished by a stopped process are resumed now, then looked for periodically.
  upgrades.start();
  const stopRetention = startRetention({
    ledger: store.ledger,
    state: store.state,
    days: config.RETENTION_DAYS,
    onPruned: (rows) => {
      if (rows > 0) logger.info({ rows, days: config.RETENTION_DAYS }, 'old records pruned');
    },
    onError: (error) => logger.error({ err: error }, 'pruning old records failed'),
  });
  const { bot, wording, fleet } = await assembleBot({
    wording: new Wording({ timeZone: config.DEFAULT_TIME_ZONE }),
    customers,
    lookup,
    upgrades,
    source,
    state: store.state,
    approvals: new ApprovalPolicy({
      approvers: config.UPGRADE_APPROVERS,
      fourEyes: config.UPGRADE_FOUR_EYES,
      trustClientUserIds: trustClientUserIds(config),
    }),
    logger,
    invokeBudgetMs: config.TEAMS_INVOKE_BUDGET_MS,
    ...(partnerCenter === undefined
      ? {}
      : {
          live: partnerCenter.live,
          // The answer follows Partner Center; each disagreement with the rules is logged and counted.
          onDisagreement: (d) => {
            metrics.partnerCenterDisagreement(d.rules, d.partnerCenter);
            logger.warn(d, 'Partner Center and the rules disagree; the answer follows Partner Center');
          },
        }),
  });

  const required = authenticationRequired(config);
  const local = localOnly(config);
  if (local) {
    logger.warn('No MicrosoftAppId: the bot accepts unauthenticated requests (local clients only).');
  } else if (!required) {
    logger.warn(
      'No MicrosoftAppId and ALLOW_UNAUTHENTICATED_REMOTE=true: anyone who reaches the port can drive the bot, ' +
        'and it sends replies to any serviceUrl it is given.',
    );
  }
  const authSettings = { ...botAuthSettings(config), ...options.authSettings };
  const authentication = new ConfigurationBotFrameworkAuthentication(authSettings);
  const adapter = new BotAdapter(authentication);
  adapter.use(turnLogging(logger, metrics));
  adapter.use(checkInvokes(logger));
  if (config.RATE_LIMIT_MESSAGES > 0) {
    const windowMs = config.RATE_LIMIT_WINDOW_SECONDS * 1000;
    const limiter = new RateLimiter({ limit: config.RATE_LIMIT_MESSAGES, windowMs });
    // Teams refreshes each confirm card in view by itself: a looser limit, answered silently past it.
    const refreshes = new RateLimiter({ limit: config.RATE_LIMIT_MESSAGES * 5, windowMs });
    adapter.use(rateLimit(limiter, refreshes, wording, logger));
  }
  if (config.ALLOWED_TENANTS.length > 0) adapter.use(tenantGate(config.ALLOWED_TENANTS, wording, logger));
  adapter.onTurnError = turnErrorHandler(wording, logger, metrics, store.isUnavailable);

  const inFlight = new InFlight();
  const requestLog = new RequestLog(logger, metrics);
  const outboundRetry = outboundRetryPolicy(
    {
      ...DEFAULT_OUTBOUND_RETRY,
      budgetMs: config.OUTBOUND_RETRY_BUDGET_SECONDS * 1000,
      ...options.outboundRetry,
    },
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
  const authenticator = new Authenticator({
    authentication,
    required,
    ...(options.authTimeoutMs === undefined ? {} : { timeoutMs: options.authTimeoutMs }),
    expected: {
      appId: config.MicrosoftAppId,
      channelIssuer: authSettings.ToBotFromChannelTokenIssuer ?? CHANNEL_ISSUER,
    },
  });
  const serveMetrics = metricsEndpoint(metrics, config.METRICS_TOKEN, logger);
  let metricsServer: HttpServer | undefined;
  if (config.METRICS_PORT !== undefined) {
    const loopback = isLoopbackHost(config.METRICS_HOST);
    metricsServer = createMetricsServer({
      metrics: serveMetrics,
      requestLog,
      hostCheck: loopback ? 'loopback' : 'off',
    });
    limitSlowClients(metricsServer, 0);
    if (!loopback && config.METRICS_TOKEN === undefined) {
      logger.warn(
        { metricsHost: config.METRICS_HOST },
        'METRICS_HOST is not a loopback address and METRICS_TOKEN is not set: /metrics is open to its network',
      );
    }
  }
  const server = createServer({
    admit: messagesAdmission({ authenticator, inFlight, requestLog, metrics, logger }),
    messages: messagesEndpoint({
      adapter,
      logic: (context) => bot.run(context),
      authenticator,
      outboundRetry,
      inFlight,
      requestLog,
      metrics,
      logger,
      localServiceUrlOnly: local,
    }),
    ...(metricsServer === undefined ? { metrics: serveMetrics } : {}),
    requestLog,
    inFlight,
    maxBodyBytes: config.MAX_BODY_KB * 1024,
    bodyTimeoutMs: config.BODY_TIMEOUT_SECONDS * 1000,
    logger,
    hostCheck: local ? 'loopback' : 'off',
  });

  let closing: Promise<void> | undefined;
  const shutdown = async (timeoutMs: number): Promise<void> => {
    const started = Date.now();
    await closeServer(server, inFlight, timeoutMs, logger);
    // The card updates still running after their invokes were answered.
    if (!(await bot.drain(Math.max(0, timeoutMs - (Date.now() - started))))) {
      logger.warn('shutdown: card updates still running after the time limit');
    }
    if (metricsServer?.listening === true) {
      const closed = new Promise((resolve) => metricsServer.close(resolve));
      metricsServer.closeAllConnections();
      await closed;
    }
    stopWatching();
    stopRetention();
    await upgrades.stop();
    // The sync writes to the store: stopped (a sync in progress finished or abandoned) before it closes.
    await partnerCenter?.close();
    await store.close();
  };

  return {
    server,
    adapter,
    bot,
    customers,
    storage: store,
    upgrades,
    source,
    metrics,
    inFlight,
    metricsServer,
    listen: async (port = config.PORT, host = listenHost(config)) => {
      const listening = await new Promise<number>((resolve, reject) => {
        checkListenHost(config, host);
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address().port);
        });
      });
      // The first sync runs now (then every PARTNER_CENTER_SYNC_MINUTES); its outcome is logged, not awaited.
      partnerCenter?.sync.start();
      // The fleet counts are built now, in the background, rather than by the first fleet question.
      fleet.warm().catch((error: unknown) => logger.warn({ err: error }, 'fleet counts not built at start'));
      if (metricsServer !== undefined) {
        await new Promise<void>((resolve, reject) => {
          metricsServer.once('error', reject);
          metricsServer.listen(config.METRICS_PORT, config.METRICS_HOST, () => {
            metricsServer.off('error', reject);
            resolve();
          });
        });
      }
      return listening;
    },
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
  const metricsAddress = app.metricsServer?.address() as AddressInfo | null | undefined;
  logger.info(
    {
      port,
      host: listenHost(config),
      ...(metricsAddress ? { metricsPort: metricsAddress.port, metricsHost: config.METRICS_HOST } : {}),
      customers: await app.customers.count(),
    },
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
