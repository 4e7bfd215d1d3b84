/**
 * A local Direct Line: what Azure Bot Service's Direct Line channel does between Web Chat and the bot, for one
 * machine and no credentials. It speaks the Direct Line 3.0 REST protocol to the client (Web Chat, polling)
 * and the Bot Connector protocol to the bot: the client's activities are completed as the channel completes
 * them (id, channel id, service URL, conversation, recipient, timestamp) and posted to the bot's
 * /api/messages; what the bot sends to the service URL is kept in the conversation for the client to read.
 *
 * As Azure's Direct Line, it does not update or delete a sent activity: PUT and DELETE on
 * /v3/conversations/{id}/activities/{activityId} answer 405 "This channel does not support this operation"
 * (microsoft/BotFramework-WebChat#2426), so the bot's answer to a card press comes as a new message and the
 * pressed card stays pressable.
 *
 * Not implemented: WebSocket streaming (Web Chat is told `webSocket: false` and polls), attachments upload,
 * authentication (any token is accepted), the bot state API.
 *
 * Run as a process of its own (`startDirectLine()`, used by scripts/webchat.ts and test/e2e/webchat.test.ts):
 *   node --import tsx scripts/directline.ts --port 3980 --bot http://127.0.0.1:3978/api/messages [--channel-id webchat]
 * It listens on 127.0.0.1 only and prints "Direct Line listening on http://127.0.0.1:PORT" when ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { supervise } from './supervised-child.js';

/** An activity as JSON (the wire format): only the fields this server reads or sets are typed. */
interface WireActivity {
  type?: string;
  id?: string;
  channelId?: string;
  serviceUrl?: string;
  timestamp?: string;
  conversation?: { id: string };
  from?: { id?: string; name?: string; role?: string };
  recipient?: { id: string; name?: string; role?: string };
  replyToId?: string;
  membersAdded?: { id: string; name?: string; role?: string }[];
  [field: string]: unknown;
}

interface Conversation {
  readonly id: string;
  readonly activities: WireActivity[];
  /** Direct Line's activity ids: `{conversationId}|{sequence}`. */
  sequence: number;
}

export interface DirectLineServerOptions {
  /** The bot's messaging endpoint. */
  readonly botEndpoint: string;
  /** The channel id given to the bot; default "webchat" (as the Web Chat channel; Direct Line's is "directline"). */
  readonly channelId?: string;
  /** The bot's account on the channel. */
  readonly bot?: { readonly id: string; readonly name: string };
  /** What it did, one line at a time. */
  readonly log?: (line: string) => void;
}

const NOT_SUPPORTED = {
  error: { code: 'BadArgument', message: 'This channel does not support this operation' },
};
const MAX_BODY = 256 * 1024;

/** The Direct Line server (not listening yet). */
export function createDirectLineServer(options: DirectLineServerOptions): Server {
  const channelId = options.channelId ?? 'webchat';
  const bot = { id: options.bot?.id ?? 'upgrade-assistant', name: options.bot?.name ?? 'Upgrade Assistant' };
  const log = options.log ?? (() => undefined);
  const conversations = new Map<string, Conversation>();
  let serviceUrl = '';

  const store = (conversation: Conversation, activity: WireActivity): WireActivity => {
    conversation.sequence += 1;
    const stored = {
      ...activity,
      id: `${conversation.id}|${String(conversation.sequence).padStart(7, '0')}`,
      channelId,
      conversation: { id: conversation.id },
      timestamp: new Date().toISOString(),
    };
    conversation.activities.push(stored);
    return stored;
  };

  /** Posts an activity to the bot; its HTTP status (0 when it could not be reached). */
  const toBot = async (activity: WireActivity): Promise<number> => {
    try {
      const res = await fetch(options.botEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      log(`→ bot ${activity.type} ${activity.id}: ${res.status}`);
      return res.status;
    } catch (error) {
      log(`→ bot ${activity.type} ${activity.id}: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    }
  };

  const toBotFields = (conversation: Conversation, from: WireActivity['from']) => ({
    channelId,
    serviceUrl,
    conversation: { id: conversation.id },
    recipient: { ...bot, role: 'bot' },
    from: { ...from, role: 'user' },
  });

  const route = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parts = url.pathname.split('/').filter((p) => p !== '');
    const method = req.method ?? 'GET';

    // --- Direct Line 3.0, for the client ---------------------------------------------------------------
    if (parts[0] === 'v3' && parts[1] === 'directline') {
      if (method === 'POST' && parts.length === 4 && parts[2] === 'tokens' && parts[3] === 'refresh') {
        return json(res, 200, { token: 'local', expires_in: 1800 });
      }
      if (method === 'POST' && parts.length === 3 && parts[2] === 'conversations') {
        const conversation: Conversation = { id: randomUUID(), activities: [], sequence: 0 };
        conversations.set(conversation.id, conversation);
        const user = (body as { user?: { id?: string; name?: string } } | undefined)?.user;
        log(`conversation ${conversation.id} started by ${user?.id ?? 'an unnamed user'}`);
        // The channel tells the bot who joined: the bot, and the user when the client names them.
        const update: WireActivity = {
          type: 'conversationUpdate',
          id: randomUUID(),
          timestamp: new Date().toISOString(),
          ...toBotFields(conversation, user?.id === undefined ? { id: bot.id } : user),
          membersAdded: [{ ...bot, role: 'bot' }, ...(user?.id === undefined ? [] : [{ id: user.id }])],
        };
        const status = await toBot(update);
        if (status < 200 || status >= 300) return json(res, 502, { error: { code: 'BotError' } });
        return json(res, 201, { conversationId: conversation.id, token: 'local', expires_in: 1800 });
      }
      const conversation = parts[3] === undefined ? undefined : conversations.get(parts[3]);
      if (parts[2] === 'conversations' && conversation === undefined) {
        return json(res, 404, { error: { code: 'BadArgument', message: 'Conversation not found' } });
      }
      if (conversation !== undefined && method === 'GET' && parts.length === 4) {
        return json(res, 200, { conversationId: conversation.id, token: 'local', expires_in: 1800 });
      }
      if (conversation !== undefined && parts[4] === 'activities' && parts.length === 5) {
        if (method === 'GET') {
          const watermark = Number(url.searchParams.get('watermark') ?? 0) || 0;
          return json(res, 200, {
            activities: conversation.activities.slice(watermark),
            watermark: String(conversation.activities.length),
          });
        }
        if (method === 'POST') {
          const incoming = body as WireActivity;
          if (incoming === null || typeof incoming !== 'object' || typeof incoming.type !== 'string') {
            return json(res, 400, { error: { code: 'BadArgument', message: 'Not an activity' } });
          }
          // In the conversation first (the client's echo), then to the bot, as the channel completes it.
          const stored = store(conversation, { ...incoming, from: { ...incoming.from, role: 'user' } });
          const status = await toBot({
            ...stored,
            ...toBotFields(conversation, incoming.from),
            id: stored.id,
            timestamp: stored.timestamp,
          });
          if (status < 200 || status >= 300) {
            return json(res, 502, { error: { code: 'BotError', message: `The bot answered ${status}` } });
          }
          return json(res, 200, { id: stored.id });
        }
      }
      return json(res, 404, { error: { code: 'NotFound' } });
    }

    // --- Bot Connector API, for the bot (its serviceUrl) --------------------------------------------------
    if (parts[0] === 'v3' && parts[1] === 'conversations' && parts[3] === 'activities') {
      const conversation = conversations.get(parts[2] ?? '');
      if (conversation === undefined) {
        return json(res, 404, { error: { code: 'BadArgument', message: 'Conversation not found' } });
      }
      if ((method === 'PUT' || method === 'DELETE') && parts.length === 5) {
        log(`← bot ${method} ${parts[4]}: not supported`);
        return json(res, 405, NOT_SUPPORTED);
      }
      if (method === 'POST' && (parts.length === 4 || parts.length === 5)) {
        const activity = body as WireActivity;
        if (activity === null || typeof activity !== 'object' || typeof activity.type !== 'string') {
          return json(res, 400, { error: { code: 'BadArgument', message: 'Not an activity' } });
        }
        const stored = store(conversation, {
          ...activity,
          from: { ...bot, ...activity.from, role: 'bot' },
          ...(parts[4] === undefined ? {} : { replyToId: decodeURIComponent(parts[4]) }),
        });
        log(`← bot ${stored.type} ${stored.id}`);
        return json(res, 200, { id: stored.id });
      }
    }
    return json(res, 404, { error: { code: 'NotFound' } });
  };

  const server = createServer((req, res) => {
    // CORS: the page is served from another port.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'authorization, content-type, x-ms-bot-agent');
    res.setHeader('access-control-allow-methods', 'GET, POST, PUT, DELETE, OPTIONS');
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      let body: unknown;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        json(res, 400, { error: { code: 'BadArgument', message: 'Not JSON' } });
        return;
      }
      route(req, res, body).catch((error: unknown) => {
        log(`error: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) json(res, 500, { error: { code: 'ServiceError' } });
      });
    });
  });
  server.on('listening', () => {
    serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  return server;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

// ----------------------------------------------------------------------------------------------------------

export interface DirectLineOptions {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  readonly botEndpoint: string;
  /** Default: any free port. */
  readonly port?: number;
  /** Default "webchat". */
  readonly channelId?: string;
  /** Every line it prints. */
  readonly onOutput?: (line: string) => void;
  /** Default 30 s. */
  readonly startTimeoutMs?: number;
}

export interface RunningDirectLine {
  /** The Direct Line domain for the client (Web Chat's `createDirectLine({ domain })`). */
  readonly domain: string;
  /** The service URL it gives the bot. */
  readonly serviceUrl: string;
  readonly process: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Stops it (SIGTERM, then SIGKILL after 5 s). */
  close(): Promise<void>;
}

const READY = /^Direct Line listening on (http:\/\/127\.0\.0\.1:\d+)$/m;

/** Starts this file as a child process; resolves once it listens. */
export async function startDirectLine(options: DirectLineOptions): Promise<RunningDirectLine> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      fileURLToPath(import.meta.url),
      '--port',
      String(options.port ?? 0),
      '--bot',
      options.botEndpoint,
      '--channel-id',
      options.channelId ?? 'webchat',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let onReady: (() => void) | undefined;
  const supervised = supervise(child, {
    ...(options.onOutput === undefined ? {} : { onOutput: options.onOutput }),
    onData: () => {
      if (READY.test(supervised.output())) onReady?.();
    },
  });
  const close = () => supervised.stop();
  const exited = supervised.exited;

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    new Promise<'ready'>((resolve) => {
      onReady = () => resolve('ready');
      if (READY.test(supervised.output())) resolve('ready');
    }),
    exited.then(() => 'stopped' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready') {
    await close();
    throw new Error(
      outcome === 'stopped'
        ? `the Direct Line stopped (${supervised.spawnError()?.message ?? child.exitCode ?? child.signalCode}):\n${supervised.output()}`
        : `the Direct Line did not start within ${timeoutMs} ms:\n${supervised.output()}`,
    );
  }
  const serviceUrl = READY.exec(supervised.output())![1]!;
  return {
    domain: `${serviceUrl}/v3/directline`,
    serviceUrl,
    process: child,
    output: supervised.output,
    close,
  };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      bot: { type: 'string' },
      'channel-id': { type: 'string', default: 'webchat' },
    },
  });
  if (values.bot === undefined) {
    console.error(
      'usage: directline.ts --bot http://127.0.0.1:3978/api/messages [--port N] [--channel-id ID]',
    );
    process.exit(2);
  }
  const server = createDirectLineServer({
    botEndpoint: values.bot,
    channelId: values['channel-id'],
    log: (line) => console.log(line),
  });
  server.listen(Number(values.port), '127.0.0.1', () => {
    console.log(`Direct Line listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  const stop = () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
