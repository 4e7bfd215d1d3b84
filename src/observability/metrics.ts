/**
 * The bot's Prometheus metrics (prom-client), in a registry of its own per app: turns, upgrades, errors,
 * outbound retries and HTTP request durations, plus the Node.js process metrics. Label values that come from
 * requests (channel, activity type) are reduced to a fixed set, so that a client cannot grow the series.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** How a turn ended. */
export type TurnOutcome = 'ok' | 'error' | 'ignored' | 'tenant_refused' | 'rate_limited';
export type UpgradeOutcome = 'done' | 'refused' | 'failed' | 'unknown' | 'cancelled' | 'expired';
/** Where an error was seen. */
/** What a directory sync from the system of record did: a full sync, a failed one, one left to another replica, one customer refreshed. */
export type SyncOutcome = 'synced' | 'failed' | 'skipped' | 'refreshed';
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
  private readonly upgrades: Counter<'outcome'>;
  private readonly errors: Counter<'kind'>;
  private readonly retries: Counter;
  private readonly requests: Histogram<'route' | 'status'>;
  private readonly syncs: Counter<'outcome'>;
  private readonly lastSync: Gauge;

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
      help: 'Upgrade decisions: confirmed and done, refused by the rules, failed while applying, cancelled.',
      labelNames: ['outcome'],
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
      name: 'directory_syncs_total',
      help: 'Syncs of the directory from Partner Center: full syncs done, failed (the last good data kept), skipped (another replica syncs), customers refreshed.',
      labelNames: ['outcome'],
      registers,
    });
    this.lastSync = new Gauge({
      name: 'directory_sync_last_success_timestamp_seconds',
      help: 'When the last full sync from Partner Center finished without error (Unix time); 0 before the first.',
      registers,
    });
    for (const outcome of ['synced', 'failed', 'skipped', 'refreshed'] satisfies SyncOutcome[]) {
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
      this.upgrades.inc({ outcome }, 0);
    }
    for (const kind of ['turn', 'storage', 'outbound', 'http', 'auth', 'process'] satisfies ErrorKind[]) {
      this.errors.inc({ kind }, 0);
    }
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  turn(channelId: unknown, type: unknown, outcome: TurnOutcome): void {
    this.turns.inc({ channel: channelLabel(channelId), type: typeLabel(type), outcome });
  }

  upgrade(outcome: UpgradeOutcome): void {
    this.upgrades.inc({ outcome });
  }

  error(kind: ErrorKind): void {
    this.errors.inc({ kind });
  }

  /** A sync event; `at`, for a full sync done, is when it finished. */
  sync(outcome: SyncOutcome, at?: Date): void {
    this.syncs.inc({ outcome });
    if (outcome === 'synced') this.lastSync.set((at ?? new Date()).getTime() / 1000);
  }

  outboundRetry(): void {
    this.retries.inc();
  }

  request(route: string, status: number, seconds: number): void {
    this.requests.observe({ route, status: String(status) }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
