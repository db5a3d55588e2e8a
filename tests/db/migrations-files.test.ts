/**
 * Migration files as read from disk: a hand edit that puts a bad identifier (or anything that is
 * not an operation) into a file is refused before any SQL runs; misnamed, clashing, broken and
 * inconsistent files are refused with messages that name the file and the operation.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { field, makeMigrations, migrate, MigrationFileError, model, showMigrations, sqlMigrate } from 'rampart/db';
import { databaseTargets } from '../helpers/databases.ts';
import { openDb, removeDirs, tableNames, tempDir, writeMigration } from './fixtures-migrations/helpers.ts';

const Post = model('blog_post', { title: field.string({ maxLength: 200 }), rank: field.integer({ index: true }) });

const dirs: string[] = [];
after(() => removeDirs(dirs));

async function generated(): Promise<{ dir: string; path: string; source: string }> {
  const dir = tempDir();
  dirs.push(dir);
  const made = await makeMigrations({ models: [Post], dir });
  assert.ok(made.changed);
  return { dir, path: made.path, source: made.source };
}

function dirWith(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  for (const [name, source] of Object.entries(files)) writeMigration(dir, name, source);
  return dir;
}

const file = (ops: string): string => `export default { operations: [${ops}] };\n`;
const CREATE = `{ op: 'createTable', table: 't', columns: [{ name: 'id', type: 'id' }, { name: 'a', type: 'integer' }] }`;

describe('hand-edited files', () => {
  for (const target of databaseTargets()) {
    test(`a bad identifier is refused before any SQL runs on ${target.name}`, { skip: target.skip }, async () => {
      const { dir, path, source } = await generated();
      writeFileSync(path, source.replace("table: 'blog_post'", `table: 'blog_post"; drop table users; --'`));
      const db = await openDb(target.name);
      try {
        const run = await migrate({ url: db.url, dir });
        assert.ok(run.error instanceof MigrationFileError);
        assert.equal(run.error.code, 'E_MIGRATION_IDENTIFIER');
        assert.equal(run.error.message, 'Migration 0001_initial: operations[0].table is not a valid table name: "blog_post\\"; drop table users; --".');
        assert.equal(run.error.file, path);
        assert.deepEqual(run.results, []);
        assert.deepEqual(await tableNames(db.kysely), []);
      } finally {
        await db.done();
      }
    });
  }

  test('makeMigrations, sqlMigrate and showMigrations refuse it too', async () => {
    const { dir, path, source } = await generated();
    writeFileSync(path, source.replace("{ name: 'title'", "{ name: 'Title'"));
    const expected = { code: 'E_MIGRATION_IDENTIFIER', message: 'Migration 0001_initial: operations[0].columns[1].name is not a valid column name: "Title".' };
    await assert.rejects(makeMigrations({ models: [Post], dir }), expected);
    await assert.rejects(sqlMigrate({ dir, name: '0001', dialect: 'postgres' }), expected);
    // showMigrations only lists names: it does not need the content.
    assert.deepEqual((await showMigrations({ url: 'sqlite::memory:', dir })).map((m) => m.name), ['0001_initial']);
  });

  const bad: [string, string, string][] = [
    [`{ op: 'createTable', table: 'u', columns: [{ name: 'id', type: 'id' }], indexes: [{ name: 'i', columns: ['a b'] }] }`, 'E_MIGRATION_IDENTIFIER', 'operations[1].indexes[0].columns[0] is not a valid column name: "a b".'],
    [`{ op: 'renameColumn', table: 't', from: 'a', to: 'x\`y' }`, 'E_MIGRATION_IDENTIFIER', 'operations[1].to is not a valid column name: "x`y".'],
    [`{ op: 'addForeignKey', table: 't', column: 'a', references: { table: 'T', onDelete: 'cascade' } }`, 'E_MIGRATION_IDENTIFIER', 'operations[1].references.table is not a valid table name: "T".'],
    [`{ op: 'addIndex', table: 't', index: { name: '${'i'.repeat(64)}', columns: ['a'] } }`, 'E_MIGRATION_IDENTIFIER', `operations[1].index.name is not a valid index name: "${'i'.repeat(64)}".`],
    [`{ op: 'removeColumn', table: 't', column: 42 }`, 'E_MIGRATION_IDENTIFIER', 'operations[1].column is not a valid column name: number.'],
    [`{ op: 'renameTable', from: 't', to: 'rampart_migrations' }`, 'E_MIGRATION_IDENTIFIER', "operations[1].to names 'rampart_migrations', the table where migrations are recorded."],
    [`{ op: 'dropTabel', table: 't' }`, 'E_MIGRATION_FILE_INVALID', 'operations[1].op must be one of createTable, dropTable, renameTable, addColumn, removeColumn, alterColumn, renameColumn, addIndex, removeIndex, renameIndex, addForeignKey, removeForeignKey, runCode.'],
    [`{ op: 'dropTable', table: 't', cascade: true }`, 'E_MIGRATION_FILE_INVALID', 'operations[1].cascade is not a known property.'],
    [`{ op: 'addColumn', table: 't', column: { name: 'b', type: 'varchar' } }`, 'E_MIGRATION_FILE_INVALID', 'operations[1].column.length is missing.'],
    [`{ op: 'addColumn', table: 't', column: { name: 'b', type: 'varchar', length: '10); drop table t; --' } }`, 'E_MIGRATION_FILE_INVALID', 'operations[1].column.length must be an integer from 1 to 10485760.'],
    [`{ op: 'addColumn', table: 't', column: { name: 'b', type: 'decimal', precision: 5, scale: 6 } }`, 'E_MIGRATION_FILE_INVALID', 'operations[1].column.scale must be an integer from 0 to 5.'],
    [`{ op: 'addColumn', table: 't', column: { name: 'b', type: 'text', length: 5 } }`, 'E_MIGRATION_FILE_INVALID', 'operations[1].column.length is not a known property.'],
    [`{ op: 'addColumn', table: 't', column: { name: 'b', type: 'money' } }`, 'E_MIGRATION_FILE_INVALID', 'operations[1].column.type must be one of id, varchar, text, integer, bigint, double, decimal, boolean, date, datetime, json, uuid.'],
    [`{ op: 'alterColumn', table: 't', column: 'a', to: { type: 'integer', references: { table: 't', onDelete: 'cascade' } } }`, 'E_MIGRATION_FILE_INVALID', 'operations[1].to.references is not a known property.'],
    [`{ op: 'addForeignKey', table: 't', column: 'a', references: { table: 't', onDelete: 'nothing' } }`, 'E_MIGRATION_FILE_INVALID', "operations[1].references.onDelete must be 'cascade', 'restrict', 'setNull' or 'protect'."],
    [`{ op: 'runCode', forward: 'drop table t' }`, 'E_MIGRATION_FILE_INVALID', 'operations[1].forward must be a function.'],
    [`'drop table t'`, 'E_MIGRATION_FILE_INVALID', 'operations[1] must be an object.'],
  ];
  for (const [op, code, detail] of bad) {
    test(`refuses ${detail.slice(0, 60)}`, async () => {
      const dir = dirWith({ '0001_x.ts': file(`${CREATE}, ${op}`) });
      await assert.rejects(makeMigrations({ models: [], dir }), { code, message: `Migration 0001_x: ${detail}` });
    });
  }
});

describe('files and folders', () => {
  test('a misnamed file is refused; files that do not start with a digit are ignored', async () => {
    const dir = dirWith({ '0001_x.ts': file(CREATE), 'README.md': '# notes', '0002-add-thing.ts': file('') });
    await assert.rejects(sqlMigrate({ dir, name: '0001', dialect: 'sqlite' }), {
      code: 'E_MIGRATION_FILE_NAME',
      message: `Migration file name '0002-add-thing.ts' in ${dir} is not of the form 0001_name.ts.`,
    });
  });

  test('two files with the same number are a conflict', async () => {
    const dir = dirWith({ '0001_x.ts': file(CREATE), '0002_a.ts': file(''), '0002_b.ts': file('') });
    await assert.rejects(makeMigrations({ models: [], dir }), { code: 'E_MIGRATION_CONFLICT', message: `Migrations 0002_a.ts and 0002_b.ts in ${dir} have the same number.` });
  });

  test('a file that does not load, or exports nothing, is refused', async () => {
    const broken = dirWith({ '0001_x.ts': 'export default { operations: [ };\n' });
    await assert.rejects(makeMigrations({ models: [], dir: broken }), (err: unknown) => {
      assert.ok(err instanceof MigrationFileError);
      assert.equal(err.code, 'E_MIGRATION_FILE_INVALID');
      assert.match(err.message, /^Migration 0001_x could not be loaded: /);
      return true;
    });
    const empty = dirWith({ '0001_x.ts': 'export const operations = [];\n' });
    await assert.rejects(makeMigrations({ models: [], dir: empty }), { code: 'E_MIGRATION_FILE_INVALID', message: 'Migration 0001_x has no default export.' });
  });

  test('an operation that does not fit the schema of the earlier ones names its file and position', async () => {
    const dir = dirWith({
      '0001_x.ts': file(CREATE),
      '0002_y.ts': file(`{ op: 'addIndex', table: 't', index: { name: 't_a_idx', columns: ['a'] } }, { op: 'addColumn', table: 'nope', column: { name: 'b', type: 'text', nullable: true } }`),
    });
    await assert.rejects(makeMigrations({ models: [], dir }), {
      code: 'E_MIGRATION_STATE_CONFLICT',
      message: 'Migration 0002_y, operation 2 (Add column nope.b (text, null)): table nope does not exist.',
    });
    const covered = dirWith({ '0001_x.ts': file(`${CREATE}, { op: 'addIndex', table: 't', index: { name: 't_a_idx', columns: ['a'] } }, { op: 'removeColumn', table: 't', column: 'a' }`) });
    await assert.rejects(makeMigrations({ models: [], dir: covered }), {
      code: 'E_MIGRATION_STATE_CONFLICT',
      message: 'Migration 0001_x, operation 3 (Remove column t.a): column t.a is part of index t_a_idx; remove the index first.',
    });
  });

  test('a one-off default that does not fit its column is refused when the file is read', async () => {
    const dir = dirWith({ '0001_x.ts': file(`${CREATE}, { op: 'addColumn', table: 't', column: { name: 'n', type: 'integer' }, default: 'abc' }`) });
    await assert.rejects(makeMigrations({ models: [], dir }), {
      code: 'E_MIGRATION_DEFAULT_INVALID',
      message: 'Migration 0001_x, operation 2 (Add column t.n (integer, not null)): the default of t.n (integer) is invalid: expected a 32-bit integer.',
    });
  });

  test('an edited file is read again by the same process', async () => {
    const { dir, path } = await generated();
    assert.deepEqual(await makeMigrations({ models: [Post], dir }), { changed: false, message: 'No changes detected' });
    writeFileSync(path, readFileSync(path, 'utf8').replace("length: 200", 'length: 100'));
    const made = await makeMigrations({ models: [Post], dir, dryRun: true });
    assert.ok(made.changed);
    assert.deepEqual(made.operations, ['Alter column blog_post.title (varchar(200), not null)']);
  });

  test('generated files hold only plain data and the type import', async () => {
    const { source } = await generated();
    assert.equal(source.split('\n')[0], "import type { Migration } from 'rampart/db';");
    assert.equal(source.match(/\bimport\b/g)?.length, 1);
    assert.ok(source.trimEnd().endsWith('} satisfies Migration;'));
  });
});
