/**
 * `connect()`: the database of an app — a typed Kysely instance for anything, `query(Model)` for
 * the common cases, transactions (nested with savepoints, carried by the async context), per-request
 * transactions and many-to-many managers.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Middleware } from '../routing/group.js';
import { CONNECTION_DEFAULTS, createKysely, type ConnectionOptions, type DialectName, type PoolQuery } from './connection.js';
import { DatabaseError, QueryError } from './errors.js';
import type { Field } from './fields.js';
import { coerceValue } from './lookups.js';
import type { AnyModel, Insert, Row } from './model.js';
import { QuerySet, type QueryHost } from './query.js';
import { joinTable } from './schema-state.js';
import { rowReader } from './values.js';

/**
 * The Kysely database type of a list of models: a typo in a table or column name is a compile error.
 *
 * @example type DB = DatabaseSchema<[typeof User, typeof Post]>
 */
export type DatabaseSchema<MS extends readonly AnyModel[]> = { [M in MS[number] as M['table']]: M['$table'] };

/** Options of `connect()`. */
export interface DatabaseOptions<MS extends readonly AnyModel[]> extends ConnectionOptions {
  /** `DATABASE_URL` by default, then `sqlite:./db.sqlite3`. */
  url?: string;
  /** Every model of the app (relations and `onDelete: 'protect'` are resolved among them). */
  models: MS;
}

interface TxState {
  readonly trx: Transaction<unknown>;
  depth: number;
}

/** The models' database. Create it with `connect()`. */
export class Database<MS extends readonly AnyModel[] = readonly AnyModel[]> implements QueryHost {
  readonly dialect: DialectName;
  readonly models: MS;
  readonly #base: Kysely<DatabaseSchema<MS>>;
  readonly #tx = new AsyncLocalStorage<TxState>();
  readonly #poolQuery: PoolQuery;
  #closed = false;

  /** @internal use `connect()` */
  constructor(kysely: Kysely<DatabaseSchema<MS>>, dialect: DialectName, models: MS, poolQuery: PoolQuery = null) {
    this.#base = kysely;
    this.dialect = dialect;
    this.models = models;
    this.#poolQuery = poolQuery;
  }

  /**
   * @internal A compiled read straight on the driver's pool, outside any transaction: the hot path
   * of `get(id)`. `null` inside a transaction or where the dialect has no pool query.
   */
  poolRows(sqlText: string, parameters: readonly unknown[]): Promise<Record<string, unknown>[]> | null {
    if (this.#poolQuery === null || this.#closed || this.#tx.getStore() !== undefined) return null;
    return this.#poolQuery(sqlText, parameters);
  }

  /**
   * The typed Kysely instance, inside a transaction the transaction's. Raw results carry driver
   * values: on SQLite and MySQL a datetime is a string and a boolean a number; `db.rows()` converts.
   *
   * @example await db.kysely.selectFrom('blog_post').select(['id', 'title']).where('id', '=', 1).execute()
   */
  get kysely(): Kysely<DatabaseSchema<MS>> {
    return (this.#tx.getStore()?.trx as Kysely<DatabaseSchema<MS>> | undefined) ?? this.#base;
  }

  /** @internal the executor queries run on. */
  /** Whether the current async context is inside `db.transaction()` (or `atomicRequests()`). */
  inTransaction(): boolean {
    return this.#tx.getStore() !== undefined;
  }

  executor(): Kysely<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (this.#closed) throw new DatabaseError('E_DB_CLOSED', 'The database was closed; queries after close() are refused.');
    return (this.#tx.getStore()?.trx as Kysely<unknown> | undefined) ?? (this.#base as Kysely<unknown>);
  }

  #known(m: AnyModel): void {
    if (!this.models.includes(m)) {
      throw new DatabaseError('E_DB_MODEL_UNKNOWN', `Model '${m?.table}' is not one of this database's models.`, {
        hint: 'Pass it in connect({ models: [...] }).',
      });
    }
  }

  /**
   * Queries over a model.
   *
   * @example const post = await db.query(Post).getOr404(req.params.id)
   */
  query<M extends MS[number]>(m: M): QuerySet<M> {
    this.#known(m);
    return new QuerySet(this, m);
  }

  /** Converts raw rows (from `db.kysely` or `sql`) of a model to typed values, in place. */
  rows<M extends MS[number]>(m: M, raw: Record<string, unknown>[]): Row<M>[] {
    const read = rowReader(m, this.dialect);
    return raw.map((r) => read(r)) as Row<M>[];
  }

  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. Nested calls
   * use savepoints. Every query made through this database inside `fn` (also from called functions)
   * joins the transaction.
   *
   * @example
   * await db.transaction(async () => {
   *   const a = await db.query(Account).getOr404(1)
   *   await db.query(Account).filter({ id: a.id }).update({ balance: a.balance - 10 })
   * })
   */
  async transaction<T>(fn: (db: this) => Promise<T>): Promise<T> {
    const current = this.#tx.getStore();
    if (current === undefined) {
      return this.#base.transaction().execute((trx) => this.#tx.run({ trx: trx as Transaction<unknown>, depth: 0 }, () => fn(this)));
    }
    const name = sql.id(`rampart_sp_${++current.depth}`);
    await sql`savepoint ${name}`.execute(current.trx);
    try {
      const out = await fn(this);
      await sql`release savepoint ${name}`.execute(current.trx);
      return out;
    } catch (err) {
      // After a deadlock MySQL has rolled back the whole transaction, savepoints included: the
      // rollback fails then, and the error that matters is the first one.
      await sql`rollback to savepoint ${name}`.execute(current.trx).catch(() => undefined);
      throw err;
    } finally {
      current.depth--;
    }
  }

  /**
   * Middleware that runs each request in a transaction (Django's ATOMIC_REQUESTS): rolled back when
   * the handler throws or answers with a 5xx status.
   *
   * @example app.use(db.atomicRequests())
   */
  atomicRequests(): Middleware {
    const rollback = Symbol('rollback');
    return async (_req, next) => {
      let response: unknown;
      try {
        await this.transaction(async () => {
          response = await next();
          if ((response as { status: number }).status >= 500) throw rollback;
        });
      } catch (err) {
        if (err !== rollback) throw err;
      }
      return response;
    };
  }

  /**
   * The many-to-many manager of one row: add, remove, set, clear and list related rows.
   *
   * @example await db.related(Post, post.id, 'tags').add(tag1.id, tag2.id)
   */
  related<M extends MS[number]>(m: M, id: number | string, fieldName: keyof M['fields'] & string): ManyToManyManager {
    this.#known(m);
    const f = (m.fields as Record<string, Field>)[fieldName];
    if (f === undefined || f.kind !== 'manyToMany') {
      throw new QueryError('E_DB_QUERY_FIELD', `'${fieldName}' is not a many-to-many field of ${m.table}.`);
    }
    const owner = coerceValue(m.byKey.get('id')!, id) as number;
    return new ManyToManyManager(this as unknown as Database, m, fieldName, owner);
  }

  /** Closes the connection pool. `app.onClose(() => db.close())` does it at shutdown. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#base.destroy();
  }
}

/** Adds, removes and lists the rows of a many-to-many field for one row. */
export class ManyToManyManager {
  readonly #db: Database;
  readonly #j: ReturnType<typeof joinTable>;
  readonly #owner: number;

  /** @internal use `db.related()` */
  constructor(db: Database, m: AnyModel, fieldName: string, owner: number) {
    this.#db = db;
    this.#j = joinTable(m, fieldName);
    this.#owner = owner;
  }

  #ids(ids: readonly (number | string)[]): number[] {
    const info = this.#j.target.byKey.get('id')!;
    return [...new Set(ids.map((v) => coerceValue(info, v) as number))];
  }

  /** Links rows (already linked ones are skipped). */
  async add(...ids: (number | string)[]): Promise<void> {
    const wanted = this.#ids(ids);
    if (wanted.length === 0) return;
    const j = this.#j;
    await this.#db.transaction(async () => {
      const ex = this.#db.executor();
      const have = await sql<{ id: number }>`select ${sql.ref(j.to)} as id from ${sql.table(j.table)} where ${sql.ref(j.from)} = ${this.#owner}`.execute(ex);
      const present = new Set(have.rows.map((r) => Number(r.id)));
      const missing = wanted.filter((id) => !present.has(id));
      if (missing.length === 0) return;
      await sql`insert into ${sql.table(j.table)} (${sql.id(j.from)}, ${sql.id(j.to)}) values ${sql.join(missing.map((id) => sql`(${this.#owner}, ${id})`))}`.execute(ex);
    });
  }

  /** Unlinks rows. */
  async remove(...ids: (number | string)[]): Promise<void> {
    const list = this.#ids(ids);
    if (list.length === 0) return;
    const j = this.#j;
    await sql`delete from ${sql.table(j.table)} where ${sql.ref(j.from)} = ${this.#owner} and ${sql.ref(j.to)} in (${sql.join(list)})`.execute(this.#db.executor());
  }

  /** Makes the linked rows exactly these. */
  async set(ids: readonly (number | string)[]): Promise<void> {
    const list = this.#ids(ids);
    await this.#db.transaction(async () => {
      await this.clear();
      await this.add(...list);
    });
  }

  /** Unlinks every row. */
  async clear(): Promise<void> {
    const j = this.#j;
    await sql`delete from ${sql.table(j.table)} where ${sql.ref(j.from)} = ${this.#owner}`.execute(this.#db.executor());
  }

  /** The linked rows, by id. */
  async all(): Promise<Record<string, unknown>[]> {
    const j = this.#j;
    const cols = j.target.columns.map((c) => sql`${sql.ref(`t.${c.column}`)} as ${sql.id(c.key)}`);
    const r = await sql<Record<string, unknown>>`select ${sql.join(cols)} from ${sql.table(j.target.table)} as t join ${sql.table(j.table)} as j on ${sql.ref(`j.${j.to}`)} = ${sql.ref('t.id')} where ${sql.ref(`j.${j.from}`)} = ${this.#owner} order by ${sql.ref('t.id')}`.execute(this.#db.executor());
    return this.#db.rows(j.target, r.rows);
  }
}

/**
 * Connects to the database of `DATABASE_URL` (SQLite file by default) with the app's models.
 *
 * @example
 * const db = await connect({ models: [User, Post] })
 * app.onClose(() => db.close())
 */
export async function connect<const MS extends readonly AnyModel[]>(options: DatabaseOptions<MS>): Promise<Database<MS>> {
  const url = options.url ?? process.env.DATABASE_URL ?? CONNECTION_DEFAULTS.url;
  const { kysely, dialect, poolQuery } = await createKysely<DatabaseSchema<MS>>(url, options);
  return new Database(kysely, dialect, options.models, poolQuery);
}
