/**
 * The built-in template filters (`{{ name|upper }}`, `{{ items|join(", ") }}`), with Jinja's
 * names, parameters and semantics unless a comment says otherwise, plus {@link getAttr}, the one
 * attribute lookup that templates use (no prototype access).
 *
 * Conventions every filter follows:
 * - `undefined` and the {@link Undefined} sentinel are the same thing; together with `none` (null)
 *   they act as empty: `''` where text is expected, an empty list where a sequence is expected.
 *   (`default` is the exception: like Jinja it replaces only undefined, or any falsy value with
 *   `boolean=true`.)
 * - Arguments are checked; a wrong one throws a plain `TypeError` whose message starts with the
 *   filter name (`truncate: length must be a non-negative integer, got "x"`). The compiler adds the
 *   template location.
 * - Inputs are never mutated; a list result is always a new array.
 * - Text results are plain strings, so the context-aware escaper escapes them for wherever they land.
 *   Only `escape`, `linebreaks`, `linebreaksbr` and `sanitize` turn untrusted text into SafeHtml
 *   (each escapes or sanitizes all of it). A SafeHtml input keeps its brand only through filters
 *   that cannot change its markup (`trim` without `chars`, `center`, `indent`, `first`/`last` of a
 *   list…); string filters that could (`replace`, `truncate`, `upper`, `format`…) work on the markup
 *   text and return a plain string, which is then escaped again: visible, never executable.
 *
 * @module
 */
import sanitizeHtml from 'sanitize-html';
import { escapeHtml, isSafeHtml, SafeHtml, trustedHtml } from '../http/html.js';
import { BUILTIN_TESTS, compareValues, describeValue, isPlainObject, type TemplateTest } from './tests.js';
import { Undefined } from './undefined.js';

/** A filter: `fn(value, ...args)`, and the names of its positional arguments after the value. */
export interface FilterDef {
  readonly fn: (value: unknown, ...args: unknown[]) => unknown;
  /**
   * The implementation without the argument checks of `fn`, for compiled templates: the compiler
   * checks the argument count when it compiles, and compiled code never passes `Undefined`.
   */
  readonly raw?: (value: unknown, ...args: unknown[]) => unknown;
  /** Names of the positional arguments after the value, so keyword arguments can be mapped. */
  readonly params?: readonly string[];
  /** True when the filter takes more positional arguments than `params` names (`format`, `select`). */
  readonly variadic?: boolean;
}

/** Widest padding `center`, `indent` and `format` produce (a width from data must not allocate gigabytes). */
const MAX_PAD_WIDTH = 10_000;
/** Most columns `slice` makes. */
const MAX_SLICES = 10_000;
/** Most decimals `round` keeps. */
const MAX_ROUND_PRECISION = 20;
/** Format used by `date` when none is given. */
const DEFAULT_DATE_FORMAT = '%Y-%m-%d';
/** Most timezones whose Intl formatter is kept. */
const MAX_CACHED_TIMEZONES = 200;

// =============================================================================================
// Attribute lookup
// =============================================================================================

/** Names that lead to prototypes and constructors: never readable from a template. */
const BLOCKED_ATTRS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

// Getters on these prototypes are the platform's, not the application's data: lookups stop here.
const BUILTIN_PROTOTYPES: ReadonlySet<unknown> = new Set([
  Object.prototype,
  Function.prototype,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  WeakMap.prototype,
  WeakSet.prototype,
  Date.prototype,
  RegExp.prototype,
  Promise.prototype,
  Error.prototype,
  String.prototype,
  Number.prototype,
  Boolean.prototype,
  Symbol.prototype,
  BigInt.prototype,
  ArrayBuffer.prototype,
  Object.getPrototypeOf(Uint8Array.prototype),
  SafeHtml.prototype,
  Undefined.prototype,
]);

const INDEX_RE = /^(?:0|-?[1-9]\d*)$/;

/**
 * Reads `obj.name` the way templates may: own properties of objects (data or getter), getters
 * defined by application classes on their prototypes (not methods, and nothing from built-in
 * prototypes such as `Object.prototype`), Map entries by key, and list or string items by integer
 * index (negative counts from the end, as in Python). Returns `undefined` when there is no such
 * attribute, and for `null`, `undefined`, numbers, booleans and functions.
 *
 * @throws TypeError for `__proto__`, `constructor` and `prototype`, whatever the object.
 * @example
 * getAttr({ user: { name: 'Ada' } }, 'user');  // { name: 'Ada' }
 * getAttr(new Map([['k', 1]]), 'k');           // 1
 * getAttr(['a', 'b'], -1);                     // 'b'
 * getAttr({}, 'toString');                     // undefined
 */
export function getAttr(obj: unknown, name: string | number): unknown {
  if (typeof name === 'string' && BLOCKED_ATTRS.has(name)) {
    throw new TypeError(`"${name}" cannot be read from a template value`);
  }
  if (obj === null || obj === undefined || obj instanceof Undefined) return undefined;
  if (obj instanceof Map) return obj.get(name);
  if (typeof obj === 'string' || Array.isArray(obj)) {
    const index = typeof name === 'number' ? name : INDEX_RE.test(name) ? Number(name) : null;
    if (index !== null) {
      if (!Number.isInteger(index)) return undefined;
      const i = index < 0 ? obj.length + index : index;
      return i >= 0 && i < obj.length ? obj[i] : undefined;
    }
    if (typeof obj === 'string') return name === 'length' ? obj.length : undefined;
  }
  if (typeof obj !== 'object') return undefined;
  const key = String(name);
  const own = Object.getOwnPropertyDescriptor(obj, key);
  if (own !== undefined) return 'value' in own ? own.value : own.get?.call(obj);
  for (let proto: unknown = Object.getPrototypeOf(obj); proto !== null && !BUILTIN_PROTOTYPES.has(proto); proto = Object.getPrototypeOf(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (d !== undefined) return d.get !== undefined ? d.get.call(obj) : undefined;
  }
  return undefined;
}

/** A parsed `attribute=` argument: one or more dotted paths (`"a.b"`, `"age,name"` for sort). */
type AttrPaths = readonly (readonly (string | number)[])[];

function parseAttribute(who: string, attribute: unknown, allowMany: boolean): AttrPaths | null {
  if (attribute === undefined || attribute === null) return null;
  if (typeof attribute === 'number' && Number.isInteger(attribute)) return [[attribute]];
  if (typeof attribute !== 'string' || attribute === '') {
    throw new TypeError(`${who}: attribute must be a non-empty string, got ${describeValue(attribute)}`);
  }
  const paths = (allowMany ? attribute.split(',') : [attribute]).map((p) => {
    const segments = p.trim().split('.');
    for (const s of segments) {
      if (s === '') throw new TypeError(`${who}: attribute ${JSON.stringify(attribute)} has an empty segment`);
      if (BLOCKED_ATTRS.has(s)) throw new TypeError(`${who}: attribute ${JSON.stringify(attribute)} reads "${s}", which templates cannot read`);
    }
    return segments;
  });
  return paths;
}

function lookupPath(obj: unknown, path: readonly (string | number)[]): unknown {
  let v = obj;
  for (const s of path) v = getAttr(v, s);
  return v instanceof Undefined ? undefined : v;
}

// =============================================================================================
// Value helpers
// =============================================================================================

type Impl = (value: unknown, ...args: unknown[]) => unknown;

const plain = (v: unknown): unknown => (typeof v === 'object' && v !== null && v instanceof Undefined ? undefined : v);

function define(name: string, impl: Impl, params: readonly string[] = [], variadic = false): FilterDef {
  const max = params.length;
  const slow = (value: unknown, ...args: unknown[]): unknown => {
    if (!variadic && args.length > max) {
      throw new TypeError(`${name}: takes at most ${max} argument${max === 1 ? '' : 's'}, got ${args.length}`);
    }
    for (let i = 0; i < args.length; i++) if (args[i] instanceof Undefined) args[i] = undefined;
    return impl(plain(value), ...args);
  };
  // Templates call filters a lot: a fixed-arity path without rest arrays or spread calls.
  function fn(value: unknown, a?: unknown, b?: unknown, c?: unknown, d?: unknown): unknown {
    const n = arguments.length - 1;
    if (variadic || n > 4 || n > max) return slow.apply(null, Array.prototype.slice.call(arguments) as [unknown, ...unknown[]]);
    switch (n) {
      case 0:
        return impl(plain(value));
      case 1:
        return impl(plain(value), plain(a));
      case 2:
        return impl(plain(value), plain(a), plain(b));
      case 3:
        return impl(plain(value), plain(a), plain(b), plain(c));
      default:
        return impl(plain(value), plain(a), plain(b), plain(c), plain(d));
    }
  }
  return Object.freeze({ fn, raw: impl, params: Object.freeze([...params]), variadic });
}

/** Python truthiness: none, false, 0, NaN, '' and empty lists, Maps, Sets and objects are false. */
function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '' || v === 0n || v instanceof Undefined) return false;
  if (typeof v === 'number') return !Number.isNaN(v);
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map || v instanceof Set) return v.size > 0;
  if (isSafeHtml(v)) return v.toString() !== '';
  if (isPlainObject(v)) {
    for (const _ in v) return true;
    return false;
  }
  return true;
}

/** Text of a scalar: strings as is, numbers, booleans, Dates (ISO); none/undefined are ''. */
function toText(who: string, v: unknown, what = 'the value'): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null || v instanceof Undefined) return '';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (isSafeHtml(v)) return v.toString();
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v.toISOString();
  throw new TypeError(`${who}: ${what} must be a string or a number, got ${describeValue(v)}`);
}

/** The items of a sequence: lists as is (do not mutate), strings by code point, Maps and objects by key. */
function toList(who: string, v: unknown): readonly unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(v);
  if (v instanceof Map) return Array.from(v.keys());
  if (v instanceof Set) return Array.from(v);
  if (isPlainObject(v)) return Object.keys(v);
  if (typeof v === 'object' && !isSafeHtml(v) && Symbol.iterator in v) return Array.from(v as Iterable<unknown>);
  throw new TypeError(`${who}: the value must be a list or another iterable, got ${describeValue(v)}`);
}

/** `[key, value]` pairs of a Map or plain object, in insertion order. */
function toEntries(who: string, v: unknown): [unknown, unknown][] {
  if (v === undefined || v === null) return [];
  if (v instanceof Map) return Array.from(v.entries());
  if (isPlainObject(v)) return Object.entries(v);
  throw new TypeError(`${who}: the value must be a Map or an object, got ${describeValue(v)}`);
}

function optInt(who: string, name: string, v: unknown, fallback: number, min: number, max?: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || (max !== undefined && v > max)) {
    const expected =
      max !== undefined
        ? `an integer between ${min} and ${max}`
        : min === 0
          ? 'a non-negative integer'
          : min === 1
            ? 'a positive integer'
            : `an integer of at least ${min}`;
    throw new TypeError(`${who}: ${name} must be ${expected}, got ${describeValue(v)}`);
  }
  return v;
}

function optBool(who: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new TypeError(`${who}: ${name} must be true or false, got ${describeValue(v)}`);
  return v;
}

function optString(who: string, name: string, v: unknown, fallback: string): string {
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new TypeError(`${who}: ${name} must be a string, got ${describeValue(v)}`);
  return v;
}

function requireNumber(who: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${who}: the value must be a number, got ${describeValue(v)}`);
  return v;
}

function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** First character upper case, the rest lower case (Python's `str.capitalize`). */
function capitalizeWord(s: string): string {
  if (s === '') return s;
  const n = s.codePointAt(0)! > 0xffff ? 2 : 1;
  return s.slice(0, n).toUpperCase() + s.slice(n).toLowerCase();
}

/** A sort key that orders missing values after every other (before them when reversed). */
function compareKeys(who: string, a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    const xMissing = x === undefined || x === null;
    const yMissing = y === undefined || y === null;
    if (xMissing || yMissing) {
      if (xMissing && yMissing) continue;
      return xMissing ? 1 : -1;
    }
    const c = compareValues(who, x, y);
    if (c !== 0) return c;
  }
  return 0;
}

function foldCase(v: unknown, caseSensitive: boolean): unknown {
  if (caseSensitive) return v;
  if (typeof v === 'string') return v.toLowerCase();
  if (isSafeHtml(v)) return v.toString().toLowerCase();
  return v;
}

/** Key function for sort/min/max/unique/groupby: the attribute path(s) or the item, case-folded. */
function keyFunction(paths: AttrPaths | null, caseSensitive: boolean): (item: unknown) => unknown[] {
  if (paths === null) return (item) => [foldCase(item, caseSensitive)];
  return (item) => paths.map((p) => foldCase(lookupPath(item, p), caseSensitive));
}

function resolveTest(who: string, test: unknown): TemplateTest {
  if (typeof test === 'function') return test as TemplateTest;
  if (typeof test !== 'string') throw new TypeError(`${who}: the test must be a test name, got ${describeValue(test)}`);
  const fn = BUILTIN_TESTS[test];
  if (fn === undefined) throw new TypeError(`${who}: unknown test ${JSON.stringify(test)}`);
  return fn;
}

// =============================================================================================
// Text filters
// =============================================================================================

function escapeFilter(v: unknown): SafeHtml {
  return isSafeHtml(v) ? v : trustedHtml(escapeHtml(toText('escape', v)));
}

const TITLE_SPLIT_RE = /([-\s({[<]+)/u;

function title(v: unknown): string {
  return toText('title', v)
    .split(TITLE_SPLIT_RE)
    .map((part) => capitalizeWord(part))
    .join('');
}

const HAS_SURROGATE = /[\uD800-\uDFFF]/;

function truncate(v: unknown, length: unknown, killwords: unknown, end: unknown, leeway: unknown): unknown {
  const max = optInt('truncate', 'length', length, 255, 0);
  const kill = optBool('truncate', 'killwords', killwords, false);
  const endText = optString('truncate', 'end', end, '...');
  const slack = optInt('truncate', 'leeway', leeway, 0, 0);
  if (Array.isArray(v)) return v.length <= max + slack ? v.slice() : v.slice(0, max);
  const s = toText('truncate', v);
  if (s.length <= max + slack) return s;
  // Code units are code points unless the text has surrogate pairs: skip splitting it then.
  const chars = HAS_SURROGATE.test(s) ? Array.from(s) : null;
  if (chars === null) {
    const endLength = codePointLength(endText);
    if (max < endLength) throw new TypeError(`truncate: length must be at least the length of end (${endLength}), got ${max}`);
    const cut = s.slice(0, max - endLength);
    if (kill) return cut + endText;
    const space = cut.lastIndexOf(' ');
    return (space === -1 ? cut : cut.slice(0, space)) + endText;
  }
  if (chars.length <= max + slack) return s;
  const endLength = codePointLength(endText);
  if (max < endLength) {
    throw new TypeError(`truncate: length must be at least the length of end (${endLength}), got ${max}`);
  }
  const cut = chars.slice(0, max - endLength).join('');
  if (kill) return cut + endText;
  const space = cut.lastIndexOf(' ');
  return (space === -1 ? cut : cut.slice(0, space)) + endText;
}

const WORD_RE = /[\p{L}\p{M}\p{N}\p{Pc}]+/gu;

function wordcount(v: unknown): number {
  return toText('wordcount', v).match(WORD_RE)?.length ?? 0;
}

function replaceText(s: string, old: string, repl: string, count: number): string {
  if (count === 0) return s;
  let out = '';
  let done = 0;
  if (old === '') {
    // Python: an empty `old` matches before every character and at the end.
    const chars = Array.from(s);
    for (let i = 0; i <= chars.length; i++) {
      if (done < count) {
        out += repl;
        done++;
      }
      if (i < chars.length) out += chars[i];
    }
    return out;
  }
  let from = 0;
  for (;;) {
    const at = done < count ? s.indexOf(old, from) : -1;
    if (at === -1) return out + s.slice(from);
    out += s.slice(from, at) + repl;
    from = at + old.length;
    done++;
  }
}

function replace(v: unknown, old: unknown, repl: unknown, count: unknown): unknown {
  if (old === undefined || repl === undefined) throw new TypeError('replace: old and new must both be given');
  const n = count === null ? Infinity : optInt('replace', 'count', count, Infinity, 0);
  const newIsSafe = isSafeHtml(repl);
  const oldText = toText('replace', old, 'old');
  const newText = toText('replace', repl, 'new');
  if (newIsSafe && !isSafeHtml(v)) {
    // Highlighting: the text is escaped, then trusted markup goes in; nothing untrusted stays raw.
    const escaped = escapeHtml(toText('replace', v));
    return trustedHtml(replaceText(escaped, isSafeHtml(old) ? oldText : escapeHtml(oldText), newText, n));
  }
  // A SafeHtml value gives a plain string: replacing inside trusted markup with values that may come
  // from users could turn `title=` into `onclick=`, which no HTML escaping of the values prevents.
  return replaceText(toText('replace', v), oldText, newText, n);
}

function trimChars(s: string, chars: string): string {
  const set = new Set(Array.from(chars));
  const list = Array.from(s);
  let start = 0;
  let end = list.length;
  while (start < end && set.has(list[start]!)) start++;
  while (end > start && set.has(list[end - 1]!)) end--;
  return list.slice(start, end).join('');
}

function trim(v: unknown, chars: unknown): unknown {
  if (chars === undefined || chars === null) {
    // Removing surrounding whitespace cannot change what markup means: SafeHtml stays SafeHtml.
    return isSafeHtml(v) ? trustedHtml(v.toString().trim()) : toText('trim', v).trim();
  }
  return trimChars(toText('trim', v), optString('trim', 'chars', chars, ''));
}

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** encodeURIComponent, also for `!'()*`, with a lone surrogate as U+FFFD instead of a URIError. */
function encodeComponent(s: string): string {
  return encodeURIComponent(s.replace(LONE_SURROGATE_RE, '\uFFFD')).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

function queryValue(key: unknown, value: unknown, out: string[]): void {
  if (value === undefined || value === null || value instanceof Undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) queryValue(key, item, out);
    return;
  }
  const k = encodeComponent(toText('urlencode', key, 'a key'));
  out.push(`${k}=${encodeComponent(toText('urlencode', value, `the value of ${JSON.stringify(String(key))}`))}`);
}

function urlencode(v: unknown): string {
  let pairs: readonly unknown[];
  if (v instanceof Map || isPlainObject(v)) pairs = toEntries('urlencode', v);
  else if (Array.isArray(v)) pairs = v;
  else return encodeComponent(toText('urlencode', v));
  const out: string[] = [];
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new TypeError(`urlencode: a list must hold [key, value] pairs, got ${describeValue(pair)}`);
    }
    queryValue(pair[0], pair[1], out);
  }
  return out.join('&');
}

function pluralize(v: unknown, suffix: unknown): string {
  const arg = optString('pluralize', 'suffix', suffix, 's');
  const parts = arg.split(',');
  if (parts.length > 2) {
    throw new TypeError(`pluralize: suffix must be "plural" or "singular,plural", got ${describeValue(arg)}`);
  }
  const singular = parts.length === 2 ? parts[0]! : '';
  const plural = parts[parts.length - 1]!;
  let count: number;
  if (v === undefined || v === null) count = 0;
  else if (typeof v === 'number') count = v;
  else if (typeof v === 'bigint') count = Number(v);
  else if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) count = Number(v);
  else if (Array.isArray(v)) count = v.length;
  else if (v instanceof Map || v instanceof Set) count = v.size;
  else throw new TypeError(`pluralize: the value must be a number or a list, got ${describeValue(v)}`);
  return count === 1 ? singular : plural;
}

function htmlOf(who: string, v: unknown): string {
  const text = isSafeHtml(v) ? v.toString() : escapeHtml(toText(who, v));
  return text.replace(/\r\n?/g, '\n');
}

/** Django's linebreaks: blank-line separated paragraphs in `<p>`, single newlines as `<br>`. */
function linebreaks(v: unknown): SafeHtml {
  const paragraphs = htmlOf('linebreaks', v)
    .split(/\n{2,}/)
    .filter((p) => p !== '')
    .map((p) => `<p>${p.replaceAll('\n', '<br>')}</p>`);
  return trustedHtml(paragraphs.join('\n\n'));
}

function linebreaksbr(v: unknown): SafeHtml {
  return trustedHtml(htmlOf('linebreaksbr', v).replaceAll('\n', '<br>'));
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, string>, {
    amp: '&',
    lt: '<',
    gt: '>',
    quot: '"',
    apos: "'",
    nbsp: '\u00a0',
    copy: '\u00a9',
    reg: '\u00ae',
    trade: '\u2122',
    hellip: '\u2026',
    mdash: '\u2014',
    ndash: '\u2013',
    lsquo: '\u2018',
    rsquo: '\u2019',
    ldquo: '\u201c',
    rdquo: '\u201d',
    laquo: '\u00ab',
    raquo: '\u00bb',
    euro: '\u20ac',
    times: '\u00d7',
    middot: '\u00b7',
    bull: '\u2022',
    deg: '\u00b0',
  }),
);

function unescapeEntities(s: string): string {
  return s.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED_ENTITIES[ref] ?? whole;
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
    return String.fromCodePoint(code);
  });
}

/**
 * Jinja's striptags: drops comments and tags, collapses whitespace, decodes entities. Written as a
 * scan rather than `/<.*?>/` so that text full of `<` without `>` stays linear. The result is plain
 * text (a decoded `&lt;script&gt;` is `<script>` again), so the escaper escapes it.
 */
function striptags(v: unknown): string {
  const s = toText('striptags', v);
  let out = '';
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    if (lt === -1) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, lt);
    let close = -1;
    if (s.startsWith('<!--', lt)) {
      const end = s.indexOf('-->', lt + 4);
      if (end !== -1) close = end + 2;
    }
    if (close === -1) close = s.indexOf('>', lt + 1);
    if (close === -1) {
      out += s.slice(lt);
      break;
    }
    out += ' ';
    i = close + 1;
  }
  return unescapeEntities(out.split(/\s+/).filter((w) => w !== '').join(' '));
}

function splitLines(s: string): string[] {
  return s.split(/\r\n|\r|\n/);
}

/** Greedy wrapping of each line at spaces; words longer than `width` are cut unless told not to. */
function wordwrap(v: unknown, width: unknown, breakLongWords: unknown, wrapstring: unknown): string {
  const w = optInt('wordwrap', 'width', width, 79, 1);
  const breakLong = optBool('wordwrap', 'break_long_words', breakLongWords, true);
  const sep = optString('wordwrap', 'wrapstring', wrapstring, '\n');
  const out: string[] = [];
  for (const line of splitLines(toText('wordwrap', v))) {
    const wrapped: string[] = [];
    let current = '';
    let currentLength = 0;
    for (const word of line.split(/\s+/)) {
      if (word === '') continue;
      const length = codePointLength(word);
      if (current !== '' && currentLength + 1 + length <= w) {
        current += ' ' + word;
        currentLength += 1 + length;
        continue;
      }
      if (current !== '') wrapped.push(current);
      let rest = word;
      let restLength = length;
      if (breakLong) {
        while (restLength > w) {
          const chars = Array.from(rest);
          wrapped.push(chars.slice(0, w).join(''));
          rest = chars.slice(w).join('');
          restLength -= w;
        }
      }
      current = rest;
      currentLength = restLength;
    }
    if (current !== '') wrapped.push(current);
    out.push(wrapped.join(sep));
  }
  return out.join(sep);
}

function center(v: unknown, width: unknown): unknown {
  const w = optInt('center', 'width', width, 80, 0, MAX_PAD_WIDTH);
  const s = toText('center', v);
  const margin = w - codePointLength(s);
  if (margin <= 0) return isSafeHtml(v) ? v : s;
  // CPython's str.center: the odd space goes left when both margin and width are odd.
  const left = Math.floor(margin / 2) + (margin & w & 1);
  const out = ' '.repeat(left) + s + ' '.repeat(margin - left);
  return isSafeHtml(v) ? trustedHtml(out) : out;
}

function indent(v: unknown, width: unknown, first: unknown, blank: unknown): unknown {
  let pad: string;
  if (typeof width === 'string') {
    if (width.length > MAX_PAD_WIDTH) throw new TypeError(`indent: width must be at most ${MAX_PAD_WIDTH} characters long`);
    pad = width;
  } else {
    pad = ' '.repeat(optInt('indent', 'width', width, 4, 0, MAX_PAD_WIDTH));
  }
  const indentFirst = optBool('indent', 'first', first, false);
  const indentBlank = optBool('indent', 'blank', blank, false);
  const safe = isSafeHtml(v);
  // Inserting whitespace between lines cannot change what markup means; a string indent is text.
  if (safe) pad = escapeHtml(pad);
  const lines = splitLines(toText('indent', v));
  let out = lines[0]!;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    out += '\n' + (line !== '' || indentBlank ? pad + line : line);
  }
  if (indentFirst && (lines[0] !== '' || indentBlank)) out = pad + out;
  return safe ? trustedHtml(out) : out;
}

const PRINTF_RE = /%(?:\(([^)]*)\))?([-+ 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%]?)/g;

/** printf-style `format`: `%s %d %i %f %.2f %x %X %%`, flags `- + 0 space`, width, `%(name)s`. */
function format(v: unknown, ...args: unknown[]): string {
  const fmt = toText('format', v);
  let named: unknown = undefined;
  let next = 0;
  const out = fmt.replace(PRINTF_RE, (whole, key: string | undefined, flags: string, widthText: string, precisionText: string | undefined, conv: string) => {
    if (conv === '') throw new TypeError(`format: incomplete format ${JSON.stringify(whole)}`);
    if (conv === '%') {
      if (whole !== '%%') throw new TypeError(`format: unsupported format ${JSON.stringify(whole)} (write %% for a percent sign)`);
      return '%';
    }
    let arg: unknown;
    if (key !== undefined) {
      if (named === undefined) {
        if (args.length !== 1 || !(args[0] instanceof Map || isPlainObject(args[0]))) {
          throw new TypeError('format: %(name)s needs exactly one mapping argument');
        }
        named = args[0];
      }
      if (BLOCKED_ATTRS.has(key)) throw new TypeError(`format: "${key}" cannot be read from a template value`);
      arg = getAttr(named, key);
      if (arg === undefined) throw new TypeError(`format: no value named ${JSON.stringify(key)}`);
    } else {
      if (next >= args.length) throw new TypeError('format: not enough arguments for the format string');
      arg = args[next++];
    }
    const width = widthText === '' ? 0 : Number(widthText);
    if (width > MAX_PAD_WIDTH) throw new TypeError(`format: width must be at most ${MAX_PAD_WIDTH}, got ${width}`);
    const precision = precisionText === undefined ? undefined : Number(precisionText);
    let body: string;
    let sign = '';
    switch (conv) {
      case 's':
        body = stringFilter(arg, 'format');
        if (precision !== undefined) body = Array.from(body).slice(0, precision).join('');
        break;
      case 'd':
      case 'i':
      case 'f':
      case 'F':
      case 'x':
      case 'X': {
        if (typeof arg !== 'number' && typeof arg !== 'bigint' && typeof arg !== 'boolean') {
          throw new TypeError(`format: %${conv} needs a number, got ${describeValue(arg)}`);
        }
        const n = typeof arg === 'boolean' ? Number(arg) : arg;
        const negative = n < 0;
        const abs = negative ? -n : n;
        if (conv === 'f' || conv === 'F') {
          if (precision !== undefined && precision > 100) throw new TypeError(`format: precision must be at most 100, got ${precision}`);
          body = Number(abs).toFixed(precision ?? 6);
        } else {
          const int = typeof abs === 'bigint' ? abs : Math.trunc(abs);
          body = conv === 'x' ? int.toString(16) : conv === 'X' ? int.toString(16).toUpperCase() : int.toString();
        }
        sign = negative && body.replace(/[0.]/g, '') !== '' ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
        break;
      }
      default:
        throw new TypeError(`format: unsupported conversion "%${conv}"`);
    }
    const length = codePointLength(sign + body);
    if (length >= width) return sign + body;
    if (flags.includes('-')) return sign + body + ' '.repeat(width - length);
    if (flags.includes('0') && conv !== 's') return sign + '0'.repeat(width - length) + body;
    return ' '.repeat(width - length) + sign + body;
  });
  if (named === undefined && next < args.length) throw new TypeError('format: not all arguments converted during string formatting');
  return out;
}

// =============================================================================================
// Numbers
// =============================================================================================

/** `x * 10**p` without the binary error of multiplying (so 1.005 rounds to 1.01). */
function shift(x: number, p: number): number {
  const [mantissa, exponent = '0'] = String(x).split('e');
  return Number(`${mantissa}e${Number(exponent) + p}`);
}

function round(v: unknown, precision: unknown, method: unknown): number {
  const n = requireNumber('round', v);
  const p = optInt('round', 'precision', precision, 0, 0, MAX_ROUND_PRECISION);
  const m = optString('round', 'method', method, 'common');
  if (m !== 'common' && m !== 'ceil' && m !== 'floor') {
    throw new TypeError(`round: method must be "common", "ceil" or "floor", got ${describeValue(m)}`);
  }
  if (!Number.isFinite(n)) return n;
  let r: number;
  // "common" rounds halves away from zero (2.5 → 3, -2.5 → -3), what the Jinja docs describe,
  // rather than Python's banker's rounding.
  if (m === 'common') {
    // Scaling by 10**p and nudging by one part in 2**52 rounds decimal halves the way they read
    // (1.005 → 1.01) without the string round trip of shift(); both agree to the last digit.
    const scale = 10 ** p;
    r = p <= 15 ? (Math.sign(n) * Math.round(Math.abs(n) * scale * (1 + Number.EPSILON))) / scale : Math.sign(n) * shift(Math.round(shift(Math.abs(n), p)), -p);
  }
  else r = shift((m === 'ceil' ? Math.ceil : Math.floor)(shift(n, p)), -p);
  return r === 0 ? 0 : r;
}

function abs(v: unknown): number | bigint {
  if (typeof v === 'bigint') return v < 0n ? -v : v;
  return Math.abs(requireNumber('abs', v));
}

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';
const BASE_PREFIX: Readonly<Record<number, string>> = { 2: '0b', 8: '0o', 16: '0x' };

function parseInteger(s: string, base: number): number | null {
  let text = s.trim().toLowerCase();
  let negative = false;
  if (text[0] === '+' || text[0] === '-') {
    negative = text[0] === '-';
    text = text.slice(1);
  }
  const prefix = BASE_PREFIX[base];
  if (prefix !== undefined && text.startsWith(prefix)) text = text.slice(2);
  if (text === '') return null;
  const digits = DIGITS.slice(0, base);
  for (const c of text) if (!digits.includes(c)) return null;
  const n = parseInt(text, base);
  return negative ? -n : n;
}

function toInt(v: unknown, fallback: unknown, base: unknown): unknown {
  const b = optInt('int', 'base', base, 10, 2, 36);
  const def = fallback === undefined ? 0 : fallback;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) + 0 : def;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' || isSafeHtml(v)) {
    const s = String(v);
    const n = parseInteger(s, b);
    if (n !== null) return n;
    if (b === 10 && FLOAT_RE.test(s.trim())) {
      const f = Number(s.trim());
      if (Number.isFinite(f)) return Math.trunc(f) + 0;
    }
  }
  return def;
}

function toFloat(v: unknown, fallback: unknown): unknown {
  const def = fallback === undefined ? 0 : fallback;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if ((typeof v === 'string' || isSafeHtml(v)) && FLOAT_RE.test(String(v).trim())) return Number(String(v).trim());
  return def;
}

const SIZE_PREFIXES_DECIMAL = ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const SIZE_PREFIXES_BINARY = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function filesizeformat(v: unknown, binary: unknown): string {
  const useBinary = optBool('filesizeformat', 'binary', binary, false);
  let bytes: number;
  if (typeof v === 'number') bytes = v;
  else if (typeof v === 'bigint') bytes = Number(v);
  else if (typeof v === 'string' && FLOAT_RE.test(v.trim())) bytes = Number(v.trim());
  else throw new TypeError(`filesizeformat: the value must be a number, got ${describeValue(v)}`);
  const base = useBinary ? 1024 : 1000;
  const prefixes = useBinary ? SIZE_PREFIXES_BINARY : SIZE_PREFIXES_DECIMAL;
  if (bytes === 1) return '1 Byte';
  if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
  let unit = base;
  let prefix = prefixes[0]!;
  for (let i = 0; i < prefixes.length; i++) {
    unit = base ** (i + 2);
    prefix = prefixes[i]!;
    if (bytes < unit) break;
  }
  return `${((base * bytes) / unit).toFixed(1)} ${prefix}`;
}

// =============================================================================================
// Dates
// =============================================================================================

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
// Strict ISO 8601 (date, optional time, optional offset): Date.parse accepts far more, and reads
// an offset-less date-time in the server's local zone. Without an offset, the time is UTC here.
const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

interface DateParts {
  readonly year: number;
  readonly month: number; // 1-12
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly weekday: number; // 0 = Sunday
  readonly zoneName: string;
  readonly offsetMinutes: number;
}

function toDate(v: unknown): Date {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new TypeError('date: the value is an invalid Date');
    return v;
  }
  if (typeof v === 'number') {
    const d = new Date(v);
    if (!Number.isFinite(v) || Number.isNaN(d.getTime())) throw new TypeError(`date: ${v} is not a valid timestamp in milliseconds`);
    return d;
  }
  if (typeof v === 'string') {
    const m = ISO_DATE_RE.exec(v.trim());
    if (m !== null) {
      let iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}`;
      if (m[7] !== undefined) iso += '.' + m[7].slice(0, 3).padEnd(3, '0');
      const zone = m[8];
      iso += zone === undefined || zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
      const d = new Date(iso);
      if (!Number.isNaN(d.getTime()) && validCalendarDate(m)) return d;
    }
    throw new TypeError(`date: ${describeValue(v)} is not an ISO 8601 date`);
  }
  throw new TypeError(`date: the value must be a Date, an ISO 8601 string or a timestamp in milliseconds, got ${describeValue(v)}`);
}

function validCalendarDate(m: RegExpExecArray): boolean {
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  return (
    probe.getUTCMonth() === month - 1 &&
    probe.getUTCDate() === day &&
    Number(m[4] ?? 0) < 24 &&
    Number(m[5] ?? 0) < 60 &&
    Number(m[6] ?? 0) < 60
  );
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(zone: string): Intl.DateTimeFormat {
  let f = zoneFormatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        weekday: 'short',
        timeZoneName: 'short',
      });
    } catch {
      throw new TypeError(`date: unknown timezone ${describeValue(zone)} (use an IANA name such as "Europe/Paris")`);
    }
    if (zoneFormatters.size >= MAX_CACHED_TIMEZONES) zoneFormatters.clear();
    zoneFormatters.set(zone, f);
  }
  return f;
}

const SHORT_WEEKDAYS = WEEKDAYS.map((d) => d.slice(0, 3));

function dateParts(d: Date, zone: string): DateParts {
  if (zone === 'UTC') {
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
      zoneName: 'UTC',
      offsetMinutes: 0,
    };
  }
  const parts: Record<string, string> = {};
  for (const p of zoneFormatter(zone).formatToParts(d)) parts[p.type] = p.value;
  const num = (k: string): number => Number(parts[k]);
  const year = num('year');
  const month = num('month');
  const day = num('day');
  const hour = num('hour') % 24;
  const minute = num('minute');
  const second = num('second');
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const offsetMinutes = Math.round((local - Math.floor(d.getTime() / 1000) * 1000) / 60_000);
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    weekday: SHORT_WEEKDAYS.indexOf(parts.weekday ?? ''),
    zoneName: parts.timeZoneName ?? zone,
    offsetMinutes,
  };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** A strftime-like code for date parts; unknown codes throw (checked when a format is first used). */
function formatCode(code: string, p: DateParts): string {
  switch (code) {
    case 'Y':
      return String(p.year).padStart(4, '0');
    case 'y':
      return pad2(p.year % 100);
    case 'm':
      return pad2(p.month);
    case 'd':
      return pad2(p.day);
    case 'H':
      return pad2(p.hour);
    case 'I':
      return pad2(p.hour % 12 === 0 ? 12 : p.hour % 12);
    case 'M':
      return pad2(p.minute);
    case 'S':
      return pad2(p.second);
    case 'p':
      return p.hour < 12 ? 'AM' : 'PM';
    case 'b':
      return MONTHS[p.month - 1]!.slice(0, 3);
    case 'B':
      return MONTHS[p.month - 1]!;
    case 'a':
      return WEEKDAYS[p.weekday]!.slice(0, 3);
    case 'A':
      return WEEKDAYS[p.weekday]!;
    case 'j': {
      const dayOfYear = (Date.UTC(p.year, p.month - 1, p.day) - Date.UTC(p.year, 0, 1)) / 86_400_000 + 1;
      return String(dayOfYear).padStart(3, '0');
    }
    case 'Z':
      return p.zoneName;
    case 'z': {
      const m = Math.abs(p.offsetMinutes);
      return (p.offsetMinutes < 0 ? '-' : '+') + pad2(Math.floor(m / 60)) + pad2(m % 60);
    }
    case '%':
      return '%';
    case '':
      throw new TypeError('date: the format ends with a lone "%" (write %% for a percent sign)');
    default:
      throw new TypeError(`date: unknown format code "%${code}"`);
  }
}

// Formats split once into [literal, code, literal, code, …], so a page that formats 200 dates
// parses its format string once.
const formatCache = new Map<string, readonly string[]>();
const MAX_CACHED_FORMATS = 256;
const SAMPLE_PARTS: DateParts = { year: 2000, month: 1, day: 1, hour: 0, minute: 0, second: 0, weekday: 6, zoneName: 'UTC', offsetMinutes: 0 };

function formatPieces(pattern: string): readonly string[] {
  let pieces = formatCache.get(pattern);
  if (pieces !== undefined) return pieces;
  const out: string[] = [];
  let literal = '';
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '%') {
      literal += pattern[i];
      continue;
    }
    const code = pattern[i + 1] ?? '';
    formatCode(code, SAMPLE_PARTS); // throws for an unknown or missing code
    out.push(literal, code);
    literal = '';
    i++;
  }
  out.push(literal);
  pieces = Object.freeze(out);
  if (formatCache.size >= MAX_CACHED_FORMATS) formatCache.clear();
  formatCache.set(pattern, pieces);
  return pieces;
}

function date(v: unknown, fmt: unknown, timezone: unknown): string {
  const pattern = optString('date', 'format', fmt, DEFAULT_DATE_FORMAT);
  const zone = optString('date', 'timezone', timezone, 'UTC');
  if (v === undefined || v === null) return '';
  const pieces = formatPieces(pattern);
  const p = dateParts(toDate(v), zone);
  let out = pieces[0]!;
  for (let i = 1; i < pieces.length; i += 2) out += formatCode(pieces[i]!, p) + pieces[i + 1]!;
  return out;
}

// =============================================================================================
// JSON and string conversion
// =============================================================================================

function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Undefined) return null;
  if (isSafeHtml(value)) return value.toString();
  if (typeof value === 'bigint') throw new TypeError('json: cannot serialize a bigint (convert it to a string or number first)');
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, val] of value) {
      // defineProperty so a "__proto__" key is data, not a prototype change.
      Object.defineProperty(out, String(k), { value: val, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (value instanceof Set) return Array.from(value);
  return value;
}

function toJson(v: unknown, indent?: unknown): string {
  const spaces = optInt('json', 'indent', indent, 0, 0, 10);
  let out: string | undefined;
  try {
    out = JSON.stringify(v, jsonReplacer, spaces === 0 ? undefined : spaces);
  } catch (err) {
    if (err instanceof TypeError && /circular/i.test(err.message)) throw new TypeError('json: cannot serialize a value that contains itself');
    throw err;
  }
  return out ?? 'null';
}

/** Jinja's `string`: text of scalars, SafeHtml kept, lists and mappings as JSON. */
function stringFilter(v: unknown, who = 'string'): string {
  if (typeof v === 'function' || typeof v === 'symbol') throw new TypeError(`${who}: cannot turn a ${typeof v} into a string`);
  if (typeof v === 'object' && v !== null && !isSafeHtml(v) && !(v instanceof Date) && !(v instanceof Undefined)) return toJson(v);
  return toText(who, v);
}

// =============================================================================================
// Sequences
// =============================================================================================

function join(v: unknown, separator: unknown, attribute: unknown): unknown {
  const paths = parseAttribute('join', attribute, false);
  if (separator !== undefined && typeof separator !== 'string' && !isSafeHtml(separator)) {
    throw new TypeError(`join: the separator must be a string, got ${describeValue(separator)}`);
  }
  const items = toList('join', v).map((x) => (paths === null ? x : lookupPath(x, paths[0]!)));
  let safe = isSafeHtml(separator);
  for (const x of items) if (isSafeHtml(x)) safe = true;
  const sep = separator === undefined ? '' : String(separator);
  const texts = items.map((x, i) => toText('join', x, `item ${i}`));
  if (!safe) return texts.join(sep);
  // Some part is trusted markup: escape every other part and keep the result trusted (Jinja).
  return trustedHtml(
    texts.map((t, i) => (isSafeHtml(items[i]) ? t : escapeHtml(t))).join(isSafeHtml(separator) ? sep : escapeHtml(sep)),
  );
}

function first(v: unknown): unknown {
  if (typeof v === 'string') return v === '' ? undefined : String.fromCodePoint(v.codePointAt(0)!);
  if (Array.isArray(v)) return v[0];
  return toList('first', v)[0];
}

function last(v: unknown): unknown {
  if (typeof v === 'string') return v === '' ? undefined : Array.from(v).at(-1);
  const items = toList('last', v);
  return items[items.length - 1];
}

function length(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string') return codePointLength(v);
  if (isSafeHtml(v)) return codePointLength(v.toString());
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map || v instanceof Set) return v.size;
  if (isPlainObject(v)) return Object.keys(v).length;
  throw new TypeError(`length: the value must be a string, list, Map, Set or object, got ${describeValue(v)}`);
}

function sortItems(who: string, items: readonly unknown[], keyOf: (item: unknown) => unknown[], reverse: boolean): unknown[] {
  const keyed = items.map((item) => ({ item, key: keyOf(item) }));
  const dir = reverse ? -1 : 1;
  keyed.sort((a, b) => dir * compareKeys(who, a.key, b.key));
  return keyed.map((k) => k.item);
}

function sort(v: unknown, reverse: unknown, caseSensitive: unknown, attribute: unknown): unknown[] {
  const rev = optBool('sort', 'reverse', reverse, false);
  const cs = optBool('sort', 'case_sensitive', caseSensitive, false);
  const paths = parseAttribute('sort', attribute, true);
  return sortItems('sort', toList('sort', v), keyFunction(paths, cs), rev);
}

function reverse(v: unknown): unknown {
  if (typeof v === 'string') return Array.from(v).reverse().join('');
  if (isSafeHtml(v)) return Array.from(v.toString()).reverse().join('');
  return toList('reverse', v).slice().reverse();
}

function dictsort(v: unknown, caseSensitive: unknown, by: unknown, reverse: unknown): [unknown, unknown][] {
  const cs = optBool('dictsort', 'case_sensitive', caseSensitive, false);
  const field = optString('dictsort', 'by', by, 'key');
  const rev = optBool('dictsort', 'reverse', reverse, false);
  if (field !== 'key' && field !== 'value') throw new TypeError(`dictsort: by must be "key" or "value", got ${describeValue(field)}`);
  const pos = field === 'key' ? 0 : 1;
  return sortItems('dictsort', toEntries('dictsort', v), (e) => [foldCase((e as unknown[])[pos], cs)], rev) as [unknown, unknown][];
}

function items(v: unknown): [unknown, unknown][] {
  return toEntries('items', v);
}

function unique(v: unknown, caseSensitive: unknown, attribute: unknown): unknown[] {
  const cs = optBool('unique', 'case_sensitive', caseSensitive, false);
  const keyOf = keyFunction(parseAttribute('unique', attribute, false), cs);
  const seen = new Set<unknown>();
  const out: unknown[] = [];
  for (const item of toList('unique', v)) {
    const key = keyOf(item)[0];
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}

function extreme(who: 'min' | 'max', v: unknown, caseSensitive: unknown, attribute: unknown): unknown {
  const cs = optBool(who, 'case_sensitive', caseSensitive, false);
  const keyOf = keyFunction(parseAttribute(who, attribute, false), cs);
  const list = toList(who, v);
  if (list.length === 0) return undefined;
  let best = list[0];
  let bestKey = keyOf(best)[0];
  for (let i = 1; i < list.length; i++) {
    const key = keyOf(list[i])[0];
    const c = compareValues(who, key, bestKey);
    if (who === 'min' ? c < 0 : c > 0) {
      best = list[i];
      bestKey = key;
    }
  }
  return best;
}

function sum(v: unknown, attribute: unknown, start: unknown): number {
  const paths = parseAttribute('sum', attribute, false);
  if (start !== undefined && typeof start !== 'number') throw new TypeError(`sum: start must be a number, got ${describeValue(start)}`);
  let total = start ?? 0;
  toList('sum', v).forEach((item, i) => {
    const n = paths === null ? item : lookupPath(item, paths[0]!);
    if (typeof n !== 'number') throw new TypeError(`sum: item ${i} must be a number, got ${describeValue(n)}`);
    total += n;
  });
  return total;
}

function map(v: unknown, filter: unknown, attribute: unknown, fallback: unknown): unknown[] {
  if (filter !== undefined) {
    throw new TypeError(`map: only the attribute form is supported, as map(attribute="name"); got a positional ${describeValue(filter)}`);
  }
  const paths = parseAttribute('map', attribute, false);
  if (paths === null) throw new TypeError('map: attribute must be given, as map(attribute="name")');
  return toList('map', v).map((item) => {
    const value = lookupPath(item, paths[0]!);
    return value === undefined && fallback !== undefined ? fallback : value;
  });
}

function selectOrReject(who: string, keep: boolean, v: unknown, test: unknown, args: unknown[]): unknown[] {
  const check = test === undefined || test === null ? truthy : resolveTest(who, test);
  return toList(who, v).filter((item) => (check(item, ...args) ? keep : !keep));
}

function selectOrRejectAttr(who: string, keep: boolean, v: unknown, attribute: unknown, test: unknown, args: unknown[]): unknown[] {
  const paths = parseAttribute(who, attribute, false);
  if (paths === null) throw new TypeError(`${who}: attribute must be given`);
  const check = test === undefined || test === null ? truthy : resolveTest(who, test);
  return toList(who, v).filter((item) => (check(lookupPath(item, paths[0]!), ...args) ? keep : !keep));
}

export interface Group {
  readonly grouper: unknown;
  readonly list: unknown[];
}

function groupby(v: unknown, attribute: unknown, fallback: unknown, caseSensitive: unknown): Group[] {
  const paths = parseAttribute('groupby', attribute, false);
  if (paths === null) throw new TypeError('groupby: attribute must be given');
  const cs = optBool('groupby', 'case_sensitive', caseSensitive, false);
  const valueOf = (item: unknown): unknown => {
    const value = lookupPath(item, paths[0]!);
    return value === undefined ? fallback : value;
  };
  const sorted = sortItems('groupby', toList('groupby', v), (item) => [foldCase(valueOf(item), cs)], false);
  const groups: Group[] = [];
  let currentKey: unknown[] = [];
  for (const item of sorted) {
    const key = [foldCase(valueOf(item), cs)];
    const current = groups[groups.length - 1];
    if (current !== undefined && compareKeys('groupby', key, currentKey) === 0) {
      current.list.push(item);
    } else {
      // As in Jinja, a case-insensitive group is named by its first item's value.
      groups.push({ grouper: valueOf(item), list: [item] });
      currentKey = key;
    }
  }
  return groups;
}

function batch(v: unknown, linecount: unknown, fillWith: unknown): unknown[][] {
  const size = optInt('batch', 'linecount', linecount, 0, 1);
  if (linecount === undefined) throw new TypeError('batch: linecount must be given');
  const list = toList('batch', v);
  const out: unknown[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  const tail = out[out.length - 1];
  if (tail !== undefined && fillWith !== undefined && fillWith !== null) while (tail.length < size) tail.push(fillWith);
  return out;
}

/** Jinja's slice: `count` columns, the first `len % count` one item longer (or padded with `fill_with`). */
function sliceColumns(v: unknown, count: unknown, fillWith: unknown): unknown[][] {
  if (count === undefined) throw new TypeError('slice: slices must be given');
  const slices = optInt('slice', 'slices', count, 1, 1, MAX_SLICES);
  const seq = toList('slice', v);
  const perSlice = Math.floor(seq.length / slices);
  const withExtra = seq.length % slices;
  const out: unknown[][] = [];
  let offset = 0;
  for (let n = 0; n < slices; n++) {
    const start = offset + n * perSlice;
    if (n < withExtra) offset++;
    const end = offset + (n + 1) * perSlice;
    const column = seq.slice(start, end);
    if (fillWith !== undefined && fillWith !== null && n >= withExtra) column.push(fillWith);
    out.push(column);
  }
  return out;
}

function toListFilter(v: unknown): unknown[] {
  return toList('list', v).slice();
}

function attr(v: unknown, name: unknown): unknown {
  if (typeof name !== 'string' && !(typeof name === 'number' && Number.isInteger(name))) {
    throw new TypeError(`attr: name must be a string, got ${describeValue(name)}`);
  }
  if (typeof name === 'string' && BLOCKED_ATTRS.has(name)) throw new TypeError(`attr: "${name}" cannot be read from a template value`);
  return getAttr(v, name);
}

// =============================================================================================
// sanitize
// =============================================================================================

const SAFE_LINK_RE = /^(?:https?:\/\/|mailto:)/i;
const LINK_REL = 'nofollow noopener noreferrer';

/**
 * The allowlist of `sanitize`: basic formatting and links, nothing that carries script or style.
 * Links keep `href` only when it is an absolute http(s) or mailto URL (relative links are dropped:
 * user content should not point at this site's own actions), and always get `rel`.
 */
const SANITIZE_OPTIONS: sanitizeHtml.IOptions = Object.freeze({
  allowedTags: ['p', 'br', 'b', 'i', 'em', 'strong', 'a', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
  allowedAttributes: { a: ['href', 'rel'] },
  allowedClasses: {},
  allowedStyles: {},
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  allowVulnerableTags: false,
  disallowedTagsMode: 'discard',
  // Text inside these is dropped with the tag, not kept as text.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'template', 'iframe', 'object', 'embed', 'svg', 'math', 'xmp', 'noembed', 'noframes'],
  parseStyleAttributes: false,
  transformTags: {
    a: (_tagName: string, attribs: sanitizeHtml.Attributes) => {
      const href = (attribs.href ?? '').trim();
      const out: sanitizeHtml.Attributes = { rel: LINK_REL };
      if (SAFE_LINK_RE.test(href)) out.href = href;
      return { tagName: 'a', attribs: out };
    },
  },
}) as sanitizeHtml.IOptions;

function sanitize(v: unknown): SafeHtml {
  return trustedHtml(sanitizeHtml(toText('sanitize', v), SANITIZE_OPTIONS));
}

// =============================================================================================
// The table
// =============================================================================================

const escapeDef = define('escape', escapeFilter);
const lengthDef = define('length', length);
const defaultDef = define(
  'default',
  (v, fallback = '', boolean) => {
    const orFalsy = optBool('default', 'boolean', boolean, false);
    return v === undefined || (orFalsy && !truthy(v)) ? fallback : v;
  },
  ['default_value', 'boolean'],
);
const jsonDef = define('json', toJson, ['indent']);

/**
 * The built-in filters by name (aliases are the same definition: `e` is `escape`, `d` is `default`,
 * `count` is `length`, `tojson` is `json`). There is no `safe`: the compiler refuses it.
 */
export const BUILTIN_FILTERS: Readonly<Record<string, FilterDef>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, FilterDef>, {
    escape: escapeDef,
    e: escapeDef,
    upper: define('upper', (v) => toText('upper', v).toUpperCase()),
    lower: define('lower', (v) => toText('lower', v).toLowerCase()),
    title: define('title', title),
    capitalize: define('capitalize', (v) => capitalizeWord(toText('capitalize', v))),
    length: lengthDef,
    count: lengthDef,
    default: defaultDef,
    d: defaultDef,
    join: define('join', join, ['d', 'attribute']),
    first: define('first', first),
    last: define('last', last),
    sort: define('sort', sort, ['reverse', 'case_sensitive', 'attribute']),
    reverse: define('reverse', reverse),
    slice: define('slice', sliceColumns, ['slices', 'fill_with']),
    batch: define('batch', batch, ['linecount', 'fill_with']),
    truncate: define('truncate', truncate, ['length', 'killwords', 'end', 'leeway']),
    wordcount: define('wordcount', wordcount),
    replace: define('replace', replace, ['old', 'new', 'count']),
    trim: define('trim', trim, ['chars']),
    urlencode: define('urlencode', urlencode),
    date: define('date', date, ['format', 'timezone']),
    json: jsonDef,
    tojson: jsonDef,
    round: define('round', round, ['precision', 'method']),
    abs: define('abs', abs),
    int: define('int', toInt, ['default', 'base']),
    float: define('float', toFloat, ['default']),
    pluralize: define('pluralize', pluralize, ['suffix']),
    linebreaks: define('linebreaks', linebreaks),
    linebreaksbr: define('linebreaksbr', linebreaksbr),
    striptags: define('striptags', striptags),
    wordwrap: define('wordwrap', wordwrap, ['width', 'break_long_words', 'wrapstring']),
    center: define('center', center, ['width']),
    indent: define('indent', indent, ['width', 'first', 'blank']),
    list: define('list', toListFilter),
    string: define('string', (v) => (isSafeHtml(v) ? v : stringFilter(v))),
    items: define('items', items),
    dictsort: define('dictsort', dictsort, ['case_sensitive', 'by', 'reverse']),
    unique: define('unique', unique, ['case_sensitive', 'attribute']),
    min: define('min', (v, cs, a) => extreme('min', v, cs, a), ['case_sensitive', 'attribute']),
    max: define('max', (v, cs, a) => extreme('max', v, cs, a), ['case_sensitive', 'attribute']),
    sum: define('sum', sum, ['attribute', 'start']),
    map: define('map', map, ['filter', 'attribute', 'default']),
    select: define('select', (v, test, ...args) => selectOrReject('select', true, v, test, args), ['test'], true),
    reject: define('reject', (v, test, ...args) => selectOrReject('reject', false, v, test, args), ['test'], true),
    selectattr: define('selectattr', (v, a, test, ...args) => selectOrRejectAttr('selectattr', true, v, a, test, args), ['attribute', 'test'], true),
    rejectattr: define('rejectattr', (v, a, test, ...args) => selectOrRejectAttr('rejectattr', false, v, a, test, args), ['attribute', 'test'], true),
    groupby: define('groupby', groupby, ['attribute', 'default', 'case_sensitive']),
    attr: define('attr', attr, ['name']),
    filesizeformat: define('filesizeformat', filesizeformat, ['binary']),
    format: define('format', format, [], true),
    sanitize: define('sanitize', sanitize),
  }),
);
