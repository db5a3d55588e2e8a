// Password validators: each rule with its exact message, the defaults together, the thrown error
// and the 422 it becomes in an app, and the shipped common-password list.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { rampart } from 'rampart';
import { testClient } from 'rampart/testing';
import {
  COMMON_PASSWORDS_FILE,
  DEFAULT_PASSWORD_VALIDATORS,
  PasswordListError,
  PasswordValidationError,
  assertValidPassword,
  commonPasswordValidator,
  maximumLengthValidator,
  minimumLengthValidator,
  numericPasswordValidator,
  passwordHelpTexts,
  userAttributeSimilarityValidator,
  validatePassword,
} from 'rampart/auth';

const ADA = { username: 'adalovelace', email: 'ada.lovelace@analytical-engine.org', firstName: 'Augusta', lastName: 'King' };
const GOOD = 'correct horse battery staple';

describe('each validator', () => {
  test('minimum length counts characters, not bytes or UTF-16 units', () => {
    const v = minimumLengthValidator();
    assert.equal(v.validate('1234567'), 'This password is too short. It must contain at least 8 characters.');
    assert.equal(v.validate('abcdefgh'), null);
    assert.equal(v.validate('🔑🔑🔑🔑🔑🔑🔑'), 'This password is too short. It must contain at least 8 characters.'); // 14 UTF-16 units
    assert.equal(minimumLengthValidator({ minLength: 12 }).validate('abcdefghijk'), 'This password is too short. It must contain at least 12 characters.');
  });

  test('maximum length counts UTF-8 bytes', () => {
    const v = maximumLengthValidator();
    assert.equal(v.validate('x'.repeat(4096)), null);
    assert.equal(v.validate('x'.repeat(4097)), 'This password is too long. It can be at most 4096 bytes long.');
    assert.equal(v.validate('é'.repeat(2049)), 'This password is too long. It can be at most 4096 bytes long.');
  });

  test('similarity to the username, email parts and names is refused, naming the attribute', () => {
    const v = userAttributeSimilarityValidator();
    assert.equal(v.validate('adalovelace1', ADA), 'The password is too similar to the username.');
    assert.equal(v.validate('AdaLovelace', ADA), 'The password is too similar to the username.');
    assert.equal(v.validate('analytical-engine', ADA), 'The password is too similar to the email address.'); // the domain
    assert.equal(v.validate('ada.lovelace!', ADA), 'The password is too similar to the username.'); // checked first
    assert.equal(v.validate('ada.lovelace!', { email: ADA.email }), 'The password is too similar to the email address.'); // the local part
    assert.equal(v.validate('augusta1815', ADA), 'The password is too similar to the first name.');
    assert.equal(v.validate('kingking', { lastName: 'King' }), null); // 2·4/12 = 0.67
    assert.equal(v.validate('kingk', { lastName: 'King' }), 'The password is too similar to the last name.');
    assert.equal(v.validate(GOOD, ADA), null);
    assert.equal(v.validate('adalovelace1'), null); // no user, nothing to compare
  });

  test('similarity uses custom attributes with readable labels, and ignores non-strings', () => {
    const v = userAttributeSimilarityValidator({ attributes: ['companyName', 'age'] });
    assert.equal(v.validate('analytical1', { companyName: 'Analytical', age: 36 }), 'The password is too similar to the company name.');
    assert.equal(v.validate('adalovelace1', ADA), null);
  });

  test('a very long password against a user is answered without a quadratic comparison', () => {
    const v = userAttributeSimilarityValidator();
    assert.equal(v.validate('a'.repeat(1_000_000), { username: 'a'.repeat(10_000) }), null);
    assert.equal(v.validate('a'.repeat(256), { username: 'a'.repeat(10_000) }), 'The password is too similar to the username.');
  });

  test('entirely numeric passwords are refused, in any script', () => {
    const v = numericPasswordValidator();
    assert.equal(v.validate('20240131'), 'This password is entirely numeric.');
    assert.equal(v.validate('١٢٣٤٥٦٧٨٩'), 'This password is entirely numeric.'); // Arabic-Indic digits
    assert.equal(v.validate('2024-01-31'), null);
  });

  test('common passwords are refused whatever their case and surrounding spaces', () => {
    const v = commonPasswordValidator();
    for (const pw of ['password', 'PassWord1', ' iloveyou ', 'trustno1', 'qwerty123']) {
      assert.equal(v.validate(pw), 'This password is too common.', pw);
    }
    assert.equal(v.validate(GOOD), null);
  });

  test('a custom list replaces the shipped one; comments and blank lines are skipped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-pw-'));
    try {
      const file = join(dir, 'list.txt');
      writeFileSync(file, '# my list\n\nRampart2025\r\nhunter2\n');
      const v = commonPasswordValidator({ file });
      assert.equal(v.validate('rampart2025'), 'This password is too common.');
      assert.equal(v.validate('HUNTER2'), 'This password is too common.');
      assert.equal(v.validate('password'), null);
      assert.equal(v.validate('# my list'), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unreadable list fails with E_PASSWORD_LIST_UNREADABLE', () => {
    const v = commonPasswordValidator({ file: join(tmpdir(), 'rampart-no-such-list.txt') });
    assert.throws(() => v.validate('x'), (err: unknown) => {
      assert.ok(err instanceof PasswordListError);
      assert.equal(err.code, 'E_PASSWORD_LIST_UNREADABLE');
      assert.match(err.message, /^Cannot read the common-password list .*rampart-no-such-list\.txt: ENOENT/);
      return true;
    });
  });
});

describe('the shipped list', () => {
  const lines = readFileSync(COMMON_PASSWORDS_FILE, 'utf8').split('\n');
  const entries = lines.filter((l) => l !== '' && !l.startsWith('#'));

  test('holds 20,000 distinct lower-case passwords, most common first', () => {
    assert.equal(entries.length, 20_000);
    assert.equal(new Set(entries).size, 20_000);
    assert.deepEqual(entries.slice(0, 4), ['123456', 'password', '12345678', 'qwerty']);
    for (const e of entries) assert.equal(e, e.trim().toLowerCase());
  });

  test('names its source and licence in its header', () => {
    const header = lines.filter((l) => l.startsWith('#')).join('\n');
    assert.match(header, /zxcvbn 4\.4\.2/);
    assert.match(header, /Licence of the source: MIT/);
    assert.match(header, /scripts\/build-common-passwords\.mjs/);
  });
});

describe('validatePassword and the defaults', () => {
  test('the defaults are the five validators, in order', () => {
    assert.deepEqual(DEFAULT_PASSWORD_VALIDATORS.map((v) => v.name), ['minimum-length', 'maximum-length', 'user-attribute-similarity', 'numeric', 'common']);
  });

  test('returns every message, in validator order', () => {
    assert.deepEqual(validatePassword('1234', ADA), [
      'This password is too short. It must contain at least 8 characters.',
      'This password is entirely numeric.',
      'This password is too common.',
    ]);
    assert.deepEqual(validatePassword('adalovelace', ADA), ['The password is too similar to the username.']);
    assert.deepEqual(validatePassword(GOOD, ADA), []);
    assert.deepEqual(validatePassword('x', undefined, [numericPasswordValidator()]), []);
  });

  test('help texts read as instructions', () => {
    assert.deepEqual(passwordHelpTexts(), [
      'Your password must contain at least 8 characters.',
      'Your password can be at most 4096 bytes long.',
      'Your password can’t be too similar to your other personal information.',
      'Your password can’t be entirely numeric.',
      'Your password can’t be a commonly used password.',
    ]);
  });

  test('assertValidPassword throws PasswordValidationError carrying the messages', () => {
    assert.doesNotThrow(() => assertValidPassword(GOOD, ADA));
    assert.throws(() => assertValidPassword('12345678', ADA), (err: unknown) => {
      assert.ok(err instanceof PasswordValidationError);
      assert.equal(err.code, 'E_PASSWORD_INVALID');
      assert.equal(err.status, 422);
      assert.deepEqual(err.messages, ['This password is entirely numeric.', 'This password is too common.']);
      assert.equal(err.message, 'This password is entirely numeric. This password is too common.');
      return true;
    });
  });

  test('escaping a handler, the error is a 422 listing the messages', async () => {
    const app = rampart({ env: 'test' });
    app.post('/signup', async (req) => {
      const body = (await req.json()) as { username: string; password: string };
      assertValidPassword(body.password, { username: body.username });
      return { ok: true };
    });
    const client = testClient(app);
    const bad = await client.post('/signup', { json: { username: 'gracehopper', password: 'gracehopper7' } });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.json(), {
      error: {
        status: 422,
        message: 'The password is too similar to the username.',
        code: 'E_PASSWORD_INVALID',
        details: { messages: ['The password is too similar to the username.'] },
      },
    });
    const good = await client.post('/signup', { json: { username: 'gracehopper', password: GOOD } });
    assert.equal(good.status, 200);
    assert.equal(good.text, '{"ok":true}');
  });
});
