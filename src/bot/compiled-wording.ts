/**
 * The bot's strings compiled once, so that `tr.t(key, options)` costs a map lookup and a string concatenation.
 *
 * Why: every answer calls `t` dozens of times, and i18next does all its work again on each call (getFixedT's
 * copy of the options, translate, resolve, getResource, extendTranslation, the interpolation and nesting
 * regexes…): a CPU profile of the bot under load put it at about 20 % of the CPU of a turn, and one eligibility
 * answer (Contoso Ltd of the demo directory, 10,000 in a row) took 1.1–1.5 ms with i18next's `t` and 37–53 µs
 * with the compiled strings, in en, fr and ja alike. Measured again with bench/wording.ts: the answer's 58 `t()`
 * calls take 0.48 ms through i18next and 3 µs compiled; a whole turn on the TestAdapter 2.8 ms of CPU with
 * i18next's `t()` and 0.9 ms compiled. Call i18next directly again if i18next drops below a tenth of a turn.
 *
 * i18next stays the loader and the reference: the compiler reads the resources and the fallback languages from
 * an initialised i18next instance, renders only what it renders exactly as i18next would (lookup order of plural
 * and context forms, fallback language, `{{placeholder}}` interpolation with escapeValue false) and hands
 * everything else to i18next's own `t` for that language: a missing key, an object or array (`returnObjects`),
 * a string with nesting (`$t(…)`), formatting (`{{x, format}}`), unescaping (`{{- x}}`) or a data path
 * (`{{a.b}}`), any option i18next reads for itself (`lng`, `defaultValue`, `ordinal`, `replace`…), a count that
 * is neither a number nor a string, and any instance whose configuration differs from what this file knows (then `t` is simply
 * i18next's). test/i18n/compiled-wording.test.ts holds every string of every locale to i18next's output.
 *
 * The resources are read once: compile after they are loaded, and do not add resources afterwards.
 */
import type { i18n as I18n, TFunction } from 'i18next';

type Options = Readonly<Record<string, unknown>>;
type Render = (options: Options | undefined) => string;

/** Found something the compiled path does not render (an object, an array, nesting…): ask i18next. */
const I18NEXT = Symbol('i18next');
type Leaf = Render | typeof I18NEXT;

/**
 * The options i18next reads for itself, besides `count` and `context` (grep `opt.` in i18next's Translator and
 * Interpolator, and getFixedT's `o.`); `defaultValue…` (`defaultValue_one`…) is matched as a prefix.
 */
const I18NEXT_OPTIONS: ReadonlySet<string> = new Set([
  'lng',
  'lngs',
  'ns',
  'keyPrefix',
  'fallbackLng',
  'returnObjects',
  'returnDetails',
  'joinArrays',
  'keySeparator',
  'nsSeparator',
  'ignoreJSONStructure',
  'interpolation',
  'replace',
  'skipInterpolation',
  'nest',
  'postProcess',
  'applyPostProcessor',
  'ordinal',
  'missingInterpolationHandler',
  'missingKeyNoValueFallbackToKey',
  'appendNamespaceToCIMode',
]);

/** Variables getFixedT puts into the options, hence into the interpolation data, on every call. */
const FIXED_T_VARIABLES: ReadonlySet<string> = new Set(['lng', 'lngs', 'ns', 'keyPrefix']);

/** i18next's placeholder regex for the default `{{` `}}` (Interpolator.resetRegExp). */
const PLACEHOLDER = /\{\{(.+?)\}\}/g;
/** Placeholder names the compiled path looks up itself: a plain own property of the options. */
const PLAIN_NAME = /^[A-Za-z0-9_$]+$/;

const isEnumerableOwn = Object.prototype.propertyIsEnumerable;

/** The value i18next writes for `{{name}}`: own property of the (copied) options, else the placeholder itself. */
function valueOf(options: Options | undefined, name: string, placeholder: string): string {
  if (options === undefined || !isEnumerableOwn.call(options, name)) return placeholder;
  const value = options[name];
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : String(value);
}

/**
 * One string as a function of the options: its literal parts and placeholders, split once with i18next's own
 * regex; with escapeValue false and skipOnVariables, i18next replaces each placeholder in turn and never
 * rescans what it wrote, so the result is the parts joined with the values.
 */
function compileString(text: string): Leaf {
  // Nesting and unescaped placeholders start with these; a string without them has neither.
  if (text.includes('$t(') || text.includes('{{-')) return I18NEXT;
  const literals: string[] = [];
  const names: string[] = [];
  const placeholders: string[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = (match[1] as string).trim();
    if (!PLAIN_NAME.test(name) || FIXED_T_VARIABLES.has(name) || name in Object.prototype) return I18NEXT;
    literals.push(text.slice(last, match.index));
    names.push(name);
    placeholders.push(match[0]);
    last = match.index + match[0].length;
  }
  if (names.length === 0) return () => text;
  if (names.length >= 1000) return I18NEXT; // i18next's maxReplaces
  literals.push(text.slice(last));
  const first = literals[0] as string;
  if (names.length === 1) {
    const [name, placeholder, after] = [names[0] as string, placeholders[0] as string, literals[1] as string];
    return (options) => first + valueOf(options, name, placeholder) + after;
  }
  return (options) => {
    let out = first;
    for (let i = 0; i < names.length; i++) {
      out += valueOf(options, names[i] as string, placeholders[i] as string) + (literals[i + 1] as string);
    }
    return out;
  };
}

/**
 * Every key path of a resource bundle, as i18next's getResource finds it, to its leaf. Returns false for
 * property names that i18next would read differently from a plain path (`.`, `###`, `:` in them).
 */
function flatten(node: unknown, path: string, out: Map<string, Leaf>): boolean {
  if (node === null || node === undefined) return true; // null is not a valid lookup (returnNull: false)
  if (typeof node === 'string') {
    out.set(path, compileString(node));
    return true;
  }
  out.set(path, I18NEXT);
  if (typeof node !== 'object') return true;
  const prefix = path === '' ? '' : `${path}.`;
  if (Array.isArray(node)) out.set(`${prefix}length`, I18NEXT);
  for (const [name, child] of Object.entries(node)) {
    if (name.includes('.') || name.includes('#') || name.includes(':')) return false;
    if (!flatten(child, `${prefix}${name}`, out)) return false;
  }
  return true;
}

interface LanguageUtils {
  toResolveHierarchy(code: string): string[];
}

/** Whether the instance is configured as this file assumes (the defaults, escapeValue false). */
function supported(i18n: I18n): boolean {
  const o = i18n.options as Record<string, unknown>;
  const ip = (o.interpolation ?? {}) as Record<string, unknown>;
  const handler = o.overloadTranslationOptionHandler;
  const defaultNS = o.defaultNS;
  return (
    i18n.isInitialized &&
    o.keySeparator === '.' &&
    o.nsSeparator === ':' &&
    o.pluralSeparator === '_' &&
    o.contextSeparator === '_' &&
    o.returnNull === false &&
    o.returnEmptyString === true &&
    o.returnObjects === false &&
    o.joinArrays === false &&
    (o.ignoreJSONStructure ?? true) === true &&
    !o.fallbackNS &&
    typeof o.fallbackLng !== 'function' &&
    (!o.postProcess || (Array.isArray(o.postProcess) && o.postProcess.length === 0)) &&
    !o.missingInterpolationHandler &&
    (typeof defaultNS === 'string' || (Array.isArray(defaultNS) && defaultNS.length === 1)) &&
    !i18n.services.i18nFormat &&
    typeof (i18n.services.languageUtils as Partial<LanguageUtils> | undefined)?.toResolveHierarchy ===
      'function' &&
    // getFixedT turns "no options" into the handler's answer: it must be no option at all.
    typeof handler === 'function' &&
    Object.keys((handler as (args: unknown[]) => object)(['key', undefined])).length === 0 &&
    ip.escapeValue === false &&
    ip.skipOnVariables === true &&
    !ip.alwaysFormat &&
    !ip.useRawValueToEscape &&
    ip.defaultVariables === undefined &&
    ip.prefix === '{{' &&
    ip.suffix === '}}' &&
    ip.prefixEscaped === undefined &&
    ip.suffixEscaped === undefined &&
    ip.unescapePrefix === '-' &&
    ip.unescapeSuffix === undefined &&
    ip.nestingPrefix === '$t(' &&
    ip.nestingSuffix === ')' &&
    ip.nestingPrefixEscaped === undefined &&
    ip.nestingSuffixEscaped === undefined &&
    ip.formatSeparator === ','
  );
}

/** i18next's plural rule for a language code (PluralResolver.getRule), or undefined if Intl has none. */
function pluralRules(code: string): Intl.PluralRules | undefined {
  try {
    return new Intl.PluralRules((code === 'dev' ? 'en' : code).replace(/_/g, '-'), { type: 'cardinal' });
  } catch {
    return undefined;
  }
}

/** One language of the fallback chain: its strings and its plural suffixes. */
interface Code {
  readonly strings: ReadonlyMap<string, Leaf>;
  /** `_one`, `_other`… as i18next's getSuffix gives it for a count. */
  suffix(count: number): string;
}

function codeOf(strings: ReadonlyMap<string, Leaf>, rules: Intl.PluralRules): Code {
  const small = Array.from({ length: 128 }, (_, n) => `_${rules.select(n)}`);
  return {
    strings,
    suffix: (count) =>
      Number.isInteger(count) && count >= 0 && count < small.length && !Object.is(count, -0)
        ? (small[count] as string)
        : `_${rules.select(count)}`,
  };
}

/**
 * i18next's resolve() for one key: in each language of the chain, the context and plural forms before the key
 * itself (context+zero, context+plural, context, zero, plural, key), the first one found wins.
 */
function resolve(
  codes: readonly Code[],
  key: string,
  count: number | undefined,
  context: string | undefined,
) {
  for (const code of codes) {
    const strings = code.strings;
    const suffix = count === undefined ? '' : code.suffix(count);
    let leaf: Leaf | undefined;
    if (context !== undefined) {
      const contextKey = `${key}_${context}`;
      if (count === 0) leaf = strings.get(`${contextKey}_zero`);
      if (leaf === undefined && count !== undefined) leaf = strings.get(contextKey + suffix);
      if (leaf === undefined) leaf = strings.get(contextKey);
    }
    if (leaf === undefined && count === 0) leaf = strings.get(`${key}_zero`);
    if (leaf === undefined && count !== undefined) leaf = strings.get(key + suffix);
    if (leaf === undefined) leaf = strings.get(key);
    if (leaf !== undefined) return leaf;
  }
  return undefined;
}

/**
 * `t` for one language of an initialised i18next instance: i18next's `getFixedT(language)`, with the strings
 * compiled. Same type, same results; what it does not render itself it hands to that fixedT.
 */
export function compileT(i18n: I18n, language: string): TFunction {
  const fixedT = i18n.getFixedT(language);
  if (!supported(i18n) || language.toLowerCase() === 'cimode') return fixedT;
  const ns = i18n.options.defaultNS as string | readonly string[];
  const namespace = typeof ns === 'string' ? ns : (ns[0] as string);
  const codes: Code[] = [];
  for (const code of (i18n.services.languageUtils as LanguageUtils).toResolveHierarchy(language)) {
    const rules = pluralRules(code);
    const strings = new Map<string, Leaf>();
    if (rules === undefined || !flatten(i18n.getResourceBundle(code, namespace), '', strings)) return fixedT;
    codes.push(codeOf(strings, rules));
  }
  // Without count and context, a key resolves to the same leaf every time.
  const plain = new Map<string, Leaf>();
  for (const code of [...codes].reverse()) for (const [key, leaf] of code.strings) plain.set(key, leaf);

  const delegate = fixedT as unknown as (...args: unknown[]) => unknown;
  const t = (key: unknown, options?: unknown, ...rest: unknown[]): unknown => {
    // i18next never looks the empty key up itself (resolve() stops at it): leave it to i18next too.
    if (typeof key !== 'string' || key === '' || rest.length > 0) return delegate(key, options, ...rest);
    let leaf: Leaf | undefined;
    if (options === undefined) {
      leaf = plain.get(key);
    } else {
      if (typeof options !== 'object' || options === null) return delegate(key, options);
      const opts = options as Options;
      for (const name in opts) {
        if (I18NEXT_OPTIONS.has(name) || name.startsWith('defaultValue')) return delegate(key, options);
      }
      // Read as i18next reads its copy of the options: own enumerable properties. A string count is no plural.
      const given = isEnumerableOwn.call(opts, 'count') ? opts.count : undefined;
      const count = typeof given === 'string' ? undefined : given;
      const context = isEnumerableOwn.call(opts, 'context') ? opts.context : undefined;
      if (count !== undefined && typeof count !== 'number') return delegate(key, options);
      const hasContext = (typeof context === 'string' && context !== '') || typeof context === 'number';
      leaf =
        count === undefined && !hasContext
          ? plain.get(key)
          : resolve(
              codes,
              key,
              count as number | undefined,
              hasContext ? `${context as string | number}` : undefined,
            );
    }
    if (leaf === undefined || leaf === I18NEXT) return delegate(key, options);
    return leaf(options as Options | undefined);
  };
  return t as unknown as TFunction;
}
