/**
 * Start-up refusals, with the real entry point in a child process: production without an app id, a corrupt
 * or unusable DATA_DIR. Each stops with a clear message and a non-zero exit code; nothing is reset.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { DATABASE_FILE } from '../../src/storage/database.js';
import { openStore } from '../../src/storage/store.js';
import { runToExit } from './support.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'ua-start-'));
}

/** Runs the entry point until it exits; its exit code and output. */
function run(env: Record<string, string>) {
  return runToExit(env, tmp());
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe('DIRECTORY_CACHE_SIZE', () => {
  it('defaults to 20,000, takes a whole number of 100 or more, and names itself when refused', () => {
    expect(parseConfig({}).DIRECTORY_CACHE_SIZE).toBe(20_000);
    expect(parseConfig({ DIRECTORY_CACHE_SIZE: '5000' }).DIRECTORY_CACHE_SIZE).toBe(5000);
    for (const bad of ['0', '99', '1.5', 'many']) {
      expect(() => parseConfig({ DIRECTORY_CACHE_SIZE: bad })).toThrow(/DIRECTORY_CACHE_SIZE/);
    }
  });
});

describe('DATABASE_URL and the pool', () => {
  it('unset or empty: SQLite; a postgres:// or postgresql:// URL: PostgreSQL; anything else refused, named', () => {
    expect(parseConfig({}).DATABASE_URL).toBeUndefined();
    expect(parseConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
    for (const url of ['postgres://app@db:5432/ua', 'postgresql://u:p@db.example/ua?sslmode=verify-full']) {
      expect(parseConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    }
    for (const bad of ['mysql://db/ua', 'db:5432', 'postgres:// spaced']) {
      expect(() => parseConfig({ DATABASE_URL: bad })).toThrow(/DATABASE_URL: must be a postgres/);
    }
    // A password with an unencoded reserved character: refused, and the URL (the password) never echoed.
    const leaky = 'postgres://app:s3cr#t@db.example:5432/ua';
    expect(() => parseConfig({ DATABASE_URL: leaky })).toThrow(/DATABASE_URL: is not a valid URL.*%23/);
    try {
      parseConfig({ DATABASE_URL: leaky });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('s3cr');
    }
    const config = parseConfig({});
    expect([
      config.DATABASE_POOL_SIZE,
      config.DATABASE_CONNECT_TIMEOUT_SECONDS,
      config.DATABASE_IDLE_TIMEOUT_SECONDS,
      config.DATABASE_STATEMENT_TIMEOUT_SECONDS,
    ]).toEqual([10, 5, 30, 30]);
    expect(() => parseConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
  });
});

describe('NODE_ENV=production', () => {
  it('without MicrosoftAppId the configuration is refused, naming the variable', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(
      /MicrosoftAppId: required when NODE_ENV=production/,
    );
    expect(() => parseConfig({ NODE_ENV: 'production', MicrosoftAppId: '   ' })).toThrow(/MicrosoftAppId/);
    expect(() => parseConfig({ NODE_ENV: 'production', MicrosoftAppId: 'app' })).toThrow(
      /MicrosoftAppPassword/,
    );
    expect(() =>
      parseConfig({
        NODE_ENV: 'production',
        MicrosoftAppId: 'app',
        MicrosoftAppPassword: 'p',
        MicrosoftAppType: 'SingleTenant',
      }),
    ).toThrow(/MicrosoftAppTenantId/);
    const production = {
      NODE_ENV: 'production',
      MicrosoftAppId: 'app',
      MicrosoftAppPassword: 'p',
      METRICS_PORT: '9464',
    };
    // A multi-tenant app in production must name the tenants it serves; a single-tenant one serves its own.
    expect(() => parseConfig(production)).toThrow(/ALLOWED_TENANTS: required when NODE_ENV=production/);
    expect(parseConfig({ ...production, ALLOWED_TENANTS: 'tenant-a' }).MicrosoftAppId).toBe('app');
    expect(
      parseConfig({
        ...production,
        MicrosoftAppType: 'SingleTenant',
        MicrosoftAppTenantId: 'tenant-a',
      }).MicrosoftAppType,
    ).toBe('SingleTenant');
    // Outside production, no app id is allowed (local use).
    expect(parseConfig({ NODE_ENV: 'development' }).MicrosoftAppId).toBe('');
  });

  it('the bot refuses to start: exit code 1, the reason on stderr, never listening', async () => {
    const result = await run({ NODE_ENV: 'production', DATA_DIR: tmp() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Upgrade Assistant cannot start');
    expect(result.stderr).toContain('MicrosoftAppId: required when NODE_ENV=production');
    expect(result.stdout).not.toContain('listening');
  }, 40_000);
});

describe('DATA_DIR', () => {
  it('a database file that is not a database: exit 1, the file named, left as it was', async () => {
    const dir = tmp();
    const file = join(dir, DATABASE_FILE);
    writeFileSync(
      file,
      'this is not a SQLite database, just some text that happens to be here\n'.repeat(100),
    );
    const before = sha(file);
    const result = await run({ DATA_DIR: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(/not a SQLite database or is damaged/);
    expect(result.stderr).toMatch(/move the file away/);
    expect(sha(file)).toBe(before);
    expect(result.stdout).not.toContain('listening');
  }, 40_000);

  it('a damaged database (pages overwritten): exit 1, left as it was', async () => {
    const dir = tmp();
    openStore({ dataDir: dir, seed: loadDemoDirectory() }).close();
    const file = join(dir, DATABASE_FILE);
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(4 * 4096);
    for (let i = 4096; i < bytes.length; i += 7) bytes[i] = (i * 31) & 0xff;
    writeFileSync(file, bytes);
    const before = sha(file);
    const result = await run({ DATA_DIR: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toMatch(/damaged|not a SQLite database|malformed/);
    expect(sha(file)).toBe(before);
  }, 40_000);

  it('a DATA_DIR that is a file: exit 1, saying so', async () => {
    const file = join(tmp(), 'not-a-dir');
    writeFileSync(file, 'x');
    const result = await run({ DATA_DIR: file });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the data directory is not a directory');
    expect(readFileSync(file, 'utf8')).toBe('x');
    expect(existsSync(join(file, DATABASE_FILE))).toBe(false);
  }, 40_000);
});
