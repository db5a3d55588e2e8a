/**
 * Validating a submission field by field: coercion, then the model rules (`validateValue`, so
 * forms, models and the admin share one set of rules and messages), the field's own validators,
 * the form-only rules (choices, checkboxes, files), then the async validators of the fields that
 * passed.
 *
 * @module
 */
import { validateValue, type FieldErrors } from '../db/validation.js';
import { coerce, type RawField } from './coerce.js';
import type { FieldSpec } from './field-spec.js';
import { FORM_MESSAGES, messageFor, ruleOf } from './form-errors.js';
import type { ValidatorContext } from './form-fields.js';
import type { UploadedFile } from './uploads/uploaded-file.js';

/** What a submission holds, read by declared field name only. */
export interface FormInput {
  raw(name: string): RawField;
  files(name: string): readonly UploadedFile[];
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly messages: string[] };

function fail(spec: FieldSpec, rule: Parameters<typeof messageFor>[1], builtIn: string): Outcome {
  return { ok: false, messages: [messageFor(spec.messages, rule, builtIn)] };
}

function required(spec: FieldSpec): Outcome {
  return fail(spec, 'required', FORM_MESSAGES.required);
}

/** The value of a field left empty: false, [], null, '' — or the required error. */
function emptyValue(spec: FieldSpec): Outcome {
  switch (spec.kind) {
    case 'boolean':
      return spec.required ? required(spec) : { ok: true, value: false };
    case 'multipleChoice':
      return spec.required ? required(spec) : { ok: true, value: [] };
    case 'files':
      return spec.required ? required(spec) : { ok: true, value: [] };
    case 'file':
      return spec.required ? required(spec) : { ok: true, value: null };
    default:
      if (spec.nullable) return { ok: true, value: null };
      if (spec.blank) return { ok: true, value: '' };
      return required(spec);
  }
}

function checkChoices(spec: FieldSpec, picked: readonly string[]): Outcome {
  const allowed = spec.choices ?? [];
  const set = new Set(picked);
  if ([...set].some((v) => !allowed.some((c) => c.value === v))) return fail(spec, 'choice', FORM_MESSAGES.choice);
  if (set.size < spec.minItems) return fail(spec, 'minItems', `Select at least ${spec.minItems} value${spec.minItems === 1 ? '' : 's'}.`);
  if (set.size > spec.maxItems) return fail(spec, 'maxItems', `Select at most ${spec.maxItems} value${spec.maxItems === 1 ? '' : 's'}.`);
  // In the order of the choices, each once: the data does not depend on how the client ordered it.
  return { ok: true, value: allowed.filter((c) => set.has(c.value)).map((c) => c.value) };
}

function checkRules(spec: FieldSpec, value: unknown): Outcome {
  if (spec.kind === 'boolean' && spec.required && value !== true) return required(spec);
  if (spec.rules !== null) {
    const builtIn = validateValue(spec.rules, value);
    if (builtIn.length > 0) return { ok: false, messages: [...new Set(builtIn.map((m) => messageFor(spec.messages, ruleOf(m), m)))] };
  }
  const own: string[] = [];
  for (const check of spec.validators) {
    const msg = check(value);
    if (typeof msg === 'string' && msg !== '') own.push(msg);
  }
  return own.length > 0 ? { ok: false, messages: own } : { ok: true, value };
}

function checkField(spec: FieldSpec, input: FormInput, timeZone: string): Outcome {
  if (spec.kind === 'file' || spec.kind === 'files') {
    // Type, size and count were checked while the body streamed (parseMultipart).
    const files = input.files(spec.name);
    if (files.length === 0) return emptyValue(spec);
    return { ok: true, value: spec.kind === 'file' ? files[0] : [...files] };
  }
  const c = coerce(spec, input.raw(spec.name), timeZone);
  if (c.kind === 'error') return { ok: false, messages: [c.message] };
  if (c.kind === 'empty') {
    // Left out altogether (not sent empty): a declared default applies, as on a model create.
    if (c.absent && spec.defaultValue !== undefined) return checkRules(spec, spec.defaultValue());
    return emptyValue(spec);
  }
  if (spec.kind === 'multipleChoice') return checkChoices(spec, c.value as string[]);
  return checkRules(spec, c.value);
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '' || v === false || (Array.isArray(v) && v.length === 0);
}

async function runAsync(spec: FieldSpec, value: unknown, ctx: ValidatorContext): Promise<string | null> {
  // One after the other, stopping at the first message: a later check (often a query) is wasted
  // once the value is known to be wrong.
  for (const check of spec.asyncValidators) {
    const msg = await check(value, ctx);
    if (typeof msg === 'string' && msg !== '') return msg;
  }
  return null;
}

/**
 * Validates every field: the data when all passed (and errors empty), with each field's
 * messages otherwise. Only declared names are read, so nothing else the client sent can reach
 * the data.
 */
export async function validateFields(
  specs: readonly FieldSpec[],
  input: FormInput,
  ctx: ValidatorContext,
  timeZone: string,
): Promise<{ data: Record<string, unknown>; errors: FieldErrors }> {
  const data: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  const pending: Promise<void>[] = [];
  for (const spec of specs) {
    const out = checkField(spec, input, timeZone);
    if (!out.ok) {
      errors[spec.name] = out.messages;
      continue;
    }
    data[spec.name] = out.value;
    if (spec.asyncValidators.length > 0 && !isEmpty(out.value)) {
      pending.push(
        runAsync(spec, out.value, ctx).then((msg) => {
          if (msg !== null) errors[spec.name] = [msg];
        }),
      );
    }
  }
  await Promise.all(pending);
  // Field order, whatever order the async checks finished in.
  const ordered: FieldErrors = {};
  for (const spec of specs) if (errors[spec.name] !== undefined) ordered[spec.name] = errors[spec.name]!;
  return { data, errors: ordered };
}
