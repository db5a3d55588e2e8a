/**
 * From a `DATABASE_URL` to a Kysely instance with the right dialect, driver settings and pool.
 *
 * @module
 */
import {
  CompiledQuery,
  Kysely,
  MysqlDialect,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
} from 'kysely';
import { ConfigError } from '../errors.js';

/** The database families Rampart supports. */
export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/** A parsed `DATABASE_URL`. */
export interface DatabaseUrl {
  readonly dialect: DialectName;
  /** The file for SQLite (`:memory:` for an in-memory database). */
  readonly file?: string;
  readonly url: string;
}

/**
 * Secure and sane connection defaults, in one place.
 */
export const CONNECTION_DEFAULTS = {
  /** The embedded default: a file next to the app, so a first run needs no server. */
  url: 'sqlite:./db.sqlite3',
  /**
   * Pool size per process. Ten keeps a few workers per core well below PostgreSQL's default of 100
   * connections; raise it only with the database's limit in mind.
   */
  poolSize: 10,
  /** SQLite transactions take the write lock at BEGIN: lost "database is locked" writes across worker processes. */
  sqliteTransactions: 'immediate',
} as const;

/** Removes the password from a database URL, for error messages and logs. */
export function maskDatabaseUrl(url: string): string {
  return url.replace(/^([a-z0-9+]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/**
 * Parses `DATABASE_URL`: `sqlite:./db.sqlite3`, `sqlite::memory:`, `postgres://…`, `mysql://…`.
 *
 * @example parseDatabaseUrl('sqlite::memory:') // { dialect: 'sqlite', file: ':memory:', url: ... }
 */
export function parseDatabaseUrl(url: string): DatabaseUrl {
  if (url.startsWith('sqlite:')) {
    let file = url.slice('sqlite:'.length);
    if (file.startsWith('//')) file = file.slice(2);
    if (file === '') throw new ConfigError('E_DB_URL', `DATABASE_URL '${url}' names no SQLite file.`, { hint: 'Use sqlite:./db.sqlite3 or sqlite::memory:.' });
    return { dialect: 'sqlite', file, url };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', url };
  if (/^(mysql|mariadb):\/\//.test(url)) return { dialect: 'mysql', url };
  throw new ConfigError('E_DB_URL', `DATABASE_URL '${maskDatabaseUrl(url)}' has an unknown scheme.`, {
    hint: 'Use sqlite:./db.sqlite3, sqlite::memory:, postgres://user:pass@host/db or mysql://user:pass@host/db.',
  });
}

/** Prepared statements kept per SQLite connection; an app has a bounded set of distinct queries. */
const SQLITE_STATEMENT_CACHE = 500;

/**
 * Kysely's SQLite driver prepares every query anew, which is most of the cost of a small query.
 * Statements are reusable, so keep the most recent ones by SQL text (least recently used dropped).
 */
function withStatementCache(db: import('better-sqlite3').Database): SqliteDatabase {
  const cache = new Map<string, import('better-sqlite3').Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare: (text: string) => {
      let stmt = cache.get(text);
      if (stmt !== undefined) {
        cache.delete(text);
      } else {
        stmt = db.prepare(text);
        if (cache.size >= SQLITE_STATEMENT_CACHE) cache.delete(cache.keys().next().value as string);
      }
      cache.set(text, stmt);
      return stmt as unknown as ReturnType<SqliteDatabase['prepare']>;
    },
  };
}

/** Options of `createKysely()`. */
export interface ConnectionOptions {
  poolSize?: number;
  /**
   * How SQLite transactions begin. `'immediate'` takes the write lock at `BEGIN`, so transactions of
   * several processes (`rampart start --workers N`) that read then write wait for each other instead
   * of failing with "database is locked". `'deferred'` is SQLite's own default. @default 'immediate'
   */
  sqliteTransactions?: 'immediate' | 'deferred';
}

/**
 * SQLite's deferred `BEGIN` takes the write lock only at the first write: a transaction that read
 * first then finds another process writing fails at once with SQLITE_BUSY (its snapshot is stale,
 * so the busy timeout cannot help). Three processes doing read-then-write transactions lost 254 of
 * 900 that way (session 3); `BEGIN IMMEDIATE` makes them queue on the busy timeout instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** A query straight on the driver's pool, for the hottest read paths; `null` where there is none. */
export type PoolQuery = ((sqlText: string, parameters: readonly unknown[]) => Promise<Record<string, unknown>[]>) | null;

/**
 * A Kysely dialect for a database URL, with drivers configured for Rampart's value rules, and the
 * pool query where the dialect has one:
 * - SQLite: foreign keys enforced, WAL journal for files, a busy timeout instead of instant errors;
 * - PostgreSQL: `date` read as `'YYYY-MM-DD'` (not a local-time `Date`), int8 and numeric as strings
 *   (converted by the model layer per field, so nothing is silently rounded);
 * - MySQL: UTC for datetimes, `DATE` as strings, big numbers as strings, one statement per query,
 *   and objects never expanded into SQL (`stringifyObjects`).
 */
async function createDialect(parsed: DatabaseUrl, options: ConnectionOptions): Promise<{ dialect: Dialect; poolQuery: PoolQuery }> {
  const poolSize = options.poolSize ?? CONNECTION_DEFAULTS.poolSize;
  if (parsed.dialect === 'sqlite') {
    const { default: SQLite } = await import('better-sqlite3');
    const config: SqliteDialectConfig = {
      database: async () => {
        const db = new SQLite(parsed.file!);
        db.pragma('foreign_keys = ON');
        // Integers above 2^53 would silently lose digits as JS numbers; the model layer converts
        // ids and integers back to numbers and keeps bigints.
        db.defaultSafeIntegers(true);
        db.pragma('busy_timeout = 5000');
        if (parsed.file !== ':memory:') db.pragma('journal_mode = WAL');
        return withStatementCache(db);
      },
    };
    const dialect = (options.sqliteTransactions ?? CONNECTION_DEFAULTS.sqliteTransactions) === 'immediate' ? new ImmediateSqliteDialect(config) : new SqliteDialect(config);
    // No pool query: SQLite has one connection, and a read beside Kysely's could see another
    // context's open transaction.
    return { dialect, poolQuery: null };
  }
  if (parsed.dialect === 'postgres') {
    const pg = await import('pg');
    const builtins = pg.default.types;
    const identity = (v: string): string => v;
    const types = {
      getTypeParser: (oid: number, format?: 'text' | 'binary') => {
        if (oid === 1082) return identity; // date
        return builtins.getTypeParser(oid, format as 'text');
      },
    };
    const pool = new pg.default.Pool({ connectionString: parsed.url, max: poolSize, types } as import('pg').PoolConfig);
    const poolQuery: PoolQuery = async (text, parameters) => (await pool.query(text, parameters as unknown[])).rows as Record<string, unknown>[];
    return { dialect: new PostgresDialect({ pool }), poolQuery };
  }
  const mysql = await import('mysql2');
  const u = new URL(parsed.url.replace(/^mariadb:/, 'mysql:'));
  const dialect = new MysqlDialect({
    pool: mysql.createPool({
      host: u.hostname,
      port: u.port === '' ? 3306 : Number(u.port),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: decodeURIComponent(u.pathname.slice(1)),
      connectionLimit: poolSize,
      charset: 'utf8mb4',
      timezone: 'Z',
      dateStrings: ['DATE'],
      supportBigNumbers: true,
      bigNumberStrings: true,
      multipleStatements: false,
      stringifyObjects: true,
    }),
  });
  return { dialect, poolQuery: null };
}

/**
 * A Kysely instance for a database URL (no models needed): what migrations and raw queries use.
 *
 * @example const k = await createKysely('sqlite::memory:'); await k.destroy()
 */
export async function createKysely<DB = Record<string, Record<string, unknown>>>(
  url: string,
  options: ConnectionOptions = {},
): Promise<{ kysely: Kysely<DB>; dialect: DialectName; poolQuery: PoolQuery }> {
  const parsed = parseDatabaseUrl(url);
  const { dialect, poolQuery } = await createDialect(parsed, options);
  return { kysely: new Kysely<DB>({ dialect }), dialect: parsed.dialect, poolQuery };
}
