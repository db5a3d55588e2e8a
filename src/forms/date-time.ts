/**
 * Dates and times as HTML inputs send and show them. A `datetime-local` input has no time zone:
 * its value is read in the form's `timeZone` (UTC by default), and a `Date` is shown in it. A
 * value with an offset (`Z`, `+02:00`, as JSON clients send) is read as such.
 *
 * @module
 */
import { isValidDate } from '../db/validation.js';

// 2024-05-01T10:30, with optional seconds and fraction, `T` or a space, and an optional offset.
const DATETIME_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether the runtime knows an IANA time zone name (`Europe/Paris`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  // Not Date.UTC: it reads years 0 to 99 as 1900 to 1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

/** Milliseconds to add to a UTC instant to get the wall-clock time of `timeZone`. */
function offsetAt(instant: number, timeZone: string): number {
  if (timeZone === 'UTC') return 0;
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = utc(parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!, 0);
  return wall - (instant - (((instant % 1000) + 1000) % 1000));
}

/**
 * Reads a date and time: `2024-05-01T10:30`, with optional seconds, fraction and offset. Without
 * an offset the wall-clock time is in `timeZone`: a time skipped by a daylight-saving change moves
 * forward by the gap, a time that happens twice is one of its two instants. Null when it is not a
 * date and time.
 */
export function parseDateTime(value: string, timeZone: string): Date | null {
  const m = DATETIME_RE.exec(value);
  if (m === null || !isValidDate(m[1]!)) return null;
  const [y, mo, d] = m[1]!.split('-').map(Number) as [number, number, number];
  const h = Number(m[2]);
  const mi = Number(m[3]);
  const s = m[4] === undefined ? 0 : Number(m[4]);
  if (h > 23 || mi > 59 || s > 59) return null;
  const ms = m[5] === undefined ? 0 : Number(m[5].padEnd(3, '0').slice(0, 3));
  const wall = utc(y, mo, d, h, mi, s, ms);
  const zone = m[6];
  if (zone !== undefined) {
    if (zone.toUpperCase() === 'Z') return new Date(wall);
    const digits = zone.replace(':', '');
    const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
    if (Number(digits.slice(1, 3)) > 23 || Number(digits.slice(3, 5)) > 59) return null;
    return new Date(wall - (digits[0] === '-' ? -1 : 1) * minutes * 60_000);
  }
  // The offset at the wall time read as UTC is right except near a change; a second look settles it.
  const first = offsetAt(wall, timeZone);
  const second = offsetAt(wall - first, timeZone);
  return new Date(wall - (first === second ? first : Math.min(first, second)));
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A `Date` as a `datetime-local` value in `timeZone`: `2024-05-01T10:30`, seconds when not zero. */
export function formatDateTime(date: Date, timeZone: string): string {
  const t = date.getTime();
  if (Number.isNaN(t)) return '';
  const local = new Date(t + offsetAt(t, timeZone));
  const base = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}T${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}`;
  return local.getUTCSeconds() === 0 ? base : `${base}:${pad(local.getUTCSeconds(), 2)}`;
}
