// Password hashers: Django's formats both ways, upgrades on login, hostile stored data, the dummy
// verification for unknown users, and the conformance suite for every built-in hasher.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  Argon2idHasher,
  BcryptHasher,
  BcryptSha256Hasher,
  PASSWORD_DEFAULTS,
  PasswordHasherConfigError,
  PasswordHashers,
  PasswordTooLongError,
  Pbkdf2Sha256Hasher,
  isPasswordUsable,
  passwordHashers,
  unusablePassword,
  type PasswordHasher,
} from 'rampart/auth';
import { runHasherCases } from './passwords-hasher.case.js';

// Fast parameters for the conformance runs; the defaults are exercised below.
const fastArgon2 = () => new Argon2idHasher({ memoryKiB: 1024, timeCost: 1, allowWeakParameters: true });
runHasherCases('Argon2idHasher', fastArgon2);
runHasherCases('Pbkdf2Sha256Hasher', () => new Pbkdf2Sha256Hasher({ iterations: 1000, allowWeakParameters: true }));
runHasherCases('BcryptSha256Hasher', () => new BcryptSha256Hasher({ rounds: 4, allowWeakParameters: true }));
// Plain bcrypt reads 72 bytes of a password, as Django's BCryptPasswordHasher does; see the test below.
runHasherCases('BcryptHasher', () => new BcryptHasher({ rounds: 4, allowWeakParameters: true }), { maxInputBytes: 72 });

// Vectors made by Django: the pbkdf2 ones are from Django's own test suite
// (tests/auth_tests/test_hashers.py, 4.1 and 5.x), the argon2 ones too; the bcrypt ones were made
// with Django 5.2.17 and bcrypt 5.0.0 (`make_password('lètmein', hasher='bcrypt_sha256')`, rounds 4).
const DJANGO = {
  pbkdf2_1m: 'pbkdf2_sha256$1000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps=',
  pbkdf2_390k: 'pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=',
  pbkdf2_390k_salt2: 'pbkdf2_sha256$390000$seasalt2$geC/uZ92nRXDSjSxeoiBqYyRcrLzMm8xK3ro1QS1uo8=',
  pbkdf2_blank: 'pbkdf2_sha256$1000000$seasalt$pAUSyZaoLVTQI7m08WQqxhpi1U0Xw2Y4lwUxv2L4sSs=',
  bcrypt_sha256: 'bcrypt_sha256$$2b$04$uhBmIJdu7ddK2COAkpmhcu99Mu3dpBbi3tTEDNiMj1TkMUtUTmv9.',
  // Django's 100-character password from test_bcrypt_sha256: not truncated at 72 bytes.
  bcrypt_sha256_long: 'bcrypt_sha256$$2b$04$iCvg8dtHe6wklIrDm.LBYes7Nq/gp/w9E4Fo8yhSTaiavRkwEJQQ2',
  bcrypt: 'bcrypt$$2b$04$H7MRAaN6rPTeeWZD3rOI/OMmbfZI0C7DyGM4ePyGgL6IhaAylEmta',
  argon2id: 'argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw',
  argon2i_v19: 'argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q',
  argon2i_noversion: 'argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg',
};
const LONG = 'VSK0UYV6FFQVZ0KG88DYN9WADAADZO1CTSIVDJUNZSUML6IBX7LN7ZS3R5JGB3RGZ7VI7G7DJQ9NI8BQFSRPTG6UWTTVESA5ZPUN';

// Made by Rampart's hashers and checked with Django 5.2.17's check_password('lètmein', …): True,
// and check_password('lètmeinz', …): False.
const RAMPART_FOR_DJANGO = {
  pbkdf2: 'pbkdf2_sha256$1000000$lgxCjPQ7LwgbKbVfst0OiS$uxJwEXJM+JpZztEPsqXfCXoHxF7aSEGS1je3XRYK35Y=',
  bcrypt_sha256: 'bcrypt_sha256$$2b$04$tCmwkdN3NrzdXrE0uCOzweMVrOKhvnCXhk.WUcI0iNqQXewElXZ3K',
  bcrypt: 'bcrypt$$2b$04$LscLhwh1rG3D74bXEjLDhe1IUUS7c79L2lLYH0YYt.AhYX9dqUg0a',
};

describe('Django hashes', () => {
  const hashers = passwordHashers();

  test('pbkdf2_sha256 vectors from Django verify, and are upgraded', async () => {
    for (const [pw, stored] of [
      ['lètmein', DJANGO.pbkdf2_1m],
      ['lètmein', DJANGO.pbkdf2_390k],
      ['lètmein', DJANGO.pbkdf2_390k_salt2],
      ['', DJANGO.pbkdf2_blank],
    ] as const) {
      assert.deepEqual(await hashers.verify(pw, stored), { valid: true, needsRehash: true }, stored);
      assert.deepEqual(await hashers.verify(pw + 'z', stored), { valid: false, needsRehash: false }, stored);
    }
    assert.deepEqual(await hashers.verify(' ', DJANGO.pbkdf2_blank), { valid: false, needsRehash: false });
  });

  test('bcrypt_sha256 and bcrypt hashes made by Django verify, and are upgraded', async () => {
    assert.deepEqual(await hashers.verify('lètmein', DJANGO.bcrypt_sha256), { valid: true, needsRehash: true });
    assert.deepEqual(await hashers.verify('lètmeinz', DJANGO.bcrypt_sha256), { valid: false, needsRehash: false });
    assert.deepEqual(await hashers.verify('lètmein', DJANGO.bcrypt), { valid: true, needsRehash: true });
    assert.deepEqual(await hashers.verify('lètmeinz', DJANGO.bcrypt), { valid: false, needsRehash: false });
  });

  test('bcrypt_sha256 uses the whole password; its first 72 bytes do not match', async () => {
    assert.equal((await hashers.verify(LONG, DJANGO.bcrypt_sha256_long)).valid, true);
    assert.equal((await hashers.verify(LONG.slice(0, 72), DJANGO.bcrypt_sha256_long)).valid, false);
  });

  test('plain bcrypt reads only the first 72 bytes, like Django with bcrypt before 5.0', async () => {
    const bcrypt = new BcryptHasher({ rounds: 4, allowWeakParameters: true });
    const stored = await bcrypt.hash(LONG);
    assert.equal(await bcrypt.verify(LONG.slice(0, 72) + 'anything', stored), true);
    assert.equal(await bcrypt.verify(LONG.slice(0, 71), stored), false);
  });

  test('the $2a$ and $2y$ spellings of a bcrypt hash verify like $2b$', async () => {
    for (const tag of ['$2a$', '$2y$']) {
      assert.equal((await hashers.verify('lètmein', DJANGO.bcrypt.replace('$2b$', tag))).valid, true, tag);
      assert.equal((await hashers.verify('lètmein', DJANGO.bcrypt_sha256.replace('$2b$', tag))).valid, true, tag);
    }
  });

  test("Django's argon2 hashes (argon2id and the older argon2i) verify, and are upgraded", async () => {
    for (const stored of [DJANGO.argon2id, DJANGO.argon2i_v19, DJANGO.argon2i_noversion]) {
      assert.deepEqual(await hashers.verify('secret', stored), { valid: true, needsRehash: true }, stored);
      assert.deepEqual(await hashers.verify('wrong', stored), { valid: false, needsRehash: false }, stored);
    }
  });

  test('hashes Rampart makes in Django formats are the ones Django accepted', async () => {
    assert.equal(await new Pbkdf2Sha256Hasher().verify('lètmein', RAMPART_FOR_DJANGO.pbkdf2), true);
    assert.equal(await new BcryptSha256Hasher().verify('lètmein', RAMPART_FOR_DJANGO.bcrypt_sha256), true);
    assert.equal(await new BcryptHasher().verify('lètmein', RAMPART_FOR_DJANGO.bcrypt), true);
    assert.equal(await new BcryptHasher().verify('lètmeinz', RAMPART_FOR_DJANGO.bcrypt), false);
  });

  test('Rampart hashes in Django formats have the exact Django shape', async () => {
    const pbkdf2 = await new Pbkdf2Sha256Hasher().hash('lètmein');
    assert.match(pbkdf2, /^pbkdf2_sha256\$1000000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$/);
    const bcryptSha = await new BcryptSha256Hasher({ rounds: 4, allowWeakParameters: true }).hash('lètmein');
    assert.match(bcryptSha, /^bcrypt_sha256\$\$2b\$04\$[./A-Za-z0-9]{53}$/);
    const bcrypt = await new BcryptHasher({ rounds: 4, allowWeakParameters: true }).hash('lètmein');
    assert.match(bcrypt, /^bcrypt\$\$2b\$04\$[./A-Za-z0-9]{53}$/);
  });
});

describe('the default list', () => {
  const hashers = passwordHashers();

  test('hashes with argon2id at the OWASP parameters, in the PHC format', async () => {
    assert.deepEqual(PASSWORD_DEFAULTS.argon2, { memoryKiB: 19456, timeCost: 2, parallelism: 1 });
    const stored = await hashers.hash('correct horse battery staple');
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.deepEqual(await hashers.verify('correct horse battery staple', stored), { valid: true, needsRehash: false });
    assert.deepEqual(await hashers.verify('correct horse battery stapler', stored), { valid: false, needsRehash: false });
  });

  test('lists argon2id first, then the Django hashers', () => {
    assert.deepEqual(hashers.hashers.map((h) => h.algorithm), ['argon2id', 'pbkdf2_sha256', 'bcrypt_sha256', 'bcrypt']);
    assert.equal(hashers.primary.algorithm, 'argon2id');
  });

  test('an argon2id hash with older parameters is upgraded on a successful login only', async () => {
    const old = await fastArgon2().hash('lètmein');
    assert.match(old, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    assert.deepEqual(await hashers.verify('lètmein', old), { valid: true, needsRehash: true });
    assert.deepEqual(await hashers.verify('lètmeinz', old), { valid: false, needsRehash: false });
    assert.equal(hashers.needsRehash(old), true);
    const upgraded = await hashers.hash('lètmein');
    assert.equal(hashers.needsRehash(upgraded), false);
  });

  test('a pbkdf2 hash with fewer iterations, or a weak salt, needs an upgrade in its own hasher', () => {
    const pbkdf2 = new Pbkdf2Sha256Hasher();
    assert.equal(pbkdf2.needsUpgrade(DJANGO.pbkdf2_390k), true);
    assert.equal(pbkdf2.needsUpgrade(DJANGO.pbkdf2_1m), true); // 'seasalt' is 7 characters: 42 bits
    assert.equal(pbkdf2.needsUpgrade(RAMPART_FOR_DJANGO.pbkdf2), false);
  });

  test('a bcrypt hash with another cost needs an upgrade in its own hasher', () => {
    assert.equal(new BcryptSha256Hasher().needsUpgrade(DJANGO.bcrypt_sha256), true);
    assert.equal(new BcryptSha256Hasher({ rounds: 4, allowWeakParameters: true }).needsUpgrade(DJANGO.bcrypt_sha256), false);
  });

  test('unknown formats and unusable passwords are invalid, never an exception', async () => {
    for (const stored of ['', 'garbage', 'md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3', '$argon2d$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q', unusablePassword()]) {
      assert.deepEqual(await hashers.verify('lètmein', stored), { valid: false, needsRehash: false }, stored);
      assert.equal(hashers.needsRehash(stored), false, stored);
    }
  });

  test('unusablePassword() is marked, random, and matches nothing', async () => {
    const a = unusablePassword();
    assert.match(a, /^![A-Za-z0-9_-]{40}$/);
    assert.notEqual(a, unusablePassword());
    assert.equal(isPasswordUsable(a), false);
    assert.equal(isPasswordUsable(null), false);
    assert.equal(isPasswordUsable(await hashers.hash('x')), true);
    assert.equal((await hashers.verify(a, a)).valid, false);
  });
});

describe('hostile stored data', () => {
  const hashers = passwordHashers();

  test('an argon2 hash asking for 4 TiB of memory fails without running (it would kill the process)', async () => {
    const stored = '$argon2id$v=19$m=4294967295,t=2,p=1$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw';
    assert.deepEqual(await hashers.verify('secret', stored), { valid: false, needsRehash: false });
    assert.equal(await new Argon2idHasher().verify('secret', stored), false);
  });

  test('argon2 hashes past the time or parallelism ceilings fail without running', async () => {
    const argon2 = new Argon2idHasher();
    for (const params of ['m=19456,t=4000000000,p=1', 'm=19456,t=2,p=255', 'm=8,t=2,p=4', 'm=0,t=2,p=1', 'm=19456,t=0,p=1']) {
      assert.equal(await argon2.verify('secret', `$argon2id$v=19$${params}$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw`), false, params);
    }
  });

  test('a pbkdf2 hash asking for 2^31 iterations fails without running', async () => {
    const stored = 'pbkdf2_sha256$2147483647$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps=';
    assert.deepEqual(await hashers.verify('lètmein', stored), { valid: false, needsRehash: false });
    assert.equal(await new Pbkdf2Sha256Hasher().verify('lètmein', 'pbkdf2_sha256$0$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps='), false);
  });

  test('a bcrypt hash of cost 31 fails without running', async () => {
    const stored = DJANGO.bcrypt.replace('$04$', '$31$');
    assert.deepEqual(await hashers.verify('lètmein', stored), { valid: false, needsRehash: false });
    assert.equal(await new BcryptSha256Hasher().verify('lètmein', DJANGO.bcrypt_sha256.replace('$04$', '$17$')), false);
  });
});

describe('unknown users and long passwords', () => {
  /** A real Argon2idHasher that records what it is asked to verify (not a mock: it does the work). */
  class RecordingHasher implements PasswordHasher {
    readonly algorithm = 'argon2id';
    readonly inner = new Argon2idHasher();
    readonly verified: string[] = [];
    identifies(encoded: string) {
      return this.inner.identifies(encoded);
    }
    hash(password: string) {
      return this.inner.hash(password);
    }
    async verify(password: string, encoded: string) {
      this.verified.push(encoded);
      return this.inner.verify(password, encoded);
    }
    needsUpgrade(encoded: string) {
      return this.inner.needsUpgrade(encoded);
    }
  }

  test('verify() for a missing user runs one real verification against a hash of the current parameters', async () => {
    const recording = new RecordingHasher();
    const hashers = new PasswordHashers([recording, new Pbkdf2Sha256Hasher()]);
    for (const stored of [null, undefined, 'garbage', unusablePassword()]) {
      recording.verified.length = 0;
      assert.deepEqual(await hashers.verify('lètmein', stored), { valid: false, needsRehash: false });
      assert.equal(recording.verified.length, 1, String(stored));
      const dummy = recording.verified[0]!;
      assert.match(dummy, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      assert.equal(recording.needsUpgrade(dummy), false);
    }
  });

  test('the dummy hash is made once and reused', async () => {
    const recording = new RecordingHasher();
    const hashers = new PasswordHashers([recording]);
    await Promise.all([hashers.dummyVerify('a'), hashers.dummyVerify('b'), hashers.verify('c', null)]);
    assert.equal(recording.verified.length, 3);
    assert.equal(new Set(recording.verified).size, 1);
  });

  test('hash() refuses a password over 4096 bytes; verify() answers invalid without hashing', async () => {
    const recording = new RecordingHasher();
    const hashers = new PasswordHashers([recording]);
    const tooLong = 'é'.repeat(2049); // 4098 bytes
    await assert.rejects(hashers.hash(tooLong), (err: unknown) => {
      assert.ok(err instanceof PasswordTooLongError);
      assert.equal(err.code, 'E_PASSWORD_TOO_LONG');
      assert.equal(err.status, 422);
      assert.equal(err.message, 'This password is too long. It can be at most 4096 bytes long.');
      return true;
    });
    const stored = await hashers.hash('x'.repeat(4096));
    assert.equal((await hashers.verify('x'.repeat(4096), stored)).valid, true);
    recording.verified.length = 0;
    assert.deepEqual(await hashers.verify(tooLong, stored), { valid: false, needsRehash: false });
    assert.equal(recording.verified.length, 0);
  });
});

describe('configuration', () => {
  function refused(fn: () => unknown, code: string, message: RegExp): void {
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof PasswordHasherConfigError);
      assert.equal(err.code, code);
      assert.match(err.message, message);
      return true;
    });
  }

  test('parameters below OWASP are refused unless allowWeakParameters is set', () => {
    refused(() => new Argon2idHasher({ memoryKiB: 1024 }), 'E_PASSWORD_HASHER_WEAK', /^Argon2idHasher: memoryKiB=1024 is below OWASP's recommendation/);
    refused(() => new Argon2idHasher({ timeCost: 1 }), 'E_PASSWORD_HASHER_WEAK', /timeCost=1/);
    refused(() => new Pbkdf2Sha256Hasher({ iterations: 100_000 }), 'E_PASSWORD_HASHER_WEAK', /iterations=100000/);
    refused(() => new BcryptSha256Hasher({ rounds: 8 }), 'E_PASSWORD_HASHER_WEAK', /rounds=8/);
    refused(() => new BcryptHasher({ rounds: 9 }), 'E_PASSWORD_HASHER_WEAK', /rounds=9/);
    assert.equal(new Argon2idHasher({ memoryKiB: 1024, timeCost: 1, allowWeakParameters: true }).memoryKiB, 1024);
  });

  test('stronger parameters are accepted and make older hashes need an upgrade', async () => {
    const strong = new Argon2idHasher({ memoryKiB: 65536, timeCost: 3 });
    assert.equal(strong.needsUpgrade(await new Argon2idHasher().hash('x')), true);
  });

  test('impossible values are refused', () => {
    refused(() => new Argon2idHasher({ memoryKiB: 1.5 }), 'E_PASSWORD_HASHER_CONFIG', /memoryKiB must be an integer from 8 to 262144, got 1.5/);
    refused(() => new Argon2idHasher({ parallelism: 0 }), 'E_PASSWORD_HASHER_CONFIG', /parallelism must be an integer from 1 to 16/);
    refused(() => new Pbkdf2Sha256Hasher({ iterations: 20_000_000 }), 'E_PASSWORD_HASHER_CONFIG', /iterations must be an integer from 1 to 10000000/);
    refused(() => new BcryptHasher({ rounds: 17 }), 'E_PASSWORD_HASHER_CONFIG', /rounds must be an integer from 4 to 16/);
    refused(() => passwordHashers([]), 'E_PASSWORD_HASHER_CONFIG', /needs at least one hasher/);
    refused(() => passwordHashers([new Pbkdf2Sha256Hasher(), new Pbkdf2Sha256Hasher()]), 'E_PASSWORD_HASHER_CONFIG', /two hashers for 'pbkdf2_sha256'/);
    refused(() => passwordHashers(undefined, { maxPasswordBytes: 0 }), 'E_PASSWORD_HASHER_CONFIG', /maxPasswordBytes must be a positive integer/);
  });

  test('a list led by pbkdf2_sha256 hashes Django-compatible and upgrades argon2id rows', async () => {
    const hashers = passwordHashers([new Pbkdf2Sha256Hasher(), new Argon2idHasher()]);
    const stored = await hashers.hash('lètmein');
    assert.match(stored, /^pbkdf2_sha256\$1000000\$/);
    const argon = await new Argon2idHasher().hash('lètmein');
    assert.deepEqual(await hashers.verify('lètmein', argon), { valid: true, needsRehash: true });
  });
});
