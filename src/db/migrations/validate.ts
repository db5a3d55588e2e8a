/**
 * Checks the content of a migration file before anything uses it. Files are written by
 * `makeMigrations()` but can be edited by hand, and every table, column and index name in them
 * ends up in SQL as an identifier: a name is used only once it matches the same rule `model()`
 * enforces, so an edit can never smuggle SQL into a migration.
 *
 * @module
 */
import { MigrationFileError } from './errors.js';
import type { Migration, OperationKind } from './types.js';

/** The rule every identifier in a migration follows (the same as model and field names). */
export const IDENTIFIER_RE = /^[a-z][a-z0-9_]{0,62}$/;

/** The table where `migrate()` records applied migrations (name, applied_at). */
export const DEFAULT_MIGRATION_TABLE = 'rampart_migrations';

const TYPES = new Set(['id', 'varchar', 'text', 'integer', 'bigint', 'double', 'decimal', 'boolean', 'date', 'datetime', 'json', 'uuid']);
const ON_DELETE = new Set(['cascade', 'restrict', 'setNull', 'protect']);
// PostgreSQL's limits, the widest of the three dialects; a database refuses what it cannot hold.
const MAX_VARCHAR = 10_485_760;
const MAX_PRECISION = 1000;

type Check = (value: unknown, path: string) => void;

class Checker {
  readonly #name: string;
  readonly #file: string;
  constructor(name: string, file: string) {
    this.#name = name;
    this.#file = file;
  }

  fail(path: string, message: string): never {
    throw new MigrationFileError('E_MIGRATION_FILE_INVALID', this.#file, `Migration ${this.#name}: ${path} ${message}.`, {
      hint: 'Compare it with the operation shapes in docs/migrations.md, or delete the file and run makeMigrations again.',
    });
  }

  identifier(value: unknown, path: string, what = 'name'): string {
    if (typeof value !== 'string' || !IDENTIFIER_RE.test(value)) {
      const shown = typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : typeof value;
      throw new MigrationFileError('E_MIGRATION_IDENTIFIER', this.#file, `Migration ${this.#name}: ${path} is not a valid ${what}: ${shown}.`, {
        hint: 'Names are lower-case letters, digits and underscores, starting with a letter, at most 63 characters.',
      });
    }
    return value;
  }

  tableName(value: unknown, path: string): string {
    const name = this.identifier(value, path, 'table name');
    if (name === DEFAULT_MIGRATION_TABLE) {
      throw new MigrationFileError('E_MIGRATION_IDENTIFIER', this.#file, `Migration ${this.#name}: ${path} names '${name}', the table where migrations are recorded.`, {
        hint: 'Choose another table name.',
      });
    }
    return name;
  }

  object(value: unknown, path: string, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, 'must be an object');
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (!required.includes(key) && !optional.includes(key)) this.fail(`${path}.${key}`, 'is not a known property');
    }
    for (const key of required) if (obj[key] === undefined) this.fail(`${path}.${key}`, 'is missing');
    return obj;
  }

  array(value: unknown, path: string, each: Check, nonEmpty = false): void {
    if (!Array.isArray(value)) this.fail(path, 'must be an array');
    if (nonEmpty && value.length === 0) this.fail(path, 'must not be empty');
    value.forEach((v, i) => each(v, `${path}[${i}]`));
  }

  boolean(value: unknown, path: string): void {
    if (value !== undefined && typeof value !== 'boolean') this.fail(path, 'must be true or false');
  }

  integer(value: unknown, path: string, min: number, max: number): void {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) this.fail(path, `must be an integer from ${min} to ${max}`);
  }

  references(value: unknown, path: string): void {
    const r = this.object(value, path, ['table', 'onDelete']);
    this.tableName(r.table, `${path}.table`);
    if (typeof r.onDelete !== 'string' || !ON_DELETE.has(r.onDelete)) this.fail(`${path}.onDelete`, "must be 'cascade', 'restrict', 'setNull' or 'protect'");
  }

  /** A column definition: type, its parameters, nullable, unique (and name/references when `named`). */
  definition(value: unknown, path: string, named: boolean): void {
    const base = named ? ['name', 'type'] : ['type'];
    const extra = named ? ['nullable', 'unique', 'references'] : ['nullable', 'unique'];
    const loose = this.object(value, path, base, [...extra, 'length', 'precision', 'scale']);
    if (named) this.identifier(loose.name, `${path}.name`, 'column name');
    if (typeof loose.type !== 'string' || !TYPES.has(loose.type)) this.fail(`${path}.type`, `must be one of ${[...TYPES].join(', ')}`);
    const params = loose.type === 'varchar' ? ['length'] : loose.type === 'decimal' ? ['precision', 'scale'] : [];
    this.object(value, path, [...base, ...params], extra);
    if (loose.type === 'varchar') this.integer(loose.length, `${path}.length`, 1, MAX_VARCHAR);
    if (loose.type === 'decimal') {
      this.integer(loose.precision, `${path}.precision`, 1, MAX_PRECISION);
      this.integer(loose.scale, `${path}.scale`, 0, loose.precision as number);
    }
    this.boolean(loose.nullable, `${path}.nullable`);
    this.boolean(loose.unique, `${path}.unique`);
    if (loose.type === 'id' && (loose.nullable === true || loose.unique === true || loose.references !== undefined)) {
      this.fail(path, 'is the id primary key: it cannot be nullable, unique or a foreign key');
    }
    if (loose.references !== undefined) this.references(loose.references, `${path}.references`);
  }

  index(value: unknown, path: string): void {
    const i = this.object(value, path, ['name', 'columns'], ['unique']);
    this.identifier(i.name, `${path}.name`, 'index name');
    this.array(i.columns, `${path}.columns`, (c, p) => this.identifier(c, p, 'column name'), true);
    this.boolean(i.unique, `${path}.unique`);
  }

  function(value: unknown, path: string): void {
    if (typeof value !== 'function') this.fail(path, 'must be a function');
  }
}

const SHAPES: { readonly [K in OperationKind]: (c: Checker, o: Record<string, unknown>, p: string) => void } = {
  createTable(c, o, p) {
    c.object(o, p, ['op', 'table', 'columns'], ['indexes']);
    c.tableName(o.table, `${p}.table`);
    c.array(o.columns, `${p}.columns`, (v, q) => c.definition(v, q, true), true);
    if (o.indexes !== undefined) c.array(o.indexes, `${p}.indexes`, (v, q) => c.index(v, q));
  },
  dropTable(c, o, p) {
    c.object(o, p, ['op', 'table']);
    c.tableName(o.table, `${p}.table`);
  },
  renameTable(c, o, p) {
    c.object(o, p, ['op', 'from', 'to']);
    c.tableName(o.from, `${p}.from`);
    c.tableName(o.to, `${p}.to`);
  },
  addColumn(c, o, p) {
    c.object(o, p, ['op', 'table', 'column'], ['default']);
    c.tableName(o.table, `${p}.table`);
    c.definition(o.column, `${p}.column`, true);
  },
  removeColumn(c, o, p) {
    c.object(o, p, ['op', 'table', 'column'], ['default']);
    c.tableName(o.table, `${p}.table`);
    c.identifier(o.column, `${p}.column`, 'column name');
  },
  alterColumn(c, o, p) {
    c.object(o, p, ['op', 'table', 'column', 'to'], ['default']);
    c.tableName(o.table, `${p}.table`);
    c.identifier(o.column, `${p}.column`, 'column name');
    c.definition(o.to, `${p}.to`, false);
  },
  renameColumn(c, o, p) {
    c.object(o, p, ['op', 'table', 'from', 'to']);
    c.tableName(o.table, `${p}.table`);
    c.identifier(o.from, `${p}.from`, 'column name');
    c.identifier(o.to, `${p}.to`, 'column name');
  },
  addIndex(c, o, p) {
    c.object(o, p, ['op', 'table', 'index']);
    c.tableName(o.table, `${p}.table`);
    c.index(o.index, `${p}.index`);
  },
  removeIndex(c, o, p) {
    c.object(o, p, ['op', 'table', 'name']);
    c.tableName(o.table, `${p}.table`);
    c.identifier(o.name, `${p}.name`, 'index name');
  },
  renameIndex(c, o, p) {
    c.object(o, p, ['op', 'table', 'from', 'to']);
    c.tableName(o.table, `${p}.table`);
    c.identifier(o.from, `${p}.from`, 'index name');
    c.identifier(o.to, `${p}.to`, 'index name');
  },
  addForeignKey(c, o, p) {
    c.object(o, p, ['op', 'table', 'column', 'references']);
    c.tableName(o.table, `${p}.table`);
    c.identifier(o.column, `${p}.column`, 'column name');
    c.references(o.references, `${p}.references`);
  },
  removeForeignKey(c, o, p) {
    c.object(o, p, ['op', 'table', 'column']);
    c.tableName(o.table, `${p}.table`);
    c.identifier(o.column, `${p}.column`, 'column name');
  },
  runCode(c, o, p) {
    c.object(o, p, ['op', 'forward'], ['backward', 'description']);
    c.function(o.forward, `${p}.forward`);
    if (o.backward !== undefined) c.function(o.backward, `${p}.backward`);
    if (o.description !== undefined && typeof o.description !== 'string') c.fail(`${p}.description`, 'must be a string');
  },
};

/**
 * Checks a migration file's default export and returns it typed. Throws `E_MIGRATION_IDENTIFIER`
 * for a name that breaks the identifier rule, `E_MIGRATION_FILE_INVALID` for anything else.
 *
 * @example
 * validateMigration({ operations: [{ op: 'dropTable', table: 'Blog' }] }, '0002_x')
 * // throws: Migration 0002_x: operations[0].table is not a valid table name: "Blog".
 * @see docs/migrations.md
 */
export function validateMigration(value: unknown, name: string, file = name): Migration {
  const c: Checker = new Checker(name, file);
  const m = c.object(value, 'the default export', ['operations']);
  c.array(m.operations, 'operations', (v, p) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) c.fail(p, 'must be an object');
    const o = v as Record<string, unknown>;
    const shape = typeof o.op === 'string' && Object.hasOwn(SHAPES, o.op) ? SHAPES[o.op as OperationKind] : undefined;
    if (shape === undefined) c.fail(`${p}.op`, `must be one of ${Object.keys(SHAPES).join(', ')}`);
    shape(c, o, p);
  });
  return m as unknown as Migration;
}

