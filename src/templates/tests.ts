/**
 * The built-in template tests (`{% if user is defined %}`, `{{ n is divisibleby 3 }}`), with Jinja's
 * names and aliases, plus the value helpers they share with the filters (equality, ordering and the
 * way values are named in error messages).
 *
 * A test that gets an argument of the wrong type throws a plain `TypeError` whose message starts
 * with the test name; the compiler adds the template location.
 *
 * @module
 */
import { isSafeHtml } from '../http/html.js';
import { isUndefined } from './undefined.js';

export type TemplateTest = (value: unknown, ...args: unknown[]) => boolean;

/** Longest string shown in an error message before it is cut. */
const MAX_SHOWN_STRING = 40;

/** Depth at which structural equality gives up (self-referencing data). */
const MAX_EQUALITY_DEPTH = 50;

/** How a value is named in error messages: `"text"`, `42`, `none`, `undefined`, `list`, `object`… */
export function describeValue(v: unknown): string {
  if (v === undefined || isUndefined(v)) return 'undefined';
  if (v === null) return 'none';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v.length > MAX_SHOWN_STRING ? v.slice(0, MAX_SHOWN_STRING) + '…' : v);
    case 'number':
    case 'boolean':
      return String(v);
    case 'bigint':
      return `${v}n`;
    case 'function':
      return 'function';
    case 'symbol':
      return 'symbol';
  }
  if (isSafeHtml(v)) return 'SafeHtml';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Map) return 'Map';
  if (v instanceof Set) return 'Set';
  if (v instanceof Date) return 'Date';
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === null || proto === Object.prototype) return 'object';
  const ctor = (proto as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'object';
}

/** A plain data object: `{...}` or `Object.create(null)`, not a class instance. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

/**
 * Python-like `==`: primitives by value, SafeHtml equal to the string of its markup, Dates by time,
 * lists, plain objects, Maps and Sets by content; anything else by identity.
 */
export function valuesEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (isUndefined(a)) a = undefined;
  if (isUndefined(b)) b = undefined;
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    if (isSafeHtml(a) && typeof b === 'string') return a.toString() === b;
    if (isSafeHtml(b) && typeof a === 'string') return b.toString() === a;
    // number vs bigint: 1 == 1n in Python.
    if ((typeof a === 'number' && typeof b === 'bigint') || (typeof a === 'bigint' && typeof b === 'number')) return a == b;
    return false;
  }
  if (depth > MAX_EQUALITY_DEPTH) throw new TypeError('cannot compare values nested this deeply (is the data self-referencing?)');
  if (isSafeHtml(a) || isSafeHtml(b)) return isSafeHtml(a) && isSafeHtml(b) && a.toString() === b.toString();
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map) || !(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !valuesEqual(v, b.get(k), depth + 1)) return false;
    return true;
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set) || !(b instanceof Set) || a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k) || !valuesEqual(a[k], b[k], depth + 1)) return false;
    }
    return true;
  }
  return false;
}

function orderKind(v: unknown): 'number' | 'string' | 'date' | null {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return 'number';
  if (typeof v === 'string' || isSafeHtml(v)) return 'string';
  if (v instanceof Date) return 'date';
  return null;
}

/**
 * Orders two values as Python would for the types templates compare: numbers (and booleans) with
 * numbers, strings with strings (by code unit), Dates with Dates. Anything else throws a TypeError
 * starting with `who`.
 */
export function compareValues(who: string, a: unknown, b: unknown): number {
  const ka = orderKind(a);
  const kb = orderKind(b);
  if (ka === null || ka !== kb) {
    throw new TypeError(`${who}: cannot compare ${describeKind(a)} with ${describeKind(b)}`);
  }
  let x: number | bigint | string;
  let y: number | bigint | string;
  if (ka === 'string') {
    x = String(a);
    y = String(b);
  } else if (ka === 'date') {
    x = (a as Date).getTime();
    y = (b as Date).getTime();
  } else {
    x = typeof a === 'boolean' ? Number(a) : (a as number | bigint);
    y = typeof b === 'boolean' ? Number(b) : (b as number | bigint);
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The type of a value for messages about types (`number`, `string`, `list`…), never its content. */
export function describeKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return typeof v;
  return describeValue(v);
}

function isIterable(v: unknown): boolean {
  if (typeof v === 'string') return true;
  if (typeof v !== 'object' || v === null || isUndefined(v) || isSafeHtml(v)) return false;
  return Symbol.iterator in v || isPlainObject(v);
}

function isCasedString(v: unknown): v is string {
  return typeof v === 'string' && v.toLowerCase() !== v.toUpperCase();
}

function requireNumber(who: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${who}: ${what} must be a number, got ${describeValue(v)}`);
  return v;
}

const isDefined: TemplateTest = (v) => v !== undefined && !isUndefined(v);
const eq: TemplateTest = (v, other) => valuesEqual(v, other);
const ne: TemplateTest = (v, other) => !valuesEqual(v, other);
const lt: TemplateTest = (v, other) => compareValues('lt', v, other) < 0;
const le: TemplateTest = (v, other) => compareValues('le', v, other) <= 0;
const gt: TemplateTest = (v, other) => compareValues('gt', v, other) > 0;
const ge: TemplateTest = (v, other) => compareValues('ge', v, other) >= 0;

function parity(who: 'even' | 'odd', v: unknown): number | null {
  if (typeof v === 'bigint') return Number(v % 2n);
  requireNumber(who, 'the value', v);
  return Number.isInteger(v) ? Math.abs((v as number) % 2) : null;
}

/** `x is in(container)`: substring of a string, element of a list or Set, key of a Map or object. */
function isIn(v: unknown, container: unknown): boolean {
  if (isUndefined(v)) v = undefined;
  if (typeof container === 'string' || isSafeHtml(container)) {
    if (typeof v !== 'string' && !isSafeHtml(v)) {
      throw new TypeError(`in: a string can only contain strings, got ${describeValue(v)}`);
    }
    return String(container).includes(String(v));
  }
  if (Array.isArray(container)) return container.some((x) => valuesEqual(x, v));
  if (container instanceof Set || container instanceof Map) return container.has(v);
  if (isPlainObject(container)) {
    return (typeof v === 'string' || typeof v === 'number') && Object.prototype.hasOwnProperty.call(container, String(v));
  }
  throw new TypeError(`in: the container must be a string, list, Set, Map or object, got ${describeValue(container)}`);
}

// A table without a prototype: `BUILTIN_TESTS['constructor']` is undefined, not Object.
function nullProtoFrozen<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}

/**
 * The built-in tests by name. Jinja's aliases are separate entries (`==` is `eq`), so the
 * compiler resolves `x is ==(y)` and `x is eq(y)` the same way.
 *
 * Notes where JavaScript differs from Python: `integer` and `float` look at the value, since
 * `1.0` and `1` are the same number (`1.0 is integer` is true); `sequence` is true for strings,
 * lists and mappings (as in Jinja), not Sets; `string` is true for SafeHtml, like Jinja's Markup.
 */
export const BUILTIN_TESTS: Readonly<Record<string, TemplateTest>> = nullProtoFrozen({
  defined: isDefined,
  undefined: (v: unknown) => !isDefined(v),
  none: (v: unknown) => v === null,
  boolean: (v: unknown) => typeof v === 'boolean',
  true: (v: unknown) => v === true,
  false: (v: unknown) => v === false,
  number: (v: unknown) => typeof v === 'number' || typeof v === 'bigint',
  integer: (v: unknown) => typeof v === 'bigint' || Number.isInteger(v),
  float: (v: unknown) => typeof v === 'number' && !Number.isInteger(v),
  string: (v: unknown) => typeof v === 'string' || isSafeHtml(v),
  mapping: (v: unknown) => v instanceof Map || isPlainObject(v),
  iterable: isIterable,
  sequence: (v: unknown) => typeof v === 'string' || isSafeHtml(v) || Array.isArray(v) || v instanceof Map || isPlainObject(v),
  callable: (v: unknown) => typeof v === 'function',
  even: (v: unknown) => parity('even', v) === 0,
  odd: (v: unknown) => parity('odd', v) === 1,
  divisibleby: (v: unknown, n: unknown) => {
    if (typeof v === 'bigint' && typeof n === 'bigint') {
      if (n === 0n) throw new TypeError('divisibleby: the divisor must not be 0');
      return v % n === 0n;
    }
    requireNumber('divisibleby', 'the value', v);
    requireNumber('divisibleby', 'the divisor', n);
    if (n === 0) throw new TypeError('divisibleby: the divisor must not be 0');
    return (v as number) % (n as number) === 0;
  },
  eq,
  equalto: eq,
  '==': eq,
  ne,
  '!=': ne,
  lt,
  lessthan: lt,
  '<': lt,
  le,
  '<=': le,
  gt,
  greaterthan: gt,
  '>': gt,
  ge,
  '>=': ge,
  in: isIn,
  sameas: (v: unknown, other: unknown) => (isUndefined(v) ? undefined : v) === (isUndefined(other) ? undefined : other),
  lower: (v: unknown) => {
    const s = isSafeHtml(v) ? v.toString() : v;
    return isCasedString(s) && s === s.toLowerCase();
  },
  upper: (v: unknown) => {
    const s = isSafeHtml(v) ? v.toString() : v;
    return isCasedString(s) && s === s.toUpperCase();
  },
  escaped: (v: unknown) => isSafeHtml(v),
});
