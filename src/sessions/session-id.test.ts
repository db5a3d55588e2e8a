import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isSessionIdShape, newSessionId, sessionKey } from './session-id.js';

test('ids are 256 random bits in base64url, keys their SHA-256', () => {
  const ids = new Set(Array.from({ length: 100 }, newSessionId));
  assert.equal(ids.size, 100);
  for (const id of ids) {
    assert.equal(Buffer.from(id, 'base64url').length, 32);
    assert.equal(isSessionIdShape(id), true);
    assert.equal(sessionKey(id), createHash('sha256').update(id).digest('base64url'));
    assert.notEqual(sessionKey(id), id);
  }
  assert.equal(isSessionIdShape('a'.repeat(42)), false);
  assert.equal(isSessionIdShape('a'.repeat(42) + '='), false);
});
