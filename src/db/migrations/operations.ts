/**
 * Operations with behaviour: the plain data of a migration file bound to what it does to the
 * state (`applyToState`), to a database (`forward`, `backward`) and how it reads (`describe`).
 *
 * @module
 */
import type { DialectName } from '../connection.js';
import type { IndexState, SchemaState, TableState } from '../schema-state.js';
import { applyOperation } from './apply-state.js';
import { typeLabel } from './defaults.js';
import type { SchemaEditor } from './editor.js';
import { MigrationError } from './errors.js';
import { MysqlEditor } from './mysql-editor.js';
import { PostgresEditor } from './postgres-editor.js';
import { SqliteEditor } from './sqlite-editor.js';
import { columnOf, typeOf } from './state.js';
import type { ColumnDefinitionSpec, MigrationDatabase, Operation, RunCodeFunction, RunCodeOperation } from './types.js';

/** An operation that can change a state and a database. */
export interface MigrationOperation {
  readonly data: Operation;
  /** One line for messages: `Add column blog_post.slug (varchar(50))`. */
  describe(): string;
  /** The state after the operation; throws `E_MIGRATION_STATE_CONFLICT` when it does not fit. */
  applyToState(state: SchemaState): SchemaState;
  /** Applies the operation; `stateBefore` is the schema the database has before it. */
  forward(db: MigrationDatabase, dialect: DialectName, stateBefore: SchemaState): Promise<void>;
  /** Undoes the operation; `stateBefore` is the schema before the operation was applied. */
  backward(db: MigrationDatabase, dialect: DialectName, stateBefore: SchemaState): Promise<void>;
  /** Why the operation cannot be undone, or null when it can. */
  irreversible(stateBefore: SchemaState): string | null;
  /** Whether SQLite may rebuild a table for it (the runner turns foreign keys off around it). */
  readonly rebuildsOnSqlite: boolean;
}

const EDITORS: Readonly<Record<DialectName, SchemaEditor>> = {
  sqlite: new SqliteEditor(),
  postgres: new PostgresEditor(),
  mysql: new MysqlEditor(),
};

const REBUILDS = new Set<Operation['op']>(['addColumn', 'removeColumn', 'alterColumn', 'addForeignKey', 'removeForeignKey']);

function table(state: SchemaState, name: string): TableState {
  const t = state.tables[name];
  if (t === undefined) throw new Error(`unreachable: no table ${name}`);
  return t;
}

function index(t: TableState, name: string): IndexState {
  const i = t.indexes.find((x) => x.name === name);
  if (i === undefined) throw new Error(`unreachable: no index ${name}`);
  return i;
}

function definition(d: ColumnDefinitionSpec): string {
  return [typeLabel(typeOf(d)), d.nullable === true ? 'null' : 'not null', ...(d.unique === true ? ['unique'] : [])].join(', ');
}

/**
 * The one-line description of an operation, as messages and `makeMigrations()` show it.
 *
 * @example
 * describeOperation({ op: 'addIndex', table: 'blog_post', index: { name: 'blog_post_slug_idx', columns: ['slug'] } })
 * // 'Add index blog_post_slug_idx on blog_post (slug)'
 */
export function describeOperation(op: Operation): string {
  switch (op.op) {
    case 'createTable':
      return `Create table ${op.table}`;
    case 'dropTable':
      return `Drop table ${op.table}`;
    case 'renameTable':
      return `Rename table ${op.from} to ${op.to}`;
    case 'addColumn':
      return `Add column ${op.table}.${op.column.name} (${definition(op.column)}${op.column.references ? `, references ${op.column.references.table}` : ''})`;
    case 'removeColumn':
      return `Remove column ${op.table}.${op.column}`;
    case 'alterColumn':
      return `Alter column ${op.table}.${op.column} (${definition(op.to)})`;
    case 'renameColumn':
      return `Rename column ${op.table}.${op.from} to ${op.to}`;
    case 'addIndex':
      return `Add ${op.index.unique === true ? 'unique index' : 'index'} ${op.index.name} on ${op.table} (${op.index.columns.join(', ')})`;
    case 'removeIndex':
      return `Remove index ${op.name} from ${op.table}`;
    case 'renameIndex':
      return `Rename index ${op.from} on ${op.table} to ${op.to}`;
    case 'addForeignKey':
      return `Add foreign key ${op.table}.${op.column} -> ${op.references.table}.id (on delete ${op.references.onDelete})`;
    case 'removeForeignKey':
      return `Remove foreign key ${op.table}.${op.column}`;
    case 'runCode':
      return op.description === undefined ? 'Run code' : `Run code: ${op.description}`;
  }
}

async function callCode(fn: RunCodeFunction, db: MigrationDatabase, dialect: DialectName): Promise<void> {
  await fn({ db, dialect });
}

async function forward(op: Operation, db: MigrationDatabase, dialect: DialectName, before: SchemaState): Promise<void> {
  const e = EDITORS[dialect];
  const after = applyOperation(before, op);
  switch (op.op) {
    case 'createTable':
      return e.createTable(db, table(after, op.table));
    case 'dropTable':
      return e.dropTable(db, table(before, op.table));
    case 'renameTable':
      return e.renameTable(db, table(before, op.from), table(after, op.to));
    case 'addColumn':
      return e.addColumn(db, table(before, op.table), table(after, op.table), op.column.name, op.default);
    case 'removeColumn':
      return e.removeColumn(db, table(before, op.table), table(after, op.table), op.column);
    case 'alterColumn':
      return e.alterColumn(db, table(before, op.table), table(after, op.table), op.column, op.default);
    case 'renameColumn':
      return e.renameColumn(db, table(before, op.table), table(after, op.table), op.from, op.to);
    case 'addIndex':
      return e.addIndex(db, table(after, op.table), index(table(after, op.table), op.index.name));
    case 'removeIndex':
      return e.removeIndex(db, table(before, op.table), index(table(before, op.table), op.name));
    case 'renameIndex':
      return e.renameIndex(db, table(before, op.table), index(table(before, op.table), op.from), op.to);
    case 'addForeignKey':
      return e.addForeignKey(db, table(before, op.table), table(after, op.table), op.column);
    case 'removeForeignKey':
      return e.removeForeignKey(db, table(before, op.table), table(after, op.table), op.column);
    case 'runCode':
      return callCode(op.forward, db, dialect);
  }
}

// The reverse of each operation is the editor call that goes from `after` back to `before`.
async function backward(op: Operation, db: MigrationDatabase, dialect: DialectName, before: SchemaState): Promise<void> {
  const e = EDITORS[dialect];
  const after = applyOperation(before, op);
  switch (op.op) {
    case 'createTable':
      return e.dropTable(db, table(after, op.table));
    case 'dropTable':
      return e.createTable(db, table(before, op.table));
    case 'renameTable':
      return e.renameTable(db, table(after, op.to), table(before, op.from));
    case 'addColumn':
      return e.removeColumn(db, table(after, op.table), table(before, op.table), op.column.name);
    case 'removeColumn':
      return e.addColumn(db, table(after, op.table), table(before, op.table), op.column, op.default);
    case 'alterColumn':
      return e.alterColumn(db, table(after, op.table), table(before, op.table), op.column, undefined);
    case 'renameColumn':
      return e.renameColumn(db, table(after, op.table), table(before, op.table), op.to, op.from);
    case 'addIndex':
      return e.removeIndex(db, table(after, op.table), index(table(after, op.table), op.index.name));
    case 'removeIndex':
      return e.addIndex(db, table(before, op.table), index(table(before, op.table), op.name));
    case 'renameIndex':
      return e.renameIndex(db, table(after, op.table), index(table(after, op.table), op.to), op.from);
    case 'addForeignKey':
      return e.removeForeignKey(db, table(after, op.table), table(before, op.table), op.column);
    case 'removeForeignKey':
      return e.addForeignKey(db, table(after, op.table), table(before, op.table), op.column);
    case 'runCode':
      if (op.backward === undefined) throw new MigrationError('E_MIGRATION_IRREVERSIBLE', `${describeOperation(op)} has no backward function`);
      return callCode(op.backward, db, dialect);
  }
}

function irreversible(op: Operation, before: SchemaState): string | null {
  if (op.op === 'runCode' && op.backward === undefined) return `${describeOperation(op)} has no backward function`;
  if (op.op === 'removeColumn' && op.default === undefined) {
    const c = columnOf(table(before, op.table), op.column);
    if (c !== undefined && !c.nullable) return `${describeOperation(op)}: the column is NOT NULL and the operation has no default to refill existing rows`;
  }
  return null;
}

/**
 * Binds the data of an operation to its behaviour.
 *
 * @example
 * const op = operation({ op: 'renameColumn', table: 'blog_post', from: 'title', to: 'headline' })
 * op.describe() // 'Rename column blog_post.title to headline'
 * @see docs/migrations.md
 */
export function operation(data: Operation): MigrationOperation {
  return {
    data,
    describe: () => describeOperation(data),
    applyToState: (state) => applyOperation(state, data),
    forward: (db, dialect, stateBefore) => forward(data, db, dialect, stateBefore),
    backward: (db, dialect, stateBefore) => backward(data, db, dialect, stateBefore),
    irreversible: (stateBefore) => irreversible(data, stateBefore),
    rebuildsOnSqlite: REBUILDS.has(data.op),
  };
}

/**
 * A data migration operation. Files written with the object literal
 * `{ op: 'runCode', forward, backward }` need no import at run time; this helper is the same.
 *
 * @example
 * runCode({
 *   description: 'fill slugs',
 *   forward: async ({ db }) => { await db.updateTable('blog_post').set({ slug: 'x' }).execute() },
 * })
 */
export function runCode(options: { forward: RunCodeFunction; backward?: RunCodeFunction; description?: string }): RunCodeOperation {
  return { op: 'runCode', ...options };
}
