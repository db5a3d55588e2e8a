/**
 * Filter keys (`title__icontains`, `views__gte`) to SQL conditions. Every field name is checked
 * against the model and every value against the field's type before any SQL is built, so keys and
 * values straight from a query string are safe: an unknown name or a wrong value is a `QueryError`.
 *
 * @module
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { DialectName } from './connection.js';
import { QueryError } from './errors.js';
import { isForeignKey, type Field } from './fields.js';
import type { AnyModel, ColumnInfo } from './model.js';
import { joinTable } from './schema-state.js';
import { isValidDate } from './validation.js';
import { toDriver } from './values.js';

/** The lookups a filter key may end with. */
export const LOOKUPS = [
  'exact',
  'in',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
  'isnull',
] as const;
export type Lookup = (typeof LOOKUPS)[number];
const LOOKUP_SET: ReadonlySet<string> = new Set(LOOKUPS);
const TEXT_LOOKUPS: ReadonlySet<string> = new Set(['contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith']);
const TEXT_KINDS: ReadonlySet<string> = new Set(['string', 'text', 'email', 'url', 'slug', 'choices', 'uuid']);
/** Bound on the number of values of an `in` lookup: each is a bind parameter, and drivers cap those. */
export const MAX_IN_VALUES = 10_000;
/** Most relations one filter key may follow (`post__author__username` follows two). */
export const MAX_RELATION_HOPS = 3;

function fail(code: 'E_DB_QUERY_FIELD' | 'E_DB_QUERY_LOOKUP' | 'E_DB_QUERY_VALUE', message: string): never {
  throw new QueryError(code, message);
}

/** Resolves a field name from user input to a column, or throws naming the allowed fields. */
export function resolveField(m: AnyModel, name: string): ColumnInfo {
  const info = typeof name === 'string' ? m.byKey.get(name) : undefined;
  if (info === undefined) {
    const known = m.columns.map((c) => c.key).join(', ');
    fail('E_DB_QUERY_FIELD', `Unknown field '${String(name).slice(0, 100)}' for ${m.table}. Known fields: ${known}.`);
  }
  return info;
}

/**
 * A value for a field from code or from a query string: scalars of the field's type, or strings
 * that convert to one exactly. Objects and arrays are refused.
 */
export function coerceValue(info: ColumnInfo, v: unknown): unknown {
  const f: Field = info.def;
  const bad = (what: string): never => fail('E_DB_QUERY_VALUE', `Invalid value for '${info.key}': ${what}.`);
  if (v === null) return null;
  if (typeof v === 'object' && !(v instanceof Date)) bad('expected a single value, not an object or array');
  switch (f.kind) {
    case 'id':
    case 'foreignKey':
    case 'oneToOne':
    case 'integer': {
      const n = typeof v === 'string' && /^-?\d{1,16}$/.test(v) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isSafeInteger(n)) bad('expected a whole number');
      const limit = f.kind === 'integer' ? 2147483647 : Number.MAX_SAFE_INTEGER;
      if ((n as number) > limit || (n as number) < -limit - 1) bad('the number is out of range');
      return n;
    }
    case 'bigint': {
      if (typeof v === 'bigint') return v;
      if ((typeof v === 'string' && /^-?\d{1,19}$/.test(v)) || (typeof v === 'number' && Number.isSafeInteger(v))) {
        const b = BigInt(v as string | number);
        if (b > 2n ** 63n - 1n || b < -(2n ** 63n)) bad('the number is out of range');
        return b;
      }
      return bad('expected a whole number');
    }
    case 'float': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) bad('expected a number');
      return n;
    }
    case 'decimal':
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
      if (typeof v !== 'string' || !/^[-+]?\d{1,65}(\.\d{1,30})?$/.test(v)) bad('expected a decimal number');
      return v;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      return bad('expected true or false');
    case 'datetime': {
      const d = v instanceof Date ? v : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ? new Date(v) : null;
      if (d === null || Number.isNaN(d.getTime())) bad('expected a date and time (ISO 8601)');
      return d;
    }
    case 'date':
      if (typeof v !== 'string' || !isValidDate(v)) bad('expected a date (YYYY-MM-DD)');
      return v;
    case 'json':
      return bad('JSON fields cannot be filtered by value');
    default:
      if (typeof v !== 'string') bad('expected text');
      if ((v as string).includes('\0')) bad('null characters are not allowed');
      return v;
  }
}

/** Escapes LIKE wildcards so `%` and `_` in user input match themselves. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function likeCondition(col: RawBuilder<unknown>, lookup: string, value: string, dialect: DialectName): RawBuilder<SqlBool> {
  const insensitive = lookup.startsWith('i');
  const kind = insensitive ? lookup.slice(1) : lookup;
  const e = escapeLike(value);
  const pattern = kind === 'contains' ? `%${e}%` : kind === 'startswith' ? `${e}%` : `%${e}`;
  if (dialect === 'postgres') return insensitive ? sql<SqlBool>`${col} ilike ${pattern}` : sql<SqlBool>`${col} like ${pattern}`;
  if (dialect === 'mysql') {
    // The column collation (utf8mb4_unicode_ci) is case-insensitive; a binary collation makes the
    // case-sensitive lookups exact. Backslash is MySQL's default LIKE escape.
    return insensitive ? sql<SqlBool>`${col} like ${pattern}` : sql<SqlBool>`${col} collate utf8mb4_bin like ${pattern}`;
  }
  // SQLite: LIKE ignores ASCII case, so case-sensitive lookups compare exactly with instr/substr.
  if (insensitive) return sql<SqlBool>`lower(${col}) like lower(${pattern}) escape '\\'`;
  if (kind === 'contains') return sql<SqlBool>`instr(${col}, ${value}) > 0`;
  if (kind === 'startswith') return sql<SqlBool>`substr(${col}, 1, length(${value})) = ${value}`;
  return sql<SqlBool>`substr(${col}, -length(${value})) = ${value}`;
}

/**
 * One condition from a filter key and value.
 *
 * @example condition(Post, 't0', 'title__icontains', 'rampart', 'postgres')
 */
export function condition(m: AnyModel, alias: string, key: string, value: unknown, dialect: DialectName): Expression<SqlBool> {
  if (typeof key !== 'string') fail('E_DB_QUERY_FIELD', 'Filter keys must be strings.');
  let followed: Expression<SqlBool> | null;
  try {
    followed = spanning(m, alias, key, value, dialect, 0);
  } catch (err) {
    // The message names the part of the key the related model refused; add the whole key.
    if (!(err instanceof QueryError)) throw err;
    throw new QueryError(err.code as ConstructorParameters<typeof QueryError>[0], `${err.message.replace(/\.$/, '')} (filter key '${key.slice(0, 200)}').`);
  }
  return followed ?? fieldCondition(m, alias, key, value, dialect);
}

/**
 * A key that follows a relation (`author__username__icontains`, `tags__name`) as a subquery on the
 * related table: `author_id in (select id from auth_user where ...)`. Subqueries, not joins, so a
 * row is never repeated and `exclude()` negates the whole condition. Null when the key's first
 * part is not a relation followed by more than a lookup.
 */
function spanning(m: AnyModel, alias: string, key: string, value: unknown, dialect: DialectName, hops: number): Expression<SqlBool> | null {
  const sep = key.indexOf('__');
  if (sep <= 0) return m.byKey.has(key) || !Object.hasOwn(m.fields, key) || m.fields[key]!.kind !== 'manyToMany' ? null : manyToMany(m, alias, key, 'id', value, dialect, hops);
  const name = key.slice(0, sep);
  const rest = key.slice(sep + 2);
  const f: Field | undefined = Object.hasOwn(m.fields, name) ? m.fields[name] : undefined;
  if (f === undefined) return null;
  if (f.kind === 'manyToMany') return manyToMany(m, alias, name, LOOKUP_SET.has(rest) ? `id__${rest}` : rest, value, dialect, hops);
  // `author__in`, `author__isnull`: lookups on the foreign key's own column.
  if (!isForeignKey(f) || LOOKUP_SET.has(rest)) return null;
  const target = f.target!();
  const inner = related(target, rest, value, dialect, hops);
  const col = sql.ref(`${alias}.${m.byKey.get(name)!.column}`);
  // `is not null` first, so exclude() keeps the rows whose foreign key is null, as Django does.
  return f.nullable ? sql<SqlBool>`(${col} is not null and ${col} in (${inner}))` : sql<SqlBool>`${col} in (${inner})`;
}

function related(target: AnyModel, key: string, value: unknown, dialect: DialectName, hops: number): RawBuilder<unknown> {
  if (hops + 1 > MAX_RELATION_HOPS) fail('E_DB_QUERY_FIELD', `A filter key may follow at most ${MAX_RELATION_HOPS} relations.`);
  const a = `r${hops + 1}`;
  const where = spanning(target, a, key, value, dialect, hops + 1) ?? fieldCondition(target, a, key, value, dialect);
  return sql`select ${sql.ref(`${a}.${target.byKey.get('id')!.column}`)} from ${sql.table(target.table)} as ${sql.id(a)} where ${where}`;
}

function manyToMany(m: AnyModel, alias: string, name: string, rest: string, value: unknown, dialect: DialectName, hops: number): Expression<SqlBool> {
  const { table, from, to, target } = joinTable(m, name);
  const inner = related(target, rest, value, dialect, hops);
  const id = sql.ref(`${alias}.${m.byKey.get('id')!.column}`);
  return sql<SqlBool>`${id} in (select ${sql.ref(from)} from ${sql.table(table)} where ${sql.ref(to)} in (${inner}))`;
}

function fieldCondition(m: AnyModel, alias: string, key: string, value: unknown, dialect: DialectName): Expression<SqlBool> {
  const sep = key.lastIndexOf('__');
  let name = key;
  let lookup = 'exact';
  if (sep > 0 && LOOKUP_SET.has(key.slice(sep + 2))) {
    name = key.slice(0, sep);
    lookup = key.slice(sep + 2);
  } else if (sep > 0 && !m.byKey.has(key)) {
    const rest = key.slice(sep + 2);
    if (m.byKey.has(key.slice(0, sep))) fail('E_DB_QUERY_LOOKUP', `Unknown lookup '${rest.slice(0, 50)}' in '${key.slice(0, 100)}'. Use one of: ${LOOKUPS.join(', ')}.`);
  }
  const info = resolveField(m, name);
  const col = sql.ref(`${alias}.${info.column}`);
  const f = info.def;
  if (lookup === 'isnull') {
    const b = value === true || value === 'true' || value === '1' ? true : value === false || value === 'false' || value === '0' ? false : null;
    if (b === null) fail('E_DB_QUERY_VALUE', `Invalid value for '${key}': expected true or false.`);
    return b ? sql<SqlBool>`${col} is null` : sql<SqlBool>`${col} is not null`;
  }
  if (lookup === 'in') {
    if (!Array.isArray(value)) fail('E_DB_QUERY_VALUE', `Invalid value for '${key}': expected an array of values.`);
    if (value.length > MAX_IN_VALUES) fail('E_DB_QUERY_VALUE', `Invalid value for '${key}': at most ${MAX_IN_VALUES} values.`);
    if (value.length === 0) return sql<SqlBool>`1 = 0`;
    const vals = value.map((v) => {
      const c = coerceValue(info, v);
      if (c === null) fail('E_DB_QUERY_VALUE', `Invalid value for '${key}': null cannot be in a list; use ${name}__isnull.`);
      return toDriver(f, c, dialect);
    });
    return sql<SqlBool>`${col} in (${sql.join(vals)})`;
  }
  if (TEXT_LOOKUPS.has(lookup)) {
    if (!TEXT_KINDS.has(f.kind)) fail('E_DB_QUERY_LOOKUP', `Lookup '${lookup}' needs a text field; '${info.key}' is ${f.kind}.`);
    if (typeof value !== 'string') fail('E_DB_QUERY_VALUE', `Invalid value for '${key}': expected text.`);
    if (value.includes('\0')) fail('E_DB_QUERY_VALUE', `Invalid value for '${key}': null characters are not allowed.`);
    return likeCondition(col, lookup, value, dialect);
  }
  const v = coerceValue(info, value);
  if (v === null) {
    if (lookup !== 'exact') fail('E_DB_QUERY_VALUE', `Invalid value for '${key}': null can only be compared with exact; use ${name}__isnull.`);
    return sql<SqlBool>`${col} is null`;
  }
  let p: unknown = toDriver(f, v, dialect);
  let c: RawBuilder<unknown> = col;
  if (dialect === 'sqlite' && f.kind === 'decimal' && lookup !== 'exact') {
    // Decimals are exact text on SQLite; order comparisons need numbers.
    c = sql`cast(${col} as real)`;
    p = sql`cast(${p} as real)`;
  }
  switch (lookup) {
    case 'exact':
      return sql<SqlBool>`${c} = ${p}`;
    case 'gt':
      return sql<SqlBool>`${c} > ${p}`;
    case 'gte':
      return sql<SqlBool>`${c} >= ${p}`;
    case 'lt':
      return sql<SqlBool>`${c} < ${p}`;
    default:
      return sql<SqlBool>`${c} <= ${p}`;
  }
}

/** All conditions of one filter object, joined with AND. */
export function conditions(m: AnyModel, alias: string, where: Readonly<Record<string, unknown>>, dialect: DialectName): Expression<SqlBool> {
  if (where === null || typeof where !== 'object' || Array.isArray(where)) fail('E_DB_QUERY_VALUE', 'A filter must be an object of field lookups.');
  const parts: Expression<SqlBool>[] = [];
  for (const key of Object.keys(where)) {
    const v = where[key];
    if (v === undefined) continue;
    parts.push(condition(m, alias, key, v, dialect));
  }
  if (parts.length === 0) return sql<SqlBool>`1 = 1`;
  if (parts.length === 1) return parts[0]!;
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}
