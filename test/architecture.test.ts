/**
 * The layering rules of the build (eslint.config.js) really bite: a violation fails `npm run lint`. Only src/
 * ships, so it imports neither scripts/, bench/, test/ nor a development dependency.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function errorsFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layering', () => {
  it.each([
    "import { readFileSync } from 'node:fs';",
    "import { readFileSync } from 'fs';",
    "import { ActivityHandler } from 'botbuilder';",
    "import restify from 'restify';",
    "import { CustomerIndex } from '../directory/customer-index.js';",
    "import { t } from '../bot/i18n.js';",
  ])('src/rules may not: %s', async (line) => {
    const errors = await errorsFor('src/rules/probe.ts', `${line}\nexport const x = 1;\n`);
    expect(errors.some((e) => e.startsWith('no-restricted-imports'))).toBe(true);
  });

  it('src/rules may import its own modules', async () => {
    expect(await errorsFor('src/rules/probe.ts', "export { CATALOG } from './catalog.js';\n")).toEqual([]);
  });

  it('the directory may not import the bot', async () => {
    const errors = await errorsFor(
      'src/directory/probe.ts',
      "import { x } from '../bot/x.js';\nexport const y = x;\n",
    );
    expect(errors.some((e) => e.startsWith('no-restricted-imports'))).toBe(true);
  });

  it.each([
    ['src/bot/probe.ts', "import { openStore } from '../storage/store.js';"],
    ['src/bot/answers/probe.ts', "import type { Store } from '../../storage/store.js';"],
    ['src/bot/probe.ts', "import Database from 'better-sqlite3';"],
    ['src/bot/probe.ts', "import { openPostgresStore } from '../postgres/store.js';"],
    ['src/core/probe.ts', "import pg from 'pg';"],
    ['src/bot/probe.ts', "import { openPersistence } from '../persistence.js';"],
    ['src/core/probe.ts', "import type { Persistence } from '../persistence.js';"],
    ['src/bot/probe.ts', "import { openPartnerCenter } from '../partner-center-composition.js';"],
    ['src/core/probe.ts', "import { PartnerCenterClient } from '../partner-center/client.js';"],
    ['src/core/probe.ts', "import { SqliteUpgradeLedger } from '../storage/upgrade-ledger.js';"],
    ['src/core/probe.ts', "import { UpgradeFlow } from '../bot/upgrade-flow.js';"],
    ['src/core/probe.ts', "import { TurnContext } from 'botbuilder';"],
  ])('%s may not: %s', async (file, line) => {
    const errors = await errorsFor(file, `${line}\nexport const x = 1;\n`);
    expect(errors.some((e) => e.startsWith('no-restricted-imports'))).toBe(true);
  });

  it('the bot may import the ports of the core', async () => {
    const code = "export type { UpgradeLedger } from '../core/ledger.js';\n";
    expect(await errorsFor('src/bot/probe.ts', code)).toEqual([]);
  });

  it.each([
    "import { zipSync } from 'fflate';",
    "import { MANIFEST_DIR } from '../../scripts/teams-package.js';",
    "import { generateCustomers } from '../../test/support/generate-customers.js';",
    "import { summarize } from '../../bench/stats.js';",
  ])('src/ ships alone, so no file of it may: %s', async (line) => {
    for (const filePath of ['src/bot/probe.ts', 'src/directory/probe.ts', 'src/rules/probe.ts']) {
      const errors = await errorsFor(filePath, `${line}\nexport const x = 1;\n`);
      expect(
        errors.some((e) => e.startsWith('no-restricted-imports')),
        filePath,
      ).toBe(true);
    }
  });

  it('scripts/, bench/ and test/ may use the development dependencies and one another', async () => {
    const code =
      "import { zipSync } from 'fflate';\nimport { summarize } from '../bench/stats.js';\nexport const x = [zipSync, summarize];\n";
    for (const filePath of ['scripts/probe.ts', 'bench/probe.ts', 'test/probe.ts']) {
      expect(await errorsFor(filePath, code)).toEqual([]);
    }
  });

  it('only src/config.ts reads the environment', async () => {
    const code = 'export const port = process.env.PORT;\n';
    expect(await errorsFor('src/bot/probe.ts', code)).toEqual([
      expect.stringContaining('no-restricted-properties'),
    ]);
    expect(await errorsFor('src/config.ts', code)).toEqual([]);
  });
});
