/**
 * Detected changes applied to real databases (SQLite, PostgreSQL, MariaDB), with data in the
 * tables: renames keep the data, one-off defaults fill existing rows, type and constraint changes
 * keep the values, tables that reference each other come and go, and every change unapplies.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { field, makeMigrations, migrate, model, type AnyModel } from 'rampart/db';
import { databaseTargets } from '../helpers/databases.ts';
import { columnNames, norm, openDb, recorded, removeDirs, tableNames, tempDir, type Db } from './fixtures-migrations/helpers.ts';

const Author = model('chg_author', { name: field.string({ maxLength: 50 }) });
const Book = model('chg_book', {
  title: field.string({ maxLength: 100 }),
  pages: field.integer({ nullable: true }),
  author: field.foreignKey(() => Author, { onDelete: 'cascade' }),
});

const dirs: string[] = [];
after(() => removeDirs(dirs));

for (const target of databaseTargets()) {
  describe(`detected changes on ${target.name}`, { skip: target.skip }, () => {
    let db!: Db;
    // Each test gets its own database, so a failure in one cannot leave tables behind for the next.
    afterEach(async () => {
      await db?.done();
      db = undefined!;
    });

    /** A fresh database with the v1 tables and two books by one author. */
    async function v1(): Promise<string> {
      db = await openDb(target.name);
      const dir = tempDir();
      dirs.push(dir);
      await makeMigrations({ models: [Author, Book], dir });
      assert.equal((await migrate({ url: db.url, dir })).error, undefined);
      await db.kysely.insertInto('chg_author').values({ name: 'Ann' }).execute();
      const author = norm.id((await db.kysely.selectFrom('chg_author').select('id').executeTakeFirstOrThrow()).id);
      await db.kysely
        .insertInto('chg_book')
        .values([
          { title: 'Dune', pages: 412, author_id: author },
          { title: 'Emma', pages: null, author_id: author },
        ])
        .execute();
      return dir;
    }

    async function apply(dir: string, models: readonly AnyModel[], options: Partial<Parameters<typeof makeMigrations>[0]> = {}): Promise<string> {
      const made = await makeMigrations({ models, dir, ...options });
      assert.ok(made.changed);
      const run = await migrate({ url: db.url, dir });
      assert.equal(run.error, undefined, run.error?.message);
      return made.name;
    }

    async function books(table = 'chg_book'): Promise<Record<string, unknown>[]> {
      return db.kysely.selectFrom(table).selectAll().orderBy('id').execute();
    }

    test('a column rename answered through the prompt keeps the data, and unapplies', async () => {
      const dir = await v1();
      const Renamed = model('chg_book', {
        heading: field.string({ maxLength: 100 }),
        pages: field.integer({ nullable: true }),
        author: field.foreignKey(() => Author, { onDelete: 'cascade' }),
      });
      await apply(dir, [Author, Renamed], { prompt: () => true });
      assert.deepEqual((await books()).map((b) => b.heading), ['Dune', 'Emma']);
      assert.equal((await migrate({ url: db.url, dir, target: '0001_initial' })).error, undefined);
      assert.deepEqual((await books()).map((b) => b.title), ['Dune', 'Emma']);
    });

    test('a foreign key column rename keeps the key under its new name, and unapplies', async () => {
      const dir = await v1();
      const Written = model('chg_book', {
        title: field.string({ maxLength: 100 }),
        pages: field.integer({ nullable: true }),
        writer: field.foreignKey(() => Author, { onDelete: 'cascade' }),
      });
      const made = await makeMigrations({ models: [Author, Written], dir, renames: { columns: { 'chg_book.author_id': 'writer_id' } } });
      assert.ok(made.changed);
      assert.deepEqual(made.operations, ['Rename column chg_book.author_id to writer_id', 'Rename index chg_book_author_id_idx on chg_book to chg_book_writer_id_idx']);
      assert.equal((await migrate({ url: db.url, dir })).error, undefined);
      const rows = await books();
      assert.deepEqual(rows.map((r) => r.title), ['Dune', 'Emma']);
      await assert.rejects(db.kysely.insertInto('chg_book').values({ title: 'x', writer_id: 999_999 }).execute());
      await db.kysely.deleteFrom('chg_author').execute(); // cascades through the renamed column
      assert.equal((await books()).length, 0);
      assert.equal((await migrate({ url: db.url, dir, target: '0001_initial' })).error, undefined);
      await assert.rejects(db.kysely.insertInto('chg_book').values({ title: 'x', author_id: 999_999 }).execute());
    });

    test('a table that references itself is rebuilt and renamed with its key intact', async () => {
      const dir = await v1();
      const Node: AnyModel = model('chg_node', { label: field.string({ maxLength: 10 }), parent: field.foreignKey(() => Node, { nullable: true, onDelete: 'cascade' }) });
      await apply(dir, [Author, Book, Node]);
      await db.kysely.insertInto('chg_node').values({ label: 'root' }).execute();
      const root = norm.id((await db.kysely.selectFrom('chg_node').select('id').executeTakeFirstOrThrow()).id);
      await db.kysely.insertInto('chg_node').values({ label: 'leaf', parent_id: root }).execute();
      const Wider: AnyModel = model('chg_tree', { label: field.string({ maxLength: 20 }), parent: field.foreignKey(() => Wider, { nullable: true, onDelete: 'cascade' }) });
      await apply(dir, [Author, Book, Wider], { renames: { tables: { chg_node: 'chg_tree' } } });
      assert.deepEqual((await books('chg_tree')).map((r) => r.label), ['root', 'leaf']);
      await assert.rejects(db.kysely.insertInto('chg_tree').values({ label: 'orphan', parent_id: 999_999 }).execute());
      await db.kysely.deleteFrom('chg_tree').where('id', '=', root).execute();
      assert.equal((await books('chg_tree')).length, 0);
    });

    test('a table rename keeps rows, foreign keys and indexes, and unapplies', async () => {
      const dir = await v1();
      const Volume = model('chg_volume', {
        title: field.string({ maxLength: 100 }),
        pages: field.integer({ nullable: true }),
        author: field.foreignKey(() => Author, { onDelete: 'cascade' }),
      });
      await apply(dir, [Author, Volume], { renames: { tables: { chg_book: 'chg_volume' } } });
      assert.deepEqual((await books('chg_volume')).map((b) => b.title), ['Dune', 'Emma']);
      assert.equal((await tableNames(db.kysely)).includes('chg_book'), false);
      await assert.rejects(db.kysely.insertInto('chg_volume').values({ title: 'x', author_id: 999_999 }).execute());
      // cascade still works through the renamed table's key
      await db.kysely.insertInto('chg_author').values({ name: 'Gone' }).execute();
      const gone = norm.id((await db.kysely.selectFrom('chg_author').select('id').where('name', '=', 'Gone').executeTakeFirstOrThrow()).id);
      await db.kysely.insertInto('chg_volume').values({ title: 'Temp', author_id: gone }).execute();
      await db.kysely.deleteFrom('chg_author').where('id', '=', gone).execute();
      assert.equal((await books('chg_volume')).length, 2);
      assert.equal((await migrate({ url: db.url, dir, target: '0001_initial' })).error, undefined);
      assert.deepEqual((await books()).map((b) => b.title), ['Dune', 'Emma']);
      await assert.rejects(db.kysely.insertInto('chg_book').values({ title: 'x', author_id: 999_999 }).execute());
      // applied again from the rolled-back state
      assert.equal((await migrate({ url: db.url, dir })).error, undefined);
      assert.deepEqual(await recorded(db.kysely), ['0001_initial', '0002_rename_chg_book_chg_volume_and_more']);
    });

    test('one-off defaults fill existing rows: an added NOT NULL column and a column that becomes NOT NULL', async () => {
      const dir = await v1();
      const Filled = model('chg_book', {
        title: field.string({ maxLength: 100 }),
        pages: field.integer(),
        author: field.foreignKey(() => Author, { onDelete: 'cascade' }),
        status: field.string({ maxLength: 10 }),
        featured: field.boolean(),
      });
      const questions: string[] = [];
      const answers: Record<string, string> = { 'chg_book.status': 'draft', 'chg_book.pages': '1' };
      await apply(dir, [Author, Filled], {
        defaults: { 'chg_book.featured': true },
        prompt: (q) => {
          assert.equal(q.kind, 'default');
          questions.push(q.kind === 'default' ? `${q.table}.${q.column} ${q.reason}` : '');
          return q.kind === 'default' ? answers[`${q.table}.${q.column}`]! : false;
        },
      });
      assert.deepEqual(questions, ['chg_book.status addColumn', 'chg_book.pages notNull']);
      const rows = await books();
      assert.deepEqual(
        rows.map((r) => [r.title, norm.int(r.pages), r.status, norm.bool(r.featured)]),
        [
          ['Dune', 412, 'draft', true],
          ['Emma', 1, 'draft', true],
        ],
      );
      await assert.rejects(db.kysely.insertInto('chg_book').values({ title: 'x', author_id: norm.id(rows[0]!.author_id), pages: null, status: 's', featured: 0 }).execute());
      assert.equal((await migrate({ url: db.url, dir, target: '0001_initial' })).error, undefined);
      assert.deepEqual(await columnNames(db.kysely, 'chg_book'), ['author_id', 'id', 'pages', 'title']);
    });

    test('type, length and unique changes keep the values, and unapply', async () => {
      const dir = await v1();
      const Changed = model('chg_book', {
        title: field.string({ maxLength: 150, unique: true }),
        pages: field.bigint({ nullable: true }),
        author: field.foreignKey(() => Author, { onDelete: 'cascade' }),
      });
      await apply(dir, [Author, Changed]);
      const rows = await books();
      assert.deepEqual(
        rows.map((r) => [r.title, r.pages === null ? null : String(r.pages)]),
        [
          ['Dune', '412'],
          ['Emma', null],
        ],
      );
      await db.kysely.insertInto('chg_book').values({ title: 'z'.repeat(150), pages: 9_007_199_254_740_993n.toString(), author_id: norm.id(rows[0]!.author_id) }).execute();
      await assert.rejects(db.kysely.insertInto('chg_book').values({ title: 'Dune', author_id: norm.id(rows[0]!.author_id) }).execute());
      await db.kysely.deleteFrom('chg_book').where('title', '=', 'z'.repeat(150)).execute();
      assert.equal((await migrate({ url: db.url, dir, target: '0001_initial' })).error, undefined);
      await db.kysely.insertInto('chg_book').values({ title: 'Dune', author_id: norm.id(rows[0]!.author_id) }).execute();
      assert.equal((await books()).length, 3);
    });

    test('a one-to-one becomes a foreign key and back, with rows pointing at it', async () => {
      const dir = await v1();
      const Profile1 = model('chg_volume', { owner: field.oneToOne(() => Author, { onDelete: 'cascade' }) });
      await apply(dir, [Author, Book, Profile1]);
      const author = norm.id((await db.kysely.selectFrom('chg_author').select('id').executeTakeFirstOrThrow()).id);
      await db.kysely.insertInto('chg_volume').values({ owner_id: author }).execute();
      await assert.rejects(db.kysely.insertInto('chg_volume').values({ owner_id: author }).execute());
      const Profile2 = model('chg_volume', { owner: field.foreignKey(() => Author, { onDelete: 'cascade' }) });
      await apply(dir, [Author, Book, Profile2]);
      await db.kysely.insertInto('chg_volume').values({ owner_id: author }).execute();
      await assert.rejects(db.kysely.insertInto('chg_volume').values({ owner_id: 999_999 }).execute());
      await db.kysely.deleteFrom('chg_volume').where('id', '=', norm.id((await books('chg_volume'))[1]!.id)).execute();
      assert.equal((await migrate({ url: db.url, dir, target: '0002' })).error, undefined);
      await assert.rejects(db.kysely.insertInto('chg_volume').values({ owner_id: author }).execute());
      assert.equal((await books('chg_volume')).length, 1);
    });

    test('a foreign key becomes a one-to-one and back', async () => {
      const dir = await v1();
      const Owned = model('chg_book', {
        title: field.string({ maxLength: 100 }),
        pages: field.integer({ nullable: true }),
        author: field.oneToOne(() => Author, { onDelete: 'cascade' }),
      });
      await db.kysely.deleteFrom('chg_book').where('title', '=', 'Emma').execute();
      const made = await makeMigrations({ models: [Author, Owned], dir });
      assert.ok(made.changed);
      // The unique constraint is in place before the index goes: a foreign key always has one.
      assert.deepEqual(made.operations, ['Alter column chg_book.author_id (bigint, not null, unique)', 'Remove index chg_book_author_id_idx from chg_book']);
      assert.equal((await migrate({ url: db.url, dir })).error, undefined);
      const author = norm.id((await books())[0]!.author_id);
      await assert.rejects(db.kysely.insertInto('chg_book').values({ title: 'Again', author_id: author }).execute());
      assert.equal((await migrate({ url: db.url, dir, target: '0001_initial' })).error, undefined);
      await db.kysely.insertInto('chg_book').values({ title: 'Again', author_id: author }).execute();
      assert.equal((await books()).length, 2);
    });

    test('tables that reference each other are created and dropped', async () => {
      const dir = await v1();
      const A: AnyModel = model('cyc_a', { b: field.foreignKey(() => B, { nullable: true, onDelete: 'setNull' }) });
      const B: AnyModel = model('cyc_b', { a: field.foreignKey(() => A, { nullable: true, onDelete: 'setNull' }) });
      await apply(dir, [Author, Book, A, B]);
      await db.kysely.insertInto('cyc_a').values({ b_id: null }).execute();
      const a = norm.id((await db.kysely.selectFrom('cyc_a').select('id').executeTakeFirstOrThrow()).id);
      await db.kysely.insertInto('cyc_b').values({ a_id: a }).execute();
      await assert.rejects(db.kysely.insertInto('cyc_b').values({ a_id: 999_999 }).execute());
      await apply(dir, [Author, Book]);
      assert.deepEqual(await tableNames(db.kysely), ['chg_author', 'chg_book', 'rampart_migrations']);
      assert.equal((await migrate({ url: db.url, dir, target: '0002' })).error, undefined);
      assert.deepEqual(await tableNames(db.kysely), ['chg_author', 'chg_book', 'cyc_a', 'cyc_b', 'rampart_migrations']);
    });
  });
}
