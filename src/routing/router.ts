/**
 * The route table: a segment trie with a hash map in front for fully static paths.
 *
 * Matching rules, in order at each segment: a static child, then a parameter, then a wildcard;
 * the matcher backtracks, so `/users/me` and `/users/:id` coexist. Paths match exactly: a trailing
 * slash is a different path (the app redirects GET/HEAD to the registered form, see
 * docs/routing.md). No IO here, and no regular expression: every step is a map lookup or a char
 * loop, so matching time is linear in the path length.
 *
 * @module
 */
import { RouteError } from '../http/errors.js';
import { CONVERT } from './converters.js';
import type { ConverterName, ParsedPattern } from './pattern.js';

/** Method key under which `app.all()` routes are stored. */
export const ANY_METHOD = '*';

class Node<T> {
  statics: Map<string, Node<T>> | null = null;
  param: Node<T> | null = null;
  paramName = '';
  converter: ConverterName | undefined = undefined;
  wildcard: Node<T> | null = null;
  methods: Map<string, T> | null = null;
  paramNames: readonly string[] = [];
  pattern = '';
  allow = '';
}

export type MatchResult<T> =
  | { readonly found: true; readonly value: T; readonly params: Record<string, string | number>; readonly pattern: string }
  | { readonly found: false; readonly allow: string | null };

const NO_MATCH: MatchResult<never> = Object.freeze({ found: false, allow: null });

/** A path segment that failed percent-decoding; the app answers 400. */
export class MalformedPathError extends Error {
  readonly code = 'E_PATH_MALFORMED';
}

function decodeSegment(seg: string): string {
  if (seg.indexOf('%') === -1) return seg;
  try {
    return decodeURIComponent(seg);
  } catch {
    throw new MalformedPathError('the path has malformed percent-encoding (or overlong UTF-8)');
  }
}

function unsafeParam(value: string): boolean {
  return value === '.' || value === '..' || value.indexOf('/') !== -1 || value.indexOf('\\') !== -1;
}

/**
 * A segment trie keyed by method at its leaves.
 *
 * @example
 * const r = new Router<string>()
 * r.add('GET', parsePattern('/users/:id<int>'), 'show')
 * r.match('GET', '/users/42') // { found: true, value: 'show', params: { id: 42 } }
 */
export class Router<T> {
  readonly #root = new Node<T>();
  readonly #statics = new Map<string, Node<T>>();

  add(method: string, parsed: ParsedPattern, value: T): void {
    let node = this.#root;
    const segs = parsed.segments;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!;
      if (seg.kind === 'static') {
        node.statics ??= new Map();
        let next = node.statics.get(seg.value);
        if (next === undefined) {
          next = new Node<T>();
          node.statics.set(seg.value, next);
        }
        node = next;
      } else if (seg.kind === 'param') {
        if (node.param === null) {
          node.param = new Node<T>();
          node.paramName = seg.value;
          node.converter = seg.converter;
        } else if (node.paramName !== seg.value || node.converter !== seg.converter) {
          throw new RouteError(
            'E_ROUTE_CONFLICT',
            `Route '${parsed.pattern}' declares ':${seg.value}${seg.converter ? `<${seg.converter}>` : ''}' where another route already declares ':${node.paramName}${node.converter ? `<${node.converter}>` : ''}'.`,
            { hint: 'Routes that share a prefix must name and convert their parameter the same way.' },
          );
        }
        node = node.param;
      } else {
        node.wildcard ??= new Node<T>();
        node = node.wildcard;
        node.paramName = seg.value;
      }
    }
    node.methods ??= new Map();
    if (node.methods.has(method)) {
      throw new RouteError('E_ROUTE_DUPLICATE', `Route ${method === ANY_METHOD ? 'ALL' : method} ${parsed.pattern} is defined twice.`, {
        hint: 'Remove one of the definitions, or give them different paths.',
      });
    }
    node.methods.set(method, value);
    node.paramNames = parsed.paramNames;
    node.pattern = parsed.pattern;
    node.allow = allowHeader(node.methods);
    if (parsed.isStatic) this.#statics.set(parsed.pattern, node);
  }

  /** Finds the route for a method and a raw (still percent-encoded) path without query string. */
  match(method: string, path: string): MatchResult<T> {
    let node = this.#statics.get(path);
    const values: (string | number)[] = [];
    if (node === undefined) {
      if (path.indexOf('%') === -1) {
        node = walkRaw(this.#root, path, 1, values) ?? undefined;
      } else {
        const segs = path.slice(1).split('/').map(decodeSegment);
        // A decoded segment holding '/' (from %2F) must not pose as two segments of a static route.
        if (!segs.some((s) => s.indexOf('/') !== -1)) node = this.#statics.get('/' + segs.join('/'));
        if (node === undefined) node = walk(this.#root, segs, 0, values) ?? undefined;
      }
      if (node === undefined) return NO_MATCH;
    }
    const methods = node.methods!;
    let value = methods.get(method);
    if (value === undefined && method === 'HEAD') value = methods.get('GET');
    if (value === undefined) value = methods.get(ANY_METHOD);
    if (value === undefined) return { found: false, allow: node.allow };
    const names = node.paramNames;
    const params: Record<string, string | number> = {};
    for (let i = 0; i < names.length; i++) params[names[i]!] = values[i]!;
    return { found: true, value, params, pattern: node.pattern };
  }
}

/**
 * The same walk as `walk`, on the raw path by index: no split array, one slice per segment. Used
 * when the path has no percent-encoding, which is nearly always.
 */
function walkRaw<T>(node: Node<T>, path: string, start: number, values: (string | number)[]): Node<T> | null {
  let end = path.indexOf('/', start);
  const last = end === -1;
  if (last) end = path.length;
  const seg = path.slice(start, end);
  const statics = node.statics;
  if (statics !== null) {
    const child = statics.get(seg);
    if (child !== undefined) {
      const found = last ? (child.methods !== null ? child : null) : walkRaw(child, path, end + 1, values);
      if (found !== null) return found;
    }
  }
  const param = node.param;
  if (param !== null && seg !== '' && !unsafeParam(seg)) {
    const conv = node.converter;
    const value = conv === undefined ? seg : CONVERT[conv](seg);
    if (value !== undefined) {
      values.push(value);
      const found = last ? (param.methods !== null ? param : null) : walkRaw(param, path, end + 1, values);
      if (found !== null) return found;
      values.pop();
    }
  }
  if (node.wildcard !== null && seg !== '') return walk(node, path.slice(start).split('/'), 0, values, true);
  return null;
}

function walk<T>(node: Node<T>, segs: readonly string[], i: number, values: (string | number)[], wildcardOnly = false): Node<T> | null {
  const seg = segs[i]!;
  const last = i === segs.length - 1;
  const child = wildcardOnly ? undefined : node.statics?.get(seg);
  if (child !== undefined) {
    const found = last ? (child.methods !== null ? child : null) : walk(child, segs, i + 1, values);
    if (found !== null) return found;
  }
  const param = wildcardOnly ? null : node.param;
  if (param !== null && seg !== '' && !unsafeParam(seg)) {
    const conv = node.converter;
    const value = conv === undefined ? seg : CONVERT[conv](seg);
    if (value !== undefined) {
      values.push(value);
      const found = last ? (param.methods !== null ? param : null) : walk(param, segs, i + 1, values);
      if (found !== null) return found;
      values.pop();
    }
  }
  const wild = node.wildcard;
  if (wild !== null && seg !== '') {
    // A wildcard takes the rest of the path; dot segments and backslashes never reach a handler.
    for (let j = i; j < segs.length; j++) {
      const s = segs[j]!;
      if (s === '.' || s === '..' || s.indexOf('\\') !== -1 || (s === '' && j !== segs.length - 1)) return null;
    }
    const rest = i === segs.length - 1 ? seg : segs.slice(i).join('/');
    const parts = rest.split('/');
    for (const p of parts) if (p === '.' || p === '..') return null;
    values.push(rest);
    return wild.methods !== null ? wild : null;
  }
  return null;
}

function allowHeader(methods: Map<string, unknown>): string {
  if (methods.has(ANY_METHOD)) return 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT';
  const set = new Set(methods.keys());
  if (set.has('GET')) set.add('HEAD');
  set.add('OPTIONS');
  return [...set].sort().join(', ');
}
