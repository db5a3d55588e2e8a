/**
 * The model layer end to end on SQLite, PostgreSQL and MariaDB with the same tests: create with
 * defaults and validation, lookups, ordering, slicing, counting, update, delete with every
 * onDelete, relations without N+1, cursor pagination, and hostile input with exact outcomes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IntegrityError, QueryError, ValidationError } from '../../src/db/index.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { Author, Book, Review, Tag, countRows, setup, type Setup } from './support.ts';

const INJECTIONS = ["' OR 1=1 --", '"; DROP TABLE lib_book; --', "x'); DELETE FROM lib_author; --", '\u{1F600} emoji 𝔘𝔫𝔦', 'a\\b', '%', '_'];

for (const target of databaseTargets()) {
  describe(`queries on ${target.name}`, { skip: target.skip }, () => {
    let s: Setup;
    let ann: { id: number };
    let bob: { id: number };

    before(async () => {
      s = await setup(target.name);
      ann = await s.db.query(Author).create({ name: 'Ann', email: 'ann@example.com' });
      bob = await s.db.query(Author).create({ name: 'Bob', email: 'bob@example.com', active: false });
      await s.db.query(Book).bulkCreate([
        { title: 'Alpha', slug: 'alpha', author_id: ann.id, pages: 100, price: '10.50', published: '2024-02-29', meta: { tags: ['a'] } },
        { title: 'Beta 100%', slug: 'beta', author_id: ann.id, pages: 200, price: '5.00', rating: 4.5 },
        { title: 'Gamma_x', slug: 'gamma', author_id: bob.id, pages: null, status: 'live', big: 9007199254740993n },
      ]);
    });
    after(async () => {
      await s?.done();
    });

    test('create fills defaults, returns typed values and the id', async () => {
      const b = await s.db.query(Book).getOr404((await s.db.query(Book).filter({ slug: 'alpha' }).first())!.id);
      assert.equal(typeof b.id, 'number');
      assert.equal(b.summary, '');
      assert.equal(b.status, 'draft');
      assert.equal(b.price, '10.50');
      assert.equal(b.published, '2024-02-29');
      assert.ok(b.created instanceof Date);
      assert.ok(Math.abs(b.created.getTime() - Date.now()) < 60_000);
      assert.deepEqual(b.meta, { tags: ['a'] });
      assert.equal(b.author_id, ann.id);
      assert.equal(b.editor_id, null);
      const g = await s.db.query(Book).filter({ slug: 'gamma' }).first();
      assert.equal(g!.big, 9007199254740993n);
      const author = await s.db.query(Author).get(ann.id);
      assert.equal(author!.active, true);
      assert.equal((await s.db.query(Author).get(bob.id))!.active, false);
    });

    test('datetimes round-trip in UTC to the millisecond', async () => {
      const when = new Date('2030-06-15T23:59:58.123Z');
      const b = await s.db.query(Book).create({ title: 'Time', slug: 'time', author_id: ann.id, created: when });
      const back = await s.db.query(Book).get(b.id);
      assert.equal(back!.created.toISOString(), '2030-06-15T23:59:58.123Z');
      assert.equal(await s.db.query(Book).filter({ created__gte: when }).count(), 1);
      await s.db.query(Book).filter({ id: b.id }).delete();
    });

    test('validation returns every error keyed by field and writes nothing', async () => {
      const before = await countRows(s.db, 'lib_book');
      await assert.rejects(
        s.db.query(Book).create({ title: 'x'.repeat(201), slug: 'not a slug', author_id: 0, pages: 0, price: '123456.789', status: 'nope' as 'draft', published: '2023-02-30', site: 'javascript:alert(1)' }),
        (err: unknown) => {
          assert.ok(err instanceof ValidationError);
          assert.equal(err.status, 422);
          assert.deepEqual(Object.keys(err.errors).sort(), ['author_id', 'pages', 'price', 'published', 'site', 'slug', 'status', 'title']);
          assert.deepEqual(err.errors.title, ['Ensure this value has at most 200 characters (it has 201).']);
          assert.deepEqual(err.errors.pages, ['Ensure this value is greater than or equal to 1.']);
          assert.deepEqual(err.errors.status, ['Choose one of: draft, live, gone.']);
          assert.deepEqual(err.errors.published, ['Enter a valid date (YYYY-MM-DD).']);
          assert.deepEqual(err.errors.price, ['Ensure there are no more than 2 decimal places.']);
          return true;
        },
      );
      assert.equal(await countRows(s.db, 'lib_book'), before);
    });

    test('wrong types, out-of-range numbers and NUL bytes are validation errors naming the field', async () => {
      const before = await countRows(s.db, 'lib_book');
      const cases: [Record<string, unknown>, string, string][] = [
        [{ pages: 2147483648 }, 'pages', 'Ensure this value is between -2147483648 and 2147483647.'],
        [{ pages: '12' }, 'pages', 'Enter a whole number.'],
        [{ pages: 1.5 }, 'pages', 'Enter a whole number.'],
        [{ title: { $ne: 1 } }, 'title', 'Enter text.'],
        [{ title: ['a'] }, 'title', 'Enter text.'],
        [{ title: 'a\0b' }, 'title', 'Null characters are not allowed.'],
        [{ created: new Date('nope') }, 'created', 'Enter a valid date and time.'],
        [{ rating: Number.NaN }, 'rating', 'Enter a number.'],
        [{ big: 2n ** 63n }, 'big', `Ensure this value is between ${-(2n ** 63n)} and ${2n ** 63n - 1n}.`],
        [{ ref: 'not-a-uuid' }, 'ref', 'Enter a valid UUID.'],
        [{ nope: 1 }, 'nope', "Unknown field 'nope' for lib_book."],
      ];
      for (const [extra, key, message] of cases) {
        await assert.rejects(
          s.db.query(Book).create({ title: 'T', slug: 'ok-slug', author_id: ann.id, ...extra } as never),
          (err: unknown) => err instanceof ValidationError && err.errors[key]?.[0] === message,
          `${key}: ${message}`,
        );
      }
      assert.equal(await countRows(s.db, 'lib_book'), before);
    });

    test('4-byte unicode and injection payloads are stored and found literally', async () => {
      for (const [i, payload] of INJECTIONS.entries()) {
        const b = await s.db.query(Author).create({ name: payload, email: `p${i}@example.com` });
        const found = await s.db.query(Author).filter({ name: payload }).all();
        assert.deepEqual(found.map((r) => r.id), [b.id], payload);
        assert.equal(found[0]!.name, payload);
        for (const lookup of ['contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith'] as const) {
          const hits = await s.db.query(Author).filter({ [`name__${lookup}`]: payload } as never).all();
          assert.ok(hits.some((r) => r.id === b.id), `${lookup} ${payload}`);
          assert.ok(hits.every((r) => r.name.toLowerCase().includes(payload.toLowerCase())), `${lookup} ${payload} matched too much`);
        }
        assert.equal(await s.db.query(Author).filter({ name__in: [payload, 'zz'] }).count(), 1);
        assert.equal(await s.db.query(Author).filter({ name__gt: payload }).exists(), await s.db.query(Author).filter({ name__gt: payload }).exists());
      }
      assert.equal(await countRows(s.db, 'lib_book'), 3, 'no table was dropped');
      await s.db.query(Author).filter({ email__startswith: 'p' }).delete();
      assert.equal(await s.db.query(Author).count(), 2);
    });

    test("contains treats % and _ literally", async () => {
      assert.deepEqual((await s.db.query(Book).filter({ title__contains: '%' }).all()).map((b) => b.slug), ['beta']);
      assert.deepEqual((await s.db.query(Book).filter({ title__contains: '_' }).all()).map((b) => b.slug), ['gamma']);
      assert.deepEqual((await s.db.query(Book).filter({ title__icontains: 'A_X' }).all()).map((b) => b.slug), ['gamma']);
      assert.equal(await s.db.query(Book).filter({ title__contains: 'ALPHA' }).count(), 0, 'contains is case-sensitive');
      assert.equal(await s.db.query(Book).filter({ title__icontains: 'ALPHA' }).count(), 1);
    });

    test('lookups: exact, in, comparisons, isnull, exclude', async () => {
      const q = s.db.query(Book);
      assert.deepEqual((await q.filter({ pages__gte: 150 }).all()).map((b) => b.slug), ['beta']);
      assert.deepEqual((await q.filter({ pages__lt: 150 }).all()).map((b) => b.slug), ['alpha']);
      assert.deepEqual((await q.filter({ pages__isnull: true }).all()).map((b) => b.slug), ['gamma']);
      assert.deepEqual((await q.filter({ slug__in: ['gamma', 'alpha'] }).all()).map((b) => b.slug), ['alpha', 'gamma']);
      assert.deepEqual((await q.filter({ slug__in: [] }).all()).map((b) => b.slug), []);
      assert.deepEqual((await q.exclude({ author_id: ann.id }).all()).map((b) => b.slug), ['gamma']);
      assert.deepEqual((await q.filter({ author: ann.id } as never).all()).map((b) => b.slug), ['alpha', 'beta']);
      assert.deepEqual((await q.filter({ price__gt: '6' }).all()).map((b) => b.slug), ['alpha']);
      assert.deepEqual((await q.filter({ published: '2024-02-29' }).all()).map((b) => b.slug), ['alpha']);
      assert.equal(await q.filter({ status: 'live' }).count(), 1);
      assert.equal(await q.filter({ rating__gt: 4 }).count(), 1);
    });

    test('filter keys and values from a query string are checked', async () => {
      const q = s.db.query(Book);
      const params = new URLSearchParams('pages__gte=150&slug__startswith=b');
      const rows = await q.filter(Object.fromEntries(params) as never).all();
      assert.deepEqual(rows.map((b) => b.slug), ['beta']);
      const bad: [Record<string, unknown>, string, string][] = [
        [{ 'title; DROP TABLE lib_book': 'x' }, 'E_DB_QUERY_FIELD', "Unknown field 'title; DROP TABLE lib_book' for lib_book."],
        [{ 'pages__gte) OR 1=1 --': 1 }, 'E_DB_QUERY_LOOKUP', "Unknown lookup 'gte) OR 1=1 --' in 'pages__gte) OR 1=1 --'."],
        [{ 'nope__gte': 1 }, 'E_DB_QUERY_FIELD', "Unknown field 'nope' for lib_book."],
        [{ title__regex: '.*' }, 'E_DB_QUERY_LOOKUP', "Unknown lookup 'regex' in 'title__regex'."],
        [{ pages: "1 OR 1=1" }, 'E_DB_QUERY_VALUE', "Invalid value for 'pages': expected a whole number."],
        [{ pages: '99999999999' }, 'E_DB_QUERY_VALUE', "Invalid value for 'pages': the number is out of range."],
        [{ title: { $gt: '' } }, 'E_DB_QUERY_VALUE', "Invalid value for 'title': expected a single value, not an object or array."],
        [{ title: ['a', 'b'] }, 'E_DB_QUERY_VALUE', "Invalid value for 'title': expected a single value, not an object or array."],
        [{ title: 'a\0' }, 'E_DB_QUERY_VALUE', "Invalid value for 'title': null characters are not allowed."],
        [{ created__gt: 'yesterday' }, 'E_DB_QUERY_VALUE', "Invalid value for 'created': expected a date and time (ISO 8601)."],
        [{ published: '2023-13-01' }, 'E_DB_QUERY_VALUE', "Invalid value for 'published': expected a date (YYYY-MM-DD)."],
        [{ pages__in: 'abc' }, 'E_DB_QUERY_VALUE', "Invalid value for 'pages__in': expected an array of values."],
        [{ pages__contains: '1' }, 'E_DB_QUERY_LOOKUP', "Lookup 'contains' needs a text field; 'pages' is integer."],
        [{ __proto__: 'x', constructor: 1 }, 'E_DB_QUERY_FIELD', "Unknown field 'constructor' for lib_book."],
      ];
      for (const [where, code, message] of bad) {
        assert.throws(
          () => q.filter(where as never),
          (err: unknown) => err instanceof QueryError && err.code === code && err.status === 400 && err.message.startsWith(message),
          JSON.stringify(where),
        );
      }
      assert.equal(await countRows(s.db, 'lib_book'), 3);
    });

    test('order by user input is checked against the model', async () => {
      const q = s.db.query(Book);
      assert.deepEqual((await q.orderBy('-pages' as never).filter({ pages__isnull: false }).all()).map((b) => b.slug), ['beta', 'alpha']);
      assert.deepEqual((await q.all()).map((b) => b.slug), ['alpha', 'beta', 'gamma'], 'model ordering');
      for (const name of ['title; DROP TABLE lib_book', 'title desc', '(select 1)', '-', '--title', 'author__nmae', 'tags__name', 'author__name desc']) {
        assert.throws(() => q.orderBy(name as never), (err: unknown) => err instanceof QueryError && err.code === 'E_DB_QUERY_FIELD', name);
      }
      assert.deepEqual((await q.orderBy('author_id', '-title').all()).map((b) => b.slug), ['beta', 'alpha', 'gamma']);
    });

    test('limit, offset, first, count, exists, get and getOr404', async () => {
      const q = s.db.query(Book);
      assert.deepEqual((await q.limit(2).all()).map((b) => b.slug), ['alpha', 'beta']);
      assert.deepEqual((await q.offset(1).limit(1).all()).map((b) => b.slug), ['beta']);
      assert.equal((await q.first())!.slug, 'alpha');
      assert.equal(await q.count(), 3);
      assert.equal(await q.filter({ slug: 'nope' }).exists(), false);
      assert.equal(await q.get(999999), undefined);
      await assert.rejects(q.getOr404(999999), (err: unknown) => (err as { status: number }).status === 404);
      await assert.rejects(q.getOr404('1 OR 1=1'), (err: unknown) => (err as { status: number }).status === 404);
      assert.throws(() => q.limit(-1), QueryError);
      assert.throws(() => q.limit(1e9), QueryError);
    });

    test('update validates, changes only matching rows and refreshes autoNow', async () => {
      const alpha = (await s.db.query(Book).filter({ slug: 'alpha' }).first())!;
      await new Promise((r) => setTimeout(r, 5));
      assert.equal(await s.db.query(Book).filter({ slug: 'alpha' }).update({ pages: 120 }), 1);
      const after = (await s.db.query(Book).get(alpha.id))!;
      assert.equal(after.pages, 120);
      assert.ok(after.updated.getTime() > alpha.updated.getTime());
      await assert.rejects(s.db.query(Book).filter({ slug: 'alpha' }).update({ pages: -1 }), ValidationError);
      assert.equal((await s.db.query(Book).get(alpha.id))!.pages, 120);
    });

    test('unique violations are IntegrityError naming the field', async () => {
      await assert.rejects(s.db.query(Book).create({ title: 'Dup', slug: 'alpha', author_id: ann.id }), (err: unknown) => {
        assert.ok(err instanceof IntegrityError);
        assert.equal(err.code, 'E_DB_UNIQUE');
        assert.equal(err.field, 'slug');
        assert.equal(err.status, 409);
        return true;
      });
      await assert.rejects(s.db.query(Book).create({ title: 'Orphan', slug: 'orphan', author_id: 999999 }), (err: unknown) => err instanceof IntegrityError && err.code === 'E_DB_FOREIGN_KEY');
    });

    test('selectRelated joins foreign keys in one query', async () => {
      const rows = await s.db.query(Book).selectRelated('author', 'editor').all();
      assert.equal(rows.length, 3);
      assert.equal(rows[0]!.author!.name, 'Ann');
      assert.equal(rows[0]!.author!.active, true);
      assert.equal(rows[2]!.author!.name, 'Bob');
      assert.equal(rows[2]!.author!.active, false);
      assert.equal(rows[0]!.editor, null);
    });

    test('many-to-many: add, remove, set, and prefetch without N+1', async () => {
      const [t1, t2] = await s.db.query(Tag).bulkCreate([{ name: 'sf' }, { name: 'classic' }]);
      const [alpha, beta] = await s.db.query(Book).limit(2).all();
      await s.db.related(Book, alpha!.id, 'tags').add(t1!.id, t2!.id, t1!.id);
      await s.db.related(Book, beta!.id, 'tags').set([t2!.id]);
      const rows = await s.db.query(Book).prefetch('tags').all();
      assert.deepEqual(rows.map((r) => r.tags.map((t) => t.name)), [['sf', 'classic'], ['classic'], []]);
      await s.db.related(Book, alpha!.id, 'tags').remove(t1!.id);
      assert.deepEqual((await s.db.related(Book, alpha!.id, 'tags').all()).map((t) => t.name), ['classic']);
      const authors = await s.db.query(Author).orderBy('name').prefetch('books').all();
      assert.deepEqual(authors.map((a) => a.books.map((b) => b.slug)), [['alpha', 'beta'], ['gamma']]);
    });

    test('cursor pagination walks every row once and refuses forged cursors', async () => {
      const extra = Array.from({ length: 7 }, (_, i) => ({ title: `Page ${String(i).padStart(2, '0')}`, slug: `page-${i}`, author_id: bob.id }));
      await s.db.query(Book).bulkCreate(extra);
      const seen: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 10; i++) {
        const page: { items: { slug: string }[]; next: string | null } = await s.db.query(Book).orderBy('-title').paginate({ size: 4, after });
        seen.push(...page.items.map((b) => b.slug));
        after = page.next;
        if (after === null) break;
      }
      const all = (await s.db.query(Book).orderBy('-title').all()).map((b) => b.slug);
      assert.deepEqual(seen, all);
      for (const forged of ['not-base64!', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[1]').toString('base64url'), Buffer.from(JSON.stringify([{ x: 1 }, 1])).toString('base64url')]) {
        await assert.rejects(s.db.query(Book).orderBy('-title').paginate({ size: 4, after: forged }), (err: unknown) => err instanceof QueryError && err.status === 400);
      }
      await s.db.query(Book).filter({ slug__startswith: 'page-' }).delete();
    });

    test('transactions commit, roll back, and nest with savepoints', async () => {
      const before = await s.db.query(Tag).count();
      await s.db.transaction(async () => {
        await s.db.query(Tag).create({ name: 'kept' });
        await assert.rejects(
          s.db.transaction(async () => {
            await s.db.query(Tag).create({ name: 'inner' });
            throw new Error('inner fails');
          }),
          /inner fails/,
        );
      });
      assert.deepEqual((await s.db.query(Tag).filter({ name__in: ['kept', 'inner'] }).all()).map((t) => t.name), ['kept']);
      await assert.rejects(
        s.db.transaction(async () => {
          await s.db.query(Tag).create({ name: 'lost' });
          throw new Error('outer fails');
        }),
        /outer fails/,
      );
      assert.equal(await s.db.query(Tag).count(), before + 1);
    });

    test('delete follows onDelete: protect refuses, setNull clears, cascade removes', async () => {
      const carl = await s.db.query(Author).create({ name: 'Carl', email: 'carl@example.com' });
      const book = await s.db.query(Book).create({ title: 'Carl book', slug: 'carl', author_id: carl.id, editor_id: ann.id });
      await s.db.query(Review).create({ book_id: book.id, stars: 5 });
      const books = await countRows(s.db, 'lib_book');
      await assert.rejects(s.db.query(Author).filter({ id: carl.id }).delete(), (err: unknown) => err instanceof IntegrityError && err.code === 'E_DB_PROTECTED' && err.message.includes('lib_review'));
      assert.equal(await countRows(s.db, 'lib_book'), books, 'nothing deleted');
      await s.db.query(Review).filter({ book_id: book.id }).delete();
      const editedBefore = await s.db.query(Book).filter({ editor_id: ann.id }).count();
      assert.equal(editedBefore, 1);
      assert.equal(await s.db.query(Author).filter({ id: carl.id }).delete(), 1);
      assert.equal(await s.db.query(Book).filter({ slug: 'carl' }).exists(), false, 'cascade');
      const dave = await s.db.query(Author).create({ name: 'Dave', email: 'dave@example.com' });
      const b2 = await s.db.query(Book).create({ title: 'Edited', slug: 'edited', author_id: ann.id, editor_id: dave.id });
      await s.db.query(Author).filter({ id: dave.id }).delete();
      assert.equal((await s.db.query(Book).get(b2.id))!.editor_id, null, 'setNull');
      await s.db.query(Book).filter({ id: b2.id }).delete();
    });
  });
}
