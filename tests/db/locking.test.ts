/**
 * forUpdate() on SQLite, PostgreSQL and MariaDB: concurrent read-then-write transactions lose no
 * update; outside a transaction it is refused; skipLocked and noWait behave as on the servers.
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
  });
}
