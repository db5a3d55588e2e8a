/**
 * Form fields: the model field kinds of `rampart/db` (a form takes `field.*` as is), wrapped with
 * form options (messages, placeholder, async validators), plus the kinds only forms have:
 * password, checkbox, choice, multiple choice and file.
 *
 * @module
 */
import {
  field,
  type ChoicesOptions,
  type CommonOptions,
  type DateTimeOptions,
  type DecimalOptions,
  type Field,
  type FieldKind,
  type NumberOptions,
  type StringOptions,
} from '../db/fields.js';
import type { Context } from '../http/context.js';
import { FORM_DEFAULTS } from './form-defaults.js';
import type { UploadedFile } from './uploads/uploaded-file.js';

/**
 * The rules whose message a field can replace (`messages: { maxLength: 'Keep it short.' }`).
 * `invalid` covers every type and format message (a number, an email, a date…).
 */
export type FormRule =
  | 'required'
  | 'invalid'
  | 'maxLength'
  | 'minLength'
  | 'min'
  | 'max'
  | 'choice'
  | 'single'
  | 'minItems'
  | 'maxItems'
  | 'fileType'
  | 'fileSize'
  | 'maxFiles'
  | 'unique';

/** Messages replacing the built-in ones, by rule. */
export type FieldMessages = Partial<Readonly<Record<FormRule, string>>>;

/** What async validators and the form's `validate` hook know besides the values. */
export interface ValidatorContext {
  /** The request being validated; null for `form.validate(values)`. */
  readonly req: Context<unknown> | null;
  /** The row being edited (`bind(req, { instance: row })`), or null when creating. */
  readonly instance: Readonly<Record<string, unknown>> | null;
}

/**
 * A validator that may wait (a database lookup). Runs only when the value passed every other
 * check and is not empty. Returns an error message, or nothing when the value is fine.
 */
export type AsyncFieldValidator<T> = (value: T, ctx: ValidatorContext) => Promise<string | undefined | null | void> | string | undefined | null | void;

/** Options every form field accepts, on top of the model field options (`label`, `helpText`, `validators`…). */
export interface FormFieldOptions<T> {
  /** Messages replacing the built-in ones, by rule. */
  messages?: FieldMessages;
  /** The input's `placeholder` attribute. */
  placeholder?: string;
  /** The input's `autocomplete` attribute (`'email'`, `'username'`, `'off'`…). */
  autocomplete?: string;
  /** Validators that may wait, e.g. a uniqueness check in the database. */
  asyncValidators?: readonly AsyncFieldValidator<T>[];
  /** Whether leading and trailing whitespace is removed from text. @default true (never for passwords) */
  trim?: boolean;
}

/** Options of `formField.password()`. */
export interface PasswordOptions extends Pick<StringOptions, 'minLength' | 'maxLength' | 'label' | 'helpText' | 'validators'>, Omit<FormFieldOptions<string>, 'trim' | 'placeholder'> {
  /** `'new-password'` on sign-up and change forms lets password managers offer a strong one. @default 'current-password' */
  autocomplete?: 'current-password' | 'new-password' | 'off';
}

/** Options of `formField.checkbox()`. */
export interface CheckboxOptions extends Pick<CommonOptions<boolean>, 'label' | 'helpText'>, Pick<FormFieldOptions<boolean>, 'messages'> {
  /** The box must be ticked ("I accept the terms"). @default false */
  required?: boolean;
}

/** Options of `formField.choice()`. */
export interface ChoiceOptions<V extends string> extends ChoicesOptions<V>, FormFieldOptions<V> {
  /** A drop-down list, or one radio button per choice. @default 'select' */
  widget?: 'select' | 'radio';
}

/** Options of `formField.multipleChoice()`. */
export interface MultipleChoiceOptions<V extends string> extends Pick<CommonOptions<V[]>, 'label' | 'helpText'>, Omit<FormFieldOptions<V[]>, 'trim' | 'placeholder' | 'autocomplete'> {
  /** Labels by value; the value itself by default. */
  labels?: Partial<Record<V, string>>;
  /** A `<select multiple>`, or one checkbox per choice. @default 'checkboxes' */
  widget?: 'select' | 'checkboxes';
  /** Fewest values accepted; 1 makes the field required. @default 0 */
  minItems?: number;
  /** Most values accepted. @default the number of choices */
  maxItems?: number;
}

/** Options of `formField.file()` and `formField.files()`. */
export interface FileOptions extends Pick<CommonOptions<UploadedFile>, 'label' | 'helpText'>, Pick<FormFieldOptions<UploadedFile>, 'messages'> {
  /**
   * Content types accepted, as sniffed from the bytes (see `parseMultipart`): `['image/png',
   * 'image/jpeg']`. Also written in the input's `accept` attribute.
   */
  accept: readonly string[];
  /** Largest file, in bytes. @default UPLOAD_DEFAULTS.maxFileBytes (10 MiB) */
  maxFileBytes?: number;
  /** An empty input is refused. @default true */
  required?: boolean;
}

/** Options of `formField.files()`. */
export interface FilesOptions extends FileOptions {
  /** Most files in the field. @default FORM_DEFAULTS.maxFilesPerField (10) */
  maxFiles?: number;
}

/** The kinds only forms have (the others are model field kinds). */
export type FormOnlyKind = 'multipleChoice' | 'file' | 'files';

/** A field that exists only in forms; its value type is `T`. */
export interface FormOnlyField<T = unknown, K extends FormOnlyKind = FormOnlyKind> {
  readonly formKind: K;
  readonly options: Readonly<Record<string, unknown>>;
  /** Allowed values of a multiple choice. */
  readonly choices?: readonly string[];
  /** Phantom member carrying the value type; never set at run time. */
  readonly __value?: T;
}

/** Anything a form can declare: a model field (`field.*`, `formField.*`) or a form-only field. */
export type AnyFormField = Field | FormOnlyField;

/** The fields of a form, by name. */
export type FormFields = Readonly<Record<string, AnyFormField>>;

/** The value type of one form field. */
export type FieldValue<F> = F extends Field<infer T, boolean, FieldKind> ? T : F extends FormOnlyField<infer T, FormOnlyKind> ? T : never;

/** The validated data of a form with these fields. @example type Signup = FormOutput<typeof SignupForm.fields> */
export type FormOutput<F extends FormFields> = { -readonly [K in keyof F]: FieldValue<F[K]> };

function formOnly<T, K extends FormOnlyKind>(formKind: K, options: object, choices?: readonly string[]): FormOnlyField<T, K> {
  const f: { -readonly [P in keyof FormOnlyField]: FormOnlyField[P] } = { formKind, options: Object.freeze({ ...options }) };
  if (choices !== undefined) f.choices = Object.freeze([...choices]);
  return Object.freeze(f) as FormOnlyField<T, K>;
}

type StrOpts = StringOptions & FormFieldOptions<string>;
type NumOpts = NumberOptions & FormFieldOptions<number>;
type FileValue<O> = O extends { required: false } ? UploadedFile | null : UploadedFile;

/**
 * Form field builders: the model kinds with form options, and the form-only kinds. Model fields
 * from `field.*` (rampart/db) can be used in a form as they are.
 *
 * @example
 * const SignupForm = form({
 *   username: formField.string({ maxLength: 30, autocomplete: 'username' }),
 *   password: formField.password({ minLength: 12, autocomplete: 'new-password' }),
 *   plan: formField.choice(['free', 'pro'], { widget: 'radio' }),
 *   topics: formField.multipleChoice(['news', 'releases']),
 *   avatar: formField.file({ accept: ['image/png', 'image/jpeg'], maxFileBytes: 1_000_000, required: false }),
 *   terms: formField.checkbox({ required: true }),
 * })
 * @see docs/forms.md
 */
export const formField = {
  string: <const O extends StrOpts = StrOpts>(options?: O): ReturnType<typeof field.string<O>> => field.string(options),
  /** Rendered as a `<textarea>`; like the model kind, an empty value is accepted unless `blank: false`. */
  text: <const O extends StrOpts = StrOpts>(options?: O): ReturnType<typeof field.text<O>> => field.text(options),
  email: <const O extends StrOpts = StrOpts>(options?: O): ReturnType<typeof field.email<O>> => field.email(options),
  url: <const O extends StrOpts = StrOpts>(options?: O): ReturnType<typeof field.url<O>> => field.url(options),
  slug: <const O extends StrOpts = StrOpts>(options?: O): ReturnType<typeof field.slug<O>> => field.slug(options),
  uuid: <const O extends CommonOptions<string> & FormFieldOptions<string> = CommonOptions<string> & FormFieldOptions<string>>(
    options?: O,
  ): ReturnType<typeof field.uuid<O>> => field.uuid(options),
  integer: <const O extends NumOpts = NumOpts>(options?: O): ReturnType<typeof field.integer<O>> => field.integer(options),
  float: <const O extends NumOpts = NumOpts>(options?: O): ReturnType<typeof field.float<O>> => field.float(options),
  bigint: <const O extends NumberOptions<bigint> & FormFieldOptions<bigint> = NumberOptions<bigint> & FormFieldOptions<bigint>>(
    options?: O,
  ): ReturnType<typeof field.bigint<O>> => field.bigint(options),
  /** An exact decimal as a string (`'19.99'`). */
  decimal: <const O extends DecimalOptions & FormFieldOptions<string>>(options: O): ReturnType<typeof field.decimal<O>> => field.decimal(options),
  /** A date input; the value is `'YYYY-MM-DD'`. */
  date: <const O extends CommonOptions<string> & FormFieldOptions<string> = CommonOptions<string> & FormFieldOptions<string>>(
    options?: O,
  ): ReturnType<typeof field.date<O>> => field.date(options),
  /** A `datetime-local` input; the value is a `Date` (the form's `timeZone`, UTC by default, gives the offset). */
  datetime: <const O extends DateTimeOptions & FormFieldOptions<Date> = DateTimeOptions & FormFieldOptions<Date>>(
    options?: O,
  ): ReturnType<typeof field.datetime<O>> => field.datetime(options),
  /** A password input: never trimmed, never shown again when the form is re-displayed. */
  password: (options: PasswordOptions = {}): Field<string, false, 'string'> =>
    field.string({ maxLength: FORM_DEFAULTS.maxPasswordLength, ...options, widget: 'password', trim: false, autocomplete: options.autocomplete ?? 'current-password' }) as Field<string, false, 'string'>,
  /** A checkbox: `true` when ticked, `false` when not (browsers send nothing for an unticked box). */
  checkbox: (options: CheckboxOptions = {}): Field<boolean, true, 'boolean'> =>
    field.boolean({ ...options, default: false, widget: 'checkbox' }) as Field<boolean, true, 'boolean'>,
  /** One value of a fixed list, as a drop-down or radio buttons. */
  choice: <const V extends string, const O extends ChoiceOptions<V> = ChoiceOptions<V>>(values: readonly V[], options?: O): ReturnType<typeof field.choices<V, O>> =>
    field.choices<V, O>(values, { widget: 'select', ...options } as O),
  /** Any number of values of a fixed list; the value is an array in the order of the choices. */
  multipleChoice: <const V extends string>(values: readonly V[], options: MultipleChoiceOptions<V> = {}): FormOnlyField<V[], 'multipleChoice'> =>
    formOnly('multipleChoice', { widget: 'checkboxes', ...options }, values),
  /** One uploaded file, checked against `accept` and `maxFileBytes`. The form needs a `storage`. */
  file: <const O extends FileOptions>(options: O): FormOnlyField<FileValue<O>, 'file'> => formOnly('file', options),
  /** Several uploaded files (`<input type="file" multiple>`). */
  files: (options: FilesOptions): FormOnlyField<UploadedFile[], 'files'> => formOnly('files', options),
};

/** Whether a declared field is a form-only one. */
export function isFormOnly(f: AnyFormField): f is FormOnlyField {
  return typeof (f as FormOnlyField).formKind === 'string';
}
