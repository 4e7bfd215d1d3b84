/**
 * The manifest's sample commands are questions the bot answers: Teams puts a command's title in the compose
 * box, so every title, in English, French and Japanese, must be understood (not `none`), as the same intent
 * with the same customer and plans in every language.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUnderstander, type Understander } from '../../src/bot/nlu/index.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { CustomerIndex } from '../../src/directory/customer-index.js';
import { MANIFEST_DIR } from '../../scripts/teams-package.js';

interface Manifest {
  bots: { commandLists: { scopes: string[]; commands: { title: string }[] }[] }[];
}

const read = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(MANIFEST_DIR, name), 'utf8')) as Record<string, unknown>;
const manifest = read('manifest.json') as unknown as Manifest;
const localized = { fr: read('fr.json'), ja: read('ja.json') };

const commands = (manifest.bots[0]?.commandLists ?? []).flatMap((list, l) =>
  list.commands.map((command, c) => {
    const key = `bots[0].commandLists[${l}].commands[${c}].title`;
    return {
      scope: list.scopes.join(','),
      en: command.title,
      fr: localized.fr[key] as string,
      ja: localized.ja[key] as string,
    };
  }),
);

let nlu: Understander;
beforeAll(async () => {
  nlu = await createUnderstander(new CustomerIndex(loadDemoDirectory().customers));
});

function meaning(text: string, locale: string): Record<string, unknown> {
  const u = nlu.understand(text, locale);
  return {
    intent: u.intent,
    customer:
      u.customer?.result.kind === 'match' ? u.customer.result.customer.companyProfile.companyName : null,
    target: u.target ?? null,
    source: u.source ?? null,
  };
}

describe('the sample commands', () => {
  it('are there', () => {
    expect(commands.length).toBeGreaterThan(0);
  });

  it.each(commands)('$scope: "$en" is understood the same in English, French and Japanese', (command) => {
    const en = meaning(command.en, 'en-US');
    expect(en.intent).not.toBe('none');
    expect(meaning(command.fr, 'fr-FR'), command.fr).toEqual(en);
    expect(meaning(command.ja, 'ja-JP'), command.ja).toEqual(en);
  });
});
