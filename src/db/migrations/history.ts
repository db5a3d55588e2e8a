/**
 * The record of applied migrations: one row per migration in `rampart_migrations` (name,
 * applied_at).
 *
 * @module
 */
import { sql, type CreateTableBuilder } from 'kysely';
import type { DialectName } from '../connection.js';
import { MYSQL_TABLE_OPTIONS } from './mysql-editor.js';
import { sqlType } from './sql-names.js';
import type { MigrationDatabase } from './types.js';
import { DEFAULT_MIGRATION_TABLE } from './validate.js';

const T = DEFAULT_MIGRATION_TABLE;

/** Creates the table when it is missing. Call it under the migration lock (see the runner). */
export async function ensureHistory(db: MigrationDatabase, dialect: DialectName): Promise<void> {
  let b = db.schema.createTable(T).ifNotExists() as unknown as CreateTableBuilder<string, string>;
  if (dialect === 'sqlite') b = b.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  else if (dialect === 'postgres') b = b.addColumn('id', 'bigint', (c) => c.generatedByDefaultAsIdentity().primaryKey());
  else b = b.addColumn('id', 'bigint', (c) => c.notNull().autoIncrement().primaryKey());
  b = b
    .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('applied_at', sqlType({ type: 'datetime' }, dialect), (c) => c.notNull());
  if (dialect === 'mysql') b = b.modifyEnd(sql.raw(MYSQL_TABLE_OPTIONS));
  await b.execute();
}

/** Whether the table exists (without creating it). */
export async function historyExists(db: MigrationDatabase, dialect: DialectName): Promise<boolean> {
  const query =
    dialect === 'sqlite'
      ? sql`select 1 as found from sqlite_master where type = 'table' and name = ${T}`
      : dialect === 'postgres'
        ? sql`select 1 as found from information_schema.tables where table_schema = current_schema() and table_name = ${T}`
        : sql`select 1 as found from information_schema.tables where table_schema = database() and table_name = ${T}`;
  return (await query.execute(db)).rows.length > 0;
}

/** Applied migrations by name, with the time each was applied, oldest first. */
export async function readHistory(db: MigrationDatabase): Promise<Map<string, Date>> {
  const rows = await db.selectFrom(T).select(['name', 'applied_at']).orderBy('id').execute();
  const out = new Map<string, Date>();
  for (const r of rows) {
    const at = r.applied_at;
    out.set(String(r.name), at instanceof Date ? at : new Date(String(at)));
  }
  return out;
}

export async function recordApplied(db: MigrationDatabase, dialect: DialectName, name: string): Promise<void> {
  const now = new Date();
  await db
    .insertInto(T)
    .values({ name, applied_at: dialect === 'sqlite' ? now.toISOString() : now })
    .execute();
}

export async function recordUnapplied(db: MigrationDatabase, name: string): Promise<void> {
  await db.deleteFrom(T).where('name', '=', name).execute();
}
