// Routing through the public API: converters, typed params, wildcards, matching order, decoding,
// 404/405/HEAD/OPTIONS, trailing slashes, groups, named routes and registration errors.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, createServer } from 'node:http';
import { rampart, group, RouteError, UrlBuildError, RampartError, type App } from 'rampart';
import { testClient, liveServer } from 'rampart/testing';

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

function notFoundBody(path: string): string {
  return JSON.stringify({ error: { status: 404, message: `No route for ${path}.`, code: 'E_HTTP_NOT_FOUND' } });
}

/** A GET over a real socket with the path sent byte for byte (the in-process client normalizes URLs). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method: 'GET', agent: false, headers: { host: 'localhost' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

function routeError(fn: () => unknown, code: string): RouteError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof RouteError, `expected a RouteError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  return caught;
}

describe('converters', () => {
  const app = rampart({ env: 'test' });
  app.get('/users/:id<int>', (req) => ({ id: req.params.id, type: typeof req.params.id }));
  app.get('/items/:id<uuid>', (req) => ({ id: req.params.id }));
  app.get('/tags/:slug<slug>', (req) => ({ slug: req.params.slug }));
  app.get('/names/:name', (req) => ({ name: req.params.name }));
  const client = testClient(app);

  test('an int param reaches the handler as a number', async () => {
    const res = await client.get('/users/42');
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), JSON_TYPE);
    assert.equal(res.text, '{"id":42,"type":"number"}');
  });

  test('an int param answers 404 for anything that is not a plain non-negative integer', async () => {
    for (const bad of ['abc', '1.5', '-1', '1e3', '0x1A', '+1', '12a', '%201', '%EF%BC%91']) {
      const res = await client.get(`/users/${bad}`);
      assert.equal(res.status, 404, `/users/${bad}`);
      assert.equal(res.text, notFoundBody(`/users/${bad}`));
    }
  });

  test('an int param refuses leading zeros but accepts 0 itself', async () => {
    assert.equal((await client.get('/users/007')).status, 404);
    assert.equal((await client.get('/users/00')).status, 404);
    const zero = await client.get('/users/0');
    assert.equal(zero.status, 200);
    assert.equal(zero.text, '{"id":0,"type":"number"}');
  });

  test('an int param accepts 15 digits and answers 404 for 16 or more', async () => {
    const fifteen = await client.get('/users/999999999999999');
    assert.equal(fifteen.status, 200);
    assert.equal(fifteen.text, '{"id":999999999999999,"type":"number"}');
    assert.equal((await client.get('/users/1000000000000000')).status, 404);
    assert.equal((await client.get('/users/' + '9'.repeat(400))).status, 404);
  });

  test('a uuid param accepts any case and reaches the handler lower-cased', async () => {
    const res = await client.get('/items/123E4567-E89B-12D3-A456-426614174000');
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"id":"123e4567-e89b-12d3-a456-426614174000"}');
  });

  test('a uuid param answers 404 for malformed uuids', async () => {
    for (const bad of ['123e4567e89b12d3a456426614174000', '123e4567-e89b-12d3-a456-42661417400g', '123e4567-e89b-12d3-a456-4266141740001', 'x']) {
      assert.equal((await client.get(`/items/${bad}`)).status, 404, bad);
    }
  });

  test('a slug param accepts letters, digits, - and _ and answers 404 for anything else', async () => {
    const ok = await client.get('/tags/Hello-World_2');
    assert.equal(ok.status, 200);
    assert.equal(ok.text, '{"slug":"Hello-World_2"}');
    for (const bad of ['hello.world', 'h%C3%A9llo', 'a%20b', 'a~b']) {
      assert.equal((await client.get(`/tags/${bad}`)).status, 404, bad);
    }
  });

  test('a plain param is percent-decoded before the handler sees it', async () => {
    const res = await client.get('/names/Ada%20Lovelace%20%E2%9C%93');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { name: 'Ada Lovelace ✓' });
  });

  test('an encoded slash inside a param answers 404 instead of reaching the handler', async () => {
    const res = await client.get('/names/a%2Fb');
    assert.equal(res.status, 404);
    assert.equal(res.text, notFoundBody('/names/a%2Fb'));
    assert.equal((await client.get('/names/a%2fb')).status, 404);
    assert.equal((await client.get('/names/a%5Cb')).status, 404, 'encoded backslash');
  });
});

describe('typed params', () => {
  test('params are typed from the pattern', async () => {
    const app = rampart({ env: 'test' });
    app.get('/users/:id<int>/posts/:slug', (req) => {
      const id: number = req.params.id;
      const slug: string = req.params.slug;
      // @ts-expect-error: 'name' is not a param of this pattern
      const missing: unknown = req.params.name;
      // @ts-expect-error: an int param is a number, not a string
      const wrong: string = req.params.id;
      return { id, slug, missing: missing === undefined, wrong: typeof wrong };
    });
    app.get('/files/*path', (req) => {
      const path: string = req.params.path;
      return path;
    });
    const res = await testClient(app).get('/users/7/posts/hello');
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"id":7,"slug":"hello","missing":true,"wrong":"number"}');
  });
});

describe('wildcards, matching order, decoding', () => {
  const app = rampart({ env: 'test' });
  app.get('/files/*path', (req) => ({ path: req.params.path }));
  app.get('/users/me', () => 'static me');
  app.get('/users/:id', (req) => `param ${req.params.id}`);
  app.get('/users/:id/posts', (req) => `posts of ${req.params.id}`);
  app.get('/users/me/settings', () => 'my settings');
  app.get('/docs/intro', () => 'intro');
  app.get('/docs/*rest', (req) => `doc ${req.params.rest}`);
  const client = testClient(app);
  let base = '';
  let close: (() => Promise<void>) | null = null;

  after(async () => {
    await close?.();
  });

  async function live(): Promise<string> {
    if (base === '') {
      const server = await liveServer(app);
      base = server.url;
      close = () => server.close();
    }
    return base;
  }

  test('a wildcard takes the rest of the path, slashes included', async () => {
    const res = await client.get('/files/a/b/c.txt');
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"path":"a/b/c.txt"}');
  });

  test('a wildcard needs at least one segment', async () => {
    assert.equal((await client.get('/files/')).status, 404);
    assert.equal((await client.get('/files')).status, 404);
  });

  test('a static segment beats a param, and a param beats a wildcard', async () => {
    assert.equal((await client.get('/users/me')).text, 'static me');
    assert.equal((await client.get('/users/you')).text, 'param you');
    assert.equal((await client.get('/docs/intro')).text, 'intro');
    assert.equal((await client.get('/docs/guide/routing')).text, 'doc guide/routing');
  });

  test('matching backtracks from a static segment to a param when the static branch dead-ends', async () => {
    const res = await client.get('/users/me/posts');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'posts of me');
    assert.equal((await client.get('/users/me/settings')).text, 'my settings');
  });

  test('an encoded slash never turns one segment into two for a static route', async () => {
    // '/users/me%2Fsettings' is one segment: it must not reach the static route '/users/me/settings'.
    const res = await client.get('/users/me%2Fsettings');
    assert.equal(res.status, 404);
    assert.equal(res.text, notFoundBody('/users/me%2Fsettings'));
  });

  test('a ".." or "." param answers 404, encoded or not', async () => {
    for (const path of ['/users/..', '/users/%2E%2E', '/users/%2e%2e', '/users/.', '/users/%2E', '/users/.%2e']) {
      const res = await client.get(path);
      assert.equal(res.status, 404, path);
      assert.equal(res.text, notFoundBody(path));
    }
  });

  test('a wildcard never receives dot segments, encoded or not', async () => {
    for (const path of ['/files/a/../secret', '/files/../secret', '/files/%2E%2E/secret', '/files/a/%2e%2e/b', '/files/./a', '/files/a%2F..%2Fsecret', '/files/a\\..\\b']) {
      const res = await client.get(path);
      assert.equal(res.status, 404, path);
    }
    const ok = await client.get('/files/a/b');
    assert.equal(ok.status, 200);
    assert.equal(ok.text, '{"path":"a/b"}');
  });

  test('dot segments answer 404 over a real socket too', async () => {
    const url = await live();
    for (const path of ['/users/..', '/users/%2E%2E', '/files/a/../secret', '/files/%2e%2e/secret']) {
      assert.equal((await rawGet(url, path)).status, 404, path);
    }
    assert.equal((await rawGet(url, '/files/a/b')).body, '{"path":"a/b"}');
  });

  test('malformed percent-encoding and overlong UTF-8 answer 400 E_PATH_MALFORMED', async () => {
    const body = JSON.stringify({ error: { status: 400, message: 'The request path has malformed percent-encoding.', code: 'E_PATH_MALFORMED' } });
    for (const path of ['/users/%C0%AE', '/users/%C0%AE%C0%AE', '/users/%E0%80%AE', '/users/%', '/users/%zz', '/users/%E2%82', '/nowhere/%FF']) {
      const res = await client.get(path);
      assert.equal(res.status, 400, path);
      assert.equal(res.header('content-type'), JSON_TYPE);
      assert.equal(res.text, body, path);
    }
  });

  test('an encoded NUL anywhere in the path answers 400 E_PATH_MALFORMED', async () => {
    const body = JSON.stringify({ error: { status: 400, message: 'The request path is malformed.', code: 'E_PATH_MALFORMED' } });
    for (const path of ['/users/a%00', '/users/%00', '/%00', '/files/a/%00/b']) {
      const res = await client.get(path);
      assert.equal(res.status, 400, path);
      assert.equal(res.text, body, path);
    }
  });

  test('the server keeps serving after malformed paths', async () => {
    await client.get('/users/%C0%AE');
    await client.get('/users/%00');
    const res = await client.get('/users/me');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'static me');
  });
});

describe('404, 405, HEAD and OPTIONS', () => {
  const app = rampart({ env: 'test' });
  let headSeen = '';
  app.get('/hello', (req) => {
    headSeen = req.method;
    return 'Hello';
  });
  app.get('/data', () => ({ a: 1 }));
  app.post('/data', () => 'posted');
  app.options('/custom-options', () => 'my options');
  const client = testClient(app);

  test('an unknown path answers 404 with a JSON error body', async () => {
    const res = await client.get('/missing');
    assert.equal(res.status, 404);
    assert.equal(res.header('content-type'), JSON_TYPE);
    assert.equal(res.text, notFoundBody('/missing'));
  });

  test('an unknown path answers an HTML 404 page to a browser', async () => {
    const res = await client.get('/missing<b>', { headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(res.status, 404);
    assert.equal(res.header('content-type'), 'text/html; charset=utf-8');
    assert.equal(
      res.text,
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>404 Not Found</title></head>' +
        '<body><h1>404 Not Found</h1><p>No route for /missing&lt;b&gt;.</p></body></html>',
    );
  });

  test('answers 405 with an Allow header for a known path and wrong method', async () => {
    const res = await client.delete('/hello');
    assert.equal(res.status, 405);
    assert.equal(res.header('allow'), 'GET, HEAD, OPTIONS');
    assert.equal(
      res.text,
      JSON.stringify({ error: { status: 405, message: 'DELETE is not allowed here; allowed: GET, HEAD, OPTIONS.', code: 'E_HTTP_METHOD_NOT_ALLOWED' } }),
    );
    const put = await client.put('/data');
    assert.equal(put.status, 405);
    assert.equal(put.header('allow'), 'GET, HEAD, OPTIONS, POST');
  });

  test('HEAD is answered from the GET route without a body but with the GET content-length', async () => {
    const res = await client.head('/hello');
    assert.equal(res.status, 200);
    assert.equal(headSeen, 'HEAD');
    assert.equal(res.header('content-type'), TEXT_TYPE);
    assert.equal(res.header('content-length'), '5');
    assert.equal(res.body.length, 0);
    const data = await client.head('/data');
    assert.equal(data.header('content-length'), '7');
    assert.equal(data.body.length, 0);
  });

  test('HEAD of an unknown path is a 404 without a body', async () => {
    const res = await client.head('/missing');
    assert.equal(res.status, 404);
    assert.equal(res.body.length, 0);
  });

  test('OPTIONS on a known path answers 204 with Allow and no body', async () => {
    const res = await client.options('/data');
    assert.equal(res.status, 204);
    assert.equal(res.header('allow'), 'GET, HEAD, OPTIONS, POST');
    assert.equal(res.body.length, 0);
    assert.equal(res.header('content-type'), undefined);
  });

  test('OPTIONS on an unknown path answers 404', async () => {
    assert.equal((await client.options('/missing')).status, 404);
  });

  test('an explicit OPTIONS route replaces the automatic answer', async () => {
    const res = await client.options('/custom-options');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'my options');
  });
});

describe('trailing slash', () => {
  const app = rampart({ env: 'test' });
  app.get('/about', () => 'about');
  app.get('/dir/', () => 'dir');
  app.post('/submit', () => 'submitted');
  app.get('/evil.com', () => 'a page called evil.com');
  app.get('/', () => 'home');
  const client = testClient(app);

  test('GET /about/ redirects 308 to /about and keeps the query', async () => {
    const res = await client.get('/about/?x=1&y=%20');
    assert.equal(res.status, 308);
    assert.equal(res.header('location'), '/about?x=1&y=%20');
    assert.equal(res.body.length, 0);
  });

  test('GET /dir redirects 308 to the registered /dir/ and keeps the query', async () => {
    const res = await client.get('/dir?y=2');
    assert.equal(res.status, 308);
    assert.equal(res.header('location'), '/dir/?y=2');
  });

  test('HEAD follows the same redirect as GET', async () => {
    const res = await client.head('/about/');
    assert.equal(res.status, 308);
    assert.equal(res.header('location'), '/about');
  });

  test('POST to the wrong slash form answers 404, never a redirect', async () => {
    const res = await client.post('/submit/');
    assert.equal(res.status, 404);
    assert.equal(res.header('location'), undefined);
    assert.equal(res.text, notFoundBody('/submit/'));
    assert.equal((await client.post('/dir')).status, 404);
  });

  test('never redirects to a protocol-relative //host', async () => {
    const res = await client.get('//evil.com/');
    assert.equal(res.status, 404);
    assert.equal(res.header('location'), undefined);
  });

  test('the registered form itself is served without a redirect', async () => {
    assert.equal((await client.get('/about')).text, 'about');
    assert.equal((await client.get('/dir/')).text, 'dir');
  });
});

describe('route groups', () => {
  function build(): App {
    const app = rampart({ env: 'test' });
    const trail: string[] = [];
    app.use(async (req, next) => {
      const res = await next();
      return res.header('x-app', 'yes');
    });
    app.get('/', () => 'home');
    const api = group();
    api.use(async (req, next) => {
      const res = await next();
      return res.header('x-api', 'yes');
    });
    api.get('/', () => 'api root');
    api.get('/status', () => ({ ok: true }));
    const v1 = group();
    v1.use(async (req, next) => {
      trail.push('v1');
      const res = await next();
      return res.header('x-v1', 'yes');
    });
    v1.get('/items/:id<int>', (req) => ({ id: req.params.id, trail }));
    api.mount('/v1', v1);
    app.mount('/api', api);
    return app;
  }

  test('a group route answers under its prefix with the group and app middleware', async () => {
    const res = await testClient(build()).get('/api/status');
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"ok":true}');
    assert.equal(res.header('x-api'), 'yes');
    assert.equal(res.header('x-app'), 'yes');
  });

  test("a group's middleware does not apply to the parent's routes", async () => {
    const res = await testClient(build()).get('/');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'home');
    assert.equal(res.header('x-api'), undefined);
    assert.equal(res.header('x-app'), 'yes');
  });

  test("a group's '/' route is the prefix itself, and the prefix with a slash redirects to it", async () => {
    const client = testClient(build());
    assert.equal((await client.get('/api')).text, 'api root');
    const res = await client.get('/api/');
    assert.equal(res.status, 308);
    assert.equal(res.header('location'), '/api');
  });

  test('nested groups join their prefixes and run every enclosing middleware', async () => {
    const res = await testClient(build()).get('/api/v1/items/3');
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"id":3,"trail":["v1"]}');
    assert.equal(res.header('x-v1'), 'yes');
    assert.equal(res.header('x-api'), 'yes');
    assert.equal(res.header('x-app'), 'yes');
  });

  test("an inner group's middleware does not run for its parent group's routes", async () => {
    const res = await testClient(build()).get('/api/status');
    assert.equal(res.header('x-v1'), undefined);
  });

  test('a group mounted under a prefix with a param passes that param to its routes', async () => {
    const app = rampart({ env: 'test' });
    const posts = group();
    posts.get('/posts/:post<int>', (req) => ({ ...req.params }));
    app.mount('/users/:user<int>', posts);
    const res = await testClient(app).get('/users/5/posts/9');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { user: 5, post: 9 });
  });

  test('a route added to a group after the first request is served', async () => {
    const app = rampart({ env: 'test' });
    const g = group();
    app.mount('/g', g);
    const client = testClient(app);
    assert.equal((await client.get('/g/late')).status, 404);
    g.get('/late', () => 'late');
    assert.equal((await client.get('/g/late')).text, 'late');
  });

  test('a mount prefix must start with / and not end with /', () => {
    const app = rampart({ env: 'test' });
    routeError(() => app.mount('api', group()), 'E_ROUTE_PATTERN_INVALID');
    routeError(() => app.mount('/api/', group()), 'E_ROUTE_PATTERN_INVALID');
  });
});

describe('named routes and urlFor', () => {
  function build(): App {
    const app = rampart({ env: 'test' });
    app.get('/posts/:slug', { name: 'post' }, (req) => ({ slug: req.params.slug, self: req.urlFor('post', { slug: req.params.slug }) }));
    app.get('/users/:id<int>', { name: 'user' }, (req) => ({ id: req.params.id }));
    app.get('/files/*path', { name: 'file' }, (req) => ({ path: req.params.path }));
    app.get('/', { name: 'home' }, () => 'home');
    const blog = group();
    blog.get('/entries/:id<int>', { name: 'entry' }, (req) => ({ route: req.route }));
    app.mount('/blog', blog, { name: 'blog' });
    return app;
  }

  test('builds the path of a named route', () => {
    const app = build();
    assert.equal(app.urlFor('user', { id: 42 }), '/users/42');
    assert.equal(app.urlFor('home'), '/');
    assert.equal(app.urlFor('post', { slug: 'hello' }, { page: '2', q: 'a b&c' }), '/posts/hello?page=2&q=a+b%26c');
  });

  test('refuses a / or dot segment in a one-segment param (the router would never match it)', () => {
    const app = build();
    for (const slug of ['a/b', '.', '..']) {
      assert.throws(() => app.urlFor('post', { slug }), (err: unknown) => err instanceof UrlBuildError && err.code === 'E_URL_PARAM_INVALID');
    }
  });

  test('percent-encodes ?, #, spaces and unicode in params', () => {
    const app = build();
    assert.equal(app.urlFor('post', { slug: 'what?x=1' }), '/posts/what%3Fx%3D1');
    assert.equal(app.urlFor('post', { slug: 'top#frag' }), '/posts/top%23frag');
    assert.equal(app.urlFor('post', { slug: 'hello world' }), '/posts/hello%20world');
    assert.equal(app.urlFor('post', { slug: 'héllo ✓' }), '/posts/h%C3%A9llo%20%E2%9C%93');
  });

  test('a wildcard param keeps its slashes and encodes each segment', () => {
    assert.equal(build().urlFor('file', { path: 'a b/c?d.txt' }), '/files/a%20b/c%3Fd.txt');
  });

  test('a built URL routes back to the same params', async () => {
    const app = build();
    const client = testClient(app);
    for (const slug of ['hello world', 'what?x=1', 'top#frag', 'héllo ✓', "it's & <ok>"]) {
      const url = app.urlFor('post', { slug });
      const res = await client.get(url);
      assert.equal(res.status, 200, url);
      assert.deepEqual(res.json(), { slug, self: url });
    }
  });

  test('names inside a named mount are prefixed with the mount name', async () => {
    const app = build();
    assert.equal(app.urlFor('blog.entry', { id: 3 }), '/blog/entries/3');
    const res = await testClient(app).get('/blog/entries/3');
    assert.deepEqual(res.json(), { route: { pattern: '/blog/entries/:id<int>', name: 'blog.entry' } });
  });

  test('a missing param is E_URL_PARAM_MISSING', () => {
    assert.throws(() => build().urlFor('user'), (err: unknown) => {
      assert.ok(err instanceof UrlBuildError);
      assert.equal(err.code, 'E_URL_PARAM_MISSING');
      assert.equal(err.message, "Route 'user' (/users/:id<int>) needs a value for 'id'.");
      return true;
    });
    assert.throws(() => build().urlFor('post', { slug: '' }), { code: 'E_URL_PARAM_MISSING' });
  });

  test('an unknown param is E_URL_PARAM_UNKNOWN and points at the query argument', () => {
    assert.throws(() => build().urlFor('user', { id: 1, page: 2 }), (err: unknown) => {
      assert.ok(err instanceof UrlBuildError);
      assert.equal(err.code, 'E_URL_PARAM_UNKNOWN');
      assert.equal(err.message, "Route 'user' (/users/:id<int>) has no parameter 'page'.");
      assert.match(err.hint ?? '', /third argument/);
      return true;
    });
  });

  test('an unknown route name is E_URL_ROUTE_UNKNOWN with a "Did you mean" suggestion', () => {
    assert.throws(() => build().urlFor('psot', { slug: 'x' }), (err: unknown) => {
      assert.ok(err instanceof UrlBuildError);
      assert.ok(err instanceof RampartError);
      assert.equal(err.code, 'E_URL_ROUTE_UNKNOWN');
      assert.equal(err.message, "No route is named 'psot'. Did you mean 'post'?");
      return true;
    });
    assert.throws(() => build().urlFor('usr', { id: 1 }), { code: 'E_URL_ROUTE_UNKNOWN', message: "No route is named 'usr'. Did you mean 'user'?" });
    assert.throws(() => build().urlFor('completely-different'), { code: 'E_URL_ROUTE_UNKNOWN', message: "No route is named 'completely-different'." });
  });

  test('a route name used without its mount prefix suggests the prefixed name', () => {
    assert.throws(() => build().urlFor('entry', { id: 1 }), {
      code: 'E_URL_ROUTE_UNKNOWN',
      message: "No route is named 'entry'. Did you mean 'blog.entry'?",
    });
  });

  test('an int param that is not an integer is E_URL_PARAM_INVALID', () => {
    assert.throws(() => build().urlFor('user', { id: 'abc' }), { code: 'E_URL_PARAM_INVALID' });
    assert.throws(() => build().urlFor('user', { id: 1.5 }), { code: 'E_URL_PARAM_INVALID' });
    assert.throws(() => build().urlFor('user', { id: '007' }), { code: 'E_URL_PARAM_INVALID' });
  });
});

describe('registration errors', () => {
  test('a conflict between groups is thrown by app.ready(), and a request never crashes the process', async () => {
    const app = rampart({ env: 'test' });
    app.get('/users/:id<int>', h);
    const g = group();
    g.get('/:name', h);
    app.mount('/users', g);
    routeError(() => app.ready(), 'E_ROUTE_CONFLICT');
    // Driven without ready() (a custom server using app.handler), the request gets a 500.
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const srv = createServer(app.handler).listen(0, '127.0.0.1', () => resolve(srv));
    });
    try {
      const port = (server.address() as import('node:net').AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/users/1`);
      assert.equal(res.status, 500);
      assert.equal(await res.text(), 'Internal Server Error');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('registering 3,000 routes takes linear time (the table is compiled once, not per route)', () => {
    const app = rampart({ env: 'test' });
    const start = performance.now();
    for (let i = 0; i < 3000; i++) app.get(`/r${i}/:id<int>/x`, h);
    app.ready();
    assert.ok(performance.now() - start < 2000, 'registration and compilation of 3,000 routes took over 2 s');
  });

  const h = (): string => 'x';

  test('a duplicate route is a RouteError E_ROUTE_DUPLICATE at registration', () => {
    const app = rampart({ env: 'test' });
    app.get('/a', h);
    const err = routeError(() => app.get('/a', h), 'E_ROUTE_DUPLICATE');
    assert.equal(err.message, 'Route GET /a is defined twice.');
  });

  test('the same path with another method is not a duplicate', async () => {
    const app = rampart({ env: 'test' });
    app.get('/a', () => 'get');
    app.post('/a', () => 'post');
    const client = testClient(app);
    assert.equal((await client.get('/a')).text, 'get');
    assert.equal((await client.post('/a')).text, 'post');
  });

  test('a duplicate between a mounted group and the app is refused before the server listens', async () => {
    const app = rampart({ env: 'test' });
    app.get('/api/x', h);
    const api = group();
    api.get('/x', h);
    let caught: unknown;
    let server: Awaited<ReturnType<typeof liveServer>> | undefined;
    try {
      app.mount('/api', api);
      server = await liveServer(app);
    } catch (err) {
      caught = err;
    } finally {
      await server?.close();
    }
    assert.ok(caught instanceof RouteError);
    assert.equal(caught.code, 'E_ROUTE_DUPLICATE');
  });

  test('one route name on two patterns is RouteError E_ROUTE_NAME_DUPLICATE, at the latest when a URL is built', () => {
    const app = rampart({ env: 'test' });
    app.get('/a', { name: 'page' }, h);
    const g = group();
    g.get('/b', { name: 'page' }, h);
    assert.throws(
      () => {
        app.mount('/g', g); // an unnamed mount does not prefix names: 'page' is now taken twice
        app.urlFor('page');
      },
      (err: unknown) => err instanceof RouteError && err.code === 'E_ROUTE_NAME_DUPLICATE',
    );
  });

  test('invalid patterns are RouteError E_ROUTE_PATTERN_INVALID at registration', () => {
    const app = rampart({ env: 'test' });
    for (const pattern of ['', 'no-slash', '/a//b', '/:id<float>', '/:id<int', '/*rest/more', '/:1abc', '/:', '/*', '/a/../b', '/a/./b', '/a b', '/a%20b', '/a?b', '/a#b', '/:id/:id', '/a\\b']) {
      routeError(() => app.get(pattern, h), 'E_ROUTE_PATTERN_INVALID');
    }
    assert.deepEqual(app.routeTable(), []);
  });

  test('conflicting param names at the same position are RouteError E_ROUTE_CONFLICT at registration', () => {
    const app = rampart({ env: 'test' });
    app.get('/users/:id', h);
    const err = routeError(() => app.get('/users/:name/posts', h), 'E_ROUTE_CONFLICT');
    assert.match(err.message, /':name'.*':id'/);
  });

  test('conflicting converters at the same position are RouteError E_ROUTE_CONFLICT at registration', () => {
    const app = rampart({ env: 'test' });
    app.get('/users/:id<int>', h);
    routeError(() => app.get('/users/:id/edit', h), 'E_ROUTE_CONFLICT');
  });

  test('a route without a handler function is E_ROUTE_HANDLER', () => {
    const app = rampart({ env: 'test' });
    // @ts-expect-error: the handler is required
    routeError(() => app.get('/x', { name: 'x' }), 'E_ROUTE_HANDLER');
  });
});

describe('app.all and the route table', () => {
  test('app.all answers every method with the same handler', async () => {
    const app = rampart({ env: 'test' });
    app.all('/webhook', (req) => `${req.method} ok`);
    const client = testClient(app);
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      const res = await client.request(method, '/webhook');
      assert.equal(res.status, 200, method);
      assert.equal(res.text, `${method} ok`);
    }
  });

  test('a method-specific route wins over app.all on the same path', async () => {
    const app = rampart({ env: 'test' });
    app.all('/x', () => 'any');
    app.get('/x', () => 'get');
    const client = testClient(app);
    assert.equal((await client.get('/x')).text, 'get');
    assert.equal((await client.post('/x')).text, 'any');
  });

  test('routeTable lists every route with its full pattern and name', () => {
    const app = rampart({ env: 'test' });
    app.get('/', { name: 'home' }, h);
    const api = group();
    api.post('/items', { name: 'create' }, h);
    app.mount('/api', api, { name: 'api' });
    assert.deepEqual(app.routeTable(), [
      { method: 'GET', pattern: '/', name: 'home' },
      { method: 'POST', pattern: '/api/items', name: 'api.create' },
    ]);
  });

  function h(): string {
    return 'x';
  }
});

describe('request data', () => {
  test('query keeps repeated keys and req.route names the matched pattern', async () => {
    const app = rampart({ env: 'test' });
    app.get('/search/:kind', { name: 'search' }, (req) => ({
      tags: req.query.getAll('tag'),
      q: req.query.get('q'),
      path: req.path,
      url: req.url,
      route: req.route,
    }));
    const res = await testClient(app).get('/search/books?tag=a&tag=b&q=x%20y');
    assert.deepEqual(res.json(), {
      tags: ['a', 'b'],
      q: 'x y',
      path: '/search/books',
      url: '/search/books?tag=a&tag=b&q=x%20y',
      route: { pattern: '/search/:kind', name: 'search' },
    });
  });
});
