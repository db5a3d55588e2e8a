/**
 * The database schema as plain data: what the models describe, and what replaying the migration
 * files builds. The autodetector compares two of these; the operations change one.
 *
 * Plain JSON-compatible data so it can be compared, cloned and written into migration files.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { isForeignKey, type OnDelete } from './fields.js';
import type { AnyModel } from './model.js';

/** A column type, independent of the dialect; each dialect maps it to its own SQL type. */
export type ColumnType =
  | { readonly type: 'id' }
  | { readonly type: 'varchar'; readonly length: number }
  | { readonly type: 'text' }
  | { readonly type: 'integer' }
  | { readonly type: 'bigint' }
  | { readonly type: 'double' }
  | { readonly type: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'date' }
  | { readonly type: 'datetime' }
  | { readonly type: 'json' }
  | { readonly type: 'uuid' };

/** A foreign key from a column to `table.id`. */
export interface ReferenceState {
  readonly table: string;
  readonly column: 'id';
  readonly onDelete: OnDelete;
}

export interface ColumnState {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  /** Only the `id` column. */
  readonly primaryKey: boolean;
  /** A single-column unique constraint. */
  readonly unique: boolean;
  readonly references: ReferenceState | null;
}

/** An index or a unique constraint over one or more columns. */
export interface IndexState {
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
}

export interface TableState {
  readonly name: string;
  /** In creation order, `id` first. */
  readonly columns: readonly ColumnState[];
  /** Sorted by name. */
  readonly indexes: readonly IndexState[];
}

export interface SchemaState {
  /** Sorted by table name. */
  readonly tables: Readonly<Record<string, TableState>>;
}

const MAX_IDENTIFIER = 63; // PostgreSQL's limit; MySQL allows 64, SQLite more.

/**
 * A deterministic name for an index that fits every dialect's identifier limit: long names keep a
 * readable prefix and get a short hash of the full name, so two indexes never collide.
 */
export function indexName(table: string, columns: readonly string[], unique: boolean): string {
  const full = `${table}_${columns.join('_')}_${unique ? 'uniq' : 'idx'}`;
  if (full.length <= MAX_IDENTIFIER) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_IDENTIFIER - 9)}_${hash}`;
}

function columnType(m: AnyModel, key: string): ColumnType {
  const info = m.byKey.get(key)!;
  const f = info.def;
  const o = f.options;
  switch (f.kind) {
    case 'id':
      return { type: 'id' };
    case 'string':
    case 'email':
    case 'url':
    case 'slug':
      return { type: 'varchar', length: Number(o.maxLength) };
    case 'choices':
      return { type: 'varchar', length: Math.max(1, ...(f.choices ?? []).map((c) => [...c].length)) };
    case 'text':
      return { type: 'text' };
    case 'integer':
      return { type: 'integer' };
    case 'bigint':
    case 'foreignKey':
    case 'oneToOne':
      return { type: 'bigint' };
    case 'float':
      return { type: 'double' };
    case 'decimal':
      return { type: 'decimal', precision: Number(o.maxDigits), scale: Number(o.decimalPlaces) };
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'date' };
    case 'datetime':
      return { type: 'datetime' };
    case 'json':
      return { type: 'json' };
    case 'uuid':
      return { type: 'uuid' };
    case 'manyToMany':
      throw new Error('unreachable: a many-to-many field has no column');
  }
}

function sortIndexes(list: IndexState[]): IndexState[] {
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The join table of a many-to-many field. */
export function joinTable(m: AnyModel, fieldName: string): { table: string; from: string; to: string; target: AnyModel } {
  const f = m.fields[fieldName]!;
  const target = f.target!();
  const table = typeof f.options.through === 'string' ? f.options.through : `${m.table}_${fieldName}`;
  const self = target.table === m.table;
  return { table, from: self ? `from_${m.table}_id` : `${m.table}_id`, to: self ? `to_${target.table}_id` : `${target.table}_id`, target };
}

function tableOf(m: AnyModel): TableState {
  const columns: ColumnState[] = [];
  const indexes: IndexState[] = [];
  for (const c of m.columns) {
    const f = c.def;
    const unique = f.options.unique === true || f.kind === 'oneToOne';
    const references: ReferenceState | null = isForeignKey(f)
      ? { table: f.target!().table, column: 'id', onDelete: (f.options.onDelete as OnDelete | undefined) ?? 'restrict' }
      : null;
    columns.push({ name: c.column, type: columnType(m, c.key), nullable: f.nullable, primaryKey: f.kind === 'id', unique, references });
    // Foreign keys are indexed, as Django does: joins and ON DELETE checks would scan otherwise.
    if (!unique && f.kind !== 'id' && (f.options.index === true || references !== null)) {
      indexes.push({ name: indexName(m.table, [c.column], false), columns: [c.column], unique: false });
    }
  }
  const col = (name: string): string => m.byKey.get(name)?.column ?? name;
  for (const [list, unique] of [
    [m.options.indexes, false],
    [m.options.unique, true],
  ] as const) {
    for (const entry of list ?? []) {
      const names = ('fields' in entry ? entry.fields : entry).map(col);
      const name = 'fields' in entry && entry.name !== undefined ? entry.name : indexName(m.table, names, unique);
      indexes.push({ name, columns: names, unique });
    }
  }
  return { name: m.table, columns, indexes: sortIndexes(indexes) };
}

function joinTableState(m: AnyModel, fieldName: string): TableState {
  const j = joinTable(m, fieldName);
  const ref = (table: string): ReferenceState => ({ table, column: 'id', onDelete: 'cascade' });
  return {
    name: j.table,
    columns: [
      { name: 'id', type: { type: 'id' }, nullable: false, primaryKey: true, unique: false, references: null },
      { name: j.from, type: { type: 'bigint' }, nullable: false, primaryKey: false, unique: false, references: ref(m.table) },
      { name: j.to, type: { type: 'bigint' }, nullable: false, primaryKey: false, unique: false, references: ref(j.target.table) },
    ],
    indexes: sortIndexes([
      { name: indexName(j.table, [j.from, j.to], true), columns: [j.from, j.to], unique: true },
      { name: indexName(j.table, [j.to], false), columns: [j.to], unique: false },
    ]),
  };
}

/**
 * The schema the models describe, with the join tables of many-to-many fields.
 *
 * @example const state = schemaFromModels([User, Post, Tag])
 */
export function schemaFromModels(models: readonly AnyModel[]): SchemaState {
  const tables: Record<string, TableState> = {};
  for (const m of models) {
    if (tables[m.table] !== undefined) throw new Error(`Two models use the table name '${m.table}'.`);
    tables[m.table] = tableOf(m);
  }
  for (const m of models) {
    for (const [name, f] of Object.entries(m.fields as Readonly<Record<string, { kind: string }>>)) {
      if (f.kind !== 'manyToMany') continue;
      const t = joinTableState(m, name);
      if (tables[t.name] !== undefined) throw new Error(`The join table '${t.name}' of ${m.table}.${name} clashes with a table of the same name.`);
      tables[t.name] = t;
    }
  }
  const sorted: Record<string, TableState> = {};
  for (const k of Object.keys(tables).sort()) sorted[k] = tables[k]!;
  return { tables: sorted };
}
