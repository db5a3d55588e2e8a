/**
 * `QuerySet`: the common queries of a model (filter, exclude, order, slice, count, exists, create,
 * update, delete, relations), built on Kysely with every name checked against the model and every
 * value bound as a parameter.
 *
 * @module
 */
import { sql, type CompiledQuery, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { notFound } from '../http/errors.js';
import type { DialectName } from './connection.js';
import { DatabaseError, IntegrityError, QueryError } from './errors.js';
import type { Field } from './fields.js';
import { coerceValue, conditions, MAX_RELATION_HOPS, resolveField } from './lookups.js';
import { planAggregates, type AggregateResult, type Aggregates } from './aggregate.js';
import type { AnyModel, ColumnInfo, Insert, Row } from './model.js';
import { prepareValues } from './validation.js';
import { rowReader, toDriver } from './values.js';
import { loadPrefetch } from './prefetch.js';
import { isTransactionConflict, mapDriverError } from './driver-errors.js';
import { checkProtected } from './protect.js';

/** What a query runs on: the current connection or transaction, and the models it knows. */
export interface QueryHost {
  readonly dialect: DialectName;
  /** Runs `fn` in a transaction (a savepoint when one is open). */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** A compiled read on the driver's pool when outside a transaction, else `null`. */
  poolRows?(sqlText: string, parameters: readonly unknown[]): Promise<Record<string, unknown>[]> | null;
  /** The connection, or the transaction of the current async context. */
  executor(): Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Whether the current async context is inside `db.transaction()`. */
  inTransaction(): boolean;
  readonly models: readonly AnyModel[];
}

type RowKeys<M extends AnyModel> = keyof Row<M> & string;
type TextLookup = 'contains' | 'icontains' | 'startswith' | 'istartswith' | 'endswith' | 'iendswith';
type Cmp = 'exact' | 'gt' | 'gte' | 'lt' | 'lte';
type FieldNameOf<M extends AnyModel> = keyof M['fields'] & string;

type BaseWhere<R> = {
  [K in keyof R & string]?: R[K];
} & {
  [K in keyof R & string as `${K}__${Cmp}`]?: R[K];
} & {
  [K in keyof R & string as `${K}__in`]?: readonly R[K][];
} & {
  [K in keyof R & string as R[K] extends string | null ? `${K}__${TextLookup}` : never]?: string;
} & {
  [K in keyof R & string as `${K}__isnull`]?: boolean;
};

type KindOfField<F> = F extends Field<unknown, boolean, infer K> ? K : never;
type FieldsOf<M extends AnyModel> = M['fields'];
type RelationNames<M extends AnyModel> = {
  [K in keyof FieldsOf<M> & string]: KindOfField<FieldsOf<M>[K]> extends 'foreignKey' | 'oneToOne' | 'manyToMany' ? K : never;
}[keyof FieldsOf<M> & string];
type ManyToManyKeys<M extends AnyModel> = {
  [K in keyof FieldsOf<M> & string]: KindOfField<FieldsOf<M>[K]> extends 'manyToMany' ? K : never;
}[keyof FieldsOf<M> & string];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type Prefixed<P extends string, W> = { [K in keyof W & string as `${P}__${K}`]?: W[K] };
// Keys through relations, typed two relations deep (the run-time limit is MAX_RELATION_HOPS).
type Spans<M extends AnyModel, Depth extends unknown[]> = Depth['length'] extends 2
  ? unknown
  : UnionToIntersection<{ [K in RelationNames<M>]: Prefixed<K, WhereAt<TargetOf<FieldsOf<M>[K]>, [...Depth, unknown]>> }[RelationNames<M>]>;
type WhereAt<M extends AnyModel, Depth extends unknown[]> = BaseWhere<Row<M>> &
  { [K in ManyToManyKeys<M>]?: number } & { [K in ManyToManyKeys<M> as `${K}__in`]?: readonly number[] } & Spans<M, Depth>;

/**
 * A filter object: `{ title: 'x', views__gte: 10, title__icontains: 'rampart', id__in: [1, 2] }`,
 * and through relations `{ author__username: 'ann', tags__name__in: ['news'] }`.
 * Keys are checked against the model at compile time and again at run time.
 */
export type Where<M extends AnyModel> = WhereAt<M, []>;

/** Row keys of the fields `increment()` takes: integers, bigints and floats. */
type IncrementKeys<M extends AnyModel> = {
  [K in keyof FieldsOf<M> & string]: KindOfField<FieldsOf<M>[K]> extends 'integer' | 'bigint' | 'float' ? K : never;
}[keyof FieldsOf<M> & string];

type RelatedOrderKeys<M extends AnyModel> = {
  [K in ForeignKeyNamesOf<M>]: `${K}__${RowKeys<TargetOf<FieldsOf<M>[K]>>}`;
}[ForeignKeyNamesOf<M>];
/** An order-by key: a field, a field of a related row (`author__username`), `-` first for descending. */
export type OrderKey<M extends AnyModel> = RowKeys<M> | `-${RowKeys<M>}` | RelatedOrderKeys<M> | `-${RelatedOrderKeys<M>}`;

type TargetOf<F> = F extends Field<unknown, boolean, infer _K, infer T> ? (T extends AnyModel ? T : never) : never;
type RelatedRow<M extends AnyModel, K extends string> = Row<TargetOf<M['fields'][K]>>;

/** A page of a cursor pagination. */
export interface Page<R> {
  items: R[];
  /** Pass as `after` to get the next page; `null` on the last page. */
  next: string | null;
}

interface State {
  /** Each filter as given, and its condition on the `t0` alias, built once when it was added. */
  readonly where: readonly { readonly not: boolean; readonly any: readonly Readonly<Record<string, unknown>>[]; readonly t0: Expression<SqlBool> }[];
  readonly order: readonly string[] | null;
  readonly limit: number | null;
  readonly offset: number | null;
  readonly related: readonly string[];
  readonly prefetch: readonly string[];
  /** The row lock of `forUpdate()`, or null. */
  readonly lock: 'wait' | 'skipLocked' | 'noWait' | null;
  /** The row keys `only()` keeps (with `id`), or null for every column. */
  readonly only: readonly string[] | null;
}

const byIdCache = new WeakMap<AnyModel, Map<DialectName, CompiledQuery<unknown>>>();

const EMPTY: State = { where: [], order: null, limit: null, offset: null, related: [], prefetch: [], lock: null, only: null };
/** Attempts of updateOrCreate() when the database rolls it back for a deadlock. */
const CONFLICT_RETRIES = 5;
/** Most alternatives one `filterAny()` takes: each is a condition in the SQL. */
const MAX_ANY = 100;
/** Largest page a single query returns unless asked explicitly: a guard against unbounded reads. */
export const MAX_LIMIT = 10_000;

function checkCount(name: string, n: unknown, max: number): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > max) {
    throw new QueryError('E_DB_QUERY_VALUE', `${name} must be a whole number between 0 and ${max}.`);
  }
  return n;
}

/**
 * Queries over one model. Immutable: each method returns a new QuerySet.
 *
 * @example
 * const posts = await db.query(Post).filter({ published: true, title__icontains: q }).orderBy('-created').limit(20).all()
 */
export class QuerySet<M extends AnyModel, R = Row<M>> {
  readonly #host: QueryHost;
  readonly #m: M;
  readonly #s: State;

  constructor(host: QueryHost, m: M, state: State = EMPTY) {
    this.#host = host;
    this.#m = m;
    this.#s = state;
  }

  #with(patch: Partial<State>): QuerySet<M, R> {
    return new QuerySet<M, R>(this.#host, this.#m, { ...this.#s, ...patch });
  }

  /** Rows matching every lookup. Keys and values may come from user input: both are checked. */
  filter(where: Where<M>): QuerySet<M, R> {
    return this.#addWhere([where as Record<string, unknown>], false);
  }

  /** Rows not matching all of the lookups. */
  exclude(where: Where<M>): QuerySet<M, R> {
    return this.#addWhere([where as Record<string, unknown>], true);
  }

  /**
   * Rows matching at least one of the filters (each filter is itself an AND of its lookups), as
   * Django's `Q(a) | Q(b)`. Combines with the other filters by AND.
   *
   * @example db.query(Post).filterAny([{ title__icontains: q }, { body__icontains: q }])
   */
  filterAny(wheres: readonly Where<M>[]): QuerySet<M, R> {
    if (!Array.isArray(wheres)) throw new QueryError('E_DB_QUERY_VALUE', 'filterAny() takes an array of filters.');
    if (wheres.length > MAX_ANY) throw new QueryError('E_DB_QUERY_VALUE', `filterAny() takes at most ${MAX_ANY} filters.`);
    return this.#addWhere(wheres as readonly Record<string, unknown>[], false);
  }

  // Built (and so checked) now: a bad name or value fails at filter(), not later, and a caller
  // changing its object afterwards changes nothing.
  #addWhere(any: readonly Record<string, unknown>[], not: boolean): QuerySet<M, R> {
    const t0 = this.#anyCondition(any, 't0'); // checks each filter is an object of known lookups
    const copy = any.map((w) => ({ ...w }));
    return this.#with({ where: [...this.#s.where, { not, any: copy, t0 }] });
  }

  #anyCondition(any: readonly Record<string, unknown>[], alias: string): Expression<SqlBool> {
    if (any.length === 0) return sql<SqlBool>`1 = 0`; // no alternative: nothing matches
    const parts = any.map((w) => conditions(this.#m, alias, w, this.#host.dialect));
    return parts.length === 1 ? parts[0]! : sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
  }

  /** Orders by fields (`'-created'` descending). Names from user input are checked and refused if unknown. */
  orderBy(...keys: OrderKey<M>[]): QuerySet<M, R> {
    for (const k of keys) orderField(this.#m, k);
    return this.#with({ order: keys });
  }

  /**
   * Reads only these fields (and `id`, and the fields the query orders by), for wide tables and
   * JSON answers that need a few columns. Names are checked against the model.
   *
   * @example const titles = await db.query(Post).only('title', 'created').all() // { id, title, created }[]
   */
  only<K extends RowKeys<M>>(...keys: K[]): QuerySet<M, Pick<R, Extract<K | 'id', keyof R>> & Omit<R, RowKeys<M>>> {
    const names = keys.map((k) => resolveField(this.#m, k).key);
    return this.#with({ only: [...new Set(['id', ...names])] }) as never;
  }

  /**
   * Locks the rows this query reads until the transaction ends (`SELECT ... FOR UPDATE`), so two
   * transactions that read then write the same row cannot lose an update. Only inside
   * `db.transaction()`. `skipLocked` leaves out rows another transaction holds (work queues);
   * `noWait` fails at once instead of waiting. On SQLite, where one process runs one transaction at
   * a time, it locks nothing more.
   *
   * @example
   * await db.transaction(async () => {
   *   const item = await db.query(Item).forUpdate().getOr404(id)
   *   await db.query(Item).filter({ id }).update({ stock: item.stock - 1 })
   * })
   */
  forUpdate(options: { skipLocked?: boolean; noWait?: boolean } = {}): QuerySet<M, R> {
    if (options.skipLocked === true && options.noWait === true) throw new QueryError('E_DB_QUERY_VALUE', 'forUpdate() takes skipLocked or noWait, not both.');
    return this.#with({ lock: options.skipLocked === true ? 'skipLocked' : options.noWait === true ? 'noWait' : 'wait' });
  }

  limit(n: number): QuerySet<M, R> {
    return this.#with({ limit: checkCount('limit', n, MAX_LIMIT) });
  }

  offset(n: number): QuerySet<M, R> {
    return this.#with({ offset: checkCount('offset', n, Number.MAX_SAFE_INTEGER) });
  }

  /** Loads the rows a foreign key points at in the same query (a join), as `row[name]`. */
  selectRelated<K extends ForeignKeyNamesOf<M>>(...names: K[]): QuerySet<M, R & { [P in K]: RelatedRow<M, P> | null }> {
    for (const n of names) {
      const f = this.#m.fields[n] as Field | undefined;
      if (f === undefined || (f.kind !== 'foreignKey' && f.kind !== 'oneToOne')) {
        throw new QueryError('E_DB_QUERY_FIELD', `'${String(n)}' is not a foreign key of ${this.#m.table}.`);
      }
    }
    return this.#with({ related: [...this.#s.related, ...names] }) as unknown as QuerySet<M, R & { [P in K]: RelatedRow<M, P> | null }>;
  }

  /**
   * Loads many-to-many fields or reverse foreign keys (`relatedName`) with one extra query each,
   * as arrays on every row: no N+1.
   */
  prefetch<K extends string>(...names: K[]): QuerySet<M, R & { [P in K]: P extends ManyToManyNamesOf<M> ? RelatedRow<M, P>[] : Record<string, unknown>[] }> {
    return this.#with({ prefetch: [...this.#s.prefetch, ...names] }) as never;
  }

  #where(alias: string): Expression<SqlBool> | null {
    const parts: Expression<SqlBool>[] = [];
    for (const w of this.#s.where) {
      const c = alias === 't0' ? w.t0 : this.#anyCondition(w.any, alias);
      parts.push(w.not ? sql<SqlBool>`not (${c})` : c);
    }
    if (parts.length === 0) return null;
    return parts.length === 1 ? parts[0]! : sql<SqlBool>`${sql.join(parts, sql` and `)}`;
  }

  /** The ORDER BY clause, and the left joins that ordering by related fields needs. */
  #orderSql(): { order: RawBuilder<unknown> | null; joins: RawBuilder<unknown>[] } {
    const keys = this.#s.order ?? this.#m.options.ordering ?? [];
    const joins: RawBuilder<unknown>[] = [];
    if (keys.length === 0) return { order: null, joins };
    const aliases = new Map<string, string>(); // relation path → join alias
    const parts = keys.map((k) => {
      const { desc, via, info } = orderField(this.#m, k);
      let alias = 't0';
      let path = '';
      for (const { fk, target } of via) {
        path += `${fk.field}__`;
        let next = aliases.get(path);
        if (next === undefined) {
          next = `o${aliases.size + 1}`;
          aliases.set(path, next);
          joins.push(sql`left join ${sql.table(target.table)} as ${sql.id(next)} on ${sql.ref(`${next}.${target.byKey.get('id')!.column}`)} = ${sql.ref(`${alias}.${fk.column}`)}`);
        }
        alias = next;
      }
      return desc ? sql`${sql.ref(`${alias}.${info.column}`)} desc` : sql`${sql.ref(`${alias}.${info.column}`)} asc`;
    });
    return { order: sql`order by ${sql.join(parts)}`, joins };
  }

  #select(extraWhere: Expression<SqlBool> | null, count: 'rows' | 'count' | 'exists'): RawBuilder<Record<string, unknown>> {
    const m = this.#m;
    const keep = this.#keptKeys();
    const cols: RawBuilder<unknown>[] = m.columns.filter((c) => keep === null || keep.has(c.key)).map((c) => sql`${sql.ref(`t0.${c.column}`)} as ${sql.id(c.key)}`);
    const joins: RawBuilder<unknown>[] = [];
    this.#s.related.forEach((name, i) => {
      const f = m.fields[name] as Field;
      const target = f.target!();
      const alias = `t${i + 1}`;
      const fk = m.byKey.get(name)!;
      joins.push(sql`left join ${sql.table(target.table)} as ${sql.id(alias)} on ${sql.ref(`${alias}.id`)} = ${sql.ref(`t0.${fk.column}`)}`);
      for (const c of target.columns) cols.push(sql`${sql.ref(`${alias}.${c.column}`)} as ${sql.id(`${name}__${c.key}`)}`);
    });
    const w = this.#where('t0');
    const all = [w, extraWhere].filter((x): x is Expression<SqlBool> => x !== null);
    const whereSql = all.length === 0 ? sql`` : sql`where ${sql.join(all, sql` and `)}`;
    if (count !== 'rows') {
      const from = sql`from ${sql.table(m.table)} as t0 ${sql.join(joins, sql` `)} ${whereSql}`;
      return count === 'count' ? sql`select count(*) as n ${from}` : sql`select 1 as one ${from} limit 1`;
    }
    const ordering = this.#orderSql();
    const from = sql`from ${sql.table(m.table)} as t0 ${sql.join([...joins, ...ordering.joins], sql` `)} ${whereSql}`;
    const order = ordering.order ?? sql``;
    const limit = this.#s.limit ?? (this.#s.offset !== null ? MAX_LIMIT : null);
    const lim = limit === null ? sql`` : sql`limit ${sql.lit(limit)}`;
    const off = this.#s.offset === null ? sql`` : sql`offset ${sql.lit(this.#s.offset)}`;
    return sql`select ${sql.join(cols)} ${from} ${order} ${lim} ${off} ${this.#lockSql()}`;
  }

  /** The row keys to select under `only()`: those asked, `id`, and the ordering's (cursors read them). */
  #keptKeys(): ReadonlySet<string> | null {
    const only = this.#s.only;
    if (only === null) return null;
    const keep = new Set(only);
    for (const k of this.#s.order ?? this.#m.options.ordering ?? []) {
      const { via, info } = orderField(this.#m, k);
      if (via.length === 0) keep.add(info.key);
    }
    return keep;
  }

  #lockSql(): RawBuilder<unknown> {
    const lock = this.#s.lock;
    if (lock === null) return sql``;
    if (!this.#host.inTransaction()) {
      throw new DatabaseError('E_DB_LOCK_OUTSIDE_TRANSACTION', 'forUpdate() locks rows until the transaction ends, so it needs one: run the query inside db.transaction(async () => ...).');
    }
    const dialect = this.#host.dialect;
    if (dialect === 'sqlite') return sql``;
    // PostgreSQL: only the model's own rows (a select-related outer join cannot be locked there).
    const what = dialect === 'postgres' ? sql`for update of t0` : sql`for update`;
    return lock === 'skipLocked' ? sql`${what} skip locked` : lock === 'noWait' ? sql`${what} nowait` : what;
  }

  async #rows(extraWhere: Expression<SqlBool> | null = null): Promise<R[]> {
    const host = this.#host;
    const result = await this.#select(extraWhere, 'rows').execute(host.executor());
    const rows = result.rows;
    const read = rowReader(this.#m, host.dialect);
    for (const row of rows) read(row);
    if (this.#s.related.length > 0) {
      for (const name of this.#s.related) {
        const target = (this.#m.fields[name] as Field).target!();
        const readRel = rowReader(target, host.dialect, `${name}__`);
        const prefix = `${name}__`;
        for (const row of rows) {
          readRel(row);
          const rel: Record<string, unknown> = {};
          for (const c of target.columns) {
            rel[c.key] = row[prefix + c.key];
            delete row[prefix + c.key];
          }
          row[name] = rel.id === null || rel.id === undefined ? null : rel;
        }
      }
    }
    if (this.#s.prefetch.length > 0) await loadPrefetch(host, this.#m, rows, this.#s.prefetch);
    return rows as R[];
  }

  /** Every matching row. */
  all(): Promise<R[]> {
    return this.#rows();
  }

  /** The first matching row, or `undefined`. */
  async first(): Promise<R | undefined> {
    const rows = await this.#with({ limit: 1 }).#rows();
    return rows[0];
  }

  /** The row with this id among the matching rows, or `undefined`. The id may come from user input. */
  async get(id: number | string): Promise<R | undefined> {
    const v = coerceValue(this.#m.byKey.get('id')!, id);
    const s = this.#s;
    if (s.where.length === 0 && s.related.length === 0 && s.prefetch.length === 0 && s.lock === null && s.only === null) {
      // The most common query of all, compiled once per model and dialect.
      const host = this.#host;
      const ex = host.executor();
      let compiled = byIdCache.get(this.#m)?.get(host.dialect);
      if (compiled === undefined) {
        const cols = this.#m.columns.map((c) => sql`${sql.ref(c.column)} as ${sql.id(c.key)}`);
        compiled = sql`select ${sql.join(cols)} from ${sql.table(this.#m.table)} where ${sql.ref('id')} = ${0}`.compile(ex);
        let perModel = byIdCache.get(this.#m);
        if (perModel === undefined) byIdCache.set(this.#m, (perModel = new Map()));
        perModel.set(host.dialect, compiled);
      }
      const direct = host.poolRows?.(compiled.sql, [v]) ?? null;
      const rows = direct !== null ? await direct : (await ex.executeQuery<Record<string, unknown>>({ ...compiled, parameters: [v] })).rows;
      const row = rows[0];
      return row === undefined ? undefined : (rowReader(this.#m, host.dialect)(row) as R);
    }
    const rows = await this.#with({ limit: 1, order: [] }).#rows(sql<SqlBool>`${sql.ref('t0.id')} = ${v}`);
    return rows[0];
  }

  /** The row with this id, or a 404 `HttpError`. */
  async getOr404(id: number | string): Promise<R> {
    let row: R | undefined;
    try {
      row = await this.get(id);
    } catch (err) {
      if (err instanceof QueryError) throw notFound();
      throw err;
    }
    if (row === undefined) throw notFound();
    return row;
  }

  /** The number of matching rows. */
  async count(): Promise<number> {
    const r = await this.#select(null, 'count').execute(this.#host.executor());
    return Number(r.rows[0]?.n ?? 0);
  }

  /**
   * Aggregates over the matching rows: counts, sums, averages, minimums and maximums, by name.
   * Field names are checked against the model, so they may come from user input.
   *
   * @example
   * const { n, pages, newest } = await db.query(Book).filter({ status: 'live' }).aggregate({
   *   n: { count: '*' }, pages: { sum: 'pages' }, newest: { max: 'created' },
   * })
   */
  async aggregate<const S extends Aggregates<M>>(spec: S): Promise<AggregateResult<M, S>> {
    const planned = planAggregates(this.#m, spec, this.#host.dialect);
    const r = await this.#aggregateSql(planned, []).execute(this.#host.executor());
    const row = r.rows[0] ?? {};
    const out: Record<string, unknown> = {};
    for (const p of planned) out[p.name] = p.read(row[p.name]);
    return out as AggregateResult<M, S>;
  }

  /**
   * Aggregates per group of rows sharing the values of `keys`, one result per group, ordered by the
   * keys (at most the query's limit, or MAX_LIMIT, groups).
   *
   * @example
   * const perAuthor = await db.query(Book).aggregateBy(['author_id'], { books: { count: '*' } })
   * // [{ author_id: 1, books: 2 }, { author_id: 2, books: 1 }]
   */
  async aggregateBy<const K extends RowKeys<M>, const S extends Aggregates<M>>(keys: readonly K[], spec: S): Promise<(Pick<Row<M>, K> & AggregateResult<M, S>)[]> {
    if (!Array.isArray(keys) || keys.length === 0) throw new QueryError('E_DB_QUERY_VALUE', 'aggregateBy() needs at least one field to group by.');
    const groups = [...new Set(keys.map((k) => resolveField(this.#m, k)))];
    const planned = planAggregates(this.#m, spec, this.#host.dialect, new Set(groups.map((g) => g.key)));
    const r = await this.#aggregateSql(planned, groups).execute(this.#host.executor());
    const read = rowReader(this.#m, this.#host.dialect);
    return r.rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const g of groups) out[g.key] = row[g.key];
      read(out);
      for (const p of planned) out[p.name] = p.read(row[p.name]);
      return out as Pick<Row<M>, K> & AggregateResult<M, S>;
    });
  }

  #aggregateSql(planned: readonly { name: string; expr: RawBuilder<unknown> }[], groups: readonly ColumnInfo[]): RawBuilder<Record<string, unknown>> {
    const m = this.#m;
    const groupCols = groups.map((g) => sql.ref(`t0.${g.column}`));
    const cols = [...groups.map((g, i) => sql`${groupCols[i]!} as ${sql.id(g.key)}`), ...planned.map((p) => sql`${p.expr} as ${sql.id(p.name)}`)];
    const w = this.#where('t0');
    const whereSql = w === null ? sql`` : sql`where ${w}`;
    const from = sql`from ${sql.table(m.table)} as t0 ${whereSql}`;
    if (groups.length === 0) return sql`select ${sql.join(cols)} ${from}`;
    const limit = this.#s.limit ?? MAX_LIMIT;
    return sql`select ${sql.join(cols)} ${from} group by ${sql.join(groupCols)} order by ${sql.join(groupCols)} limit ${sql.lit(limit)}`;
  }

  /** Whether any row matches. */
  async exists(): Promise<boolean> {
    const r = await this.#select(null, 'exists').execute(this.#host.executor());
    return r.rows.length > 0;
  }

  /**
   * The row whose fields equal `lookup`, or a new one made from `lookup` and `defaults`; `created`
   * says which. Two requests racing to create the same row end with one row when a unique
   * constraint covers the lookup (the loser's insert fails and it reads the winner's row), as
   * Django's `get_or_create`. Looks up on the model's table, not on this query's filters.
   *
   * @example const { row: tag, created } = await db.query(Tag).getOrCreate({ name: 'news' })
   */
  async getOrCreate(lookup: Partial<Row<M>>, defaults: Partial<Insert<M>> = {}): Promise<{ row: Row<M>; created: boolean }> {
    const q = this.#exactLookup('getOrCreate', lookup);
    const found = await q.first();
    if (found !== undefined) return { row: found, created: false };
    return this.#createOrRead(q, { ...defaults, ...lookup } as Insert<M>);
  }

  /**
   * Updates the row whose fields equal `lookup` with `values`, or creates it from both, in one
   * transaction that locks the row it found; `created` says which.
   *
   * @example const { row } = await db.query(Setting).updateOrCreate({ key: 'theme' }, { value: 'dark' })
   */
  async updateOrCreate(lookup: Partial<Row<M>>, values: Partial<Insert<M>>): Promise<{ row: Row<M>; created: boolean }> {
    const q = this.#exactLookup('updateOrCreate', lookup);
    const attempt = () =>
      this.#host.transaction(async () => {
        const found = await q.forUpdate().first();
        if (found === undefined) return this.#createOrRead(q, { ...values, ...lookup } as Insert<M>);
        const id = (found as { id: number }).id;
        const byId = new QuerySet<M, Row<M>>(this.#host, this.#m).filter({ id } as unknown as Where<M>);
        await byId.update(values as Partial<Row<M>>);
        return { row: (await byId.first())!, created: false };
      });
    // Racing callers can deadlock on MySQL (gap locks of the FOR UPDATE that found nothing, then
    // two inserts); the database rolls one back, and a fresh attempt then finds the winner's row.
    // Inside a caller's transaction there is nothing left to retry.
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (err) {
        if (tries >= CONFLICT_RETRIES || this.#host.inTransaction() || !isTransactionConflict(err)) throw err;
      }
    }
  }

  #exactLookup(method: string, lookup: Partial<Row<M>>): QuerySet<M, Row<M>> {
    if (lookup === null || typeof lookup !== 'object' || Array.isArray(lookup)) throw new QueryError('E_DB_QUERY_VALUE', `${method}() takes an object of field values.`);
    for (const key of Object.keys(lookup)) {
      if (key.includes('__') || !this.#m.byKey.has(key)) throw new QueryError('E_DB_QUERY_FIELD', `${method}() looks rows up by exact field values; '${key.slice(0, 100)}' is not a field of ${this.#m.table}.`);
    }
    return new QuerySet<M, Row<M>>(this.#host, this.#m).filter(lookup as Where<M>);
  }

  // A savepoint around the insert: on PostgreSQL a failed statement would otherwise abort the
  // caller's whole transaction.
  async #createOrRead(q: QuerySet<M, Row<M>>, values: Insert<M>): Promise<{ row: Row<M>; created: boolean }> {
    try {
      const row = await this.#host.transaction(() => q.create(values));
      return { row, created: true };
    } catch (err) {
      if (!(err instanceof IntegrityError) || err.code !== 'E_DB_UNIQUE') throw err;
      // In a transaction, a locking read sees the winner's committed row even under MySQL's
      // repeatable read, whose plain reads keep the transaction's first snapshot.
      const again = await (this.#host.inTransaction() ? q.forUpdate() : q).first();
      if (again === undefined) throw err;
      return { row: again, created: false };
    }
  }

  /** Validates, fills defaults and inserts one row; returns it with its id. */
  async create(values: Insert<M>): Promise<Row<M>> {
    const [row] = await this.bulkCreate([values]);
    return row!;
  }

  /** Validates and inserts many rows in one statement; returns them with their ids. */
  async bulkCreate(list: readonly Insert<M>[]): Promise<Row<M>[]> {
    if (!Array.isArray(list)) throw new QueryError('E_DB_QUERY_VALUE', 'bulkCreate takes an array of rows.');
    if (list.length === 0) return [];
    const m = this.#m;
    const host = this.#host;
    const prepared = list.map((v) => prepareValues(m, v as Record<string, unknown>, 'create'));
    const cols = m.columns.filter((c) => c.def.kind !== 'id' || prepared.some((p) => p.id !== undefined));
    const tuples = prepared.map((p) => sql`(${sql.join(cols.map((c) => (p[c.key] === undefined ? sql`default` : sql`${toDriver(c.def, p[c.key], host.dialect)}`)))})`);
    const head = sql`insert into ${sql.table(m.table)} (${sql.join(cols.map((c) => sql.id(c.column)))}) values ${sql.join(tuples)}`;
    try {
      if (host.dialect === 'mysql' && prepared.length > 1) {
        // MySQL returns only the first id of a multi-row insert, and with interleaved
        // auto-increment locking (MySQL 8's default) the others need not follow it: one insert
        // per row, in a transaction, gives every row its true id.
        await host.transaction(async () => {
          for (let i = 0; i < prepared.length; i++) {
            const r = await sql`insert into ${sql.table(m.table)} (${sql.join(cols.map((c) => sql.id(c.column)))}) values ${tuples[i]!}`.execute(host.executor());
            if (prepared[i]!.id === undefined) prepared[i]!.id = Number(r.insertId);
          }
        });
      } else if (host.dialect === 'mysql') {
        const r = await head.execute(host.executor());
        if (prepared[0]!.id === undefined) prepared[0]!.id = Number(r.insertId);
      } else {
        const r = await sql<{ id: number | string }>`${head} returning id`.execute(host.executor());
        r.rows.forEach((row, i) => {
          prepared[i]!.id = Number(row.id);
        });
      }
    } catch (err) {
      throw mapDriverError(err, m);
    }
    return prepared as Row<M>[];
  }

  /** Validates the given fields and updates every matching row; returns how many changed. */
  async update(values: Partial<Row<M>>): Promise<number> {
    const m = this.#m;
    const host = this.#host;
    const p = prepareValues(m, values as Record<string, unknown>, 'update');
    delete p.id;
    const sets = Object.keys(p).map((k) => {
      const c = m.byKey.get(k)!;
      return sql`${sql.id(c.column)} = ${toDriver(c.def, p[k], host.dialect)}`;
    });
    if (sets.length === 0) return 0;
    return this.#runUpdate(sets);
  }

  async #runUpdate(sets: readonly RawBuilder<unknown>[]): Promise<number> {
    const m = this.#m;
    const w = this.#where(m.table);
    try {
      const r = await sql`update ${sql.table(m.table)} set ${sql.join(sets)} ${w === null ? sql`` : sql`where ${w}`}`.execute(this.#host.executor());
      return Number(r.numAffectedRows ?? 0n);
    } catch (err) {
      throw mapDriverError(err, m);
    }
  }

  /**
   * Adds to number fields in the database itself (`set views = views + 1`), so concurrent requests
   * never lose an increment and no lock is needed; returns how many rows changed. `autoNow`
   * datetimes are refreshed. Field validators do not run (the new value is never read): guard
   * limits with a filter, e.g. `filter({ id, stock__gte: 1 }).increment({ stock: -1 })`.
   *
   * @example await db.query(Post).filter({ id }).increment({ views: 1 })
   */
  async increment(amounts: { readonly [K in IncrementKeys<M>]?: number | bigint }): Promise<number> {
    const m = this.#m;
    const host = this.#host;
    if (amounts === null || typeof amounts !== 'object' || Array.isArray(amounts)) throw new QueryError('E_DB_QUERY_VALUE', 'increment() takes an object of field amounts.');
    const sets: RawBuilder<unknown>[] = [];
    for (const [key, amount] of Object.entries(amounts)) {
      const c = resolveField(m, key);
      const kind = c.def.kind;
      if (kind !== 'integer' && kind !== 'bigint' && kind !== 'float') {
        throw new QueryError('E_DB_QUERY_FIELD', `increment() takes integer, bigint and float fields; '${c.key}' is ${kind}. For other fields, read and write in a transaction with forUpdate().`);
      }
      const ok = kind === 'bigint' ? typeof amount === 'bigint' || Number.isSafeInteger(amount) : kind === 'integer' ? Number.isSafeInteger(amount) : typeof amount === 'number' && Number.isFinite(amount);
      if (!ok) throw new QueryError('E_DB_QUERY_VALUE', `Invalid amount for '${c.key}': expected ${kind === 'float' ? 'a finite number' : 'a whole number'}.`);
      const col = sql.id(c.column);
      if (kind !== 'bigint') {
        sets.push(sql`${col} = ${col} + ${amount}`);
        continue;
      }
      const value = toDriver(c.def, BigInt(amount as number | bigint), host.dialect);
      // MySQL adds a string to a number as doubles, losing digits above 2^53: cast it to an integer.
      sets.push(host.dialect === 'mysql' ? sql`${col} = ${col} + cast(${value} as signed)` : sql`${col} = ${col} + ${value}`);
    }
    if (sets.length === 0) return 0;
    // Only what update() itself adds when given nothing: the autoNow datetimes.
    const now = prepareValues(m, {}, 'update');
    for (const k of Object.keys(now)) {
      const c = m.byKey.get(k)!;
      sets.push(sql`${sql.id(c.column)} = ${toDriver(c.def, now[k], host.dialect)}`);
    }
    return this.#runUpdate(sets);
  }

  /**
   * Deletes every matching row; returns how many. Foreign keys decide what happens to rows that
   * point at them: cascade, set null, restrict (an IntegrityError), protect (refused before deleting).
   */
  async delete(): Promise<number> {
    const m = this.#m;
    const host = this.#host;
    const w = this.#where(m.table);
    await checkProtected(host, m, w);
    try {
      const r = await sql`delete from ${sql.table(m.table)} ${w === null ? sql`` : sql`where ${w}`}`.execute(host.executor());
      return Number(r.numAffectedRows ?? 0n);
    } catch (err) {
      throw mapDriverError(err, m);
    }
  }

  /**
   * Keyset pagination over the ordering (with `id` as the tie-breaker): stable under inserts,
   * and as fast on page 1,000 as on page 1. The cursor is opaque and checked when decoded.
   *
   * @example const { items, next } = await db.query(Post).orderBy('-created').paginate({ size: 20, after: req.query.get('after') })
   */
  async paginate(options: { size: number; after?: string | null }): Promise<Page<R>> {
    const size = checkCount('size', options.size, MAX_LIMIT);
    const m = this.#m;
    const keys = [...(this.#s.order ?? m.options.ordering ?? [])];
    if (!keys.some((k) => k === 'id' || k === '-id')) keys.push('id');
    const infos = keys.map((k) => {
      const { desc, via, info } = orderField(m, k);
      if (via.length > 0) throw new QueryError('E_DB_QUERY_FIELD', `Cursor pagination orders by the model's own fields; '${k}' follows a relation. Use offset() and limit() for this order.`);
      return { desc, info };
    });
    for (const { info } of infos) {
      if (info.def.nullable) throw new QueryError('E_DB_QUERY_FIELD', `Cursor pagination needs non-null ordering fields; '${info.key}' is nullable.`);
    }
    let extra: Expression<SqlBool> | null = null;
    if (options.after !== undefined && options.after !== null && options.after !== '') {
      const values = decodeCursor(options.after, infos.length).map((v, i) => toDriver(infos[i]!.info.def, coerceValue(infos[i]!.info, v), this.#host.dialect));
      const ors: RawBuilder<SqlBool>[] = [];
      for (let i = 0; i < infos.length; i++) {
        const ands: RawBuilder<unknown>[] = [];
        for (let j = 0; j < i; j++) ands.push(sql`${sql.ref(`t0.${infos[j]!.info.column}`)} = ${values[j]}`);
        const { desc, info } = infos[i]!;
        ands.push(desc ? sql`${sql.ref(`t0.${info.column}`)} < ${values[i]}` : sql`${sql.ref(`t0.${info.column}`)} > ${values[i]}`);
        ors.push(sql<SqlBool>`(${sql.join(ands, sql` and `)})`);
      }
      extra = sql<SqlBool>`(${sql.join(ors, sql` or `)})`;
    }
    const rows = await this.#with({ order: keys, limit: size + 1, offset: null }).#rows(extra);
    const more = rows.length > size;
    const items = more ? rows.slice(0, size) : rows;
    const last = items[items.length - 1] as Record<string, unknown> | undefined;
    const next = more && last !== undefined ? encodeCursor(infos.map(({ info }) => last[info.key])) : null;
    return { items, next };
  }
}

type ForeignKeyNamesOf<M extends AnyModel> = {
  [K in FieldNameOf<M>]: M['fields'][K] extends Field<unknown, boolean, 'foreignKey' | 'oneToOne', unknown> ? K : never;
}[FieldNameOf<M>];
type ManyToManyNamesOf<M extends AnyModel> = {
  [K in FieldNameOf<M>]: M['fields'][K] extends Field<unknown, boolean, 'manyToMany', unknown> ? K : never;
}[FieldNameOf<M>];

/**
 * An order-by key resolved against the model: its direction, the foreign keys it follows (at most
 * MAX_RELATION_HOPS) and the field it orders by. Names from user input are checked here.
 */
function orderField(m: AnyModel, key: string): { desc: boolean; via: { fk: ColumnInfo; target: AnyModel }[]; info: ColumnInfo } {
  if (typeof key !== 'string') throw new QueryError('E_DB_QUERY_FIELD', 'Order-by keys must be strings.');
  const desc = key.startsWith('-');
  const name = desc ? key.slice(1) : key;
  const via: { fk: ColumnInfo; target: AnyModel }[] = [];
  let model = m;
  let rest = name;
  for (let sep = rest.indexOf('__'); sep > 0 && !model.byKey.has(rest); sep = rest.indexOf('__')) {
    const f = Object.hasOwn(model.fields, rest.slice(0, sep)) ? (model.fields[rest.slice(0, sep)] as Field) : undefined;
    if (f === undefined || (f.kind !== 'foreignKey' && f.kind !== 'oneToOne')) break;
    if (via.length === MAX_RELATION_HOPS) throw new QueryError('E_DB_QUERY_FIELD', `An order-by key may follow at most ${MAX_RELATION_HOPS} relations.`);
    const target = f.target!();
    via.push({ fk: model.byKey.get(rest.slice(0, sep))!, target });
    model = target;
    rest = rest.slice(sep + 2);
  }
  return { desc, via, info: resolveField(model, rest) };
}

function encodeCursor(values: unknown[]): string {
  const plain = values.map((v) => (v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? v.toString() : v));
  return Buffer.from(JSON.stringify(plain)).toString('base64url');
}

function decodeCursor(cursor: string, n: number): unknown[] {
  const bad = (): never => {
    throw new QueryError('E_DB_QUERY_CURSOR', 'Invalid pagination cursor; start again from the first page.');
  };
  if (typeof cursor !== 'string' || cursor.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(cursor)) bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== n || parsed.some((v) => v !== null && typeof v === 'object')) bad();
  return parsed as unknown[];
}

