/**
 * Start-up refusals, with the real entry point in a child process: production without an app id, a corrupt
 * or unusable DATA_DIR. Each stops with a clear message and a non-zero exit code; nothing is reset.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
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

describe('CUSTOMER_SOURCE and the Partner Center settings', () => {
  const PC = {
    CUSTOMER_SOURCE: 'partner-center',
    PARTNER_CENTER_TENANT_ID: 'contoso.onmicrosoft.com',
    PARTNER_CENTER_CLIENT_ID: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    PARTNER_CENTER_CLIENT_SECRET: 'top~secret~value',
  };
  const refused = (env: Record<string, string>): string => {
    try {
      parseConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('file by default (nothing needed); partner-center with its defaults, matching the client', () => {
    expect(parseConfig({}).CUSTOMER_SOURCE).toBe('file');
    expect(parseConfig({}).partnerCenter).toBeUndefined();
    expect(parseConfig(PC).partnerCenter).toEqual({
      tenantId: 'contoso.onmicrosoft.com',
      clientId: PC.PARTNER_CENTER_CLIENT_ID,
      credential: { clientSecret: 'top~secret~value' },
      apiBaseUrl: 'https://api.partnercenter.microsoft.com',
      authorityHost: 'https://login.microsoftonline.com',
      syncMinutes: 60,
      requestsPerMinute: 500,
      reservedForLive: 100,
      maxConcurrent: 8,
      pageSize: 200,
    });
    const tuned = parseConfig({
      ...PC,
      PARTNER_CENTER_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      PARTNER_CENTER_BASE_URL: 'https://127.0.0.1:8443/',
      PARTNER_CENTER_AUTHORITY_URL: 'https://localhost:8443',
      PARTNER_CENTER_SYNC_MINUTES: '15',
      PARTNER_CENTER_REQUESTS_PER_MINUTE: '300',
      PARTNER_CENTER_RESERVED_FOR_LIVE: '50',
      PARTNER_CENTER_MAX_CONCURRENT: '4',
      PARTNER_CENTER_PAGE_SIZE: '40',
    }).partnerCenter;
    expect(tuned).toMatchObject({
      apiBaseUrl: 'https://127.0.0.1:8443',
      authorityHost: 'https://localhost:8443',
      syncMinutes: 15,
      requestsPerMinute: 300,
      reservedForLive: 50,
      maxConcurrent: 4,
      pageSize: 40,
    });
  });

  it('partner-center: each missing or wrong value named on a line of its own, the secret never echoed', () => {
    const missing = refused({ CUSTOMER_SOURCE: 'partner-center' });
    expect(missing).toMatch(/^ {2}PARTNER_CENTER_TENANT_ID: required/m);
    expect(missing).toMatch(/^ {2}PARTNER_CENTER_CLIENT_ID: required/m);
    expect(missing).toMatch(/^ {2}PARTNER_CENTER_CLIENT_SECRET: required .*PARTNER_CENTER_CERTIFICATE_PATH/m);
    expect(refused({ ...PC, CUSTOMER_SOURCE: 'graph' })).toMatch(/CUSTOMER_SOURCE/);
    const wrong = refused({
      ...PC,
      PARTNER_CENTER_TENANT_ID: 'not a tenant',
      PARTNER_CENTER_CLIENT_ID: 'my-app',
      PARTNER_CENTER_BASE_URL: 'http://api.partnercenter.microsoft.com',
      PARTNER_CENTER_AUTHORITY_URL: 'login',
      PARTNER_CENTER_SYNC_MINUTES: '0',
      PARTNER_CENTER_MAX_CONCURRENT: 'eight',
      PARTNER_CENTER_PAGE_SIZE: '0',
    });
    for (const name of [
      'PARTNER_CENTER_TENANT_ID: must be a tenant id',
      'PARTNER_CENTER_CLIENT_ID: must be the application',
      'PARTNER_CENTER_BASE_URL: must be an https',
      'PARTNER_CENTER_AUTHORITY_URL: must be an https',
      'PARTNER_CENTER_SYNC_MINUTES',
      'PARTNER_CENTER_MAX_CONCURRENT',
      'PARTNER_CENTER_PAGE_SIZE',
    ]) {
      expect(wrong).toContain(`  ${name}`);
    }
    expect(wrong).not.toContain('top~secret');
    expect(
      refused({ ...PC, PARTNER_CENTER_REQUESTS_PER_MINUTE: '100', PARTNER_CENTER_RESERVED_FOR_LIVE: '99' }),
    ).toMatch(/PARTNER_CENTER_RESERVED_FOR_LIVE: must leave at least 2/);
    const both = refused({ ...PC, PARTNER_CENTER_CERTIFICATE_PATH: '/etc/app.pem' });
    expect(both).toMatch(/PARTNER_CENTER_CLIENT_SECRET: give .* not both/);
    expect(both).not.toContain('top~secret');
  });

  it('Partner Center settings with CUSTOMER_SOURCE=file are refused, each named', () => {
    const message = refused({
      PARTNER_CENTER_CLIENT_SECRET: 'top~secret~value',
      PARTNER_CENTER_SYNC_MINUTES: '5',
      PARTNER_CENTER_PAGE_SIZE: '',
    });
    expect(message).toMatch(/^ {2}PARTNER_CENTER_CLIENT_SECRET: .*CUSTOMER_SOURCE is file/m);
    expect(message).toMatch(/^ {2}PARTNER_CENTER_SYNC_MINUTES: .*CUSTOMER_SOURCE is file/m);
    expect(message).not.toContain('PARTNER_CENTER_PAGE_SIZE'); // empty is unset
    expect(message).not.toContain('top~secret');
  });

  it('a certificate file: read and checked at start, its thumbprint, key and chain for the client', async () => {
    const dir = tmp();
    const made = await generate([{ name: 'commonName', value: 'upgrade-assistant' }], {
      keyType: 'rsa',
      keySize: 2048,
      algorithm: 'sha256',
    });
    const other = await generate([{ name: 'commonName', value: 'other' }], { keyType: 'ec' });
    const good = join(dir, 'app.pem');
    writeFileSync(good, `${made.cert}\n${made.private}`);
    const withCertificate = (path: string) => {
      const { PARTNER_CENTER_CLIENT_SECRET: _secret, ...rest } = PC;
      return { ...rest, PARTNER_CENTER_CERTIFICATE_PATH: path };
    };
    const settings = parseConfig(withCertificate(good)).partnerCenter;
    const thumbprint = createHash('sha256')
      .update(Buffer.from(made.cert.replace(/-----[^-]+-----|\s/g, ''), 'base64'))
      .digest('hex');
    expect(settings?.credential).toEqual({
      certificate: {
        thumbprintSha256: thumbprint,
        privateKey: expect.stringContaining('BEGIN PRIVATE KEY'),
        x5c: made.cert.trim(),
      },
    });

    const keyOnly = join(dir, 'key.pem');
    writeFileSync(keyOnly, made.private);
    const mismatched = join(dir, 'mismatched.pem');
    writeFileSync(mismatched, `${made.cert}\n${other.private}`);
    expect(refused(withCertificate(join(dir, 'missing.pem')))).toMatch(
      /PARTNER_CENTER_CERTIFICATE_PATH: cannot read .*missing\.pem.*ENOENT/,
    );
    expect(refused(withCertificate(keyOnly))).toMatch(
      /PARTNER_CENTER_CERTIFICATE_PATH: .* must hold the certificate .* and its private key/,
    );
    expect(refused(withCertificate(mismatched))).toMatch(
      /PARTNER_CENTER_CERTIFICATE_PATH: the private key .* does not belong to its certificate/,
    );
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
