/**
 * The local Partner Center simulator (`npm run partner-center:sim -- [options]`): a separate HTTPS process
 * serving Partner Center's REST API and the Entra ID endpoints MSAL needs, seeded from a directory file
 * (docs/directory-format.md). When it listens it prints one JSON line on stdout (and writes it to
 * `--ready-file` when given):
 *
 *   {"event":"listening","url":"https://127.0.0.1:PORT","caCertPath":"…","tenantId":"…","clientId":"…",…}
 *
 * A client trusts the simulator with `NODE_EXTRA_CA_CERTS=<caCertPath>` and uses `url` both as the Partner
 * Center base URL and as the authority host. Logs go to stderr. See scripts/partner-center-sim/README.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { DEMO_DIRECTORY_PATH, loadDirectoryFile } from '../../src/directory/load.js';
import { SimAuth } from './auth.js';
import { makeTlsMaterial } from './certs.js';
import { SimServer } from './server.js';
import { SimState } from './state.js';

const env = process.env;
const { values } = parseArgs({
  options: {
    directory: { type: 'string', default: env['PC_SIM_DIRECTORY'] ?? DEMO_DIRECTORY_PATH },
    host: { type: 'string', default: env['PC_SIM_HOST'] ?? '127.0.0.1' },
    port: { type: 'string', default: env['PC_SIM_PORT'] ?? '0' },
    'state-dir': { type: 'string', default: env['PC_SIM_STATE_DIR'] },
    'ready-file': { type: 'string', default: env['PC_SIM_READY_FILE'] },
    'tenant-id': {
      type: 'string',
      default: env['PC_SIM_TENANT_ID'] ?? '8e2a4c6d-0f1b-4d3e-9a5c-7b9d1f3a5c86',
    },
    'client-id': {
      type: 'string',
      default: env['PC_SIM_CLIENT_ID'] ?? '0f6a3c2e-5b1d-4e8a-9c7f-2d4b6e8a0c13',
    },
    'client-secret': { type: 'string', default: env['PC_SIM_CLIENT_SECRET'] ?? 'simulator-secret' },
    'client-certificate': { type: 'string', default: env['PC_SIM_CLIENT_CERTIFICATE'] },
    'token-lifetime': { type: 'string', default: env['PC_SIM_TOKEN_LIFETIME_SECONDS'] ?? '3600' },
    'latency-ms': { type: 'string', default: env['PC_SIM_LATENCY_MS'] ?? '0' },
    'rate-limit': { type: 'string', default: env['PC_SIM_RATE_LIMIT_PER_MINUTE'] ?? '500' },
    'log-level': { type: 'string', default: env['PC_SIM_LOG_LEVEL'] ?? 'info' },
    /** Stop when standard input closes: a parent that starts the simulator and dies takes it along. */
    'exit-with-stdin': { type: 'boolean', default: false },
  },
  strict: true,
});

function whole(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got "${text}"`);
  return n;
}

const logger = pino(
  { level: values['log-level'], base: { service: 'partner-center-sim' } },
  pino.destination(2),
);

async function main(): Promise<void> {
  const directory = loadDirectoryFile(values.directory);
  const ownStateDir = values['state-dir'] === undefined;
  const stateDir = values['state-dir'] ?? mkdtempSync(join(tmpdir(), 'partner-center-sim-'));
  const tls = await makeTlsMaterial(stateDir);
  const auth = new SimAuth({
    tenantId: values['tenant-id'],
    clientId: values['client-id'],
    clientSecret: values['client-secret'],
    ...(values['client-certificate'] === undefined
      ? {}
      : { clientCertificate: readFileSync(values['client-certificate'], 'utf8') }),
    tokenLifetimeSeconds: whole('token-lifetime', values['token-lifetime']),
  });
  const server = new SimServer(new SimState(directory.customers), auth, {
    host: values.host,
    port: whole('port', values.port),
    tls,
    latencyMs: whole('latency-ms', values['latency-ms']),
    rateLimitPerMinute: whole('rate-limit', values['rate-limit']),
    logger,
  });
  const url = await server.listen();
  const ready = {
    event: 'listening',
    url,
    caCertPath: tls.caCertPath,
    tenantId: values['tenant-id'],
    clientId: values['client-id'],
    customers: directory.customers.length,
    pid: process.pid,
  };
  const line = JSON.stringify(ready);
  if (values['ready-file'] !== undefined) writeFileSync(values['ready-file'], `${line}\n`);
  process.stdout.write(`${line}\n`);
  logger.info({ url, customers: directory.customers.length, directory: values.directory }, 'listening');

  const stop = (signal: string): void => {
    logger.info({ signal }, 'stopping');
    server.close().then(
      () => {
        // A folder it made for itself goes with it (a client started with its CA is done by now).
        if (ownStateDir) rmSync(stateDir, { recursive: true, force: true });
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  if (values['exit-with-stdin']) {
    process.stdin.on('close', () => stop('stdin closed'));
    process.stdin.resume();
  }
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'the simulator could not start');
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
