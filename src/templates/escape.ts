/**
 * Runtime escapers, one per HTML context. The compiler picks one per `{{ }}` with `chooseEscaper`
 * (html-context.ts) and calls it on every render, so each has a fast path that returns the value
 * unchanged when nothing needs escaping, and all run in linear time.
 *
 * Values become text the same way everywhere: null and undefined are '', a {@link SafeHtml} is its
 * markup (emitted as is ONLY by {@link html}, in element text; every other escaper escapes that
 * markup like any string), anything else is `String(value)`. {@link jsValue} instead serialises the
 * value itself as JSON.
 *
 * Outputs of the escapers for unquoted attribute values never contain whitespace, quotes, `<`, `>` or
 * a backtick (nor `=`, except inside a URL, where it is an ordinary character of the value), so they
 * cannot end the value or start another attribute. An empty value is the one exception:
 * {@link attrUnquoted} and {@link urlUnquoted}, chosen only for an output at the very start of an
 * unquoted value, return `""` for it, because `title= href=x` would make `href=x` the value of
 * `title` (`title=""` is exactly an empty value). That `""` ends the value, so text the template
 * writes right after such an output is read differently when it is empty; the context tracker
 * follows both readings and refuses outputs until they agree. Further into an unquoted value
 * ({@link attrUnquotedRest}, {@link urlUnquotedRest}, {@link urlPartUnquoted} and the JS/CSS
 * ones) the value already has a character, and an empty output adds nothing.
 *
 * @module
 */
import { escapeHtml, isSafeHtml, renderedHtml, toHtml } from '../http/html.js';
import type { EscaperName } from './html-context.js';

/**
 * What a URL attribute gets instead of a URL whose scheme is not allowed. `about:invalid` is inert
 * everywhere (a link to it goes nowhere, an `<img>` or `<script>` fetches nothing, a form posts
 * nowhere), unlike `#`, which would reload the page for `src="#"`; the fragment makes blocked values
 * easy to find in a page.
 */
export const SAFE_URL_FALLBACK = 'about:invalid#rampart-blocked';

/** Schemes a URL output may carry; anything else with a scheme becomes {@link SAFE_URL_FALLBACK}. */
export const ALLOWED_URL_SCHEMES: ReadonlySet<string> = new Set(['http', 'https', 'mailto', 'tel']);

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (isSafeHtml(value)) return value.toString();
  if (typeof value === 'object' && typeof (value as { [toHtml]?: unknown })[toHtml] === 'function') {
    // A form printed where markup cannot go would print "[object Object]": say what happened.
    throw new TypeError('A value that renders as markup (a form or a form field) is printed outside element text; print it between tags, or print one of its parts, e.g. {{ form.fields.title.value }}.');
  }
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Table-driven replacement of ASCII characters

type Table = ReadonlyArray<string | undefined>;

function asciiTable(entries: Record<string, string>): Table {
  const table: (string | undefined)[] = Array.from({ length: 128 }, () => undefined);
  for (const [ch, replacement] of Object.entries(entries)) table[ch.charCodeAt(0)] = replacement;
  return table;
}

/** Replaces the ASCII characters that have an entry in `table`; other characters are kept. */
function replaceAscii(s: string, table: Table): string {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 128 && table[c] !== undefined) break;
  }
  if (i === n) return s;
  let out = s.slice(0, i);
  let last = i;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) continue;
    const r = table[c];
    if (r === undefined) continue;
    if (last !== i) out += s.slice(last, i);
    out += r;
    last = i + 1;
  }
  if (last !== n) out += s.slice(last);
  return out;
}

// ---------------------------------------------------------------------------------------------
// HTML text and attributes

/**
 * Element text: HTML-escapes the value; a {@link SafeHtml}, or the SafeHtml an object renders through
 * `toHtml` (`{{ form }}`), is emitted as is (the only place it is).
 */
export function html(value: unknown): string {
  if (typeof value === 'string') return escapeHtml(value);
  if (value === null || value === undefined) return '';
  if (isSafeHtml(value)) return value.toString();
  if (typeof value === 'object') {
    const own = renderedHtml(value);
    if (own !== undefined) return own;
  }
  return escapeHtml(String(value));
}

/** Text of `<title>`, `<textarea>` and RAWTEXT elements: HTML-escapes, a SafeHtml included. */
export function rcdata(value: unknown): string {
  return escapeHtml(toText(value));
}

const ATTR_TABLE = asciiTable({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' });

/** Quoted attribute value (either quote): escapes `& < > " '` and the backtick. */
export function attr(value: unknown): string {
  return replaceAscii(toText(value), ATTR_TABLE);
}

// Every ASCII character but [A-Za-z0-9_.-] as a character reference; non-ASCII characters cannot end
// an unquoted value (only ASCII whitespace and `>` do), so they stay readable.
const UNQUOTED_TABLE: Table = Array.from({ length: 128 }, (_, c) => {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9_.-]/.test(ch)) return undefined;
  return ATTR_TABLE[c] ?? `&#${c};`;
});

function escapeUnquoted(s: string): string {
  return s === '' ? '""' : replaceAscii(s, UNQUOTED_TABLE);
}

/** Start of an unquoted attribute value: every ASCII character outside `[A-Za-z0-9_.-]` as a reference; '' → `""`. */
export function attrUnquoted(value: unknown): string {
  return escapeUnquoted(toText(value));
}

/**
 * An unquoted attribute value after its first character (`class=a{{ x }}`): as {@link attrUnquoted},
 * but '' stays '' (the value is not empty, and `""` would become part of it).
 */
export function attrUnquotedRest(value: unknown): string {
  return replaceAscii(toText(value), UNQUOTED_TABLE);
}

// ---------------------------------------------------------------------------------------------
// URLs

const HEX = '0123456789ABCDEF';

function percent(code: number): string {
  return '%' + HEX[code >> 4]! + HEX[code & 15]!;
}

function charSet(chars: string): Uint8Array {
  const set = new Uint8Array(128);
  for (let c = 0; c < 128; c++) if (chars.includes(String.fromCharCode(c))) set[c] = 1;
  return set;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// Unreserved and reserved URL characters, kept so URLs keep working; `'`, `(` and `)` are encoded
// (as Go does) so a URL can also sit in a single-quoted attribute or a CSS url(). `%` is kept so an
// already-encoded URL is not encoded twice.
const URL_KEEP = charSet(ALNUM + "-._~:/?#[]@!$&*+,;=%");
// encodeURIComponent's set, minus `!'()*`.
const URL_PART_KEEP = charSet(ALNUM + '-._~');

/** Percent-encodes (UTF-8) every character outside `keep`; drops tab, CR and LF as browsers do. */
function percentEncode(s: string, keep: Uint8Array, dropTabNewline: boolean): string {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || keep[c] !== 1) break;
  }
  if (i === n) return s;
  let out = s.slice(0, i);
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) {
      if (keep[c] === 1) out += s[i];
      else if (!(dropTabNewline && (c === 0x09 || c === 0x0a || c === 0x0d))) out += percent(c);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += '%EF%BF%BD'; // a lone surrogate: U+FFFD, as a UTF-8 encoder writes it
    } else {
      out += encodeURIComponent(s[i]!);
    }
  }
  return out;
}

/**
 * Whether the URL (already trimmed) has no scheme or an allowed one. The scheme is what comes before
 * the first `:` if no `/`, `?` or `#` comes before it; tab, CR and LF are ignored inside it, as the
 * URL parser removes them (`java\tscript:`), and it is compared ASCII-case-insensitively. A value
 * with a colon before its first `/?#` and no allowed scheme is refused even where a browser would
 * read a relative path (`1a:b`): stricter than needed, never looser.
 */
function schemeAllowed(s: string): boolean {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2f || c === 0x3f || c === 0x23) return true; // / ? #: relative
    if (c !== 0x3a) continue;
    let scheme = '';
    for (let j = 0; j < i; j++) {
      const d = s.charCodeAt(j);
      if (d === 0x09 || d === 0x0a || d === 0x0d) continue;
      if (d >= 0x41 && d <= 0x5a) scheme += String.fromCharCode(d + 32);
      else scheme += s[j];
    }
    return ALLOWED_URL_SCHEMES.has(scheme);
  }
  return true;
}

// A whole value made of scheme characters (`javascript`) would become a scheme if the template
// continued it with a literal colon (`href="{{ x }}:..."`); `./` keeps it a relative path, which
// resolves to exactly the same URL.
const SCHEME_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*$/;

function filterUrl(raw: string): string {
  // The URL parser strips leading and trailing C0 controls and spaces.
  let start = 0;
  let end = raw.length;
  while (start < end && raw.charCodeAt(start) <= 0x20) start++;
  while (end > start && raw.charCodeAt(end - 1) <= 0x20) end--;
  const s = start === 0 && end === raw.length ? raw : raw.slice(start, end);
  if (!schemeAllowed(s)) return SAFE_URL_FALLBACK;
  const encoded = percentEncode(s, URL_KEEP, true);
  const url = SCHEME_LIKE.test(encoded) ? './' + encoded : encoded;
  // After encoding, `&` is the only character left that means something in an attribute value.
  return url.includes('&') ? url.replaceAll('&', '&amp;') : url;
}

/**
 * A whole URL in a quoted URL attribute: only http, https, mailto, tel and relative URLs pass (the
 * scheme read as the browser reads it), anything else becomes {@link SAFE_URL_FALLBACK}; then the
 * characters not allowed in URLs are percent-encoded and `&` becomes `&amp;`.
 */
export function url(value: unknown): string {
  return filterUrl(toText(value));
}

/** {@link url} at the start of an unquoted attribute value (its output is already safe there); '' → `""`. */
export function urlUnquoted(value: unknown): string {
  const out = filterUrl(toText(value));
  return out === '' ? '""' : out;
}

/**
 * {@link url} where a URL starts inside an unquoted value that already has a character (after
 * controls the URL parser strips, `href=\x01{{ u }}`, or after a comma of `srcset`): '' stays ''.
 */
export function urlUnquotedRest(value: unknown): string {
  return filterUrl(toText(value));
}

/** A part of a URL after its start (path segment, query value): encodeURIComponent plus `!'()*`. */
export function urlPart(value: unknown): string {
  return percentEncode(toText(value), URL_PART_KEEP, false);
}

/** {@link urlPart} for an unquoted attribute value: the same characters, all safe there. */
export function urlPartUnquoted(value: unknown): string {
  return percentEncode(toText(value), URL_PART_KEEP, false);
}

// ---------------------------------------------------------------------------------------------
// JavaScript

const JSON_SCRIPT_TABLE = asciiTable({ '<': '\\u003c', '>': '\\u003e', '&': '\\u0026' });

function escapeJsonForHtml(json: string): string {
  let out = replaceAscii(json, JSON_SCRIPT_TABLE);
  if (out.includes('\u2028')) out = out.replaceAll('\u2028', '\\u2028');
  if (out.includes('\u2029')) out = out.replaceAll('\u2029', '\\u2029');
  return out;
}

/**
 * A value in `<script>` code, as JSON (objects and arrays too; undefined, functions and symbols are
 * `null`; a bigint is its digits). `<`, `>`, `&`, U+2028 and U+2029 become `\u` escapes, so neither
 * `</script>` nor `<!--` can appear, and the result is still valid JSON. A negative number gets a
 * leading space so `x-{{ n }}` cannot become `x--1`.
 */
export function jsValue(value: unknown): string {
  let json: string | undefined;
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') json = JSON.stringify(value);
  else if (typeof value === 'bigint') json = value.toString();
  else if (isSafeHtml(value)) json = JSON.stringify(value.toString());
  else json = JSON.stringify(value);
  if (json === undefined) return 'null';
  json = escapeJsonForHtml(json);
  return json.charCodeAt(0) === 0x2d ? ' ' + json : json;
}

function unicodeEscape(c: number): string {
  return '\\u' + c.toString(16).padStart(4, '0');
}

// Quotes, backslash, the template-literal characters (`` ` ``, `$`, `{`, `}`), HTML-significant
// characters and `=` (so the result is also safe in a quoted attribute), and controls. `\u` escapes
// rather than `\x` so the result is also valid inside a JSON string (`<script type=application/json>`).
const JS_STRING_TABLE: Table = Array.from({ length: 128 }, (_, c) => {
  if (c < 0x20 || c === 0x7f || `"'\`\\$<>&={}`.includes(String.fromCharCode(c))) return unicodeEscape(c);
  return undefined;
});

function escapeJsString(s: string): string {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 128 ? JS_STRING_TABLE[c] !== undefined : c === 0x2028 || c === 0x2029) break;
  }
  if (i === n) return s;
  let out = s.slice(0, i);
  let last = i;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    let r: string | undefined;
    if (c < 128) r = JS_STRING_TABLE[c];
    else if (c === 0x2028 || c === 0x2029) r = unicodeEscape(c);
    if (r === undefined) continue;
    if (last !== i) out += s.slice(last, i);
    out += r;
    last = i + 1;
  }
  if (last !== n) out += s.slice(last);
  return out;
}

/** Inside a JS string or template literal in `<script>` (any quote). */
export function jsString(value: unknown): string {
  return escapeJsString(toText(value));
}

/** Inside a JS string in a quoted event-handler attribute (the {@link jsString} output is attribute-safe). */
export const jsStringAttr: (value: unknown) => string = jsString;

/** Inside a JS string in an unquoted event-handler attribute. */
export function jsStringAttrUnquoted(value: unknown): string {
  return replaceAscii(escapeJsString(toText(value)), UNQUOTED_TABLE);
}

// ---------------------------------------------------------------------------------------------
// CSS

function isAsciiAlnumCode(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function escapeCss(s: string): string {
  const n = s.length;
  let i = 0;
  while (i < n && isAsciiAlnumCode(s.charCodeAt(i))) i++;
  if (i === n) return s;
  let out = s.slice(0, i);
  let last = i;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isAsciiAlnumCode(c)) {
      i++;
      continue;
    }
    if (last !== i) out += s.slice(last, i);
    const cp = s.codePointAt(i)!;
    // The space ends the hex escape, so a following hex digit is not swallowed by it.
    out += '\\' + cp.toString(16) + ' ';
    i += cp > 0xffff ? 2 : 1;
    last = i;
  }
  if (last !== n) out += s.slice(last);
  return out;
}

/** Inside a quoted CSS string in `<style>`: every character but ASCII letters and digits as `\HEX `. */
export function cssString(value: unknown): string {
  return escapeCss(toText(value));
}

/** Inside a CSS string in a quoted `style` attribute (the {@link cssString} output is attribute-safe). */
export const cssStringAttr: (value: unknown) => string = cssString;

/** Inside a CSS string in an unquoted `style` attribute. */
export function cssStringAttrUnquoted(value: unknown): string {
  return replaceAscii(escapeCss(toText(value)), UNQUOTED_TABLE);
}

/** Every escaper by the name `chooseEscaper` returns. */
export const ESCAPERS: Readonly<Record<EscaperName, (value: unknown) => string>> = Object.freeze({
  html,
  rcdata,
  attr,
  attrUnquoted,
  attrUnquotedRest,
  url,
  urlUnquoted,
  urlUnquotedRest,
  urlPart,
  urlPartUnquoted,
  jsValue,
  jsString,
  jsStringAttr,
  jsStringAttrUnquoted,
  cssString,
  cssStringAttr,
  cssStringAttrUnquoted,
});
