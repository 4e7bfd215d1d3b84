/**
 * Starts the simulator as a child process (for tests and tools) and waits for its "listening" line. The
 * control helpers talk to it over HTTPS trusting its CA explicitly; a client under test should trust it the
 * production way instead, in a process started with `NODE_EXTRA_CA_CERTS=<caCertPath>` (see `clientEnv`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import type { FaultRule } from './faults.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface SimulatorOptions {
  /** A directory file (docs/directory-format.md); the demo directory by default. */
  readonly directory?: string;
  readonly clientSecret?: string;
  /** A PEM certificate file registered on the app (sign-in with a client assertion). */
  readonly clientCertificateFile?: string;
  readonly tokenLifetimeSeconds?: number;
  readonly latencyMs?: number;
  /** Requests a minute on /v1; 0: none. Default 500. */
  readonly rateLimitPerMinute?: number;
  readonly stateDir?: string;
  readonly startTimeoutMs?: number;
}

export interface ReadyLine {
  readonly url: string;
  readonly caCertPath: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly customers: number;
  readonly pid: number;
}

export type FaultInput = Partial<Omit<FaultRule, 'action'>> & Pick<FaultRule, 'action'>;

export interface SimStats {
  readonly requests: number;
  readonly byRoute: Record<string, Record<string, number>>;
  readonly upgradeRequestIds: string[];
  /** Every subscription PATCH received (faults included): its MS-RequestId, If-Match, body ETag and seats. */
  readonly patches: {
    requestId: string;
    ifMatch?: string;
    etag?: unknown;
    quantity?: unknown;
  }[];
  readonly throttled: number;
  readonly recent: {
    method: string;
    path: string;
    requestId?: string;
    correlationId?: string;
    contractVersion?: string;
    locale?: string;
    application?: string;
  }[];
  readonly tokensIssued: number;
  readonly upgradesApplied: number;
  /** Seat changes carried out by PATCH. */
  readonly quantityChanges: number;
  readonly idempotentReplays: number;
  readonly faultsFired: number;
}

export class RunningSimulator {
  readonly clientSecret: string;

  constructor(
    readonly ready: ReadyLine,
    private readonly child: ChildProcess,
    clientSecret: string,
    private readonly stderr: () => string,
  ) {
    this.clientSecret = clientSecret;
  }

  /** The environment of a client process that trusts the simulator as production trusts a private CA. */
  clientEnv(): NodeJS.ProcessEnv {
    return { ...process.env, NODE_EXTRA_CA_CERTS: this.ready.caCertPath };
  }

  faults(rules: readonly FaultInput[]): Promise<unknown> {
    return this.control('POST', '/_sim/faults', { rules });
  }

  clearFaults(): Promise<unknown> {
    return this.control('DELETE', '/_sim/faults');
  }

  config(config: {
    latencyMs?: number;
    rateLimitPerMinute?: number;
    errorCodeStyle?: 'int' | 'name';
    refusalStyle?: 'result' | 'error';
    acceptedPatchDelayMs?: number;
  }): Promise<unknown> {
    return this.control('POST', '/_sim/config', config);
  }

  stats(): Promise<SimStats> {
    return this.control('GET', '/_sim/stats') as Promise<SimStats>;
  }

  resetStats(): Promise<unknown> {
    return this.control('POST', '/_sim/stats/reset');
  }

  expireTokens(): Promise<unknown> {
    return this.control('POST', '/_sim/tokens/expire');
  }

  secret(secretState: 'valid' | 'expired' | 'revoked'): Promise<unknown> {
    return this.control('POST', '/_sim/credentials', { secretState });
  }

  /**
   * The settings of a bot reading this simulator, as an operator would set them, its CA trusted the production
   * way (NODE_EXTRA_CA_CERTS, read at process start).
   */
  botEnv(): Record<string, string> {
    return {
      NODE_EXTRA_CA_CERTS: this.ready.caCertPath,
      CUSTOMER_SOURCE: 'partner-center',
      PARTNER_CENTER_BASE_URL: this.ready.url,
      PARTNER_CENTER_AUTHORITY_URL: this.ready.url,
      PARTNER_CENTER_TENANT_ID: this.ready.tenantId,
      PARTNER_CENTER_CLIENT_ID: this.ready.clientId,
      PARTNER_CENTER_CLIENT_SECRET: this.clientSecret,
    };
  }

  /** Replaces the customer (rules model) as the simulator holds it: Partner Center changed behind the bot. */
  replaceCustomer(customer: unknown): Promise<unknown> {
    const id = (customer as { id: string }).id;
    return this.control('PUT', `/_sim/customers/${encodeURIComponent(id)}`, customer);
  }

  /** The customer as the simulator holds it (rules model, every channel). */
  customer(id: string): Promise<unknown> {
    return this.control('GET', `/_sim/customers/${encodeURIComponent(id)}`);
  }

  /** What the simulator wrote on stderr (its logs). */
  logs(): string {
    return this.stderr();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  private control(method: string, path: string, body?: unknown): Promise<unknown> {
    const ca = readFileSync(this.ready.caCertPath, 'utf8');
    const text = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.ready.url),
        {
          method,
          ca,
          headers: text === undefined ? {} : { 'Content-Type': 'application/json' },
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (data += chunk));
          res.on('end', () => {
            if ((res.statusCode ?? 500) >= 400) {
              reject(new Error(`${method} ${path}: HTTP ${res.statusCode}: ${data}`));
              return;
            }
            resolve(data === '' ? undefined : JSON.parse(data));
          });
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const clientSecret = options.clientSecret ?? 'simulator-secret';
  const args = ['--import', 'tsx', MAIN, '--client-secret', clientSecret];
  const add = (flag: string, value: string | number | undefined): void => {
    if (value !== undefined) args.push(flag, String(value));
  };
  add('--directory', options.directory);
  add('--client-certificate', options.clientCertificateFile);
  add('--token-lifetime', options.tokenLifetimeSeconds);
  add('--latency-ms', options.latencyMs);
  add('--rate-limit', options.rateLimitPerMinute);
  add('--state-dir', options.stateDir);
  add('--log-level', 'warn');
  args.push('--exit-with-stdin');
  // Its standard input is a pipe from this process: if this process dies, the simulator stops too.
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`the simulator did not start within ${options.startTimeoutMs ?? 30_000} ms: ${stderr}`),
      );
    }, options.startTimeoutMs ?? 30_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.includes('"event":"listening"'));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as ReadyLine);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the simulator exited (code ${code}) before listening: ${stderr}`));
    });
  });
  return new RunningSimulator(ready, child, clientSecret, () => stderr);
}
