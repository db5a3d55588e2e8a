/**
 * Values crossing the driver: what each dialect stores for a field kind, and how a row read back
 * becomes typed values (a `Date` for a datetime, a boolean, a parsed JSON value, a number id).
 * One converter per model and dialect is built once and reused for every row.
 *
 * @module
 */
import type { DialectName } from './connection.js';
import type { Field } from './fields.js';
import type { AnyModel } from './model.js';

type Convert = (v: unknown) => unknown;

/** A value as the driver of a dialect expects it for a field; `null` passes through. */
export function toDriver(f: Field, v: unknown, dialect: DialectName): unknown {
  if (v === null || v === undefined) return v;
  switch (f.kind) {
    case 'boolean':
      return dialect === 'postgres' ? v : v ? 1 : 0;
    case 'datetime':
      // SQLite has no time type: ISO 8601 in UTC sorts and compares correctly as text.
      return dialect === 'sqlite' ? (v as Date).toISOString() : v;
    case 'json':
      // Always a string: node-postgres would turn a JS array into a PostgreSQL array.
      return JSON.stringify(v);
    case 'bigint':
      return dialect === 'sqlite' ? v : String(v);
    default:
      return v;
  }
}

/** How one value of a field is read back from a dialect's driver, or null when it needs nothing. */
export function readConverter(f: Field, dialect: DialectName): Convert | null {
  switch (f.kind) {
    case 'id':
    case 'foreignKey':
    case 'oneToOne':
      // int8 arrives as a string from pg and mysql2 (bigNumberStrings), as a bigint from SQLite
      // (safe integers): ids stay JS numbers.
      return (v) => (typeof v === 'number' ? v : Number(v));
    case 'bigint':
      return (v) => (typeof v === 'bigint' ? v : BigInt(v as string | number));
    case 'boolean':
      return dialect === 'postgres' ? null : (v) => v === 1 || v === 1n || v === true || v === '1';
    case 'datetime':
      return dialect === 'postgres' ? null : (v) => (v instanceof Date ? v : new Date(v as string));
    case 'json':
      if (dialect === 'postgres') return null;
      return (v) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);
    case 'decimal':
      // mysql2 and pg return exact strings; SQLite stores the text it was given.
      return (v) => (typeof v === 'number' ? String(v) : v);
    case 'float':
      return (v) => (typeof v === 'number' ? v : Number(v));
    case 'integer':
      return dialect === 'postgres' ? null : (v) => (typeof v === 'number' ? v : Number(v));
    case 'date':
      return dialect === 'mysql' ? (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v) : null;
    default:
      return null;
  }
}

/** Converts a raw row to typed values, in place, for the given keys. */
export type RowReader = (row: Record<string, unknown>) => Record<string, unknown>;

const cache = new WeakMap<AnyModel, Map<string, RowReader>>();

/**
 * The reader of a model's rows for a dialect and a key prefix (`author__` for select-related
 * columns). Only fields that need a conversion cost anything per row.
 */
export function rowReader(m: AnyModel, dialect: DialectName, prefix = ''): RowReader {
  let perModel = cache.get(m);
  if (perModel === undefined) cache.set(m, (perModel = new Map()));
  const cacheKey = `${dialect}:${prefix}`;
  const hit = perModel.get(cacheKey);
  if (hit !== undefined) return hit;
  const steps: [string, Convert][] = [];
  for (const c of m.columns) {
    const conv = readConverter(c.def, dialect);
    if (conv !== null) steps.push([prefix + c.key, conv]);
  }
  const reader: RowReader =
    steps.length === 0
      ? (row) => row
      : (row) => {
          for (let i = 0; i < steps.length; i++) {
            const [k, conv] = steps[i]!;
            const v = row[k];
            if (v !== null && v !== undefined) row[k] = conv(v);
          }
          return row;
        };
  perModel.set(cacheKey, reader);
  return reader;
}
