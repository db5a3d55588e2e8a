/**
 * Route patterns: `/users/:id<int>/files/*path`, parsed once at registration, and the types that
 * give handlers `req.params.id: number`.
 *
 * @module
 */
import { RouteError } from '../http/errors.js';

/** Names of the built-in converters usable as `:name<conv>`. */
export type ConverterName = 'int' | 'uuid' | 'slug';

/** Converted value type of each converter. */
interface ConverterTypes {
  int: number;
  uuid: string;
  slug: string;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type SegmentParam<S extends string> = S extends `:${infer Name}<${infer Conv}>`
  ? { [K in Name]: Conv extends keyof ConverterTypes ? ConverterTypes[Conv] : string }
  : S extends `:${infer Name}`
    ? { [K in Name]: string }
    : S extends `*${infer Name}`
      ? { [K in Name]: string }
      : {};

type ParamsOf<P extends string> = P extends `${infer Head}/${infer Tail}`
  ? SegmentParam<Head> & ParamsOf<Tail>
  : SegmentParam<P>;

/**
 * The params object a pattern produces.
 *
 * @example
 * type P = RouteParams<'/users/:id<int>/posts/:slug'> // { id: number; slug: string }
 */
export type RouteParams<P extends string> = string extends P ? Record<string, string> : Simplify<ParamsOf<P>>;

export type SegmentKind = 'static' | 'param' | 'wildcard';

export interface Segment {
  readonly kind: SegmentKind;
  /** The literal text for static segments, the param name otherwise. */
  readonly value: string;
  readonly converter: ConverterName | undefined;
}

export interface ParsedPattern {
  readonly pattern: string;
  readonly segments: readonly Segment[];
  readonly paramNames: readonly string[];
  readonly isStatic: boolean;
}

const CONVERTERS: ReadonlySet<string> = new Set<ConverterName>(['int', 'uuid', 'slug']);

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function validName(name: string): boolean {
  if (name.length === 0 || name.length > 64) return false;
  const first = name.charCodeAt(0);
  if (first >= 48 && first <= 57) return false;
  for (let i = 0; i < name.length; i++) if (!isNameChar(name.charCodeAt(i))) return false;
  return true;
}

/** Characters a static segment may hold as written: RFC 3986 pchar minus `%` (write it decoded). */
function validStatic(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 37 || c === 63 || c === 35 || c === 92 || c === 34 || c === 60 || c === 62) {
      return false;
    }
  }
  return true;
}

/**
 * Parses a route pattern. Throws `RouteError` (`E_ROUTE_PATTERN_INVALID`) at registration for
 * anything ambiguous, so no malformed route ever reaches request time.
 */
export function parsePattern(pattern: string): ParsedPattern {
  const fail = (why: string): never => {
    throw new RouteError('E_ROUTE_PATTERN_INVALID', `Invalid route pattern '${pattern}': ${why}.`, {
      hint: "Patterns look like '/users/:id<int>/files/*path'; converters are int, uuid and slug.",
    });
  };
  if (pattern.length === 0 || pattern.charCodeAt(0) !== 47) fail("it must start with '/'");
  const parts = pattern === '/' ? [''] : pattern.slice(1).split('/');
  const segments: Segment[] = [];
  const paramNames: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const last = i === parts.length - 1;
    if (part === '' && !last) fail('it has an empty segment (//)');
    if (part.startsWith(':')) {
      let name = part.slice(1);
      let converter: ConverterName | undefined;
      const lt = name.indexOf('<');
      if (lt !== -1) {
        if (!name.endsWith('>')) fail(`segment '${part}' has an unclosed converter`);
        const conv = name.slice(lt + 1, -1);
        if (!CONVERTERS.has(conv)) fail(`unknown converter '${conv}'`);
        converter = conv as ConverterName;
        name = name.slice(0, lt);
      }
      if (!validName(name)) fail(`'${name}' is not a valid parameter name`);
      if (paramNames.includes(name)) fail(`parameter '${name}' appears twice`);
      paramNames.push(name);
      segments.push({ kind: 'param', value: name, converter });
    } else if (part.startsWith('*')) {
      const name = part.slice(1);
      if (!last) fail('a wildcard must be the last segment');
      if (!validName(name)) fail(`'${name}' is not a valid wildcard name`);
      if (paramNames.includes(name)) fail(`parameter '${name}' appears twice`);
      paramNames.push(name);
      segments.push({ kind: 'wildcard', value: name, converter: undefined });
    } else {
      if (!validStatic(part)) fail(`segment '${part}' has a character that must not appear in a path`);
      if (part === '.' || part === '..') fail('dot segments are not allowed');
      segments.push({ kind: 'static', value: part, converter: undefined });
    }
  }
  return { pattern, segments, paramNames, isStatic: paramNames.length === 0 };
}

/** Joins a mount prefix and a route path into one pattern: `('/api', '/users')` → `/api/users`. */
export function joinPaths(prefix: string, path: string): string {
  if (prefix === '' || prefix === '/') return path;
  const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (path === '/') return p;
  return p + path;
}
