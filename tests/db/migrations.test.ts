/**
 * The migration round trip on SQLite, PostgreSQL and MariaDB with the same test code: models v1 ->
 * makeMigrations -> migrate -> rows inserted with raw Kysely -> models v2 (added, changed, removed
 * columns, an index, a foreign key on an existing column and on a new one, a many-to-many) ->
 * makeMigrations -> migrate -> every row still there with its values -> back to v1 -> rows still
 * there -> forward again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { field, makeMigrations, migrate, model, showMigrations, sql } from 'rampart/db';
import { databaseTargets } from '../helpers/databases.ts';
import { columnNames, filesIn, norm, openDb, recorded, removeDirs, tableNames, tempDir, write, type Db } from './fixtures-migrations/helpers.ts';

const AuthorV1 = model('rt_author', { name: field.string({ maxLength: 100 }) });
const TagV1 = model('rt_tag', { name: field.string({ maxLength: 50 }) });
const PostV1 = model('rt_post', {
  title: field.string({ maxLength: 100 }),
  body: field.text(),
  summary: field.text({ nullable: true }),
  legacy: field.integer(),
  views: field.integer({ default: 0 }),
  price: field.decimal({ maxDigits: 8, decimalPlaces: 2 }),
  published: field.boolean({ default: false }),
  created: field.datetime(),
  meta: field.json({ nullable: true }),
  editor_id: field.bigint({ nullable: true }),
});

const AuthorV2 = model('rt_author', { name: field.string({ maxLength: 100 }) });
const TagV2 = model('rt_tag', { name: field.string({ maxLength: 50 }) });
const PostV2 = model(
  'rt_post',
  {
    title: field.string({ maxLength: 200 }),
    body: field.text(),
    views: field.integer({ default: 0 }),
    price: field.decimal({ maxDigits: 8, decimalPlaces: 2 }),
    published: field.boolean({ default: false }),
    created: field.datetime(),
    meta: field.json({ nullable: true }),
    editor: field.foreignKey(() => AuthorV2, { nullable: true, onDelete: 'setNull' }),
    slug: field.slug({ default: 'none' }),
    rating: field.float({ nullable: true }),
    author: field.foreignKey(() => AuthorV2, { nullable: true, onDelete: 'cascade' }),
    tags: field.manyToMany(() => TagV2),
  },
  { indexes: [['published', 'created']] },
);

const V1 = [AuthorV1, TagV1, PostV1];
const V2 = [AuthorV2, TagV2, PostV2];

const POSTS = [
  { title: 'First', body: 'Hello\nworld', summary: 'short', legacy: 7, views: 3, price: '10.50', published: true, created: '2024-02-29T12:34:56.789Z', meta: { tags: ['a'], n: 1 } },
  { title: "O'Brien \"quoted\" ✓", body: '', summary: null, legacy: 8, views: 0, price: '0.05', published: false, created: '1999-12-31T23:59:59.000Z', meta: null },
  { title: 'x'.repeat(100), body: 'long', summary: 's', legacy: 9, views: 1000000, price: '999999.99', published: true, created: '2030-01-01T00:00:00.000Z', meta: [1, 'two'] },
];

for (const target of databaseTargets()) {
  describe(`migration round trip on ${target.name}`, { skip: target.skip }, () => {
    let db: Db;
    const dir = tempDir();
    let authorIds: number[] = [];

    before(async () => {
      db = await openDb(target.name);
    });
    after(async () => {
      await db?.done();
      removeDirs([dir]);
    });

    async function posts(): Promise<Record<string, unknown>[]> {
      return db.kysely.selectFrom('rt_post').selectAll().orderBy('id').execute();
    }

    test('v1: makeMigrations writes 0001_initial and migrate applies it', async () => {
      const made = await makeMigrations({ models: V1, dir });
      assert.equal(made.changed, true);
      assert.ok(made.changed);
      assert.equal(made.name, '0001_initial');
      assert.deepEqual(made.operations, ['Create table rt_author', 'Create table rt_post', 'Create table rt_tag']);
      const run = await migrate({ url: db.url, dir });
      assert.equal(run.error, undefined);
      assert.deepEqual(run.results, [{ name: '0001_initial', direction: 'up', status: 'success' }]);
      assert.deepEqual(await tableNames(db.kysely), ['rampart_migrations', 'rt_author', 'rt_post', 'rt_tag']);
    });

    test('v1: rows go in with raw Kysely', async () => {
      const d = db.dialect;
      for (const name of ['Ann', 'Bob']) await db.kysely.insertInto('rt_author').values({ name }).execute();
      authorIds = (await db.kysely.selectFrom('rt_author').select('id').orderBy('id').execute()).map((r) => norm.id(r.id));
      for (const [i, p] of POSTS.entries()) {
        await db.kysely
          .insertInto('rt_post')
          .values({
            ...p,
            published: write.bool(d, p.published),
            created: write.date(d, p.created),
            meta: p.meta === null ? null : write.json(d, p.meta),
            editor_id: i === 0 ? authorIds[1]! : null,
          })
          .execute();
      }
      await db.kysely.insertInto('rt_tag').values([{ name: 'news' }, { name: 'tech' }]).execute();
      assert.equal((await posts()).length, 3);
    });

    test('v2: makeMigrations writes the change in a safe order', async () => {
      const made = await makeMigrations({ models: V2, dir });
      assert.ok(made.changed);
      assert.equal(made.name, '0002_create_rt_post_tags_and_more');
      assert.deepEqual(made.operations, [
        'Create table rt_post_tags',
        'Add column rt_post.slug (varchar(50), not null)',
        'Add column rt_post.rating (double, null)',
        'Add column rt_post.author_id (bigint, null)',
        'Alter column rt_post.title (varchar(200), not null)',
        'Add index rt_post_author_id_idx on rt_post (author_id)',
        'Add index rt_post_editor_id_idx on rt_post (editor_id)',
        'Add index rt_post_published_created_idx on rt_post (published, created)',
        'Add foreign key rt_post.editor_id -> rt_author.id (on delete setNull)',
        'Add foreign key rt_post.author_id -> rt_author.id (on delete cascade)',
        'Remove column rt_post.summary',
        'Remove column rt_post.legacy',
      ]);
      // The model's literal default fills existing rows; the removed NOT NULL column keeps a
      // neutral value in the file so the migration can be unapplied.
      assert.match(made.source, /column: \{ name: 'slug', type: 'varchar', length: 50 \},\s+default: 'none',/);
      assert.match(made.source, /\{ op: 'removeColumn', table: 'rt_post', column: 'legacy', default: 0 \}/);
      assert.deepEqual(filesIn(dir), ['0001_initial.ts', '0002_create_rt_post_tags_and_more.ts']);
    });

    test('v2: migrate keeps every row and its values', async () => {
      const run = await migrate({ url: db.url, dir });
      assert.equal(run.error, undefined);
      assert.deepEqual(run.results, [{ name: '0002_create_rt_post_tags_and_more', direction: 'up', status: 'success' }]);
      const rows = await posts();
      assert.equal(rows.length, 3);
      rows.forEach((r, i) => {
        const p = POSTS[i]!;
        assert.equal(r.title, p.title);
        assert.equal(r.body, p.body);
        assert.equal(norm.int(r.views), p.views);
        assert.equal(norm.decimal(r.price), p.price);
        assert.equal(norm.bool(r.published), p.published);
        assert.equal(norm.date(r.created), p.created);
        assert.deepEqual(r.meta === null ? null : norm.json(r.meta), p.meta);
        assert.equal(r.slug, 'none');
        assert.equal(r.rating, null);
        assert.equal(r.author_id, null);
        assert.equal(r.editor_id === null ? null : norm.id(r.editor_id), i === 0 ? authorIds[1] : null);
      });
      assert.deepEqual(await columnNames(db.kysely, 'rt_post'), ['author_id', 'body', 'created', 'editor_id', 'id', 'meta', 'price', 'published', 'rating', 'slug', 'title', 'views']);
      assert.deepEqual(await tableNames(db.kysely), ['rampart_migrations', 'rt_author', 'rt_post', 'rt_post_tags', 'rt_tag']);
      assert.deepEqual(await recorded(db.kysely), ['0001_initial', '0002_create_rt_post_tags_and_more']);
    });

    test('v2: the new schema holds: longer titles, enforced foreign keys, the join table', async () => {
      const d = db.dialect;
      const base = { body: 'b', views: 0, price: '1.00', published: write.bool(d, false), created: write.date(d, '2024-01-01T00:00:00Z'), slug: 's' };
      await db.kysely.insertInto('rt_post').values({ ...base, title: 'y'.repeat(200), author_id: authorIds[0]! }).execute();
      await assert.rejects(db.kysely.insertInto('rt_post').values({ ...base, title: 'orphan', author_id: 999_999 }).execute());
      await assert.rejects(db.kysely.insertInto('rt_post').values({ ...base, title: 'orphan', editor_id: 999_999 }).execute());
      const postId = norm.id((await posts())[0]!.id);
      const tagId = norm.id((await db.kysely.selectFrom('rt_tag').select('id').orderBy('id').executeTakeFirstOrThrow()).id);
      await db.kysely.insertInto('rt_post_tags').values({ rt_post_id: postId, rt_tag_id: tagId }).execute();
      await assert.rejects(db.kysely.insertInto('rt_post_tags').values({ rt_post_id: postId, rt_tag_id: tagId }).execute());
      // on delete set null, through the foreign key added to the existing column
      await db.kysely.deleteFrom('rt_post').where('title', '=', 'y'.repeat(200)).execute();
      await db.kysely.deleteFrom('rt_post_tags').execute();
      await db.kysely.updateTable('rt_post').set({ editor_id: authorIds[1]! }).where('id', '=', postId).execute();
      await db.kysely.deleteFrom('rt_author').where('id', '=', authorIds[1]!).execute();
      const first = await db.kysely.selectFrom('rt_post').select('editor_id').where('id', '=', postId).executeTakeFirstOrThrow();
      assert.equal(first.editor_id, null);
    });

    test('v2: makeMigrations finds nothing more to do and writes nothing', async () => {
      assert.deepEqual(await makeMigrations({ models: V2, dir }), { changed: false, message: 'No changes detected' });
      assert.deepEqual(filesIn(dir), ['0001_initial.ts', '0002_create_rt_post_tags_and_more.ts']);
    });

    test('back to v1: rows are still there, removed columns come back refilled', async () => {
      const run = await migrate({ url: db.url, dir, target: '0001_initial' });
      assert.equal(run.error, undefined);
      assert.deepEqual(run.results, [{ name: '0002_create_rt_post_tags_and_more', direction: 'down', status: 'success' }]);
      const rows = await posts();
      assert.equal(rows.length, 3);
      rows.forEach((r, i) => {
        const p = POSTS[i]!;
        assert.equal(r.title, p.title);
        assert.equal(norm.decimal(r.price), p.price);
        assert.equal(norm.bool(r.published), p.published);
        assert.equal(norm.date(r.created), p.created);
        assert.deepEqual(r.meta === null ? null : norm.json(r.meta), p.meta);
        assert.equal(r.summary, null); // its data went with the column
        assert.equal(norm.int(r.legacy), 0); // the neutral default written in the file
      });
      assert.deepEqual(await columnNames(db.kysely, 'rt_post'), ['body', 'created', 'editor_id', 'id', 'legacy', 'meta', 'price', 'published', 'summary', 'title', 'views']);
      assert.deepEqual(await tableNames(db.kysely), ['rampart_migrations', 'rt_author', 'rt_post', 'rt_tag']);
      assert.deepEqual(await recorded(db.kysely), ['0001_initial']);
      const status = await showMigrations({ url: db.url, dir });
      assert.deepEqual(
        status.map((s) => [s.name, s.applied, s.appliedAt instanceof Date]),
        [
          ['0001_initial', true, true],
          ['0002_create_rt_post_tags_and_more', false, false],
        ],
      );
    });

    test('forward again, then zero unapplies everything', async () => {
      assert.equal((await migrate({ url: db.url, dir })).error, undefined);
      assert.equal((await posts()).length, 3);
      const run = await migrate({ url: db.url, dir, target: 'zero' });
      assert.equal(run.error, undefined);
      assert.deepEqual(
        run.results.map((r) => `${r.direction} ${r.name} ${r.status}`),
        ['down 0002_create_rt_post_tags_and_more success', 'down 0001_initial success'],
      );
      assert.deepEqual(await tableNames(db.kysely), ['rampart_migrations']);
      const count = await sql<{ n: number | string }>`select count(*) as n from rampart_migrations`.execute(db.kysely);
      assert.equal(Number(count.rows[0]!.n), 0);
    });
  });
}
