/**
 * `BoundForm`: a form with what was submitted (or its initial values), its errors and, when
 * valid, its typed data — and the markup to show it again.
 *
 * @module
 */
import type { FieldErrors } from '../db/validation.js';
import { html, toHtml, type SafeHtml } from '../http/html.js';
import type { FieldSpec, Choice } from './field-spec.js';
import type { FormFields, FormOutput } from './form-fields.js';
import { renderErrors, renderFormErrors, renderHelp, renderLabel, renderRow, renderWidget, type FieldView, type WidgetAttrs } from './render.js';

/**
 * One field of a bound form, for rendering by hand.
 *
 * @example
 * <label for="{{ form.fields.title.id }}">{{ form.fields.title.label }}</label>
 * {{ form.fields.title.widget(class='wide') }}
 * {% for e in form.fields.title.errors %}<p class="error">{{ e }}</p>{% endfor %}
 */
export class BoundField implements FieldView {
  readonly spec: FieldSpec;
  /** The input's `name`. */
  readonly name: string;
  /** The input's `id` (`id_title`), which the label's `for` names. */
  readonly id: string;
  readonly label: string;
  readonly helpText: string | null;
  readonly required: boolean;
  /** Every value to show again (several for a multiple choice); always empty for a password. */
  readonly values: readonly string[];
  readonly #errors: FieldErrors;

  constructor(spec: FieldSpec, id: string, values: readonly string[], errors: FieldErrors) {
    this.spec = spec;
    this.name = spec.name;
    this.id = id;
    this.label = spec.label;
    this.helpText = spec.helpText;
    this.required = spec.required;
    this.values = Object.freeze(spec.widget === 'password' || spec.widget === 'file' ? [] : [...values]);
    this.#errors = errors;
  }

  /** This field's messages. */
  get errors(): readonly string[] {
    return this.#errors[this.name] ?? [];
  }

  /** The value to show again, as text (`''` when none, always for a password). */
  get value(): string {
    return this.values[0] ?? '';
  }

  /** True when the field has errors. */
  get invalid(): boolean {
    return this.errors.length > 0;
  }

  /** The widget kind: `text`, `textarea`, `select`, `radio`, `checkbox`, `file`… */
  get widgetType(): string {
    return this.spec.widget;
  }

  /** The choices of a choice field, each with whether it is selected. */
  get choices(): readonly (Choice & { readonly selected: boolean })[] {
    return (this.spec.choices ?? []).map((c) => ({ ...c, selected: this.values.includes(c.value) }));
  }

  /** The ids `aria-describedby` should name when you render the input yourself. */
  get describedBy(): string {
    return [this.errors.length > 0 ? `${this.id}_errors` : '', this.helpText !== null ? `${this.id}_help` : ''].filter((s) => s !== '').join(' ');
  }

  /** The input alone, with the given extra attributes (`class`, `placeholder`, `data-*`, `aria-*`…). */
  widget(attrs?: WidgetAttrs): SafeHtml {
    return renderWidget(this, attrs);
  }

  /** The `<label for>` element. */
  labelTag(): SafeHtml {
    return renderLabel(this);
  }

  /** The help text element, or nothing. */
  helpTag(): SafeHtml {
    return renderHelp(this);
  }

  /** The errors, in a `role="alert"` element, or nothing. */
  errorList(): SafeHtml {
    return renderErrors(this);
  }

  /** Label, help, errors and input together. */
  row(attrs?: WidgetAttrs): SafeHtml {
    return renderRow(this, attrs);
  }

  /** `{{ form.fields.title }}` in a template renders the row, as `row()` does. */
  [toHtml](): SafeHtml {
    return this.row();
  }
}

/** What a bound form is built from. */
export interface BoundFormState<F extends FormFields> {
  readonly specs: readonly FieldSpec[];
  readonly idPrefix: string;
  readonly bound: boolean;
  readonly values: Readonly<Record<string, readonly string[]>>;
  readonly errors: FieldErrors;
  readonly data: FormOutput<F> | null;
  readonly multipart: boolean;
}

/**
 * A form with its submitted values, errors and data. `form.bind(req)` makes one from a request,
 * `form.unbound(initial)` one to show empty or with initial values.
 *
 * In templates, `{{ form }}` (or `{{ form.render() }}`) renders every field, `{{ form.field('title') }}`
 * or `{{ form.fields.title }}` one row; all are safe markup (no `|safe` needed).
 *
 * @example
 * const bound = await NoteForm.bind(req)
 * if (!bound.valid) return req.render('notes/new.html', { form: bound }, { status: 422 })
 * await db.query(Note).create(bound.data)
 * @see docs/forms.md
 */
export class BoundForm<F extends FormFields = FormFields> {
  /** True when built from a submission, false for `unbound()`. */
  readonly bound: boolean;
  /** True when the form needs `enctype="multipart/form-data"` (it has a file field). */
  readonly multipart: boolean;
  /** The submitted text of each field, to show again (passwords and files left out). */
  readonly values: Readonly<Record<string, readonly string[]>>;
  /** Each field, by name, for rendering by hand. */
  readonly fields: { readonly [K in keyof F & string]: BoundField };
  readonly #errors: FieldErrors;
  readonly #data: FormOutput<F> | null;
  readonly #specs: readonly FieldSpec[];
  readonly #idPrefix: string;

  constructor(state: BoundFormState<F>) {
    this.bound = state.bound;
    this.multipart = state.multipart;
    this.#errors = state.errors;
    this.#data = state.data;
    this.#specs = state.specs;
    this.#idPrefix = state.idPrefix;
    const values: Record<string, readonly string[]> = {};
    const fields: Record<string, BoundField> = {};
    for (const spec of state.specs) {
      const f = new BoundField(spec, `${state.idPrefix}${spec.name}`, state.values[spec.name] ?? [], state.errors);
      fields[spec.name] = f;
      values[spec.name] = f.values;
    }
    this.values = Object.freeze(values);
    this.fields = Object.freeze(fields) as BoundForm<F>['fields'];
  }

  /** True when the form was submitted and every check passed. */
  get valid(): boolean {
    return this.bound && this.#data !== null && Object.keys(this.#errors).length === 0;
  }

  /** The validated, typed data; null unless `valid`. */
  get data(): FormOutput<F> | null {
    return this.valid ? this.#data : null;
  }

  /** Messages by field name; `__all__` holds the form's own (from its `validate` hook). */
  get errors(): FieldErrors {
    return this.#errors;
  }

  /** The messages of the whole form (`errors.__all__`). */
  get formErrors(): readonly string[] {
    return this.#errors.__all__ ?? [];
  }

  /**
   * Adds an error after validation, e.g. when saving failed on a unique constraint; the form is
   * then invalid. `null` adds it to the whole form.
   *
   * @example bound.addError('username', 'This username was just taken.')
   */
  addError(field: (keyof F & string) | null, message: string): void {
    if (field !== null && !this.#specs.some((s) => s.name === field)) throw new TypeError(`The form has no field '${String(field).slice(0, 100)}'.`);
    (this.#errors[field ?? '__all__'] ??= []).push(message);
  }

  /** One field's label, help, errors and input. @example {{ form.field('title') }} */
  field(name: keyof F & string, attrs?: WidgetAttrs): SafeHtml {
    // hasOwn: a name from a template ('constructor') must not reach the object's prototype.
    const f = Object.hasOwn(this.fields, name) ? (this.fields as Record<string, BoundField>)[name] : undefined;
    if (f === undefined) throw new TypeError(`The form has no field '${String(name).slice(0, 100)}'.`);
    return f.row(attrs);
  }

  /** The form's own errors, then every field, in order. @example <form method="post">{{ form.render() }}<button>Save</button></form> */
  render(): SafeHtml {
    const rows = this.#specs.map((s) => (this.fields as Record<string, BoundField>)[s.name]!.row());
    return html`${renderFormErrors(`${this.#idPrefix}form_errors`, this.formErrors)}${rows.map((r) => html`${r}\n`)}`;
  }

  /** The form's own errors alone, in a `role="alert"` element. */
  formErrorList(): SafeHtml {
    return renderFormErrors(`${this.#idPrefix}form_errors`, this.formErrors);
  }

  /** `{{ form }}` in a template renders the whole form, as `render()` does. */
  [toHtml](): SafeHtml {
    return this.render();
  }
}

/** A bound form narrowed by `valid`: `data` is typed when it is true. */
export type FormResult<F extends FormFields> =
  | (BoundForm<F> & { readonly valid: true; readonly data: FormOutput<F> })
  | (BoundForm<F> & { readonly valid: false; readonly data: null });
