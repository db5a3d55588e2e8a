/**
 * Strict RFC 9110 (section 8.3.1) media-type parsing for `Content-Type` and similar headers.
 *
 * The parser is a single hand-written pass over the characters (no regular expressions), so its
 * cost is linear in the header length, and the header length itself is capped.
 *
 * @module
 */

/** A parsed media type such as `application/json; charset=utf-8`. */
export interface MediaType {
  /** Top-level type, lower-cased (`application`). */
  type: string;
  /** Subtype, lower-cased (`json`). */
  subtype: string;
  /** `type/subtype`, lower-cased (`application/json`). */
  essence: string;
  /** Parameters: names lower-cased, values unquoted with their case preserved. */
  parameters: Map<string, string>;
}

// Caps bound the work an attacker can ask of us and keep legitimate headers well inside them:
// real Content-Type values are a few dozen characters with one or two parameters.
const MAX_LENGTH = 1024;
const MAX_PARAMETERS = 16;

const HTAB = 0x09;
const SP = 0x20;
const DQUOTE = 0x22;
const SLASH = 0x2f;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const BACKSLASH = 0x5c;

// RFC 9110 tchar: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.
// A lookup table keeps the hot loop to one indexed read per character.
const TCHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TCHAR[ch.charCodeAt(0)] = 1;
}

function isTchar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

function isOws(code: number): boolean {
  return code === SP || code === HTAB;
}

// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E. RFC 9110 also allows obs-text (%x80-FF), which we
// refuse on purpose: no legitimate media-type parameter needs it and it invites charset confusion.
function isQdtext(code: number): boolean {
  return (
    code === HTAB ||
    code === SP ||
    code === 0x21 ||
    (code >= 0x23 && code <= 0x5b) ||
    (code >= 0x5d && code <= 0x7e)
  );
}

// quoted-pair = "\" ( HTAB / SP / VCHAR ); obs-text refused for the same reason as above.
function isQuotedPairChar(code: number): boolean {
  return code === HTAB || (code >= SP && code <= 0x7e);
}

/**
 * Parses a media type strictly per RFC 9110: `type "/" subtype *( OWS ";" OWS token "=" ( token / quoted-string ) )`,
 * with optional spaces or tabs around the whole value.
 *
 * Returns `null` for anything malformed: trailing junk, an empty parameter (`application/json;`), a parameter
 * without `=`, an unterminated quoted string, control or non-ASCII characters, a value longer than 1,024
 * characters, more than 16 parameters, or the same parameter twice (names compare case-insensitively).
 * Being strict here is deliberate: a lenient parser that disagrees with a proxy or a browser about what a
 * header means is how content-type confusion attacks start.
 *
 * @example
 * const mt = parseMediaType('Text/HTML; Charset="UTF-8"');
 * // mt.essence === 'text/html'; mt.parameters.get('charset') === 'UTF-8'
 * parseMediaType('application/json;'); // null
 */
export function parseMediaType(header: string): MediaType | null {
  // The runtime check protects JavaScript callers that hand us an array header or undefined.
  if (typeof header !== 'string' || header.length > MAX_LENGTH) return null;

  let i = 0;
  let end = header.length;
  while (i < end && isOws(header.charCodeAt(i))) i++;
  while (end > i && isOws(header.charCodeAt(end - 1))) end--;

  const typeStart = i;
  while (i < end && isTchar(header.charCodeAt(i))) i++;
  if (i === typeStart || i >= end || header.charCodeAt(i) !== SLASH) return null;
  const type = header.slice(typeStart, i).toLowerCase();
  i++;

  const subtypeStart = i;
  while (i < end && isTchar(header.charCodeAt(i))) i++;
  if (i === subtypeStart) return null;
  const subtype = header.slice(subtypeStart, i).toLowerCase();

  const parameters = new Map<string, string>();
  while (i < end) {
    while (i < end && isOws(header.charCodeAt(i))) i++;
    if (i >= end || header.charCodeAt(i) !== SEMICOLON) return null;
    i++;
    while (i < end && isOws(header.charCodeAt(i))) i++;

    const nameStart = i;
    while (i < end && isTchar(header.charCodeAt(i))) i++;
    if (i === nameStart || i >= end || header.charCodeAt(i) !== EQUALS) return null;
    const name = header.slice(nameStart, i).toLowerCase();
    i++;

    let value: string;
    if (i < end && header.charCodeAt(i) === DQUOTE) {
      i++;
      value = '';
      let segmentStart = i;
      for (;;) {
        if (i >= end) return null; // unterminated quoted-string
        const code = header.charCodeAt(i);
        if (code === DQUOTE) {
          value += header.slice(segmentStart, i);
          i++;
          break;
        }
        if (code === BACKSLASH) {
          value += header.slice(segmentStart, i);
          i++;
          if (i >= end || !isQuotedPairChar(header.charCodeAt(i))) return null;
          // The escaped character starts the next literal segment, so it is kept and the backslash dropped.
          segmentStart = i;
          i++;
          continue;
        }
        if (!isQdtext(code)) return null;
        i++;
      }
    } else {
      const valueStart = i;
      while (i < end && isTchar(header.charCodeAt(i))) i++;
      if (i === valueStart) return null;
      value = header.slice(valueStart, i);
    }

    if (parameters.has(name) || parameters.size >= MAX_PARAMETERS) return null;
    parameters.set(name, value);
  }

  return { type, subtype, essence: `${type}/${subtype}`, parameters };
}

// Both body types are only ever decoded as UTF-8, so any other declared charset must be refused
// rather than silently misread; any other parameter is refused because we would ignore it.
function isExactUtf8MediaType(header: string | undefined, essence: string): boolean {
  if (header === undefined) return false;
  const mediaType = parseMediaType(header);
  if (mediaType === null || mediaType.essence !== essence) return false;
  if (mediaType.parameters.size === 0) return true;
  if (mediaType.parameters.size !== 1) return false;
  const charset = mediaType.parameters.get('charset');
  return charset !== undefined && charset.toLowerCase() === 'utf-8';
}

/**
 * True only for `application/json`, optionally with the single parameter `charset=utf-8`
 * (value case-insensitive, quoted or not). Everything else is false: other charsets, other parameters,
 * `text/json`, and structured-syntax types such as `application/vnd.api+json` or `application/problem+json`.
 *
 * `+json` types are refused on purpose: only the exact type is parsed as JSON by default, so a route
 * that accepts a vendor type must opt in to it explicitly. Treating every `+json` as plain JSON would
 * silently accept payloads whose media type promises semantics (JSON:API, JSON Patch, ...) the handler
 * does not implement.
 *
 * @example
 * isJsonContentType('application/json; charset=UTF-8'); // true
 * isJsonContentType('application/vnd.api+json');       // false
 */
export function isJsonContentType(header: string | undefined): boolean {
  return isExactUtf8MediaType(header, 'application/json');
}

/**
 * True only for `application/x-www-form-urlencoded`, optionally with the single parameter `charset=utf-8`
 * (value case-insensitive, quoted or not). Other charsets or any other parameter make it false.
 *
 * @example
 * isFormContentType('application/x-www-form-urlencoded');                 // true
 * isFormContentType('application/x-www-form-urlencoded; charset=latin1'); // false
 */
export function isFormContentType(header: string | undefined): boolean {
  return isExactUtf8MediaType(header, 'application/x-www-form-urlencoded');
}
