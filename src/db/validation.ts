/**
 * Validation from the field definitions: types, lengths, ranges, formats, choices and required
 * values, returning every error keyed by field. Create and update run it; forms and the admin
 * reuse it.
 *
 * @module
 */
import { HttpError } from '../http/errors.js';
import type { Field } from './fields.js';
import type { AnyModel, ColumnInfo } from './model.js';

/** Errors keyed by field name (row key for foreign keys: `author_id`). */
export type FieldErrors = Record<string, string[]>;

/**
 * The values given to create or update are invalid. It is a 422 when it reaches the HTTP layer;
 * `errors` has every message keyed by field.
 *
 * @example
 * try { await db.query(Post).create({ title: '' }) }
 * catch (err) { if (err instanceof ValidationError) console.log(err.errors.title) }
 */
export class ValidationError extends HttpError {
  readonly errors: FieldErrors;
  constructor(errors: FieldErrors, modelName?: string) {
    const fields = Object.keys(errors);
    const first = fields[0] === undefined ? '' : `${fields[0]}: ${errors[fields[0]]![0]}`;
    super(422, `Invalid ${modelName ?? 'values'}: ${first}${fields.length > 1 ? ` (and ${fields.length - 1} more field${fields.length > 2 ? 's' : ''})` : ''}`, {
      code: 'E_DB_VALIDATION',
      expose: true,
      details: { fields: errors },
    });
    this.errors = errors;
  }
}

const INT32 = { min: -2147483648, max: 2147483647 };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG_RE = /^[-a-zA-Z0-9_]+$/;
// Deliberately simple: one @, no spaces or control characters, a dotted domain. Deliverability is
// only proven by sending a message; this refuses what is certainly not an address.
const EMAIL_RE = /^[^\s@<>()[\]\\,;:"\x00-\x1f\x7f]+@(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL_RE = /^[-+]?(\d+)(?:\.(\d+))?$/;

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

/** A calendar date that exists (no 2023-02-30). */
export function isValidDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (m === null) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= days;
}

function isJson(value: unknown, depth: number): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(value as object).every((v) => isJson(v, depth + 1));
  }
  return false;
}

function checkString(f: Field, v: unknown, out: string[]): v is string {
  if (typeof v !== 'string') {
    out.push('Enter text.');
    return false;
  }
  if (v.includes('\0')) {
    out.push('Null characters are not allowed.');
    return false;
  }
  const o = f.options;
  // Text fields accept '' unless told otherwise; every other string field refuses it unless told.
  if (v === '' && (o.blank ?? f.kind === 'text') !== true) {
    out.push('This field cannot be blank.');
    return false;
  }
  const n = codePoints(v);
  if (typeof o.maxLength === 'number' && n > o.maxLength) out.push(`Ensure this value has at most ${o.maxLength} characters (it has ${n}).`);
  if (typeof o.minLength === 'number' && n < o.minLength && v !== '') out.push(`Ensure this value has at least ${o.minLength} characters (it has ${n}).`);
  return out.length === 0;
}

function checkRange<T extends number | bigint>(v: T, o: Readonly<Record<string, unknown>>, out: string[]): void {
  if (o.min !== undefined && v < (o.min as T)) out.push(`Ensure this value is greater than or equal to ${String(o.min)}.`);
  if (o.max !== undefined && v > (o.max as T)) out.push(`Ensure this value is less than or equal to ${String(o.max)}.`);
}

function checkDecimal(f: Field, v: unknown, out: string[]): void {
  if (typeof v !== 'string' || !DECIMAL_RE.test(v)) {
    out.push('Enter a number as a string of digits, e.g. "19.99".');
    return;
  }
  const m = DECIMAL_RE.exec(v)!;
  const whole = m[1]!.replace(/^0+(?=\d)/, '');
  const frac = m[2] ?? '';
  const places = Number(f.options.decimalPlaces);
  const digits = Number(f.options.maxDigits);
  if (frac.length > places) out.push(`Ensure there are no more than ${places} decimal places.`);
  else if (whole.length + places > digits) out.push(`Ensure there are no more than ${digits - places} digits before the decimal point.`);
  const n = Number(v);
  const o = f.options;
  if (o.min !== undefined && n < Number(o.min)) out.push(`Ensure this value is greater than or equal to ${String(o.min)}.`);
  if (o.max !== undefined && n > Number(o.max)) out.push(`Ensure this value is less than or equal to ${String(o.max)}.`);
}

/** The messages for one value of one field; empty when the value is valid. */
export function validateValue(f: Field, v: unknown): string[] {
  const out: string[] = [];
  if (v === null) {
    if (!f.nullable) out.push('This field cannot be null.');
    return out;
  }
  if (v === undefined) {
    out.push('This field is required.');
    return out;
  }
  const o = f.options;
  switch (f.kind) {
    case 'string':
    case 'text':
      checkString(f, v, out);
      break;
    case 'email':
      if (checkString(f, v, out) && v !== '' && !EMAIL_RE.test(v)) out.push('Enter a valid email address.');
      break;
    case 'url':
      if (checkString(f, v, out) && v !== '') {
        let ok = false;
        try {
          const u = new URL(v);
          ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && !/[\s\x00-\x1f]/.test(v);
        } catch {
          ok = false;
        }
        if (!ok) out.push('Enter a valid URL starting with http:// or https://.');
      }
      break;
    case 'slug':
      if (checkString(f, v, out) && v !== '' && !SLUG_RE.test(v)) out.push('Enter a valid slug: letters, numbers, underscores or hyphens.');
      break;
    case 'uuid':
      if (typeof v !== 'string' || !UUID_RE.test(v)) out.push('Enter a valid UUID.');
      break;
    case 'choices':
      if (typeof v !== 'string' || !f.choices!.includes(v)) out.push(`Choose one of: ${f.choices!.join(', ')}.`);
      break;
    case 'id':
    case 'foreignKey':
    case 'oneToOne':
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) out.push('Enter a valid id (a positive whole number).');
      break;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) out.push('Enter a whole number.');
      else if (v < INT32.min || v > INT32.max) out.push(`Ensure this value is between ${INT32.min} and ${INT32.max}.`);
      else checkRange(v, o, out);
      break;
    case 'bigint':
      if (typeof v !== 'bigint') out.push('Enter a whole number (a bigint).');
      else if (v < INT64.min || v > INT64.max) out.push(`Ensure this value is between ${INT64.min} and ${INT64.max}.`);
      else checkRange(v, o, out);
      break;
    case 'float':
      if (typeof v !== 'number' || !Number.isFinite(v)) out.push('Enter a number.');
      else checkRange(v, o, out);
      break;
    case 'decimal':
      checkDecimal(f, v, out);
      break;
    case 'boolean':
      if (typeof v !== 'boolean') out.push('Enter true or false.');
      break;
    case 'date':
      if (typeof v !== 'string' || !isValidDate(v)) out.push('Enter a valid date (YYYY-MM-DD).');
      break;
    case 'datetime':
      if (!(v instanceof Date) || Number.isNaN(v.getTime())) out.push('Enter a valid date and time.');
      else if (v.getUTCFullYear() < 1 || v.getUTCFullYear() > 9999) out.push('Enter a date between the years 1 and 9999.');
      break;
    case 'json':
      if (!isJson(v, 0)) out.push('Enter a JSON value (objects, arrays, strings, finite numbers, booleans, null).');
      break;
    case 'manyToMany':
      break;
  }
  if (out.length === 0 && Array.isArray(o.validators)) {
    for (const check of o.validators as ((value: unknown) => string | undefined | null | void)[]) {
      const msg = check(v);
      if (typeof msg === 'string' && msg !== '') out.push(msg);
    }
  }
  return out;
}

function defaultOf(f: Field): unknown {
  const d = f.options.default;
  if (typeof d === 'function') return (d as () => unknown)();
  if (d !== undefined) return d;
  if (f.kind === 'datetime' && (f.options.autoNow === true || f.options.autoNowAdd === true)) return new Date();
  if (f.nullable) return null;
  return undefined;
}

/**
 * Checks and completes the values of a create (defaults filled in) or an update (only given
 * fields, `autoNow` datetimes refreshed). Unknown keys are errors. Throws `ValidationError` with
 * every problem.
 *
 * @example const row = prepareValues(Post, { title: 'Hi' }, 'create')
 */
export function prepareValues(m: AnyModel, values: Readonly<Record<string, unknown>>, mode: 'create' | 'update'): Record<string, unknown> {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new ValidationError({ __all__: ['Expected an object of field values.'] }, m.table);
  }
  const errors: FieldErrors = {};
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(values)) {
    const info = m.byKey.get(key);
    if (info === undefined || info.key !== key) {
      errors[key] = [info === undefined ? `Unknown field '${key}' for ${m.table}.` : `Set the foreign key as '${info.key}'.`];
    }
  }
  for (const info of m.columns as readonly ColumnInfo[]) {
    const f = info.def;
    let v = Object.hasOwn(values, info.key) ? values[info.key] : undefined;
    if (f.kind === 'id') {
      if (v === undefined) continue;
    } else if (mode === 'create' && v === undefined) {
      v = defaultOf(f);
    } else if (mode === 'update' && f.kind === 'datetime' && f.options.autoNow === true && v === undefined) {
      v = new Date();
    }
    if (mode === 'update' && v === undefined) continue;
    const msgs = validateValue(f, v);
    if (msgs.length > 0) errors[info.key] = msgs;
    else out[info.key] = v;
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors, m.table);
  return out;
}
