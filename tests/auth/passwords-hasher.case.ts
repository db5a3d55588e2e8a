// The conformance suite every PasswordHasher passes: tests/auth/passwords-hashers.test.ts runs it
// for each built-in hasher. A custom hasher can run it the same way.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { PasswordHasher } from 'rampart/auth';

/** Stored strings of other formats and broken ones: a hasher must answer false, never throw. */
const FOREIGN = [
  '',
  '!',
  '!unusable',
  'garbage',
  '$',
  '$$$$',
  'md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3',
  'sha1$$6d138ca3ae545631b3abd71a4f076ce759c5700b',
  'pbkdf2_sha1$390000$seasalt2$aDapRanzW8aHTz97v2TcfHzWD+I=',
  'scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw==',
];

export interface HasherCaseOptions {
  /**
   * The hasher reads only this many bytes of a password (plain bcrypt: 72). The long-password
   * case then stays under it; the caller tests the truncation itself.
   */
  maxInputBytes?: number;
}

export function runHasherCases(name: string, make: () => PasswordHasher, options: HasherCaseOptions = {}): void {
  const longLength = Math.min(300, options.maxInputBytes ?? Infinity);
  describe(`${name} conformance`, () => {
    const hasher = make();

    test('hash() makes a string the hasher identifies, verified by the same password only', async () => {
      const encoded = await hasher.hash('correct horse battery staple');
      assert.equal(hasher.identifies(encoded), true);
      assert.equal(await hasher.verify('correct horse battery staple', encoded), true);
      assert.equal(await hasher.verify('correct horse battery stapl', encoded), false);
      assert.equal(await hasher.verify('Correct horse battery staple', encoded), false);
      assert.equal(await hasher.verify('', encoded), false);
    });

    test('two hashes of one password differ (random salt) and both verify', async () => {
      const a = await hasher.hash('lètmein');
      const b = await hasher.hash('lètmein');
      assert.notEqual(a, b);
      assert.equal(await hasher.verify('lètmein', a), true);
      assert.equal(await hasher.verify('lètmein', b), true);
    });

    test('empty, unicode and long passwords round-trip', async () => {
      for (const pw of ['', ' ', 'пароль-🔑-密码', 'x'.repeat(longLength - 1)]) {
        const encoded = await hasher.hash(pw);
        assert.equal(await hasher.verify(pw, encoded), true, JSON.stringify(pw));
        assert.equal(await hasher.verify(pw + 'x', encoded), false, JSON.stringify(pw));
      }
    });

    test('a fresh hash does not need an upgrade', async () => {
      assert.equal(hasher.needsUpgrade(await hasher.hash('lètmein')), false);
    });

    test('foreign and broken stored strings verify false without throwing', async () => {
      const own = await hasher.hash('lètmein');
      const broken = [
        ...FOREIGN,
        own.slice(0, -1),
        own.slice(0, own.length - 10),
        own + 'A',
        own.replace(/\d+/, '99999999999'),
        own.replace(/\$/g, () => '$$'),
        own.slice(0, own.lastIndexOf('$')),
      ];
      for (const stored of broken) {
        assert.equal(await hasher.verify('lètmein', stored), false, stored);
        assert.equal(typeof hasher.needsUpgrade(stored), 'boolean', stored);
      }
      for (const stored of FOREIGN) {
        assert.equal(hasher.identifies(stored), false, stored);
        assert.equal(hasher.needsUpgrade(stored), false, stored);
      }
    });
  });
}
