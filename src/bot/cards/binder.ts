/**
 * A compiled binder for the Adaptive Card templates in `cards/`: the template is walked once, at start-up, into
 * closures, and each card is then bound to its data without adaptivecards-templating at run time.
 *
 * Why: adaptivecards-templating re-walks the template and evaluates every `${…}` through adaptive-expressions on
 * each card — about 340 µs per card under load (60–150 µs at rest) plus the garbage of its evaluation — and
 * loading it (adaptive-expressions, antlr4ts, lodash, dayjs, xmldom…) adds about 0.4 s and some 15 MB of heap
 * to the bot's start-up. The compiled binder makes the same cards 8–12 times faster (6–17 µs per card at rest;
 * 342 → 31 µs under load) and has no dependency.
 *
 * It supports exactly the subset of the templating language the templates use, with the library's semantics
 * (adaptivecards-templating 2.3.1 over adaptive-expressions 4.x), reproduced byte for byte:
 * - `"${path}"` as the whole string: the value with its type (number, boolean, object, array, null); a
 *   missing value gives the text `${path}` back, as the library does.
 * - `"text ${path} text"`: the values stringified (`toString()`) into the text; a missing value gives `${path}`;
 *   a null value throws, as the library does.
 * - A path is `name(.name)*` from the current `$data`, or from `$root`, `$data` or `$index`; names are looked up
 *   case-insensitively, the first matching key winning, as adaptive-expressions does.
 * - `"$data": "${path}"`: an array repeats the element once per item (`$index` set, an empty array drops it);
 *   anything else becomes the element's `$data`. `$root` stays reachable.
 * - `"$when": "${expression}"`: the element is kept only if the expression is the boolean `true`. Expressions are
 *   paths, 'string' / "string" / number / true / false / null literals, `count(path)`, `!`, `&&`, `||`,
 *   `==` and `!=` (one side a literal), `<`, `<=`, `>`, `>=`, and parentheses — with adaptive-expressions'
 *   precedence, error and truthiness rules (an error, such as comparing a number with a string, is false).
 * - Arrays drop null items and flatten array items, reserved keys (`$data`, `$when`, `$root`, `$index`, `$host`,
 *   `$_acTemplateVersion`) are left out, and every other value is copied as is.
 * Anything else — another function or operator, a `${…}` it cannot read, a literal where a path is expected, a
 * backslash or backtick next to a `${…}`, an unsupported `$data` or `$when` — throws when the template is
 * compiled, naming the template, the place in it and the expression, so that a Designer edit using a new feature
 * fails loudly at start-up and in the tests, never silently.
 *
 * The data must be plain JSON values (objects, arrays, strings, numbers, booleans, null), as the card data is.
 * adaptivecards-templating stays the reference: test/cards-binder.test.ts checks that every card the bot makes,
 * and generated templates and data, expand exactly as the library expands them.
 */

/** What a compiled template makes: the expanded card, for a data object bound as `$root`. */
export type CompiledTemplate = (data: unknown) => unknown;

/** The evaluation scope: the template's data, the current `$data` and the current `$index`. */
interface Scope {
  readonly root: unknown;
  readonly data: unknown;
  readonly index: unknown;
}

type Node = (scope: Scope) => unknown;

/** An evaluation error of adaptive-expressions, which `$when` and the operators turn into values. */
const ERROR: unique symbol = Symbol('error');
/** A compiled expression: its value, or ERROR. */
type Expr = (scope: Scope) => unknown;

const RESERVED = new Set(['$data', '$when', '$root', '$index', '$host', '$_acTemplateVersion']);

/** A template compile error, naming the template, the place in it and the expression. */
export class TemplateCompileError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'TemplateCompileError';
  }
}

/**
 * Compiles a template (the parsed JSON of a `cards/*.json` file) into a function of its data; `name` (the file)
 * prefixes compile errors.
 */
export function compileTemplate(template: unknown, name = 'template'): CompiledTemplate {
  const node = compileNode(template, { name, path: '' });
  return (data) => node({ root: data, data, index: undefined });
}

interface At {
  readonly name: string;
  /** Where in the template, e.g. `body[2].items[0].text`. */
  readonly path: string;
}

function where(at: At): string {
  return `${at.name} at ${at.path === '' ? '(root)' : at.path}`;
}

function child(at: At, key: string | number): At {
  if (typeof key === 'number') return { name: at.name, path: `${at.path}[${key}]` };
  return { name: at.name, path: at.path === '' ? key : `${at.path}.${key}` };
}

function compileNode(node: unknown, at: At): Node {
  if (typeof node === 'string') return compileString(node, at);
  if (Array.isArray(node)) return compileArray(node, at);
  if (node !== null && typeof node === 'object') return compileObject(node as Record<string, unknown>, at);
  if (node === null || typeof node === 'number' || typeof node === 'boolean') return () => node;
  throw new TemplateCompileError(where(at), `unsupported value of type ${typeof node}`);
}

/** The library's array expansion: null items are dropped and array items (repeated elements) spliced in. */
function compileArray(items: readonly unknown[], at: At): Node {
  const nodes = items.map((item, i) => compileNode(item, child(at, i)));
  return (scope) => {
    const out: unknown[] = [];
    for (const node of nodes) {
      const value = node(scope);
      if (value === null) continue;
      if (Array.isArray(value)) for (const v of value) out.push(v);
      else out.push(value);
    }
    return out;
  };
}

function compileObject(object: Record<string, unknown>, at: At): Node {
  const keys: string[] = [];
  const nodes: Node[] = [];
  for (const [key, value] of Object.entries(object)) {
    if (key === '__proto__')
      throw new TemplateCompileError(where(child(at, key)), 'unsupported key __proto__');
    if (RESERVED.has(key)) continue;
    keys.push(key);
    nodes.push(compileNode(value, child(at, key)));
  }
  const build = (scope: Scope): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const value = nodes[i]!(scope);
      if (value !== undefined) out[keys[i]!] = value;
    }
    return out;
  };
  const when = '$when' in object ? compileWhen(object.$when, child(at, '$when')) : undefined;
  const data = '$data' in object ? compileData(object.$data, child(at, '$data')) : undefined;
  if (data === undefined) {
    if (when === undefined) return build;
    return (scope) => (when(scope) ? build(scope) : null);
  }
  // As the library: each item becomes `$data` (an undefined item keeps the previous one), `$when` is asked per
  // item, and the result is null (none), the object (one) or an array of them (more), spliced into an array.
  return (scope) => {
    const context = data(scope);
    if (!Array.isArray(context)) {
      const inner: Scope =
        context === undefined ? scope : { root: scope.root, data: context, index: scope.index };
      return when === undefined || when(inner) ? build(inner) : null;
    }
    const out: Record<string, unknown>[] = [];
    let current = scope.data;
    for (let i = 0; i < context.length; i++) {
      const item: unknown = context[i];
      if (item !== undefined) current = item;
      const inner: Scope = { root: scope.root, data: current, index: i };
      if (when === undefined || when(inner)) out.push(build(inner));
    }
    return out.length === 0 ? null : out.length === 1 ? out[0] : out;
  };
}

function compileData(value: unknown, at: At): Node {
  const expression = wholeExpression(value, at, '$data');
  return valueOfPath(expectPath(parseExpression(expression, at), expression, at));
}

function compileWhen(value: unknown, at: At): (scope: Scope) => boolean {
  const expression = wholeExpression(value, at, '$when');
  const ast = parseExpression(expression, at);
  if (ast.kind === 'literal') {
    // The library evaluates `${true}` as the text "true", never a boolean: such a `$when` is always false.
    throw new TemplateCompileError(where(at), `unsupported literal $when "\${${expression}}"`);
  }
  const evaluate = compileExpr(ast);
  return (scope) => evaluate(scope) === true;
}

/** The expression of a `"${…}"` string that is nothing else; throws for anything else. */
function wholeExpression(value: unknown, at: At, key: string): string {
  if (typeof value === 'string') {
    const parts = splitInterpolated(value, at);
    const only = parts[0];
    if (parts.length === 1 && only !== undefined && typeof only !== 'string') return only.expression;
  }
  throw new TemplateCompileError(
    where(at),
    `unsupported ${key} ${JSON.stringify(value)}: only a single "\${…}" is supported`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Strings with ${…}

interface Template {
  readonly expression: string;
}

/**
 * Splits a string into literal text and `${…}` templates, as adaptive-expressions' string interpolation lexes
 * it; throws for what it cannot be sure to read the same way (backslashes and backticks, which the library
 * treats as escapes and delimiters, and an unclosed `${`).
 */
function splitInterpolated(text: string, at: At): (string | Template)[] {
  const parts: (string | Template)[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '$' && text[i + 1] === '{') {
      let j = i + 2;
      let end = -1;
      while (j < text.length) {
        const d = text[j]!;
        if (d === '}') {
          end = j;
          break;
        }
        if (d === "'" || d === '"') {
          const close = text.indexOf(d, j + 1);
          if (close < 0) break;
          j = close + 1;
          continue;
        }
        if (d === '{' || d === '`' || d === '\\' || d === '\n' || d === '\r') break;
        j++;
      }
      if (end < 0) {
        throw new TemplateCompileError(where(at), `unsupported or unclosed "\${" in ${JSON.stringify(text)}`);
      }
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push({ expression: text.slice(i + 2, end).trim() });
      i = end + 1;
      continue;
    }
    if (c === '`' || c === '\\') {
      throw new TemplateCompileError(
        where(at),
        `unsupported ${c === '`' ? 'backtick' : 'backslash'} in ${JSON.stringify(text)}`,
      );
    }
    literal += c;
    i++;
  }
  if (literal !== '') parts.push(literal);
  return parts;
}

function compileString(text: string, at: At): Node {
  if (!text.includes('${')) return () => text;
  const parts = splitInterpolated(text, at);
  const first = parts[0];
  if (parts.length === 1 && first !== undefined && typeof first !== 'string') {
    // The whole string is one `${path}`: the value keeps its type.
    return valueOfPath(expectPath(parseExpression(first.expression, at), first.expression, at));
  }
  const pieces = parts.map((part): string | Node =>
    typeof part === 'string'
      ? part
      : valueOfPath(expectPath(parseExpression(part.expression, at), part.expression, at)),
  );
  return (scope) => {
    let out = '';
    for (const piece of pieces) {
      if (typeof piece === 'string') out += piece;
      // As the library: toString() of the value, so a null value throws a TypeError.
      else out += (piece(scope) as { toString(): string }).toString();
    }
    return out;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Expressions

type Ast =
  | {
      readonly kind: 'path';
      readonly base: '$data' | '$root' | '$index';
      /** The names after the base. */
      readonly names: readonly string[];
      /** The path as written (without spaces): `$root.a.b`, `$data.a`, `a.b`. */
      readonly text: string;
    }
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'count'; readonly arg: Ast }
  | { readonly kind: 'not'; readonly arg: Ast }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Ast; readonly right: Ast };

type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=';

type Token =
  | { readonly kind: 'name'; readonly text: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'op'; readonly text: string };

const OPERATORS = ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '.', ','];

function tokenize(expression: string, fail: (why: string) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const rest = expression.slice(i);
    const space = /^[ \t\u00a0\ufeff]+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const name = /^\$?[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (name) {
      tokens.push({ kind: 'name', text: name[0] });
      i += name[0].length;
      continue;
    }
    const number = /^[0-9]+(\.[0-9]+)?/.exec(rest);
    if (number) {
      if (/^[A-Za-z_$]/.test(rest.slice(number[0].length))) fail(`unsupported token ${JSON.stringify(rest)}`);
      tokens.push({ kind: 'number', value: parseFloat(number[0]) });
      i += number[0].length;
      continue;
    }
    const quote = rest[0];
    if (quote === "'" || quote === '"') {
      const close = rest.indexOf(quote, 1);
      const value = close < 0 ? '' : rest.slice(1, close);
      if (close < 0 || /[\\`{}\r\n]/.test(value)) fail(`unsupported string ${JSON.stringify(rest)}`);
      tokens.push({ kind: 'string', value });
      i += close + 1;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op === undefined || (op === '<' && rest.startsWith('<>'))) {
      fail(`unsupported operator or character ${JSON.stringify(rest[0])}`);
    }
    tokens.push({ kind: 'op', text: op });
    i += op.length;
  }
  return tokens;
}

/**
 * Parses an expression with adaptive-expressions' precedence, loosest first: `||`, `&&`, `< <= > >=`,
 * `== !=`, prefix `!`; all left-associative.
 */
function parseExpression(expression: string, at: At): Ast {
  const fail = (why: string): never => {
    throw new TemplateCompileError(where(at), `${why} in "\${${expression}}"`);
  };
  const tokens = tokenize(expression, fail);
  let pos = 0;
  const peekOp = (): string | undefined => {
    const t = tokens[pos];
    return t?.kind === 'op' ? t.text : undefined;
  };
  const expectOp = (text: string): void => {
    if (peekOp() !== text) fail(`expected "${text}"`);
    pos++;
  };
  const binary = (ops: readonly BinaryOp[], next: () => Ast) => (): Ast => {
    let left = next();
    for (;;) {
      const op = peekOp();
      if (op === undefined || !(ops as readonly string[]).includes(op)) return left;
      pos++;
      const right = next();
      if ((op === '==' || op === '!=') && left.kind !== 'literal' && right.kind !== 'literal') {
        fail(`unsupported "${op}" between two non-literals`);
      }
      left = { kind: 'binary', op: op as BinaryOp, left, right };
    }
  };
  const primary = (): Ast => {
    const t = tokens[pos++];
    if (t === undefined) return fail('unexpected end');
    if (t.kind === 'number' || t.kind === 'string') return { kind: 'literal', value: t.value };
    if (t.kind === 'op') {
      if (t.text !== '(') return fail(`unexpected "${t.text}"`);
      const inner = or();
      expectOp(')');
      return inner;
    }
    if (peekOp() === '(') {
      if (t.text !== 'count') return fail(`unsupported function ${t.text}()`);
      pos++;
      const arg = or();
      expectOp(')');
      if (arg.kind !== 'path') fail('count() supports only a path');
      return { kind: 'count', arg };
    }
    if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true' };
    if (t.text === 'null') return { kind: 'literal', value: null };
    if (t.text === 'undefined') return fail('unsupported undefined');
    let base: '$data' | '$root' | '$index' = '$data';
    const names: string[] = [];
    if (t.text.startsWith('$')) {
      if (t.text !== '$root' && t.text !== '$data' && t.text !== '$index') fail(`unsupported ${t.text}`);
      base = t.text as '$data' | '$root' | '$index';
    } else {
      names.push(t.text);
    }
    while (peekOp() === '.') {
      pos++;
      const next = tokens[pos++];
      if (next?.kind !== 'name' || next.text.startsWith('$')) return fail('expected a name after "."');
      names.push(next.text);
    }
    const written = t.text.startsWith('$') ? [t.text, ...names] : names;
    return { kind: 'path', base, names, text: written.join('.') };
  };
  const unary = (): Ast => {
    if (peekOp() === '!') {
      pos++;
      return { kind: 'not', arg: unary() };
    }
    return primary();
  };
  const equality = binary(['==', '!='], unary);
  const relational = binary(['<', '<=', '>', '>='], equality);
  const and = binary(['&&'], relational);
  const or = binary(['||'], and);
  const ast = or();
  if (pos !== tokens.length) fail('unexpected text');
  return ast;
}

type PathAst = Extract<Ast, { kind: 'path' }>;

function expectPath(ast: Ast, expression: string, at: At): PathAst {
  if (ast.kind !== 'path') {
    throw new TemplateCompileError(
      where(at),
      `unsupported "\${${expression}}": only a data path is supported here`,
    );
  }
  return ast;
}

/** adaptive-expressions' property access: the first key equal ignoring case; nothing on a falsy value. */
function property(instance: unknown, name: string, lower: string): unknown {
  if (!instance || typeof instance !== 'object') return undefined;
  for (const key of Object.keys(instance)) {
    // A key that lower-cases to the ASCII `lower` has its length.
    if (key === name || (key.length === name.length && key.toLowerCase() === lower)) {
      return (instance as Record<string, unknown>)[key];
    }
  }
  return undefined;
}

/** The value at the path, undefined when missing. */
function compilePath(path: PathAst): (scope: Scope) => unknown {
  const names = path.names;
  const lowers = names.map((n) => n.toLowerCase());
  const base =
    path.base === '$root'
      ? (s: Scope) => s.root
      : path.base === '$index'
        ? (s: Scope) => s.index
        : (s: Scope) => s.data;
  if (names.length === 1) {
    const [name, lower] = [names[0]!, lowers[0]!];
    return (scope) => property(base(scope), name, lower);
  }
  return (scope) => {
    let value = base(scope);
    for (let i = 0; i < names.length; i++) value = property(value, names[i]!, lowers[i]!);
    return value;
  };
}

/** A path's value as a value: a missing one is the text `${path}`, as the library substitutes it. */
function valueOfPath(path: PathAst): Node {
  const get = compilePath(path);
  const text = `\${${path.text}}`;
  return (scope) => {
    const value = get(scope);
    return value === undefined ? text : value;
  };
}

/** adaptive-expressions' truthiness: false, null and undefined are false; everything else, '' and 0 too, true. */
function isLogicTrue(value: unknown): boolean {
  return typeof value === 'boolean' ? value : value !== null && value !== undefined;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && !Number.isNaN(value);
}

/** adaptive-expressions' `==` when one side is a literal (string, number, boolean or null). */
function equalsLiteral(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) {
    return (a === null || a === undefined) && (b === null || b === undefined);
  }
  if (isNumber(a) && isNumber(b) && Math.abs(a - b) < Number.EPSILON) return true;
  return a === b;
}

function compare(op: '<' | '<=' | '>' | '>=', a: unknown, b: unknown): boolean | typeof ERROR {
  const comparable =
    (isNumber(a) && isNumber(b)) ||
    (typeof a === 'string' && typeof b === 'string') ||
    (a instanceof Date && b instanceof Date);
  if (!comparable) return ERROR;
  const [x, y] = [a as number, b as number];
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

/** An expression as adaptive-expressions evaluates it without null substitution (as `$when` is). */
function compileExpr(ast: Ast): Expr {
  switch (ast.kind) {
    case 'literal': {
      const value = ast.value;
      return () => value;
    }
    case 'path':
      return compilePath(ast);
    case 'count': {
      const get = compilePath(ast.arg as PathAst);
      return (scope) => {
        const value = get(scope);
        if (typeof value === 'string' || Array.isArray(value)) return value.length;
        if (value !== null && typeof value === 'object') return Object.keys(value).length;
        return ERROR;
      };
    }
    case 'not': {
      const arg = compileExpr(ast.arg);
      return (scope) => {
        const value = arg(scope);
        return value === ERROR ? true : !isLogicTrue(value);
      };
    }
    case 'binary': {
      const left = compileExpr(ast.left);
      const right = compileExpr(ast.right);
      const op = ast.op;
      switch (op) {
        case '&&':
          return (scope) => {
            const a = left(scope);
            if (a === ERROR || !isLogicTrue(a)) return false;
            const b = right(scope);
            return b !== ERROR && isLogicTrue(b);
          };
        case '||':
          return (scope) => {
            const a = left(scope);
            if (a !== ERROR && isLogicTrue(a)) return true;
            const b = right(scope);
            return b !== ERROR && isLogicTrue(b);
          };
        case '==':
        case '!=':
          // An operand's error makes the comparison false, `!=` included.
          return (scope) => {
            const a = left(scope);
            if (a === ERROR) return false;
            const b = right(scope);
            if (b === ERROR) return false;
            return equalsLiteral(a, b) === (op === '==');
          };
        default:
          // An operand's error or null makes the comparison false; incomparable operands are an error.
          return (scope) => {
            const a = left(scope);
            if (a === ERROR || a === null || a === undefined) return false;
            const b = right(scope);
            if (b === ERROR || b === null || b === undefined) return false;
            return compare(op, a, b);
          };
      }
    }
  }
}
