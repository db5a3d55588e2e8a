import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFormContentType, isJsonContentType, parseMediaType } from './media-type.js';

test('parses type and subtype, lower-casing them', () => {
  const mt = parseMediaType('Application/JSON');
  assert.ok(mt);
  assert.equal(mt.type, 'application');
  assert.equal(mt.subtype, 'json');
  assert.equal(mt.essence, 'application/json');
  assert.equal(mt.parameters.size, 0);
});

test('parses token and quoted-string parameters, lower-casing names only', () => {
  const mt = parseMediaType('text/html; Charset=UTF-8;boundary="a b;c=d"');
  assert.ok(mt);
  assert.deepEqual([...mt.parameters], [
    ['charset', 'UTF-8'],
    ['boundary', 'a b;c=d'],
  ]);
});

test('unescapes quoted-pairs and accepts an empty quoted string', () => {
  const mt = parseMediaType('a/b; x="q\\"u\\\\o\\te"; y=""');
  assert.ok(mt);
  assert.equal(mt.parameters.get('x'), 'q"u\\ote');
  assert.equal(mt.parameters.get('y'), '');
});

test('allows OWS around the whole value and around semicolons', () => {
  const mt = parseMediaType(' \tapplication/json \t;\t charset=utf-8 ; a=b \t');
  assert.ok(mt);
  assert.equal(mt.essence, 'application/json');
  assert.equal(mt.parameters.get('charset'), 'utf-8');
  assert.equal(mt.parameters.get('a'), 'b');
});

test('accepts every tchar in type, subtype, names and values', () => {
  const t = "!#$%&'*+-.^_`|~09azAZ";
  const mt = parseMediaType(`${t}/${t}; ${t}=${t}`);
  assert.ok(mt);
  assert.equal(mt.essence, `${t.toLowerCase()}/${t.toLowerCase()}`);
  assert.equal(mt.parameters.get(t.toLowerCase()), t);
});

test('rejects malformed values', () => {
  const bad = [
    '',
    '   ',
    'application',
    'application/',
    '/json',
    'application /json',
    'application/ json',
    'application/json/x',
    'application/json\tfoo',
    'application/json foo',
    'application/json;',
    'application/json; ',
    'application/json;;charset=utf-8',
    'application/json; charset=utf-8;',
    'application/json; =utf-8',
    'application/json; charset',
    'application/json; charset=',
    'application/json; charset =utf-8',
    'application/json; charset= utf-8',
    'application/json; charset="utf-8',
    'application/json; charset="utf-8\\',
    'application/json; charset="utf-8"x',
    'application/json; charset=utf-8 x',
    'application/json; charset=ut"f',
    'application/json; a=b,c',
    'application/json, text/html',
    'application/json\r\n',
    'application/json\u0000',
    'application/json; a="\u0001"',
    'application/json; a="\u007f"',
    'application/j\u00e9son',
    'application/json; a="\u00e9"',
    'application/json; a="\\\u00e9"',
    'application/json; a="\\\u0000"',
    'application/json\u00a0',
    'appli\u0000cation/json',
  ];
  for (const value of bad) {
    assert.equal(parseMediaType(value), null, JSON.stringify(value));
  }
});

test('rejects duplicated parameters, case-insensitively', () => {
  assert.equal(parseMediaType('text/plain; charset=utf-8; charset=utf-8'), null);
  assert.equal(parseMediaType('text/plain; charset=utf-8; CHARSET="utf-8"'), null);
});

test('allows 16 parameters and rejects 17', () => {
  const params = (n: number): string => Array.from({ length: n }, (_, i) => `p${i}=v`).join('; ');
  assert.equal(parseMediaType(`text/plain; ${params(16)}`)?.parameters.size, 16);
  assert.equal(parseMediaType(`text/plain; ${params(17)}`), null);
});

test('allows 1,024 characters and rejects 1,025', () => {
  const base = 'text/plain; a=';
  const at = base + 'x'.repeat(1024 - base.length);
  assert.equal(at.length, 1024);
  assert.ok(parseMediaType(at));
  assert.equal(parseMediaType(at + 'x'), null);
  assert.equal(parseMediaType(' '.repeat(1025) + 'a/b'), null);
});

test('returns null rather than throwing for non-string input from JavaScript callers', () => {
  for (const value of [undefined, null, 42, ['application/json'], {}]) {
    assert.equal(parseMediaType(value as unknown as string), null);
  }
});

test('stays fast on adversarial input, inside and beyond the length cap', () => {
  // Runs of the characters each loop consumes, ending in a reject: any backtracking would show.
  const inputs = [
    'a/b; x="' + '\\a'.repeat(500),
    'a/b' + '; '.repeat(510),
    ' '.repeat(1020) + 'a/',
    'a/b; x="' + '\\a'.repeat(300_000),
    'a/b' + '; '.repeat(300_000),
  ];
  for (const input of inputs) {
    const start = performance.now();
    for (let i = 0; i < 100; i++) assert.equal(parseMediaType(input), null);
    assert.ok(performance.now() - start < 200);
  }
});

test('isJsonContentType accepts only application/json with at most charset=utf-8', () => {
  const yes = [
    'application/json',
    'Application/Json',
    ' application/json ',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'application/json; charset="utf-8"',
    'application/json; CHARSET=Utf-8',
  ];
  const no = [
    undefined,
    '',
    'application/json; charset=latin1',
    'application/json; charset=utf8',
    'application/json; charset=utf-16',
    'application/json; foo=bar',
    'application/json; charset=utf-8; foo=bar',
    'application/json;',
    'application/jsonx',
    'application/json-seq',
    'application/vnd.api+json',
    'application/problem+json',
    'text/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/json, text/plain',
    'application/json\tfoo',
  ];
  for (const value of yes) assert.equal(isJsonContentType(value), true, String(value));
  for (const value of no) assert.equal(isJsonContentType(value), false, String(value));
});

test('isFormContentType accepts only application/x-www-form-urlencoded with at most charset=utf-8', () => {
  const yes = [
    'application/x-www-form-urlencoded',
    'Application/X-WWW-Form-URLEncoded',
    'application/x-www-form-urlencoded; charset=UTF-8',
    'application/x-www-form-urlencoded; charset="utf-8"',
  ];
  const no = [
    undefined,
    '',
    'application/x-www-form-urlencoded; charset=latin1',
    'application/x-www-form-urlencoded; foo=bar',
    'application/x-www-form-urlencoded;',
    'application/x-www-form-urlencodedx',
    'multipart/form-data; boundary=x',
    'application/json',
    'text/plain',
  ];
  for (const value of yes) assert.equal(isFormContentType(value), true, String(value));
  for (const value of no) assert.equal(isFormContentType(value), false, String(value));
});
