/**
 * Migrations: operations, the autodetector (makeMigrations), the runner (migrate), showMigrations
 * and sqlMigrate. Re-exported from `rampart/db`.
 *
 * @module
 */
export { makeMigrations } from './make-migrations.js';
export type { MakeMigrationsOptions, MakeMigrationsResult } from './make-migrations.js';
export { migrate, MIGRATE_DEFAULTS } from './runner.js';
export type { MigrateOptions, MigrationResult, MigrationResultSet } from './runner.js';
export { showMigrations } from './show.js';
export type { MigrationStatus } from './show.js';
export { sqlMigrate } from './sql-migrate.js';
export type { SqlMigrateOptions, SqlStatement } from './sql-migrate.js';
export { operation, runCode, describeOperation } from './operations.js';
export type { MigrationOperation } from './operations.js';
export { DEFAULT_MIGRATION_TABLE, validateMigration } from './validate.js';
export { POSTGRES_LOCK_KEY } from './lock.js';
export { MigrationError, MigrationFileError, AutodetectorError, MigrationFailedError } from './errors.js';
export type { MigrationDirection } from './errors.js';
export type { MigrationQuestion, MigrationPrompt, RenameAnswers, DefaultAnswers } from './questions.js';
export type { DatabaseTarget } from './open.js';
export type {
  Migration,
  Operation,
  OperationKind,
  ColumnSpec,
  ColumnDefinitionSpec,
  IndexSpec,
  ReferenceSpec,
  DefaultValue,
  MigrationDatabase,
  RunCodeContext,
  RunCodeFunction,
  CreateTableOperation,
  DropTableOperation,
  RenameTableOperation,
  AddColumnOperation,
  RemoveColumnOperation,
  AlterColumnOperation,
  RenameColumnOperation,
  AddIndexOperation,
  RemoveIndexOperation,
  RenameIndexOperation,
  AddForeignKeyOperation,
  RemoveForeignKeyOperation,
  RunCodeOperation,
} from './types.js';
