/**
 * Column types per dialect and the names of the constraints Rampart creates. Constraint names are
 * derived from table and column, never left to the database, so the same migration drops the
 * same constraint on every dialect and `sqlMigrate` can print the SQL without a database.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from '../connection.js';
import type { OnDelete } from '../fields.js';
import type { ColumnType } from '../schema-state.js';

const MAX_IDENTIFIER = 63; // PostgreSQL's limit; MySQL allows 64, SQLite more.

/** A name that fits every dialect: long names keep a readable prefix and a hash of the full name. */
export function fitName(full: string): string {
  if (full.length <= MAX_IDENTIFIER) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_IDENTIFIER - 9)}_${hash}`;
}

/** The single-column unique constraint of `table.column`. */
export function uniqueName(table: string, column: string): string {
  return fitName(`${table}_${column}_key`);
}

/** The foreign key constraint of `table.column`. */
export function foreignKeyName(table: string, column: string): string {
  return fitName(`${table}_${column}_fk`);
}

/**
 * The SQL type of a column, from the table in docs/migrations.md. Only fixed words and integers
 * validated when the file was read reach `sql.raw`.
 */
export function sqlType(t: ColumnType, dialect: DialectName): RawBuilder<unknown> {
  return sql.raw(typeText(t, dialect));
}

function typeText(t: ColumnType, d: DialectName): string {
  switch (t.type) {
    case 'id':
      return d === 'sqlite' ? 'integer' : 'bigint';
    case 'varchar':
      return `varchar(${int(t.length)})`;
    case 'text':
      return d === 'mysql' ? 'longtext' : 'text';
    case 'integer':
      return d === 'mysql' ? 'int' : 'integer';
    case 'bigint':
      return 'bigint';
    case 'double':
      return d === 'sqlite' ? 'real' : d === 'postgres' ? 'double precision' : 'double';
    case 'decimal':
      // SQLite must keep TEXT affinity: a numeric column would round '0.10' into a float.
      return d === 'sqlite' ? 'text' : `${d === 'postgres' ? 'numeric' : 'decimal'}(${int(t.precision)},${int(t.scale)})`;
    case 'boolean':
      return d === 'sqlite' ? 'integer' : 'boolean';
    case 'date':
      return d === 'sqlite' ? 'text' : 'date';
    case 'datetime':
      return d === 'sqlite' ? 'text' : d === 'postgres' ? 'timestamptz' : 'datetime(6)';
    case 'json':
      return d === 'sqlite' ? 'text' : d === 'postgres' ? 'jsonb' : 'json';
    case 'uuid':
      return d === 'postgres' ? 'uuid' : 'char(36)';
  }
}

function int(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a type parameter: ${String(n)}`);
  return n;
}

/** The ON DELETE action; `protect` is `restrict` in the database (the model layer checks it first). */
export function onDeleteSql(o: OnDelete): 'cascade' | 'restrict' | 'set null' {
  return o === 'cascade' ? 'cascade' : o === 'setNull' ? 'set null' : 'restrict';
}
