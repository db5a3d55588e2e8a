/**
 * What PostgreSQL and MySQL share: both change a table in place with ALTER TABLE and name every
 * constraint. The subclasses fill in the statements where their syntax differs.
 *
 * @module
 */
import type { CreateTableBuilder } from 'kysely';
import type { DialectName } from '../connection.js';
import type { ColumnState, IndexState, TableState } from '../schema-state.js';
import { driverValue } from './defaults.js';
import { col, createIndex, fillColumn, type SchemaEditor } from './editor.js';
import { foreignKeyName, onDeleteSql, sqlType, uniqueName } from './sql-names.js';
import type { DefaultValue, MigrationDatabase } from './types.js';

export abstract class AlterTableEditor implements SchemaEditor {
  abstract readonly dialect: DialectName;

  /** The id column's definition. */
  protected abstract idColumn(b: CreateTableBuilder<string, string>, name: string): CreateTableBuilder<string, string>;
  /** Table options after the column list (MySQL's engine and charset). */
  protected abstract tableSuffix(b: CreateTableBuilder<string, string>): CreateTableBuilder<string, string>;
  /** Changes a column's type and/or nullability to those of `after`. */
  protected abstract changeColumn(db: MigrationDatabase, table: string, before: ColumnState, after: ColumnState): Promise<void>;
  protected abstract dropUnique(db: MigrationDatabase, table: string, column: string): Promise<void>;
  protected abstract dropForeignKeyConstraint(db: MigrationDatabase, table: string, column: string): Promise<void>;
  protected abstract renameConstraints(db: MigrationDatabase, beforeTable: string, afterTable: string, before: ColumnState, after: ColumnState): Promise<void>;
  abstract removeIndex(db: MigrationDatabase, table: TableState, index: IndexState): Promise<void>;
  abstract renameIndex(db: MigrationDatabase, table: TableState, from: IndexState, to: string): Promise<void>;

  async createTable(db: MigrationDatabase, table: TableState): Promise<void> {
    let b = db.schema.createTable(table.name) as unknown as CreateTableBuilder<string, string>;
    for (const c of table.columns) {
      if (c.primaryKey) b = this.idColumn(b, c.name);
      else b = b.addColumn(c.name, sqlType(c.type, this.dialect), (d) => (c.nullable ? d : d.notNull()));
    }
    for (const c of table.columns) if (c.unique) b = b.addUniqueConstraint(uniqueName(table.name, c.name), [c.name]);
    await this.tableSuffix(b).execute();
    for (const i of table.indexes) await createIndex(db, table.name, i);
    // Foreign keys come after the indexes: MySQL would otherwise create an index of its own for each.
    for (const c of table.columns) if (c.references !== null) await this.addForeignKeyConstraint(db, table.name, c);
  }

  async dropTable(db: MigrationDatabase, table: TableState): Promise<void> {
    await db.schema.dropTable(table.name).execute();
  }

  async renameTable(db: MigrationDatabase, before: TableState, after: TableState): Promise<void> {
    await db.schema.alterTable(before.name).renameTo(after.name).execute();
    for (const c of after.columns) await this.renameConstraints(db, before.name, after.name, c, c);
  }

  async addColumn(db: MigrationDatabase, _before: TableState, after: TableState, column: string, fill: DefaultValue | undefined): Promise<void> {
    const c = col(after, column);
    const nullFirst = fill !== undefined && fill !== null && !c.nullable;
    await db.schema
      .alterTable(after.name)
      .addColumn(c.name, sqlType(c.type, this.dialect), (d) => (c.nullable || nullFirst ? d : d.notNull()))
      .execute();
    if (fill !== undefined && fill !== null) {
      await fillColumn(db, after.name, c.name, driverValue(c.type, fill, this.dialect), false);
      if (nullFirst) await this.changeColumn(db, after.name, { ...c, nullable: true }, c);
    }
    if (c.unique) await this.addUnique(db, after.name, c.name);
    if (c.references !== null) await this.addForeignKeyConstraint(db, after.name, c);
  }

  async removeColumn(db: MigrationDatabase, before: TableState, _after: TableState, column: string): Promise<void> {
    const c = col(before, column);
    if (c.references !== null) await this.dropForeignKeyConstraint(db, before.name, c.name);
    await db.schema.alterTable(before.name).dropColumn(column).execute();
  }

  async alterColumn(db: MigrationDatabase, before: TableState, after: TableState, column: string, fill: DefaultValue | undefined): Promise<void> {
    const b = col(before, column);
    const a = col(after, column);
    const typeChanged = JSON.stringify(b.type) !== JSON.stringify(a.type);
    if (b.unique && !a.unique) await this.dropUnique(db, before.name, column);
    if (b.nullable && !a.nullable && fill !== undefined && fill !== null) {
      await fillColumn(db, after.name, column, driverValue(a.type, fill, this.dialect), true);
    }
    if (typeChanged || b.nullable !== a.nullable) await this.changeColumn(db, after.name, b, a);
    if (!b.unique && a.unique) await this.addUnique(db, after.name, column);
  }

  async renameColumn(db: MigrationDatabase, before: TableState, after: TableState, from: string, to: string): Promise<void> {
    await db.schema.alterTable(before.name).renameColumn(from, to).execute();
    await this.renameConstraints(db, before.name, after.name, col(before, from), col(after, to));
  }

  async addIndex(db: MigrationDatabase, table: TableState, index: IndexState): Promise<void> {
    await createIndex(db, table.name, index);
  }

  async addForeignKey(db: MigrationDatabase, _before: TableState, after: TableState, column: string): Promise<void> {
    await this.addForeignKeyConstraint(db, after.name, col(after, column));
  }

  async removeForeignKey(db: MigrationDatabase, before: TableState, _after: TableState, column: string): Promise<void> {
    await this.dropForeignKeyConstraint(db, before.name, column);
  }

  protected async addUnique(db: MigrationDatabase, table: string, column: string): Promise<void> {
    await db.schema.alterTable(table).addUniqueConstraint(uniqueName(table, column), [column]).execute();
  }

  protected async addForeignKeyConstraint(db: MigrationDatabase, table: string, c: ColumnState): Promise<void> {
    const r = c.references!;
    await db.schema
      .alterTable(table)
      .addForeignKeyConstraint(foreignKeyName(table, c.name), [c.name], r.table, ['id'], (fk) => fk.onDelete(onDeleteSql(r.onDelete)))
      .execute();
  }
}
