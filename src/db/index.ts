/**
 * rampart/db: models and fields on Kysely, typed queries, transactions and migrations.
 *
 * @example
 * import { model, field, connect } from 'rampart/db'
 * const Post = model('blog_post', { title: field.string({ maxLength: 200 }) })
 * const db = await connect({ models: [Post] })
 * await db.query(Post).create({ title: 'Hello' })
 *
 * @module
 */
export { field, isColumn, isForeignKey } from './fields.js';
export type {
  Field,
  FieldKind,
  FieldValidator,
  OnDelete,
  CommonOptions,
  StringOptions,
  NumberOptions,
  DecimalOptions,
  DateTimeOptions,
  ChoicesOptions,
  RelationOptions,
  ManyToManyOptions,
  JsonValue,
} from './fields.js';
export { model, appLabel, modelLabel, verboseName } from './model.js';
export type { Model, AnyModel, Row, Insert, Fields, ModelOptions, IndexDef, ColumnInfo, RowOf, InsertOf, UpdateOf } from './model.js';
export { ValidationError, validateValue, prepareValues, isValidDate } from './validation.js';
export type { FieldErrors } from './validation.js';
export { QueryError, IntegrityError, DatabaseError } from './errors.js';
export { QuerySet, MAX_LIMIT } from './query.js';
export type { Where, OrderKey, Page, QueryHost } from './query.js';
export { LOOKUPS, MAX_IN_VALUES, MAX_RELATION_HOPS, escapeLike } from './lookups.js';
export type { AggregateSpec, Aggregates, AggregateResult, AggregateValue } from './aggregate.js';
export type { Lookup } from './lookups.js';
export { Database, ManyToManyManager, connect } from './database.js';
export type { DatabaseSchema, DatabaseOptions } from './database.js';
export { CONNECTION_DEFAULTS, createKysely, parseDatabaseUrl, maskDatabaseUrl } from './connection.js';
export type { DialectName, DatabaseUrl, ConnectionOptions } from './connection.js';
export { schemaFromModels, indexName, joinTable } from './schema-state.js';
export type { SchemaState, TableState, ColumnState, IndexState, ColumnType, ReferenceState } from './schema-state.js';
export { sql } from 'kysely';
export type { Kysely, Transaction } from 'kysely';
export * from './migrations/index.js';
