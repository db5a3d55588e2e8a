/**
 * `modelForm()`: a form derived from a model, over an explicit allowlist of its fields. Fields not
 * listed can never be set from a request, whatever the client sends (no `is_superuser=1` slipped
 * into a profile form). The model's rules, labels and help texts are the form's; with a database,
 * unique fields and unique sets are checked before saving.
 *
 * @module
 */
import { ConfigError } from '../errors.js';
import { isForeignKey, type Field } from '../db/fields.js';
import { verboseName, type AnyModel } from '../db/model.js';
import { Form, type FormCheckContext, type FormOptions } from './form.js';
import { humanize } from './field-spec.js';
import { FORM_CONFIG_ERRORS, messageFor } from './form-errors.js';
import type { AsyncFieldValidator, FieldMessages, FormOutput } from './form-fields.js';

type KindOf<F> = F extends Field<unknown, boolean, infer K> ? K : never;

/** Names of a model's fields a form may list (not the id, not many-to-many relations). */
export type EditableName<M extends AnyModel> = {
  [K in keyof M['fields'] & string]: KindOf<M['fields'][K]> extends 'manyToMany' | 'id' ? never : K;
}[keyof M['fields'] & string];

type FormKey<K extends string, F> = KindOf<F> extends 'foreignKey' | 'oneToOne' ? `${K}_id` : K;

/** The form fields of a model form: the listed fields, foreign keys under their row key (`author_id`). */
export type ModelFormFields<M extends AnyModel, K extends string> = { readonly [P in K as FormKey<P, M['fields'][P]>]: M['fields'][P] };

/** The part of a query set a uniqueness check uses. */
export interface UniqueQuery {
  filter(where: never): UniqueQuery;
  exclude(where: never): UniqueQuery;
  exists(): Promise<boolean>;
}

/** A database a model form checks uniqueness in: `connect()`'s result, or anything with `query(Model)`. */
export interface UniqueSource<M extends AnyModel> {
  query(m: M): UniqueQuery;
}

/** Options of `modelForm()`. */
export interface ModelFormOptions<M extends AnyModel, K extends string> extends FormOptions<FormOutput<ModelFormFields<M, K>>> {
  /** The fields the form reads, and the only ones a request can set. */
  fields: readonly K[];
  /**
   * The database (or a function returning it, when the form is declared before connecting):
   * fields with `unique: true` and the model's `unique` sets are checked in it.
   */
  db?: UniqueSource<NoInfer<M>> | (() => UniqueSource<NoInfer<M>>);
}

/** The row key of a model field: `author_id` for a foreign key `author`. */
function keyOf(m: AnyModel, name: string): string {
  return isForeignKey(m.fields[name] as Field) ? `${name}_id` : name;
}

function sourceOf<M extends AnyModel>(db: ModelFormOptions<M, string>['db']): () => UniqueSource<M> {
  return typeof db === 'function' ? db : () => db!;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function labelOf(f: Field, name: string): string {
  return (typeof f.options.label === 'string' ? f.options.label : humanize(name)).toLowerCase();
}

/**
 * A validator refusing a value another row already has (the row being edited, `instance`, is left
 * out). Use it in any form: `asyncValidators: [unique(() => db, User, 'username')]`.
 *
 * @example
 * const SignupForm = form({ username: formField.string({ asyncValidators: [unique(() => db, User, 'username')] }) })
 * @see docs/forms.md#uniqueness
 */
export function unique<M extends AnyModel>(
  db: UniqueSource<NoInfer<M>> | (() => UniqueSource<NoInfer<M>>),
  m: M,
  key: string,
  message?: string,
): AsyncFieldValidator<unknown> {
  const info = m.byKey.get(key);
  if (info === undefined) throw new ConfigError(FORM_CONFIG_ERRORS.unknown, `unique(): model '${m.table}' has no field '${key}'.`);
  const text = message ?? `${capitalize(verboseName(m))} with this ${labelOf(info.def, info.field)} already exists.`;
  const source = sourceOf(db);
  return async (value, ctx) => {
    let q = source().query(m).filter({ [key]: value } as never);
    const id = ctx.instance?.id;
    if (id !== undefined && id !== null) q = q.exclude({ id } as never);
    return (await q.exists()) ? text : undefined;
  };
}

/**
 * Derives a form from a model. Only `fields` are read from requests; the data can be given to
 * `db.query(Model).create()` or `.update()` as is (foreign keys come as `author_id`).
 *
 * @throws ConfigError `E_FORM_FIELD_UNKNOWN` for a name the model does not have,
 *   `E_FORM_FIELD_NOT_EDITABLE` for the id, `editable: false` and automatic datetimes.
 * @example
 * const ProfileForm = modelForm(User, { fields: ['display_name', 'email'], db: () => db })
 * app.post('/profile', async (req) => {
 *   const data = await req.form(ProfileForm)            // is_superuser=1 in the body changes nothing
 *   await db.query(User).filter({ id: req.var.user.id }).update(data)
 *   return req.redirect('/profile', 303)
 * })
 * @see docs/forms.md#model-forms
 */
export function modelForm<M extends AnyModel, const K extends EditableName<M>>(m: M, options: ModelFormOptions<M, K>): Form<ModelFormFields<M, K>> {
  const { fields: names, db, ...rest } = options;
  if (!Array.isArray(names) || names.length === 0) {
    throw new ConfigError(FORM_CONFIG_ERRORS.options, `modelForm(${m.table}) needs the list of fields it may set: { fields: ['title', 'body'] }.`);
  }
  const messages = (rest.messages ?? {}) as Readonly<Record<string, FieldMessages>>;
  const fields: Record<string, Field> = {};
  const listed = new Set<string>();
  for (const name of names as readonly string[]) {
    const f = Object.hasOwn(m.fields, name) ? (m.fields[name] as Field) : undefined;
    if (f === undefined) {
      throw new ConfigError(FORM_CONFIG_ERRORS.unknown, `modelForm(${m.table}): the model has no field '${String(name)}'.`, {
        hint: `Its fields are: ${Object.keys(m.fields).join(', ')}. List foreign keys by field name ('author', not 'author_id').`,
      });
    }
    if (listed.has(name)) throw new ConfigError(FORM_CONFIG_ERRORS.options, `modelForm(${m.table}) lists '${name}' twice.`);
    if (f.kind === 'id' || f.options.editable === false || f.options.autoNow === true || f.options.autoNowAdd === true) {
      throw new ConfigError(FORM_CONFIG_ERRORS.notEditable, `modelForm(${m.table}): field '${name}' is not editable (the id, editable: false, or an automatic datetime).`);
    }
    listed.add(name);
    const key = keyOf(m, name);
    let def = f;
    if (db !== undefined && f.options.unique === true) {
      const label = labelOf(f, name);
      const own = messages[key]?.unique ?? (f.options.messages as FieldMessages | undefined)?.unique;
      const check = unique(db, m, key, messageFor({ unique: own }, 'unique', `${capitalize(verboseName(m))} with this ${label} already exists.`));
      const before = Array.isArray(f.options.asyncValidators) ? (f.options.asyncValidators as AsyncFieldValidator<unknown>[]) : [];
      def = Object.freeze({ ...f, options: Object.freeze({ ...f.options, asyncValidators: [...before, check] }) });
    }
    fields[key] = def;
  }
  // Unique sets (`unique: [['author', 'slug']]`) entirely in the form are checked once every
  // field is valid; a set with a field left out is the handler's to guarantee.
  const sets = (m.options.unique ?? [])
    .map((entry) => ('fields' in entry ? entry.fields : entry) as readonly string[])
    .filter((set) => set.every((n) => listed.has(n)));
  const afterFields =
    db === undefined || sets.length === 0
      ? undefined
      : async (data: Record<string, unknown>, ctx: FormCheckContext<Record<string, unknown>>): Promise<void> => {
          const source = sourceOf(db);
          for (const set of sets) {
            const where: Record<string, unknown> = {};
            for (const n of set) where[keyOf(m, n)] = data[keyOf(m, n)];
            let q = source().query(m).filter(where as never);
            const id = ctx.instance?.id;
            if (id !== undefined && id !== null) q = q.exclude({ id } as never);
            if (await q.exists()) {
              const labels = set.map((n) => labelOf(m.fields[n] as Field, n));
              ctx.addError(null, `${capitalize(verboseName(m))} with this ${labels.join(' and ')} already exists.`);
            }
          }
        };
  return new Form(fields as ModelFormFields<M, K>, rest as FormOptions<FormOutput<ModelFormFields<M, K>>>, { afterFields });
}
