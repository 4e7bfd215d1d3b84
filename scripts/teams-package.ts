/**
 * The Teams app package: manifest/manifest.json, its icons and its localization files, with the app and bot
 * ids filled into their `${{NAME}}` placeholders, zipped at the root of one file (what Teams sideloads).
 *
 * Used by `npm run package` (package-app.ts), `npm run icons` (make-icons.ts) and the tests (test/manifest/).
 * Not part of the bot, which never imports it. It reads no environment itself: the caller passes the variables.
 * Validation uses the Teams schemas bundled with `@microsoft/app-manifest` (a development dependency, loaded
 * only when validating), so it works offline.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { PROJECT_ROOT } from '../src/paths.js';

/** Where the sources of the package are: manifest.json, the icons, the localization files. */
export const MANIFEST_DIR = join(PROJECT_ROOT, 'manifest');
/** Where `npm run package` writes the package by default. */
export const PACKAGE_FILE = join(PROJECT_ROOT, 'dist', 'upgrade-assistant-teams.zip');

/** The ids of a `--demo` package: valid GUIDs that belong to nobody, for validating a package locally. */
export const DEMO_BOT_ID = '00000000-0000-4000-8000-00000000b07d';
export const DEMO_TEAMS_APP_ID = '00000000-0000-4000-8000-000000000a99';

/** The manifest schema's pattern for a GUID. */
const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
/** A placeholder in the manifest sources: `${{BOT_ID}}`. */
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** A refusal to build the package, with a message meant for the person running `npm run package`. */
export class PackageError extends Error {}

export interface PackageIds {
  /** The Teams app's id (`id` in the manifest). */
  readonly teamsAppId: string;
  /** The Microsoft App ID of the Azure Bot (`bots[0].botId`), the bot's `MicrosoftAppId`. */
  readonly botId: string;
}

interface ResolvedIds {
  readonly ids: PackageIds;
  /** What the person packaging should know (a demo package, a defaulted app id). */
  readonly notes: readonly string[];
}

function value(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/**
 * The ids to fill in: `BOT_ID` (else `MicrosoftAppId`, the bot's own setting) and `TEAMS_APP_ID` (else the
 * bot id, which Teams accepts as the app id). With `demo`, fixed demo GUIDs, whatever the environment says.
 * @throws PackageError when the bot id is missing or an id is not a GUID.
 */
export function resolvePackageIds(
  env: Readonly<Record<string, string | undefined>>,
  options: { readonly demo?: boolean } = {},
): ResolvedIds {
  if (options.demo === true) {
    return {
      ids: { teamsAppId: DEMO_TEAMS_APP_ID, botId: DEMO_BOT_ID },
      notes: [
        `Demo package: bot id ${DEMO_BOT_ID} and app id ${DEMO_TEAMS_APP_ID} belong to no bot. ` +
          'Use it to validate the package; to install the bot in Teams, package without --demo.',
      ],
    };
  }
  const botVar = value(env, 'BOT_ID') !== undefined ? 'BOT_ID' : 'MicrosoftAppId';
  const botId = value(env, botVar);
  if (botId === undefined) {
    throw new PackageError(
      'No bot id: set BOT_ID (or MicrosoftAppId) to the Microsoft App ID of the Azure Bot, in the environment ' +
        'or in .env, then run `npm run package` again.\n' +
        'To build a package only to validate it locally, run `npm run package -- --demo`.',
    );
  }
  if (!GUID.test(botId)) {
    throw new PackageError(
      `${botVar} is not a GUID: "${botId}". It must be the Microsoft App ID of the Azure Bot ` +
        '(Azure portal → the Azure Bot → Configuration → Microsoft App ID), ' +
        'such as 2b5c7e1a-3f4d-4c6b-9a8e-1d2f3a4b5c6d.',
    );
  }
  const notes: string[] = [];
  let teamsAppId = value(env, 'TEAMS_APP_ID');
  if (teamsAppId === undefined) {
    teamsAppId = botId;
    notes.push(`TEAMS_APP_ID is not set: the Teams app id is the bot id (${botId}).`);
  } else if (!GUID.test(teamsAppId)) {
    throw new PackageError(
      `TEAMS_APP_ID is not a GUID: "${teamsAppId}". Leave it unset to use the bot id, or set a GUID of your own ` +
        '(keep it from one version of the package to the next: Teams knows the app by it).',
    );
  }
  return { ids: { teamsAppId, botId }, notes };
}

/** The placeholder names of the manifest sources and their values. */
function placeholderValues(ids: PackageIds): Record<string, string> {
  return { TEAMS_APP_ID: ids.teamsAppId, BOT_ID: ids.botId };
}

/** The names of the placeholders in a text, in order of appearance, without duplicates. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

/**
 * Replaces every `${{NAME}}` in `text`.
 * @throws PackageError naming the placeholders that have no value.
 */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  const unknown = placeholdersIn(text).filter((name) => !Object.hasOwn(values, name));
  if (unknown.length > 0) {
    throw new PackageError(`No value for the placeholder(s) ${unknown.map((n) => `\${{${n}}}`).join(', ')}.`);
  }
  return text.replace(PLACEHOLDER, (_match, name: string) => values[name] ?? '');
}

/** The parts of a manifest that name other files of the package. */
interface ManifestFiles {
  icons?: { color?: unknown; outline?: unknown; color32x32?: unknown };
  localizationInfo?: {
    defaultLanguageFile?: unknown;
    additionalLanguages?: readonly { file?: unknown }[];
  };
}

/** The files of the package, manifest.json first, then the icons and localization files it names. */
function packageFileNames(manifest: unknown): string[] {
  const m = (manifest ?? {}) as ManifestFiles;
  const named = [
    m.icons?.color,
    m.icons?.outline,
    m.icons?.color32x32,
    m.localizationInfo?.defaultLanguageFile,
    ...(m.localizationInfo?.additionalLanguages ?? []).map((l) => l.file),
  ].filter((f) => f !== undefined);
  for (const f of named) {
    if (typeof f !== 'string' || !/^[\w.-]+$/.test(f) || f.startsWith('.')) {
      throw new PackageError(
        `The manifest names the file ${JSON.stringify(f)}: only plain file names in manifest/ are packaged.`,
      );
    }
  }
  return ['manifest.json', ...new Set(named as string[])];
}

interface TeamsPackage {
  /** Each file of the package as it is in the zip, by name. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** The zip itself. */
  readonly zip: Uint8Array;
}

/** Every entry gets this date: the same sources and ids give the same package. */
const ZIP_DATE = new Date(2024, 0, 1, 0, 0, 0);

/**
 * Builds the package from the sources in `dir`: fills the placeholders of every JSON file, zips the manifest
 * and the files it names at the root.
 * @throws PackageError when a file is missing or a placeholder has no value.
 */
export function buildTeamsPackage(ids: PackageIds, dir: string = MANIFEST_DIR): TeamsPackage {
  const values = placeholderValues(ids);
  const read = (name: string): Uint8Array => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new PackageError(`${name} is missing from ${dir}.`);
    const bytes = readFileSync(path);
    if (!name.endsWith('.json')) return new Uint8Array(bytes);
    return new TextEncoder().encode(fillPlaceholders(bytes.toString('utf8'), values));
  };
  const manifestBytes = read('manifest.json');
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
  } catch (e) {
    throw new PackageError(`manifest.json is not valid JSON: ${(e as Error).message}`);
  }
  const files = new Map<string, Uint8Array>([['manifest.json', manifestBytes]]);
  for (const name of packageFileNames(manifest).slice(1)) files.set(name, read(name));
  const zippable: Zippable = {};
  for (const [name, bytes] of files) zippable[name] = [bytes, { mtime: ZIP_DATE, level: 9 }];
  return { files, zip: zipSync(zippable) };
}

/** The files of a package zip, by name. */
export function readTeamsPackage(zip: Uint8Array): Map<string, Uint8Array> {
  return new Map(Object.entries(unzipSync(zip)));
}

// ---- Validation against the schemas bundled with @microsoft/app-manifest (offline) ----

const SCHEMA_URL =
  /^https:\/\/developer\.microsoft\.com\/(?:[a-z]{2}-[a-z]{2}\/)?json-schemas\/(teams\/(?:v\d+\.\d+|vDevPreview)\/[\w.]+\.json)$/;

/** The folder of the JSON schemas bundled with @microsoft/app-manifest. */
function bundledSchemasDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@microsoft/app-manifest/package.json')), 'build', 'json-schemas');
}

/** The versions of the Teams manifest schema bundled with @microsoft/app-manifest, GA ones only, oldest first. */
export function bundledGaManifestVersions(): string[] {
  const dir = join(bundledSchemasDir(), 'teams');
  const key = (v: string): number => {
    const [major = 0, minor = 0] = v.split('.').map(Number);
    return major * 1000 + minor;
  };
  return readdirSync(dir)
    .map((d) => /^v(\d+\.\d+)$/.exec(d)?.[1]) // vDevPreview is not GA
    .filter(
      (v): v is string => v !== undefined && existsSync(join(dir, `v${v}`, 'MicrosoftTeams.schema.json')),
    )
    .sort((a, b) => key(a) - key(b));
}

/**
 * The bundled schema a `$schema` URL names, read from disk (never fetched).
 * @throws PackageError when the URL is not a developer.microsoft.com Teams schema the library bundles.
 */
export function loadBundledSchema(url: unknown): Record<string, unknown> {
  const match = typeof url === 'string' ? SCHEMA_URL.exec(url) : null;
  const path = match?.[1] === undefined ? undefined : join(bundledSchemasDir(), match[1]);
  if (path === undefined || !existsSync(path)) {
    throw new PackageError(
      `$schema ${JSON.stringify(url)} is not a Teams schema bundled with @microsoft/app-manifest ` +
        '(https://developer.microsoft.com/json-schemas/teams/v1.N/…): it cannot be validated offline.',
    );
  }
  // The same clean-up as the library's own loader: some schemas have \a and \v escapes JSON does not allow.
  const raw = readFileSync(path, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b');
  return withUnicodeSafePatterns(JSON.parse(raw)) as Record<string, unknown>;
}

/**
 * A regular expression of a schema, made valid in Unicode mode (which ajv uses) without changing what it
 * matches: a `]` that closes no character class is escaped. The bundled localization schemas (v1.30 among
 * them) have such patterns (`activityTypes\[\b(…)\b]`), which ajv, and so the library's own
 * `validateAgainstSchema`, cannot compile.
 */
function unicodeSafePattern(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i += 1;
    } else if (c === '[' && !inClass) {
      inClass = true;
      out += c;
    } else if (c === ']') {
      out += inClass ? c : '\\]';
      inClass = false;
    } else {
      out += c;
    }
  }
  return out;
}

/** A schema with every `pattern` and `patternProperties` key passed through {@link unicodeSafePattern}. */
function withUnicodeSafePatterns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withUnicodeSafePatterns);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, v]) => {
      if (key === 'pattern' && typeof v === 'string') return [key, unicodeSafePattern(v)];
      if (key === 'patternProperties' && v !== null && typeof v === 'object') {
        return [
          key,
          Object.fromEntries(
            Object.entries(v).map(([p, sub]) => [unicodeSafePattern(p), withUnicodeSafePatterns(sub)]),
          ),
        ];
      }
      return [key, withUnicodeSafePatterns(v)];
    }),
  );
}

/** Validates a JSON document against the bundled schema its `$schema` names; the errors, or none. */
export async function validateAgainstBundledSchema(doc: unknown): Promise<string[]> {
  const schemaUrl = (doc as { $schema?: unknown } | null)?.$schema;
  let schema: Record<string, unknown>;
  try {
    schema = loadBundledSchema(schemaUrl);
  } catch (e) {
    return [(e as Error).message];
  }
  const { AppManifestUtils } = await import('@microsoft/app-manifest');
  return AppManifestUtils.validateAgainstSchema(doc as never, schema as never);
}

/** Every string leaf of a JSON value, by its path in the localization files' notation (`bots[0].botId`). */
function stringPaths(value: unknown, prefix = ''): [string, string][] {
  if (typeof value === 'string') return [[prefix, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, `${prefix}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => stringPaths(v, prefix === '' ? k : `${prefix}.${k}`));
  }
  return [];
}

/**
 * The localizable strings of a manifest: those whose path is a key the localization schema accepts (its
 * properties and pattern properties), with their default-language text.
 */
function localizableStrings(
  manifest: unknown,
  localizationSchema: Record<string, unknown>,
): Map<string, string> {
  const properties = Object.keys((localizationSchema.properties ?? {}) as object).filter(
    (k) => k !== '$schema' && k !== 'localizationKeys',
  );
  const patterns = Object.keys((localizationSchema.patternProperties ?? {}) as object).map(
    (p) => new RegExp(p, 'u'),
  );
  return new Map(
    stringPaths(manifest).filter(([path]) => properties.includes(path) || patterns.some((p) => p.test(path))),
  );
}

/** Reads a JSON file of the package, or says why it cannot. */
function parseJson(files: ReadonlyMap<string, Uint8Array>, name: string, problems: string[]): unknown {
  const bytes = files.get(name);
  if (bytes === undefined) {
    problems.push(`${name} is missing from the package.`);
    return undefined;
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (e) {
    problems.push(`${name} is not valid JSON: ${(e as Error).message}`);
    return undefined;
  }
}

/** The icon rules Teams applies: sizes, and an outline that is white on transparent. */
async function iconProblems(
  manifest: ManifestFiles,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<string[]> {
  const { PNG } = await import('pngjs');
  const problems: string[] = [];
  const icons: [unknown, number, boolean][] = [
    [manifest.icons?.color, 192, false],
    [manifest.icons?.outline, 32, true],
  ];
  for (const [name, size, outline] of icons) {
    const bytes = typeof name === 'string' ? files.get(name) : undefined;
    if (bytes === undefined) continue; // reported as a missing file
    let png: InstanceType<typeof PNG>;
    try {
      png = PNG.sync.read(Buffer.from(bytes));
    } catch (e) {
      problems.push(`${String(name)} is not a PNG: ${(e as Error).message}`);
      continue;
    }
    if (png.width !== size || png.height !== size) {
      problems.push(`${String(name)} is ${png.width}×${png.height}; Teams wants ${size}×${size}.`);
    }
    if (outline) {
      const { data } = png;
      let transparent = 0;
      let other = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] === 0) transparent += 1;
        else if (data[i] !== 255 || data[i + 1] !== 255 || data[i + 2] !== 255) other += 1;
      }
      if (other > 0) problems.push(`${String(name)} has ${other} pixel(s) neither white nor transparent.`);
      if (transparent === 0) problems.push(`${String(name)} has no transparent pixel.`);
    }
  }
  return problems;
}

/**
 * Checks a package offline, as far as it can be without Teams: the manifest and each localization file
 * against their bundled schemas, the files the manifest names, placeholders left unfilled, the icons (sizes,
 * a white-on-transparent outline), and localization files that miss or add localizable strings.
 * Returns the problems, or none.
 */
export async function validateTeamsPackage(files: ReadonlyMap<string, Uint8Array>): Promise<string[]> {
  const problems: string[] = [];
  const manifest = parseJson(files, 'manifest.json', problems);
  if (manifest === undefined) return problems;
  for (const e of await validateAgainstBundledSchema(manifest)) problems.push(`manifest.json: ${e}`);
  let names: string[] = [];
  try {
    names = packageFileNames(manifest);
  } catch (e) {
    problems.push((e as Error).message);
  }
  for (const name of names) if (!files.has(name)) problems.push(`${name} is missing from the package.`);
  for (const [name, bytes] of files) {
    if (!name.endsWith('.json')) continue;
    const left = placeholdersIn(new TextDecoder().decode(bytes));
    if (left.length > 0) problems.push(`${name} still has placeholders: ${left.join(', ')}.`);
  }
  problems.push(...(await iconProblems(manifest as ManifestFiles, files)));

  const languages = (manifest as ManifestFiles).localizationInfo?.additionalLanguages ?? [];
  for (const { file } of languages) {
    if (typeof file !== 'string' || !files.has(file)) continue;
    const localized = parseJson(files, file, problems);
    if (localized === undefined) continue;
    for (const e of await validateAgainstBundledSchema(localized)) problems.push(`${file}: ${e}`);
    let schema: Record<string, unknown>;
    try {
      schema = loadBundledSchema((localized as { $schema?: unknown }).$schema);
    } catch {
      continue; // reported by the validation above
    }
    const expected = [...localizableStrings(manifest, schema).keys()];
    const keys = Object.keys(localized as object).filter((k) => k !== '$schema' && k !== 'localizationKeys');
    const missing = expected.filter((k) => !keys.includes(k));
    const extra = keys.filter((k) => !expected.includes(k));
    if (missing.length > 0) problems.push(`${file} does not translate: ${missing.join(', ')}.`);
    if (extra.length > 0)
      problems.push(`${file} translates strings the manifest does not have: ${extra.join(', ')}.`);
  }
  return problems;
}
