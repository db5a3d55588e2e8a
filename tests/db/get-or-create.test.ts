/**
 * getOrCreate() and updateOrCreate() on SQLite, PostgreSQL and MariaDB: both paths, concurrent
 * callers racing for one unique row (one row, one `created`), inside a caller's transaction, and
 * bad lookups and values with exact errors and no row written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ValidationError } from '../../src/db/index.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { Author, Book, Tag, countRows, queryError, setup, type Setup } from './support.ts';

const RACERS = 8;

for (const target of databaseTargets()) {
  describe(`getOrCreate and updateOrCreate on ${target.name}`, { skip: target.skip }, () => {
    let s: Setup;
    let ann: { id: number };

    before(async () => {
      s = await setup(target.name);
      ann = await s.db.query(Author).create({ name: 'Ann', email: 'ann@example.com' });
    });
    after(async () => {
      await s?.done();
    });

    test('gets the row that exists, creates the one that does not, and says which', async () => {
      const made = await s.db.query(Tag).getOrCreate({ name: 'news' });
      assert.equal(made.created, true);
      const again = await s.db.query(Tag).getOrCreate({ name: 'news' });
      assert.deepEqual(again, { row: made.row, created: false });
      const book = await s.db.query(Book).getOrCreate({ slug: 'alpha' }, { title: 'Alpha', author_id: ann.id, pages: 10 });
      assert.equal(book.created, true);
      assert.deepEqual([book.row.title, book.row.pages], ['Alpha', 10]);
      // Defaults are only for creating: an existing row comes back unchanged.
      const same = await s.db.query(Book).getOrCreate({ slug: 'alpha' }, { title: 'Other', author_id: ann.id });
      assert.deepEqual([same.created, same.row.title], [false, 'Alpha']);
    });

    test(`${RACERS} callers racing to create one unique row: one row, one created`, async () => {
      const results = await Promise.all(Array.from({ length: RACERS }, () => s.db.query(Tag).getOrCreate({ name: 'race' })));
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(new Set(results.map((r) => r.row.id)).size, 1);
      assert.equal(await s.db.query(Tag).filter({ name: 'race' }).count(), 1);
    });

    test('inside a caller transaction, a lost race leaves that transaction usable', async () => {
      await s.db.query(Tag).create({ name: 'taken' });
      await s.db.transaction(async () => {
        const r = await s.db.query(Tag).getOrCreate({ name: 'taken' });
        assert.equal(r.created, false);
        // The caller's transaction goes on.
        await s.db.query(Tag).create({ name: 'after' });
      });
      assert.equal(await s.db.query(Tag).filter({ name: 'after' }).count(), 1);
    });

    test('updateOrCreate updates the row it finds and creates the one it does not', async () => {
      const created = await s.db.query(Book).updateOrCreate({ slug: 'beta' }, { title: 'Beta', author_id: ann.id, pages: 5 });
      assert.deepEqual([created.created, created.row.pages], [true, 5]);
      const updated = await s.db.query(Book).updateOrCreate({ slug: 'beta' }, { pages: 6 });
      assert.deepEqual([updated.created, updated.row.id, updated.row.pages, updated.row.title], [false, created.row.id, 6, 'Beta']);
      const results = await Promise.all(Array.from({ length: RACERS }, (_, i) => s.db.query(Book).updateOrCreate({ slug: 'gamma' }, { title: 'Gamma', author_id: ann.id, pages: i + 1 })));
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(await s.db.query(Book).filter({ slug: 'gamma' }).count(), 1);
    });

    test('bad lookups and invalid values: exact errors, nothing written', async () => {
      const books = await countRows(s.db, 'lib_book');
      const tags = await countRows(s.db, 'lib_tag');
      await assert.rejects(s.db.query(Tag).getOrCreate({ name__icontains: 'x' } as never), queryError('E_DB_QUERY_FIELD', "getOrCreate() looks rows up by exact field values; 'name__icontains' is not a field of lib_tag."));
      await assert.rejects(s.db.query(Tag).getOrCreate({ 'name; drop table lib_tag': 'x' } as never), queryError('E_DB_QUERY_FIELD', "getOrCreate() looks rows up by exact field values; 'name; drop table lib_tag' is not a field of lib_tag."));
      await assert.rejects(s.db.query(Tag).updateOrCreate(null as never, {}), queryError('E_DB_QUERY_VALUE', 'updateOrCreate() takes an object of field values.'));
      await assert.rejects(s.db.query(Tag).getOrCreate({ name: { $ne: '' } } as never), queryError('E_DB_QUERY_VALUE', /^Invalid value for 'name'/));
      // A row that cannot be created (no author) is a validation error naming the field.
      await assert.rejects(s.db.query(Book).getOrCreate({ slug: 'delta' }, { title: 'Delta' }), (err: unknown) => err instanceof ValidationError && 'author_id' in err.errors);
      await assert.rejects(s.db.query(Book).getOrCreate({ slug: 'epsilon' }, { title: 'x'.repeat(201), author_id: ann.id }), (err: unknown) => err instanceof ValidationError && 'title' in err.errors);
      assert.equal(await countRows(s.db, 'lib_book'), books);
      assert.equal(await countRows(s.db, 'lib_tag'), tags);
    });
  });
}
