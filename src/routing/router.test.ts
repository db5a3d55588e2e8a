import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RouteError } from '../http/errors.js';
import { parsePattern } from './pattern.js';
import { ANY_METHOD, MalformedPathError, Router, type MatchResult } from './router.js';

function router(routes: [method: string, pattern: string][]): Router<string> {
  const r = new Router<string>();
  for (const [method, pattern] of routes) r.add(method, parsePattern(pattern), `${method} ${pattern}`);
  return r;
}

function found(result: MatchResult<string>): { value: string; params: Record<string, string | number>; pattern: string } {
  assert.equal(result.found, true, JSON.stringify(result));
  if (!result.found) throw new Error('unreachable');
  return { value: result.value, params: result.params, pattern: result.pattern };
}

const NO_MATCH = { found: false, allow: null };

describe('matching', () => {
  const r = router([
    ['GET', '/'],
    ['GET', '/about'],
    ['GET', '/about/team/'],
    ['GET', '/users/me'],
    ['GET', '/users/:id<int>'],
    ['POST', '/users/:id<int>'],
    ['GET', '/users/:id<int>/posts/:slug'],
    ['GET', '/users/me/settings'],
    ['GET', '/items/:id<uuid>'],
    ['GET', '/tags/:tag<slug>'],
    ['GET', '/names/:name'],
    ['GET', '/files/*path'],
    ['GET', '/a/:x/b/:y'],
    [ANY_METHOD, '/any'],
  ]);

  test('static paths, including the root and a trailing-slash route', () => {
    assert.deepEqual(found(r.match('GET', '/')), { value: 'GET /', params: {}, pattern: '/' });
    assert.deepEqual(found(r.match('GET', '/about')), { value: 'GET /about', params: {}, pattern: '/about' });
    assert.equal(found(r.match('GET', '/about/team/')).value, 'GET /about/team/');
  });

  test('a trailing slash is a different path', () => {
    assert.deepEqual(r.match('GET', '/about/'), NO_MATCH);
    assert.deepEqual(r.match('GET', '/about/team'), NO_MATCH);
  });

  test('params are converted and returned by name in pattern order', () => {
    assert.deepEqual(found(r.match('GET', '/users/42')).params, { id: 42 });
    assert.deepEqual(found(r.match('GET', '/users/7/posts/hello-world')), {
      value: 'GET /users/:id<int>/posts/:slug',
      params: { id: 7, slug: 'hello-world' },
      pattern: '/users/:id<int>/posts/:slug',
    });
    assert.deepEqual(found(r.match('GET', '/a/1/b/2')).params, { x: '1', y: '2' });
  });

  test('int params: plain digits only, no leading zeros, at most 15 digits', () => {
    assert.deepEqual(found(r.match('GET', '/users/0')).params, { id: 0 });
    assert.deepEqual(found(r.match('GET', '/users/999999999999999')).params, { id: 999999999999999 });
    for (const bad of ['abc', '-1', '+1', '1.0', '1e3', '01', '00', '1000000000000000', '', '%31%32']) {
      if (bad === '%31%32') {
        // Percent-encoded digits decode to digits: '/users/%31%32' is '/users/12'.
        assert.deepEqual(found(r.match('GET', `/users/${bad}`)).params, { id: 12 });
        continue;
      }
      const result = r.match('GET', `/users/${bad}`);
      assert.equal(result.found, false, bad);
    }
  });

  test('uuid params are lower-cased; slug params refuse anything but [A-Za-z0-9_-]', () => {
    assert.deepEqual(found(r.match('GET', '/items/ABCDEF01-2345-6789-ABCD-EF0123456789')).params, { id: 'abcdef01-2345-6789-abcd-ef0123456789' });
    assert.deepEqual(r.match('GET', '/items/abcdef01-2345-6789-abcd-ef012345678'), NO_MATCH);
    assert.deepEqual(found(r.match('GET', '/tags/a_B-9')).params, { tag: 'a_B-9' });
    assert.deepEqual(r.match('GET', '/tags/a.b'), NO_MATCH);
  });

  test('a static child beats a param, with backtracking when the static branch dead-ends', () => {
    assert.equal(found(r.match('GET', '/users/me')).value, 'GET /users/me');
    assert.equal(found(r.match('GET', '/users/me/settings')).value, 'GET /users/me/settings');
    assert.deepEqual(r.match('GET', '/users/me/posts/x'), NO_MATCH, "'me' is not an int, so the param branch refuses it too");
    const r2 = router([
      ['GET', '/p/new'],
      ['GET', '/p/:id/edit'],
    ]);
    assert.deepEqual(found(r2.match('GET', '/p/new/edit')).params, { id: 'new' });
  });

  test('a wildcard takes the rest of the path and needs at least one segment', () => {
    assert.deepEqual(found(r.match('GET', '/files/a/b/c.txt')).params, { path: 'a/b/c.txt' });
    assert.deepEqual(found(r.match('GET', '/files/a/b/')).params, { path: 'a/b/' });
    assert.deepEqual(r.match('GET', '/files/'), NO_MATCH);
    assert.deepEqual(r.match('GET', '/files'), NO_MATCH);
  });

  test('unknown paths are not found, with no Allow', () => {
    assert.deepEqual(r.match('GET', '/nope'), NO_MATCH);
    assert.deepEqual(new Router<string>().match('GET', '/'), NO_MATCH);
  });
});

describe('methods', () => {
  const r = router([
    ['GET', '/page'],
    ['POST', '/form'],
    ['PUT', '/form'],
    ['HEAD', '/explicit-head'],
    ['GET', '/explicit-head'],
    [ANY_METHOD, '/any'],
    ['GET', '/mixed'],
    [ANY_METHOD, '/mixed'],
  ]);

  test('a known path with another method reports the Allow header', () => {
    assert.deepEqual(r.match('POST', '/page'), { found: false, allow: 'GET, HEAD, OPTIONS' });
    assert.deepEqual(r.match('GET', '/form'), { found: false, allow: 'OPTIONS, POST, PUT' });
  });

  test('HEAD falls back to GET, and an explicit HEAD route wins', () => {
    assert.equal(found(r.match('HEAD', '/page')).value, 'GET /page');
    assert.equal(found(r.match('HEAD', '/explicit-head')).value, 'HEAD /explicit-head');
    assert.deepEqual(r.match('HEAD', '/form'), { found: false, allow: 'OPTIONS, POST, PUT' });
  });

  test('an any-method route answers every method; a specific method wins over it', () => {
    for (const m of ['GET', 'POST', 'DELETE', 'PROPFIND']) assert.equal(found(r.match(m, '/any')).value, '* /any');
    assert.equal(found(r.match('GET', '/mixed')).value, 'GET /mixed');
    assert.equal(found(r.match('POST', '/mixed')).value, '* /mixed');
  });
});

describe('decoding and unsafe values', () => {
  const r = router([
    ['GET', '/abc'],
    ['GET', '/a/b'],
    ['GET', '/names/:name'],
    ['GET', '/files/*path'],
  ]);

  test('params are percent-decoded', () => {
    assert.deepEqual(found(r.match('GET', '/names/Ada%20L%C3%B6velace')).params, { name: 'Ada Lövelace' });
  });

  test('percent-encoded unreserved characters match the static route they spell', () => {
    assert.equal(found(r.match('GET', '/a%62c')).value, 'GET /abc');
  });

  test('an encoded slash never splits a segment: /a%2Fb does not match /a/b', () => {
    assert.deepEqual(r.match('GET', '/a%2Fb'), NO_MATCH);
    assert.deepEqual(r.match('GET', '/a%2fb'), NO_MATCH);
  });

  test('a param never receives "/", "\\", "." or ".."', () => {
    for (const seg of ['a%2Fb', 'a%5Cb', 'a\\b', '.', '..', '%2E', '%2E%2E', '%2e%2e', '.%2E']) {
      assert.deepEqual(r.match('GET', `/names/${seg}`), NO_MATCH, seg);
    }
    assert.deepEqual(found(r.match('GET', '/names/...')).params, { name: '...' }, 'three dots are an ordinary name');
  });

  test('a wildcard never receives dot segments, backslashes or empty inner segments', () => {
    for (const rest of ['..', 'a/../b', 'a/./b', '%2E%2E/secret', 'a/%2e%2e/b', 'a%2F..%2Fsecret', 'a\\b', 'a%5C..%5Cb', 'a//b']) {
      assert.deepEqual(r.match('GET', `/files/${rest}`), NO_MATCH, rest);
    }
  });

  test('malformed percent-encoding and overlong UTF-8 throw MalformedPathError', () => {
    for (const path of ['/names/%', '/names/%zz', '/names/%C0%AE', '/names/%E0%80%AE', '/names/%ED%A0%80', '/names/%FF', '/unknown/%C0%AE']) {
      assert.throws(
        () => r.match('GET', path),
        (err: unknown) => err instanceof MalformedPathError && err.code === 'E_PATH_MALFORMED',
        path,
      );
    }
  });

  test('matching a 50,000-character segment stays fast', () => {
    const long = '/names/' + 'a'.repeat(50_000);
    const start = performance.now();
    for (let i = 0; i < 20; i++) r.match('GET', long);
    const encoded = '/names/' + '%41'.repeat(16_000);
    for (let i = 0; i < 20; i++) r.match('GET', encoded);
    assert.ok(performance.now() - start < 2000, `took ${performance.now() - start} ms`);
  });
});

describe('registration', () => {
  test('the same method and pattern twice is E_ROUTE_DUPLICATE', () => {
    const r = router([['GET', '/a/:id']]);
    assert.throws(() => r.add('GET', parsePattern('/a/:id'), 'again'), (err: unknown) => {
      assert.ok(err instanceof RouteError);
      assert.equal(err.code, 'E_ROUTE_DUPLICATE');
      assert.equal(err.message, 'Route GET /a/:id is defined twice.');
      return true;
    });
    assert.throws(() => router([[ANY_METHOD, '/x'], [ANY_METHOD, '/x']]), { code: 'E_ROUTE_DUPLICATE', message: 'Route ALL /x is defined twice.' });
  });

  test('a different param name or converter at the same position is E_ROUTE_CONFLICT', () => {
    assert.throws(() => router([['GET', '/u/:id'], ['GET', '/u/:name/x']]), (err: unknown) => {
      assert.ok(err instanceof RouteError);
      assert.equal(err.code, 'E_ROUTE_CONFLICT');
      assert.equal(err.message, "Route '/u/:name/x' declares ':name' where another route already declares ':id'.");
      return true;
    });
    assert.throws(() => router([['GET', '/u/:id<int>'], ['GET', '/u/:id']]), {
      code: 'E_ROUTE_CONFLICT',
      message: "Route '/u/:id' declares ':id' where another route already declares ':id<int>'.",
    });
  });

  test('routes sharing a param with the same name and converter coexist', () => {
    const r = router([
      ['GET', '/u/:id<int>'],
      ['GET', '/u/:id<int>/posts'],
      ['DELETE', '/u/:id<int>'],
    ]);
    assert.equal(found(r.match('GET', '/u/1/posts')).value, 'GET /u/:id<int>/posts');
    assert.equal(found(r.match('DELETE', '/u/1')).value, 'DELETE /u/:id<int>');
  });

  test('a failed registration leaves earlier routes working', () => {
    const r = router([['GET', '/u/:id']]);
    assert.throws(() => r.add('GET', parsePattern('/u/:other'), 'x'));
    assert.deepEqual(found(r.match('GET', '/u/5')).params, { id: '5' });
  });
});
