/**
 * Between the file format (specs with optional flags) and the schema state (every flag explicit),
 * and small immutable updates of a state.
 *
 * @module
 */
import type { ColumnState, ColumnType, IndexState, ReferenceState, SchemaState, TableState } from '../schema-state.js';
import type { ColumnDefinitionSpec, ColumnSpec, IndexSpec, ReferenceSpec } from './types.js';

/** The schema before the first migration. */
export const EMPTY_STATE: SchemaState = Object.freeze({ tables: Object.freeze({}) });

/** The type part of a column spec or state. */
export function typeOf(spec: ColumnType): ColumnType {
  if (spec.type === 'varchar') return { type: 'varchar', length: spec.length };
  if (spec.type === 'decimal') return { type: 'decimal', precision: spec.precision, scale: spec.scale };
  return { type: spec.type } as ColumnType;
}

export function sameType(a: ColumnType, b: ColumnType): boolean {
  return JSON.stringify(typeOf(a)) === JSON.stringify(typeOf(b));
}

export function toReference(r: ReferenceSpec | ReferenceState | null | undefined): ReferenceState | null {
  return r == null ? null : { table: r.table, column: 'id', onDelete: r.onDelete };
}

export function toColumnState(spec: ColumnSpec): ColumnState {
  return {
    name: spec.name,
    type: typeOf(spec),
    nullable: spec.nullable === true,
    primaryKey: spec.type === 'id',
    unique: spec.unique === true,
    references: toReference(spec.references),
  };
}

/** A definition spec: only the flags that are on, so files stay short. */
export function toDefinitionSpec(c: ColumnState): ColumnDefinitionSpec {
  const out: Record<string, unknown> = { ...typeOf(c.type) };
  if (c.nullable) out.nullable = true;
  if (c.unique) out.unique = true;
  return out as ColumnDefinitionSpec;
}

export function toColumnSpec(c: ColumnState): ColumnSpec {
  const out: Record<string, unknown> = { name: c.name, ...toDefinitionSpec(c) };
  if (c.references !== null) out.references = { table: c.references.table, onDelete: c.references.onDelete };
  return out as ColumnSpec;
}

export function toIndexState(spec: IndexSpec): IndexState {
  return { name: spec.name, columns: [...spec.columns], unique: spec.unique === true };
}

export function toIndexSpec(i: IndexState): IndexSpec {
  return i.unique ? { name: i.name, columns: [...i.columns], unique: true } : { name: i.name, columns: [...i.columns] };
}

export function sortIndexes(list: readonly IndexState[]): IndexState[] {
  return [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A copy of `state` with table `name` replaced (or removed when `table` is undefined), keys sorted. */
export function withTable(state: SchemaState, name: string, table: TableState | undefined): SchemaState {
  const tables: Record<string, TableState> = { ...state.tables };
  if (table === undefined) delete tables[name];
  else tables[name] = table;
  const sorted: Record<string, TableState> = {};
  for (const k of Object.keys(tables).sort()) sorted[k] = tables[k]!;
  return { tables: sorted };
}

/** The column of a table, or undefined. */
export function columnOf(table: TableState, name: string): ColumnState | undefined {
  return table.columns.find((c) => c.name === name);
}

/** Every index name in the schema: PostgreSQL and SQLite keep one namespace per schema. */
export function indexNames(state: SchemaState): Set<string> {
  const names = new Set<string>();
  for (const t of Object.values(state.tables)) for (const i of t.indexes) names.add(i.name);
  return names;
}

/** Two states hold the same schema (column order aside). */
export function sameSchema(a: SchemaState, b: SchemaState): boolean {
  const norm = (s: SchemaState): string =>
    JSON.stringify(
      Object.keys(s.tables)
        .sort()
        .map((k) => {
          const t = s.tables[k]!;
          const cols = [...t.columns]
            .sort((x, y) => (x.name < y.name ? -1 : 1))
            .map((c) => [c.name, typeOf(c.type), c.nullable, c.primaryKey, c.unique, toReference(c.references)]);
          return [t.name, cols, sortIndexes(t.indexes).map((i) => [i.name, i.columns, i.unique])];
        }),
    );
  return norm(a) === norm(b);
}
