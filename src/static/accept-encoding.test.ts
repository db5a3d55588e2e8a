import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptedCodings } from './accept-encoding.js';

const names = (h: string | undefined): string[] => acceptedCodings(h).map((c) => c.name);

test('codings ranked by q-value, then br before gzip', () => {
  assert.deepEqual(names('gzip, deflate, br, zstd'), ['br', 'gzip']);
  assert.deepEqual(names('gzip;q=1.0, br;q=0.5'), ['gzip', 'br']);
  assert.deepEqual(names('GZIP'), ['gzip']);
  assert.deepEqual(names('x-gzip'), ['gzip']);
  assert.deepEqual(names('br;Q=0.3 , gzip ; q=0.2'), ['br', 'gzip']);
});

test('absent, empty, identity-only and refused codings give the plain file', () => {
  assert.deepEqual(names(undefined), []);
  assert.deepEqual(names(''), []);
  assert.deepEqual(names('identity'), []);
  assert.deepEqual(names('br;q=0, gzip;q=0'), []);
  assert.deepEqual(names('*;q=0'), []);
  assert.deepEqual(names('deflate'), []);
});

test('the wildcard covers the codings not named', () => {
  assert.deepEqual(names('*'), ['br', 'gzip']);
  assert.deepEqual(names('br;q=0, *'), ['gzip']);
  assert.deepEqual(names('gzip;q=0.1, *;q=0.5'), ['br', 'gzip']);
});

test('an explicit identity preference above a coding drops that coding', () => {
  assert.deepEqual(names('identity;q=1, br;q=0.5, gzip'), ['gzip']);
  assert.deepEqual(names('identity;q=0.1, br;q=0.5'), ['br']);
});

test('malformed q-values count as 0', () => {
  assert.deepEqual(names('br;q=2, gzip;q=abc'), []);
  assert.deepEqual(names('br;q=-1, gzip'), ['gzip']);
});
