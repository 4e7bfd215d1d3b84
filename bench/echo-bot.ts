/**
 * The baseline of the HTTP benchmark: botbuilder's echo bot on the same transport as the Upgrade Assistant
 * (CloudAdapter on restify with the body parser, `POST /api/messages`, `GET /healthz`), and nothing else: no
 * state, no understanding, no cards. A message with a value (an Action.Submit) is echoed as well.
 *
 * Run: PORT=3979 HOST=127.0.0.1 npx tsx bench/echo-bot.ts (the benchmark runner starts it for you).
 */
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type TurnContext,
} from 'botbuilder';
import restify from 'restify';

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      const { text, value } = context.activity;
      await context.sendActivity(`Echo: ${text ?? JSON.stringify(value)}`);
      await next();
    });
  }
}

// No MicrosoftAppId: anonymous local requests, as the Upgrade Assistant runs in the benchmark.
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
adapter.onTurnError = async (context: TurnContext, error: Error) => {
  console.error('turn failed', error);
  await context.sendActivity('Sorry, something went wrong.');
};
const bot = new EchoBot();

const server = restify.createServer({ name: 'echo-bot', handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ mapParams: false }));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.get('/healthz', (_req, res, next) => {
  res.send(200, { status: 'ok' });
  next();
});

const port = Number(process.env.PORT ?? 3979);
const host = process.env.HOST ?? '127.0.0.1';
server.listen(port, host, () => console.log(`echo bot listening on http://${host}:${port}/api/messages`));
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => server.close(() => process.exit(0)));
