/**
 * `npm run package` (scripts/package-app.ts), run as a child process in an empty directory: where the ids
 * come from (environment, `.env`, `--demo`), its refusals, and the zip it writes.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import {
  DEMO_BOT_ID,
  DEMO_TEAMS_APP_ID,
  PackageError,
  fillPlaceholders,
  placeholdersIn,
  readTeamsPackage,
  resolvePackageIds,
  validateTeamsPackage,
} from '../../scripts/teams-package.js';

const SCRIPT = join(PROJECT_ROOT, 'scripts', 'package-app.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const BOT_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const APP_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'teams-package-'));
  dirs.push(dir);
  return dir;
}

/** Runs the script in `cwd` with only the given id variables (none inherited from the test's environment). */
function runPackage(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = { ...process.env };
  for (const name of ['BOT_ID', 'TEAMS_APP_ID', 'MicrosoftAppId']) delete base[name];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, SCRIPT, ...args],
      { cwd, env: { ...base, ...env } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function manifestOf(zipPath: string): { id: string; bots: { botId: string }[] } {
  const files = readTeamsPackage(readFileSync(zipPath));
  return JSON.parse(new TextDecoder().decode(files.get('manifest.json'))) as {
    id: string;
    bots: { botId: string }[];
  };
}

// Each run starts tsx and compiles the schemas: give it time when the whole suite runs in parallel.
describe('npm run package', { timeout: 60_000 }, () => {
  it('refuses without a bot id, saying what to set, and writes nothing', async () => {
    const cwd = tempDir();
    const out = join(cwd, 'app.zip');
    const run = await runPackage(cwd, ['--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/No bot id: set BOT_ID \(or MicrosoftAppId\)/);
    expect(run.stderr).toMatch(/--demo/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a bot id that is not a GUID', async () => {
    const cwd = tempDir();
    const out = join(cwd, 'app.zip');
    const run = await runPackage(cwd, ['--out', out], { MicrosoftAppId: 'my-bot' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/MicrosoftAppId is not a GUID: "my-bot"/);
    expect(existsSync(out)).toBe(false);
  });

  it('takes the ids from .env, and writes a valid package with them filled in', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.env'), `MicrosoftAppId=${BOT_ID}\nTEAMS_APP_ID=${APP_ID}\n`);
    const out = join(cwd, 'out', 'app.zip');
    const run = await runPackage(cwd, ['--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/manifest\.json, color\.png, outline\.png, fr\.json, ja\.json/);
    const manifest = manifestOf(out);
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0]?.botId).toBe(BOT_ID);
    expect(await validateTeamsPackage(readTeamsPackage(readFileSync(out)))).toEqual([]);
  });

  it('--demo fills the fixed demo GUIDs, whatever the environment says', async () => {
    const cwd = tempDir();
    const out = join(cwd, 'demo.zip');
    const run = await runPackage(cwd, ['--demo', '--out', out], { BOT_ID: 'not-a-guid' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Demo package/);
    const manifest = manifestOf(out);
    expect(manifest.id).toBe(DEMO_TEAMS_APP_ID);
    expect(manifest.bots[0]?.botId).toBe(DEMO_BOT_ID);
  });
});

describe('resolvePackageIds', () => {
  it('prefers BOT_ID to MicrosoftAppId, and defaults the app id to the bot id', () => {
    const other = '11111111-2222-4333-8444-555555555555';
    const { ids, notes } = resolvePackageIds({ BOT_ID: ` ${BOT_ID} `, MicrosoftAppId: other });
    expect(ids).toEqual({ botId: BOT_ID, teamsAppId: BOT_ID });
    expect(notes.join()).toMatch(/TEAMS_APP_ID is not set/);
    expect(resolvePackageIds({ MicrosoftAppId: other, TEAMS_APP_ID: APP_ID }).ids).toEqual({
      botId: other,
      teamsAppId: APP_ID,
    });
  });

  it('treats empty values as missing, and refuses an app id that is not a GUID', () => {
    expect(() => resolvePackageIds({ BOT_ID: '', MicrosoftAppId: '  ' })).toThrow(PackageError);
    expect(() => resolvePackageIds({ BOT_ID, TEAMS_APP_ID: 'teams-app' })).toThrow(
      /TEAMS_APP_ID is not a GUID/,
    );
  });
});

describe('placeholders', () => {
  it('fills every ${{NAME}} and refuses one it has no value for', () => {
    expect(placeholdersIn('{"id":"${{TEAMS_APP_ID}}","b":"${{ BOT_ID }}","c":"${{BOT_ID}}"}')).toEqual([
      'TEAMS_APP_ID',
      'BOT_ID',
    ]);
    expect(fillPlaceholders('"${{BOT_ID}}"', { BOT_ID })).toBe(`"${BOT_ID}"`);
    expect(() => fillPlaceholders('"${{APP_SECRET}}"', { BOT_ID })).toThrow(/\$\{\{APP_SECRET\}\}/);
  });
});
