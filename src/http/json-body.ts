/**
 * Safe JSON body parsing: a nesting-depth limit enforced before parsing, and prototype-poisoning
 * protection (`__proto__`, `constructor.prototype`) through `secure-json-parse`.
 *
 * This module knows nothing about HTTP: it throws its own small error classes, each with a stable
 * `code`, and the caller maps all three to `400 Bad Request`.
 *
 * @module
 */
// secure-json-parse is CommonJS with `export =`; under NodeNext (and tsx) the default import is
// `module.exports`, which is the parse function itself and also carries `.parse`.
import sjson from 'secure-json-parse';

/**
 * Default limits for {@link parseJsonBody}.
 *
 * @example
 * parseJsonBody(text, { maxDepth: JSON_BODY_DEFAULTS.maxDepth });
 */
export const JSON_BODY_DEFAULTS = Object.freeze({ maxDepth: 64 });

/**
 * The body is not valid JSON (or is empty). The message never echoes the input, at most a position.
 *
 * @example
 * try { parseJsonBody('{'); } catch (e) { if (e instanceof JsonSyntaxError) e.code; } // 'E_BODY_JSON_MALFORMED'
 */
export class JsonSyntaxError extends Error {
  readonly code = 'E_BODY_JSON_MALFORMED';
  /** Zero-based UTF-16 offset where parsing failed, when the engine reports one. */
  readonly position: number | undefined;

  constructor(message: string, position?: number) {
    super(message);
    this.name = 'JsonSyntaxError';
    this.position = position;
  }
}

/**
 * Objects and arrays nest deeper than the allowed `maxDepth`.
 *
 * @example
 * try { parseJsonBody('[[1]]', { maxDepth: 1 }); } catch (e) { if (e instanceof JsonDepthError) e.maxDepth; } // 1
 */
export class JsonDepthError extends Error {
  readonly code = 'E_BODY_JSON_TOO_DEEP';
  readonly maxDepth: number;

  constructor(maxDepth: number) {
    super(`JSON nesting is deeper than ${maxDepth} levels`);
    this.name = 'JsonDepthError';
    this.maxDepth = maxDepth;
  }
}

/**
 * The body contains a key that could poison an object prototype: `__proto__`, or a `constructor`
 * object that has a `prototype` key. `key` is `'__proto__'` or `'constructor.prototype'`.
 *
 * @example
 * try { parseJsonBody('{"__proto__":{}}'); } catch (e) { if (e instanceof JsonForbiddenKeyError) e.key; } // '__proto__'
 */
export class JsonForbiddenKeyError extends Error {
  readonly code = 'E_BODY_JSON_FORBIDDEN_KEY';
  readonly key: string;

  constructor(key: string) {
    super(
      `JSON body contains the forbidden key "${key}": keys named "__proto__", and "constructor" objects with a "prototype" key, are not allowed`,
    );
    this.name = 'JsonForbiddenKeyError';
    this.key = key;
  }
}

/** Options for {@link parseJsonBody}. */
export interface JsonBodyOptions {
  /** Maximum nesting of objects and arrays; a scalar is depth 0, `[]` and `{}` are depth 1. Default 64. */
  maxDepth?: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

// The message secure-json-parse@4 throws for both __proto__ and constructor.prototype. If a future
// version changes it, the error degrades to JsonSyntaxError: still rejected, only less precisely named.
const FORBIDDEN_MESSAGE = 'Object contains forbidden prototype property';

// V8 ends some messages with "... JSON at position N" (newer versions add " (line L column C)").
// Anchored at the end so a position-like string echoed from the input cannot be picked up; no nested
// quantifiers, and it runs on the engine's message, which V8 already truncates.
const POSITION_IN_MESSAGE = /JSON at position (\d+)(?: \(line \d+ column \d+\))?$/;

/**
 * One pass over the text that tracks object/array nesting outside strings and throws as soon as it
 * exceeds `maxDepth`, so a hostile 10,000-deep body never reaches `JSON.parse`.
 * Returns whether the text holds anything other than JSON whitespace (and a leading BOM).
 *
 * For valid JSON the count is exact: outside a string `"` always opens one, inside a string `\` always
 * escapes exactly one character (`\uXXXX` has no quote or backslash after the `u`). For invalid JSON
 * the count may be off, but `JSON.parse` then rejects the text anyway.
 */
function checkDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  let hasContent = false;
  for (let i = 0, n = text.length; i < n; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
      hasContent = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > maxDepth) throw new JsonDepthError(maxDepth);
      hasContent = true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
      hasContent = true;
    } else if (!hasContent && code !== SPACE && code !== TAB && code !== LF && code !== CR && !(i === 0 && code === BOM)) {
      hasContent = true;
    }
  }
  return hasContent;
}

function resolveMaxDepth(options: JsonBodyOptions | undefined): number {
  const maxDepth = options?.maxDepth ?? JSON_BODY_DEFAULTS.maxDepth;
  // A misconfigured limit is a programming error, not a bad request, so it is a RangeError.
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 0) {
    throw new RangeError(`maxDepth must be a non-negative integer, got ${String(maxDepth)}`);
  }
  return maxDepth;
}

function forbiddenKeyOf(text: string): string {
  // secure-json-parse reports both kinds with one message; re-checking __proto__ alone tells them
  // apart. This second parse only happens on a body that is being rejected anyway.
  try {
    sjson.parse(text, null, { protoAction: 'error', constructorAction: 'ignore' });
  } catch {
    return '__proto__';
  }
  return 'constructor.prototype';
}

/**
 * Parses a JSON request body safely:
 * - nesting deeper than `maxDepth` (default 64) throws {@link JsonDepthError}, checked in one linear
 *   pass before any parsing;
 * - a `__proto__` key, or a `constructor` object with a `prototype` key, anywhere (including when spelled
 *   with `\u` escapes) throws {@link JsonForbiddenKeyError}; such values are fine as string values;
 * - an empty or whitespace-only body, or anything that is not one RFC 8259 JSON value, throws
 *   {@link JsonSyntaxError}. A leading byte-order mark is ignored, as RFC 8259 section 8.1 permits.
 *
 * The caller is responsible for the body size limit and for decoding the bytes as UTF-8.
 * Duplicate keys follow `JSON.parse`: the last one wins.
 *
 * @example
 * parseJsonBody('{"name":"Ada"}');                  // { name: 'Ada' }
 * parseJsonBody('[[[1]]]', { maxDepth: 2 });        // throws JsonDepthError
 * parseJsonBody('{"__proto__":{"admin":true}}');    // throws JsonForbiddenKeyError
 */
export function parseJsonBody(text: string, options?: JsonBodyOptions): unknown {
  if (typeof text !== 'string') throw new TypeError('parseJsonBody expects the body as a string');
  const maxDepth = resolveMaxDepth(options);

  if (!checkDepth(text, maxDepth)) {
    throw new JsonSyntaxError('empty JSON body: the body must be one JSON value, such as an object or an array');
  }

  try {
    // The result is whatever JSON produced; `unknown` makes the caller validate before use.
    const value: unknown = sjson.parse(text, null, { protoAction: 'error', constructorAction: 'error' });
    return value;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    if (error.message === FORBIDDEN_MESSAGE) throw new JsonForbiddenKeyError(forbiddenKeyOf(text));
    // The engine's message can quote part of the body; it is dropped (not even kept as `cause`) so that
    // request content does not leak into responses or logs. Only the position survives.
    const match = POSITION_IN_MESSAGE.exec(error.message);
    const position = match?.[1] === undefined ? undefined : Number(match[1]);
    const where = position === undefined || position > text.length ? '' : ` at position ${position}`;
    throw new JsonSyntaxError(
      `malformed JSON body${where}: the body must be one valid JSON value (RFC 8259)`,
      where === '' ? undefined : position,
    );
  }
}
