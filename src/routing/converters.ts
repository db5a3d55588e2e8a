/**
 * Param converters: each checks a decoded segment in linear time with a char loop (no regular
 * expression runs on request input) and returns the converted value, or `undefined` for "this
 * route does not match", which becomes a 404.
 *
 * @module
 */
import type { ConverterName } from './pattern.js';

/** 15 digits always fit in a double without losing precision. */
const MAX_INT_DIGITS = 15;

function toInt(s: string): number | undefined {
  if (s.length === 0 || s.length > MAX_INT_DIGITS) return undefined;
  // A leading zero would give two URLs for one resource; refuse it except for "0" itself.
  if (s.length > 1 && s.charCodeAt(0) === 48) return undefined;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  return n;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function toUuid(s: string): string | undefined {
  if (s.length !== 36) return undefined;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return undefined;
    } else if (!isHex(c)) return undefined;
  }
  return s.toLowerCase();
}

function toSlug(s: string): string | undefined {
  if (s.length === 0) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 45 || c === 95;
    if (!ok) return undefined;
  }
  return s;
}

export const CONVERT: Readonly<Record<ConverterName, (s: string) => string | number | undefined>> = Object.freeze({
  int: toInt,
  uuid: toUuid,
  slug: toSlug,
});
