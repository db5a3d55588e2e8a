/**
 * PostgreSQL: everything in place with ALTER TABLE, inside the migration's transaction.
 *
 * @module
 */
import { sql, type CreateTableBuilder } from 'kysely';
import type { ColumnState, IndexState, TableState } from '../schema-state.js';
import { AlterTableEditor } from './alter-table-editor.js';
import { foreignKeyName, sqlType, uniqueName } from './sql-names.js';
import type { MigrationDatabase } from './types.js';

export class PostgresEditor extends AlterTableEditor {
  readonly dialect = 'postgres' as const;

  protected idColumn(b: CreateTableBuilder<string, string>, name: string): CreateTableBuilder<string, string> {
    return b.addColumn(name, 'bigint', (d) => d.generatedByDefaultAsIdentity().primaryKey());
  }

  protected tableSuffix(b: CreateTableBuilder<string, string>): CreateTableBuilder<string, string> {
    return b;
  }

  protected async changeColumn(db: MigrationDatabase, table: string, before: ColumnState, after: ColumnState): Promise<void> {
    if (JSON.stringify(before.type) !== JSON.stringify(after.type)) {
      // USING converts the stored values; without it PostgreSQL refuses most type changes.
      const type = sqlType(after.type, 'postgres');
      await sql`alter table ${sql.table(table)} alter column ${sql.ref(after.name)} type ${type} using ${sql.ref(after.name)}::${type}`.execute(db);
    }
    if (before.nullable !== after.nullable) {
      await db.schema
        .alterTable(table)
        .alterColumn(after.name, (c) => (after.nullable ? c.dropNotNull() : c.setNotNull()))
        .execute();
    }
  }

  protected async dropUnique(db: MigrationDatabase, table: string, column: string): Promise<void> {
    await db.schema.alterTable(table).dropConstraint(uniqueName(table, column)).execute();
  }

  protected async dropForeignKeyConstraint(db: MigrationDatabase, table: string, column: string): Promise<void> {
    await db.schema.alterTable(table).dropConstraint(foreignKeyName(table, column)).execute();
  }

  protected async renameConstraints(db: MigrationDatabase, beforeTable: string, afterTable: string, before: ColumnState, after: ColumnState): Promise<void> {
    const rename = async (from: string, to: string): Promise<void> => {
      if (from !== to) await sql`alter table ${sql.table(afterTable)} rename constraint ${sql.id(from)} to ${sql.id(to)}`.execute(db);
    };
    if (after.unique) await rename(uniqueName(beforeTable, before.name), uniqueName(afterTable, after.name));
    if (after.references !== null) await rename(foreignKeyName(beforeTable, before.name), foreignKeyName(afterTable, after.name));
  }

  async removeIndex(db: MigrationDatabase, _table: TableState, index: IndexState): Promise<void> {
    await db.schema.dropIndex(index.name).execute();
  }

  async renameIndex(db: MigrationDatabase, _table: TableState, from: IndexState, to: string): Promise<void> {
    await sql`alter index ${sql.id(from.name)} rename to ${sql.id(to)}`.execute(db);
  }
}
