/**
 * What each operation does to the schema state, without a database. Replaying the files through
 * this gives the schema the database has once they are applied; the checks here refuse an
 * operation the database would refuse (or would carry out differently per dialect), so a broken
 * hand edit fails when the files are read, not halfway through `migrate`.
 *
 * @module
 */
import type { ColumnState, IndexState, SchemaState, TableState } from '../schema-state.js';
import { defaultProblem, typeLabel } from './defaults.js';
import { MigrationError } from './errors.js';
import { columnOf, indexNames, sortIndexes, toColumnState, toIndexState, toReference, typeOf, withTable } from './state.js';
import type { DefaultValue, Operation } from './types.js';

function conflict(message: string): never {
  throw new MigrationError('E_MIGRATION_STATE_CONFLICT', message, {
    hint: 'The operation does not fit the schema the earlier migrations build. Fix the file, or delete it and run makeMigrations again.',
  });
}

function tableOf(state: SchemaState, name: string): TableState {
  const t = state.tables[name];
  if (t === undefined) conflict(`table ${name} does not exist`);
  return t;
}

function columnIn(t: TableState, name: string): ColumnState {
  const c = columnOf(t, name);
  if (c === undefined) conflict(`table ${t.name} has no column ${name}`);
  return c;
}

function checkReference(state: SchemaState, c: ColumnState, selfTable?: string): void {
  if (c.references === null) return;
  if (c.type.type !== 'bigint') conflict(`column ${c.name} is ${typeLabel(c.type)}; a foreign key to an id needs bigint`);
  const target = c.references.table === selfTable ? undefined : state.tables[c.references.table];
  if (c.references.table !== selfTable && target === undefined) {
    conflict(`column ${c.name} references table ${c.references.table}, which does not exist (create it first)`);
  }
  if (target !== undefined && !target.columns.some((x) => x.name === 'id' && x.type.type === 'id')) {
    conflict(`column ${c.name} references table ${c.references.table}, which has no id primary key`);
  }
  if (c.references.onDelete === 'setNull' && !c.nullable) conflict(`column ${c.name} uses onDelete 'setNull' but is not nullable`);
}

function checkDefault(where: string, c: ColumnState, value: DefaultValue | undefined): void {
  if (value === undefined) return;
  const problem = defaultProblem(c.type, value, c.nullable);
  if (problem !== null) {
    throw new MigrationError('E_MIGRATION_DEFAULT_INVALID', `the default of ${where} (${typeLabel(c.type)}) is invalid: ${problem}`, {
      hint: 'Give a value of the column type: a string for text, a number for numbers, true/false, an ISO date or time.',
    });
  }
}

function referencedBy(state: SchemaState, table: string, except?: string): string | undefined {
  for (const t of Object.values(state.tables)) {
    if (t.name === except) continue;
    for (const c of t.columns) if (c.references?.table === table) return `${t.name}.${c.name}`;
  }
  return undefined;
}

function replaceColumn(t: TableState, name: string, next: ColumnState): TableState {
  return { ...t, columns: t.columns.map((c) => (c.name === name ? next : c)) };
}

function newIndex(state: SchemaState, t: TableState, i: IndexState, taken = indexNames(state)): void {
  if (taken.has(i.name)) conflict(`an index named ${i.name} exists already`);
  if (new Set(i.columns).size !== i.columns.length) conflict(`index ${i.name} names a column twice`);
  for (const col of i.columns) if (columnOf(t, col) === undefined) conflict(`index ${i.name} names column ${col}, which table ${t.name} does not have`);
}

/** The state after `op`; throws `E_MIGRATION_STATE_CONFLICT` when `op` does not fit `state`. */
export function applyOperation(state: SchemaState, op: Operation): SchemaState {
  switch (op.op) {
    case 'createTable': {
      if (state.tables[op.table] !== undefined) conflict(`table ${op.table} exists already`);
      const columns = op.columns.map(toColumnState);
      const seen = new Set<string>();
      for (const c of columns) {
        if (seen.has(c.name)) conflict(`table ${op.table} has two columns named ${c.name}`);
        seen.add(c.name);
      }
      if (columns.filter((c) => c.primaryKey).length > 1) conflict(`table ${op.table} has more than one id column`);
      const table: TableState = { name: op.table, columns, indexes: [] };
      for (const c of columns) checkReference(state, c, op.table);
      const taken = indexNames(state);
      const indexes = (op.indexes ?? []).map(toIndexState);
      for (const i of indexes) {
        newIndex(state, table, i, taken);
        taken.add(i.name);
      }
      return withTable(state, op.table, { ...table, indexes: sortIndexes(indexes) });
    }
    case 'dropTable': {
      tableOf(state, op.table);
      const user = referencedBy(state, op.table, op.table);
      if (user !== undefined) conflict(`table ${op.table} is referenced by ${user}; remove that foreign key first`);
      return withTable(state, op.table, undefined);
    }
    case 'renameTable': {
      const t = tableOf(state, op.from);
      if (state.tables[op.to] !== undefined) conflict(`table ${op.to} exists already`);
      let next = withTable(withTable(state, op.from, undefined), op.to, { ...t, name: op.to });
      // Foreign keys follow the table in every database; the state must too.
      for (const other of Object.values(next.tables)) {
        if (!other.columns.some((c) => c.references?.table === op.from)) continue;
        const columns = other.columns.map((c) => (c.references?.table === op.from ? { ...c, references: { ...c.references, table: op.to } } : c));
        next = withTable(next, other.name, { ...other, columns });
      }
      return next;
    }
    case 'addColumn': {
      const t = tableOf(state, op.table);
      const c = toColumnState(op.column);
      if (columnOf(t, c.name) !== undefined) conflict(`table ${op.table} has a column ${c.name} already`);
      if (c.primaryKey) conflict(`an id column cannot be added to the existing table ${op.table}`);
      checkReference(state, c, op.table);
      checkDefault(`${op.table}.${c.name}`, c, op.default);
      return withTable(state, op.table, { ...t, columns: [...t.columns, c] });
    }
    case 'removeColumn': {
      const t = tableOf(state, op.table);
      const c = columnIn(t, op.column);
      if (c.primaryKey) conflict(`the id column of ${op.table} cannot be removed`);
      const idx = t.indexes.find((i) => i.columns.includes(op.column));
      if (idx !== undefined) conflict(`column ${op.table}.${op.column} is part of index ${idx.name}; remove the index first`);
      checkDefault(`${op.table}.${op.column}`, c, op.default);
      return withTable(state, op.table, { ...t, columns: t.columns.filter((x) => x.name !== op.column) });
    }
    case 'alterColumn': {
      const t = tableOf(state, op.table);
      const c = columnIn(t, op.column);
      const type = typeOf(op.to);
      if (c.primaryKey || type.type === 'id') conflict(`the id column type of ${op.table} cannot be altered`);
      const next: ColumnState = { ...c, type, nullable: op.to.nullable === true, unique: op.to.unique === true };
      if (next.references !== null && type.type !== 'bigint') conflict(`column ${op.column} is a foreign key and must stay bigint`);
      if (next.references?.onDelete === 'setNull' && !next.nullable) conflict(`column ${op.column} uses onDelete 'setNull' and must stay nullable`);
      checkDefault(`${op.table}.${op.column}`, next, op.default);
      return withTable(state, op.table, replaceColumn(t, op.column, next));
    }
    case 'renameColumn': {
      const t = tableOf(state, op.table);
      const c = columnIn(t, op.from);
      if (c.primaryKey) conflict(`the id column of ${op.table} cannot be renamed`);
      if (columnOf(t, op.to) !== undefined) conflict(`table ${op.table} has a column ${op.to} already`);
      const indexes = t.indexes.map((i) => ({ ...i, columns: i.columns.map((x) => (x === op.from ? op.to : x)) }));
      return withTable(state, op.table, { ...replaceColumn(t, op.from, { ...c, name: op.to }), indexes });
    }
    case 'addIndex': {
      const t = tableOf(state, op.table);
      const i = toIndexState(op.index);
      newIndex(state, t, i);
      return withTable(state, op.table, { ...t, indexes: sortIndexes([...t.indexes, i]) });
    }
    case 'removeIndex': {
      const t = tableOf(state, op.table);
      if (!t.indexes.some((i) => i.name === op.name)) conflict(`table ${op.table} has no index ${op.name}`);
      return withTable(state, op.table, { ...t, indexes: t.indexes.filter((i) => i.name !== op.name) });
    }
    case 'renameIndex': {
      const t = tableOf(state, op.table);
      if (!t.indexes.some((i) => i.name === op.from)) conflict(`table ${op.table} has no index ${op.from}`);
      if (indexNames(state).has(op.to)) conflict(`an index named ${op.to} exists already`);
      return withTable(state, op.table, { ...t, indexes: sortIndexes(t.indexes.map((i) => (i.name === op.from ? { ...i, name: op.to } : i))) });
    }
    case 'addForeignKey': {
      const t = tableOf(state, op.table);
      const c = columnIn(t, op.column);
      if (c.primaryKey) conflict(`the id column of ${op.table} cannot be a foreign key`);
      if (c.references !== null) conflict(`column ${op.table}.${op.column} has a foreign key already; remove it first`);
      const next = { ...c, references: toReference(op.references) };
      checkReference(state, next, op.table);
      return withTable(state, op.table, replaceColumn(t, op.column, next));
    }
    case 'removeForeignKey': {
      const t = tableOf(state, op.table);
      const c = columnIn(t, op.column);
      if (c.references === null) conflict(`column ${op.table}.${op.column} has no foreign key`);
      return withTable(state, op.table, replaceColumn(t, op.column, { ...c, references: null }));
    }
    case 'runCode':
      return state;
  }
}
