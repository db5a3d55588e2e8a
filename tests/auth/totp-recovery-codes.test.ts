// Recovery codes: generated with 80 bits each, stored as hashes only, consumed once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { RECOVERY_CODE_DEFAULTS, TotpOptionsError, consumeRecoveryCode, generateRecoveryCodes, hashRecoveryCode } from 'rampart/auth';

test('generates 10 distinct formatted codes and their SHA-256 hashes', () => {
  const { codes, hashes } = generateRecoveryCodes();
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  for (const [i, code] of codes.entries()) {
    assert.match(code, /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/); // Crockford base32: no i, l, o, u
    const expected = 'sha256$' + createHash('sha256').update(code.replace(/-/g, '')).digest('hex');
    assert.equal(hashes[i], expected);
    assert.ok(!hashes[i]!.includes(code.replace(/-/g, '')), 'the hash does not contain the code');
  }
  assert.equal(RECOVERY_CODE_DEFAULTS.length * Math.log2(32), 80);
});

test('count is configurable within 1 to 100', () => {
  assert.equal(generateRecoveryCodes({ count: 1 }).codes.length, 1);
  assert.equal(generateRecoveryCodes({ count: 100 }).hashes.length, 100);
  for (const count of [0, 101, 2.5]) {
    assert.throws(() => generateRecoveryCodes({ count }), (err: unknown) => {
      assert.ok(err instanceof TotpOptionsError);
      assert.equal(err.code, 'E_RECOVERY_CODES_OPTIONS_INVALID');
      assert.equal(err.message, `Recovery code count must be an integer from 1 to 100, got ${count}.`);
      return true;
    });
  }
});

test('a code is consumed once: the remaining list no longer has its hash', () => {
  const { codes, hashes } = generateRecoveryCodes({ count: 3 });
  const first = consumeRecoveryCode(codes[1]!, hashes);
  assert.equal(first.valid, true);
  assert.deepEqual(first.remaining, [hashes[0], hashes[2]]);
  const again = consumeRecoveryCode(codes[1]!, first.remaining);
  assert.equal(again.valid, false);
  assert.deepEqual(again.remaining, first.remaining);
  const other = consumeRecoveryCode(codes[0]!, first.remaining);
  assert.deepEqual(other, { valid: true, remaining: [hashes[2]] });
});

test('typing is forgiving: case, spaces, missing hyphens, and the lookalikes o, i, l', () => {
  const { hashes } = generateRecoveryCodes({ count: 1 });
  const code = '0123-4567-89ab-cdef';
  const stored = [hashRecoveryCode(code)];
  for (const typed of ['0123-4567-89ab-cdef', '0123456789ABCDEF', ' 0123 4567 89ab cdef ', 'O123-4567-89ab-cdef', 'o1234567-89ab-cdef', '0i23-4567-89ab-cdef', '0L23-4567-89ab-cdef']) {
    assert.equal(consumeRecoveryCode(typed, stored).valid, true, typed);
  }
  assert.equal(consumeRecoveryCode(code, hashes).valid, false);
});

test('wrong, short, long and garbage input is refused and consumes nothing', () => {
  const { codes, hashes } = generateRecoveryCodes({ count: 2 });
  const wrongLast = codes[0]!.slice(0, -1) + (codes[0]!.endsWith('0') ? '1' : '0');
  for (const typed of ['', wrongLast, codes[0]!.slice(0, -1), codes[0]! + '0', 'uuuu-uuuu-uuuu-uuuu', '💥'.repeat(16), hashes[0]!]) {
    const result = consumeRecoveryCode(typed, hashes);
    assert.equal(result.valid, false, typed);
    assert.deepEqual(result.remaining, hashes);
  }
  assert.deepEqual(consumeRecoveryCode(codes[0]!, []), { valid: false, remaining: [] });
});
