/**
 * `onDelete: 'protect'`: deleting a row that other rows point at through a protecting foreign key
 * is refused before any SQL changes anything, with an error naming the rows' table. Rows that a
 * delete would remove in cascade are followed too, as Django's collector does.
 *
 * @module
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { IntegrityError } from './errors.js';
import type { Field } from './fields.js';
import type { AnyModel } from './model.js';
import type { QueryHost } from './query.js';

const MAX_DEPTH = 16;

async function check(host: QueryHost, m: AnyModel, ids: RawBuilder<unknown>, depth: number, path: string[]): Promise<void> {
  if (depth > MAX_DEPTH) return;
  for (const other of host.models) {
    for (const c of other.columns) {
      const f: Field = c.def;
      if ((f.kind !== 'foreignKey' && f.kind !== 'oneToOne') || f.target!().table !== m.table) continue;
      const onDelete = f.options.onDelete ?? 'restrict';
      if (onDelete === 'protect') {
        const r = await sql`select 1 as one from ${sql.table(other.table)} where ${sql.ref(c.column)} in (${ids}) limit 1`.execute(host.executor());
        if (r.rows.length > 0) {
          const via = path.length > 0 ? ` (deleted in cascade from ${path.join(' -> ')})` : '';
          throw new IntegrityError(
            'E_DB_PROTECTED',
            `Cannot delete ${m.table}${via}: rows of ${other.table} still point at it through '${c.field}' (onDelete: 'protect'). Delete or reassign them first.`,
            c.field,
          );
        }
      } else if (onDelete === 'cascade' && other.table !== m.table) {
        const next = sql`select ${sql.ref('id')} from ${sql.table(other.table)} where ${sql.ref(c.column)} in (${ids})`;
        await check(host, other, next, depth + 1, [...path, m.table]);
      }
    }
  }
}

/** Throws `IntegrityError` E_DB_PROTECTED when a protecting foreign key points at a row to delete. */
export async function checkProtected(host: QueryHost, m: AnyModel, where: Expression<SqlBool> | null): Promise<void> {
  const anyProtect = host.models.some((o) => o.columns.some((c) => c.def.options.onDelete === 'protect'));
  if (!anyProtect) return;
  const ids = sql`select ${sql.ref(`${m.table}.id`)} from ${sql.table(m.table)} ${where === null ? sql`` : sql`where ${where}`}`;
  await check(host, m, ids, 0, []);
}
