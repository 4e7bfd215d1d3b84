/** The layering rules of the build (eslint.config.js) really bite: a violation fails `npm run lint`. */
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

  it('only src/config.ts reads the environment', async () => {
    const code = 'export const port = process.env.PORT;\n';
    expect(await errorsFor('src/bot/probe.ts', code)).toEqual([
      expect.stringContaining('no-restricted-properties'),
    ]);
    expect(await errorsFor('src/config.ts', code)).toEqual([]);
  });
});
