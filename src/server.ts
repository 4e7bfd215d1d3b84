/**
 * Transport only: restify, `POST /api/messages` through botbuilder's CloudAdapter, `GET /healthz`.
 */
import restify from 'restify';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import type { Logger } from './logger.js';

export interface ServerDeps {
  readonly adapter: CloudAdapter;
  readonly logic: (context: TurnContext) => Promise<void>;
  readonly logger: Logger;
}

export function createServer({ adapter, logic, logger }: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'upgrade-assistant', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false }));

  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, logic);
  });
  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });
  server.on(
    'restifyError',
    (req: restify.Request, _res: restify.Response, err: Error, callback: () => void) => {
      logger.warn({ err, url: req.url }, 'request failed');
      callback();
    },
  );
  return server;
}
