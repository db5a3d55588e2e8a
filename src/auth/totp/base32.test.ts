import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base32Decode, base32Encode } from './base32.js';

// RFC 4648 section 10 test vectors, without padding.
const VECTORS: Array<[string, string]> = [
  ['', ''],
  ['f', 'MY'],
  ['fo', 'MZXQ'],
  ['foo', 'MZXW6'],
  ['foob', 'MZXW6YQ'],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI'],
];

test('encodes the RFC 4648 vectors', () => {
  for (const [plain, encoded] of VECTORS) assert.equal(base32Encode(Buffer.from(plain)), encoded, plain);
});

test('decodes them back, with or without padding, in any case, with spaces and hyphens', () => {
  for (const [plain, encoded] of VECTORS) {
    assert.equal(base32Decode(encoded)?.toString(), plain, encoded);
    assert.equal(base32Decode(encoded.toLowerCase())?.toString(), plain, encoded);
  }
  assert.equal(base32Decode('MZXW6YQ=')?.toString(), 'foob');
  assert.equal(base32Decode('mzxw 6ytb-oi')?.toString(), 'foobar');
});

test('refuses other characters and non-zero trailing bits', () => {
  assert.equal(base32Decode('MZXW1'), null); // 1 is not base32
  assert.equal(base32Decode('MZ!'), null);
  assert.equal(base32Decode('MZZ'), null); // 15 bits: a byte and 7 stray bits
  assert.equal(base32Decode('MF'), null); // 'f' is MY; MF leaves non-zero bits
});

test('round-trips random bytes', () => {
  for (let n = 0; n < 70; n++) {
    const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
    assert.deepEqual(base32Decode(base32Encode(bytes)), bytes);
  }
});
