/**
 * `npm run package`: builds the Teams app package, dist/upgrade-assistant-teams.zip (manifest.json, the
 * icons, fr.json and ja.json at the root), with the ids filled in, after validating it offline.
 *
 * The ids come from the environment or `.env` (the real environment wins):
 *   BOT_ID          the Microsoft App ID of the Azure Bot (else MicrosoftAppId, the bot's own setting)
 *   TEAMS_APP_ID    the Teams app id (optional: defaults to the bot id)
 *
 * Options:
 *   --demo          fill fixed demo GUIDs instead (a package to validate locally, not to install)
 *   --out <file>    where to write the zip (default dist/upgrade-assistant-teams.zip)
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  PACKAGE_FILE,
  PackageError,
  buildTeamsPackage,
  resolvePackageIds,
  validateTeamsPackage,
} from './teams-package.js';

const USAGE = 'Usage: npm run package [-- [--demo] [--out <file.zip>]]';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function main(): Promise<void> {
  let options: { demo?: boolean; out?: string; help?: boolean };
  try {
    ({ values: options } = parseArgs({
      options: {
        demo: { type: 'boolean' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  if (options.help === true) {
    console.log(USAGE);
    return;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');

  try {
    const { ids, notes } = resolvePackageIds(process.env, { demo: options.demo === true });
    const pkg = buildTeamsPackage(ids);
    const problems = await validateTeamsPackage(pkg.files);
    if (problems.length > 0) {
      fail(
        `The Teams package is not valid; nothing was written:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    }
    const out = resolve(options.out ?? PACKAGE_FILE);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, pkg.zip);
    for (const note of notes) console.log(`Note: ${note}`);
    console.log(
      [
        `Wrote ${relative(process.cwd(), out) || out} (${pkg.zip.length} bytes): ${[...pkg.files.keys()].join(', ')}`,
        `  Teams app id: ${ids.teamsAppId}`,
        `  Bot id:       ${ids.botId}`,
        'Validated offline against the Teams schemas bundled with @microsoft/app-manifest.',
        'Sideload it in Teams: Apps → Manage your apps → Upload an app → Upload a custom app.',
      ].join('\n'),
    );
  } catch (e) {
    if (e instanceof PackageError) fail(e.message);
    throw e;
  }
}

await main();
