import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfTokenMatches, isCsrfSecret, maskCsrfSecret, newCsrfSecret } from './csrf-token.js';

test('secrets are 32 random bytes in base64url', () => {
  const a = newCsrfSecret();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, newCsrfSecret());
  assert.equal(isCsrfSecret(a), true);
  assert.equal(isCsrfSecret('short'), false);
  assert.equal(isCsrfSecret(42), false);
});

test('masked tokens differ every time and all unmask to the secret', () => {
  const secret = newCsrfSecret();
  const tokens = new Set(Array.from({ length: 20 }, () => maskCsrfSecret(secret)));
  assert.equal(tokens.size, 20);
  for (const t of tokens) {
    assert.match(t, /^[A-Za-z0-9_-]{86}$/);
    assert.equal(csrfTokenMatches(t, secret), true);
    assert.equal(t.includes(secret), false);
  }
});

test("a token does not match another secret, a changed token, the bare secret, or garbage", () => {
  const secret = newCsrfSecret();
  const token = maskCsrfSecret(secret);
  assert.equal(csrfTokenMatches(token, newCsrfSecret()), false);
  assert.equal(csrfTokenMatches(token.slice(0, 50) + (token[50] === 'A' ? 'B' : 'A') + token.slice(51), secret), false);
  assert.equal(csrfTokenMatches(secret, secret), false);
  assert.equal(csrfTokenMatches('', secret), false);
  assert.equal(csrfTokenMatches('!'.repeat(86), secret), false);
  assert.equal(csrfTokenMatches(token, 'not a secret'), false);
});
