/**
 * The schema editor: the SQL of each operation for one dialect. Operations hand it the table as it
 * is before and after the change, so a dialect that must rebuild a table (SQLite) has the whole
 * shape, and the reverse of an operation is the same call with the two states swapped.
 *
 * @module
 */
import { sql } from 'kysely';
import type { DialectName } from '../connection.js';
import type { ColumnState, IndexState, TableState } from '../schema-state.js';
import { columnOf } from './state.js';
import type { DefaultValue, MigrationDatabase } from './types.js';

/** The SQL side of every operation, for one dialect. */
export interface SchemaEditor {
  readonly dialect: DialectName;
  createTable(db: MigrationDatabase, table: TableState): Promise<void>;
  dropTable(db: MigrationDatabase, table: TableState): Promise<void>;
  renameTable(db: MigrationDatabase, before: TableState, after: TableState): Promise<void>;
  addColumn(db: MigrationDatabase, before: TableState, after: TableState, column: string, fill: DefaultValue | undefined): Promise<void>;
  removeColumn(db: MigrationDatabase, before: TableState, after: TableState, column: string): Promise<void>;
  alterColumn(db: MigrationDatabase, before: TableState, after: TableState, column: string, fill: DefaultValue | undefined): Promise<void>;
  renameColumn(db: MigrationDatabase, before: TableState, after: TableState, from: string, to: string): Promise<void>;
  addIndex(db: MigrationDatabase, table: TableState, index: IndexState): Promise<void>;
  removeIndex(db: MigrationDatabase, table: TableState, index: IndexState): Promise<void>;
  renameIndex(db: MigrationDatabase, table: TableState, from: IndexState, to: string): Promise<void>;
  addForeignKey(db: MigrationDatabase, before: TableState, after: TableState, column: string): Promise<void>;
  removeForeignKey(db: MigrationDatabase, before: TableState, after: TableState, column: string): Promise<void>;
}

/** `create [unique] index name on table (columns)`: the same on every dialect. */
export async function createIndex(db: MigrationDatabase, table: string, index: IndexState): Promise<void> {
  let q = db.schema.createIndex(index.name).on(table).columns([...index.columns]);
  if (index.unique) q = q.unique();
  await q.execute();
}

/** The column `name` of a table state; the operation checked it exists. */
export function col(table: TableState, name: string): ColumnState {
  const c = columnOf(table, name);
  if (c === undefined) throw new Error(`unreachable: no column ${table.name}.${name}`);
  return c;
}

/** `update t set c = ? [where c is null]`: fills existing rows, parameterized. */
export async function fillColumn(db: MigrationDatabase, table: string, column: string, value: unknown, onlyNull: boolean): Promise<void> {
  const where = onlyNull ? sql` where ${sql.ref(column)} is null` : sql``;
  await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${value}${where}`.execute(db);
}
