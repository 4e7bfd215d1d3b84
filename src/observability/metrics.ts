/**
 * The bot's Prometheus metrics (prom-client), in a registry of its own per app: turns, upgrades, errors,
 * outbound retries and HTTP request durations, plus the Node.js process metrics. Label values that come from
 * requests (channel, activity type) are reduced to a fixed set, so that a client cannot grow the series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ChangeKind } from '../core/ledger.js';

/** How a turn ended. */
export type TurnOutcome = 'ok' | 'error' | 'ignored' | 'tenant_refused' | 'rate_limited';
export type UpgradeOutcome = 'done' | 'refused' | 'failed' | 'unknown' | 'cancelled' | 'expired';
/** How a Partner Center sync ended: done, failed (the last good data kept), or left to another replica. */
export type SyncOutcome = 'ok' | 'failed' | 'skipped';
/** Where an error was seen. */
export type ErrorKind = 'turn' | 'storage' | 'outbound' | 'http' | 'auth' | 'process';

const CHANNELS = new Set(['msteams', 'emulator', 'webchat', 'directline', 'test', 'slack', 'skype']);
const TYPES = new Set([
  'message',
  'invoke',
  'conversationUpdate',
  'installationUpdate',
  'messageReaction',
  'messageUpdate',
  'messageDelete',
  'event',
  'typing',
  'endOfConversation',
]);

export function channelLabel(channelId: unknown): string {
  return typeof channelId === 'string' && CHANNELS.has(channelId) ? channelId : 'other';
}

export function typeLabel(type: unknown): string {
  return typeof type === 'string' && TYPES.has(type) ? type : 'other';
}

export class Metrics {
  readonly registry = new Registry();
  private readonly turns: Counter<'channel' | 'type' | 'outcome'>;
  private readonly upgrades: Counter<'outcome' | 'change'>;
  private readonly errors: Counter<'kind'>;
  private readonly retries: Counter;
  private readonly requests: Histogram<'route' | 'status'>;
  private readonly syncs: Counter<'outcome'>;
  private readonly syncCustomers: Gauge;
  private readonly syncLastSuccess: Gauge;
  private readonly syncDuration: Histogram;
  private readonly disagreements: Counter<'rules' | 'partner_center'>;

  constructor(options: { readonly processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.turns = new Counter({
      name: 'turns_total',
      help: 'Bot turns, by channel, activity type and outcome.',
      labelNames: ['channel', 'type', 'outcome'],
      registers,
    });
    this.upgrades = new Counter({
      name: 'upgrades_total',
      help: 'Change decisions (upgrades, licences added): confirmed and done, refused by the rules, failed while applying, cancelled.',
      labelNames: ['outcome', 'change'],
      registers,
    });
    this.errors = new Counter({
      name: 'errors_total',
      help: 'Errors, by where they were seen (turn, outbound send, HTTP, authentication, process).',
      labelNames: ['kind'],
      registers,
    });
    this.retries = new Counter({
      name: 'outbound_retries_total',
      help: 'Retries of requests to the channel (Bot Connector) after a transient failure.',
      registers,
    });
    this.requests = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests, by route and status code.',
      labelNames: ['route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.syncs = new Counter({
      name: 'partner_center_syncs_total',
      help: 'Full syncs of the customers from Partner Center, by outcome (ok, failed, skipped: another replica syncs).',
      labelNames: ['outcome'],
      registers,
    });
    this.syncCustomers = new Gauge({
      name: 'partner_center_sync_customers',
      help: 'Customers read from Partner Center by the last successful sync of this replica.',
      registers,
    });
    this.syncLastSuccess = new Gauge({
      name: 'partner_center_last_sync_success_seconds',
      help: 'When the last successful sync of this replica finished (Unix time, seconds).',
      registers,
    });
    this.syncDuration = new Histogram({
      name: 'partner_center_sync_duration_seconds',
      help: 'How long full syncs from Partner Center took (successful or failed).',
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600],
      registers,
    });
    this.disagreements = new Counter({
      name: 'partner_center_disagreements_total',
      help: "Live re-checks where Partner Center's verdict on a target differs from the rules' on the synced copy (the answer follows Partner Center), by each one's verdict.",
      labelNames: ['rules', 'partner_center'],
      registers,
    });
    for (const outcome of ['ok', 'failed', 'skipped'] satisfies SyncOutcome[]) {
      this.syncs.inc({ outcome }, 0);
    }
    for (const outcome of [
      'done',
      'refused',
      'failed',
      'unknown',
      'cancelled',
      'expired',
    ] satisfies UpgradeOutcome[]) {
      for (const change of ['upgrade', 'add_licences'] satisfies ChangeKind[]) {
        this.upgrades.inc({ outcome, change }, 0);
      }
    }
    for (const kind of ['turn', 'storage', 'outbound', 'http', 'auth', 'process'] satisfies ErrorKind[]) {
      this.errors.inc({ kind }, 0);
    }
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  turn(channelId: unknown, type: unknown, outcome: TurnOutcome): void {
    this.turns.inc({ channel: channelLabel(channelId), type: typeLabel(type), outcome });
  }

  upgrade(outcome: UpgradeOutcome, change: ChangeKind = 'upgrade'): void {
    this.upgrades.inc({ outcome, change });
  }

  error(kind: ErrorKind): void {
    this.errors.inc({ kind });
  }

  outboundRetry(): void {
    this.retries.inc();
  }

  request(route: string, status: number, seconds: number): void {
    this.requests.observe({ route, status: String(status) }, seconds);
  }

  /** A full sync finished: `customers` read, at `finishedAt`, in `seconds`. */
  partnerCenterSynced(customers: number, seconds: number, finishedAt: Date): void {
    this.syncs.inc({ outcome: 'ok' });
    this.syncCustomers.set(customers);
    this.syncLastSuccess.set(finishedAt.getTime() / 1000);
    this.syncDuration.observe(seconds);
  }

  /** A full sync failed after `seconds` (the store keeps the last good data). */
  partnerCenterSyncFailed(seconds: number): void {
    this.syncs.inc({ outcome: 'failed' });
    this.syncDuration.observe(seconds);
  }

  /** Another replica held the sync lease. */
  /** Partner Center and the rules disagree on a target (`eligible` or `not-eligible` each). */
  partnerCenterDisagreement(rules: string, partnerCenter: string): void {
    this.disagreements.inc({ rules, partner_center: partnerCenter });
  }

  partnerCenterSyncSkipped(): void {
    this.syncs.inc({ outcome: 'skipped' });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
