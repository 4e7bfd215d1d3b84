/** The real server on a free port, and a local channel endpoint that receives the bot's replies. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity } from 'botbuilder';
import { pino } from 'pino';
import { parseConfig } from '../../src/config.js';
import { createApp, type App, type AppOptions } from '../../src/index.js';
import type { Customer } from '../../src/rules/index.js';
import { testDatabase } from './test-engine.js';

export interface RunningBot {
  readonly app: App;
  readonly url: string;
  close(): Promise<void>;
}

export async function startBot(
  env: Record<string, string> = {},
  options: AppOptions = {},
): Promise<RunningBot> {
  // SQLite in memory, or a database of its own on PostgreSQL when the file runs on it (test-engine.ts).
  const database = await testDatabase({ demo: env.DIRECTORY_FILE === undefined });
  let app: App;
  try {
    app = await createApp(
      parseConfig({ LOG_LEVEL: 'silent', DATA_DIR: ':memory:', ...env, ...database.env }),
      { logger: pino({ level: 'silent' }), ...options },
    );
  } catch (error) {
    await database.drop();
    throw error;
  }
  const port = await app.listen(0, '127.0.0.1');
  let closing: Promise<void> | undefined;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    close: () => (closing ??= app.close().then(() => database.drop())),
  };
}

/** Every customer of a running bot's directory, in directory order (either engine). */
export async function allCustomers(app: App): Promise<Customer[]> {
  const all: Customer[] = [];
  for await (const page of app.customers.pages()) all.push(...page);
  return all;
}

/** The whole directory as text: equal before and after when nothing changed. */
export async function directorySnapshot(app: App): Promise<string> {
  return JSON.stringify(await allCustomers(app));
}

/** The customer of that company name in a running bot's directory. */
export async function customerNamed(app: App, name: string): Promise<Customer> {
  const found = (await allCustomers(app)).find((c) => c.companyProfile.companyName === name);
  if (found === undefined) throw new Error(`no customer named ${name}`);
  return found;
}

interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly activity: Partial<Activity>;
}

/** A stand-in for the channel's Bot Connector service: records every activity the bot sends. */
export class ChannelEndpoint {
  readonly received: Received[] = [];
  private server?: Server;
  private waiters: { count: number; resolve: () => void }[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const activity = body === '' ? {} : (JSON.parse(body) as Partial<Activity>);
        this.received.push({ path: req.url ?? '', headers: req.headers, activity });
        this.waiters = this.waiters.filter((w) =>
          this.received.length >= w.count ? (w.resolve(), false) : true,
        );
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `reply-${this.received.length}` }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` activities in all have arrived (or rejects after `ms`). */
  waitFor(count: number, ms = 5000): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.received.length} of ${count} activities arrived`)),
        ms,
      );
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

let nextId = 0;
/** A message as the Emulator posts it. */
export function emulatorMessage(
  text: string,
  serviceUrl: string,
  extra: Partial<Activity> = {},
): Partial<Activity> {
  nextId++;
  return {
    type: 'message',
    id: `act-${nextId}`,
    timestamp: new Date().toISOString() as unknown as Date,
    serviceUrl,
    channelId: 'emulator',
    from: { id: 'user-1', name: 'Megan', role: 'user' },
    conversation: { id: `conv-${nextId}` } as Activity['conversation'],
    recipient: { id: 'bot-1', name: 'Upgrade Assistant', role: 'bot' },
    locale: 'en-US',
    text,
    ...extra,
  };
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
