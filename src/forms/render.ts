/**
 * Form markup: a field's label, input, help text and errors, with the attributes that make the
 * form usable with assistive technology (`<label for>`, `aria-invalid`, `aria-describedby`
 * pointing at the help and the errors, errors in a `role="alert"` element) and the constraints
 * browsers check before sending (`required`, `maxlength`, `min`, `type`…).
 *
 * Everything is built with the `html` tag, so every value (labels, submitted values, messages,
 * choice labels) is escaped. No CSRF field is written: the template engine adds it to every POST
 * form, and a form written in code gets it from `req.csrfToken()`.
 *
 * @module
 */
import { RampartError } from '../errors.js';
import { html, type SafeHtml } from '../http/html.js';
import type { FieldSpec } from './field-spec.js';
import { FORM_CONFIG_ERRORS } from './form-errors.js';

/** A field as it is rendered: its spec, its id, the values to show again and its errors. */
export interface FieldView {
  readonly spec: FieldSpec;
  readonly id: string;
  readonly values: readonly string[];
  readonly errors: readonly string[];
}

/** Extra attributes for an input, e.g. from a template: `widget(class='wide')`. */
export type WidgetAttrs = Readonly<Record<string, string | number | boolean | null | undefined>>;

type AttrList = Record<string, string | number | boolean | null | undefined>;

const EXTRA_NAME = /^[a-z][a-z0-9-]{0,63}$/;
// Attributes the field owns (changing them would break what the server reads back), and those
// where escaping alone does not make a value safe: event handlers, style, URLs, form targets.
const REFUSED = new Set([
  'name', 'id', 'type', 'value', 'checked', 'selected', 'multiple', 'accept',
  'style', 'href', 'src', 'srcset', 'srcdoc', 'action', 'form', 'formaction', 'formenctype', 'formmethod', 'formtarget', 'formnovalidate',
]);
const FALSE_TEXT: ReadonlySet<string> = new Set(['', 'false', '0', 'off', 'no']);

function checkExtra(extra: WidgetAttrs | undefined): AttrList {
  const out: AttrList = {};
  if (extra === undefined || extra === null) return out;
  for (const [name, v] of Object.entries(extra)) {
    if (!EXTRA_NAME.test(name) || name.startsWith('on') || REFUSED.has(name)) {
      throw new RampartError(FORM_CONFIG_ERRORS.attribute, `The attribute '${name.slice(0, 64)}' cannot be added to a form field.`, {
        hint: 'Add attributes such as class, placeholder, autofocus, rows, data-* or aria-*; the field sets name, id, type and value itself, and event handlers, style and URL attributes are refused.',
      });
    }
    out[name] = typeof v === 'object' && v !== null ? String(v) : v;
  }
  return out;
}

function attrs(list: AttrList): SafeHtml {
  const parts: SafeHtml[] = [];
  for (const [name, v] of Object.entries(list)) {
    if (v === false || v === null || v === undefined) continue;
    parts.push(v === true ? html` ${name}` : html` ${name}="${String(v)}"`);
  }
  return html`${parts}`;
}

function helpId(v: FieldView): string {
  return `${v.id}_help`;
}

function errorsId(v: FieldView): string {
  return `${v.id}_errors`;
}

/** The ids that describe the input: its errors first (read first), then its help text. */
function describedBy(v: FieldView): string | null {
  const ids: string[] = [];
  if (v.errors.length > 0) ids.push(errorsId(v));
  if (v.spec.helpText !== null) ids.push(helpId(v));
  return ids.length === 0 ? null : ids.join(' ');
}

function common(v: FieldView, extra: WidgetAttrs | undefined, required: boolean): AttrList {
  return {
    required,
    'aria-invalid': v.errors.length > 0 ? 'true' : null,
    'aria-describedby': describedBy(v),
    ...checkExtra(extra),
  };
}

/** Whether a choice is among the values to show. */
function isSelected(v: FieldView, value: string): boolean {
  return v.values.includes(value);
}

function choiceInputs(v: FieldView, type: 'radio' | 'checkbox', extra: WidgetAttrs | undefined): SafeHtml {
  const required = type === 'radio' && v.spec.required;
  const items = (v.spec.choices ?? []).map((c, i) => {
    const id = `${v.id}_${i}`;
    const a = { type, name: v.spec.name, id, value: c.value, checked: isSelected(v, c.value), ...common(v, extra, required) };
    return html`<div class="choice"><input${attrs(a)}><label for="${id}">${c.label}</label></div>`;
  });
  return html`${items}`;
}

function options(v: FieldView, placeholder: boolean): SafeHtml {
  const items = (v.spec.choices ?? []).map((c) => html`<option${attrs({ value: c.value, selected: isSelected(v, c.value) })}>${c.label}</option>`);
  return placeholder ? html`<option value="">---------</option>${items}` : html`${items}`;
}

/**
 * The input (or select, textarea, group of radio buttons or checkboxes) of a field, with its
 * value shown again — never for a password.
 */
export function renderWidget(v: FieldView, extra?: WidgetAttrs): SafeHtml {
  const s = v.spec;
  const first = v.values[0] ?? '';
  switch (s.widget) {
    case 'textarea':
      // The newline after the start tag is dropped by HTML parsers, so a value starting with one keeps it.
      return html`<textarea${attrs({ name: s.name, id: v.id, ...s.attrs, ...common(v, extra, s.required) })}>\n${first}</textarea>`;
    case 'checkbox':
      return html`<input${attrs({ type: 'checkbox', name: s.name, id: v.id, value: 'on', checked: !FALSE_TEXT.has(first.trim().toLowerCase()), ...common(v, extra, s.required) })}>`;
    case 'select': {
      const chosen = (s.choices ?? []).some((c) => isSelected(v, c.value));
      return html`<select${attrs({ name: s.name, id: v.id, ...common(v, extra, s.required) })}>${options(v, !s.required || !chosen)}</select>`;
    }
    case 'select-multiple':
      return html`<select${attrs({ name: s.name, id: v.id, multiple: true, ...common(v, extra, s.required) })}>${options(v, false)}</select>`;
    case 'radio':
      return choiceInputs(v, 'radio', extra);
    case 'checkboxes':
      return choiceInputs(v, 'checkbox', extra);
    case 'file':
      return html`<input${attrs({ type: 'file', name: s.name, id: v.id, accept: s.file?.accept.join(','), multiple: s.kind === 'files', ...common(v, extra, s.required) })}>`;
    case 'password':
      return html`<input${attrs({ type: 'password', name: s.name, id: v.id, ...s.attrs, ...common(v, extra, s.required) })}>`;
    default: {
      // A value with seconds needs step="1", or the browser refuses it as off the default 60-second step.
      const step = s.widget === 'datetime-local' && first.length > 16 ? '1' : s.attrs.step;
      return html`<input${attrs({ type: s.widget, name: s.name, id: v.id, value: first === '' ? null : first, ...s.attrs, step, ...common(v, extra, s.required) })}>`;
    }
  }
}

/** The field's `<label for>`. */
export function renderLabel(v: FieldView): SafeHtml {
  return html`<label for="${v.id}">${v.spec.label}</label>`;
}

/** The help text, with the id the input's `aria-describedby` points at; empty without help. */
export function renderHelp(v: FieldView): SafeHtml {
  return v.spec.helpText === null ? html`` : html`<div class="field-help" id="${helpId(v)}">${v.spec.helpText}</div>`;
}

/** The errors in a `role="alert"` element the input's `aria-describedby` points at; empty without errors. */
export function renderErrors(v: FieldView): SafeHtml {
  if (v.errors.length === 0) return html``;
  return html`<div class="field-errors" id="${errorsId(v)}" role="alert">${v.errors.map((e) => html`<p>${e}</p>`)}</div>`;
}

/** Label, help, errors and input of one field, in a `<div>` (a `<fieldset>` for a group of choices). */
export function renderRow(v: FieldView, extra?: WidgetAttrs): SafeHtml {
  const s = v.spec;
  const cls = `field field-${s.widget}${v.errors.length > 0 ? ' field-invalid' : ''}`;
  if (s.widget === 'radio' || s.widget === 'checkboxes') {
    return html`<fieldset${attrs({ class: cls, id: v.id, 'aria-describedby': describedBy(v) })}><legend>${s.label}</legend>${renderHelp(v)}${renderErrors(v)}${renderWidget(v, extra)}</fieldset>`;
  }
  if (s.widget === 'checkbox') {
    return html`<div class="${cls}">${renderWidget(v, extra)} ${renderLabel(v)}${renderHelp(v)}${renderErrors(v)}</div>`;
  }
  return html`<div class="${cls}">${renderLabel(v)}${renderHelp(v)}${renderErrors(v)}${renderWidget(v, extra)}</div>`;
}

/** The errors of the whole form (`__all__`), in a `role="alert"` element; empty without any. */
export function renderFormErrors(id: string, errors: readonly string[]): SafeHtml {
  if (errors.length === 0) return html``;
  return html`<div class="form-errors" id="${id}" role="alert">${errors.map((e) => html`<p>${e}</p>`)}</div>`;
}
