import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RouteError } from '../http/errors.js';
import { joinPaths, parsePattern, type RouteParams } from './pattern.js';

/** Compile-time type equality; a wrong inferred type fails `npm run typecheck`. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

function invalid(pattern: string, why: string): void {
  assert.throws(
    () => parsePattern(pattern),
    (err: unknown) => {
      assert.ok(err instanceof RouteError, String(err));
      assert.equal(err.code, 'E_ROUTE_PATTERN_INVALID');
      assert.equal(err.message, `Invalid route pattern '${pattern}': ${why}.`);
      assert.match(err.hint ?? '', /converters are int, uuid and slug/);
      return true;
    },
    pattern,
  );
}

describe('parsePattern', () => {
  test('the root is one empty static segment', () => {
    assert.deepEqual(parsePattern('/'), {
      pattern: '/',
      segments: [{ kind: 'static', value: '', converter: undefined }],
      paramNames: [],
      isStatic: true,
    });
  });

  test('static, param, converter and wildcard segments', () => {
    assert.deepEqual(parsePattern('/users/:id<int>/files/*path'), {
      pattern: '/users/:id<int>/files/*path',
      segments: [
        { kind: 'static', value: 'users', converter: undefined },
        { kind: 'param', value: 'id', converter: 'int' },
        { kind: 'static', value: 'files', converter: undefined },
        { kind: 'wildcard', value: 'path', converter: undefined },
      ],
      paramNames: ['id', 'path'],
      isStatic: false,
    });
    assert.deepEqual(
      parsePattern('/a/:x<uuid>/:y<slug>/:z').segments.map((s) => s.converter),
      [undefined, 'uuid', 'slug', undefined],
    );
  });

  test('a trailing slash is a final empty static segment, distinct from the bare path', () => {
    assert.deepEqual(
      parsePattern('/about/').segments.map((s) => s.value),
      ['about', ''],
    );
    assert.deepEqual(
      parsePattern('/about').segments.map((s) => s.value),
      ['about'],
    );
  });

  test('static segments may hold RFC 3986 sub-delims, ":" and "@"', () => {
    assert.equal(parsePattern("/a-b_c.~!$&'()*+,;=:@").isStatic, true);
    assert.equal(parsePattern('/v1.2/file.json').isStatic, true);
  });

  test('param names may be up to 64 word characters and may not start with a digit', () => {
    assert.deepEqual(parsePattern('/:' + 'a'.repeat(64)).paramNames, ['a'.repeat(64)]);
    assert.deepEqual(parsePattern('/:_a1').paramNames, ['_a1']);
    invalid('/:' + 'a'.repeat(65), `'${'a'.repeat(65)}' is not a valid parameter name`);
    invalid('/:1abc', "'1abc' is not a valid parameter name");
    invalid('/:a-b', "'a-b' is not a valid parameter name");
    invalid('/:', "'' is not a valid parameter name");
  });

  test('refuses a pattern that does not start with /', () => {
    invalid('', "it must start with '/'");
    invalid('users', "it must start with '/'");
  });

  test('refuses empty segments', () => {
    invalid('/a//b', 'it has an empty segment (//)');
    invalid('//', 'it has an empty segment (//)');
  });

  test('refuses unknown and unclosed converters', () => {
    invalid('/:id<float>', "unknown converter 'float'");
    invalid('/:id<>', "unknown converter ''");
    invalid('/:id<int', "segment ':id<int' has an unclosed converter");
  });

  test('refuses a wildcard that is not last, or unnamed', () => {
    invalid('/*rest/more', 'a wildcard must be the last segment');
    invalid('/*', "'' is not a valid wildcard name");
  });

  test('refuses a parameter name used twice', () => {
    invalid('/:id/:id', "parameter 'id' appears twice");
    invalid('/:id/*id', "parameter 'id' appears twice");
  });

  test('refuses dot segments', () => {
    invalid('/a/../b', 'dot segments are not allowed');
    invalid('/.', 'dot segments are not allowed');
  });

  test('refuses characters that must not appear in a path as written', () => {
    for (const part of ['a b', 'a%20b', 'a?b', 'a#b', 'a\\b', 'a"b', 'a<b', 'a>b', 'café', 'a\tb', 'a\u0000b']) {
      invalid(`/${part}`, `segment '${part}' has a character that must not appear in a path`);
    }
  });
});

describe('joinPaths', () => {
  test('joins a mount prefix and a route path', () => {
    assert.equal(joinPaths('', '/x'), '/x');
    assert.equal(joinPaths('/', '/x'), '/x');
    assert.equal(joinPaths('/api', '/users'), '/api/users');
    assert.equal(joinPaths('/api/', '/users'), '/api/users');
    assert.equal(joinPaths('/api', '/'), '/api');
    assert.equal(joinPaths('/api', '/users/'), '/api/users/');
  });
});

describe('RouteParams', () => {
  test('infers each param with its converter type', () => {
    const full: Equal<RouteParams<'/users/:id<int>/posts/:slug'>, { id: number; slug: string }> = true;
    const converters: Equal<RouteParams<'/:a<uuid>/:b<slug>/:c<int>'>, { a: string; b: string; c: number }> = true;
    const wildcard: Equal<RouteParams<'/files/*path'>, { path: string }> = true;
    const none: Equal<RouteParams<'/about'>, {}> = true;
    const dynamic: Equal<RouteParams<string>, Record<string, string>> = true;
    assert.deepEqual([full, converters, wildcard, none, dynamic], [true, true, true, true, true]);
  });

  test('a wrongly typed value does not type-check', () => {
    // @ts-expect-error: id is a number for an int param
    const wrong: RouteParams<'/users/:id<int>'> = { id: '1' };
    // @ts-expect-error: a param the pattern does not have
    const extra: RouteParams<'/users/:id'> = { id: '1', other: 'x' };
    assert.ok(wrong !== undefined && extra !== undefined);
  });
});
