/**
 * Reading a directory file (docs/directory-format.md). A bad file stops the bot with a `DirectoryError`
 * whose message names the file, the customer, the subscription, the field and what is wrong, one line per
 * problem.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { z } from 'zod';
import { OFFER_IDS, SERVICE_KEYS, type Customer } from '../rules/index.js';
import { PROJECT_ROOT } from '../paths.js';
import { DirectoryFileSchema } from './schema.js';

export interface DirectoryData {
  readonly partner: { readonly name: string };
  readonly customers: Customer[];
}

/** At most this many problems are listed; the rest are counted. */
const MAX_PROBLEMS = 50;

export class DirectoryError extends Error {
  /** The file (or other source) the directory came from. */
  readonly source: string;
  /** Each problem, without the source prefix. */
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    const shown = problems.slice(0, MAX_PROBLEMS).map((p) => `${source}: ${p}`);
    if (problems.length > MAX_PROBLEMS) {
      shown.push(`${source}: … and ${problems.length - MAX_PROBLEMS} more problems`);
    }
    super(shown.join('\n'));
    this.name = 'DirectoryError';
    this.source = source;
    this.problems = problems;
  }
}

/** Validates parsed JSON as a directory; `source` names it in error messages (usually the file path). */
export function parseDirectory(json: unknown, source: string): DirectoryData {
  const result = DirectoryFileSchema.safeParse(json);
  if (!result.success) {
    throw new DirectoryError(
      source,
      result.error.issues.flatMap((issue) => describeIssue(json, issue)),
    );
  }
  return result.data;
}

/** Parses the text of a directory file; invalid JSON gives a `DirectoryError` too. */
export function parseDirectoryText(text: string, source: string): DirectoryData {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim().length === 0) {
    throw new DirectoryError(source, ['the file is empty (expected a JSON object)']);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new DirectoryError(source, [`not valid JSON: ${jsonErrorText(error, body)}`]);
  }
  return parseDirectory(json, source);
}

/** Reads and validates a directory file. */
export function loadDirectoryFile(path: string): DirectoryData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DirectoryError(path, [`cannot read the directory file (${errorMessage(error)})`]);
  }
  return parseDirectoryText(text, path);
}

/** The embedded demo directory that ships with the project. */
export const DEMO_DIRECTORY_PATH: string = join(PROJECT_ROOT, 'data', 'demo-directory.json');

export function loadDemoDirectory(): DirectoryData {
  return loadDirectoryFile(DEMO_DIRECTORY_PATH);
}

// ---------------------------------------------------------------------------------------------------------
// Error messages

type Path = readonly PropertyKey[];

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** V8 does not always say where JSON goes wrong: jsonc-parser (VS Code's JSON parser) does. */
function jsonErrorText(error: unknown, text: string): string {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  // V8's message may quote a stretch of the file, newlines included: keep it on one line.
  if (first === undefined) return errorMessage(error).replace(/\s*\n\s*/g, ' ');
  const before = text.slice(0, first.offset).split('\n');
  const column = (before[before.length - 1] ?? '').length + 1;
  return `${printParseErrorCode(first.error)} at line ${before.length}, column ${column}`;
}

function valueAt(root: unknown, path: Path): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function fieldPath(path: Path): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function nonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

interface Location {
  /** "customer "Contoso Ltd" (customers[0]), subscription "sub-001"", or '' at the top level. */
  readonly context: string;
  /** The field path inside the innermost entity, '' for the entity itself. */
  readonly field: string;
  /** How to call the entity itself when the problem is with it as a whole. */
  readonly entity: string;
}

function locate(root: unknown, path: Path): Location {
  const [top, c, sub, s] = path;
  if (top !== 'customers' || typeof c !== 'number') {
    return { context: '', field: fieldPath(path), entity: 'the file' };
  }
  const customer = valueAt(root, ['customers', c]);
  const name = valueAt(customer, ['companyProfile', 'companyName']);
  const id = valueAt(customer, ['id']);
  const customerText = nonBlank(name)
    ? `customer "${name}" (customers[${c}])`
    : nonBlank(id)
      ? `customer customers[${c}] (id "${id}")`
      : `customer customers[${c}]`;
  if (sub !== 'subscriptions' || typeof s !== 'number') {
    return { context: customerText, field: fieldPath(locatePath(path)), entity: 'the customer' };
  }
  const subId = valueAt(customer, ['subscriptions', s, 'id']);
  const subscriptionText = nonBlank(subId) ? `subscription "${subId}"` : `subscription subscriptions[${s}]`;
  return {
    context: `${customerText}, ${subscriptionText}`,
    field: fieldPath(locatePath(path)),
    entity: 'the subscription',
  };
}

const TYPE_NAMES: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list (JSON array)',
};

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

function sameSet(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function describeIssue(root: unknown, issue: z.core.$ZodIssue): string[] {
  const { context, field, entity } = locate(root, issue.path);
  const prefix = context === '' ? '' : `${context}: `;
  const subject = field === '' ? entity : field;
  const value = valueAt(root, issue.path);
  const line = (problem: string): string => `${prefix}${problem}`;

  switch (issue.code) {
    case 'invalid_type': {
      if (value === undefined) return [line(`${subject} is missing`)];
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return [line(`${subject} must be ${expected}, got ${describeValue(value)}`)];
    }
    case 'invalid_value': {
      const shown = JSON.stringify(value) ?? String(value);
      if (sameSet(issue.values, OFFER_IDS)) return [line(`${subject} ${shown} is not a catalog offer id`)];
      if (sameSet(issue.values, SERVICE_KEYS)) {
        return [line(`${subject} ${shown} is not a service key (one of ${SERVICE_KEYS.join(', ')})`)];
      }
      return [line(`${subject} ${shown} is not one of ${issue.values.map((v) => String(v)).join(', ')}`)];
    }
    case 'too_small':
      if (issue.origin === 'number') {
        return [line(`${subject} must be ${String(issue.minimum)} or more, got ${describeValue(value)}`)];
      }
      return [line(`${subject}: ${issue.message}`)];
    case 'unrecognized_keys':
      return issue.keys.map((key) =>
        line(`unknown field "${fieldPath([...locatePath(issue.path), key])}" (check its spelling)`),
      );
    case 'custom':
      return [line(`${subject} ${issue.message}`)];
    case 'invalid_union': {
      // `delegatedAdmin` is a list or "unknown": when the value got past one branch's type check (a list), that
      // branch's problems say what is wrong inside it; otherwise it is neither.
      const inner = issue.errors.find((errors) => errors.every((e) => e.path.length > 0));
      if (inner !== undefined) {
        return inner.flatMap((e) => describeIssue(root, { ...e, path: [...issue.path, ...e.path] }));
      }
      return [line(`${subject} must be a list or "unknown", got ${describeValue(value)}`)];
    }
    default:
      return [line(`${subject}: ${issue.message}`)];
  }
}

/** The part of a path below its customer / subscription (what `locate` calls the field). */
function locatePath(path: Path): Path {
  const [top, c, sub, s] = path;
  if (top !== 'customers' || typeof c !== 'number') return path;
  if (sub !== 'subscriptions' || typeof s !== 'number') return path.slice(2);
  return path.slice(4);
}
