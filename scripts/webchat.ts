/**
 * `npm run webchat`: the bot in Bot Framework Web Chat, offline. Starts the bot, a local Direct Line
 * (scripts/directline.ts, a process of its own speaking the Direct Line 3.0 protocol to the page and the Bot
 * Connector protocol to the bot's /api/messages, with channel id "webchat") and a page that loads Web Chat's own
 * bundle (botframework-webchat's dist/webchat.js, from node_modules), then prints the URL to open. All of them
 * listen on 127.0.0.1 only; the page fetches nothing from another host. See docs/playground.md.
 *
 * `startWebChatPage()` is also what the browser test (test/e2e/webchat.test.ts) uses.
 *
 * As with Web Chat on Azure's Direct Line, the bot cannot update a message it sent: its answer to a card press
 * comes as a new message and the pressed card stays pressable.
 *
 * Environment: PORT (the bot, default 3978), WEBCHAT_PORT (the page, default 3979; another free port when it
 * is taken), and the bot's usual configuration (.env).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startDirectLine } from './directline.js';
import { freePort } from './playground.js';

const require = createRequire(import.meta.url);

/** Web Chat's browser bundle (React included): it defines `window.WebChat`. */
export function webChatBundle(): string {
  // The package exports only its module entries: its dist/ folder is found from its CommonJS entry (lib/).
  return join(dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');
}

export interface WebChatPageOptions {
  /** The Direct Line domain (`RunningDirectLine.domain`). */
  readonly directLineDomain: string;
  /** Default: any free port. */
  readonly port?: number;
  /** The user Web Chat sends as (`from.id`, `from.name`). */
  readonly userId?: string;
  readonly userName?: string;
  /** Web Chat's language (its own texts and `locale` on what it sends); default en-US. */
  readonly locale?: string;
  /** How often Web Chat polls the Direct Line for new activities; default 300 ms. */
  readonly pollingIntervalMs?: number;
}

export interface RunningWebChatPage {
  /** The page to open. */
  readonly url: string;
  close(): Promise<void>;
}

/** The page: Web Chat rendered full-window over the local Direct Line (polling, no WebSocket). */
export function webChatHtml(options: WebChatPageOptions): string {
  const settings = {
    domain: options.directLineDomain,
    userID: options.userId ?? 'webchat-user-1',
    username: options.userName ?? 'Megan Bowen',
    locale: options.locale ?? 'en-US',
    pollingInterval: options.pollingIntervalMs ?? 300,
  };
  // JSON inside a <script>: no "</script>" can close it early.
  const json = JSON.stringify(settings).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="${settings.locale}">
  <head>
    <meta charset="utf-8" />
    <title>Upgrade Assistant – Web Chat</title>
    <style>
      html, body { height: 100%; margin: 0; }
      #webchat { height: 100%; }
    </style>
  </head>
  <body>
    <div id="webchat" role="main"></div>
    <script src="/webchat.js"></script>
    <script>
      const settings = ${json};
      window.WebChat.renderWebChat(
        {
          directLine: window.WebChat.createDirectLine({
            domain: settings.domain,
            token: 'local',
            webSocket: false,
            pollingInterval: settings.pollingInterval,
          }),
          userID: settings.userID,
          username: settings.username,
          locale: settings.locale,
          styleOptions: { hideUploadButton: true },
        },
        document.getElementById('webchat'),
      );
    </script>
  </body>
</html>
`;
}

/** Serves the page and Web Chat's bundle on 127.0.0.1. */
export async function startWebChatPage(options: WebChatPageOptions): Promise<RunningWebChatPage> {
  const html = webChatHtml(options);
  const bundle = readFileSync(webChatBundle());
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
    } else if (req.method === 'GET' && path === '/webchat.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(bundle);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function main(): Promise<void> {
  // Imported here so that the tests can use the functions above without loading the configuration.
  const { loadConfig } = await import('../src/config.js');
  const { createApp } = await import('../src/index.js');
  const { createLogger } = await import('../src/logger.js');

  const config = loadConfig();
  if (config.MicrosoftAppId !== '') {
    console.error(
      'npm run webchat runs the bot for local, unauthenticated clients: unset MicrosoftAppId ' +
        '(and MicrosoftAppPassword) in the environment or .env, then start it again.',
    );
    process.exit(1);
  }
  const wantedPort = Number(process.env.WEBCHAT_PORT ?? 3979);
  const app = await createApp(config, { logger: createLogger(config.LOG_LEVEL) });
  const botPort = await app.listen(config.PORT, '127.0.0.1');
  const botEndpoint = `http://127.0.0.1:${botPort}/api/messages`;
  const directLine = await startDirectLine({
    botEndpoint,
    onOutput: (line) => {
      if (line.trim() !== '') console.log(`[directline] ${line}`);
    },
  }).catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  const pagePort = await freePort(wantedPort);
  if (wantedPort !== 0 && pagePort !== wantedPort)
    console.warn(`Port ${wantedPort} is taken: the page uses ${pagePort}.`);
  const page = await startWebChatPage({ directLineDomain: directLine.domain, port: pagePort });

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await page.close();
    await directLine.close();
    await app.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  directLine.process.once('exit', (code) => {
    if (stopping) return;
    console.error(`the Direct Line stopped (exit code ${code}); stopping the bot.`);
    void stop(1);
  });

  console.log(
    [
      '',
      `  Upgrade Assistant:          ${botEndpoint}`,
      `  Direct Line (local):        ${directLine.domain}`,
      `  Web Chat, open:             ${page.url}`,
      '',
      '  Try "can Contoso upgrade?". Ctrl+C stops them all.',
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
