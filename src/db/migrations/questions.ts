/**
 * The questions the autodetector cannot answer alone (was this a rename? which value should
 * existing rows get?) and the two ways to answer them: a `prompt` callback, or answers given up
 * front in the options. With neither, it stops and says how to answer; it never guesses.
 *
 * @module
 */
import type { AnyModel } from '../model.js';
import type { ColumnType } from '../schema-state.js';
import { defaultProblem, literalDefault, parseAnswer, typeLabel } from './defaults.js';
import { AutodetectorError } from './errors.js';
import type { DefaultValue } from './types.js';

/** A question `makeMigrations` asks through its `prompt` option. `text` is ready to show. */
export type MigrationQuestion =
  | { readonly kind: 'renameTable'; readonly from: string; readonly to: string; readonly text: string }
  | { readonly kind: 'renameColumn'; readonly table: string; readonly from: string; readonly to: string; readonly text: string }
  | {
      readonly kind: 'default';
      readonly table: string;
      readonly column: string;
      /** The column type, e.g. `varchar(50)`. */
      readonly type: string;
      /** `addColumn`: a NOT NULL column is added to an existing table; `notNull`: a column becomes NOT NULL. */
      readonly reason: 'addColumn' | 'notNull';
      readonly text: string;
    };

/**
 * Answers a question: `true`/`'y'` for a rename, `false` to refuse; for a default, the value as
 * text (`draft`, `0`, `true`, `2024-01-31`, JSON for json columns) or `false` to stop.
 */
export type MigrationPrompt = (question: MigrationQuestion) => Promise<boolean | string> | boolean | string;

/**
 * Renames given up front. Keys are old names, values the new name or `false` for "dropped, not
 * renamed". Column keys are `table.column`, with the table's new name.
 *
 * @example { tables: { blog_entry: 'blog_post' }, columns: { 'blog_post.title': 'headline' } }
 */
export interface RenameAnswers {
  readonly tables?: Readonly<Record<string, string | false>>;
  readonly columns?: Readonly<Record<string, string | false>>;
}

/** One-off defaults given up front, keyed by `table.column`. @example { 'blog_post.slug': '' } */
export type DefaultAnswers = Readonly<Record<string, DefaultValue>>;

/** Whether a prompt's answer means yes. */
export function isYes(answer: boolean | string): boolean {
  return answer === true || (typeof answer === 'string' && /^\s*(y|yes)\s*$/i.test(answer));
}

function invalidDefault(key: string, type: ColumnType, problem: string, source: string): never {
  throw new AutodetectorError('E_MIGRATION_DEFAULT_INVALID', `The one-off default for ${key} (${typeLabel(type)}) given by ${source} is invalid: ${problem}.`, {
    hint: 'Give a value of the column type: a string for text, a number for numbers, true/false, an ISO date or time.',
  });
}

/** A column that needs a one-off default and has none yet. */
export interface MissingDefault {
  readonly key: string;
  readonly type: ColumnType;
  readonly reason: 'addColumn' | 'notNull';
}

/**
 * Finds the one-off default of a column: the `defaults` option, then the model field's literal
 * `default`, then the prompt. Returns undefined when none of them gives one.
 */
export async function resolveDefault(
  need: MissingDefault,
  options: { defaults?: DefaultAnswers; prompt?: MigrationPrompt; models: readonly AnyModel[] },
): Promise<DefaultValue | undefined> {
  const { key, type } = need;
  const given = options.defaults !== undefined && Object.hasOwn(options.defaults, key) ? options.defaults[key] : undefined;
  if (given !== undefined) {
    const problem = defaultProblem(type, given, false);
    if (problem !== null) invalidDefault(key, type, problem, 'the defaults option');
    return given;
  }
  const [table, column] = key.split('.') as [string, string];
  const info = options.models.find((m) => m.table === table)?.columns.find((c) => c.column === column);
  const literal = info === undefined ? undefined : literalDefault(info.def);
  if (literal !== undefined && defaultProblem(type, literal, false) === null) return literal;
  if (options.prompt === undefined) return undefined;
  const situation =
    need.reason === 'addColumn'
      ? `Column ${key} (${typeLabel(type)}) is NOT NULL and is added to a table that may hold rows.`
      : `Column ${key} (${typeLabel(type)}) becomes NOT NULL and may hold NULLs.`;
  const answer = await options.prompt({
    kind: 'default',
    table,
    column,
    type: typeLabel(type),
    reason: need.reason,
    text: `${situation} Which value should ${need.reason === 'addColumn' ? 'existing rows' : 'those rows'} get? (false to stop)`,
  });
  if (answer === false) return undefined;
  const value = parseAnswer(type, answer);
  if (value === undefined) invalidDefault(key, type, `cannot read ${JSON.stringify(answer)} as ${typeLabel(type)}`, 'the prompt');
  const problem = defaultProblem(type, value, false);
  if (problem !== null) invalidDefault(key, type, problem, 'the prompt');
  return value;
}

/** The error listing every column that still needs a one-off default, and how to give one. */
export function missingDefaultsError(missing: readonly MissingDefault[]): AutodetectorError {
  const lines = missing.map(
    (m) => `  - ${m.key} (${typeLabel(m.type)}): ${m.reason === 'addColumn' ? 'a NOT NULL column added to an existing table' : 'a column that becomes NOT NULL'}`,
  );
  const example = missing.map((m) => `'${m.key}': …`).join(', ');
  return new AutodetectorError(
    'E_MIGRATION_DEFAULT_REQUIRED',
    `makeMigrations needs a one-off default for existing rows of:\n${lines.join('\n')}\nAnswer through the prompt option, or pass defaults: { ${example} }. ` +
      'Giving the field a plain default, or making it nullable, also works.',
    { hint: 'The value is written into the migration and used once, to fill rows that exist when it runs.' },
  );
}
