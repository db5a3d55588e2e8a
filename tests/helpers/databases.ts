/**
 * Fresh, isolated databases for tests: each call creates a new database (a temp file for SQLite, a
 * new database on the PostgreSQL or MariaDB server), so test files running in parallel never see
 * each other's tables. Servers come from DATABASE_URL_POSTGRES / DATABASE_URL_MYSQL; without them
 * the target is skipped with a visible reason.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TargetName = 'sqlite' | 'postgres' | 'mysql';

export interface Target {
  readonly name: TargetName;
  /** A reason to skip, when the server's URL is not set. */
  readonly skip: string | false;
}

export interface TestDatabase {
  readonly name: TargetName;
  readonly url: string;
  drop(): Promise<void>;
}

/** The three targets, in the order the suites run them. */
export function databaseTargets(): Target[] {
  return [
    { name: 'sqlite', skip: false },
    { name: 'postgres', skip: process.env.DATABASE_URL_POSTGRES ? false : 'DATABASE_URL_POSTGRES is not set (bash .ci/run sets it)' },
    { name: 'mysql', skip: process.env.DATABASE_URL_MYSQL ? false : 'DATABASE_URL_MYSQL is not set (bash .ci/run sets it)' },
  ];
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * Creates an empty database on a target and returns its URL.
 *
 * @example const t = await freshDatabase('postgres'); ...; await t.drop()
 */
export async function freshDatabase(name: TargetName): Promise<TestDatabase> {
  const dbName = `rampart_t_${randomBytes(5).toString('hex')}`;
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-db-'));
    return { name, url: `sqlite:${join(dir, 'db.sqlite3')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (name === 'postgres') {
    const base = process.env.DATABASE_URL_POSTGRES!;
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    return {
      name,
      url: withDatabase(base, dbName),
      drop: async () => {
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        // A closed pool's sockets can outlive its close() promise; killing them with FORCE would
        // surface as an uncaught error in the test process, so wait (bounded) until they are gone.
        for (let i = 0; i < 50; i++) {
          const r = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [dbName]);
          if ((r.rows[0] as { n: number }).n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const base = process.env.DATABASE_URL_MYSQL!;
  const mysql = await import('mysql2/promise');
  const u = new URL(base);
  const connect = () => mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) });
  const admin = await connect();
  await admin.query(`CREATE DATABASE ${dbName} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  return {
    name,
    url: withDatabase(base, dbName),
    drop: async () => {
      const c = await connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName}`);
      await c.end();
    },
  };
}
