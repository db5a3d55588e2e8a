/**
 * Errors of the data layer. Query errors caused by input (an unknown field in a filter or an
 * order-by from a query string, a value of the wrong type) are 400s when they reach the HTTP layer;
 * integrity errors are 409s.
 *
 * @module
 */
import { RampartError } from '../errors.js';
import { HttpError } from '../http/errors.js';

/**
 * A filter, exclude or order-by names a field or lookup the model does not have, or gives a value
 * of the wrong type. Raised before any SQL is built.
 */
export class QueryError extends HttpError {
  constructor(code: 'E_DB_QUERY_FIELD' | 'E_DB_QUERY_LOOKUP' | 'E_DB_QUERY_VALUE' | 'E_DB_QUERY_CURSOR', message: string) {
    super(400, message, { code, expose: true });
  }
}

/** A unique constraint or a foreign key refused the change; nothing was written. */
export class IntegrityError extends HttpError {
  /** The field concerned, when the database said which. */
  readonly field: string | undefined;
  constructor(code: 'E_DB_UNIQUE' | 'E_DB_FOREIGN_KEY' | 'E_DB_PROTECTED', message: string, field?: string, cause?: unknown) {
    super(409, message, { code, expose: true, cause });
    this.field = field;
  }
}

/** The database layer was used wrongly (a model missing from the database, a closed database). */
export class DatabaseError extends RampartError {}
