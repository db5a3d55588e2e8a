/**
 * One-off defaults: the value existing rows get when a NOT NULL column is added (or comes back on
 * unapply, or loses its NULLs). Checked against the column type where the migration is made, so a
 * typo fails at makeMigrations rather than halfway through a deployment, and converted for each
 * driver the way the model layer stores values.
 *
 * @module
 */
import type { DialectName } from '../connection.js';
import type { Field } from '../fields.js';
import type { ColumnType } from '../schema-state.js';
import type { DefaultValue } from './types.js';

const INT32 = 2 ** 31;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DECIMAL_RE = /^-?(\d+)(?:\.(\d+))?$/;

/** `varchar(200)`, `decimal(8,2)`, `text`: a type as people write it. */
export function typeLabel(t: ColumnType): string {
  if (t.type === 'varchar') return `varchar(${t.length})`;
  if (t.type === 'decimal') return `decimal(${t.precision},${t.scale})`;
  return t.type;
}

function isJson(v: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJson(x, depth + 1));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).every((x) => isJson(x, depth + 1));
  return false;
}

function validDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (m === null) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/**
 * Why `value` cannot fill a column of type `t`, or null when it can.
 */
export function defaultProblem(t: ColumnType, value: unknown, nullable: boolean): string | null {
  if (value === null) return nullable ? null : 'NULL cannot fill a NOT NULL column';
  switch (t.type) {
    case 'id':
      return 'the id column is filled by the database';
    case 'varchar':
      if (typeof value !== 'string') return `expected a string of at most ${t.length} characters`;
      return [...value].length > t.length ? `'${value.slice(0, 40)}' is longer than ${t.length} characters` : null;
    case 'text':
      return typeof value === 'string' ? null : 'expected a string';
    case 'uuid':
      return typeof value === 'string' && UUID_RE.test(value) ? null : "expected a UUID such as '00000000-0000-0000-0000-000000000000'";
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= -INT32 && value < INT32 ? null : 'expected a 32-bit integer';
    case 'bigint': {
      const ok = (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && /^-?\d{1,19}$/.test(value));
      if (!ok) return 'expected an integer';
      const n = BigInt(value as string | number);
      return n >= INT64_MIN && n <= INT64_MAX ? null : 'expected a 64-bit integer';
    }
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'expected a finite number';
    case 'decimal': {
      const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
      const m = typeof text === 'string' ? DECIMAL_RE.exec(text) : null;
      if (m === null) return `expected a decimal number as a string, such as '0.00'`;
      const intDigits = m[1]!.replace(/^0+(?=\d)/, '').length;
      const fracDigits = (m[2] ?? '').length;
      return intDigits > t.precision - t.scale || fracDigits > t.scale ? `'${String(text)}' does not fit decimal(${t.precision},${t.scale})` : null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : 'expected true or false';
    case 'date':
      return typeof value === 'string' && validDate(value) ? null : "expected a date as 'YYYY-MM-DD'";
    case 'datetime':
      return typeof value === 'string' && DATETIME_RE.test(value) && !Number.isNaN(Date.parse(value))
        ? null
        : "expected an ISO 8601 time with a zone, such as '2024-01-31T12:00:00Z'";
    case 'json':
      return isJson(value) ? null : 'expected a JSON value';
  }
}

/** The value as the driver of `dialect` takes it for a column of type `t` (as the model layer stores it). */
export function driverValue(t: ColumnType, value: DefaultValue, dialect: DialectName): unknown {
  if (value === null) return null;
  switch (t.type) {
    case 'boolean':
      return dialect === 'postgres' ? value : value === true ? 1 : 0;
    case 'datetime':
      // SQLite stores ISO 8601 UTC text; the other drivers take a Date and write it in UTC.
      return dialect === 'sqlite' ? new Date(value as string).toISOString() : new Date(value as string);
    case 'json':
      return JSON.stringify(value);
    case 'decimal':
      return String(value);
    case 'bigint':
      return dialect === 'sqlite' ? BigInt(value as string | number) : String(value);
    case 'uuid':
      return (value as string).toLowerCase();
    default:
      return value;
  }
}

/**
 * The answer to a "which default?" question as a value for type `t`, or undefined when it cannot
 * be read as one. Strings are taken as they are for text-like types (no quotes needed).
 */
export function parseAnswer(t: ColumnType, answer: string | boolean): DefaultValue | undefined {
  if (typeof answer === 'boolean') return t.type === 'boolean' ? answer : undefined;
  const s = answer.trim();
  switch (t.type) {
    case 'varchar':
    case 'text':
      return answer;
    case 'integer':
    case 'double':
      return s === '' || Number.isNaN(Number(s)) ? undefined : Number(s);
    case 'bigint':
      return /^-?\d+$/.test(s) ? (Number.isSafeInteger(Number(s)) ? Number(s) : s) : undefined;
    case 'boolean':
      return /^(true|yes|y|1)$/i.test(s) ? true : /^(false|no|n|0)$/i.test(s) ? false : undefined;
    case 'json':
      try {
        return JSON.parse(s) as DefaultValue;
      } catch {
        return undefined;
      }
    default:
      return s;
  }
}

/** A neutral value of a type: what a removed NOT NULL column is refilled with when unapplied. */
export function zeroValue(t: ColumnType): DefaultValue {
  switch (t.type) {
    case 'varchar':
    case 'text':
      return '';
    case 'integer':
    case 'bigint':
    case 'double':
      return 0;
    case 'decimal':
      return '0';
    case 'boolean':
      return false;
    case 'date':
      return '1970-01-01';
    case 'datetime':
      return '1970-01-01T00:00:00.000Z';
    case 'json':
      return {};
    case 'uuid':
      return '00000000-0000-0000-0000-000000000000';
    case 'id':
      return 0;
  }
}

/** A model field's `default` when it is a plain value (not a function), as a one-off default. */
export function literalDefault(f: Field): DefaultValue | undefined {
  const d = f.options.default;
  if (d === undefined || typeof d === 'function') return undefined;
  if (d instanceof Date) return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  if (typeof d === 'bigint') return Number.isSafeInteger(Number(d)) ? Number(d) : String(d);
  return isJson(d) ? (d as DefaultValue) : undefined;
}
