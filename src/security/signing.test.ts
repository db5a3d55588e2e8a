import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveKey } from './keys.js';
import { SecurityError } from './errors.js';
import { safeEqual, sign, unsign } from './signing.js';
import { decrypt, encrypt } from './encryption.js';

const KEY = 'k'.repeat(10) + 'Q2mVt9LpZ4kWc8RnJ3hYs6dBf1GuE5oTi0vXlNbA7x';
const OTHER = 'Zq3Wm8Xn1Vb6Ct4Yr9Ls2Kd7Jf5Hg0Pa8Ue3Io6Qw1';

describe('deriveKey', () => {
  test('is stable per secret and purpose, and differs across purposes and secrets', () => {
    assert.deepEqual(deriveKey(KEY, 'a'), deriveKey(KEY, 'a'));
    assert.notDeepEqual(deriveKey(KEY, 'a'), deriveKey(KEY, 'b'));
    assert.notDeepEqual(deriveKey(KEY, 'a'), deriveKey(OTHER, 'a'));
    assert.equal(deriveKey(KEY, 'a').length, 32);
    assert.equal(deriveKey(KEY, 'a', 64).length, 64);
  });

  test('refuses an empty secret', () => {
    assert.throws(() => deriveKey('', 'a'), (err: unknown) => err instanceof SecurityError && err.code === 'E_SECURITY_KEY_MISSING');
  });
});

describe('sign / unsign', () => {
  test('round-trips, and refuses a changed value, tag, purpose or key', () => {
    const signed = sign('user:42', KEY, 'unsubscribe');
    assert.match(signed, /^user:42\.[A-Za-z0-9_-]{43}$/);
    assert.equal(unsign(signed, KEY, 'unsubscribe'), 'user:42');
    assert.equal(unsign(signed.replace('42', '43'), KEY, 'unsubscribe'), null);
    assert.equal(unsign(signed.slice(0, -1) + (signed.endsWith('A') ? 'B' : 'A'), KEY, 'unsubscribe'), null);
    assert.equal(unsign(signed, KEY, 'reset'), null);
    assert.equal(unsign(signed, OTHER, 'unsubscribe'), null);
    assert.equal(unsign('no-dot', KEY, 'unsubscribe'), null);
    assert.equal(unsign('', KEY, 'unsubscribe'), null);
  });

  test('accepts values signed with an older key passed after the current one', () => {
    const old = sign('v', OTHER, 'p');
    assert.equal(unsign(old, [KEY, OTHER], 'p'), 'v');
    assert.equal(unsign(old, [KEY], 'p'), null);
  });

  test('values containing dots keep them', () => {
    assert.equal(unsign(sign('a.b.c', KEY, 'p'), KEY, 'p'), 'a.b.c');
  });

  test('safeEqual compares exactly', () => {
    assert.equal(safeEqual('abc', 'abc'), true);
    assert.equal(safeEqual('abc', 'abd'), false);
    assert.equal(safeEqual('abc', 'abcd'), false);
    assert.equal(safeEqual('é', 'e'), false);
  });
});

describe('encrypt / decrypt', () => {
  test('round-trips text and bytes; every ciphertext differs', () => {
    const a = encrypt('hello', KEY, 'p');
    const b = encrypt('hello', KEY, 'p');
    assert.notEqual(a, b);
    assert.equal(decrypt(a, KEY, 'p')?.toString(), 'hello');
    assert.deepEqual(decrypt(encrypt(Uint8Array.of(0, 255, 7), KEY, 'p'), KEY, 'p'), Buffer.of(0, 255, 7));
    assert.match(a, /^[A-Za-z0-9_-]+$/);
  });

  test('returns null for any change, another purpose or key, truncation and garbage', () => {
    const sealed = encrypt('secret data', KEY, 'p');
    const raw = Buffer.from(sealed, 'base64url');
    for (let i = 0; i < raw.length; i += 7) {
      const copy = Buffer.from(raw);
      copy[i] = copy[i]! ^ 1;
      assert.equal(decrypt(copy.toString('base64url'), KEY, 'p'), null, `byte ${i}`);
    }
    assert.equal(decrypt(sealed, KEY, 'q'), null);
    assert.equal(decrypt(sealed, OTHER, 'p'), null);
    assert.equal(decrypt(sealed.slice(0, 20), KEY, 'p'), null);
    assert.equal(decrypt('', KEY, 'p'), null);
    assert.equal(decrypt('not base64!', KEY, 'p'), null);
  });

  test('decrypts with a fallback key', () => {
    assert.equal(decrypt(encrypt('x', OTHER, 'p'), [KEY, OTHER], 'p')?.toString(), 'x');
  });
});
