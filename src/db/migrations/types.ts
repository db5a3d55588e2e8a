/**
 * What a migration file holds: operations as plain data, so the schema they build can be replayed
 * without a database and a reviewer can read every change. Only `runCode` carries functions.
 *
 * @module
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../connection.js';
import type { OnDelete } from '../fields.js';
import type { ColumnType } from '../schema-state.js';

/** The Kysely instance data migrations receive: any table, any column. */
export type MigrationDatabase = Kysely<Record<string, Record<string, unknown>>>;

/** A JSON-compatible value, used for one-off defaults. */
export type DefaultValue = string | number | boolean | null | readonly DefaultValue[] | { readonly [key: string]: DefaultValue };

/** A foreign key as written in a migration file: always to the target table's `id`. */
export interface ReferenceSpec {
  readonly table: string;
  readonly onDelete: OnDelete;
}

/** A column's type and constraints, without its name: `{ type: 'varchar', length: 200, nullable: true }`. */
export type ColumnDefinitionSpec = ColumnType & {
  /** `false` (NOT NULL) when left out. */
  readonly nullable?: boolean;
  /** A single-column unique constraint; `false` when left out. */
  readonly unique?: boolean;
};

/** A column as written in a migration file. A column of type `id` is the primary key. */
export type ColumnSpec = ColumnDefinitionSpec & {
  readonly name: string;
  readonly references?: ReferenceSpec;
};

/** An index or unique constraint as written in a migration file. */
export interface IndexSpec {
  readonly name: string;
  readonly columns: readonly string[];
  /** `false` when left out. */
  readonly unique?: boolean;
}

/** What a data migration's function receives. */
export interface RunCodeContext {
  /** Bound to the migration's connection (and transaction, where the database has transactional DDL). */
  readonly db: MigrationDatabase;
  readonly dialect: DialectName;
}

/** The function of a data migration. */
export type RunCodeFunction = (context: RunCodeContext) => void | Promise<void>;

export interface CreateTableOperation {
  readonly op: 'createTable';
  readonly table: string;
  readonly columns: readonly ColumnSpec[];
  readonly indexes?: readonly IndexSpec[];
}

export interface DropTableOperation {
  readonly op: 'dropTable';
  readonly table: string;
}

export interface RenameTableOperation {
  readonly op: 'renameTable';
  readonly from: string;
  readonly to: string;
}

export interface AddColumnOperation {
  readonly op: 'addColumn';
  readonly table: string;
  readonly column: ColumnSpec;
  /** The value existing rows get; needed when the column is not nullable. */
  readonly default?: DefaultValue;
}

export interface RemoveColumnOperation {
  readonly op: 'removeColumn';
  readonly table: string;
  readonly column: string;
  /** The value existing rows get when the migration is unapplied and the column comes back. */
  readonly default?: DefaultValue;
}

export interface AlterColumnOperation {
  readonly op: 'alterColumn';
  readonly table: string;
  readonly column: string;
  /** The complete new definition (type, nullability, unique). */
  readonly to: ColumnDefinitionSpec;
  /** The value rows holding NULL get when the column becomes NOT NULL. */
  readonly default?: DefaultValue;
}

export interface RenameColumnOperation {
  readonly op: 'renameColumn';
  readonly table: string;
  readonly from: string;
  readonly to: string;
}

export interface AddIndexOperation {
  readonly op: 'addIndex';
  readonly table: string;
  readonly index: IndexSpec;
}

export interface RemoveIndexOperation {
  readonly op: 'removeIndex';
  readonly table: string;
  readonly name: string;
}

export interface RenameIndexOperation {
  readonly op: 'renameIndex';
  readonly table: string;
  readonly from: string;
  readonly to: string;
}

export interface AddForeignKeyOperation {
  readonly op: 'addForeignKey';
  readonly table: string;
  readonly column: string;
  readonly references: ReferenceSpec;
}

export interface RemoveForeignKeyOperation {
  readonly op: 'removeForeignKey';
  readonly table: string;
  readonly column: string;
}

/** A data migration: a function run with the database. Irreversible unless `backward` is given. */
export interface RunCodeOperation {
  readonly op: 'runCode';
  readonly forward: RunCodeFunction;
  readonly backward?: RunCodeFunction;
  /** Shown in messages instead of "Run code". */
  readonly description?: string;
}

/** One schema or data change. */
export type Operation =
  | CreateTableOperation
  | DropTableOperation
  | RenameTableOperation
  | AddColumnOperation
  | RemoveColumnOperation
  | AlterColumnOperation
  | RenameColumnOperation
  | AddIndexOperation
  | RemoveIndexOperation
  | RenameIndexOperation
  | AddForeignKeyOperation
  | RemoveForeignKeyOperation
  | RunCodeOperation;

/** The name of an operation kind. */
export type OperationKind = Operation['op'];

/**
 * The default export of a migration file.
 *
 * @example
 * import type { Migration } from 'rampart/db';
 *
 * export default {
 *   operations: [
 *     { op: 'addColumn', table: 'blog_post', column: { name: 'slug', type: 'varchar', length: 50 }, default: '' },
 *   ],
 * } satisfies Migration;
 * @see docs/migrations.md
 */
export interface Migration {
  readonly operations: readonly Operation[];
}
