/**
 * `npm run playground`: starts the bot and Microsoft 365 Agents Playground pointed at it, in Teams mode, and
 * prints the URL to open. Everything stays on this machine: both listen on 127.0.0.1 only, and the Playground
 * runs offline (no telemetry, no statsbeat, any connection to another host refused). See docs/playground.md.
 *
 * `startPlayground()` is also what the browser tests (test/e2e/) use.
 *
 * Environment: PORT (the bot, default 3978), PLAYGROUND_PORT (default 56150; another free port when it is
 * taken), PLAYGROUND_CHANNEL (msteams, emulator, webchat or directline; default msteams), and the bot's usual
 * configuration (.env).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { supervise } from './supervised-child.js';

export const PLAYGROUND_CHANNELS = ['msteams', 'emulator', 'webchat', 'directline'] as const;
export type PlaygroundChannel = (typeof PLAYGROUND_CHANNELS)[number];

export interface PlaygroundOptions {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  readonly botEndpoint: string;
  /** The port of the Playground's UI and mocked connector; default: any free port. */
  readonly port?: number;
  /** Default msteams (Teams mode). */
  readonly channel?: PlaygroundChannel;
  /** Its working directory (log file, optional `.m365agentsplayground.yml`); default: a new temp dir. */
  readonly workDir?: string;
  /** Every line the Playground prints. */
  readonly onOutput?: (line: string) => void;
  /** Default 30 s. */
  readonly startTimeoutMs?: number;
  /**
   * The IANA time zone the Playground reports as the user's (`localTimezone` on its activities, as Teams sends
   * the user's): it reads its own process's zone, so this is its TZ. Default: this process's.
   */
  readonly timeZone?: string;
}

export interface RunningPlayground {
  /** The page to open, e.g. http://127.0.0.1:56150. */
  readonly url: string;
  readonly port: number;
  readonly workDir: string;
  readonly logFile: string;
  readonly process: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and removes the temp dir it was given by default. */
  close(): Promise<void>;
}

/**
 * Loaded into the Playground's Node.js process (`--import`): its CLI has no option for the interface and
 * listens on all of them; this binds every server that names no host to 127.0.0.1, and refuses outbound
 * connections to any host but this one (the Playground then works fully offline).
 */
const LOOPBACK_ONLY = `
import net from 'node:net';
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const [first, second] = args;
  if (args.length === 0 || typeof first === 'function') args.unshift(0, '127.0.0.1');
  else if ((typeof first === 'number' || (typeof first === 'string' && /^\\d+$/.test(first))) && typeof second !== 'string')
    args.splice(1, 0, '127.0.0.1');
  else if (first !== null && typeof first === 'object' && !Array.isArray(first) && first.host === undefined &&
    first.path === undefined && first.fd === undefined && first._handle === undefined && first.handle === undefined)
    args[0] = { ...first, host: '127.0.0.1' };
  return listen.apply(this, args);
};
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = first !== null && typeof first === 'object' ? first : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
  const host = options.host ?? 'localhost';
  if (options.path === undefined && !LOOPBACK.has(host)) {
    process.stderr.write('[offline] refused a connection to ' + host + ':' + options.port + '\\n');
    const error = Object.assign(new Error('offline: no connection to ' + host), { code: 'ENETUNREACH' });
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return connect.apply(this, args);
};
`;

const require = createRequire(import.meta.url);

/** The Playground's CLI script (bin `agentsplayground`). */
export function playgroundCli(): string {
  return require.resolve('@microsoft/m365agentsplayground/cli.js');
}

/** A port free on 127.0.0.1 now (`wanted` when it is free, else any). */
export async function freePort(wanted = 0): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const got = typeof address === 'object' && address !== null ? address.port : undefined;
        server.close(() => resolve(got));
      });
    });
  return (wanted !== 0 ? await tryPort(wanted) : undefined) ?? (await tryPort(0)) ?? 0;
}

/** Starts the Playground as a child process; resolves once its page answers. */
export async function startPlayground(options: PlaygroundOptions): Promise<RunningPlayground> {
  const port = options.port ?? (await freePort());
  const ownWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'ua-playground-'));
  mkdirSync(workDir, { recursive: true });
  const logFile = join(workDir, 'm365agentsplayground.log');
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(LOOPBACK_ONLY)}`,
      playgroundCli(),
      '--app-endpoint',
      options.botEndpoint,
      '--channel-id',
      options.channel ?? 'msteams',
      '--port',
      String(port),
      '--service-url',
      `${url}/_connector`,
      '--disable-telemetry',
    ],
    {
      cwd: workDir,
      env: {
        ...process.env,
        // Do not open a browser; write the log in the work dir (default: ./devTools/ of the current dir).
        TEAMSAPPTESTER_BROWSER: 'none',
        M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
        // --disable-telemetry stops its events, not the Application Insights SDK's own "statsbeat".
        APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
        ...(options.timeZone === undefined ? {} : { TZ: options.timeZone }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const supervised = supervise(child, options.onOutput === undefined ? {} : { onOutput: options.onOutput });
  const close = async () => {
    await supervised.stop();
    if (ownWorkDir) rmSync(workDir, { recursive: true, force: true });
  };

  try {
    await waitUntilUp(
      url,
      child,
      () => supervised.spawnError()?.message ?? supervised.output(),
      options.startTimeoutMs ?? 30_000,
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { url, port, workDir, logFile, process: child, output: supervised.output, close };
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      throw new Error(`Agents Playground stopped (${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Agents Playground did not answer on ${url} within ${timeoutMs} ms:\n${output()}`);
}

async function main(): Promise<void> {
  // Imported here so that the tests can use startPlayground() without loading the configuration.
  const { loadConfig } = await import('../src/config.js');
  const { createApp } = await import('../src/index.js');
  const { createLogger } = await import('../src/logger.js');

  const config = loadConfig();
  if (config.MicrosoftAppId !== '') {
    console.error(
      'npm run playground runs the bot for local, unauthenticated clients: unset MicrosoftAppId ' +
        '(and MicrosoftAppPassword) in the environment or .env, then start it again.',
    );
    process.exit(1);
  }
  const channel = (process.env.PLAYGROUND_CHANNEL ?? 'msteams') as PlaygroundChannel;
  if (!PLAYGROUND_CHANNELS.includes(channel)) {
    console.error(`PLAYGROUND_CHANNEL must be one of ${PLAYGROUND_CHANNELS.join(', ')}`);
    process.exit(1);
  }
  const wantedPort = Number(process.env.PLAYGROUND_PORT ?? 56150);
  const app = await createApp(config, { logger: createLogger(config.LOG_LEVEL) });
  const botPort = await app.listen(config.PORT, '127.0.0.1');
  const botEndpoint = `http://127.0.0.1:${botPort}/api/messages`;
  const port = await freePort(wantedPort);
  if (port !== wantedPort) console.warn(`Port ${wantedPort} is taken: the Playground uses ${port}.`);

  const playground = await startPlayground({
    botEndpoint,
    port,
    channel,
    onOutput: (line) => {
      if (line.trim() !== '') console.log(`[playground] ${line}`);
    },
  }).catch(async (error: unknown) => {
    await app.close();
    throw error;
  });

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await playground.close();
    await app.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  playground.process.once('exit', (code) => {
    if (stopping) return;
    console.error(`Agents Playground stopped (exit code ${code}); stopping the bot.`);
    void stop(1);
  });

  console.log(
    [
      '',
      `  Upgrade Assistant:          ${botEndpoint}`,
      `  Microsoft 365 Agents Playground (${channel}), open:  ${playground.url}`,
      `  Playground log:             ${playground.logFile}`,
      '',
      '  Try "can Contoso upgrade?". Ctrl+C stops both.',
      '',
    ].join('\n'),
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
