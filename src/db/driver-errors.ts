/**
 * Driver errors that the application can act on, turned into named errors: a unique constraint
 * (409, with the field when the database names it) and a foreign key violation (409). Everything
 * else passes through unchanged.
 *
 * @module
 */
import { IntegrityError } from './errors.js';
import type { AnyModel } from './model.js';

interface DriverError {
  code?: string | number;
  errno?: number;
  message?: string;
  constraint?: string;
  detail?: string;
}

function fieldFromMessage(m: AnyModel, text: string): string | undefined {
  // SQLite: "UNIQUE constraint failed: blog_post.slug"; PostgreSQL detail: "Key (slug)=(x)";
  // MySQL: "Duplicate entry 'x' for key 'blog_post_slug_uniq'" or "...key 'slug'".
  for (const c of m.columns) {
    if (text.includes(`${m.table}.${c.column}`) || text.includes(`(${c.column})`) || text.includes(`'${c.column}'`) || text.includes(`_${c.column}_uniq`) || text.includes(`${m.table}_${c.column}_key`)) {
      return c.key;
    }
  }
  return undefined;
}

/** A named error for a constraint violation, or the error itself. */
export function mapDriverError(err: unknown, m: AnyModel): unknown {
  if (err === null || typeof err !== 'object') return err;
  const e = err as DriverError;
  const text = `${e.message ?? ''} ${e.detail ?? ''} ${e.constraint ?? ''}`;
  const code = String(e.code ?? '');
  const unique = code === '23505' || code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  if (unique) {
    const field = fieldFromMessage(m, text);
    return new IntegrityError('E_DB_UNIQUE', field === undefined ? `A ${m.table} with these values already exists.` : `A ${m.table} with this ${field} already exists.`, field, err);
  }
  const fk = code === '23503' || code === 'ER_ROW_IS_REFERENCED_2' || code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_ROW_IS_REFERENCED' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || (code.startsWith('SQLITE_CONSTRAINT') && text.includes('FOREIGN KEY constraint failed'));
  if (fk) {
    return new IntegrityError(
      'E_DB_FOREIGN_KEY',
      `The change to ${m.table} breaks a foreign key: it points at a row that does not exist, or rows of another table still point at it (onDelete: 'restrict').`,
      undefined,
      err,
    );
  }
  return err;
}

/**
 * Whether the database gave up on a transaction because of a conflict with another one (a
 * deadlock, or a serialization failure): the whole transaction was rolled back, and running it
 * again from the start is the remedy.
 */
export function isTransactionConflict(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const e = err as DriverError;
  const code = String(e.code ?? '');
  return code === 'ER_LOCK_DEADLOCK' || e.errno === 1213 || code === '40P01' || code === '40001';
}
