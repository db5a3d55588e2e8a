/**
 * only() on SQLite, PostgreSQL and MariaDB: the asked fields plus id and the ordering fields, typed
 * values, with select-related, prefetch, get() and cursor pagination; unknown names refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databaseTargets } from '../helpers/databases.ts';
import { Author, Book, Tag, queryError, setup, type Setup } from './support.ts';

for (const target of databaseTargets()) {
  describe(`only() on ${target.name}`, { skip: target.skip }, () => {
    let s: Setup;
    let alphaId: number;

    before(async () => {
      s = await setup(target.name);
      const ann = await s.db.query(Author).create({ name: 'Ann', email: 'ann@example.com' });
      const books = await s.db.query(Book).bulkCreate([
        { title: 'Alpha', slug: 'alpha', author_id: ann.id, big: 9007199254740993n },
        { title: 'Beta', slug: 'beta', author_id: ann.id },
        { title: 'Gamma', slug: 'gamma', author_id: ann.id },
      ]);
      alphaId = books[0]!.id;
      const tag = await s.db.query(Tag).create({ name: 'news' });
      await s.db.related(Book, alphaId, 'tags').add(tag.id);
    });
    after(async () => {
      await s?.done();
    });

    test('the asked fields, id, and the fields of the ordering; values typed', async () => {
      const rows = await s.db.query(Book).only('big', 'created').orderBy('slug').all();
      assert.deepEqual(rows.map((r) => Object.keys(r).sort()), Array.from({ length: 3 }, () => ['big', 'created', 'id', 'slug']));
      assert.equal(rows[0]!.big, 9007199254740993n);
      assert.ok(rows[0]!.created instanceof Date);
      // The model's own ordering (title) is read too.
      const byDefault = await s.db.query(Book).only('slug').all();
      assert.deepEqual(Object.keys(byDefault[0]!).sort(), ['id', 'slug', 'title']);
      const one = await s.db.query(Book).only('slug').orderBy('id').get(alphaId);
      assert.deepEqual(one, { id: alphaId, slug: 'alpha' });
    });

    test('with select-related, prefetch and cursor pagination', async () => {
      const rows = await s.db.query(Book).only('slug').selectRelated('author').prefetch('tags').orderBy('slug').all();
      assert.deepEqual(rows.map((r) => [r.slug, r.author?.name, r.tags.map((t) => t.name)]), [['alpha', 'Ann', ['news']], ['beta', 'Ann', []], ['gamma', 'Ann', []]]);
      const first = await s.db.query(Book).only('title').orderBy('-slug').paginate({ size: 2 });
      assert.deepEqual(first.items.map((b) => b.title), ['Gamma', 'Beta']);
      const second = await s.db.query(Book).only('title').orderBy('-slug').paginate({ size: 2, after: first.next });
      assert.deepEqual(second.items.map((b) => b.title), ['Alpha']);
      assert.equal(second.next, null);
    });

    test('unknown or hostile names are refused before any SQL', () => {
      assert.throws(() => s.db.query(Book).only('nope' as 'title'), queryError('E_DB_QUERY_FIELD', /^Unknown field 'nope' for lib_book\./));
      assert.throws(() => s.db.query(Book).only('title, (select 1)' as 'title'), queryError('E_DB_QUERY_FIELD', /^Unknown field 'title, \(select 1\)' for lib_book\./));
      assert.throws(() => s.db.query(Book).only('tags' as 'title'), queryError('E_DB_QUERY_FIELD', /^Unknown field 'tags' for lib_book\./));
    });
  });
}
