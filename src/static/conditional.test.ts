import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { notModified, parseRange, validators } from './conditional.js';

const MTIME = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
const v = validators(1000, MTIME, null);

describe('validators', () => {
  test('the ETag is strong, from size and mtime, and names the coding', () => {
    assert.equal(v.etag, `"3e8-${Math.floor(MTIME).toString(16)}"`);
    assert.equal(validators(1000, MTIME, 'br').etag, `"3e8-${Math.floor(MTIME).toString(16)}-br"`);
    assert.equal(v.lastModified, 'Tue, 02 Jan 2024 03:04:05 GMT');
    assert.equal(v.mtimeSeconds, Math.floor(MTIME / 1000));
  });
});

describe('notModified', () => {
  test('If-None-Match: exact, weak, listed, wildcard; a miss is never fresh', () => {
    assert.equal(notModified(v.etag, undefined, v), true);
    assert.equal(notModified(`W/${v.etag}`, undefined, v), true);
    assert.equal(notModified(`"a", "b",${v.etag}`, undefined, v), true);
    assert.equal(notModified('*', undefined, v), true);
    assert.equal(notModified('"a"', undefined, v), false);
    assert.equal(notModified('', undefined, v), false);
  });

  test('If-None-Match wins over If-Modified-Since in both directions', () => {
    assert.equal(notModified('"a"', 'Fri, 01 Jan 2100 00:00:00 GMT', v), false);
    assert.equal(notModified(v.etag, 'Thu, 01 Jan 1970 00:00:00 GMT', v), true);
  });

  test('If-Modified-Since compares whole seconds; a bad date is ignored', () => {
    assert.equal(notModified(undefined, v.lastModified, v), true);
    assert.equal(notModified(undefined, 'Tue, 02 Jan 2024 03:04:04 GMT', v), false);
    assert.equal(notModified(undefined, 'not a date', v), false);
    assert.equal(notModified(undefined, undefined, v), false);
  });
});

describe('parseRange', () => {
  test('single ranges', () => {
    assert.deepEqual(parseRange('bytes=0-99', undefined, 1000, v), { start: 0, end: 99 });
    assert.deepEqual(parseRange('bytes=900-', undefined, 1000, v), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=-100', undefined, 1000, v), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=-5000', undefined, 1000, v), { start: 0, end: 999 });
    assert.deepEqual(parseRange('bytes=990-5000', undefined, 1000, v), { start: 990, end: 999 });
  });

  test('unsatisfiable', () => {
    assert.equal(parseRange('bytes=1000-', undefined, 1000, v), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', undefined, 1000, v), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-', undefined, 0, v), 'unsatisfiable');
    assert.equal(parseRange('bytes=1234567890123456-', undefined, 1000, v), 'unsatisfiable');
  });

  test('ignored: absent, other units, several ranges, malformed, reversed, stale If-Range', () => {
    for (const h of [undefined, 'items=0-1', 'bytes=0-1,5-6', 'bytes=', 'bytes=-', 'bytes=a-b', 'bytes=5-2', 'bytes=-1234567890123456']) {
      assert.equal(parseRange(h, undefined, 1000, v), null, String(h));
    }
    assert.equal(parseRange('bytes=0-1', '"other"', 1000, v), null);
    assert.equal(parseRange('bytes=0-1', `W/${v.etag}`, 1000, v), null);
    assert.equal(parseRange('bytes=0-1', 'Mon, 01 Jan 2024 00:00:00 GMT', 1000, v), null);
    assert.deepEqual(parseRange('bytes=0-1', v.etag, 1000, v), { start: 0, end: 1 });
    assert.deepEqual(parseRange('bytes=0-1', v.lastModified, 1000, v), { start: 0, end: 1 });
  });
});
