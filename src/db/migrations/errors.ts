/**
 * Migration errors. Every message names the migration file and the operation involved, so the
 * message alone is enough to find the problem.
 *
 * @module
 */
import { RampartError } from '../../errors.js';

/** Base of every migration error; `code` is one of the `E_MIGRATION_*` codes in docs/errors.md. */
export class MigrationError extends RampartError {}

/** A migration folder or file cannot be used: missing folder, bad file name, bad content. */
export class MigrationFileError extends MigrationError {
  /** The file (or folder) at fault. */
  readonly file: string;

  constructor(code: string, file: string, message: string, options?: { hint?: string; cause?: unknown }) {
    super(code, message, options);
    this.file = file;
  }
}

/** `makeMigrations()` needs an answer it was not given (a rename, a one-off default). */
export class AutodetectorError extends MigrationError {}

/** Which way a migration runs. */
export type MigrationDirection = 'up' | 'down';

/** An operation failed while `migrate()` applied or unapplied a migration. */
export class MigrationFailedError extends MigrationError {
  /** The migration being applied or unapplied. */
  readonly migration: string;
  readonly direction: MigrationDirection;
  /** 1-based position of the failed operation in the migration file. */
  readonly operationIndex: number;
  /** The failed operation, as `describe()` puts it. */
  readonly operation: string;

  constructor(
    info: { migration: string; direction: MigrationDirection; operationIndex: number; operation: string; aftermath: string },
    cause: unknown,
  ) {
    // PostgreSQL puts the offending value in `detail` ("Key (code)=(a) is duplicated.").
    const detail = (cause as { detail?: unknown } | null)?.detail;
    const reason = (cause instanceof Error ? cause.message : String(cause)) + (typeof detail === 'string' && detail !== '' ? ` (${detail})` : '');
    const verb = info.direction === 'up' ? 'Applying' : 'Unapplying';
    super(
      'E_MIGRATION_FAILED',
      `${verb} migration ${info.migration} failed at operation ${info.operationIndex} (${info.operation}): ${reason}. ${info.aftermath}`,
      { cause, hint: 'Fix the data or the migration file, then run migrate again.' },
    );
    this.migration = info.migration;
    this.direction = info.direction;
    this.operationIndex = info.operationIndex;
    this.operation = info.operation;
  }
}
