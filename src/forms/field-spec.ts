/**
 * What a form knows about each of its fields, worked out once when the form is declared: the
 * rules (a model field, without its custom validators, for `validateValue`), the widget, the
 * label, whether it is required, and the attributes its input gets.
 *
 * @module
 */
import { ConfigError } from '../errors.js';
import type { Field, FieldKind, FieldValidator } from '../db/fields.js';
import { isFormOnly, type AnyFormField, type AsyncFieldValidator, type FieldMessages, type FormOnlyKind } from './form-fields.js';
import { FORM_DEFAULTS } from './form-defaults.js';
import { FORM_CONFIG_ERRORS } from './form-errors.js';
import { UPLOAD_DEFAULTS } from './uploads/limits.js';

/** How a field is shown. */
export type Widget =
  | 'text'
  | 'textarea'
  | 'email'
  | 'url'
  | 'number'
  | 'password'
  | 'checkbox'
  | 'date'
  | 'datetime-local'
  | 'select'
  | 'radio'
  | 'select-multiple'
  | 'checkboxes'
  | 'file';

/** One choice of a choice field. */
export interface Choice {
  readonly value: string;
  readonly label: string;
}

/** A field as the form uses it. */
export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind | FormOnlyKind;
  /** The built-in rules; null for form-only kinds. */
  readonly rules: Field | null;
  readonly validators: readonly FieldValidator<unknown>[];
  readonly asyncValidators: readonly AsyncFieldValidator<unknown>[];
  readonly widget: Widget;
  readonly label: string;
  readonly helpText: string | null;
  /** An empty input is an error (also the `required` attribute). */
  readonly required: boolean;
  readonly nullable: boolean;
  /** An empty string is a valid value (text kinds only). */
  readonly blank: boolean;
  readonly trim: boolean;
  readonly messages: FieldMessages;
  readonly choices: readonly Choice[] | null;
  readonly minItems: number;
  readonly maxItems: number;
  readonly file: { readonly accept: readonly string[]; readonly maxFileBytes: number; readonly maxFiles: number } | null;
  /** The value used when a submission leaves the field out, if any. */
  readonly defaultValue: (() => unknown) | undefined;
  /** Attributes of the input that come from the rules: maxlength, min, step, placeholder… */
  readonly attrs: Readonly<Record<string, string>>;
}

// Names a form field may not have: they would shadow object members, or the CSRF field the
// template engine adds to every POST form.
const RESERVED = new Set(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__all__', 'csrf_token']);
const NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
const TEXT_KINDS: ReadonlySet<string> = new Set(['string', 'text', 'email', 'url', 'slug', 'uuid']);

/** `first_name` and `firstName` become `First name`. */
export function humanize(name: string): string {
  const words = name
    .replace(/_id$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function widgetOf(kind: FieldKind | FormOnlyKind, o: Readonly<Record<string, unknown>>): Widget {
  const w = o.widget;
  switch (kind) {
    case 'string':
      return w === 'password' ? 'password' : 'text';
    case 'text':
    case 'json':
      return 'textarea';
    case 'email':
      return 'email';
    case 'url':
      return 'url';
    case 'integer':
    case 'bigint':
    case 'float':
    case 'decimal':
    case 'id':
    case 'foreignKey':
    case 'oneToOne':
      return 'number';
    case 'boolean':
      return 'checkbox';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime-local';
    case 'choices':
      return w === 'radio' ? 'radio' : 'select';
    case 'multipleChoice':
      return w === 'select' ? 'select-multiple' : 'checkboxes';
    case 'file':
    case 'files':
      return 'file';
    default:
      return 'text';
  }
}

function bad(message: string): ConfigError {
  return new ConfigError(FORM_CONFIG_ERRORS.field, message, { hint: 'See docs/forms.md#fields.' });
}

function count(o: Readonly<Record<string, unknown>>, key: string, name: string, fallback: number): number {
  const v = o[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(`Field '${name}': ${key} must be a whole number of at least 0, got ${String(v)}.`);
  return v;
}

function inputAttrs(kind: FieldKind | FormOnlyKind, o: Readonly<Record<string, unknown>>): Record<string, string> {
  const a: Record<string, string> = {};
  if (typeof o.maxLength === 'number') a.maxlength = String(o.maxLength);
  if (typeof o.minLength === 'number') a.minlength = String(o.minLength);
  if (o.min !== undefined && kind !== 'multipleChoice') a.min = String(o.min);
  if (o.max !== undefined && kind !== 'multipleChoice') a.max = String(o.max);
  if (kind === 'integer' || kind === 'bigint' || kind === 'id' || kind === 'foreignKey' || kind === 'oneToOne') a.step = '1';
  if (kind === 'float') a.step = 'any';
  if (kind === 'decimal') {
    const places = Number(o.decimalPlaces);
    a.step = places > 0 ? `0.${'0'.repeat(places - 1)}1` : '1';
    a.inputmode = 'decimal';
  }
  if (kind === 'slug') a.pattern = '[-a-zA-Z0-9_]+';
  if (typeof o.placeholder === 'string') a.placeholder = o.placeholder;
  if (typeof o.autocomplete === 'string') a.autocomplete = o.autocomplete;
  return a;
}

function listOf<T>(v: unknown, name: string, what: string): readonly T[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'function')) throw bad(`Field '${name}': ${what} must be an array of functions.`);
  return v as T[];
}

/**
 * Works out the spec of one declared field; refuses what a form cannot use (a bad name, a
 * many-to-many field, a file field without an accept list).
 */
export function fieldSpec(name: string, f: AnyFormField, extraMessages: FieldMessages | undefined): FieldSpec {
  if (!NAME_RE.test(name) || RESERVED.has(name)) {
    throw new ConfigError(FORM_CONFIG_ERRORS.name, `'${name}' cannot be the name of a form field.`, {
      hint: 'Use letters, digits and underscores, starting with a letter, at most 100 characters; __proto__, constructor, prototype, __all__ and csrf_token are reserved.',
    });
  }
  if (typeof f !== 'object' || f === null || typeof f.options !== 'object') throw bad(`Field '${name}' is not a field: use field.* from rampart/db or formField.*.`);
  const o = f.options;
  const kind = isFormOnly(f) ? f.formKind : f.kind;
  if (kind === 'manyToMany') throw new ConfigError(FORM_CONFIG_ERRORS.unsupported, `Field '${name}' is a many-to-many relation, which forms do not edit yet.`, { hint: 'Leave it out of the form, or declare a formField.multipleChoice() of ids.' });
  const messages = { ...(o.messages as FieldMessages | undefined), ...extraMessages };
  const labels = (o.labels ?? {}) as Readonly<Record<string, string>>;
  const values = isFormOnly(f) ? f.choices : f.choices;
  const choices = values === undefined ? null : values.map((v) => ({ value: v, label: Object.hasOwn(labels, v) ? String(labels[v]) : v }));
  let file: FieldSpec['file'] = null;
  if (kind === 'file' || kind === 'files') {
    const accept = o.accept;
    if (!Array.isArray(accept) || accept.length === 0 || accept.some((t) => typeof t !== 'string')) {
      throw bad(`File field '${name}' needs an accept list of content types, such as ['image/png', 'image/jpeg'].`);
    }
    file = {
      accept: Object.freeze([...(accept as string[])]),
      maxFileBytes: count(o, 'maxFileBytes', name, UPLOAD_DEFAULTS.maxFileBytes),
      maxFiles: kind === 'file' ? 1 : count(o, 'maxFiles', name, FORM_DEFAULTS.maxFilesPerField),
    };
  }
  const nullable = !isFormOnly(f) && f.nullable;
  const blank = TEXT_KINDS.has(kind) && (kind === 'text' ? o.blank !== false : o.blank === true);
  const minItems = count(o, 'minItems', name, 0);
  const maxItems = count(o, 'maxItems', name, choices?.length ?? 0);
  let required: boolean;
  if (kind === 'boolean') required = o.required === true;
  else if (kind === 'multipleChoice') required = minItems > 0;
  else if (kind === 'file' || kind === 'files') required = o.required !== false;
  else required = !nullable && !blank;
  const d = o.default;
  const defaultValue = kind === 'boolean' || d === undefined ? undefined : typeof d === 'function' ? (d as () => unknown) : () => d;
  let rules: Field | null = null;
  if (!isFormOnly(f)) {
    // The custom validators run after the built-in rules, separately, so their messages are never
    // mistaken for a built-in rule's (and replaced by `messages`).
    const { validators: _v, ...rest } = o;
    rules = Object.freeze({ ...f, options: Object.freeze(rest) });
  }
  return Object.freeze({
    name,
    kind,
    rules,
    validators: listOf<FieldValidator<unknown>>(o.validators, name, 'validators'),
    asyncValidators: listOf<AsyncFieldValidator<unknown>>(o.asyncValidators, name, 'asyncValidators'),
    widget: widgetOf(kind, o),
    label: typeof o.label === 'string' ? o.label : humanize(name),
    helpText: typeof o.helpText === 'string' && o.helpText !== '' ? o.helpText : null,
    required,
    nullable,
    blank,
    trim: o.trim !== false && o.widget !== 'password',
    messages: Object.freeze(messages),
    choices: choices === null ? null : Object.freeze(choices),
    minItems,
    maxItems,
    file,
    defaultValue,
    attrs: Object.freeze(inputAttrs(kind, o)),
  });
}
