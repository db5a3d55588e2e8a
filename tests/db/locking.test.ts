/**
 * forUpdate() and increment() on SQLite, PostgreSQL and MariaDB: concurrent read-then-write
 * transactions lose no update; outside a transaction forUpdate is refused; skipLocked and noWait
 * behave as on the servers; concurrent increments are all kept, and bad amounts change nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DatabaseError, QueryError } from '../../src/db/index.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { Author, Book, setup, type Setup } from './support.ts';

const WORKERS = 8;

/** A promise and the function that settles it, to hold a transaction open until told. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

for (const target of databaseTargets()) {
  describe(`forUpdate on ${target.name}`, { skip: target.skip }, () => {
    let s: Setup;
    let ids: number[];

    before(async () => {
      s = await setup(target.name);
      const ann = await s.db.query(Author).create({ name: 'Ann', email: 'ann@example.com' });
      const books = await s.db.query(Book).bulkCreate(['a', 'b', 'c'].map((slug) => ({ title: slug, slug, author_id: ann.id, pages: 1 })));
      ids = books.map((b) => b.id);
    });
    after(async () => {
      await s?.done();
    });

    test(`${WORKERS} concurrent read-then-write transactions lose no update`, async () => {
      const id = ids[0]!;
      await Promise.all(
        Array.from({ length: WORKERS }, () =>
          s.db.transaction(async () => {
            const b = await s.db.query(Book).forUpdate().getOr404(id);
            // Give the other transactions time to read the same row, as a slow handler would.
            await new Promise((r) => setTimeout(r, 5));
            await s.db.query(Book).filter({ id }).update({ pages: (b.pages ?? 0) + 1 });
          }),
        ),
      );
      assert.equal((await s.db.query(Book).get(id))!.pages, 1 + WORKERS);
    });

    test('outside a transaction it is refused before anything runs', async () => {
      await assert.rejects(s.db.query(Book).forUpdate().all(), (err: unknown) => {
        assert.ok(err instanceof DatabaseError);
        assert.equal(err.code, 'E_DB_LOCK_OUTSIDE_TRANSACTION');
        assert.equal(err.message, 'forUpdate() locks rows until the transaction ends, so it needs one: run the query inside db.transaction(async () => ...).');
        return true;
      });
      await assert.rejects(s.db.query(Book).forUpdate().get(ids[0]!), (err: unknown) => err instanceof DatabaseError && err.code === 'E_DB_LOCK_OUTSIDE_TRANSACTION');
      assert.throws(() => s.db.query(Book).forUpdate({ skipLocked: true, noWait: true }), (err: unknown) => err instanceof QueryError && err.message === 'forUpdate() takes skipLocked or noWait, not both.');
    });

    test('with select-related joins and filters, inside atomic work', async () => {
      const rows = await s.db.transaction(() => s.db.query(Book).filter({ slug__in: ['b', 'c'] }).selectRelated('author').forUpdate().orderBy('slug').all());
      assert.deepEqual(rows.map((r) => [r.slug, r.author?.name]), [['b', 'Ann'], ['c', 'Ann']]);
    });

    // Two transactions at once need two connections: the servers' pools have them; SQLite runs one
    // transaction at a time per process, so there is nothing another one could hold.
    test('skipLocked leaves out the rows another transaction holds; noWait fails at once', { skip: target.name === 'sqlite' ? 'SQLite runs one transaction at a time per process' : false }, async () => {
      const held = gate();
      const locked = gate();
      const holder = s.db.transaction(async () => {
        await s.db.query(Book).forUpdate().get(ids[1]!);
        locked.open();
        await held.wait;
      });
      await locked.wait;
      try {
        const free = await s.db.transaction(() => s.db.query(Book).forUpdate({ skipLocked: true }).orderBy('slug').all());
        assert.deepEqual(free.map((b) => b.slug), ['a', 'c']);
        const started = Date.now();
        await assert.rejects(s.db.transaction(() => s.db.query(Book).filter({ id: ids[1]! }).forUpdate({ noWait: true }).all()));
        assert.ok(Date.now() - started < 5_000, 'noWait did not wait for the lock');
      } finally {
        held.open();
        await holder;
      }
      // Released with the transaction: the row can be locked again.
      const again = await s.db.transaction(() => s.db.query(Book).filter({ id: ids[1]! }).forUpdate({ noWait: true }).all());
      assert.equal(again.length, 1);
    });

    test(`increment(): ${WORKERS} concurrent increments without a transaction are all kept`, async () => {
      const id = ids[2]!;
      const before = (await s.db.query(Book).get(id))!;
      await Promise.all(Array.from({ length: WORKERS }, () => s.db.query(Book).filter({ id }).increment({ pages: 2, big: 9007199254740993n, rating: 0.5 })));
      const after = (await s.db.query(Book).get(id))!;
      assert.equal(after.pages, (before.pages ?? 0) + 2 * WORKERS);
      assert.equal(after.big, before.big + 9007199254740993n * BigInt(WORKERS));
      assert.equal(after.rating, before.rating + 0.5 * WORKERS);
      assert.ok(after.updated.getTime() >= before.updated.getTime(), 'autoNow is refreshed');
    });

    test('increment(): a filter guards a limit; the count of changed rows comes back', async () => {
      const id = ids[2]!;
      const pages = (await s.db.query(Book).get(id))!.pages!;
      assert.equal(await s.db.query(Book).filter({ id, pages__gte: pages + 1 }).increment({ pages: -1 }), 0);
      assert.equal(await s.db.query(Book).filter({ id, pages__gte: 1 }).increment({ pages: -1 }), 1);
      assert.equal((await s.db.query(Book).get(id))!.pages, pages - 1);
      assert.equal(await s.db.query(Book).filter({ slug: 'nothing' }).increment({ pages: 1 }), 0);
      assert.equal(await s.db.query(Book).filter({ id }).increment({}), 0);
    });

    test('increment(): wrong fields and amounts are refused with exact errors, nothing changed', async () => {
      const id = ids[2]!;
      const before = (await s.db.query(Book).get(id))!;
      const inc = (amounts: Record<string, unknown>) => s.db.query(Book).filter({ id }).increment(amounts as never);
      const cases: [Record<string, unknown>, string, string][] = [
        [{ price: 1 }, 'E_DB_QUERY_FIELD', "increment() takes integer, bigint and float fields; 'price' is decimal. For other fields, read and write in a transaction with forUpdate()."],
        [{ title: 1 }, 'E_DB_QUERY_FIELD', "increment() takes integer, bigint and float fields; 'title' is string. For other fields, read and write in a transaction with forUpdate()."],
        [{ author_id: 1 }, 'E_DB_QUERY_FIELD', "increment() takes integer, bigint and float fields; 'author_id' is foreignKey. For other fields, read and write in a transaction with forUpdate()."],
        [{ pages: 1.5 }, 'E_DB_QUERY_VALUE', "Invalid amount for 'pages': expected a whole number."],
        [{ pages: '1' }, 'E_DB_QUERY_VALUE', "Invalid amount for 'pages': expected a whole number."],
        [{ pages: '1; drop table lib_book' }, 'E_DB_QUERY_VALUE', "Invalid amount for 'pages': expected a whole number."],
        [{ pages: { $inc: 1 } }, 'E_DB_QUERY_VALUE', "Invalid amount for 'pages': expected a whole number."],
        [{ rating: Number.NaN }, 'E_DB_QUERY_VALUE', "Invalid amount for 'rating': expected a finite number."],
        [{ rating: Number.POSITIVE_INFINITY }, 'E_DB_QUERY_VALUE', "Invalid amount for 'rating': expected a finite number."],
        [{ big: 2 ** 60 }, 'E_DB_QUERY_VALUE', "Invalid amount for 'big': expected a whole number."],
        [{ 'pages = 0, title': 1 }, 'E_DB_QUERY_FIELD', "Unknown field 'pages = 0, title' for lib_book. Known fields: id, title, slug, summary, pages, big, rating, price, published, created, updated, meta, ref, site, status, author_id, editor_id."],
      ];
      for (const [amounts, code, message] of cases) {
        await assert.rejects(inc(amounts), (err: unknown) => err instanceof QueryError && err.code === code && err.message === message, JSON.stringify(amounts));
      }
      await assert.rejects(s.db.query(Book).increment(null as never), (err: unknown) => err instanceof QueryError && err.message === 'increment() takes an object of field amounts.');
      const after = (await s.db.query(Book).get(id))!;
      assert.deepEqual({ ...after, updated: null }, { ...before, updated: null });
      assert.equal(after.updated.getTime(), before.updated.getTime(), 'a refused increment refreshes nothing');
    });
  });
}
