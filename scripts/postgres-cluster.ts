/**
 * A PostgreSQL cluster of our own from Debian's `postgresql` server binaries: `initdb` in a folder (as the
 * `postgres` user when running as root: the server refuses to run as root), trust authentication for local
 * connections, listening on 127.0.0.1 only. Used by the tests' global setup, the fault tests that stop and
 * restart their own server, and `npm run db:start` for a developer.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Debian's binaries: PG_BIN, else the newest /usr/lib/postgresql/<version>/bin; undefined when missing. */
export function postgresBinaries(): string | undefined {
  const given = process.env.PG_BIN;
  if (given !== undefined && given !== '') return existsSync(join(given, 'initdb')) ? given : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export interface ClusterOptions {
  /** The folder holding the cluster (`data/`, the socket and `log`); created when missing. */
  readonly dir: string;
  /** The port (default: a free one). */
  readonly port?: number;
  /** Trade durability for speed (fsync off): for throwaway test clusters only. */
  readonly throwaway?: boolean;
  /** The server's max_connections (default 300). */
  readonly maxConnections?: number;
}

export class PostgresCluster {
  private running = false;

  private constructor(
    private readonly bin: string,
    readonly dir: string,
    readonly port: number,
    private readonly serverOptions: string,
  ) {}

  /** Initialises the cluster when its folder holds none yet; `start()` starts it. */
  static async create(bin: string, options: ClusterOptions): Promise<PostgresCluster> {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    if (process.getuid?.() === 0) {
      chownSync(options.dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0);
    }
    const data = join(options.dir, 'data');
    if (!existsSync(join(data, 'PG_VERSION'))) {
      run(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', 'app', '--no-sync', '-E', 'UTF8']);
    }
    const port = options.port ?? (await freePort());
    const serverOptions = [
      `-p ${port}`,
      `-k ${options.dir}`,
      '-c listen_addresses=127.0.0.1',
      `-c max_connections=${options.maxConnections ?? 300}`,
      ...(options.throwaway === true
        ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']
        : []),
    ].join(' ');
    return new PostgresCluster(bin, options.dir, port, serverOptions);
  }

  /** postgres://app@127.0.0.1:<port>/<database> */
  url(database = 'postgres'): string {
    return `postgres://app@127.0.0.1:${this.port}/${database}`;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    const data = join(this.dir, 'data');
    run(this.bin, 'pg_ctl', [
      '-D',
      data,
      '-o',
      this.serverOptions,
      '-l',
      join(this.dir, 'log'),
      '-w',
      'start',
    ]);
    this.running = true;
  }

  /** Stops the server (`fast`: the connections are cut, as when a server goes away); no error when stopped. */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    try {
      run(this.bin, 'pg_ctl', ['-D', join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
    } catch {
      // Not running.
    }
    this.running = false;
  }

  /** Stops the server and deletes its folder. */
  destroy(): void {
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs a server binary, as the `postgres` user when root. */
function run(bin: string, tool: string, args: readonly string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [command, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]]
    : [join(bin, tool), [...args]];
  execFileSync(command, argv, { stdio: 'pipe', timeout: 60_000 });
}
