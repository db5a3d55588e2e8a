/**
 * `form()`: a form declared once, from which a request is read, coerced, validated and turned into
 * typed data — or into a bound form that shows the submission again with its errors.
 *
 * @module
 */
import { ConfigError } from '../errors.js';
import type { FieldErrors } from '../db/validation.js';
import type { Context, FormParser } from '../http/context.js';
import type { StandardSchemaIssue, StandardSchemaResult } from '../http/standard-schema.js';
import { BoundForm, type FormResult } from './bound-form.js';
import { formatDateTime, isTimeZone } from './date-time.js';
import { fieldSpec, type FieldSpec } from './field-spec.js';
import { FORM_DEFAULTS } from './form-defaults.js';
import { FORM_CONFIG_ERRORS, FormValidationError } from './form-errors.js';
import type { FieldMessages, FormFields, FormOutput, ValidatorContext } from './form-fields.js';
import { validateFields } from './form-validation.js';
import { objectInput, paramsInput, readRequest, type ReadInput } from './request-input.js';
import type { Storage } from './storage/storage.js';
import type { UploadLimits } from './uploads/limits.js';

/** What a form's `validate` hook gets besides the data. */
export interface FormCheckContext<D> extends ValidatorContext {
  /** Adds a message to a field, or to the whole form with `null`; the form is then invalid. */
  addError(field: (keyof D & string) | null, message: string): void;
}

/** Options of `form()`. */
export interface FormOptions<D> {
  /**
   * Checks across fields (two passwords match, an end after a start), run once every field is
   * valid; may be async. Report problems with `ctx.addError(field | null, message)`.
   */
  validate?: (data: D, ctx: FormCheckContext<D>) => void | Promise<void>;
  /** Where file fields store uploads, e.g. `new LocalStorage('var/uploads')`; required with a file field. */
  storage?: Storage;
  /** Limits of multipart bodies, over `UPLOAD_DEFAULTS`. */
  uploads?: Partial<UploadLimits>;
  /** Messages replacing the built-in ones, by field and rule. */
  messages?: { readonly [K in keyof D]?: FieldMessages };
  /** IANA time zone of `datetime-local` values. @default 'UTC' */
  timeZone?: string;
  /** Prefix of the ids of inputs (`id_title`); change it when two forms share a page. @default 'id_' */
  idPrefix?: string;
}

/** Options of `bind()` and `validate()`. */
export interface BindOptions {
  /** The row being edited, passed to validators (a uniqueness check leaves it out). */
  instance?: Readonly<Record<string, unknown>> | null;
}

/** @internal checks `modelForm()` adds, run after the fields and before the `validate` hook. */
export interface FormInternals {
  readonly afterFields?: (data: Record<string, unknown>, ctx: FormCheckContext<Record<string, unknown>>) => Promise<void>;
}

const ID_PREFIX_RE = /^[A-Za-z0-9_-]{0,50}$/;

function optionsError(message: string): ConfigError {
  return new ConfigError(FORM_CONFIG_ERRORS.options, message, { hint: 'See docs/forms.md#options.' });
}

/** The text an input shows for an initial (typed) value. */
function initialText(spec: FieldSpec, v: unknown, timeZone: string): string[] {
  if (v === undefined || v === null || spec.widget === 'password' || spec.widget === 'file') return [];
  if (v instanceof Date) return [spec.kind === 'datetime' ? formatDateTime(v, timeZone) : v.toISOString().slice(0, 10)];
  if (typeof v === 'boolean') return v ? ['on'] : [];
  if (Array.isArray(v)) return v.map(String);
  if (spec.kind === 'json') return [JSON.stringify(v)];
  return [String(v)];
}

/**
 * A declared form. Read a request with `await req.form(MyForm)` (typed data, or a 422) or
 * `await MyForm.bind(req)` (a bound form to re-render when invalid). Create it with `form()` or
 * `modelForm()`.
 *
 * @example
 * const NoteForm = form({ title: formField.string({ maxLength: 200 }) })
 * app.post('/api/notes', async (req) => ({ title: (await req.form(NoteForm)).title }))
 * @see docs/forms.md
 */
export class Form<F extends FormFields = FormFields> implements FormParser<FormOutput<F>> {
  /** The declared fields, e.g. to build a larger form: `form({ ...NoteForm.fields, extra })`. */
  readonly fields: F;
  /** True when the form has a file field: its `<form>` needs `enctype="multipart/form-data"`. */
  readonly multipart: boolean;
  readonly #specs: readonly FieldSpec[];
  readonly #options: FormOptions<FormOutput<F>>;
  readonly #internals: FormInternals;
  readonly #timeZone: string;
  readonly #idPrefix: string;

  /** @internal use `form()` or `modelForm()` */
  constructor(fields: F, options: FormOptions<FormOutput<F>> = {}, internals: FormInternals = {}) {
    if (typeof fields !== 'object' || fields === null) throw optionsError('form() needs an object of fields: form({ title: field.string() }).');
    const messages = (options.messages ?? {}) as Readonly<Record<string, FieldMessages>>;
    for (const name of Object.keys(messages)) {
      if (!Object.hasOwn(fields, name)) throw new ConfigError(FORM_CONFIG_ERRORS.unknown, `messages names '${name}', which is not a field of the form.`);
    }
    this.#specs = Object.freeze(Object.keys(fields).map((name) => fieldSpec(name, fields[name]!, messages[name])));
    this.multipart = this.#specs.some((s) => s.file !== null);
    if (this.multipart && options.storage === undefined) {
      throw new ConfigError(FORM_CONFIG_ERRORS.storage, 'A form with a file field needs a storage for the uploads.', {
        hint: "Pass one: form({ avatar: formField.file({ accept: ['image/png'] }) }, { storage: new LocalStorage('var/uploads') }).",
      });
    }
    const timeZone = options.timeZone ?? FORM_DEFAULTS.timeZone;
    if (typeof timeZone !== 'string' || !isTimeZone(timeZone)) throw optionsError(`timeZone '${String(timeZone)}' is not a time zone this runtime knows (e.g. 'Europe/Paris').`);
    const idPrefix = options.idPrefix ?? FORM_DEFAULTS.idPrefix;
    if (typeof idPrefix !== 'string' || !ID_PREFIX_RE.test(idPrefix)) throw optionsError('idPrefix must be at most 50 letters, digits, - or _.');
    if (options.validate !== undefined && typeof options.validate !== 'function') throw optionsError('validate must be a function (data, ctx) => void.');
    this.fields = fields;
    this.#options = options;
    this.#internals = internals;
    this.#timeZone = timeZone;
    this.#idPrefix = idPrefix;
  }

  /**
   * Reads and validates a request: the query string of a GET, else an urlencoded, multipart or
   * JSON body. Never throws for invalid input (only for a body that is not a form at all, or too
   * large); look at `valid`, `data`, `errors`.
   *
   * @example
   * const bound = await NoteForm.bind(req)
   * if (!bound.valid) return req.render('notes/new.html', { form: bound }, { status: 422 })
   */
  async bind(req: Context<unknown>, options: BindOptions = {}): Promise<FormResult<F>> {
    const read = await readRequest(req, this.#specs, { storage: this.#options.storage, limits: this.#options.uploads ?? {} });
    return this.#check(read, { req, instance: options.instance ?? null });
  }

  /**
   * Validates values without a request: an `URLSearchParams` is read as an HTML form would send
   * it, an object as JSON.
   *
   * @example const result = await NoteForm.validate({ title: 'Hello' })
   */
  async validate(values: URLSearchParams | Readonly<Record<string, unknown>>, options: BindOptions & { req?: Context<unknown> } = {}): Promise<FormResult<F>> {
    const read = values instanceof URLSearchParams ? paramsInput(values) : objectInput(values);
    return this.#check(read, { req: options.req ?? null, instance: options.instance ?? null });
  }

  /**
   * The form to show before anything is submitted: empty, with the fields' defaults, or with
   * `initial` values (a row being edited).
   *
   * @example app.get('/notes/new', (req) => req.render('notes/new.html', { form: NoteForm.unbound() }))
   */
  unbound(initial: Partial<FormOutput<F>> = {}): BoundForm<F> {
    const given = initial as Readonly<Record<string, unknown>>;
    const values: Record<string, string[]> = {};
    for (const s of this.#specs) {
      const v = Object.hasOwn(given, s.name) ? given[s.name] : s.defaultValue?.();
      values[s.name] = initialText(s, v, this.#timeZone);
    }
    return new BoundForm<F>({ specs: this.#specs, idPrefix: this.#idPrefix, bound: false, values, errors: {}, data: null, multipart: this.multipart });
  }

  /**
   * What `req.form(MyForm)` calls: the typed data, or a `FormValidationError` (422, every message
   * in `details.fields`).
   */
  async parseRequest(req: Context<unknown>): Promise<FormOutput<F>> {
    const bound = await this.bind(req);
    if (!bound.valid) throw new FormValidationError(bound.errors, bound);
    return bound.data;
  }

  /** Standard Schema: a form validates JSON values for any library that accepts one (`req.json(MyForm)`). */
  get '~standard'(): {
    readonly version: 1;
    readonly vendor: 'rampart';
    readonly validate: (value: unknown) => Promise<StandardSchemaResult<FormOutput<F>>>;
    readonly types?: { readonly input: unknown; readonly output: FormOutput<F> };
  } {
    return {
      version: 1,
      vendor: 'rampart',
      validate: async (value) => {
        const bound = await this.#check(objectInput(value), { req: null, instance: null });
        if (bound.valid) return { value: bound.data };
        const issues: StandardSchemaIssue[] = [];
        for (const [key, messages] of Object.entries(bound.errors)) for (const message of messages) issues.push(key === '__all__' ? { message } : { message, path: [key] });
        return { issues };
      },
    };
  }

  async #check(read: ReadInput, ctx: ValidatorContext): Promise<FormResult<F>> {
    try {
      return await this.#checkInput(read, ctx);
    } catch (err) {
      // A validator that failed (the database down) leaves no upload behind either.
      await read.multipart?.deleteFiles();
      throw err;
    }
  }

  async #checkInput(read: ReadInput, ctx: ValidatorContext): Promise<FormResult<F>> {
    let errors: FieldErrors = { ...read.errors };
    let data: Record<string, unknown> | null = null;
    if (Object.keys(errors).length === 0) {
      const result = await validateFields(this.#specs, read.input, ctx, this.#timeZone);
      errors = result.errors;
      if (Object.keys(errors).length === 0) {
        const names = new Set(this.#specs.map((s) => s.name));
        const check: FormCheckContext<Record<string, unknown>> = {
          ...ctx,
          addError: (field, message) => {
            if (field !== null && !names.has(field)) throw new TypeError(`addError: the form has no field '${String(field).slice(0, 100)}'.`);
            (errors[field ?? '__all__'] ??= []).push(String(message));
          },
        };
        await this.#internals.afterFields?.(result.data, check);
        if (Object.keys(errors).length === 0) await this.#options.validate?.(result.data as FormOutput<F>, check as FormCheckContext<FormOutput<F>>);
        data = result.data;
      }
    }
    const invalid = Object.keys(errors).length > 0;
    // Nothing of a refused submission stays in storage: the page cannot send the file back anyway.
    if (invalid && read.multipart !== null) await read.multipart.deleteFiles();
    const values: Record<string, string[]> = {};
    for (const s of this.#specs) values[s.name] = read.display(s.name);
    return new BoundForm<F>({
      specs: this.#specs,
      idPrefix: this.#idPrefix,
      bound: true,
      values,
      errors,
      data: invalid ? null : (data as FormOutput<F>),
      multipart: this.multipart,
    }) as FormResult<F>;
  }
}

/**
 * Declares a form. Fields are model fields (`field.*` from rampart/db) or `formField.*`; the data
 * is typed from them.
 *
 * @example
 * const SignupForm = form({
 *   username: formField.string({ maxLength: 30 }),
 *   password: formField.password({ minLength: 12, autocomplete: 'new-password' }),
 *   confirm: formField.password({ autocomplete: 'new-password' }),
 *   terms: formField.checkbox({ required: true }),
 * }, {
 *   validate(data, ctx) { if (data.password !== data.confirm) ctx.addError('confirm', 'The passwords do not match.') },
 * })
 * app.post('/signup', async (req) => {
 *   const data = await req.form(SignupForm) // { username: string; password: string; confirm: string; terms: boolean }
 * })
 * @see docs/forms.md
 */
export function form<const F extends FormFields>(fields: F, options?: FormOptions<FormOutput<F>>): Form<F> {
  return new Form(fields, options);
}
