/**
 * aggregate() and aggregateBy() on SQLite, PostgreSQL and MariaDB with the same tests: every
 * function, the same result types on every database, filters, groups, empty sets, and hostile
 * names and specs with exact errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Aggregates } from '../../src/db/index.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { Author, Book, countRows, queryError, setup, type Setup } from './support.ts';

for (const target of databaseTargets()) {
  describe(`aggregates on ${target.name}`, { skip: target.skip }, () => {
    let s: Setup;
    let ann: { id: number };
    let bob: { id: number };

    before(async () => {
      s = await setup(target.name);
      ann = await s.db.query(Author).create({ name: 'Ann', email: 'ann@example.com' });
      bob = await s.db.query(Author).create({ name: 'Bob', email: 'bob@example.com' });
      await s.db.query(Book).bulkCreate([
        { title: 'Alpha', slug: 'alpha', author_id: ann.id, pages: 100, price: '10.50', rating: 4.5, big: 9007199254740993n, published: '2024-02-29' },
        { title: 'Beta', slug: 'beta', author_id: ann.id, pages: 300, price: '9.99', rating: 3, big: 1n, published: '2021-01-01' },
        { title: 'Gamma', slug: 'gamma', author_id: bob.id, pages: null, price: '100.00', rating: 1, status: 'live' },
      ]);
    });
    after(async () => {
      await s?.done();
    });

    test('each function, with the same types on every database', async () => {
      const r = await s.db.query(Book).aggregate({
        n: { count: '*' },
        withPages: { count: 'pages' },
        authors: { countDistinct: 'author_id' },
        pages: { sum: 'pages' },
        avgPages: { avg: 'pages' },
        big: { sum: 'big' },
        price: { sum: 'price' },
        cheapest: { min: 'price' },
        dearest: { max: 'price' },
        first: { min: 'published' },
        newest: { max: 'created' },
        title: { min: 'title' },
      });
      assert.deepEqual({ ...r, newest: undefined }, {
        n: 3,
        withPages: 2,
        authors: 2,
        pages: 400,
        avgPages: 200,
        big: 9007199254740994n,
        price: '120.49',
        cheapest: '9.99',
        dearest: '100.00',
        first: '2021-01-01',
        newest: undefined,
        title: 'Alpha',
      });
      assert.ok(r.newest instanceof Date);
      // Compile-time types follow the fields.
      const n: number = r.n;
      const big: bigint | null = r.big;
      const price: string | null = r.price;
      const newest: Date | null = r.newest;
      void [n, big, price, newest];
    });

    test('filters apply, and an empty set gives 0 counts and null for the rest', async () => {
      const live = await s.db.query(Book).filter({ status: 'live' }).aggregate({ n: { count: '*' }, price: { sum: 'price' } });
      assert.deepEqual(live, { n: 1, price: '100.00' });
      const none = await s.db.query(Book).filter({ title: 'nothing' }).aggregate({ n: { count: '*' }, pages: { sum: 'pages' }, avg: { avg: 'rating' }, top: { max: 'pages' } });
      assert.deepEqual(none, { n: 0, pages: null, avg: null, top: null });
      const viaRelation = await s.db.query(Book).filter({ author__name: 'Ann' }).aggregate({ pages: { sum: 'pages' } });
      assert.deepEqual(viaRelation, { pages: 400 });
    });

    test('aggregateBy groups, orders by the keys and reads the keys with their types', async () => {
      const perAuthor = await s.db.query(Book).aggregateBy(['author_id'], { books: { count: '*' }, pages: { sum: 'pages' } });
      assert.deepEqual(perAuthor, [
        { author_id: ann.id, books: 2, pages: 400 },
        { author_id: bob.id, books: 1, pages: null },
      ]);
      const byStatus = await s.db.query(Book).aggregateBy(['status', 'author_id'], { rating: { avg: 'rating' } });
      assert.deepEqual(byStatus, [
        { status: 'draft', author_id: ann.id, rating: 3.75 },
        { status: 'live', author_id: bob.id, rating: 1 },
      ]);
      assert.deepEqual(await s.db.query(Book).limit(1).aggregateBy(['author_id'], { n: { count: '*' } }), [{ author_id: ann.id, n: 2 }]);
    });

    test('hostile names and specs: exact errors, nothing run, nothing changed', async () => {
      const q = s.db.query(Book);
      const agg = (spec: unknown) => q.aggregate(spec as Aggregates<typeof Book>);
      await assert.rejects(agg({ n: { sum: 'title' } }), queryError('E_DB_QUERY_FIELD', "sum needs a number field; 'title' is string."));
      await assert.rejects(agg({ n: { max: 'meta' } }), queryError('E_DB_QUERY_FIELD', "max needs a field with an order; 'meta' is json."));
      await assert.rejects(agg({ n: { sum: 'pages; drop table lib_book' } }), queryError('E_DB_QUERY_FIELD', /^Unknown field 'pages; drop table lib_book' for lib_book\./));
      await assert.rejects(agg({ 'n"; drop table lib_book; --': { count: '*' } }), queryError('E_DB_QUERY_FIELD', `Invalid aggregate name 'n"; drop table lib_book; --': use letters, digits and _.`));
      await assert.rejects(agg({ n: { count: '*', sum: 'pages' } }), queryError('E_DB_QUERY_VALUE', "Aggregate 'n' must have exactly one of: count, countDistinct, sum, avg, min, max."));
      await assert.rejects(agg({ n: { median: 'pages' } }), queryError('E_DB_QUERY_VALUE', "Aggregate 'n' must have exactly one of: count, countDistinct, sum, avg, min, max."));
      await assert.rejects(agg({ n: { sum: ['pages'] } }), queryError('E_DB_QUERY_FIELD', "Aggregate 'n' names its field with a string."));
      await assert.rejects(agg({ n: 'count(*)' }), queryError('E_DB_QUERY_VALUE', "Aggregate 'n' must be an object such as { sum: 'field' }."));
      await assert.rejects(agg({}), queryError('E_DB_QUERY_VALUE', 'aggregate() needs at least one aggregate.'));
      await assert.rejects(agg([]), queryError('E_DB_QUERY_VALUE', 'aggregate() takes an object of named aggregates.'));
      const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, { count: '*' }]));
      await assert.rejects(agg(many), queryError('E_DB_QUERY_VALUE', 'aggregate() takes at most 50 aggregates.'));
      await assert.rejects(q.aggregateBy([], { n: { count: '*' } }), queryError('E_DB_QUERY_VALUE', 'aggregateBy() needs at least one field to group by.'));
      await assert.rejects(q.aggregateBy(['author_id'], { author_id: { count: '*' } }), queryError('E_DB_QUERY_FIELD', "Aggregate name 'author_id' is also a group key; choose another."));
      await assert.rejects(q.aggregateBy(['nope' as 'title'], { n: { count: '*' } }), /Unknown field 'nope' for lib_book/);
      assert.equal(await countRows(s.db, 'lib_book'), 3);
    });
  });
}
