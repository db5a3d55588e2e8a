/**
 * `makeMigrations()`: compares the schema the migration files build with the one the models
 * describe and writes the difference as the next migration file.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AnyModel } from '../model.js';
import { schemaFromModels } from '../schema-state.js';
import { autodetect } from './autodetect.js';
import { MigrationError } from './errors.js';
import { finalState, loadMigrations } from './files.js';
import { describeOperation } from './operations.js';
import type { DefaultAnswers, MigrationPrompt, RenameAnswers } from './questions.js';
import type { Operation } from './types.js';
import { validateMigration } from './validate.js';
import { migrationSource } from './writer.js';

/** Options of `makeMigrations()`. */
export interface MakeMigrationsOptions {
  /** Every model of the application (a model left out means its table is dropped). */
  readonly models: readonly AnyModel[];
  /** The migrations folder; created with the first migration. */
  readonly dir: string;
  /** The name after the number (`add_post_slug`); derived from the operations by default. */
  readonly name?: string;
  /** Renames answered up front. */
  readonly renames?: RenameAnswers;
  /** One-off defaults answered up front, by `table.column`. */
  readonly defaults?: DefaultAnswers;
  /** Asks what the options do not answer; without it, unanswered questions stop with an error. */
  readonly prompt?: MigrationPrompt;
  /** Work out the migration but write nothing (for a CI check that migrations are up to date). */
  readonly dryRun?: boolean;
  /**
   * Write a migration with no operations, whatever the models say, to fill in by hand (a data
   * migration, usually). Django's `makemigrations --empty`.
   */
  readonly empty?: boolean;
}

/** What `makeMigrations()` did. */
export type MakeMigrationsResult =
  | { readonly changed: false; readonly message: 'No changes detected' }
  | {
      readonly changed: true;
      /** `0002_add_blog_post_slug`. */
      readonly name: string;
      /** The file written (or that would be written, with `dryRun`). */
      readonly path: string;
      /** One line per operation. */
      readonly operations: readonly string[];
      /** The file's source. */
      readonly source: string;
      readonly written: boolean;
    };

const NAME_RE = /^[a-z0-9][a-z0-9_]{0,59}$/;
const MAX_AUTO_NAME = 50; // plus '_and_more'

function fragment(op: Operation): string {
  switch (op.op) {
    case 'createTable':
    case 'dropTable':
      return `${op.op === 'createTable' ? 'create' : 'drop'}_${op.table}`;
    case 'renameTable':
      return `rename_${op.from}_${op.to}`;
    case 'addColumn':
      return `add_${op.table}_${op.column.name}`;
    case 'removeColumn':
    case 'alterColumn':
      return `${op.op === 'removeColumn' ? 'remove' : 'alter'}_${op.table}_${op.column}`;
    case 'renameColumn':
      return `rename_${op.table}_${op.from}`;
    case 'addIndex':
      return `add_${op.index.name}`;
    case 'removeIndex':
      return `remove_${op.name}`;
    case 'renameIndex':
      return `rename_${op.from}`;
    case 'addForeignKey':
    case 'removeForeignKey':
      return `${op.op === 'addForeignKey' ? 'add' : 'remove'}_${op.table}_${op.column}_fk`;
    case 'runCode':
      return 'run_code';
  }
}

/** A readable name from the operations: `add_blog_post_slug`, `create_blog_tag_and_more`. */
function autoName(ops: readonly Operation[], first: boolean): string {
  if (first) return 'initial';
  if (ops.length === 0) return 'empty';
  const main = ops.find((o) => o.op !== 'renameIndex' && o.op !== 'addIndex' && o.op !== 'removeIndex') ?? ops[0]!;
  const words = fragment(main).toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, MAX_AUTO_NAME).replace(/^_+|_+$/g, '');
  return ops.length === 1 ? words : `${words}_and_more`;
}

/**
 * Writes the next migration: the operations that take the schema of the existing migration files
 * to the schema of `models`.
 *
 * @example
 * const result = await makeMigrations({ models: [User, Post], dir: './migrations' })
 * if (result.changed) console.log(`Wrote ${result.path}:\n  ${result.operations.join('\n  ')}`)
 * else console.log(result.message) // 'No changes detected'
 * @see docs/migrations.md
 */
export async function makeMigrations(options: MakeMigrationsOptions): Promise<MakeMigrationsResult> {
  if (options.name !== undefined && !NAME_RE.test(options.name)) {
    throw new MigrationError('E_MIGRATION_OPTIONS', `makeMigrations: name '${options.name}' is not lower-case letters, digits and underscores (at most 60).`);
  }
  const migrations = await loadMigrations(options.dir, { mustExist: false });
  const ops = options.empty === true ? [] : await autodetect(finalState(migrations), schemaFromModels(options.models), options);
  if (ops.length === 0 && options.empty !== true) return { changed: false, message: 'No changes detected' };
  const number = (migrations.at(-1)?.number ?? 0) + 1;
  const name = `${String(number).padStart(4, '0')}_${options.name ?? autoName(ops, migrations.length === 0)}`;
  const path = join(resolve(options.dir), `${name}.ts`);
  // The file must load again: a name the models allow but a migration does not (a custom index
  // name with spaces, the migrations table) stops here, before anything is written.
  validateMigration({ operations: ops }, name, path);
  const source = migrationSource(ops);
  if (options.dryRun !== true) {
    mkdirSync(resolve(options.dir), { recursive: true });
    // 'wx': never overwrite a file that appeared meanwhile (another developer, another process).
    writeFileSync(path, source, { flag: 'wx' });
  }
  return { changed: true, name, path, operations: ops.map(describeOperation), source, written: options.dryRun !== true };
}
