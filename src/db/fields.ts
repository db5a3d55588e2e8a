/**
 * Field definitions: one object per column (or relation) that carries everything the model layer,
 * validation, migrations, forms and the admin need, plus the TypeScript type of its value.
 *
 * @module
 */
import type { AnyModel } from './model.js';

/** What a field is; decides its column type, its validation and how values cross the driver. */
export type FieldKind =
  | 'id'
  | 'string'
  | 'text'
  | 'integer'
  | 'bigint'
  | 'float'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'json'
  | 'uuid'
  | 'email'
  | 'url'
  | 'slug'
  | 'choices'
  | 'foreignKey'
  | 'oneToOne'
  | 'manyToMany';

/** What happens to rows that point at a deleted row (Django's `on_delete`). */
export type OnDelete = 'cascade' | 'restrict' | 'setNull' | 'protect';

/** A validator of one value: return an error message, or nothing when the value is fine. */
export type FieldValidator<T> = (value: T) => string | undefined | null | void;

/** Options every field accepts. */
export interface CommonOptions<T> {
  /** The column may hold NULL; the value type gains `null` and inserts may omit it. */
  nullable?: boolean;
  /** A value, or a function called per insert (`() => new Date()`), used when a create omits it. */
  default?: T | (() => T);
  /** A unique constraint on the column. */
  unique?: boolean;
  /** An index on the column. */
  index?: boolean;
  /** The column name in the database, when it differs from the field name. */
  column?: string;
  /** Shown under form inputs and in the admin. */
  helpText?: string;
  /** Human name for forms and the admin; derived from the field name by default. */
  label?: string;
  /** `false` keeps the field out of forms and the admin (it can still be set in code). */
  editable?: boolean;
  /** Extra checks run with the built-in ones on create and update. */
  validators?: readonly FieldValidator<T>[];
}

export interface StringOptions<T = string> extends CommonOptions<T> {
  maxLength?: number;
  minLength?: number;
  /** An empty string is refused unless this is true (Django's `blank`). */
  blank?: boolean;
}

export interface NumberOptions<T = number> extends CommonOptions<T> {
  min?: T;
  max?: T;
}

export interface DecimalOptions extends CommonOptions<string> {
  /** Total number of digits. */
  maxDigits: number;
  /** Digits after the decimal point. */
  decimalPlaces: number;
  min?: string;
  max?: string;
}

export interface DateTimeOptions extends CommonOptions<Date> {
  /** Set to the current time on every update (Django's `auto_now`). */
  autoNow?: boolean;
  /** Set to the current time on create (Django's `auto_now_add`). */
  autoNowAdd?: boolean;
}

export interface ChoicesOptions<V extends string> extends CommonOptions<V> {
  /** Labels for forms and the admin, keyed by value. */
  labels?: Partial<Record<V, string>>;
}

export interface RelationOptions extends Omit<CommonOptions<number>, 'column'> {
  /**
   * What happens to this row when the row it points at is deleted. `'restrict'` by default, so a
   * forgotten option fails loudly instead of deleting rows in cascade.
   */
  onDelete?: OnDelete;
  /** The column name; `<field>_id` by default. */
  column?: string;
  /** Name of the reverse accessor on the target model, for prefetching; `<model>_set` by default. */
  relatedName?: string;
}

export interface ManyToManyOptions {
  /** The join table's name; `<table>_<field>` by default. */
  through?: string;
  relatedName?: string;
  helpText?: string;
  label?: string;
  editable?: boolean;
}

/**
 * Any field; the type parameters carry the value type, whether an insert may omit it, and the
 * column name when the `column` option renames it (`string` when it does not).
 */
export interface Field<T = unknown, Optional extends boolean = boolean, K extends FieldKind = FieldKind, Target = unknown, Column extends string = string> {
  readonly kind: K;
  readonly nullable: boolean;
  readonly options: Readonly<Record<string, unknown>>;
  /** Target model of a relation, resolved lazily so models can point at each other. */
  readonly target?: () => AnyModel;
  /** Allowed values of a `choices` field. */
  readonly choices?: readonly string[];
  /** Phantom members: never set at run time, they only carry types. */
  readonly __value?: T;
  readonly __optional?: Optional;
  readonly __target?: Target;
  readonly __column?: Column;
}

type Nullable<T, O> = O extends { nullable: true } ? T | null : T;
type HasDefault<O> = O extends { nullable: true } ? true : O extends { default: unknown } ? true : false;
/** The `column` option's literal name, or `string` when the field keeps its own name. */
type ColumnOf<O> = O extends { column: infer C extends string } ? C : string;

function make<T, Opt extends boolean, K extends FieldKind, Tgt = unknown, C extends string = string>(
  kind: K,
  options: object | undefined,
  extra?: { target?: () => AnyModel; choices?: readonly string[] },
): Field<T, Opt, K, Tgt, C> {
  const opts = { ...(options ?? {}) } as Record<string, unknown>;
  const f: { -readonly [P in keyof Field]: Field[P] } = { kind, nullable: opts.nullable === true, options: Object.freeze(opts) };
  if (extra?.target !== undefined) f.target = extra.target;
  if (extra?.choices !== undefined) f.choices = Object.freeze([...extra.choices]);
  return Object.freeze(f) as Field<T, Opt, K, Tgt, C>;
}

/**
 * Field builders.
 *
 * @example
 * const Post = model('blog_post', {
 *   title: field.string({ maxLength: 200 }),
 *   body: field.text(),
 *   published: field.boolean({ default: false }),
 *   author: field.foreignKey(() => User, { onDelete: 'cascade' }),
 * })
 */
export const field = {
  /** The auto-incrementing bigint primary key; added as `id` when a model declares none. */
  id: (): Field<number, true, 'id'> => make('id', { editable: false }),
  string: <const O extends StringOptions = StringOptions>(options?: O): Field<Nullable<string, O>, HasDefault<O>, 'string', unknown, ColumnOf<O>> =>
    make('string', { maxLength: 255, ...options }),
  text: <const O extends StringOptions = StringOptions>(options?: O): Field<Nullable<string, O>, HasDefault<O>, 'text', unknown, ColumnOf<O>> => make('text', options),
  email: <const O extends StringOptions = StringOptions>(options?: O): Field<Nullable<string, O>, HasDefault<O>, 'email', unknown, ColumnOf<O>> =>
    make('email', { maxLength: 254, ...options }),
  url: <const O extends StringOptions = StringOptions>(options?: O): Field<Nullable<string, O>, HasDefault<O>, 'url', unknown, ColumnOf<O>> =>
    make('url', { maxLength: 200, ...options }),
  slug: <const O extends StringOptions = StringOptions>(options?: O): Field<Nullable<string, O>, HasDefault<O>, 'slug', unknown, ColumnOf<O>> =>
    make('slug', { maxLength: 50, ...options }),
  uuid: <const O extends CommonOptions<string> = CommonOptions<string>>(options?: O): Field<Nullable<string, O>, HasDefault<O>, 'uuid', unknown, ColumnOf<O>> =>
    make('uuid', options),
  integer: <const O extends NumberOptions = NumberOptions>(options?: O): Field<Nullable<number, O>, HasDefault<O>, 'integer', unknown, ColumnOf<O>> =>
    make('integer', options),
  bigint: <const O extends NumberOptions<bigint> = NumberOptions<bigint>>(options?: O): Field<Nullable<bigint, O>, HasDefault<O>, 'bigint', unknown, ColumnOf<O>> =>
    make('bigint', options),
  float: <const O extends NumberOptions = NumberOptions>(options?: O): Field<Nullable<number, O>, HasDefault<O>, 'float', unknown, ColumnOf<O>> => make('float', options),
  /** An exact decimal, read and written as a string (`'19.99'`) so no digit is lost to a float. */
  decimal: <const O extends DecimalOptions>(options: O): Field<Nullable<string, O>, HasDefault<O>, 'decimal', unknown, ColumnOf<O>> => make('decimal', options),
  boolean: <const O extends CommonOptions<boolean> = CommonOptions<boolean>>(options?: O): Field<Nullable<boolean, O>, HasDefault<O>, 'boolean', unknown, ColumnOf<O>> =>
    make('boolean', options),
  /** A calendar date without a time zone, as `'YYYY-MM-DD'`. */
  date: <const O extends CommonOptions<string> = CommonOptions<string>>(options?: O): Field<Nullable<string, O>, HasDefault<O>, 'date', unknown, ColumnOf<O>> =>
    make('date', options),
  /** A point in time: stored in UTC, returned as a `Date`. */
  datetime: <const O extends DateTimeOptions = DateTimeOptions>(
    options?: O,
  ): Field<Nullable<Date, O>, O extends { autoNow: true } | { autoNowAdd: true } ? true : HasDefault<O>, 'datetime', unknown, ColumnOf<O>> => make('datetime', options),
  /** Any JSON value. For a typed value use `field.jsonOf<T>()(options)`. */
  json: <const O extends CommonOptions<JsonValue> = CommonOptions<JsonValue>>(options?: O): Field<Nullable<JsonValue, O>, HasDefault<O>, 'json', unknown, ColumnOf<O>> =>
    make('json', options),
  /**
   * A JSON field typed as `T` (not checked beyond being JSON). Curried so the options are still
   * inferred: `field.jsonOf<Settings>()({ nullable: true })`.
   */
  jsonOf:
    <T>() =>
    <const O extends CommonOptions<T> = CommonOptions<T>>(options?: O): Field<Nullable<T, O>, HasDefault<O>, 'json', unknown, ColumnOf<O>> =>
      make('json', options),
  /** One of a fixed set of strings, stored as a string column sized to the longest. */
  choices: <const V extends string, const O extends ChoicesOptions<V> = ChoicesOptions<V>>(
    values: readonly V[],
    options?: O,
  ): Field<Nullable<V, O>, HasDefault<O>, 'choices', unknown, ColumnOf<O>> => make('choices', options, { choices: values }),
  /** A reference to a row of another model; the row holds `<field>_id`. */
  foreignKey: <T extends AnyModel, const O extends RelationOptions = RelationOptions>(
    target: () => T,
    options?: O,
  ): Field<Nullable<number, O>, HasDefault<O>, 'foreignKey', T, ColumnOf<O>> => make('foreignKey', options, { target }),
  /** A foreign key with a unique constraint. */
  oneToOne: <T extends AnyModel, const O extends RelationOptions = RelationOptions>(
    target: () => T,
    options?: O,
  ): Field<Nullable<number, O>, HasDefault<O>, 'oneToOne', T, ColumnOf<O>> => make('oneToOne', options, { target }),
  /** Many rows on both sides, through a join table created for you; not a column of this table. */
  manyToMany: <T extends AnyModel>(target: () => T, options?: ManyToManyOptions): Field<never, true, 'manyToMany', T> =>
    make('manyToMany', options, { target }),
};

/** Any value JSON can hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Whether a field is stored in a column of its model's table (many-to-many is not). */
export function isColumn(f: Field): boolean {
  return f.kind !== 'manyToMany';
}

/** Whether a field points at another model through a column. */
export function isForeignKey(f: Field): boolean {
  return f.kind === 'foreignKey' || f.kind === 'oneToOne';
}
