/**
 * The accounts code works on any database from `connect()`: the model list is the app's, and the
 * accounts tables are among them. A `Database<[...models]>` is not assignable to the untyped
 * `Database` (Kysely's schema type is invariant), so public functions take `Database<MS>` for any
 * `MS` and work on it through this view.
 *
 * @module
 */
import type { AnyModel, Database } from '../db/index.js';

/** Model lists a database may have. */
export type Models = readonly AnyModel[];

/** @internal The database without its model list's types (queries name the accounts models). */
export function untyped<MS extends Models>(db: Database<MS>): Database {
  return db as unknown as Database;
}
