/**
 * Client file names: kept only as metadata, never in a path. They are cleaned so that showing one
 * in a page, a log or a download dialog cannot mislead or break anything, and encoded safely for
 * `Content-Disposition` (RFC 6266 with RFC 8187 `filename*`).
 *
 * @module
 */

/** Longest name kept, in characters (code points); longer names are cut, keeping the extension. */
export const MAX_FILENAME_LENGTH = 200;
/** The name used when nothing is left after cleaning (`..`, an empty name, only control characters). */
export const FALLBACK_FILENAME = 'file';

const MAX_EXTENSION_LENGTH = 16;

// Control characters (C0, DEL, C1), lone surrogates, line and paragraph separators, and the
// invisible characters used to disguise a name: bidi overrides turn "gpj.exe" into "exe.jpg" on
// screen (U+202E), zero-width spaces and the BOM hide characters.
const INVISIBLE = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/gu;
// Path separators, including the full-width forms that NFKC-normalising tools turn back into / and \.
const SEPARATORS = /[/\\\uFF0F\uFF3C]/;
// Characters Windows refuses in names and that quote or bracket HTML; replaced, not removed, so
// the name keeps its shape.
const RESERVED = /[<>:"|?*]/g;

/**
 * Cleans a client-supplied file name for use as metadata: only the last path segment (for both
 * `/` and `\`), no control, bidi or zero-width characters, `<>:"|?*` replaced by `_`, no leading
 * or trailing dots and spaces, at most `MAX_FILENAME_LENGTH` characters (the extension is kept).
 * Unicode letters are kept.
 *
 * @example
 * sanitizeFilename('../../etc/passwd')   // 'passwd'
 * sanitizeFilename('C:\\Users\\me\\cv.pdf') // 'cv.pdf'
 * sanitizeFilename('<script>.html')      // '_script_.html'
 * sanitizeFilename('履歴書.pdf')           // '履歴書.pdf'
 */
export function sanitizeFilename(name: string | undefined): string {
  if (typeof name !== 'string') return FALLBACK_FILENAME;
  let s = name.replace(INVISIBLE, '').normalize('NFC');
  const parts = s.split(SEPARATORS);
  s = parts[parts.length - 1] ?? '';
  s = s.replace(RESERVED, '_').replace(/\s+/gu, ' ');
  // Leading dots hide a file on Unix and make '..' out of nothing; trailing dots and spaces are
  // dropped by Windows, which would change the extension the user sees.
  s = s.replace(/^[\s.]+/u, '').replace(/[\s.]+$/u, '');
  const chars = Array.from(s);
  if (chars.length > MAX_FILENAME_LENGTH) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 ? Array.from(s.slice(dot)) : [];
    const keep = ext.length > 1 && ext.length <= MAX_EXTENSION_LENGTH ? ext : [];
    s = chars.slice(0, MAX_FILENAME_LENGTH - keep.length).join('').replace(/[\s.]+$/u, '') + keep.join('');
  }
  return s === '' ? FALLBACK_FILENAME : s;
}

// RFC 8187 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~".
// encodeURIComponent leaves ' ( ) * unescaped, which attr-char does not allow.
function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * A `Content-Disposition` value: an ASCII `filename="…"` for old clients (anything outside
 * printable ASCII, quotes, backslashes and `%` become `_`), and `filename*=UTF-8''…` with the
 * exact name for every current browser. The name is sanitized first.
 *
 * @example
 * contentDisposition('attachment', 'résumé.pdf')
 * // `attachment; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`
 */
export function contentDisposition(type: 'attachment' | 'inline', filename: string): string {
  const clean = sanitizeFilename(filename);
  const ascii = Array.from(clean, (c) => {
    const code = c.codePointAt(0)!;
    return code < 0x20 || code > 0x7e || c === '"' || c === '\\' || c === '%' ? '_' : c;
  }).join('');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(clean)}`;
}
