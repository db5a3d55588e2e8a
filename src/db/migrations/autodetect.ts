/**
 * The autodetector: the operations that take the schema the migration files build to the schema
 * the models describe. It runs a fixed list of steps, each commented with why it sits where it
 * does, iterates over sorted names so the same change always gives the same file, and checks at
 * the end that the operations reach the models' schema exactly.
 *
 * @module
 */
import type { AnyModel } from '../model.js';
import type { ColumnState, IndexState, SchemaState, TableState } from '../schema-state.js';
import { applyOperation } from './apply-state.js';
import { zeroValue } from './defaults.js';
import { missingDefaultsError, resolveDefault, type DefaultAnswers, type MigrationPrompt, type MissingDefault, type RenameAnswers } from './questions.js';
import { columnRenames, tableRenames } from './renames.js';
import { columnOf, sameSchema, sameType, toColumnSpec, toDefinitionSpec, toIndexSpec } from './state.js';
import type { DefaultValue, Operation } from './types.js';

export interface AutodetectOptions {
  readonly models: readonly AnyModel[];
  readonly renames?: RenameAnswers;
  readonly defaults?: DefaultAnswers;
  readonly prompt?: MigrationPrompt;
}

const sorted = (names: Iterable<string>): string[] => [...names].sort();

function sameIndex(a: IndexState, b: IndexState): boolean {
  return a.unique === b.unique && a.columns.length === b.columns.length && a.columns.every((c, i) => b.columns[i] === c);
}

function sameReference(a: ColumnState, b: ColumnState): boolean {
  return (a.references?.table ?? null) === (b.references?.table ?? null) && (a.references?.onDelete ?? null) === (b.references?.onDelete ?? null);
}

/**
 * Orders tables so that each comes after the tables it depends on. Edges inside a cycle cannot be
 * honoured; they are returned as `broken` (`[table, column]`) for the caller to handle apart.
 */
function dependencyOrder(names: readonly string[], table: (n: string) => TableState): { order: string[]; broken: [string, string][] } {
  const set = new Set(names);
  const order: string[] = [];
  const broken: [string, string][] = [];
  const done = new Set<string>();
  const active = new Set<string>();
  const visit = (n: string): void => {
    active.add(n);
    for (const c of [...table(n).columns].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const dep = c.references?.table;
      if (dep === undefined || dep === n || !set.has(dep)) continue;
      if (active.has(dep)) broken.push([n, c.name]);
      else if (!done.has(dep)) visit(dep);
    }
    active.delete(n);
    done.add(n);
    order.push(n);
  };
  for (const n of sorted(names)) if (!done.has(n)) visit(n);
  return { order, broken };
}

/** The operations from `from` (the files) to `to` (the models), in a safe order. */
export async function autodetect(from: SchemaState, to: SchemaState, options: AutodetectOptions): Promise<Operation[]> {
  const ops: Operation[] = [];
  let work = from;
  const push = (op: Operation): void => {
    ops.push(op);
    work = applyOperation(work, op);
  };
  const ctx = { renames: options.renames ?? {}, prompt: options.prompt };

  // 1. Renames come first: every later step compares tables, columns and indexes by their new
  //    names, and a rename that went undetected would turn into a drop that loses data.
  const renamedTables = await tableRenames(from, to, ctx);
  for (const [a, b] of renamedTables) push({ op: 'renameTable', from: a, to: b });
  const oldName = (t: string): string => renamedTables.find(([, b]) => b === t)?.[0] ?? t;
  for (const [t, a, b] of await columnRenames(work, to, ctx, oldName)) push({ op: 'renameColumn', table: t, from: a, to: b });

  const kept = sorted(Object.keys(to.tables).filter((t) => work.tables[t] !== undefined));
  const created = sorted(Object.keys(to.tables).filter((t) => work.tables[t] === undefined));
  const dropped = sorted(Object.keys(work.tables).filter((t) => to.tables[t] === undefined));

  // 2. Indexes whose name changed (a renamed table or column, a new explicit name) keep their data
  //    structure: rename instead of rebuilding them.
  for (const t of kept) {
    for (const target of to.tables[t]!.indexes) {
      const current = work.tables[t]!.indexes;
      if (current.some((i) => i.name === target.name)) continue;
      const match = current.find((i) => sameIndex(i, target) && !to.tables[t]!.indexes.some((x) => x.name === i.name));
      if (match !== undefined) push({ op: 'renameIndex', table: t, from: match.name, to: target.name });
    }
  }

  // 3. Foreign keys that go away or change come off before anything else: MySQL refuses to drop an
  //    index or column a foreign key still uses. Keys between two dropped tables that form a cycle
  //    come off here too, so the tables can be dropped one after the other.
  for (const t of kept) {
    for (const c of work.tables[t]!.columns) {
      const target = columnOf(to.tables[t]!, c.name);
      if (c.references !== null && (target === undefined || !sameReference(c, target))) push({ op: 'removeForeignKey', table: t, column: c.name });
    }
  }
  const drops = dependencyOrder(dropped, (n) => work.tables[n]!);
  for (const [t, c] of drops.broken) push({ op: 'removeForeignKey', table: t, column: c });

  // 4. Indexes that go away or change, before the columns they cover are altered or removed.
  //    An index that holds up a foreign key that stays is removed only after step 7, and one
  //    that will hold one up is added before it: MySQL refuses to leave a foreign key without
  //    an index, and a one-to-one swaps its unique constraint for an index (or back) in step 7.
  const supportsKept = (t: string, i: IndexState): boolean => {
    const c = columnOf(work.tables[t]!, i.columns[0]!);
    const target = columnOf(to.tables[t]!, i.columns[0]!);
    return c?.references != null && target !== undefined && sameReference(c, target);
  };
  const deferred: Operation[] = [];
  for (const t of kept) {
    for (const i of work.tables[t]!.indexes) {
      const target = to.tables[t]!.indexes.find((x) => x.name === i.name);
      if (target !== undefined && sameIndex(i, target)) continue;
      if (supportsKept(t, i)) deferred.push({ op: 'removeIndex', table: t, name: i.name });
      else push({ op: 'removeIndex', table: t, name: i.name });
    }
  }

  // 5. New tables, each after the tables it references; a reference inside a cycle is left out
  //    here and added in step 9, once both tables exist.
  const creates = dependencyOrder(created, (n) => to.tables[n]!);
  for (const t of creates.order) {
    const table = to.tables[t]!;
    const later = new Set(creates.broken.filter(([x]) => x === t).map(([, c]) => c));
    const columns = table.columns.map((c) => toColumnSpec(later.has(c.name) ? { ...c, references: null } : c));
    const op: Operation = { op: 'createTable', table: t, columns, ...(table.indexes.length > 0 ? { indexes: table.indexes.map(toIndexSpec) } : {}) };
    push(op);
  }

  // 6. New columns of existing tables, then 7. changed columns. A NOT NULL column needs a value
  //    for the rows that exist already; every missing one is reported at once.
  const missing: MissingDefault[] = [];
  const fill = async (need: MissingDefault): Promise<DefaultValue | undefined> => {
    const value = await resolveDefault(need, options);
    if (value === undefined) missing.push(need);
    return value;
  };
  for (const t of kept) {
    for (const c of to.tables[t]!.columns) {
      if (columnOf(work.tables[t]!, c.name) !== undefined) continue;
      const value = c.nullable ? undefined : await fill({ key: `${t}.${c.name}`, type: c.type, reason: 'addColumn' });
      // Its foreign key comes in step 9, after its index: unapplied in reverse, MySQL then drops
      // the key before the index it needs.
      push({ op: 'addColumn', table: t, column: toColumnSpec({ ...c, references: null }), ...(value === undefined ? {} : { default: value }) });
    }
  }
  const addIndexes = (only: (t: string, i: IndexState) => boolean): void => {
    for (const t of [...kept, ...creates.order]) {
      for (const i of to.tables[t]!.indexes) {
        if (!work.tables[t]!.indexes.some((x) => x.name === i.name) && only(t, i)) push({ op: 'addIndex', table: t, index: toIndexSpec(i) });
      }
    }
  };
  addIndexes((t, i) => kept.includes(t) && supportsKept(t, i));
  for (const t of kept) {
    for (const c of to.tables[t]!.columns) {
      const current = columnOf(work.tables[t]!, c.name);
      if (current === undefined || c.primaryKey || current.primaryKey) continue;
      if (sameType(current.type, c.type) && current.nullable === c.nullable && current.unique === c.unique) continue;
      const value = current.nullable && !c.nullable ? await fill({ key: `${t}.${c.name}`, type: c.type, reason: 'notNull' }) : undefined;
      push({ op: 'alterColumn', table: t, column: c.name, to: toDefinitionSpec(c), ...(value === undefined ? {} : { default: value }) });
    }
  }
  if (missing.length > 0) throw missingDefaultsError(missing);
  for (const op of deferred) push(op);

  // 8. New and changed indexes, once their columns exist with their final type; then
  // 9. new foreign keys, after the indexes so MySQL uses them instead of creating its own.
  addIndexes(() => true);
  for (const t of [...kept, ...creates.order]) {
    for (const c of to.tables[t]!.columns) {
      const current = columnOf(work.tables[t]!, c.name);
      if (c.references !== null && current !== undefined && current.references === null) {
        push({ op: 'addForeignKey', table: t, column: c.name, references: { table: c.references.table, onDelete: c.references.onDelete } });
      }
    }
  }

  // 10. Removed columns, then 11. dropped tables (each before the tables it references): drops
  //     come last, so a failure earlier in the migration has not destroyed any data yet. A NOT NULL
  //     column keeps a neutral default in the file, so unapplying the migration can bring it back.
  for (const t of kept) {
    for (const c of work.tables[t]!.columns) {
      if (columnOf(to.tables[t]!, c.name) !== undefined) continue;
      push({ op: 'removeColumn', table: t, column: c.name, ...(c.nullable ? {} : { default: zeroValue(c.type) }) });
    }
  }
  for (const t of [...drops.order].reverse()) push({ op: 'dropTable', table: t });

  if (!sameSchema(work, to)) {
    throw new Error('makeMigrations: the detected operations do not reach the schema of the models; please report this as a bug with your models.');
  }
  return ops;
}
