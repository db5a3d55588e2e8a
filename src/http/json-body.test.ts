import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  JSON_BODY_DEFAULTS,
  JsonDepthError,
  JsonForbiddenKeyError,
  JsonSyntaxError,
  parseJsonBody,
} from './json-body.js';

const nestedArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const nestedObjects = (depth: number): string => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);

function assertNotPolluted(): void {
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
}

test('defaults are frozen and allow 64 levels', () => {
  assert.equal(JSON_BODY_DEFAULTS.maxDepth, 64);
  assert.ok(Object.isFrozen(JSON_BODY_DEFAULTS));
});

test('parses valid objects, arrays and scalars', () => {
  assert.deepEqual(parseJsonBody('{"a":1,"b":[true,false,null],"c":{"d":"e"}}'), {
    a: 1,
    b: [true, false, null],
    c: { d: 'e' },
  });
  assert.deepEqual(parseJsonBody(' [1, "two", 3.5e2] \n'), [1, 'two', 350]);
  assert.equal(parseJsonBody('42'), 42);
  assert.equal(parseJsonBody('"str"'), 'str');
  assert.equal(parseJsonBody('true'), true);
  assert.equal(parseJsonBody('null'), null);
  assert.deepEqual(parseJsonBody('{}'), {});
  assert.deepEqual(parseJsonBody('[]'), []);
  assert.deepEqual(parseJsonBody('"\\u00e9\\n\\""'), 'é\n"');
});

test('ignores a leading byte-order mark', () => {
  assert.deepEqual(parseJsonBody('\uFEFF{"a":1}'), { a: 1 });
});

test('depth exactly at the limit passes, one over fails', () => {
  assert.ok(Array.isArray(parseJsonBody(nestedArrays(64))));
  assert.equal(typeof parseJsonBody(nestedObjects(64)), 'object');
  assert.throws(() => parseJsonBody(nestedArrays(65)), JsonDepthError);
  assert.throws(() => parseJsonBody(nestedObjects(65)), JsonDepthError);

  assert.deepEqual(parseJsonBody('[[1]]', { maxDepth: 2 }), [[1]]);
  assert.throws(() => parseJsonBody('[[[1]]]', { maxDepth: 2 }), JsonDepthError);
  assert.equal(parseJsonBody('7', { maxDepth: 0 }), 7);
  assert.throws(() => parseJsonBody('[]', { maxDepth: 0 }), JsonDepthError);
});

test('depth counts nesting, not the number of containers', () => {
  const wide = '[' + Array.from({ length: 10_000 }, () => '[{"a":[]}]').join(',') + ']';
  assert.equal((parseJsonBody(wide, { maxDepth: 4 }) as unknown[]).length, 10_000);
  assert.deepEqual(parseJsonBody('[[],[],{"a":{}}]', { maxDepth: 3 }), [[], [], { a: {} }]);
});

test('the depth error carries its code, limit and a helpful message', () => {
  try {
    parseJsonBody(nestedArrays(65));
    assert.fail('expected a JsonDepthError');
  } catch (error) {
    assert.ok(error instanceof JsonDepthError);
    assert.equal(error.code, 'E_BODY_JSON_TOO_DEEP');
    assert.equal(error.maxDepth, 64);
    assert.equal(error.message, 'JSON nesting is deeper than 64 levels');
    assert.equal(error.name, 'JsonDepthError');
  }
});

test('10,000-deep bodies are rejected quickly, before JSON.parse runs', () => {
  const bodies = [
    '['.repeat(10_000),
    nestedArrays(10_000),
    nestedObjects(10_000),
    '{"a":'.repeat(10_000),
    '['.repeat(1_000_000),
  ];
  const realParse = JSON.parse;
  let parseCalls = 0;
  JSON.parse = (...args: Parameters<typeof JSON.parse>): ReturnType<typeof JSON.parse> => {
    parseCalls++;
    return realParse(...args);
  };
  try {
    for (const body of bodies) {
      const start = performance.now();
      assert.throws(() => parseJsonBody(body), JsonDepthError);
      assert.ok(performance.now() - start < 50, 'depth check should fail fast');
    }
  } finally {
    JSON.parse = realParse;
  }
  assert.equal(parseCalls, 0);
});

test('brackets inside strings, including after escaped quotes, are not counted', () => {
  const deepText = '[['.repeat(200);
  assert.deepEqual(parseJsonBody(`["${deepText}"]`, { maxDepth: 1 }), [deepText]);
  assert.deepEqual(parseJsonBody('{"k\\"[[[[":"v\\"{{{{\\\\"}', { maxDepth: 1 }), { 'k"[[[[': 'v"{{{{\\' });
  // An escaped backslash closes the escape, so the next quote ends the string and the bracket after it counts.
  assert.throws(() => parseJsonBody('["\\\\",[[1]]]', { maxDepth: 2 }), JsonDepthError);
  assert.deepEqual(parseJsonBody('["\\\\",[1]]', { maxDepth: 2 }), ['\\', [1]]);
});

test('__proto__ keys are rejected and do not pollute Object.prototype', () => {
  for (const body of [
    '{"__proto__":{"polluted":1}}',
    '{"a":[{"b":{"__proto__":{"polluted":1}}}]}',
    '[{"__proto__":null}]',
    '{"__proto__" : {"polluted":1}}',
  ]) {
    try {
      parseJsonBody(body);
      assert.fail(`expected a JsonForbiddenKeyError for ${body}`);
    } catch (error) {
      assert.ok(error instanceof JsonForbiddenKeyError, body);
      assert.equal(error.code, 'E_BODY_JSON_FORBIDDEN_KEY');
      assert.equal(error.key, '__proto__');
      assert.match(error.message, /forbidden key "__proto__"/);
    }
    assertNotPolluted();
  }
});

test('constructor.prototype is rejected', () => {
  for (const body of [
    '{"constructor":{"prototype":{"polluted":1}}}',
    '[1,{"x":{"constructor":{"prototype":{}}}}]',
  ]) {
    try {
      parseJsonBody(body);
      assert.fail(`expected a JsonForbiddenKeyError for ${body}`);
    } catch (error) {
      assert.ok(error instanceof JsonForbiddenKeyError, body);
      assert.equal(error.key, 'constructor.prototype');
    }
  }
  assertNotPolluted();
});

test('unicode-escaped forbidden keys are rejected', () => {
  assert.throws(() => parseJsonBody('{"\\u005f_proto__":{"polluted":1}}'), JsonForbiddenKeyError);
  assert.throws(() => parseJsonBody('{"\\u005F\\u005Fproto\\u005f\\u005f":{}}'), JsonForbiddenKeyError);
  assert.throws(
    () => parseJsonBody('{"\\u0063onstructor":{"prototype":{"polluted":1}}}'),
    JsonForbiddenKeyError,
  );
  assertNotPolluted();
});

test('forbidden names as values, or harmless constructor keys, are accepted', () => {
  assert.deepEqual(parseJsonBody('{"a":"__proto__"}'), { a: '__proto__' });
  assert.deepEqual(parseJsonBody('["constructor","prototype"]'), ['constructor', 'prototype']);
  assert.deepEqual(parseJsonBody('{"constructor":"x"}'), { constructor: 'x' });
  assert.deepEqual(parseJsonBody('{"constructor":{"name":"x"}}'), { constructor: { name: 'x' } });
  assert.deepEqual(parseJsonBody('{"prototype":{}}'), { prototype: {} });
});

test('malformed inputs throw JsonSyntaxError without echoing the input', () => {
  const secret = 'hunter2-secret-token';
  const bad = [
    '{',
    '{"a":}',
    '[1,]',
    '{"a":1} trailing',
    '[1] x',
    'NaN',
    'Infinity',
    'undefined',
    "{'a':1}",
    '{a:1}',
    '"unterminated',
    '[1 2]',
    '01',
    ']',
    '}{',
    '[}',
    `{"token":"${secret}",}`,
    `${secret}`,
  ];
  for (const body of bad) {
    try {
      parseJsonBody(body);
      assert.fail(`expected a JsonSyntaxError for ${body}`);
    } catch (error) {
      assert.ok(error instanceof JsonSyntaxError, body);
      assert.equal(error.code, 'E_BODY_JSON_MALFORMED');
      assert.match(error.message, /^malformed JSON body( at position \d+)?: the body must be one valid JSON value/);
      assert.ok(!error.message.includes(secret), error.message);
      assert.equal(error.cause, undefined);
    }
  }
});

test('reports the position when the engine gives one', () => {
  try {
    parseJsonBody('[1] x');
    assert.fail('expected a JsonSyntaxError');
  } catch (error) {
    assert.ok(error instanceof JsonSyntaxError);
    assert.equal(error.position, 4);
    assert.match(error.message, /at position 4/);
  }
});

test('an empty or whitespace-only body is "empty JSON body"', () => {
  for (const body of ['', '   ', '\r\n\t ', '\uFEFF']) {
    try {
      parseJsonBody(body);
      assert.fail(`expected a JsonSyntaxError for ${JSON.stringify(body)}`);
    } catch (error) {
      assert.ok(error instanceof JsonSyntaxError);
      assert.match(error.message, /^empty JSON body/);
      assert.equal(error.position, undefined);
    }
  }
});

test('rejects an invalid maxDepth as a programming error', () => {
  for (const maxDepth of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => parseJsonBody('{}', { maxDepth }), RangeError);
  }
  assert.throws(() => parseJsonBody(undefined as unknown as string), TypeError);
});

test('a 1 MiB valid array parses', () => {
  const items: string[] = [];
  let size = 2;
  for (let i = 0; size < 1024 * 1024; i++) {
    const item = `{"id":${i},"name":"item ${i} [with] {brackets}","tags":["a","b"]}`;
    items.push(item);
    size += item.length + 1;
  }
  const body = `[${items.join(',')}]`;
  assert.ok(body.length >= 1024 * 1024);
  const start = performance.now();
  const value = parseJsonBody(body);
  assert.ok(performance.now() - start < 1000);
  assert.ok(Array.isArray(value));
  assert.equal(value.length, items.length);
});
