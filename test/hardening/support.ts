/**
 * Helpers of the hardening tests: a guard that keeps every connection on the loopback interface, a local
 * stand-in for the Bot Framework's token keys, JWTs signed with keys of our own, a channel that fails on
 * demand, the bot as a child process, and a log sink.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
} from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Activity } from 'botbuilder';
import { pino, type Logger } from 'pino';
import { PROJECT_ROOT } from '../../src/paths.js';
import type { Customer } from '../../src/rules/index.js';
import type { CustomerRepository } from '../../src/core/customers.js';
import type { UpgradeLedger } from '../../src/core/ledger.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import type { Store } from '../../src/storage/store.js';
import type { LedgerEvent } from '../../src/storage/upgrade-ledger.js';
import { actions as cardActions } from '../support/cards.js';
import type { RunningBot } from '../support/server.js';

// ---------------------------------------------------------------------------------------------------------
// Loopback only

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/i;

/** Connections that the guard refused, as "host:port". */
export const blockedConnections: string[] = [];

/**
 * From now on in this process, a TCP connection to anything but the loopback interface fails before any
 * packet (or DNS query) leaves: the SDK's attempts to reach the Bot Framework's services are caught here.
 */
export function guardLoopback(): void {
  const proto = net.Socket.prototype as unknown as {
    connect: (...args: unknown[]) => unknown;
    __guarded?: true;
  };
  if (proto.__guarded) return;
  const original = proto.connect;
  proto.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    let host: string | undefined;
    let port: unknown;
    if (first !== null && typeof first === 'object') {
      const options = first as { host?: string; port?: unknown; path?: string };
      if (options.path === undefined) {
        host = options.host ?? 'localhost';
        port = options.port;
      }
    } else if (typeof first === 'number' || typeof first === 'string') {
      port = first;
      host = typeof args[1] === 'string' ? args[1] : 'localhost';
    }
    if (host !== undefined && !LOOPBACK.test(host.replace(/^\[|\]$/g, ''))) {
      blockedConnections.push(`${host}:${String(port)}`);
      process.nextTick(() => this.destroy(new Error(`blocked non-loopback connection to ${host}`)));
      return this;
    }
    return original.apply(this, args);
  };
  proto.__guarded = true;
}

// ---------------------------------------------------------------------------------------------------------
// Tokens

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: { kty: string; n: string; e: string };
}

export function newSigningKey(kid: string = randomUUID()): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; n: string; e: string };
  return { kid, privateKey, jwk };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT signed RS256 with `key`; `claims` are laid over a channel token's (Bot Connector → bot). */
export function mintToken(
  key: SigningKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header });
  const payload = b64({
    iss: 'https://api.botframework.com',
    nbf: now - 60,
    iat: now - 60,
    exp: now + 3600,
    ...claims,
  });
  const signature = sign('RSA-SHA256', Buffer.from(`${head}.${payload}`), key.privateKey).toString(
    'base64url',
  );
  return `${head}.${payload}.${signature}`;
}

/**
 * A stand-in for the Bot Framework's OpenID metadata and signing keys, on the loopback interface. `hang`: it
 * accepts requests and never answers (a network that does not respond).
 */
export class OpenIdStandIn {
  readonly requests: string[] = [];
  hang = false;
  private server?: Server;
  private url = '';

  constructor(private readonly keys: readonly SigningKey[]) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.requests.push(req.url ?? '');
      if (this.hang) return;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/keys') {
        res.end(JSON.stringify({ keys: this.keys.map((k) => ({ ...k.jwk, kid: k.kid, use: 'sig' })) }));
      } else {
        res.end(JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `${this.url}/keys` }));
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this.url;
  }

  /**
   * botbuilder settings that send its key look-ups here. botbuilder then expects the whole parameter set: the
   * other values are those of the public cloud (botframework-connector's AuthenticationConstants).
   */
  get settings(): Record<string, string> {
    return {
      ValidateAuthority: 'true',
      ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
      ToChannelFromBotOAuthScope: 'https://api.botframework.com',
      ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
      OAuthUrl: 'https://api.botframework.com',
      CallerId: 'urn:botframework:azure',
      ToBotFromChannelOpenIdMetadataUrl: `${this.url}/channel/openid`,
      ToBotFromEmulatorOpenIdMetadataUrl: `${this.url}/emulator/openid`,
    };
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

// ---------------------------------------------------------------------------------------------------------
// A channel that fails on demand

interface ChannelRequest {
  readonly method: string;
  readonly path: string;
  readonly activity: Partial<Activity>;
  readonly status: number;
}

/**
 * A Bot Connector stand-in: answers each request with the next status of `plan` (then 200), optionally
 * after `delayMs`; records every request.
 */
export class ScriptedChannel {
  readonly requests: ChannelRequest[] = [];
  plan: number[] = [];
  retryAfter?: string;
  delayMs = 0;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const status = this.plan.shift() ?? 200;
        let activity: Partial<Activity> = {};
        try {
          activity = body === '' ? {} : (JSON.parse(body) as Partial<Activity>);
        } catch {
          // recorded as empty
        }
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', activity, status });
        setTimeout(() => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (status !== 200 && this.retryAfter !== undefined) headers['retry-after'] = this.retryAfter;
          res.writeHead(status, headers);
          res.end(JSON.stringify(status === 200 ? { id: `reply-${this.requests.length}` } : { error: 'x' }));
        }, this.delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` requests have arrived; rejects after `ms`. */
  async waitFor(count: number, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.requests.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.requests.length} of ${count} requests arrived`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Logs

/** A pino logger whose lines are kept, parsed, in `lines`. */
export function memoryLogger(level = 'debug'): {
  logger: Logger;
  lines: Record<string, unknown>[];
  raw: string[];
} {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: pino({ level }, sink), lines, raw };
}

// ---------------------------------------------------------------------------------------------------------
// The bot as a child process

export interface ChildBot {
  readonly child: ChildProcessWithoutNullStreams;
  /** http://127.0.0.1:PORT, once it listens. */
  readonly url: string;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const ENTRY = join(PROJECT_ROOT, 'src', 'index.ts');

/** Starts `node --import tsx src/index.ts` with `env` (and no .env file); resolves once it listens. */
export function spawnBot(env: Record<string, string>, cwd: string): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--no-deprecation', '--import', TSX, ENTRY], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? cwd,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
      ...env,
    },
    stdio: 'pipe',
  });
}

/** A bot process just spawned: its output as it comes, its exit, and its URL once it listens. */
export interface SpawnedBot extends Omit<ChildBot, 'url'> {
  /** Resolves with the URL once the bot listens; rejects when it exits first or after `timeoutMs`. */
  readonly listening: Promise<string>;
}

/** Spawns the real entry point (see `spawnBot`) and follows its output for the line saying it listens. */
export function spawnChildBot(env: Record<string, string>, cwd: string, timeoutMs = 30_000): SpawnedBot {
  const child = spawnBot(env, cwd);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let buffer = '';
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the bot did not start within ${timeoutMs} ms:\n${stderr.join('')}`)),
      timeoutMs,
    );
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        stdout.push(line);
        const port = /"port":(\d+)/.exec(line)?.[1];
        if (port !== undefined && line.includes('listening')) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${port}`);
        }
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the bot exited (${code ?? signal}) before listening:\n${stderr.join('')}`));
    });
  });
  return { child, stdout, stderr, exited, listening };
}

export async function startChildBot(
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 30_000,
): Promise<ChildBot> {
  const { listening, ...bot } = spawnChildBot(env, cwd, timeoutMs);
  return { ...bot, url: await listening };
}

/** Waits for the child to exit, at most `ms`. */
export async function exitOf(
  bot: Pick<ChildBot, 'exited' | 'child'>,
  ms = 20_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      bot.child.kill('SIGKILL');
      reject(new Error(`the bot did not exit within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([bot.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Activities

let next = 0;

/** A Teams activity (personal chat unless told), from a user of `tenant`. */
/** Runs the bot's entry point in `cwd` until it exits (at most 30 s): its exit code and output. */
export async function runToExit(
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnBot(env, cwd);
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => err.push(c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const { code } = await exitOf({ child, exited }, 30_000);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

export function teamsActivity(
  serviceUrl: string,
  extra: Partial<Activity> & { tenant?: string; user?: string } = {},
): Partial<Activity> {
  next++;
  const { tenant = 'tenant-a', user = 'user-1', ...rest } = extra;
  return {
    type: 'message',
    id: `teams-${next}`,
    channelId: 'msteams',
    serviceUrl,
    from: { id: `29:${user}`, name: user, aadObjectId: `aad-${user}` },
    recipient: { id: '28:bot', name: 'Upgrade Assistant' },
    conversation: {
      id: `a:conv-${user}`,
      conversationType: 'personal',
      tenantId: tenant,
    } as Activity['conversation'],
    channelData: { tenant: { id: tenant } },
    locale: 'en-US',
    ...rest,
  };
}

/** A Teams Action.Execute invoke. */
export function teamsInvoke(
  serviceUrl: string,
  verb: string,
  data: Record<string, unknown>,
  extra: Partial<Activity> & { tenant?: string; user?: string } = {},
): Partial<Activity> {
  return teamsActivity(serviceUrl, {
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data } },
    ...extra,
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/**
 * One request on a new connection, with the headers exactly as given: `host` replaces the Host header (`null`:
 * none at all), which fetch() does not allow.
 */
export function rawRequest(
  url: string,
  options: {
    readonly method?: string;
    readonly path?: string;
    readonly host?: string | null;
    readonly headers?: Record<string, string>;
    readonly body?: string;
  } = {},
): Promise<RawResponse> {
  const target = new URL(url);
  const headers: Record<string, string> = { ...options.headers };
  if (typeof options.host === 'string') headers.host = options.host;
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        headers,
        setHost: options.host === undefined,
        agent: false,
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

// ---------------------------------------------------------------------------------------------------------
// The directory against the ledger

interface Agreement {
  /** Every way the directory and the ledger disagree; empty when they agree. */
  readonly problems: string[];
  /** The tokens of the `done` requests. */
  readonly done: Set<string>;
  /** The tokens of the requests still executing (a crash between the change and its record). */
  readonly executing: Set<string>;
  /** Sources with more than one `done` upgrade. */
  readonly doubled: number;
}

/**
 * Checks the store against the customers as they were seeded: every change to a customer is explained by
 * exactly one `done` request (a new active subscription of its target, its source deleted), or by a request
 * still `executing` (killed between the change and its record: resumed later), every `done` request by
 * exactly one change, nothing else changed, and no source was upgraded twice.
 */
/** What `agreement` reads: the directory, the ledger and its audit trail, on either engine. */
export interface Audited {
  readonly customers: CustomerRepository;
  readonly ledger: UpgradeLedger;
  auditEvents(token: string): Promise<readonly LedgerEvent[]>;
}

/** A SQLite store opened by a test, read as `agreement` reads a running bot's storage. */
export function audited(store: Store): Audited {
  return {
    customers: store.customers,
    ledger: store.ledger,
    auditEvents: async (token) => store.ledger.events(token),
  };
}

export async function agreement(store: Audited, baseline: readonly Customer[]): Promise<Agreement> {
  const problems: string[] = [];
  const done = new Set<string>();
  const executing = new Set<string>();
  const perSource = new Map<string, number>();
  for (const original of baseline) {
    const now = await store.customers.get(original.id);
    if (now === undefined) {
      problems.push(`${original.id}: missing from the directory`);
      continue;
    }
    const history = await store.ledger.history(original.id);
    const entries = history.filter((e) => e.status === 'done');
    const running = history.filter((e) => e.status === 'executing');
    for (const entry of running) executing.add(entry.token);
    const before = new Map(original.subscriptions.map((s) => [s.id, s]));
    const added = now.subscriptions.filter((s) => !before.has(s.id));
    if (added.length < entries.length || added.length > entries.length + running.length) {
      problems.push(
        `${original.id}: ${added.length} new subscriptions for ${entries.length} done upgrades ` +
          `(${running.length} executing)`,
      );
    }
    for (const entry of entries) {
      done.add(entry.token);
      perSource.set(entry.subscriptionId, (perSource.get(entry.subscriptionId) ?? 0) + 1);
      const events = (await store.auditEvents(entry.token)).filter((e) => e.what === 'done');
      if (events.length !== 1) problems.push(`${entry.token}: ${events.length} "done" events`);
      const created = now.subscriptions.filter((s) => s.id === entry.newSubscriptionId);
      if (created.length !== 1 || created[0]!.offerId !== entry.target || created[0]!.status !== 'active') {
        problems.push(`${entry.token}: new subscription ${entry.newSubscriptionId} not there once, active`);
      }
      const source = now.subscriptions.find((s) => s.id === entry.subscriptionId);
      if (source?.status !== 'deleted')
        problems.push(`${entry.token}: source ${entry.subscriptionId} not deleted`);
    }
    const upgraded = new Set([...entries, ...running].map((e) => e.subscriptionId));
    for (const s of now.subscriptions) {
      const was = before.get(s.id);
      if (was !== undefined && !upgraded.has(s.id) && JSON.stringify(was) !== JSON.stringify(s)) {
        problems.push(`${original.id}: ${s.id} changed without an upgrade`);
      }
    }
  }
  const doubled = [...perSource.values()].filter((n) => n > 1).length;
  return { problems, done, executing, doubled };
}

// ---------------------------------------------------------------------------------------------------------
// A confirm card, prepared as a Teams user would

/** The id of Contoso Ltd in the demo directory (the bots of the tests are seeded with it). */
export function contosoIdOf(_bot?: RunningBot): string {
  return CONTOSO_ID;
}

const CONTOSO_ID = loadDemoDirectory().customers.find(
  (c) => c.companyProfile.companyName === 'Contoso Ltd',
)!.id;

/**
 * Contoso's Essentials → E3 (40 seats) reviewed through a Teams invoke (user-1 in their chat, tenant-a, unless
 * `extra` says otherwise): the token of the confirm card.
 */
export async function reviewContoso(
  bot: RunningBot,
  serviceUrl: string,
  extra: Partial<Activity> & { tenant?: string; user?: string } = {},
): Promise<string> {
  const data = {
    customerId: contosoIdOf(bot),
    subscriptionId: 'sub-contoso-essentials',
    target: 'O365_E3',
    seats: '40',
    transfer: 'true',
  };
  const res = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(teamsInvoke(serviceUrl, 'review', data, extra)),
  });
  const body = (await res.json()) as { value: unknown };
  const confirm = cardActions(body.value).find((a) => a.verb === 'confirm');
  if (confirm === undefined) throw new Error(`no confirm card: ${JSON.stringify(body).slice(0, 300)}`);
  return (confirm.data as { token: string }).token;
}
