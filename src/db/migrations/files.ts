/**
 * Migration files: `0001_initial.ts`, `0002_add_post_tags.ts`… in one folder, ordered by their
 * number, loaded with `import()` and checked before use; then replayed into schema states.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SchemaState } from '../schema-state.js';
import { MigrationError, MigrationFileError } from './errors.js';
import { operation, type MigrationOperation } from './operations.js';
import { EMPTY_STATE } from './state.js';
import type { Migration } from './types.js';
import { validateMigration } from './validate.js';

/** `<number>_<name>.<ext>`: four to nine digits, then lower-case words (the record holds 255 characters). */
export const MIGRATION_FILE_RE = /^(\d{4,9})_([a-z0-9_]{1,200})\.(ts|mts|js|mjs)$/;

/** A migration file found in the folder. */
export interface MigrationEntry {
  /** The file name without its extension, e.g. `0002_add_post_tags`: what `migrate` records. */
  readonly name: string;
  readonly number: number;
  readonly path: string;
}

/** A loaded migration, with the schema state before each of its operations. */
export interface LoadedMigration extends MigrationEntry {
  readonly migration: Migration;
  readonly operations: readonly MigrationOperation[];
  /** `states[i]` is the schema before operation `i`; the last entry is the schema after the migration. */
  readonly states: readonly SchemaState[];
}

/**
 * The migration files of `dir`, in order. Files that do not start with a digit (a README, an
 * index) are ignored; a file that starts with one but is misnamed is refused rather than skipped.
 */
export function listMigrations(dir: string, options: { mustExist: boolean }): MigrationEntry[] {
  const folder = resolve(dir);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    if (!options.mustExist) return [];
    throw new MigrationFileError('E_MIGRATION_DIR_MISSING', folder, `The migrations folder ${folder} does not exist.`, {
      hint: 'Check the dir option; makeMigrations creates the folder with the first migration.',
    });
  }
  const entries: MigrationEntry[] = [];
  const numbers = new Map<number, string>();
  for (const file of readdirSync(folder).sort()) {
    if (!/^\d/.test(file)) continue;
    const m = MIGRATION_FILE_RE.exec(file);
    if (m === null) {
      throw new MigrationFileError('E_MIGRATION_FILE_NAME', join(folder, file), `Migration file name '${file}' in ${folder} is not of the form 0001_name.ts.`, {
        hint: 'Name migration files <number>_<lower_case_name>.ts, or move the file out of the migrations folder.',
      });
    }
    const number = Number(m[1]);
    const other = numbers.get(number);
    if (other !== undefined) {
      throw new MigrationFileError('E_MIGRATION_CONFLICT', join(folder, file), `Migrations ${other} and ${file} in ${folder} have the same number.`, {
        hint: 'Two branches each added a migration: renumber one of them after the other (and check it still applies on top), then run migrate.',
      });
    }
    numbers.set(number, file);
    entries.push({ name: file.replace(/\.(ts|mts|js|mjs)$/, ''), number, path: join(folder, file) });
  }
  return entries.sort((a, b) => a.number - b.number);
}

const requireCache = createRequire(import.meta.url).cache;

async function importMigration(entry: MigrationEntry): Promise<unknown> {
  const source = readFileSync(entry.path);
  // The content hash in the URL (and dropping a CommonJS cache entry, which ignores the query)
  // makes a long-running process see a file edited since the last load.
  const version = createHash('sha256').update(source).digest('hex').slice(0, 16);
  delete requireCache[entry.path];
  let mod: { default?: unknown };
  try {
    mod = (await import(`${pathToFileURL(entry.path).href}?v=${version}`)) as { default?: unknown };
  } catch (err) {
    throw new MigrationFileError('E_MIGRATION_FILE_INVALID', entry.path, `Migration ${entry.name} could not be loaded: ${(err as Error).message}`, {
      cause: err,
      hint: 'Fix the syntax error, or delete the file and run makeMigrations again. TypeScript files need tsx (or another loader).',
    });
  }
  let value = mod.default;
  // A .ts file outside an ESM package loads as CommonJS: its default export arrives wrapped.
  if (value !== null && typeof value === 'object' && !('operations' in value) && 'default' in value) value = (value as { default: unknown }).default;
  if (value === undefined) {
    throw new MigrationFileError('E_MIGRATION_FILE_INVALID', entry.path, `Migration ${entry.name} has no default export.`, {
      hint: 'A migration file ends with: export default { operations: [...] } satisfies Migration;',
    });
  }
  return value;
}

/** Replays loaded migrations from the empty schema; every operation is checked against the state. */
export function replay(entries: readonly (MigrationEntry & { migration: Migration })[], start: SchemaState = EMPTY_STATE): LoadedMigration[] {
  let state = start;
  return entries.map((entry) => {
    const operations = entry.migration.operations.map(operation);
    const states: SchemaState[] = [state];
    operations.forEach((op, i) => {
      try {
        state = op.applyToState(state);
      } catch (err) {
        if (!(err instanceof MigrationError)) throw err;
        throw new MigrationFileError(err.code, entry.path, `Migration ${entry.name}, operation ${i + 1} (${op.describe()}): ${err.message}.`, {
          cause: err,
          ...(err.hint === undefined ? {} : { hint: err.hint }),
        });
      }
      states.push(state);
    });
    return { ...entry, operations, states };
  });
}

/** Lists, loads, checks and replays the migrations of `dir`. */
export async function loadMigrations(dir: string, options: { mustExist: boolean }): Promise<LoadedMigration[]> {
  const entries = listMigrations(dir, options);
  const loaded: (MigrationEntry & { migration: Migration })[] = [];
  for (const entry of entries) loaded.push({ ...entry, migration: validateMigration(await importMigration(entry), entry.name, entry.path) });
  return replay(loaded);
}

/** The schema after all loaded migrations. */
export function finalState(migrations: readonly LoadedMigration[]): SchemaState {
  const last = migrations.at(-1);
  return last === undefined ? EMPTY_STATE : last.states.at(-1)!;
}
