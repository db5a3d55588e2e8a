/**
 * SQLite: ALTER TABLE can add, rename and drop plain columns and rename tables; everything else
 * (changing a column, adding or dropping a constraint or foreign key) rebuilds the table the way
 * SQLite's documentation prescribes: create the new shape under a temporary name, copy the rows,
 * drop the old table, rename the new one, recreate the indexes. The runner turns `foreign_keys`
 * off around such a migration (it cannot be changed inside a transaction) and runs
 * `PRAGMA foreign_key_check` before committing, so a rebuild never cascades deletes into other
 * tables and never leaves a dangling reference behind.
 *
 * @module
 */
import { sql, type CreateTableBuilder, type Expression, type RawBuilder } from 'kysely';
import type { ColumnState, IndexState, TableState } from '../schema-state.js';
import { driverValue } from './defaults.js';
import { col, createIndex, fillColumn, type SchemaEditor } from './editor.js';
import { foreignKeyName, onDeleteSql, sqlType, uniqueName } from './sql-names.js';
import type { DefaultValue, MigrationDatabase } from './types.js';

/** The temporary name of a table being rebuilt; a leading underscore never matches a model name. */
function rebuildName(table: string): string {
  return `_rampart_new_${table}`;
}

function createTableQuery(db: MigrationDatabase, name: string, table: TableState): CreateTableBuilder<string, string> {
  let b = db.schema.createTable(name) as unknown as CreateTableBuilder<string, string>;
  for (const c of table.columns) {
    if (c.primaryKey) b = b.addColumn(c.name, 'integer', (d) => d.primaryKey().autoIncrement());
    else b = b.addColumn(c.name, sqlType(c.type, 'sqlite'), (d) => (c.nullable ? d : d.notNull()));
  }
  // Constraint names follow the real table name, also while the table has its temporary name.
  for (const c of table.columns) if (c.unique) b = b.addUniqueConstraint(uniqueName(table.name, c.name), [c.name]);
  for (const c of table.columns) {
    const r = c.references;
    if (r === null) continue;
    const target = r.table === table.name ? name : r.table;
    b = b.addForeignKeyConstraint(foreignKeyName(table.name, c.name), [c.name], target, ['id'], (fk) => fk.onDelete(onDeleteSql(r.onDelete)));
  }
  return b;
}

/** Whether a column can be added or dropped with plain ALTER TABLE (no constraint on it). */
function plain(c: ColumnState): boolean {
  return !c.unique && c.references === null && !c.primaryKey;
}

/** Where a column of the rebuilt table takes its values from; absent columns start as NULL. */
type Sources = ReadonlyMap<string, Expression<unknown> | RawBuilder<unknown>>;

/**
 * Rebuilds `before` into the shape of `after` (same name), keeping every row. Columns of `after`
 * that `before` has are copied; `sources` overrides or adds the value of a column.
 */
async function rebuild(db: MigrationDatabase, before: TableState, after: TableState, sources: Sources = new Map()): Promise<void> {
  const temp = rebuildName(after.name);
  await createTableQuery(db, temp, after).execute();
  const targets: string[] = [];
  const values: (Expression<unknown> | RawBuilder<unknown>)[] = [];
  for (const c of after.columns) {
    const source = sources.get(c.name) ?? (before.columns.some((b) => b.name === c.name) ? sql.ref(c.name) : undefined);
    if (source === undefined) continue;
    targets.push(c.name);
    values.push(source);
  }
  if (targets.length > 0) {
    await sql`insert into ${sql.table(temp)} (${sql.join(targets.map((t) => sql.ref(t)))}) select ${sql.join(values)} from ${sql.table(before.name)}`.execute(db);
  }
  if (after.columns.some((c) => c.primaryKey)) {
    // Keep the AUTOINCREMENT counter: ids of deleted rows are never handed out again.
    await sql`delete from sqlite_sequence where name = ${temp}`.execute(db);
    await sql`insert into sqlite_sequence (name, seq) select ${temp}, seq from sqlite_sequence where name = ${before.name}`.execute(db);
  }
  await db.schema.dropTable(before.name).execute();
  await db.schema.alterTable(temp).renameTo(after.name).execute();
  for (const i of after.indexes) await createIndex(db, after.name, i);
  // Foreign keys are off during a rebuild: check this table's references before committing.
  const bad = await sql<{ parent: string; rowid: number }>`pragma foreign_key_check(${sql.table(after.name)})`.execute(db);
  const first = bad.rows[0];
  if (first !== undefined) {
    throw new Error(`${bad.rows.length} row(s) of ${after.name} reference missing rows of ${first.parent} (the first has rowid ${first.rowid})`);
  }
}

export class SqliteEditor implements SchemaEditor {
  readonly dialect = 'sqlite' as const;

  async createTable(db: MigrationDatabase, table: TableState): Promise<void> {
    await createTableQuery(db, table.name, table).execute();
    for (const i of table.indexes) await createIndex(db, table.name, i);
  }

  async dropTable(db: MigrationDatabase, table: TableState): Promise<void> {
    await db.schema.dropTable(table.name).execute();
  }

  async renameTable(db: MigrationDatabase, before: TableState, after: TableState): Promise<void> {
    // SQLite (3.26+) rewrites the REFERENCES clauses of other tables to the new name.
    await db.schema.alterTable(before.name).renameTo(after.name).execute();
  }

  async addColumn(db: MigrationDatabase, before: TableState, after: TableState, column: string, fill: DefaultValue | undefined): Promise<void> {
    const c = col(after, column);
    if (plain(c) && c.nullable) {
      await db.schema.alterTable(after.name).addColumn(c.name, sqlType(c.type, 'sqlite')).execute();
      if (fill !== undefined && fill !== null) await fillColumn(db, after.name, c.name, driverValue(c.type, fill, 'sqlite'), false);
      return;
    }
    const sources = new Map<string, Expression<unknown>>();
    if (fill !== undefined && fill !== null) sources.set(c.name, sql.val(driverValue(c.type, fill, 'sqlite')));
    await rebuild(db, before, after, sources);
  }

  async removeColumn(db: MigrationDatabase, before: TableState, after: TableState, column: string): Promise<void> {
    if (plain(col(before, column))) await db.schema.alterTable(before.name).dropColumn(column).execute();
    else await rebuild(db, before, after);
  }

  async alterColumn(db: MigrationDatabase, before: TableState, after: TableState, column: string, fill: DefaultValue | undefined): Promise<void> {
    const b = col(before, column);
    const a = col(after, column);
    const sources = new Map<string, Expression<unknown>>();
    if (b.nullable && !a.nullable && fill !== undefined && fill !== null) {
      sources.set(column, sql`coalesce(${sql.ref(column)}, ${driverValue(a.type, fill, 'sqlite')})`);
    }
    await rebuild(db, before, after, sources);
  }

  async renameColumn(db: MigrationDatabase, before: TableState, _after: TableState, from: string, to: string): Promise<void> {
    await db.schema.alterTable(before.name).renameColumn(from, to).execute();
  }

  async addIndex(db: MigrationDatabase, table: TableState, index: IndexState): Promise<void> {
    await createIndex(db, table.name, index);
  }

  async removeIndex(db: MigrationDatabase, _table: TableState, index: IndexState): Promise<void> {
    await db.schema.dropIndex(index.name).execute();
  }

  async renameIndex(db: MigrationDatabase, table: TableState, from: IndexState, to: string): Promise<void> {
    await db.schema.dropIndex(from.name).execute();
    await createIndex(db, table.name, { ...from, name: to });
  }

  async addForeignKey(db: MigrationDatabase, before: TableState, after: TableState): Promise<void> {
    await rebuild(db, before, after);
  }

  async removeForeignKey(db: MigrationDatabase, before: TableState, after: TableState): Promise<void> {
    await rebuild(db, before, after);
  }
}
