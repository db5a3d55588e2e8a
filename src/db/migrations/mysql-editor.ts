/**
 * MySQL and MariaDB: ALTER TABLE like PostgreSQL, with MySQL's syntax for columns, unique indexes
 * and foreign keys. DDL is not transactional here: each statement commits on its own.
 *
 * @module
 */
import { sql, type CreateTableBuilder } from 'kysely';
import type { ColumnState, IndexState, TableState } from '../schema-state.js';
import { AlterTableEditor } from './alter-table-editor.js';
import { col } from './editor.js';
import { foreignKeyName, sqlType, uniqueName } from './sql-names.js';
import type { DefaultValue, MigrationDatabase } from './types.js';

function withoutReference(table: TableState, column: string): TableState {
  return { ...table, columns: table.columns.map((c) => (c.name === column ? { ...c, references: null } : c)) };
}

/** Every table: InnoDB for transactions and foreign keys, full Unicode with a sensible collation. */
export const MYSQL_TABLE_OPTIONS = 'engine=InnoDB default charset=utf8mb4 collate utf8mb4_unicode_ci';

export class MysqlEditor extends AlterTableEditor {
  readonly dialect = 'mysql' as const;

  protected idColumn(b: CreateTableBuilder<string, string>, name: string): CreateTableBuilder<string, string> {
    return b.addColumn(name, 'bigint', (d) => d.notNull().autoIncrement().primaryKey());
  }

  protected tableSuffix(b: CreateTableBuilder<string, string>): CreateTableBuilder<string, string> {
    return b.modifyEnd(sql.raw(MYSQL_TABLE_OPTIONS));
  }

  override async alterColumn(db: MigrationDatabase, before: TableState, after: TableState, column: string, fill: DefaultValue | undefined): Promise<void> {
    // MySQL refuses to modify a column, or drop the unique index, a foreign key uses: the key
    // comes off first and goes back on at the end.
    const c = col(after, column);
    if (c.references === null) return super.alterColumn(db, before, after, column, fill);
    await this.dropForeignKeyConstraint(db, before.name, column);
    await super.alterColumn(db, withoutReference(before, column), withoutReference(after, column), column, fill);
    await this.addForeignKeyConstraint(db, after.name, c);
  }

  protected async changeColumn(db: MigrationDatabase, table: string, _before: ColumnState, after: ColumnState): Promise<void> {
    await db.schema
      .alterTable(table)
      .modifyColumn(after.name, sqlType(after.type, 'mysql'), (c) => (after.nullable ? c : c.notNull()))
      .execute();
  }

  protected async dropUnique(db: MigrationDatabase, table: string, column: string): Promise<void> {
    await db.schema.alterTable(table).dropIndex(uniqueName(table, column)).execute();
  }

  protected async dropForeignKeyConstraint(db: MigrationDatabase, table: string, column: string): Promise<void> {
    await sql`alter table ${sql.table(table)} drop foreign key ${sql.id(foreignKeyName(table, column))}`.execute(db);
  }

  protected async renameConstraints(db: MigrationDatabase, beforeTable: string, afterTable: string, before: ColumnState, after: ColumnState): Promise<void> {
    const fromUnique = uniqueName(beforeTable, before.name);
    const toUnique = uniqueName(afterTable, after.name);
    if (after.unique && fromUnique !== toUnique) {
      await sql`alter table ${sql.table(afterTable)} rename index ${sql.id(fromUnique)} to ${sql.id(toUnique)}`.execute(db);
    }
    // A foreign key cannot be renamed in MySQL: it is dropped and added under the new name.
    if (after.references !== null && foreignKeyName(beforeTable, before.name) !== foreignKeyName(afterTable, after.name)) {
      await sql`alter table ${sql.table(afterTable)} drop foreign key ${sql.id(foreignKeyName(beforeTable, before.name))}`.execute(db);
      await this.addForeignKeyConstraint(db, afterTable, after);
    }
  }

  async removeIndex(db: MigrationDatabase, table: TableState, index: IndexState): Promise<void> {
    await db.schema.dropIndex(index.name).on(table.name).execute();
  }

  async renameIndex(db: MigrationDatabase, table: TableState, from: IndexState, to: string): Promise<void> {
    await sql`alter table ${sql.table(table.name)} rename index ${sql.id(from.name)} to ${sql.id(to)}`.execute(db);
  }
}
