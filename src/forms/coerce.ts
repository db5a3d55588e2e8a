/**
 * From what a client sent to a candidate value of a field's type. HTML forms send strings: a
 * number input's text becomes a number, a checkbox's presence a boolean, a `datetime-local` value a
 * `Date`. JSON clients send typed values, which are taken as they are (a string is not a number).
 * Text that cannot be read is passed on unchanged, so the model rules give their usual message
 * ("Enter a whole number.").
 *
 * @module
 */
import { JSON_BODY_DEFAULTS, parseJsonBody } from '../http/json-body.js';
import { parseDateTime } from './date-time.js';
import { FORM_DEFAULTS } from './form-defaults.js';
import type { FieldSpec } from './field-spec.js';
import { FORM_MESSAGES, messageFor } from './form-errors.js';
import type { FormRule } from './form-fields.js';

/** What the client sent for one field. */
export type RawField =
  /** From an urlencoded or multipart body or a query string: every value of the name, none when absent. */
  | { readonly source: 'text'; readonly values: readonly string[] }
  /** From a JSON object. */
  | { readonly source: 'json'; readonly present: boolean; readonly value: unknown };

/** The outcome for one field: nothing given, a candidate value, or an error already. */
export type Coerced =
  | { readonly kind: 'empty'; readonly absent: boolean }
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'error'; readonly rule: FormRule; readonly message: string };

// Plain decimal numbers only (no 0x, no separators), short enough for any field: 20 digits is
// past every safe integer, 40 past every int64.
const INT_RE = /^[-+]?\d{1,20}$/;
const BIGINT_RE = /^[-+]?\d{1,40}$/;
const FLOAT_RE = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const MAX_NUMBER_TEXT = FORM_DEFAULTS.maxNumberTextLength;
const FALSE_TEXT: ReadonlySet<string> = new Set(['', 'false', '0', 'off', 'no']);

function error(spec: FieldSpec, rule: FormRule, builtIn: string): Coerced {
  return { kind: 'error', rule, message: messageFor(spec.messages, rule, builtIn) };
}

function value(v: unknown): Coerced {
  return { kind: 'value', value: v };
}

function fromText(spec: FieldSpec, text: string, timeZone: string): Coerced {
  switch (spec.kind) {
    case 'integer':
    case 'id':
    case 'foreignKey':
    case 'oneToOne':
      return value(INT_RE.test(text) ? Number(text) : text);
    case 'float':
      return value(text.length <= MAX_NUMBER_TEXT && FLOAT_RE.test(text) ? Number(text) : text);
    case 'bigint':
      return value(BIGINT_RE.test(text) ? BigInt(text) : text);
    case 'datetime':
      return value(parseDateTime(text, timeZone) ?? text);
    case 'json':
      try {
        return value(parseJsonBody(text, { maxDepth: JSON_BODY_DEFAULTS.maxDepth }));
      } catch {
        return error(spec, 'invalid', 'Enter valid JSON.');
      }
    default:
      return value(text);
  }
}

function fromJson(spec: FieldSpec, v: unknown, timeZone: string): Coerced {
  switch (spec.kind) {
    case 'bigint':
      if (typeof v === 'number' && Number.isSafeInteger(v)) return value(BigInt(v));
      return value(typeof v === 'string' && BIGINT_RE.test(v) ? BigInt(v) : v);
    case 'decimal':
      return value(typeof v === 'number' && Number.isFinite(v) ? String(v) : v);
    case 'datetime':
      return value(typeof v === 'string' ? (parseDateTime(v, timeZone) ?? v) : v);
    default:
      return value(v);
  }
}

/**
 * The candidate value of a field. A field given several values where it takes one is refused
 * (`single`) rather than silently reduced to the first or last: which one a server keeps is how
 * parameter-pollution attacks slip a value past a check made on the other.
 */
export function coerce(spec: FieldSpec, raw: RawField, timeZone: string): Coerced {
  if (spec.kind === 'file' || spec.kind === 'files') return { kind: 'empty', absent: true };
  if (raw.source === 'text') {
    const { values } = raw;
    if (spec.kind === 'multipleChoice') {
      const picked = values.filter((s) => s !== '');
      return picked.length === 0 ? { kind: 'empty', absent: values.length === 0 } : value(picked);
    }
    if (values.length === 0) return { kind: 'empty', absent: true };
    if (values.length > 1) return error(spec, 'single', FORM_MESSAGES.single);
    const first = values[0]!;
    if (spec.kind === 'boolean') return value(!FALSE_TEXT.has(first.trim().toLowerCase()));
    const text = spec.trim ? first.trim() : first;
    return text === '' ? { kind: 'empty', absent: false } : fromText(spec, text, timeZone);
  }
  if (!raw.present) return { kind: 'empty', absent: true };
  const v = raw.value;
  if (v === null) return { kind: 'empty', absent: false };
  if (spec.kind === 'multipleChoice') {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return error(spec, 'invalid', 'Enter a list of values.');
    return v.length === 0 ? { kind: 'empty', absent: false } : value(v);
  }
  if (Array.isArray(v) && spec.kind !== 'json') return error(spec, 'single', FORM_MESSAGES.single);
  if (typeof v === 'string') {
    const text = spec.trim ? v.trim() : v;
    return text === '' ? { kind: 'empty', absent: false } : fromJson(spec, text, timeZone);
  }
  return fromJson(spec, v, timeZone);
}

/** A raw value as the text an input shows again (JSON values are turned back into text). */
export function displayValues(raw: RawField): string[] {
  if (raw.source === 'text') return [...raw.values];
  if (!raw.present || raw.value === null || raw.value === undefined) return [];
  const v = raw.value;
  if (Array.isArray(v)) return v.filter((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean').map(String);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return [String(v)];
  return [];
}
