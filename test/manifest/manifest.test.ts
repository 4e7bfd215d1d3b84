/**
 * The Teams app (manifest/): the manifest and its localization files against the schemas bundled with
 * @microsoft/app-manifest (offline), the icons Teams asks for, the localization files against the manifest
 * (every localizable string, derived from the manifest and the localization schema, nothing extra), and the
 * package `npm run package` builds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { drawColorIcon, drawOutlineIcon } from '../../scripts/make-icons.js';
import {
  MANIFEST_DIR,
  buildTeamsPackage,
  bundledGaManifestVersions,
  fillPlaceholders,
  loadBundledSchema,
  readTeamsPackage,
  validateAgainstBundledSchema,
  validateTeamsPackage,
  type PackageIds,
} from '../../scripts/teams-package.js';

const IDS: PackageIds = {
  teamsAppId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  botId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
};
const LANGUAGES = [
  { tag: 'fr-fr', file: 'fr.json' },
  { tag: 'ja-jp', file: 'ja.json' },
] as const;
const SCOPES = ['personal', 'team', 'groupChat'] as const;

type Json = Record<string, unknown>;
interface Command {
  title: string;
  description?: string;
}
interface Manifest {
  $schema: string;
  manifestVersion: string;
  id: string;
  accentColor: string;
  icons: { color: string; outline: string };
  localizationInfo: {
    defaultLanguageTag: string;
    additionalLanguages: { languageTag: string; file: string }[];
  };
  bots: {
    botId: string;
    scopes: string[];
    supportsFiles?: boolean;
    commandLists: { scopes: string[]; commands: Command[] }[];
  }[];
  validDomains?: string[];
}

const readText = (name: string): string => readFileSync(join(MANIFEST_DIR, name), 'utf8');
const readJson = (name: string): Json => JSON.parse(readText(name)) as Json;
const readPng = (bytes: Buffer | Uint8Array): PNG => PNG.sync.read(Buffer.from(bytes));

/** The source manifest, with its placeholders as committed. */
const source = readJson('manifest.json') as unknown as Manifest;
/** The source manifest with the placeholders replaced by the test GUIDs. */
const filled = JSON.parse(
  fillPlaceholders(readText('manifest.json'), { TEAMS_APP_ID: IDS.teamsAppId, BOT_ID: IDS.botId }),
) as Manifest;
const bot = filled.bots[0]!;

/**
 * The localizable strings of a manifest, derived here independently of scripts/teams-package.ts: every string leaf
 * whose path (`bots[0].commandLists[1].commands[2].title`) is a key the localization schema accepts.
 */
function localizableKeys(manifest: unknown, localizationSchema: Json): string[] {
  const leaves: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (typeof node === 'string') leaves.push(path);
    else if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (node !== null && typeof node === 'object')
      for (const [k, v] of Object.entries(node)) walk(v, path === '' ? k : `${path}.${k}`);
  };
  walk(manifest, '');
  const named = Object.keys(localizationSchema.properties as Json).filter(
    (k) => k !== '$schema' && k !== 'localizationKeys',
  );
  const patterns = Object.keys(localizationSchema.patternProperties as Json).map((p) => new RegExp(p, 'u'));
  return leaves.filter((path) => named.includes(path) || patterns.some((p) => p.test(path)));
}

describe('manifest/manifest.json', () => {
  it('is on the newest GA manifest schema that @microsoft/app-manifest bundles', () => {
    const newest = bundledGaManifestVersions().at(-1);
    expect(newest).toMatch(/^\d+\.\d+$/);
    // A newer bundled schema fails this test on purpose: move the manifest (and the localization files) to it.
    expect(source.manifestVersion).toBe(newest);
    expect(source.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${newest}/MicrosoftTeams.schema.json`,
    );
  });

  it('has placeholders for the app and bot ids, filled when packaging', () => {
    expect(source.id).toBe('${{TEAMS_APP_ID}}');
    expect(source.bots[0]?.botId).toBe('${{BOT_ID}}');
    expect(filled.id).toBe(IDS.teamsAppId);
    expect(bot.botId).toBe(IDS.botId);
  });

  it('validates against the bundled schema, with no errors, once the ids are filled', async () => {
    expect(await validateAgainstBundledSchema(filled)).toEqual([]);
  });

  it('(the validation does reject a broken manifest)', async () => {
    const broken = structuredClone(filled) as unknown as Json & Manifest;
    broken.accentColor = 'blue';
    broken.bots[0]!.botId = 'not-a-guid';
    broken.unknownProperty = true;
    const errors = await validateAgainstBundledSchema(broken);
    expect(errors.join('\n')).toMatch(/\/accentColor/);
    expect(errors.join('\n')).toMatch(/\/bots\/0\/botId/);
    expect(errors.join('\n')).toMatch(/additional properties/);
  });

  it('has the bot in the personal, team and groupChat scopes, without files', () => {
    expect(filled.bots).toHaveLength(1);
    expect([...bot.scopes].sort()).toEqual([...SCOPES].sort());
    expect(bot.supportsFiles).toBe(false);
    expect(filled.validDomains).toEqual([]);
  });

  it('has one command list per scope, of 3 to 6 sample commands', () => {
    expect(bot.commandLists.map((l) => l.scopes)).toEqual(SCOPES.map((s) => [s]));
    for (const list of bot.commandLists) {
      expect(list.commands.length).toBeGreaterThanOrEqual(3);
      expect(list.commands.length).toBeLessThanOrEqual(6);
      expect(new Set(list.commands.map((c) => c.title)).size).toBe(list.commands.length);
    }
  });

  it('keeps command titles within 32 characters and descriptions within 128, in every language', () => {
    const texts = [
      ...bot.commandLists.flatMap((l) => l.commands.flatMap((c) => [['title', c.title] as const])),
      ...bot.commandLists.flatMap((l) =>
        l.commands.map((c) => ['description', c.description ?? ''] as const),
      ),
      ...LANGUAGES.flatMap(({ file }) =>
        Object.entries(readJson(file)).flatMap(([k, v]) =>
          /\.commands\[\d+\]\.(title|description)$/.test(k)
            ? [[k.endsWith('title') ? 'title' : 'description', v]]
            : [],
        ),
      ),
    ] as [string, string][];
    expect(texts.length).toBeGreaterThan(0);
    for (const [kind, text] of texts) {
      expect(text.trim().length, `${kind}: ${text}`).toBeGreaterThan(0);
      expect([...text].length, `${kind}: ${text}`).toBeLessThanOrEqual(kind === 'title' ? 32 : 128);
    }
  });

  it('declares French and Japanese localization files, English being the default', () => {
    expect(filled.localizationInfo.defaultLanguageTag).toBe('en-us');
    expect(filled.localizationInfo.additionalLanguages).toEqual(
      LANGUAGES.map(({ tag, file }) => ({ languageTag: tag, file })),
    );
  });
});

describe.each(LANGUAGES)('manifest/$file', ({ file }) => {
  const localized = readJson(file);
  const schema = loadBundledSchema(localized.$schema);
  const keys = localizableKeys(filled, schema);

  it('validates against its bundled localization schema, of the manifest’s version', async () => {
    expect(localized.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${filled.manifestVersion}/MicrosoftTeams.Localization.schema.json`,
    );
    expect(await validateAgainstBundledSchema(localized)).toEqual([]);
  });

  it('the localizable strings, derived from the manifest, are its names, descriptions and commands', () => {
    const commands = bot.commandLists.reduce((n, l) => n + l.commands.length, 0);
    expect(keys).toEqual(
      expect.arrayContaining(['name.short', 'name.full', 'description.short', 'description.full']),
    );
    expect(keys).toContain('bots[0].commandLists[2].commands[0].title');
    expect(keys).toHaveLength(4 + 2 * commands);
  });

  it('covers every localizable string of the manifest, and nothing else', () => {
    const translated = Object.keys(localized).filter((k) => k !== '$schema');
    expect([...translated].sort()).toEqual([...keys].sort());
  });

  it('translates each of them (no string left empty or in English)', () => {
    const english = new Map<string, string>();
    const walk = (node: unknown, path: string): void => {
      if (typeof node === 'string') english.set(path, node);
      else if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${path}[${i}]`));
      else if (node !== null && typeof node === 'object')
        for (const [k, v] of Object.entries(node)) walk(v, path === '' ? k : `${path}.${k}`);
    };
    walk(filled, '');
    for (const key of keys) {
      const text = localized[key];
      expect(typeof text === 'string' && text.trim() !== '', key).toBe(true);
      expect(text, key).not.toBe(english.get(key));
    }
  });
});

describe('icons', () => {
  const color = readPng(readFileSync(join(MANIFEST_DIR, source.icons.color)));
  const outline = readPng(readFileSync(join(MANIFEST_DIR, source.icons.outline)));

  it('color is 192×192 and outline 32×32', () => {
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
  });

  it('outline is white on transparent: every pixel fully transparent or white, some of each', () => {
    let transparent = 0;
    let white = 0;
    const others: string[] = [];
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = [outline.data[i], outline.data[i + 1], outline.data[i + 2], outline.data[i + 3]];
      if (a === 0) transparent += 1;
      else if (r === 255 && g === 255 && b === 255) white += 1;
      else others.push(`pixel ${i / 4}: rgba(${r}, ${g}, ${b}, ${a})`);
    }
    expect(others).toEqual([]);
    expect(transparent).toBeGreaterThan(0);
    expect(white).toBeGreaterThan(0);
  });

  it('color is drawn in the manifest’s accent colour, with the white glyph', () => {
    const pixel = (x: number, y: number): string =>
      `#${[...color.data.subarray((y * 192 + x) * 4, (y * 192 + x) * 4 + 4)]
        .map((v) => v.toString(16).padStart(2, '0'))
        .join('')}`.toUpperCase();
    expect(pixel(20, 96)).toBe(`${filled.accentColor.toUpperCase()}FF`); // the square, left of the arrow
    expect(pixel(96, 120)).toBe('#FFFFFFFF'); // the arrow's shaft
  });

  it('are what `npm run icons` draws', () => {
    expect(Buffer.from(color.data).equals(Buffer.from(drawColorIcon().data))).toBe(true);
    expect(Buffer.from(outline.data).equals(Buffer.from(drawOutlineIcon().data))).toBe(true);
  });
});

describe('the package', () => {
  const pkg = buildTeamsPackage(IDS);
  const files = readTeamsPackage(pkg.zip);
  const decode = (name: string): string => new TextDecoder().decode(files.get(name));

  it('holds the manifest, the icons and the localization files at its root', () => {
    expect([...files.keys()].sort()).toEqual(
      ['manifest.json', 'color.png', 'outline.png', 'fr.json', 'ja.json'].sort(),
    );
  });

  it('has its manifest validate against the bundled schema, with the ids filled in', async () => {
    const manifest = JSON.parse(decode('manifest.json')) as Manifest;
    expect(await validateAgainstBundledSchema(manifest)).toEqual([]);
    expect(manifest.id).toBe(IDS.teamsAppId);
    expect(manifest.bots[0]?.botId).toBe(IDS.botId);
    expect(manifest).toEqual(filled);
  });

  it('has its localization files validate, and the icons as committed', async () => {
    for (const { file } of LANGUAGES) {
      expect(await validateAgainstBundledSchema(JSON.parse(decode(file)))).toEqual([]);
      expect(decode(file)).toBe(readText(file));
    }
    for (const icon of [source.icons.color, source.icons.outline]) {
      expect(Buffer.from(files.get(icon)!).equals(readFileSync(join(MANIFEST_DIR, icon)))).toBe(true);
    }
  });

  it('passes every check of validateTeamsPackage (what `npm run package` runs before writing)', async () => {
    expect(await validateTeamsPackage(files)).toEqual([]);
  });

  it('is the same for the same ids (deterministic)', () => {
    expect(Buffer.from(buildTeamsPackage(IDS).zip).equals(Buffer.from(pkg.zip))).toBe(true);
  });

  it('(validateTeamsPackage does catch a broken package)', async () => {
    const broken = new Map(files);
    broken.delete('ja.json');
    const fr = JSON.parse(decode('fr.json')) as Json;
    delete fr['name.full'];
    fr['bots[0].commandLists[0].commands[9].title'] = 'Question en trop';
    broken.set('fr.json', new TextEncoder().encode(JSON.stringify(fr)));
    const outline = readPng(files.get('outline.png')!);
    outline.data[3] = 255; // an opaque black pixel
    broken.set('outline.png', PNG.sync.write(outline));
    broken.set('manifest.json', new TextEncoder().encode(readText('manifest.json'))); // placeholders left
    const problems = (await validateTeamsPackage(broken)).join('\n');
    expect(problems).toMatch(/ja\.json is missing/);
    expect(problems).toMatch(/fr\.json does not translate: name\.full/);
    expect(problems).toMatch(
      /fr\.json translates strings the manifest does not have: .*commands\[9\]\.title/,
    );
    expect(problems).toMatch(/outline\.png has 1 pixel\(s\) neither white nor transparent/);
    expect(problems).toMatch(/placeholders: TEAMS_APP_ID, BOT_ID/);
    expect(problems).toMatch(/manifest\.json: \/id must match pattern/);
  });
});
