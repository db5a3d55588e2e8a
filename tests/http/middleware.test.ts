// Middleware and error handlers: onion order, short-circuits, response changes, misuse, and the
// order in which group and app error handlers see an error.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { rampart, group, json, text, HttpError, HttpResponse, RouteError, MiddlewareError, notFound, type Middleware, type Settings } from 'rampart';
import { testClient } from 'rampart/testing';

declare module 'rampart' {
  interface ContextVariables {
    middlewareTestUser?: string;
  }
}

const OUTSIDER = '203.0.113.5';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

function app(settings: Settings = {}) {
  return rampart({ env: 'test', ...settings });
}

describe('onion order', () => {
  test('middleware runs before and after the handler, app then group then inner group, and unwinds in reverse', async () => {
    const trail: string[] = [];
    const mark =
      (name: string): Middleware =>
      async (_req, next) => {
        trail.push(`${name} before`);
        const res = await next();
        trail.push(`${name} after`);
        return res;
      };
    const a = app();
    a.use(mark('app1'), mark('app2'));
    const outer = group().use(mark('outer'));
    const inner = group().use(mark('inner'));
    inner.get('/x', () => {
      trail.push('handler');
      return 'ok';
    });
    outer.mount('/in', inner);
    a.mount('/out', outer);
    const res = await testClient(a).get('/out/in/x');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'ok');
    assert.deepEqual(trail, [
      'app1 before',
      'app2 before',
      'outer before',
      'inner before',
      'handler',
      'inner after',
      'outer after',
      'app2 after',
      'app1 after',
    ]);
  });

  test('values set by middleware in req.var reach the handler', async () => {
    const a = app();
    a.use(async (req, next) => {
      req.var.middlewareTestUser = req.headers['x-user'] as string;
      return next();
    });
    a.get('/', (req) => ({ user: req.var.middlewareTestUser ?? null }));
    const res = await testClient(a).get('/', { headers: { 'x-user': 'ada' } });
    assert.equal(res.text, '{"user":"ada"}');
  });

  test('use() refuses something that is not a function', () => {
    const a = app();
    assert.throws(() => a.use('nope' as unknown as Middleware), (err: unknown) => err instanceof RouteError && err.code === 'E_MIDDLEWARE_INVALID');
  });
});

describe('short-circuit and response changes', () => {
  test('middleware that returns without calling next() answers early and the handler never runs', async () => {
    let handlerRan = false;
    const a = app();
    a.use(async (req, next) => {
      if (req.headers.authorization === undefined) return json({ error: 'login first' }, { status: 401 });
      return next();
    });
    a.get('/', () => {
      handlerRan = true;
      return 'secret';
    });
    const client = testClient(a);
    const res = await client.get('/');
    assert.equal(res.status, 401);
    assert.equal(res.text, '{"error":"login first"}');
    assert.equal(handlerRan, false);
    const ok = await client.get('/', { headers: { authorization: 'Bearer x' } });
    assert.equal(ok.text, 'secret');
    assert.equal(handlerRan, true);
  });

  test('a short-circuit answer may be a plain value, turned into a response like a handler result', async () => {
    const a = app();
    a.use(() => 'maintenance');
    a.get('/', () => 'home');
    const res = await testClient(a).get('/');
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), 'text/plain; charset=utf-8');
    assert.equal(res.text, 'maintenance');
  });

  test('an outer middleware sees an inner short-circuit as an HttpResponse from next()', async () => {
    const a = app();
    a.use(async (_req, next) => {
      const res = await next();
      assert.ok(res instanceof HttpResponse);
      return res.header('x-outer', String(res.status));
    });
    a.use(() => ({ blocked: true }));
    a.get('/', () => 'home');
    const res = await testClient(a).get('/');
    assert.equal(res.header('x-outer'), '200');
    assert.equal(res.text, '{"blocked":true}');
  });

  test('middleware can change the status, headers and body of the response from next()', async () => {
    const a = app();
    a.use(async (_req, next) => {
      const res = await next();
      res.status = 201;
      res.header('X-Took', '1ms');
      res.body = String(res.body).toUpperCase();
      return res;
    });
    a.get('/', () => 'hello');
    const res = await testClient(a).get('/');
    assert.equal(res.status, 201);
    assert.equal(res.header('x-took'), '1ms');
    assert.equal(res.header('content-type'), 'text/plain; charset=utf-8');
    assert.equal(res.header('content-length'), '5');
    assert.equal(res.text, 'HELLO');
  });

  test('middleware can replace the response from next() entirely', async () => {
    const a = app();
    a.use(async (_req, next) => {
      const inner = await next();
      return json({ wrapped: JSON.parse(String(inner.body)) as unknown, status: inner.status });
    });
    a.get('/', () => ({ id: 1 }));
    const res = await testClient(a).get('/');
    assert.equal(res.text, '{"wrapped":{"id":1},"status":200}');
  });

  test('middleware that awaits next() and returns nothing passes the response on', async () => {
    const a = app();
    let seen = 0;
    a.use(async (_req, next) => {
      const res = await next();
      seen = res.status;
    });
    a.get('/', () => text('made', { status: 202 }));
    const res = await testClient(a).get('/');
    assert.equal(res.status, 202);
    assert.equal(res.text, 'made');
    assert.equal(seen, 202);
  });

  test('a thrown HTTP error reaches middleware as a rejection of next()', async () => {
    const a = app();
    a.use(async (_req, next) => {
      try {
        return await next();
      } catch (err) {
        return text(`caught ${(err as HttpError).status}`, { status: 200 });
      }
    });
    a.get('/', () => {
      throw notFound();
    });
    const res = await testClient(a).get('/');
    assert.equal(res.text, 'caught 404');
  });
});

describe('middleware misuse', () => {
  test('calling next() twice rejects the second call with E_MIDDLEWARE_NEXT_TWICE and runs the handler once', async () => {
    let calls = 0;
    const a = app();
    a.use(async function twice(_req, next) {
      await next();
      try {
        await next();
        return 'second next() resolved';
      } catch (err) {
        return { isMiddlewareError: err instanceof MiddlewareError, code: (err as MiddlewareError).code, message: (err as Error).message };
      }
    });
    a.get('/', () => {
      calls++;
      return 'handler';
    });
    const res = await testClient(a).get('/');
    assert.deepEqual(res.json(), { isMiddlewareError: true, code: 'E_MIDDLEWARE_NEXT_TWICE', message: 'Middleware twice called next() twice.' });
    assert.equal(calls, 1);
  });

  test('an unhandled second next() is a 500 logged with E_MIDDLEWARE_NEXT_TWICE', async () => {
    const logs = capture();
    const a = app({ logLevel: 'error', logStream: logs.stream });
    a.use(async (_req, next) => {
      await next();
      return next();
    });
    a.get('/', () => 'handler');
    const res = await testClient(a).get('/', { remoteAddress: OUTSIDER });
    assert.equal(res.status, 500);
    assert.equal(res.text, '{"error":{"status":500,"message":"Internal Server Error"}}');
    const err = logs.lines().find((l) => l['level'] === 50)?.['err'] as { code?: string } | undefined;
    assert.equal(err?.code, 'E_MIDDLEWARE_NEXT_TWICE');
  });

  test('middleware that returns nothing without calling next() is a 500 with E_MIDDLEWARE_NO_RESPONSE in the logs', async () => {
    const logs = capture();
    const a = app({ logLevel: 'error', logStream: logs.stream });
    a.use(async function forgetful() {
      // forgot `return next()`
    });
    a.get('/', () => 'never');
    const res = await testClient(a).get('/', { remoteAddress: OUTSIDER });
    assert.equal(res.status, 500);
    assert.equal(res.text, '{"error":{"status":500,"message":"Internal Server Error"}}');
    const errors = logs.lines().filter((l) => l['level'] === 50);
    assert.equal(errors.length, 1);
    const err = errors[0]!['err'] as { type: string; code: string; message: string; hint: string };
    assert.equal(err.type, 'MiddlewareError');
    assert.equal(err.code, 'E_MIDDLEWARE_NO_RESPONSE');
    assert.equal(err.message, 'Middleware forgetful neither returned a response nor called next().');
    assert.match(err.hint, /return next\(\)/);
  });

  test('middleware that calls next() without awaiting or returning it still sends the response', async () => {
    const a = app();
    a.use((_req, next) => {
      void next();
    });
    a.get('/', () => 'made it');
    const res = await testClient(a).get('/');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'made it');
  });
});

describe('error handlers', () => {
  test('the innermost group error handler sees the error first; a rethrow passes it outward', async () => {
    const trail: string[] = [];
    const a = app();
    a.onError((err) => {
      trail.push(`app: ${(err as Error).message}`);
      return json({ handledBy: 'app', message: (err as Error).message }, { status: 502 });
    });
    const outer = group().onError((err) => {
      trail.push(`outer: ${(err as Error).message}`);
      throw new Error('rethrown by outer');
    });
    const inner = group().onError((err) => {
      trail.push(`inner: ${(err as Error).message}`);
      return undefined; // not mine: pass it on
    });
    inner.get('/boom', () => {
      throw new Error('boom');
    });
    outer.mount('/in', inner);
    a.mount('/out', outer);
    const res = await testClient(a).get('/out/in/boom');
    assert.equal(res.status, 502);
    assert.equal(res.text, '{"handledBy":"app","message":"rethrown by outer"}');
    assert.deepEqual(trail, ['inner: boom', 'outer: boom', 'app: rethrown by outer']);
  });

  test('an inner error handler that answers stops the error from reaching outer ones', async () => {
    let appSaw = false;
    const a = app();
    a.onError(() => {
      appSaw = true;
      return 'app';
    });
    const api = group().onError((err) => (err instanceof HttpError ? json({ apiError: err.status }, { status: err.status }) : undefined));
    api.get('/gone', () => {
      throw new HttpError(410, 'gone');
    });
    a.mount('/api', api);
    const res = await testClient(a).get('/api/gone');
    assert.equal(res.status, 410);
    assert.equal(res.text, '{"apiError":410}');
    assert.equal(appSaw, false);
  });

  test("a group's error handler does not see errors of the parent's routes", async () => {
    let groupSaw = false;
    const a = app();
    const g = group().onError(() => {
      groupSaw = true;
      return 'group';
    });
    g.get('/ok', () => 'ok');
    a.mount('/g', g);
    a.get('/boom', () => {
      throw new HttpError(409, 'conflict');
    });
    const res = await testClient(a).get('/boom');
    assert.equal(res.status, 409);
    assert.equal(groupSaw, false);
  });

  test('several error handlers in one group run in registration order', async () => {
    const trail: string[] = [];
    const a = app();
    a.onError(() => {
      trail.push('first');
      return undefined;
    });
    a.onError(() => {
      trail.push('second');
      return 'answered by second';
    });
    a.get('/', () => {
      throw new Error('x');
    });
    const res = await testClient(a).get('/');
    assert.equal(res.text, 'answered by second');
    assert.deepEqual(trail, ['first', 'second']);
  });

  test('errors nobody handles fall back to the default error response', async () => {
    const a = app();
    a.onError(() => undefined);
    a.get('/', () => {
      throw new HttpError(409, 'Name taken');
    });
    const res = await testClient(a).get('/');
    assert.equal(res.status, 409);
    assert.equal(res.text, '{"error":{"status":409,"message":"Name taken","code":"E_HTTP_CONFLICT"}}');
  });

  test('app.onError can customise the 404 of unknown paths and keeps the security headers', async () => {
    const a = app();
    a.onError((err, req) =>
      err instanceof HttpError && err.status === 404 ? json({ notFound: req.path }, { status: 404, headers: { 'x-custom': '1' } }) : undefined,
    );
    a.get('/', () => 'home');
    const res = await testClient(a).get('/nope');
    assert.equal(res.status, 404);
    assert.equal(res.text, '{"notFound":"/nope"}');
    assert.equal(res.header('x-custom'), '1');
    assert.equal(res.header('x-frame-options'), 'DENY');
  });

  test('app.onError sees 405s with their Allow header', async () => {
    const a = app();
    a.onError((err) => (err instanceof HttpError && err.status === 405 ? text(`allowed: ${err.headers['allow']}`, { status: 405, headers: { ...err.headers } }) : undefined));
    a.get('/', () => 'home');
    const res = await testClient(a).post('/');
    assert.equal(res.status, 405);
    assert.equal(res.header('allow'), 'GET, HEAD, OPTIONS');
    assert.equal(res.text, 'allowed: GET, HEAD, OPTIONS');
  });

  test('app middleware runs around 404s too', async () => {
    const a = app();
    a.use(async (_req, next) => {
      try {
        return await next();
      } catch (err) {
        if (err instanceof HttpError) return text(`mw saw ${err.status}`, { status: err.status });
        throw err;
      }
    });
    a.get('/', () => 'home');
    const res = await testClient(a).get('/nope');
    assert.equal(res.status, 404);
    assert.equal(res.text, 'mw saw 404');
  });

  test('async errors from middleware and handlers reach the error handlers', async () => {
    const a = app();
    a.onError((err) => json({ caught: (err as Error).message }, { status: 500 }));
    a.use(async (req, next) => {
      await new Promise((r) => setTimeout(r, 1));
      if (req.path === '/mw') throw new Error('middleware failed later');
      return next();
    });
    a.get('/mw', () => 'never');
    a.get('/handler', async () => {
      await new Promise((r) => setTimeout(r, 1));
      throw new Error('handler failed later');
    });
    a.get('/rejected', () => Promise.reject(new Error('rejected promise')));
    const client = testClient(a);
    assert.equal((await client.get('/mw')).text, '{"caught":"middleware failed later"}');
    assert.equal((await client.get('/handler')).text, '{"caught":"handler failed later"}');
    assert.equal((await client.get('/rejected')).text, '{"caught":"rejected promise"}');
  });

  test('an error handler that throws an HttpError turns the error into that status', async () => {
    const a = app();
    a.onError((err) => {
      if (err instanceof Error && err.message === 'no such row') throw notFound('No such note.');
      return undefined;
    });
    a.get('/notes/:id', () => {
      throw new Error('no such row');
    });
    const res = await testClient(a).get('/notes/1');
    assert.equal(res.status, 404);
    assert.equal(res.text, '{"error":{"status":404,"message":"No such note.","code":"E_HTTP_NOT_FOUND"}}');
  });
});

describe('route middleware (the use option)', () => {
  test('runs inside the group middleware, for its route only, in order', async () => {
    const order: string[] = [];
    const tag = (name: string): Middleware => async (_req, next) => {
      order.push(`${name}>`);
      const res = await next();
      order.push(`<${name}`);
      return res;
    };
    const app = rampart({ logLevel: 'silent' });
    const g = group().use(tag('group'));
    g.get('/a', { use: [tag('r1'), tag('r2')] }, () => {
      order.push('handler');
      return 'a';
    });
    g.get('/b', () => 'b');
    app.mount('/g', g);
    const client = testClient(app);
    assert.equal((await client.get('/g/a')).text, 'a');
    assert.deepEqual(order, ['group>', 'r1>', 'r2>', 'handler', '<r2', '<r1', '<group']);
    order.length = 0;
    assert.equal((await client.get('/g/b')).text, 'b');
    assert.deepEqual(order, ['group>', '<group']);
  });

  test('route middleware can answer instead of the handler, and its errors reach the group handlers', async () => {
    const app = rampart({ logLevel: 'silent' });
    const g = group();
    g.onError((err) => (err instanceof HttpError && err.status === 418 ? text('caught by the group', { status: 200 }) : undefined));
    g.get('/stop', { use: [async () => text('stopped', { status: 403 })] }, () => 'never');
    g.get('/throw', { use: [async () => { throw new HttpError(418); }] }, () => 'never');
    app.mount('/g', g);
    const client = testClient(app);
    const stop = await client.get('/g/stop');
    assert.equal(stop.status, 403);
    assert.equal(stop.text, 'stopped');
    assert.equal((await client.get('/g/throw')).text, 'caught by the group');
  });

  test('use must be an array of functions', () => {
    const app = rampart({ logLevel: 'silent' });
    assert.throws(() => app.get('/x', { use: ['nope'] as never }, () => 'x'), (err: unknown) => err instanceof RouteError && err.code === 'E_MIDDLEWARE_INVALID');
    assert.throws(() => app.get('/y', { use: (async () => undefined) as never }, () => 'y'), (err: unknown) => err instanceof RouteError && err.code === 'E_MIDDLEWARE_INVALID');
  });
});
