/**
 * Filter keys that follow relations (`author__name`, `book__author__email`, `tags__name`) and
 * alternatives (`filterAny`), on SQLite, PostgreSQL and MariaDB with the same tests: forward
 * foreign keys, two hops, many-to-many, exclude() with a nullable foreign key, update and delete
 * through them, and hostile keys and values with exact errors and no row changed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect, field, MAX_RELATION_HOPS, model, type AnyModel, type Where } from '../../src/db/index.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { Author, Book, Review, Tag, countRows, queryError, setup, type Setup } from './support.ts';

const INJECTIONS = ["' OR 1=1 --", '"; DROP TABLE lib_book; --', "x') OR ('1'='1", '\u{1F600} 𝔘𝔫𝔦', '%', '_'];

for (const target of databaseTargets()) {
  describe(`relation lookups on ${target.name}`, { skip: target.skip }, () => {
    let s: Setup;
    let ann: { id: number };
    let bob: { id: number };
    const slugs = async (where: Where<typeof Book>, not = false): Promise<string[]> =>
      (await (not ? s.db.query(Book).exclude(where) : s.db.query(Book).filter(where)).orderBy('slug').all()).map((b) => b.slug);

    before(async () => {
      s = await setup(target.name);
      ann = await s.db.query(Author).create({ name: 'Ann', email: 'ann@example.com' });
      bob = await s.db.query(Author).create({ name: 'Bob 100%', email: 'bob@example.com', active: false });
      await s.db.query(Book).bulkCreate([
        { title: 'Alpha', slug: 'alpha', author_id: ann.id, editor_id: bob.id },
        { title: 'Beta', slug: 'beta', author_id: ann.id },
        { title: 'Gamma', slug: 'gamma', author_id: bob.id, editor_id: ann.id },
      ]);
      const byslug = new Map((await s.db.query(Book).all()).map((b) => [b.slug, b.id]));
      const news = await s.db.query(Tag).create({ name: 'news' });
      const old = await s.db.query(Tag).create({ name: 'old' });
      await s.db.related(Book, byslug.get('alpha')!, 'tags').add(news.id, old.id);
      await s.db.related(Book, byslug.get('gamma')!, 'tags').add(old.id);
      await s.db.query(Review).bulkCreate([
        { book_id: byslug.get('alpha')!, stars: 5 },
        { book_id: byslug.get('alpha')!, stars: 4 },
        { book_id: byslug.get('gamma')!, stars: 1 },
      ]);
    });
    after(async () => {
      await s?.done();
    });

    test('a foreign key followed to a field of its target, with any lookup', async () => {
      assert.deepEqual(await slugs({ author__name: 'Ann' }), ['alpha', 'beta']);
      assert.deepEqual(await slugs({ author__name__icontains: 'bob' }), ['gamma']);
      assert.deepEqual(await slugs({ author__active: false }), ['gamma']);
      assert.deepEqual(await slugs({ author__email__in: ['ann@example.com', 'nobody@example.com'] }), ['alpha', 'beta']);
      assert.deepEqual(await slugs({ author__name__contains: '%' }), ['gamma'], 'the wildcard matches itself only');
      assert.deepEqual(await slugs({ author__name__contains: '_' }), []);
      // Lookups on the foreign key's own column still work as before.
      assert.deepEqual(await slugs({ author_id__in: [bob.id] }), ['gamma']);
      assert.deepEqual(await slugs({ editor_id__isnull: true }), ['beta']);
    });

    test('two relations deep, and every row once however many related rows match', async () => {
      const reviews = await s.db.query(Review).filter({ book__author__name: 'Ann' }).orderBy('stars').all();
      assert.deepEqual(reviews.map((r) => r.stars), [4, 5]);
      assert.equal(await s.db.query(Review).filter({ book__tags__name: 'old' }).count(), 3);
      // Alpha has both tags: it is listed once.
      assert.deepEqual(await slugs({ tags__name__in: ['news', 'old'] }), ['alpha', 'gamma']);
    });

    test('many-to-many by the related id and by the related fields', async () => {
      const old = (await s.db.query(Tag).filter({ name: 'old' }).first())!;
      assert.deepEqual(await slugs({ tags: old.id }), ['alpha', 'gamma']);
      assert.deepEqual(await slugs({ tags__in: [old.id] }), ['alpha', 'gamma']);
      assert.deepEqual(await slugs({ tags__id: old.id }), ['alpha', 'gamma']);
      assert.deepEqual(await slugs({ tags__name: 'news' }), ['alpha']);
      assert.deepEqual(await slugs({ tags__name__startswith: 'n', author__name: 'Bob 100%' }), []);
    });

    test('exclude() negates the whole condition and keeps rows whose foreign key is null', async () => {
      assert.deepEqual(await slugs({ editor__name: 'Bob 100%' }, true), ['beta', 'gamma']);
      assert.deepEqual(await slugs({ tags__name: 'old' }, true), ['beta']);
      assert.deepEqual(await slugs({ author__active: true }, true), ['gamma']);
    });

    test('update and delete through a relation change exactly the matching rows', async () => {
      assert.equal(await s.db.query(Book).filter({ author__name: 'Bob 100%' }).update({ title: 'Gamma 2' }), 1);
      assert.equal(await s.db.query(Book).filterAny([{ slug: 'alpha' }, { author__name: 'nobody' }]).update({ summary: 'first' }), 1);
      assert.deepEqual((await s.db.query(Book).filter({ summary: 'first' }).all()).map((b) => b.slug), ['alpha']);
      assert.deepEqual((await s.db.query(Book).orderBy('slug').all()).map((b) => b.title), ['Alpha', 'Beta', 'Gamma 2']);
      const before = await countRows(s.db, 'lib_review');
      assert.equal(await s.db.query(Review).filter({ book__slug: 'gamma', stars__lte: 1 }).delete(), 1);
      assert.equal(await countRows(s.db, 'lib_review'), before - 1);
    });

    test('filterAny: rows matching any of the filters, combined with the others by AND', async () => {
      const any = async (q: ReturnType<typeof s.db.query<typeof Book>>) => (await q.orderBy('slug').all()).map((b) => b.slug);
      assert.deepEqual(await any(s.db.query(Book).filterAny([{ title: 'Alpha' }, { author__name: 'Bob 100%' }])), ['alpha', 'gamma']);
      assert.deepEqual(await any(s.db.query(Book).filter({ author__name: 'Ann' }).filterAny([{ slug: 'alpha' }, { slug: 'gamma' }])), ['alpha']);
      assert.deepEqual(await any(s.db.query(Book).filterAny([{ slug: 'beta', title: 'nope' }, { tags__name: 'news' }])), ['alpha'], 'each alternative is an AND');
      assert.deepEqual(await any(s.db.query(Book).filterAny([])), [], 'no alternative matches nothing');
      assert.equal(await s.db.query(Book).filterAny([{ slug: 'alpha' }, { slug: 'beta' }]).count(), 2);
    });

    test('filterAny: hostile input is refused with exact errors', () => {
      const q = s.db.query(Book);
      assert.throws(() => q.filterAny('slug=alpha' as never), queryError('E_DB_QUERY_VALUE', 'filterAny() takes an array of filters.'));
      assert.throws(() => q.filterAny([null as never]), queryError('E_DB_QUERY_VALUE', 'A filter must be an object of field lookups.'));
      assert.throws(() => q.filterAny([{ slug: 'a' }, { nmae: 'x' } as never]), queryError('E_DB_QUERY_FIELD', /^Unknown field 'nmae' for lib_book\./));
      assert.throws(() => q.filterAny(Array.from({ length: 101 }, () => ({ slug: 'a' }))), queryError('E_DB_QUERY_VALUE', 'filterAny() takes at most 100 filters.'));
    });

    test('orderBy follows foreign keys: one and two relations, both directions', async () => {
      const books = await s.db.query(Book).orderBy('-author__name', 'slug').all();
      assert.deepEqual(books.map((b) => b.slug), ['gamma', 'alpha', 'beta']);
      const edited = await s.db.query(Book).filter({ editor_id__isnull: false }).orderBy('editor__name').all();
      assert.deepEqual(edited.map((b) => b.slug), ['gamma', 'alpha']);
      // Two relations deep works at run time; the types stop at one ('as' below). The 1-star review
      // of gamma was deleted by an earlier test.
      const gamma = (await s.db.query(Book).filter({ slug: 'gamma' }).first())!;
      const extra = await s.db.query(Review).create({ book_id: gamma.id, stars: 3 });
      const reviews = await s.db.query(Review).orderBy('-book__author__name' as '-book__id', 'stars').all();
      assert.deepEqual(reviews.map((r) => r.stars), [3, 4, 5], "Bob's book first, then Ann's by stars");
      await s.db.query(Review).filter({ id: extra.id }).delete();
      // With select-related (its own joins) and only() (the related key is not a column of the row).
      const joined = await s.db.query(Book).selectRelated('author').only('slug').orderBy('author__email', 'slug').all();
      assert.deepEqual(joined.map((b) => [b.slug, b.author?.name]), [['alpha', 'Ann'], ['beta', 'Ann'], ['gamma', 'Bob 100%']]);
      assert.equal(await s.db.query(Book).orderBy('author__name').count(), 3);
    });

    test('orderBy through relations refuses hostile names, and cursors refuse related keys', async () => {
      const order = (key: string) => () => s.db.query(Book).orderBy(key as 'slug');
      assert.throws(order('author__nmae'), queryError('E_DB_QUERY_FIELD', "Unknown field 'nmae' for lib_author. Known fields: id, name, email, active."));
      assert.throws(order('-author__name; drop table lib_book'), queryError('E_DB_QUERY_FIELD', /^Unknown field 'name; drop table lib_book' for lib_author\./));
      assert.throws(order('tags__name'), queryError('E_DB_QUERY_FIELD', /^Unknown field 'tags__name' for lib_book\./));
      assert.throws(order('__proto____name'), queryError('E_DB_QUERY_FIELD', /^Unknown field '__proto____name' for lib_book\./));
      await assert.rejects(
        s.db.query(Book).orderBy('author__name').paginate({ size: 2 }),
        queryError('E_DB_QUERY_FIELD', "Cursor pagination orders by the model's own fields; 'author__name' follows a relation. Use offset() and limit() for this order."),
      );
      assert.deepEqual((await s.db.query(Book).orderBy('author__name', 'slug').offset(1).limit(1).all()).map((b) => b.slug), ['beta']);
    });

    test('injection payloads as values are plain values: nothing matches, nothing changes', async () => {
      for (const payload of INJECTIONS) {
        assert.deepEqual(await slugs({ author__name: payload }), [], payload);
        assert.deepEqual(await slugs({ tags__name__icontains: payload }), [], payload);
        assert.equal(await s.db.query(Review).filter({ book__author__email: payload }).count(), 0, payload);
      }
      assert.equal(await countRows(s.db, 'lib_book'), 3);
      assert.equal(await countRows(s.db, 'lib_author'), 2);
    });

    test('hostile keys from a query string: exact errors, nothing run', async () => {
      const q = (where: Record<string, unknown>) => () => s.db.query(Book).filter(where as Where<typeof Book>);
      assert.throws(q({ author__nmae: 'x' }), queryError('E_DB_QUERY_FIELD', "Unknown field 'nmae' for lib_author. Known fields: id, name, email, active (filter key 'author__nmae')."));
      assert.throws(q({ author__name__like: 'x' }), queryError('E_DB_QUERY_LOOKUP', /^Unknown lookup 'like' in 'name__like'.* \(filter key 'author__name__like'\)\.$/));
      assert.throws(q({ 'author__name; drop table lib_book': 'x' }), queryError('E_DB_QUERY_FIELD', /^Unknown field 'name; drop table lib_book' for lib_author\..* \(filter key 'author__name; drop table lib_book'\)\.$/));
      assert.throws(q({ __proto__x__name: 'x' }), queryError('E_DB_QUERY_FIELD', /^Unknown field '__proto__x__name' for lib_book\./));
      assert.throws(q({ constructor__name: 'x' }), queryError('E_DB_QUERY_FIELD', /^Unknown field 'constructor__name' for lib_book\./));
      assert.throws(q({ author__name: { $ne: 'x' } }), queryError('E_DB_QUERY_VALUE', /^Invalid value for 'name'.* \(filter key 'author__name'\)\.$/));
      assert.throws(q({ author__active: 'maybe' }), queryError('E_DB_QUERY_VALUE', /^Invalid value for 'active'.* \(filter key 'author__active'\)\.$/));
      assert.throws(q({ tags__name__in: 'news' }), queryError('E_DB_QUERY_VALUE', "Invalid value for 'name__in': expected an array of values (filter key 'tags__name__in')."));
      assert.equal(await countRows(s.db, 'lib_book'), 3);
    });
  });
}

// A model that points at itself: a key from user input could follow it forever.
const Folder = model('lib_folder', {
  name: field.string({ maxLength: 50 }),
  parent: field.foreignKey((): AnyModel => Folder, { onDelete: 'cascade', nullable: true }),
});

test(`a key may follow at most ${MAX_RELATION_HOPS} relations (a self-referencing model from user input)`, async () => {
  const db = await connect({ url: 'sqlite::memory:', models: [Folder] });
  try {
    const key = (hops: number) => `${'parent__'.repeat(hops)}name`;
    assert.doesNotThrow(() => db.query(Folder).filter({ [key(MAX_RELATION_HOPS)]: 'x' } as Where<typeof Folder>));
    for (const hops of [MAX_RELATION_HOPS + 1, 1000]) {
      assert.throws(() => db.query(Folder).filter({ [key(hops)]: 'x' } as Where<typeof Folder>), queryError('E_DB_QUERY_FIELD', `A filter key may follow at most ${MAX_RELATION_HOPS} relations (filter key '${key(hops).slice(0, 200)}').`));
      assert.throws(() => db.query(Folder).orderBy(key(hops) as 'name'), queryError('E_DB_QUERY_FIELD', `An order-by key may follow at most ${MAX_RELATION_HOPS} relations.`));
    }
    assert.doesNotThrow(() => db.query(Folder).orderBy(`-${key(MAX_RELATION_HOPS)}` as 'name'));
  } finally {
    await db.close();
  }
});
