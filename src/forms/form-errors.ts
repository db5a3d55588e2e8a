/**
 * Form errors: the 422 a handler's `req.form(MyForm)` answers with, the codes of mistakes in a
 * form's declaration, and the built-in messages of the form-only rules.
 *
 * @module
 */
import type { FieldErrors } from '../db/validation.js';
import { HttpError } from '../http/errors.js';
import type { BoundForm } from './bound-form.js';
import type { FieldMessages, FormFields, FormRule } from './form-fields.js';

/** Codes of declaration mistakes, thrown as `ConfigError` where the form is declared. */
export const FORM_CONFIG_ERRORS = Object.freeze({
  name: 'E_FORM_FIELD_NAME',
  field: 'E_FORM_FIELD_INVALID',
  unsupported: 'E_FORM_FIELD_UNSUPPORTED',
  unknown: 'E_FORM_FIELD_UNKNOWN',
  notEditable: 'E_FORM_FIELD_NOT_EDITABLE',
  options: 'E_FORM_OPTIONS_INVALID',
  storage: 'E_FORM_STORAGE_MISSING',
  attribute: 'E_FORM_ATTRIBUTE_UNSAFE',
});

/** Code of the 422 answered for an invalid form. */
export const FORM_INVALID = 'E_FORM_INVALID';

/** The messages of the rules forms add to the model rules. */
export const FORM_MESSAGES: Readonly<Record<Exclude<FormRule, 'maxLength' | 'minLength' | 'min' | 'max'>, string>> = Object.freeze({
  required: 'This field is required.',
  invalid: 'Enter a valid value.',
  choice: 'Select a valid choice.',
  single: 'Enter a single value.',
  minItems: 'Select more values.',
  maxItems: 'Select fewer values.',
  fileType: 'This type of file is not accepted.',
  fileSize: 'The file is too large.',
  maxFiles: 'Too many files.',
  unique: 'This value is already taken.',
});

// The rule behind each message of `validateValue` (src/db/validation.ts), by its opening words;
// anything else is a type or format message: `invalid`. A test holds this table to the messages
// the model layer really produces.
const RULE_PREFIXES: readonly (readonly [string, FormRule])[] = [
  ['This field is required.', 'required'],
  ['This field cannot be null.', 'required'],
  ['This field cannot be blank.', 'required'],
  ['Ensure this value has at most', 'maxLength'],
  ['Ensure this value has at least', 'minLength'],
  ['Ensure this value is greater than or equal to', 'min'],
  ['Ensure this value is less than or equal to', 'max'],
  ['Choose one of:', 'choice'],
];

/** The rule a built-in model message belongs to. */
export function ruleOf(message: string): FormRule {
  for (const [prefix, rule] of RULE_PREFIXES) if (message.startsWith(prefix)) return rule;
  return 'invalid';
}

/** The message for a rule: the field's own when it set one, else the built-in one. */
export function messageFor(messages: FieldMessages, rule: FormRule, builtIn: string): string {
  const own = messages[rule];
  return typeof own === 'string' && own !== '' ? own : builtIn;
}

/** The summary line of a set of errors: the first message and how many fields have errors. */
function summary(errors: FieldErrors): string {
  const fields = Object.keys(errors);
  if (fields.length === 0) return 'The form is invalid.';
  const first = fields[0]!;
  const where = first === '__all__' ? '' : `${first}: `;
  const more = fields.length > 1 ? ` (and ${fields.length - 1} more field${fields.length > 2 ? 's' : ''})` : '';
  return `The form is invalid: ${where}${errors[first]![0] ?? ''}${more}`;
}

/**
 * A form failed validation: `req.form(MyForm)` throws it, and the app answers 422. JSON clients get
 * every message in `details.fields`, keyed by field (`__all__` for the form as a whole). `form` is
 * the bound form, to re-render it from an error handler.
 *
 * @example
 * try { await req.form(NoteForm) } catch (err) {
 *   if (err instanceof FormValidationError) console.log(err.errors.title)
 * }
 * @see docs/forms.md#reading-a-request
 */
export class FormValidationError<F extends FormFields = FormFields> extends HttpError {
  /** Messages by field name; `__all__` holds those of the whole form. */
  readonly errors: FieldErrors;
  /** The bound form, with the submitted values and errors, ready to render. */
  readonly form: BoundForm<F>;

  constructor(errors: FieldErrors, form: BoundForm<F>) {
    super(422, summary(errors), { code: FORM_INVALID, expose: true, details: { fields: errors } });
    this.errors = errors;
    this.form = form;
  }
}
