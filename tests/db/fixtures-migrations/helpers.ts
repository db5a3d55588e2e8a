/**
 * Shared pieces of the migration suites: temp folders for migration files, a fresh database per
 * target opened with raw Kysely, and readers that turn driver values into comparable ones.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKysely, type DialectName, type Kysely } from 'rampart/db';
import { freshDatabase, type TargetName } from '../../helpers/databases.ts';

export type Raw = Kysely<Record<string, Record<string, unknown>>>;

/** A new empty folder for migration files. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rampart-migrations-'));
}

/** The migration files of a folder, by name. */
export function filesIn(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
}

/** Writes a hand-made migration file. */
export function writeMigration(dir: string, file: string, source: string): string {
  const path = join(dir, file);
  writeFileSync(path, source);
  return path;
}

export interface Db {
  readonly url: string;
  readonly dialect: DialectName;
  readonly kysely: Raw;
  done(): Promise<void>;
}

/** A fresh database on `target` and a Kysely instance on it. */
export async function openDb(target: TargetName): Promise<Db> {
  const fresh = await freshDatabase(target);
  const { kysely, dialect } = await createKysely(fresh.url);
  return {
    url: fresh.url,
    dialect,
    kysely: kysely as Raw,
    async done() {
      await kysely.destroy();
      if (dialect === 'postgres') await pgDisconnected(fresh.url);
      await fresh.drop();
    },
  };
}

/**
 * Waits until no session of this process is still connected to a PostgreSQL database. A pool's
 * end() resolves before its sockets close, and the helper's DROP DATABASE … WITH (FORCE) would
 * then terminate a closing client, which surfaces as an uncaught error in the test process.
 */
async function pgDisconnected(url: string): Promise<void> {
  const pg = (await import('pg')).default;
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL_POSTGRES });
  await admin.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const r = await admin.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
      if (Number(r.rows[0]!.n) === 0) return;
      await new Promise((res) => setTimeout(res, 20));
    }
  } finally {
    await admin.end();
  }
}

/** Removes folders made by `tempDir()`. */
export function removeDirs(dirs: readonly string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

/** Table names of the database (SQLite's own tables left out), sorted. */
export async function tableNames(db: Raw): Promise<string[]> {
  const tables = await db.introspection.getTables();
  return tables.map((t) => t.name).filter((n) => !n.startsWith('sqlite_')).sort();
}

/** Column names of a table, sorted. */
export async function columnNames(db: Raw, table: string): Promise<string[]> {
  const tables = await db.introspection.getTables();
  const t = tables.find((x) => x.name === table);
  if (t === undefined) throw new Error(`no table ${table}`);
  return t.columns.map((c) => c.name).sort();
}

/** Values as drivers return them, made comparable across dialects. */
export const norm = {
  id: (v: unknown): number => Number(v),
  bool: (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 1n,
  date: (v: unknown): string => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString()),
  json: (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v),
  decimal: (v: unknown): string => String(v),
  int: (v: unknown): number | null => (v === null ? null : Number(v)),
};

/** A value as the driver of `dialect` takes it (what the model layer writes). */
export const write = {
  bool: (d: DialectName, v: boolean): unknown => (d === 'postgres' ? v : v ? 1 : 0),
  date: (d: DialectName, v: string): unknown => (d === 'sqlite' ? new Date(v).toISOString() : new Date(v)),
  json: (_d: DialectName, v: unknown): string => JSON.stringify(v),
};

/** The names recorded in rampart_migrations, in order of application. */
export async function recorded(db: Raw): Promise<string[]> {
  const rows = await db.selectFrom('rampart_migrations').select('name').orderBy('id').execute();
  return rows.map((r) => String(r.name));
}
