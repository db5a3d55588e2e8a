/**
 * `model()`: a table described once, from which rows, inserts, validation, queries and migrations
 * are all derived.
 *
 * @module
 */
import type { ColumnType } from 'kysely';
import { ConfigError } from '../errors.js';
import { field, isColumn, isForeignKey, type Field, type FieldKind } from './fields.js';

/** The fields of a model, by name. */
export type Fields = Readonly<Record<string, Field>>;

/** Fields with the implicit `id` primary key added when the model declares none. */
export type WithId<F extends Fields> = 'id' extends keyof F ? F : F & { readonly id: Field<number, true, 'id'> };

type ValueOf<F> = F extends Field<infer T, boolean, FieldKind> ? T : never;
type IsOptional<F> = F extends Field<unknown, infer O, FieldKind> ? O : never;
type KindOf<F> = F extends Field<unknown, boolean, infer K> ? K : never;
type RowKey<K extends string, F> = KindOf<F> extends 'foreignKey' | 'oneToOne' ? `${K}_id` : K;
type ColumnNameOf<F> = F extends Field<unknown, boolean, FieldKind, unknown, infer C> ? C : string;
/** The column's name in the database: the `column` option, else the row key. */
type ColumnKey<K extends string, F> = string extends ColumnNameOf<F> ? RowKey<K, F> : ColumnNameOf<F>;
type ColumnFields<F extends Fields> = { [K in keyof F as KindOf<F[K]> extends 'manyToMany' ? never : K]: F[K] };

/** Names of a model's foreign-key and one-to-one fields. */
export type ForeignKeyNames<F extends Fields> = { [K in keyof F]: KindOf<F[K]> extends 'foreignKey' | 'oneToOne' ? K : never }[keyof F] & string;
/** Names of a model's many-to-many fields. */
export type ManyToManyNames<F extends Fields> = { [K in keyof F]: KindOf<F[K]> extends 'manyToMany' ? K : never }[keyof F] & string;

/** A row as read from the database: every column, foreign keys as `<field>_id`. */
export type RowOf<F extends Fields> = { -readonly [K in keyof ColumnFields<F> & string as RowKey<K, F[K]>]: ValueOf<F[K]> };

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** What `create()` takes: fields with a default (or nullable) may be omitted. */
export type InsertOf<F extends Fields> = Simplify<
  { [K in keyof ColumnFields<F> & string as IsOptional<F[K]> extends true ? never : RowKey<K, F[K]>]: ValueOf<F[K]> } & {
    [K in keyof ColumnFields<F> & string as IsOptional<F[K]> extends true ? RowKey<K, F[K]> : never]?: ValueOf<F[K]>;
  }
>;

/**
 * The table as Kysely sees it: keyed by column names (a `column` option renames the key), with
 * columns that have a default (or are nullable) optional on insert.
 */
export type TableOf<F extends Fields> = {
  -readonly [K in keyof ColumnFields<F> & string as ColumnKey<K, F[K]>]: IsOptional<F[K]> extends true
    ? ColumnType<ValueOf<F[K]>, ValueOf<F[K]> | undefined, ValueOf<F[K]>>
    : ValueOf<F[K]>;
};

/** What `update()` takes: any subset of the columns. */
export type UpdateOf<F extends Fields> = Partial<RowOf<F>>;

/** A named index or unique constraint over one or more fields. */
export interface IndexDef<K extends string = string> {
  fields: readonly K[];
  name?: string;
}

/** Table-level options of a model. */
export interface ModelOptions<K extends string = string> {
  /** Default ordering of queries, `'-created'` for descending. */
  ordering?: readonly (K | `-${K}`)[];
  /** Indexes over several fields. */
  indexes?: readonly (readonly K[] | IndexDef<K>)[];
  /** Unique constraints over several fields. */
  unique?: readonly (readonly K[] | IndexDef<K>)[];
  /** Human name, `'blog post'` by default (from the table name). */
  verboseName?: string;
  verboseNamePlural?: string;
  /** The app label used in permission names (`blog.change_post`); the table name's first part by default. */
  app?: string;
}

/** One column of a model's table, derived from a field. */
export interface ColumnInfo {
  /** The field's name in the model definition. */
  readonly field: string;
  /** The key of the value in a row (`author_id` for a foreign key `author`). */
  readonly key: string;
  /** The column name in the database. */
  readonly column: string;
  readonly def: Field;
}

/** A model: its table name, fields and options, and types for its rows. */
export interface Model<Name extends string = string, F extends Fields = Fields> {
  readonly name: Name;
  /** The table name. Same as `name`. */
  readonly table: Name;
  readonly fields: WithId<F>;
  readonly options: ModelOptions;
  /** @internal columns in declaration order, `id` first. */
  readonly columns: readonly ColumnInfo[];
  /** @internal column by row key and by field name. */
  readonly byKey: ReadonlyMap<string, ColumnInfo>;
  /** Phantom types for `typeof Post.$row`-style use; never set at run time. */
  readonly $row: RowOf<WithId<F>>;
  readonly $insert: InsertOf<WithId<F>>;
  /** Phantom: the table's columns as the Kysely `Database` type holds them. */
  readonly $table: TableOf<WithId<F>>;
}

/** Any model, whatever its fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModel = Model<string, any>;

/** The row type of a model. @example type PostRow = Row<typeof Post> */
export type Row<M extends AnyModel> = M['$row'];
/** The insert type of a model. */
export type Insert<M extends AnyModel> = M['$insert'];

const NAME_RE = /^[a-z][a-z0-9_]{0,62}$/;
// Names that would shadow the row helpers or break generated SQL in some dialect.
const RESERVED = new Set(['constructor', '__proto__', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', 'pk']);

/**
 * Declares a model.
 *
 * @example
 * export const Post = model('blog_post', {
 *   title: field.string({ maxLength: 200 }),
 *   slug: field.slug({ unique: true }),
 *   created: field.datetime({ autoNowAdd: true }),
 * }, { ordering: ['-created'] })
 * type PostRow = Row<typeof Post> // { id: number; title: string; slug: string; created: Date }
 */
export function model<const Name extends string, const F extends Fields>(
  name: Name,
  fields: F,
  options: ModelOptions<Extract<keyof F, string> | 'id'> = {},
): Model<Name, F> {
  if (!NAME_RE.test(name)) {
    throw new ConfigError('E_DB_MODEL_NAME', `Model name '${name}' is not a valid table name.`, {
      hint: 'Use lower-case letters, digits and underscores, starting with a letter (e.g. blog_post), at most 63 characters.',
    });
  }
  const all: Record<string, Field> = {};
  if (!('id' in fields)) all.id = field.id();
  for (const [k, f] of Object.entries(fields)) all[k] = f;
  const columns: ColumnInfo[] = [];
  const byKey = new Map<string, ColumnInfo>();
  const seenColumns = new Set<string>();
  for (const [k, f] of Object.entries(all)) {
    if (!NAME_RE.test(k) || RESERVED.has(k)) {
      throw new ConfigError('E_DB_FIELD_NAME', `Field '${k}' of model '${name}' is not a valid field name.`, {
        hint: 'Use lower-case letters, digits and underscores, starting with a letter.',
      });
    }
    if (f.kind === 'id' && k !== 'id') {
      throw new ConfigError('E_DB_FIELD_NAME', `Model '${name}': the auto primary key must be named 'id', not '${k}'.`);
    }
    if (k === 'id' && f.kind !== 'id') {
      throw new ConfigError('E_DB_FIELD_NAME', `Model '${name}': 'id' is reserved for the auto primary key; rename field 'id'.`);
    }
    if (isForeignKey(f) && f.options.onDelete === 'setNull' && !f.nullable) {
      throw new ConfigError('E_DB_FIELD_OPTIONS', `Field '${name}.${k}' uses onDelete 'setNull' but is not nullable.`, {
        hint: "Add nullable: true, or choose another onDelete ('cascade', 'restrict', 'protect').",
      });
    }
    if (f.kind === 'choices' && (f.choices === undefined || f.choices.length === 0)) {
      throw new ConfigError('E_DB_FIELD_OPTIONS', `Field '${name}.${k}' has no choices.`);
    }
    if (!isColumn(f)) continue;
    const key = isForeignKey(f) ? `${k}_id` : k;
    const column = typeof f.options.column === 'string' ? f.options.column : key;
    if (!NAME_RE.test(column) || seenColumns.has(column)) {
      throw new ConfigError('E_DB_FIELD_NAME', `Field '${name}.${k}': column name '${column}' is invalid or used twice.`);
    }
    seenColumns.add(column);
    const info: ColumnInfo = Object.freeze({ field: k, key, column, def: f });
    columns.push(info);
    byKey.set(key, info);
    if (key !== k) byKey.set(k, info);
  }
  const known = new Set(Object.keys(all));
  const check = (list: readonly (readonly string[] | IndexDef)[] | undefined, what: string): void => {
    for (const entry of list ?? []) {
      const names = 'fields' in entry ? entry.fields : entry;
      for (const n of names) {
        if (!known.has(n)) throw new ConfigError('E_DB_FIELD_UNKNOWN', `Model '${name}': ${what} names unknown field '${n}'.`);
      }
    }
  };
  check(options.indexes as readonly (readonly string[] | IndexDef)[] | undefined, 'an index');
  check(options.unique as readonly (readonly string[] | IndexDef)[] | undefined, 'a unique constraint');
  for (const o of options.ordering ?? []) {
    const n = o.startsWith('-') ? o.slice(1) : o;
    if (!byKey.has(n)) throw new ConfigError('E_DB_FIELD_UNKNOWN', `Model '${name}': ordering names unknown field '${n}'.`);
  }
  return Object.freeze({
    name,
    table: name,
    fields: Object.freeze(all) as WithId<F>,
    options: Object.freeze({ ...options }) as ModelOptions,
    columns: Object.freeze(columns),
    byKey,
  }) as unknown as Model<Name, F>;
}

/** The app label of a model, for permission names: `blog` for `blog_post`. */
export function appLabel(m: AnyModel): string {
  return m.options.app ?? (m.table.includes('_') ? m.table.slice(0, m.table.indexOf('_')) : m.table);
}

/** The model's short name, for permission names: `post` for `blog_post`. */
export function modelLabel(m: AnyModel): string {
  const app = appLabel(m);
  return m.table.startsWith(`${app}_`) ? m.table.slice(app.length + 1) : m.table;
}

/** Human name of a model: `verboseName`, or `blog post` from `blog_post`. */
export function verboseName(m: AnyModel): string {
  return m.options.verboseName ?? m.table.replace(/_/g, ' ');
}
