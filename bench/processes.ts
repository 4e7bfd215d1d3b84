/**
 * The processes of the HTTP benchmark: each bot in its own Node process on a free loopback port, with a clean
 * environment (no credentials, LOG_LEVEL=warn, a fresh DATA_DIR, a temporary working directory so that no
 * `.env` is read), started either from a build (tsc into a temporary directory) or from the sources (tsx).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Everything the benchmark writes: directory files, databases, the build; removed at the end. */
export const WORK_DIR = mkdtempSync(join(tmpdir(), 'ua-bench-'));

export function freshDir(name: string): string {
  return mkdtempSync(join(WORK_DIR, `${name}-`));
}

export function removeWorkDir(): void {
  rmSync(WORK_DIR, { recursive: true, force: true });
}

/** A free TCP port on 127.0.0.1 (asked of the system, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export type Program = 'app' | 'echo' | 'channel';

/** How to run each program: `node <args>` from a build or from the sources. */
export interface Launcher {
  readonly kind: 'build' | 'sources';
  args(program: Program): string[];
}

const SOURCES: Record<Program, string> = {
  app: 'src/index.ts',
  echo: 'bench/echo-bot.ts',
  channel: 'bench/channel.ts',
};

export function sourcesLauncher(): Launcher {
  const tsx = import.meta.resolve('tsx');
  return { kind: 'sources', args: (program) => ['--import', tsx, join(PROJECT_ROOT, SOURCES[program])] };
}

/**
 * Compiles src/ and the benchmark's servers with the project's TypeScript (as `npm run build` does, but into a
 * temporary directory, leaving dist/ alone) and lays the project's data next to it. Type errors are reported
 * but do not stop the benchmark when the JavaScript was emitted.
 */
export function buildLauncher(log: (line: string) => void): Launcher {
  const root = join(WORK_DIR, 'build');
  mkdirSync(root, { recursive: true });
  const out = join(root, 'dist');
  // The app finds cards/, locales/ and data/ next to the nearest package.json above it.
  copyFileSync(join(PROJECT_ROOT, 'package.json'), join(root, 'package.json'));
  for (const name of ['cards', 'locales', 'data', 'node_modules']) {
    symlinkSync(join(PROJECT_ROOT, name), join(root, name), 'dir');
  }
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      extends: join(PROJECT_ROOT, 'tsconfig.json'),
      compilerOptions: { noEmit: false, rootDir: PROJECT_ROOT, outDir: out, sourceMap: false },
      include: [
        join(PROJECT_ROOT, 'src'),
        ...(['echo', 'channel'] as const).map((p) => join(PROJECT_ROOT, SOURCES[p])),
      ],
    }),
  );
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const started = performance.now();
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { encoding: 'utf8' });
  const emitted = (program: Program): string => join(out, SOURCES[program].replace(/\.ts$/, '.js'));
  if (result.status !== 0) {
    const output = `${result.stdout}${result.stderr}`.trim();
    if (!(['app', 'echo', 'channel'] as const).every((p) => existsSync(emitted(p)))) {
      throw new Error(`The build failed:\n${output}`);
    }
    log(
      `tsc reported errors (the emitted JavaScript is used):\n${output.split('\n').slice(0, 10).join('\n')}`,
    );
  }
  log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { kind: 'build', args: (program) => [emitted(program)] };
}

export interface Memory {
  /** Resident set size now. */
  readonly rss: number;
  /** The highest RSS so far. */
  readonly peak: number;
}

const running = new Set<ChildProcess>();

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const CLOCK_TICKS = 100;

/** Ends every process still running (the benchmark's own children, by pid). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export class BotProcess {
  readonly url: string;
  private readonly child: ChildProcess;
  private readonly started: number;
  private output = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly port: number,
    child: ChildProcess,
    started: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.child = child;
    this.started = started;
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolveExit) =>
      child.on('exit', (code) => {
        running.delete(child);
        resolveExit(code);
      }),
    );
  }

  /** Starts `program` on a free port; `env` adds to a clean environment. */
  static async start(
    name: string,
    launcher: Launcher,
    program: Program,
    env: Record<string, string> = {},
    nodeArgs: readonly string[] = [],
  ): Promise<BotProcess> {
    const port = await freePort();
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, ...launcher.args(program)], {
      cwd: freshDir(`cwd-${name}`),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TMPDIR: process.env.TMPDIR ?? tmpdir(),
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        NODE_NO_WARNINGS: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    return new BotProcess(name, port, child, started);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Polls GET /healthz every 10 ms; resolves with the time from the spawn to the first 200. */
  async healthy(timeoutMs = 120_000): Promise<number> {
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    while (performance.now() - this.started < timeoutMs) {
      if (exitCode !== undefined) throw new Error(`${this.name} exited (${exitCode}):\n${this.output}`);
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200) return performance.now() - this.started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`${this.name} did not answer /healthz within ${timeoutMs} ms:\n${this.output}`);
  }

  /** RSS and peak RSS from /proc (Linux); NaN elsewhere. */
  memory(): Memory {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kb = (field: string): number =>
        Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]) * 1024;
      return { rss: kb('VmRSS'), peak: kb('VmHWM') };
    } catch {
      return { rss: NaN, peak: NaN };
    }
  }

  /**
   * CPU time (user + system, all threads) the process has used, in ms, from /proc (Linux; NaN elsewhere):
   * unlike the wall time it hardly depends on what else the machine is doing.
   */
  cpuMs(): number {
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      // Fields after the command name (which is in parentheses and may hold spaces): utime is the 12th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    } catch {
      return NaN;
    }
  }

  get log(): string {
    return this.output;
  }

  /** SIGTERM, then SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
