/**
 * `makemigrations`, `migrate`, `showmigrations` and `sqlmigrate`: the migration functions of
 * `rampart/db` with the project's models, folder and `DATABASE_URL`.
 *
 * @module
 */
import { relative } from 'node:path';
import { parseDatabaseUrl, maskDatabaseUrl, type DialectName } from '../../db/connection.js';
import { makeMigrations, migrate, showMigrations, sqlMigrate, type MigrationPrompt, type MigrationQuestion, type RenameAnswers } from '../../db/index.js';
import { listOption, stringOption, type Command, type CommandContext } from '../command.js';
import { databaseUrl, explainDatabaseError, withDatabase } from '../database-errors.js';
import { CliError, EXIT_CODES, UsageError } from '../errors.js';
import { requireModels } from '../project.js';
import { canPrompt, confirm, question } from '../prompt.js';
import { reportError } from '../report.js';

const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres', 'mysql'];
const NAME_PART = /^[a-z][a-z0-9_]*$/;

function pair(option: string, value: string): [string, string] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new UsageError(`--${option} ${JSON.stringify(value)} is not of the form ${option === 'rename' ? 'old=new' : 'table.column=value'}.`);
  return [value.slice(0, eq), value.slice(eq + 1)];
}

/** `--rename blog_entry=blog_post` (a table) and `--rename blog_post.title=headline` (a column). */
function renameAnswers(values: CommandContext['values']): RenameAnswers {
  const tables: Record<string, string | false> = {};
  const columns: Record<string, string | false> = {};
  for (const raw of listOption(values, 'rename')) {
    const [from, to] = pair('rename', raw);
    const parts = from.split('.');
    if (!parts.every((p) => NAME_PART.test(p)) || parts.length > 2 || !NAME_PART.test(to)) {
      throw new UsageError(`--rename ${raw}: write old_table=new_table or table.old_column=new_column (lower-case names).`);
    }
    if (parts.length === 1) tables[from] = to;
    else columns[from] = to;
  }
  for (const raw of listOption(values, 'not-renamed')) {
    const parts = raw.split('.');
    if (!parts.every((p) => NAME_PART.test(p)) || parts.length > 2) throw new UsageError(`--not-renamed ${raw}: write a table or table.column.`);
    if (parts.length === 1) tables[raw] = false;
    else columns[raw] = false;
  }
  return { tables, columns };
}

/** Answers a question from `--default`, else asks in the terminal, else stops with the way to answer. */
function migrationPrompt(ctx: CommandContext, defaults: ReadonlyMap<string, string>): MigrationPrompt {
  const interactive = ctx.values['noinput'] !== true && canPrompt(ctx.stdin);
  return async (q: MigrationQuestion) => {
    if (q.kind === 'default') {
      const given = defaults.get(`${q.table}.${q.column}`);
      if (given !== undefined) return given;
    }
    if (!interactive) throw unanswered(q);
    if (q.kind === 'default') {
      const answer = await question(ctx.stdin, ctx.io, `${q.text}\n> `);
      return answer.trim() === '' ? false : answer;
    }
    return confirm(ctx.stdin, ctx.io, `${q.text.replace(/\s*\(y\/N\)\s*$/i, '')} [y/N] `);
  };
}

function unanswered(q: MigrationQuestion): CliError {
  const how =
    q.kind === 'renameTable'
      ? `--rename ${q.from}=${q.to} if it was renamed, or --not-renamed ${q.from} if it was dropped`
      : q.kind === 'renameColumn'
        ? `--rename ${q.table}.${q.from}=${q.to} if it was renamed, or --not-renamed ${q.table}.${q.from} if it was dropped`
        : `--default ${q.table}.${q.column}=<value>`;
  return new CliError('E_CLI_NOINPUT', `makemigrations needs an answer and cannot ask (no terminal, or --noinput): ${q.text}`, {
    hint: `Answer on the command line with ${how}, or run makemigrations in a terminal.`,
  });
}

export const makemigrationsCommand: Command = {
  name: 'makemigrations',
  summary: 'write the next migration from the changes to the models',
  description: 'Questions it cannot answer alone (was this a rename? which value for existing rows?) are asked in the terminal; without one (CI, --noinput) give the answers as options or it stops.',
  options: {
    name: { type: 'string', value: 'NAME', help: 'the name after the number (default: derived from the changes)' },
    rename: { type: 'string', multiple: true, value: 'OLD=NEW', help: 'a table (blog_entry=blog_post) or column (blog_post.title=headline) was renamed' },
    'not-renamed': { type: 'string', multiple: true, value: 'NAME', help: 'a table or table.column was dropped, not renamed' },
    default: { type: 'string', multiple: true, value: 'TABLE.COLUMN=VALUE', help: 'one-off value for existing rows of a new NOT NULL column' },
    noinput: { type: 'boolean', help: 'never ask; stop when an answer is missing' },
    check: { type: 'boolean', help: 'write nothing; exit 1 when the models have changes without a migration' },
    'dry-run': { type: 'boolean', help: 'show the migration without writing it' },
  },
  async run(ctx) {
    const { config, loaded } = await ctx.app();
    const models = requireModels(loaded, config);
    const defaults = new Map(listOption(ctx.values, 'default').map((v) => pair('default', v)));
    const check = ctx.values['check'] === true;
    const name = stringOption(ctx.values, 'name');
    const result = await makeMigrations({
      models,
      dir: config.migrations,
      renames: renameAnswers(ctx.values),
      prompt: migrationPrompt(ctx, defaults),
      dryRun: check || ctx.values['dry-run'] === true,
      ...(name === undefined ? {} : { name }),
    });
    if (!result.changed) {
      ctx.io.out(result.message);
      return EXIT_CODES.ok;
    }
    const shown = relative(config.root, result.path);
    if (check) {
      ctx.io.out(`The models have changes without a migration; makemigrations would write ${shown}:`);
      for (const op of result.operations) ctx.io.out(`  - ${op}`);
      return EXIT_CODES.failure;
    }
    ctx.io.out(`${result.written ? 'Wrote' : 'Would write'} ${shown}:`);
    for (const op of result.operations) ctx.io.out(`  - ${op}`);
    if (!result.written) {
      ctx.io.out('');
      ctx.io.out(result.source);
    }
    return EXIT_CODES.ok;
  },
};

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply the pending migrations, or move to [target] (a name, a number, or zero)',
  args: '[target]',
  positionals: [0, 1],
  options: {
    'lock-timeout': { type: 'string', value: 'SECONDS', help: 'how long to wait for another migrate run (default 120)' },
  },
  async run(ctx) {
    const config = await ctx.project();
    const url = databaseUrl();
    const target = ctx.positionals[0];
    const lock = stringOption(ctx.values, 'lock-timeout');
    if (lock !== undefined && !/^\d+$/.test(lock)) throw new UsageError(`--lock-timeout must be a whole number of seconds, got ${JSON.stringify(lock)}.`);
    const { error, results } = await migrate({
      url,
      dir: config.migrations,
      ...(target === undefined ? {} : { target }),
      ...(lock === undefined ? {} : { lockTimeoutSeconds: Number(lock) }),
    });
    if (results.length === 0 && error === undefined) ctx.io.out(`No migrations to apply (${maskDatabaseUrl(url)}).`);
    for (const r of results) {
      const verb = r.direction === 'up' ? 'Apply' : 'Unapply';
      ctx.io.out(`${verb} ${r.name}... ${r.status === 'success' ? 'OK' : r.status === 'error' ? 'FAILED' : 'not run'}`);
    }
    if (error !== undefined) return reportError(ctx.io, explainDatabaseError(error, url));
    return EXIT_CODES.ok;
  },
};

export const showmigrationsCommand: Command = {
  name: 'showmigrations',
  summary: 'list the migrations and whether the database has them',
  async run(ctx) {
    const config = await ctx.project();
    const url = databaseUrl();
    const list = await withDatabase(url, () => showMigrations({ url, dir: config.migrations }));
    if (list.length === 0) ctx.io.out('(no migrations)');
    for (const m of list) {
      const note = m.file ? '' : '  (applied, but its file is missing)';
      ctx.io.out(`[${m.applied ? 'X' : ' '}] ${m.name}${m.appliedAt === null ? '' : `  ${m.appliedAt.toISOString()}`}${note}`);
    }
    return EXIT_CODES.ok;
  },
};

export const sqlmigrateCommand: Command = {
  name: 'sqlmigrate',
  summary: 'print the SQL a migration runs (no database needed)',
  args: '<name>',
  positionals: [1, 1],
  options: {
    dialect: { type: 'string', value: 'NAME', help: 'sqlite, postgres or mysql (default: the dialect of DATABASE_URL)' },
    backwards: { type: 'boolean', help: 'the SQL that unapplies it' },
  },
  async run(ctx) {
    const config = await ctx.project();
    const given = stringOption(ctx.values, 'dialect');
    if (given !== undefined && !DIALECTS.includes(given as DialectName)) {
      throw new UsageError(`--dialect must be one of ${DIALECTS.join(', ')}, got ${JSON.stringify(given)}.`);
    }
    const dialect = (given as DialectName | undefined) ?? parseDatabaseUrl(databaseUrl()).dialect;
    const statements = await sqlMigrate({ dir: config.migrations, name: ctx.positionals[0]!, dialect, direction: ctx.values['backwards'] === true ? 'down' : 'up' });
    for (const s of statements) {
      ctx.io.out(`${s.sql};`);
      if (s.parameters.length > 0) ctx.io.out(`-- parameters: ${JSON.stringify(s.parameters, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
    }
    return EXIT_CODES.ok;
  },
};
