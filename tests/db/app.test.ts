/**
 * The data layer inside an app: per-request transactions (ATOMIC_REQUESTS), getOr404, validation
 * and query errors becoming 422/400 answers, and the pool closed by app.close().
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { group, rampart } from '../../src/index.ts';
import { testClient } from '../../src/testing/index.ts';
import { databaseTargets } from '../helpers/databases.ts';
import { Author, Tag, countRows, setup, type Setup } from './support.ts';

for (const target of databaseTargets()) {
  describe(`data layer in an app on ${target.name}`, { skip: target.skip }, () => {
    let s: Setup;
    before(async () => {
      s = await setup(target.name);
      await s.db.query(Author).create({ name: 'Ann', email: 'ann@example.com' });
    });
    after(async () => s?.done());

    function makeApp() {
      const app = rampart({ logLevel: 'silent' });
      const api = group();
      api.use(s.db.atomicRequests());
      api.post('/tags/fail', async () => {
        await s.db.query(Tag).create({ name: 'never' });
        throw new Error('boom');
      });
      api.post('/tags/500', async () => {
        await s.db.query(Tag).create({ name: 'never500' });
        return new Response('no', { status: 503 });
      });
      api.post('/tags/ok', async () => {
        await s.db.query(Tag).create({ name: 'kept' });
        return { ok: true };
      });
      app.mount('/api', api);
      app.get('/authors/:id', (req) => s.db.query(Author).getOr404(req.params.id));
      app.get('/authors', (req) => s.db.query(Author).filter(Object.fromEntries(req.query) as never).orderBy((req.query.get('sort') ?? 'name') as never).all());
      app.post('/authors', async (req) => s.db.query(Author).create((await req.json()) as never));
      return app;
    }

    test('a request that throws or answers 5xx rolls back; a good one commits', async () => {
      const client = testClient(makeApp());
      const before = await countRows(s.db, 'lib_tag');
      assert.equal((await client.post('/api/tags/fail')).status, 500);
      assert.equal((await client.post('/api/tags/500')).status, 503);
      assert.equal(await countRows(s.db, 'lib_tag'), before);
      assert.equal((await client.post('/api/tags/ok')).status, 200);
      assert.equal(await countRows(s.db, 'lib_tag'), before + 1);
    });

    test('getOr404 with a hostile id is 404; query errors are 400; validation is 422 with fields', async () => {
      const client = testClient(makeApp());
      assert.equal((await client.get('/authors/1')).status, 200);
      assert.equal((await client.get("/authors/1%20OR%201=1")).status, 404);
      assert.equal((await client.get('/authors/999999')).status, 404);
      const bad = await client.get('/authors?sort=name;drop%20table%20lib_author');
      assert.equal(bad.status, 400);
      assert.equal(bad.json<{ error: { code: string } }>().error.code, 'E_DB_QUERY_FIELD');
      const inj = await client.get("/authors?name=' OR 1=1 --");
      assert.equal(inj.status, 200);
      assert.deepEqual(inj.json(), []);
      const before = await countRows(s.db, 'lib_author');
      const v = await client.post('/authors', { json: { name: 'x'.repeat(101), email: 'nope', is_superuser: true } });
      assert.equal(v.status, 422);
      const body = v.json<{ error: { code: string; details: { fields: Record<string, string[]> } } }>();
      assert.equal(body.error.code, 'E_DB_VALIDATION');
      assert.deepEqual(Object.keys(body.error.details.fields).sort(), ['email', 'is_superuser', 'name']);
      assert.equal(await countRows(s.db, 'lib_author'), before);
    });
  });
}
