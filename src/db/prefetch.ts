/**
 * Prefetching the many side of relations with one query per relation, whatever the number of rows:
 * many-to-many fields (through the join table) and reverse foreign keys (by `relatedName`).
 *
 * @module
 */
import { sql } from 'kysely';
import { QueryError } from './errors.js';
import type { Field } from './fields.js';
import { MAX_IN_VALUES } from './lookups.js';
import { modelLabel, type AnyModel } from './model.js';
import type { QueryHost } from './query.js';
import { joinTable } from './schema-state.js';
import { rowReader } from './values.js';

/** A reverse foreign key: `other.field` points at the model. */
export interface ReverseRelation {
  readonly model: AnyModel;
  readonly column: string;
  readonly key: string;
}

/** The reverse relation of a model by its name (`relatedName`, or `<model>_set`). */
export function reverseRelation(models: readonly AnyModel[], m: AnyModel, name: string): ReverseRelation | undefined {
  for (const other of models) {
    for (const c of other.columns) {
      const f: Field = c.def;
      if ((f.kind !== 'foreignKey' && f.kind !== 'oneToOne') || f.target!().table !== m.table) continue;
      const rel = typeof f.options.relatedName === 'string' ? f.options.relatedName : `${modelLabel(other)}_set`;
      if (rel === name) return { model: other, column: c.column, key: c.key };
    }
  }
  return undefined;
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Fills `row[name]` with arrays of related rows for every row. */
export async function loadPrefetch(host: QueryHost, m: AnyModel, rows: Record<string, unknown>[], names: readonly string[]): Promise<void> {
  const ids = rows.map((r) => r.id as number);
  for (const name of names) {
    const f = (m.fields as Record<string, Field>)[name];
    const groups = new Map<number, Record<string, unknown>[]>();
    for (const r of rows) groups.set(r.id as number, []);
    if (f !== undefined && f.kind === 'manyToMany') {
      const j = joinTable(m, name);
      const cols = j.target.columns.map((c) => sql`${sql.ref(`t.${c.column}`)} as ${sql.id(c.key)}`);
      const read = rowReader(j.target, host.dialect);
      for (const part of chunks(ids, MAX_IN_VALUES)) {
        if (part.length === 0) continue;
        const r = await sql<Record<string, unknown>>`select ${sql.join(cols)}, ${sql.ref(`j.${j.from}`)} as ${sql.id('__owner')} from ${sql.table(j.target.table)} as t join ${sql.table(j.table)} as j on ${sql.ref(`j.${j.to}`)} = ${sql.ref('t.id')} where ${sql.ref(`j.${j.from}`)} in (${sql.join(part)}) order by ${sql.ref('t.id')}`.execute(host.executor());
        for (const row of r.rows) {
          const owner = Number(row.__owner);
          delete row.__owner;
          groups.get(owner)?.push(read(row));
        }
      }
    } else {
      const rev = reverseRelation(host.models, m, name);
      if (rev === undefined) {
        throw new QueryError('E_DB_QUERY_FIELD', `'${name}' is neither a many-to-many field of ${m.table} nor the relatedName of a foreign key pointing at it.`);
      }
      const cols = rev.model.columns.map((c) => sql`${sql.ref(c.column)} as ${sql.id(c.key)}`);
      const read = rowReader(rev.model, host.dialect);
      const order = (rev.model.options.ordering ?? []).map((k) => {
        const desc = k.startsWith('-');
        const c = rev.model.byKey.get(desc ? k.slice(1) : k)!;
        return desc ? sql`${sql.ref(c.column)} desc` : sql`${sql.ref(c.column)} asc`;
      });
      const orderSql = sql`order by ${sql.join([...order, sql`${sql.ref('id')} asc`])}`;
      for (const part of chunks(ids, MAX_IN_VALUES)) {
        if (part.length === 0) continue;
        const r = await sql<Record<string, unknown>>`select ${sql.join(cols)} from ${sql.table(rev.model.table)} where ${sql.ref(rev.column)} in (${sql.join(part)}) ${orderSql}`.execute(host.executor());
        for (const row of r.rows) {
          read(row);
          groups.get(row[rev.key] as number)?.push(row);
        }
      }
    }
    for (const r of rows) r[name] = groups.get(r.id as number) ?? [];
  }
}
