/**
 * Validators and conditional requests for static files (RFC 9110 §8.8, §13, §14): the ETag and
 * Last-Modified of a file, whether a GET is answered 304, and which byte range a `Range` asks for.
 *
 * @module
 */

/** What identifies one representation of a file: its size and modification time, and its coding. */
export interface Validators {
  readonly etag: string;
  readonly lastModified: string;
  /** Modification time in whole seconds, the precision of an HTTP date. */
  readonly mtimeSeconds: number;
}

/**
 * Strong validators from size and mtime. The content coding is part of the tag, because a gzip
 * and a brotli body are different representations: a cache must never answer a br request
 * with a gzip body it validated under the same tag.
 */
export function validators(size: number, mtimeMs: number, coding: string | null): Validators {
  const ms = Math.floor(mtimeMs);
  const tag = `${size.toString(16)}-${ms.toString(16)}${coding === null ? '' : '-' + coding}`;
  return { etag: `"${tag}"`, lastModified: new Date(ms).toUTCString(), mtimeSeconds: Math.floor(ms / 1000) };
}

/** The opaque tags of an If-None-Match list, without `W/`; `['*']` for the wildcard. */
function tagsOf(header: string): string[] {
  const out: string[] = [];
  for (const raw of header.split(',')) {
    let t = raw.trim();
    if (t.startsWith('W/')) t = t.slice(2);
    if (t !== '') out.push(t);
  }
  return out;
}

/**
 * Whether a GET/HEAD is answered `304 Not Modified`. If-None-Match wins: when the client sent it,
 * If-Modified-Since is ignored (RFC 9110 §13.2.2). Tags compare weakly, as the RFC says for
 * If-None-Match. An unparsable date is ignored, never taken as "modified".
 */
export function notModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, v: Validators): boolean {
  if (ifNoneMatch !== undefined) {
    for (const t of tagsOf(ifNoneMatch)) if (t === '*' || t === v.etag) return true;
    return false;
  }
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    if (Number.isNaN(since)) return false;
    return v.mtimeSeconds <= Math.floor(since / 1000);
  }
  return false;
}

/** A byte range, inclusive at both ends as in `Content-Range`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * What a Range header asks for: `null` to send the whole file (no header, another unit, several
 * ranges, a malformed header, or an If-Range that no longer matches), `'unsatisfiable'` for a 416,
 * or one range. Several ranges would need a multipart body; serving the whole file instead is
 * allowed by RFC 9110 §14.2 and is what a client falls back to anyway.
 *
 * @example
 * parseRange('bytes=0-99', undefined, 1000, v)  // { start: 0, end: 99 }
 * parseRange('bytes=-100', undefined, 1000, v)  // { start: 900, end: 999 }
 * parseRange('bytes=2000-', undefined, 1000, v) // 'unsatisfiable'
 */
export function parseRange(header: string | undefined, ifRange: string | undefined, size: number, v: Validators): ByteRange | 'unsatisfiable' | null {
  if (header === undefined) return null;
  if (ifRange !== undefined && !ifRangeMatches(ifRange.trim(), v)) return null;
  const m = /^bytes=[ \t]*(\d*)-(\d*)[ \t]*$/i.exec(header);
  if (m === null) return null;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return null;
  // Longer than 15 digits cannot be a real offset; parsed as a number it would lose precision.
  if (first.length > 15 || last.length > 15) return first === '' ? null : 'unsatisfiable';
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return null; // invalid range-spec: ignore the header
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** If-Range holds a strong ETag (compared exactly) or the HTTP date of Last-Modified. */
function ifRangeMatches(value: string, v: Validators): boolean {
  if (value.startsWith('"')) return value === v.etag;
  if (value.startsWith('W/')) return false; // weak tags never validate a range
  return value === v.lastModified;
}
