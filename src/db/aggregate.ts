/**
 * Aggregates over a query (`count`, `sum`, `avg`, `min`, `max`), in total or per group. Field names
 * and output names are checked like filter keys, so both may come from user input; results come
 * back with the same types on every database (sums of integers as numbers, of bigints as bigints,
 * of decimals as exact strings where the database is exact).
 *
 * @module
 */
import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from './connection.js';
import { QueryError } from './errors.js';
import { resolveField } from './lookups.js';
import type { Field } from './fields.js';
import type { AnyModel, ColumnInfo, Row } from './model.js';
import { readConverter } from './values.js';

/** One aggregate: `{ count: '*' }`, `{ count: 'field' }` (non-null values), `{ countDistinct: 'field' }`, `{ sum: 'field' }`… */
export type AggregateSpec<K extends string = string> =
  | { readonly count: '*' | K }
  | { readonly countDistinct: K }
  | { readonly sum: K }
  | { readonly avg: K }
  | { readonly min: K }
  | { readonly max: K };

type KindOfField<F> = F extends Field<unknown, boolean, infer K> ? K : never;
type NumberKinds = 'integer' | 'bigint' | 'float' | 'decimal' | 'id' | 'foreignKey' | 'oneToOne';
/** Row keys of the number fields (decimals included), which sums and averages take. */
type NumberKeys<M extends AnyModel> = {
  [K in keyof M['fields'] & string]: KindOfField<M['fields'][K]> extends NumberKinds
    ? KindOfField<M['fields'][K]> extends 'foreignKey' | 'oneToOne'
      ? `${K}_id`
      : K
    : never;
}[keyof M['fields'] & string];

/** The aggregates a model allows: sums and averages of number fields (and decimals, as strings), min and max of any. */
export type Aggregates<M extends AnyModel> = Readonly<
  Record<
    string,
    | { readonly count: '*' | (keyof Row<M> & string) }
    | { readonly countDistinct: keyof Row<M> & string }
    | { readonly sum: NumberKeys<M> }
    | { readonly avg: NumberKeys<M> }
    | { readonly min: keyof Row<M> & string }
    | { readonly max: keyof Row<M> & string }
  >
>;

type SumOf<T> = NonNullable<T> extends bigint ? bigint : NonNullable<T> extends number ? number : string;

/** The value an aggregate gives: counts are numbers; sums, averages, minimums and maximums are null over no rows. */
export type AggregateValue<R, A> = A extends { count: unknown } | { countDistinct: unknown }
  ? number
  : A extends { sum: infer K extends keyof R }
    ? SumOf<R[K]> | null
    : A extends { avg: unknown }
      ? number | null
      : A extends { min: infer K extends keyof R } | { max: infer K extends keyof R }
        ? NonNullable<R[K]> | null
        : never;

/** The result of `aggregate(spec)`. */
export type AggregateResult<M extends AnyModel, S> = { -readonly [K in keyof S]: AggregateValue<Row<M>, S[K]> };

const FUNCTIONS = ['count', 'countDistinct', 'sum', 'avg', 'min', 'max'] as const;
type Fn = (typeof FUNCTIONS)[number];
const NUMERIC = new Set(['integer', 'bigint', 'float', 'decimal', 'id', 'foreignKey', 'oneToOne']);
const UNORDERED = new Set(['json', 'boolean']);
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** Most aggregates one call may compute. */
const MAX_AGGREGATES = 50;

function fail(code: 'E_DB_QUERY_FIELD' | 'E_DB_QUERY_VALUE', message: string): never {
  throw new QueryError(code, message);
}

interface Planned {
  readonly name: string;
  readonly expr: RawBuilder<unknown>;
  readonly read: (v: unknown) => unknown;
}

function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'number' ? v : Number(v);
}

function plan(m: AnyModel, name: string, spec: unknown, dialect: DialectName): Planned {
  if (!NAME_RE.test(name)) fail('E_DB_QUERY_FIELD', `Invalid aggregate name '${name.slice(0, 100)}': use letters, digits and _.`);
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) fail('E_DB_QUERY_VALUE', `Aggregate '${name}' must be an object such as { sum: 'field' }.`);
  const keys = Object.keys(spec);
  const fn = keys[0] as Fn;
  if (keys.length !== 1 || !(FUNCTIONS as readonly string[]).includes(fn)) {
    fail('E_DB_QUERY_VALUE', `Aggregate '${name}' must have exactly one of: ${FUNCTIONS.join(', ')}.`);
  }
  const fieldName = (spec as Record<string, unknown>)[fn];
  if (typeof fieldName !== 'string') fail('E_DB_QUERY_FIELD', `Aggregate '${name}' names its field with a string.`);
  if (fn === 'count' && fieldName === '*') return { name, expr: sql`count(*)`, read: (v) => toNumber(v) ?? 0 };
  const info: ColumnInfo = resolveField(m, fieldName);
  const kind = info.def.kind;
  let col: RawBuilder<unknown> = sql.ref(`t0.${info.column}`);
  // Decimals are text on SQLite: compare and add them as numbers there.
  const decimalOnSqlite = kind === 'decimal' && dialect === 'sqlite';
  if (decimalOnSqlite && fn !== 'count' && fn !== 'countDistinct') col = sql`cast(${col} as real)`;
  const places = typeof info.def.options.decimalPlaces === 'number' ? info.def.options.decimalPlaces : 0;
  const decimal = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === 'number' ? v.toFixed(places) : String(v));
  switch (fn) {
    case 'count':
      return { name, expr: sql`count(${col})`, read: (v) => toNumber(v) ?? 0 };
    case 'countDistinct':
      return { name, expr: sql`count(distinct ${col})`, read: (v) => toNumber(v) ?? 0 };
    case 'sum':
    case 'avg': {
      if (!NUMERIC.has(kind)) fail('E_DB_QUERY_FIELD', `${fn} needs a number field; '${info.key}' is ${kind}.`);
      if (fn === 'avg') return { name, expr: sql`avg(${col})`, read: toNumber };
      if (kind === 'decimal') return { name, expr: sql`sum(${col})`, read: decimal };
      if (kind === 'bigint') return { name, expr: sql`sum(${col})`, read: (v) => (v === null || v === undefined ? null : BigInt(typeof v === 'number' ? Math.round(v) : (v as string | bigint))) };
      return { name, expr: sql`sum(${col})`, read: toNumber };
    }
    default: {
      if (UNORDERED.has(kind)) fail('E_DB_QUERY_FIELD', `${fn} needs a field with an order; '${info.key}' is ${kind}.`);
      const fnSql = fn === 'min' ? sql`min(${col})` : sql`max(${col})`;
      if (decimalOnSqlite) return { name, expr: fnSql, read: decimal };
      // The field's own reader: a Date for a datetime, a bigint for a bigint, a number for an id.
      const read = readConverter(info.def, dialect);
      return { name, expr: fnSql, read: (v) => (v === null || v === undefined ? null : read === null ? v : read(v)) };
    }
  }
}

/** The select list and readers of an aggregate spec, checked against the model. */
export function planAggregates(m: AnyModel, spec: unknown, dialect: DialectName, taken: ReadonlySet<string> = new Set()): Planned[] {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) fail('E_DB_QUERY_VALUE', 'aggregate() takes an object of named aggregates.');
  const entries = Object.entries(spec);
  if (entries.length === 0) fail('E_DB_QUERY_VALUE', 'aggregate() needs at least one aggregate.');
  if (entries.length > MAX_AGGREGATES) fail('E_DB_QUERY_VALUE', `aggregate() takes at most ${MAX_AGGREGATES} aggregates.`);
  return entries.map(([name, s]) => {
    if (taken.has(name)) fail('E_DB_QUERY_FIELD', `Aggregate name '${name}' is also a group key; choose another.`);
    return plan(m, name, s, dialect);
  });
}
