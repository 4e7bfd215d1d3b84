/**
 * Composition (CUSTOMER_SOURCE=partner-center): the Partner Center client and what is built on it, the feed
 * the sync reads, the sync into the store, the live re-check and the gateway that carries upgrades out there.
 * Only `src/index.ts` imports this module.
 */
import { randomUUID } from 'node:crypto';
import type { PartnerCenterSettings } from './config.js';
import type { UpgradeGateway } from './core/gateway.js';
import type { LiveCheck } from './core/live-check.js';
import { DirectorySync, type SyncEvent } from './core/sync.js';
import type { Logger } from './logger.js';
import type { Metrics } from './observability/metrics.js';
import { PartnerCenterClient } from './partner-center/client.js';
import { PartnerCenterFeed } from './partner-center/feed.js';
import { PartnerCenterGateway } from './partner-center/gateway.js';
import { PartnerCenterLiveCheck } from './partner-center/live-check.js';
import type { Persistence } from './persistence.js';

/** The name the store gives the directory when it holds Partner Center's customers (there is no setting for it). */
export const PARTNER_CENTER_DIRECTORY = 'Partner Center';

export interface PartnerCenterParts {
  readonly sync: DirectorySync;
  readonly live: LiveCheck;
  readonly gateway: UpgradeGateway;
  /** Stops the sync (waiting for a sync in progress) and closes the client: before the store closes. */
  close(): Promise<void>;
}

/**
 * `upgradeLeaseMs`: the ledger's lease on a confirmed upgrade. The gateway gives up on Partner Center at half
 * of it, so that a call never runs on beside the resumption that takes the claim over once the lease ends.
 */
export function openPartnerCenter(
  settings: PartnerCenterSettings,
  store: Persistence,
  logger: Logger,
  metrics: Metrics,
  upgradeLeaseMs: number,
): PartnerCenterParts {
  const client = new PartnerCenterClient({
    tenantId: settings.tenantId,
    clientId: settings.clientId,
    credential: settings.credential,
    apiBaseUrl: settings.apiBaseUrl,
    authorityHost: settings.authorityHost,
    requestsPerMinute: settings.requestsPerMinute,
    reservedForLive: settings.reservedForLive,
    maxConcurrent: settings.maxConcurrent,
    pageSize: settings.pageSize,
    logger,
  });
  const sync = new DirectorySync({
    feed: new PartnerCenterFeed(client),
    customers: store.customers,
    save: (customer) => store.saveCustomer(customer),
    remove: (customerId) => store.removeCustomer(customerId),
    leases: store.leases,
    state: store.state,
    periodMinutes: settings.syncMinutes,
    // A replica's own name for the lease: a restarted process is another holder.
    holder: randomUUID(),
    onEvent: (event) => reportSync(event, logger, metrics),
  });
  return {
    sync,
    live: new PartnerCenterLiveCheck({ client }),
    gateway: new PartnerCenterGateway({
      client,
      customers: store.customers,
      deadlineMs: Math.floor(upgradeLeaseMs / 2),
      // The store follows the upgrade at once rather than at the next sync; the gateway does not wait for it,
      // and its failure never fails the upgrade.
      afterUpgrade: (customerId) =>
        sync.refresh(customerId).then(
          () => {},
          (error: unknown) =>
            logger.warn(
              { err: error, customerId },
              'refresh after an upgrade failed; the store catches up at the next sync',
            ),
        ),
    }),
    close: async () => {
      await sync.stop();
      await client.close();
    },
  };
}

/** Logs and counts what the sync did: a failure keeps the last good data, and says so. */
function reportSync(event: SyncEvent, logger: Logger, metrics: Metrics): void {
  switch (event.kind) {
    case 'failed':
      metrics.partnerCenterSyncFailed(event.durationMs / 1000);
      logger.error(
        { err: event.error, durationMs: event.durationMs },
        'directory sync from Partner Center failed; the last good data is kept',
      );
      return;
    case 'synced':
      metrics.partnerCenterSynced(event.customers, event.durationMs / 1000, new Date());
      logger.info(
        {
          customers: event.customers,
          removed: event.removed,
          unreadable: event.unreadable,
          durationMs: event.durationMs,
        },
        'directory synced from Partner Center',
      );
      return;
    case 'skipped':
      metrics.partnerCenterSyncSkipped();
      if (event.reason === 'lease-lost') {
        logger.warn(
          { reason: event.reason },
          'directory sync stopped part way: another replica took the lease over and syncs instead',
        );
      } else {
        logger.info({ reason: event.reason }, 'directory sync skipped: another replica is syncing');
      }
      return;
    case 'unreadable':
      logger.warn(
        { customerId: event.customerId, reason: event.reason },
        'Partner Center listed a customer whose subscriptions it would not give; its last stored data is kept',
      );
      return;
    case 'refreshed':
      logger.info({ customerId: event.customerId }, 'customer refreshed from Partner Center');
      return;
  }
}
