/**
 * makeMigrations without a database: no-change runs, renames (asked, explicit, refused), one-off
 * defaults (asked, given, refused), and the order of operations for cycles and drops.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { AutodetectorError, field, makeMigrations, model, type AnyModel, type MigrationQuestion } from 'rampart/db';
import { filesIn, removeDirs, tempDir } from './fixtures-migrations/helpers.ts';

const dirs: string[] = [];
after(() => removeDirs(dirs));

/** A folder holding the initial migration of `models`. */
async function start(models: readonly AnyModel[]): Promise<string> {
  const dir = tempDir();
  dirs.push(dir);
  const made = await makeMigrations({ models, dir });
  assert.equal(made.changed, true);
  return dir;
}

/** A prompt that answers from a list and records the questions. */
function answering(...answers: (boolean | string)[]): { prompt: (q: MigrationQuestion) => Promise<boolean | string>; asked: MigrationQuestion[] } {
  const asked: MigrationQuestion[] = [];
  return {
    asked,
    prompt: async (q) => {
      asked.push(q);
      if (answers.length === 0) throw new Error(`unexpected question: ${q.text}`);
      return answers.shift()!;
    },
  };
}

const Author = model('lib_author', { name: field.string({ maxLength: 100 }) });
const Book = model('lib_book', { title: field.string({ maxLength: 200 }), pages: field.integer({ nullable: true }) });
const BookHeadline = model('lib_book', { headline: field.string({ maxLength: 200 }), pages: field.integer({ nullable: true }) });

describe('no changes', () => {
  test('a second run writes nothing and says so', async () => {
    const dir = await start([Author, Book]);
    assert.deepEqual(await makeMigrations({ models: [Author, Book], dir }), { changed: false, message: 'No changes detected' });
    assert.deepEqual(filesIn(dir), ['0001_initial.ts']);
  });

  test('the order of models and fields in code does not matter', async () => {
    const dir = await start([Author, Book]);
    const reordered = model('lib_book', { pages: field.integer({ nullable: true }), title: field.string({ maxLength: 200 }) });
    assert.deepEqual(await makeMigrations({ models: [reordered, Author], dir }), { changed: false, message: 'No changes detected' });
  });

  test('dryRun returns the file without writing it', async () => {
    const dir = await start([Author, Book]);
    const Tag = model('lib_tag', { name: field.string({ maxLength: 20 }) });
    const made = await makeMigrations({ models: [Author, Book, Tag], dir, dryRun: true });
    assert.ok(made.changed);
    assert.equal(made.written, false);
    assert.equal(made.name, '0002_create_lib_tag');
    assert.match(made.source, /op: 'createTable',\n\s+table: 'lib_tag'|\{ op: 'createTable', table: 'lib_tag'/);
    assert.deepEqual(filesIn(dir), ['0001_initial.ts']);
  });

  test('empty writes a migration without operations, to fill in by hand', async () => {
    const dir = await start([Book]);
    const made = await makeMigrations({ models: [Book], dir, empty: true, name: 'fill_titles' });
    assert.ok(made.changed);
    assert.equal(made.name, '0002_fill_titles');
    assert.deepEqual(made.operations, []);
    assert.match(made.source, /operations: \[\n\s+\/\/ Add operations here/);
    assert.deepEqual(await makeMigrations({ models: [Book], dir }), { changed: false, message: 'No changes detected' });
  });

  test('a given name is used after the number, and a bad one is refused', async () => {
    const dir = await start([Book]);
    const Tag = model('lib_tag', { name: field.string({ maxLength: 20 }) });
    const made = await makeMigrations({ models: [Book, Tag], dir, name: 'tags' });
    assert.ok(made.changed);
    assert.equal(made.name, '0002_tags');
    assert.deepEqual(filesIn(dir), ['0001_initial.ts', '0002_tags.ts']);
    await assert.rejects(makeMigrations({ models: [Book], dir, name: '../evil' }), { code: 'E_MIGRATION_OPTIONS' });
  });
});

describe('names the models allow but migrations do not', () => {
  test('a custom index name that is not an identifier stops before a file is written', async () => {
    const dir = await start([Book]);
    const Named = model('lib_book', { title: field.string({ maxLength: 200 }), pages: field.integer({ nullable: true }) }, { indexes: [{ fields: ['title'], name: 'By Title' }] });
    await assert.rejects(makeMigrations({ models: [Named], dir }), {
      code: 'E_MIGRATION_IDENTIFIER',
      message: 'Migration 0002_add_by_title: operations[0].index.name is not a valid index name: "By Title".',
    });
    assert.deepEqual(filesIn(dir), ['0001_initial.ts']);
  });

  test('a model cannot take the name of the migrations table', async () => {
    const dir = tempDir();
    dirs.push(dir);
    await assert.rejects(makeMigrations({ models: [model('rampart_migrations', { x: field.integer() })], dir }), { code: 'E_MIGRATION_IDENTIFIER' });
    assert.deepEqual(filesIn(dir), []);
  });
});

describe('renames', () => {
  test('a column rename is asked, and a yes gives a rename', async () => {
    const dir = await start([Book]);
    const { prompt, asked } = answering(true);
    const made = await makeMigrations({ models: [BookHeadline], dir, prompt });
    assert.ok(made.changed);
    assert.deepEqual(made.operations, ['Rename column lib_book.title to headline']);
    assert.deepEqual(asked, [
      { kind: 'renameColumn', table: 'lib_book', from: 'title', to: 'headline', text: 'Was column lib_book.title renamed to lib_book.headline (varchar(200))? (y/N)' },
    ]);
  });

  test('a no gives a drop and an add, and the add asks for a default', async () => {
    const dir = await start([Book]);
    const { prompt, asked } = answering('n', 'untitled');
    const made = await makeMigrations({ models: [BookHeadline], dir, prompt });
    assert.ok(made.changed);
    assert.deepEqual(made.operations, ['Add column lib_book.headline (varchar(200), not null)', 'Remove column lib_book.title']);
    assert.deepEqual(
      asked.map((q) => q.kind),
      ['renameColumn', 'default'],
    );
    assert.match(made.source, /default: 'untitled'/);
  });

  test('an explicit rename needs no prompt', async () => {
    const dir = await start([Book]);
    const made = await makeMigrations({ models: [BookHeadline], dir, renames: { columns: { 'lib_book.title': 'headline' } } });
    assert.ok(made.changed);
    assert.deepEqual(made.operations, ['Rename column lib_book.title to headline']);
  });

  test('an explicit false means dropped and added', async () => {
    const dir = await start([Book]);
    const made = await makeMigrations({
      models: [BookHeadline],
      dir,
      renames: { columns: { 'lib_book.title': false } },
      defaults: { 'lib_book.headline': '' },
    });
    assert.ok(made.changed);
    assert.deepEqual(made.operations, ['Add column lib_book.headline (varchar(200), not null)', 'Remove column lib_book.title']);
  });

  test('with neither a prompt nor an answer it stops, lists the candidate and writes nothing', async () => {
    const dir = await start([Book]);
    await assert.rejects(makeMigrations({ models: [BookHeadline], dir }), (err: unknown) => {
      assert.ok(err instanceof AutodetectorError);
      assert.equal(err.code, 'E_MIGRATION_RENAME_AMBIGUOUS');
      assert.equal(
        err.message,
        'makeMigrations cannot tell whether these were renamed, or dropped and added (dropping loses the data):\n' +
          '  - column lib_book.title -> lib_book.headline (varchar(200))\n' +
          "Answer through the prompt option, or pass renames: { columns: { 'lib_book.title': 'headline' } } (false instead of the new name means dropped and added).",
      );
      return true;
    });
    assert.deepEqual(filesIn(dir), ['0001_initial.ts']);
  });

  test('a column of another type is not a rename candidate', async () => {
    const dir = await start([Book]);
    const Other = model('lib_book', { headline: field.text({ nullable: true }), pages: field.integer({ nullable: true }) });
    const made = await makeMigrations({ models: [Other], dir });
    assert.ok(made.changed);
    assert.deepEqual(made.operations, ['Add column lib_book.headline (text, null)', 'Remove column lib_book.title']);
  });

  test('a rename answer that does not fit is refused', async () => {
    const dir = await start([Book]);
    await assert.rejects(makeMigrations({ models: [BookHeadline], dir, renames: { columns: { 'lib_book.titel': 'headline' } } }), {
      code: 'E_MIGRATION_RENAME_INVALID',
      message: "renames.columns names 'lib_book.titel', but the migrations have no column lib_book.titel that the models removed.",
    });
    await assert.rejects(makeMigrations({ models: [BookHeadline], dir, renames: { columns: { 'lib_book.title': 'subject' } } }), {
      code: 'E_MIGRATION_RENAME_INVALID',
    });
    assert.deepEqual(filesIn(dir), ['0001_initial.ts']);
  });

  test('a table rename is asked; its indexes and constraints follow under new names', async () => {
    const BookFk = model('lib_book', { title: field.string({ maxLength: 200 }), author: field.foreignKey(() => Author, { onDelete: 'cascade' }) });
    const Volume = model('lib_volume', { title: field.string({ maxLength: 200 }), author: field.foreignKey(() => Author, { onDelete: 'cascade' }) });
    const dir = await start([Author, BookFk]);
    const { prompt, asked } = answering('yes');
    const made = await makeMigrations({ models: [Author, Volume], dir, prompt });
    assert.ok(made.changed);
    assert.deepEqual(made.operations, ['Rename table lib_book to lib_volume', 'Rename index lib_book_author_id_idx on lib_volume to lib_volume_author_id_idx']);
    assert.deepEqual(asked, [{ kind: 'renameTable', from: 'lib_book', to: 'lib_volume', text: 'Was table lib_book renamed to lib_volume? (y/N)' }]);
  });

  test('an unanswered table rename stops with both ways to answer', async () => {
    const Volume = model('lib_volume', { title: field.string({ maxLength: 200 }), pages: field.integer({ nullable: true }) });
    const dir = await start([Book]);
    await assert.rejects(makeMigrations({ models: [Volume], dir }), {
      code: 'E_MIGRATION_RENAME_AMBIGUOUS',
      message:
        'makeMigrations cannot tell whether these were renamed, or dropped and added (dropping loses the data):\n' +
        '  - table lib_book -> lib_volume\n' +
        "Answer through the prompt option, or pass renames: { tables: { lib_book: 'lib_volume' } } (false instead of the new name means dropped and added).",
    });
    const made = await makeMigrations({ models: [Volume], dir, renames: { tables: { lib_book: 'lib_volume' } } });
    assert.ok(made.changed);
    assert.deepEqual(made.operations, ['Rename table lib_book to lib_volume']);
  });
});

describe('one-off defaults', () => {
  const WithStatus = model('lib_book', {
    title: field.string({ maxLength: 200 }),
    pages: field.integer({ nullable: true }),
    status: field.string({ maxLength: 10 }),
  });

  test('a NOT NULL column added to an existing table asks for a value', async () => {
    const dir = await start([Book]);
    const { prompt, asked } = answering('draft');
    const made = await makeMigrations({ models: [WithStatus], dir, prompt });
    assert.ok(made.changed);
    assert.deepEqual(asked, [
      {
        kind: 'default',
        table: 'lib_book',
        column: 'status',
        type: 'varchar(10)',
        reason: 'addColumn',
        text: 'Column lib_book.status (varchar(10)) is NOT NULL and is added to a table that may hold rows. Which value should existing rows get? (false to stop)',
      },
    ]);
    assert.match(made.source, /column: \{ name: 'status', type: 'varchar', length: 10 \},\n\s+default: 'draft',/);
  });

  test('the defaults option answers without a prompt', async () => {
    const dir = await start([Book]);
    const made = await makeMigrations({ models: [WithStatus], dir, defaults: { 'lib_book.status': 'new' } });
    assert.ok(made.changed);
    assert.match(made.source, /default: 'new'/);
  });

  test('with no answer it stops, names the column and both ways to answer', async () => {
    const dir = await start([Book]);
    const expected = {
      code: 'E_MIGRATION_DEFAULT_REQUIRED',
      message:
        'makeMigrations needs a one-off default for existing rows of:\n' +
        '  - lib_book.status (varchar(10)): a NOT NULL column added to an existing table\n' +
        "Answer through the prompt option, or pass defaults: { 'lib_book.status': … }. Giving the field a plain default, or making it nullable, also works.",
    };
    await assert.rejects(makeMigrations({ models: [WithStatus], dir }), expected);
    await assert.rejects(makeMigrations({ models: [WithStatus], dir, prompt: () => false }), expected);
    assert.deepEqual(filesIn(dir), ['0001_initial.ts']);
  });

  test("a field's literal default is used without asking; a function default is not", async () => {
    const dir = await start([Book]);
    const Literal = model('lib_book', { title: field.string({ maxLength: 200 }), pages: field.integer({ nullable: true }), stock: field.integer({ default: 5 }) });
    const made = await makeMigrations({ models: [Literal], dir, prompt: () => assert.fail('asked') , dryRun: true });
    assert.ok(made.changed);
    assert.match(made.source, /default: 5 \}/);
    const Computed = model('lib_book', { title: field.string({ maxLength: 200 }), pages: field.integer({ nullable: true }), code: field.string({ maxLength: 8, default: () => 'x' }) });
    const { prompt, asked } = answering('abc');
    await makeMigrations({ models: [Computed], dir, prompt, dryRun: true });
    assert.equal(asked.length, 1);
  });

  test('answers that do not fit the column type are refused', async () => {
    const dir = await start([Book]);
    const Stock = model('lib_book', { title: field.string({ maxLength: 200 }), pages: field.integer({ nullable: true }), stock: field.integer() });
    await assert.rejects(makeMigrations({ models: [Stock], dir, prompt: () => 'many' }), {
      code: 'E_MIGRATION_DEFAULT_INVALID',
      message: 'The one-off default for lib_book.stock (integer) given by the prompt is invalid: cannot read "many" as integer.',
    });
    await assert.rejects(makeMigrations({ models: [Stock], dir, defaults: { 'lib_book.stock': 1.5 } }), {
      code: 'E_MIGRATION_DEFAULT_INVALID',
      message: 'The one-off default for lib_book.stock (integer) given by the defaults option is invalid: expected a 32-bit integer.',
    });
    await assert.rejects(makeMigrations({ models: [WithStatus], dir, defaults: { 'lib_book.status': 'x'.repeat(11) } }), {
      code: 'E_MIGRATION_DEFAULT_INVALID',
    });
    assert.deepEqual(filesIn(dir), ['0001_initial.ts']);
  });

  test('a column that becomes NOT NULL asks what its NULLs become', async () => {
    const dir = await start([Book]);
    const Required = model('lib_book', { title: field.string({ maxLength: 200 }), pages: field.integer() });
    const { prompt, asked } = answering('1');
    const made = await makeMigrations({ models: [Required], dir, prompt });
    assert.ok(made.changed);
    assert.deepEqual(made.operations, ['Alter column lib_book.pages (integer, not null)']);
    assert.equal(asked[0]?.kind === 'default' ? asked[0].reason : null, 'notNull');
    assert.match(made.source, /to: \{ type: 'integer' \}, default: 1 \}/);
  });
});

describe('order of operations', () => {
  test('tables that reference each other: created first, the closing foreign key added after', async () => {
    const dir = await start([Author]);
    const A: AnyModel = model('cyc_a', { b: field.foreignKey(() => B, { nullable: true, onDelete: 'setNull' }) });
    const B: AnyModel = model('cyc_b', { a: field.foreignKey(() => A, { nullable: true, onDelete: 'setNull' }) });
    const made = await makeMigrations({ models: [Author, A, B], dir });
    assert.ok(made.changed);
    assert.deepEqual(made.operations, ['Create table cyc_b', 'Create table cyc_a', 'Add foreign key cyc_b.a_id -> cyc_a.id (on delete setNull)']);
    const dropped = await makeMigrations({ models: [Author], dir });
    assert.ok(dropped.changed);
    assert.deepEqual(dropped.operations, ['Remove foreign key cyc_b.a_id', 'Drop table cyc_a', 'Drop table cyc_b']);
  });

  test('a referenced table is created before the table that references it, and dropped after', async () => {
    const dir = await start([Book]);
    const Zed = model('a_zed', { name: field.string({ maxLength: 10 }) });
    const Ref = model('a_ref', { zed: field.foreignKey(() => Zed, { onDelete: 'cascade' }) });
    const made = await makeMigrations({ models: [Book, Ref, Zed], dir });
    assert.ok(made.changed);
    assert.deepEqual(made.operations, ['Create table a_zed', 'Create table a_ref']);
    const dropped = await makeMigrations({ models: [Book], dir });
    assert.ok(dropped.changed);
    assert.deepEqual(dropped.operations, ['Drop table a_ref', 'Drop table a_zed']);
  });
});
