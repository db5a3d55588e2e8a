// Hostile submissions: extra fields (mass assignment) in urlencoded, multipart and JSON bodies,
// prototype keys, arrays where one value is expected, wrong types, NUL bytes, oversized and
// malformed values, injection strings, and bodies that are not forms. Every case has an exact
// outcome, and nothing outside the declared fields ever reaches the data.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { rampart } from 'rampart';
import { field } from 'rampart/db';
import { form, formField } from 'rampart/forms';
import { testClient } from 'rampart/testing';
import { multipart, PNG, tempStorage, type FormErrorBody } from './fixtures-forms/support.ts';

const ProfileForm = form({
  display_name: field.string({ maxLength: 50 }),
  bio: field.text({ maxLength: 500 }),
  age: formField.integer({ nullable: true, min: 0, max: 150 }),
  big: formField.bigint({ nullable: true }),
  ratio: formField.float({ nullable: true }),
  theme: formField.choice(['light', 'dark'], { default: 'light' }),
  born: formField.date({ nullable: true }),
});

interface Account {
  id: number;
  display_name: string;
  bio: string;
  is_superuser: boolean;
  role: string;
}

const store = tempStorage();
after(store.cleanup);

function makeApp() {
  const account: Account = { id: 1, display_name: 'Ada', bio: '', is_superuser: false, role: 'user' };
  const app = rampart({ env: 'test', logLevel: 'silent', maxBodyBytes: 64 * 1024 });
  app.post('/profile', async (req) => {
    const data = await req.form(ProfileForm);
    // The usual pattern: merge the form's data into the row. Only declared keys can be in it.
    Object.assign(account, data);
    return { keys: Object.keys(data), account: { ...account, big: undefined } };
  });
  app.post('/profile-upload', async (req) => {
    const data = await req.form(UploadProfileForm);
    return { keys: Object.keys(data) };
  });
  return app;
}

const UploadProfileForm = form({ display_name: field.string({ maxLength: 50 }), avatar: formField.file({ accept: ['image/png'], required: false }) }, { storage: store.storage });

const DECLARED = ['display_name', 'bio', 'age', 'big', 'ratio', 'theme', 'born'];
const UNCHANGED = { id: 1, is_superuser: false, role: 'user' };

function fieldErrors(res: { json<T>(): T }): Record<string, string[]> {
  return res.json<FormErrorBody>().error.details.fields;
}

describe('mass assignment', () => {
  test('urlencoded: extra fields, prototype keys and bracket syntax are ignored', async () => {
    const client = testClient(makeApp());
    const res = await client.post('/profile', {
      body: 'display_name=Grace&is_superuser=1&id=99&role=admin&__proto__%5Bis_superuser%5D=1&constructor%5Bprototype%5D%5Bpolluted%5D=1&csrf_token=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 200, res.text);
    const body = res.json<{ keys: string[]; account: Account }>();
    assert.deepEqual(body.keys, DECLARED);
    assert.deepEqual({ id: body.account.id, is_superuser: body.account.is_superuser, role: body.account.role }, UNCHANGED);
    assert.equal(body.account.display_name, 'Grace');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(({} as Record<string, unknown>).is_superuser, undefined);
  });

  test('JSON: extra keys, nested objects and a constructor key are ignored', async () => {
    const client = testClient(makeApp());
    const res = await client.post('/profile', {
      json: { display_name: 'Grace', is_superuser: true, id: 99, role: 'admin', constructor: { name: 'x' }, prototype: {}, toString: 'x', hasOwnProperty: 1 },
    });
    assert.equal(res.status, 200, res.text);
    const body = res.json<{ keys: string[]; account: Account }>();
    assert.deepEqual(body.keys, DECLARED);
    assert.deepEqual({ id: body.account.id, is_superuser: body.account.is_superuser, role: body.account.role }, UNCHANGED);
  });

  test('JSON: __proto__ and constructor.prototype keys are refused before the form sees them', async () => {
    const client = testClient(makeApp());
    for (const raw of ['{"display_name":"x","__proto__":{"is_superuser":true}}', '{"display_name":"x","constructor":{"prototype":{"polluted":1}}}']) {
      const res = await client.post('/profile', { body: raw, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400);
      assert.equal(res.json<FormErrorBody>().error.code, 'E_BODY_JSON_FORBIDDEN_KEY');
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('multipart: extra text fields are ignored', async () => {
    const client = testClient(makeApp());
    const { body, headers } = multipart([
      { name: 'display_name', value: 'Grace' },
      { name: 'is_superuser', value: '1' },
      { name: '__proto__', value: 'x' },
      { name: 'role', value: 'admin' },
    ]);
    const res = await client.post('/profile', { body, headers });
    assert.equal(res.status, 200, res.text);
    const out = res.json<{ keys: string[]; account: Account }>();
    assert.deepEqual(out.keys, DECLARED);
    assert.deepEqual({ id: out.account.id, is_superuser: out.account.is_superuser, role: out.account.role }, UNCHANGED);
  });

  test('multipart: a file in a field that takes none is refused with a 400, and nothing is stored', async () => {
    const client = testClient(makeApp());
    const { body, headers } = multipart([
      { name: 'display_name', value: 'Grace' },
      { name: 'is_superuser', filename: 'x.png', type: 'image/png', data: PNG },
    ]);
    const res = await client.post('/profile-upload', { body, headers });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json(), { error: { status: 400, message: "Field 'is_superuser' does not accept files.", code: 'E_UPLOAD_FIELD_UNEXPECTED', details: { field: 'is_superuser' } } });
    assert.deepEqual(store.files(), []);
  });
});

describe('hostile values', () => {
  const client = testClient(makeApp());

  async function errorsFor(form: Record<string, string | string[]>): Promise<Record<string, string[]>> {
    const res = await client.post('/profile', { form });
    assert.equal(res.status, 422, res.text);
    return fieldErrors(res);
  }

  test('an oversized value is refused with its length, and an oversized body with a 413', async () => {
    assert.deepEqual(await errorsFor({ display_name: 'x'.repeat(20_000) }), { display_name: ['Ensure this value has at most 50 characters (it has 20000).'] });
    const res = await client.post('/profile', { form: { display_name: 'x'.repeat(70_000) } });
    assert.equal(res.status, 413);
    assert.equal(res.json<FormErrorBody>().error.code, 'E_BODY_TOO_LARGE');
  });

  test('too many fields is a 413 before any parsing', async () => {
    const res = await client.post('/profile', { body: Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&'), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 413);
    assert.equal(res.json<FormErrorBody>().error.code, 'E_BODY_TOO_MANY_FIELDS');
  });

  test('several values where one is expected are refused, never reduced to one of them', async () => {
    assert.deepEqual(await errorsFor({ display_name: ['Ada', 'Root'], age: ['1', '2'] }), { display_name: ['Enter a single value.'], age: ['Enter a single value.'] });
    const res = await client.post('/profile', { json: { display_name: ['Ada'], age: [1] } });
    assert.deepEqual(fieldErrors(res), { display_name: ['Enter a single value.'], age: ['Enter a single value.'] });
  });

  test('objects and wrong types in JSON get the type message', async () => {
    const res = await client.post('/profile', { json: { display_name: { $ne: '' }, age: true, ratio: 'NaN', theme: 1, born: {} } });
    assert.deepEqual(fieldErrors(res), {
      display_name: ['Enter text.'],
      age: ['Enter a whole number.'],
      ratio: ['Enter a number.'],
      theme: ['Choose one of: light, dark.'],
      born: ['Enter a valid date (YYYY-MM-DD).'],
    });
  });

  test('NUL bytes are refused in text and never match a choice', async () => {
    assert.deepEqual(await errorsFor({ display_name: 'Ada\u0000admin', bio: '\u0000', theme: 'dark\u0000' }), {
      display_name: ['Null characters are not allowed.'],
      bio: ['Null characters are not allowed.'],
      theme: ['Choose one of: light, dark.'],
    });
  });

  test('number text that is not a plain decimal number is refused', async () => {
    for (const age of ['0x10', '1e2', '1_000', '١٢', 'Infinity', '9'.repeat(5000), '--1', '1 2']) {
      assert.deepEqual(await errorsFor({ display_name: 'x', age }), { age: ['Enter a whole number.'] }, age);
    }
    for (const ratio of ['Infinity', '-Infinity', 'NaN', '1e400', '0x1p3', '9'.repeat(200)]) {
      assert.deepEqual(await errorsFor({ display_name: 'x', ratio }), { ratio: ['Enter a number.'] }, ratio);
    }
    assert.deepEqual(await errorsFor({ display_name: 'x', big: '9'.repeat(1000) }), { big: ['Enter a whole number (a bigint).'] });
  });

  test('number text with spaces and a sign is read', async () => {
    const r = await ProfileForm.validate(new URLSearchParams({ display_name: 'x', age: ' +42 ', ratio: '-.5' }));
    assert.ok(r.valid);
    assert.equal(r.data.age, 42);
    assert.equal(r.data.ratio, -0.5);
  });

  test('injection strings are plain text: kept verbatim in the data', async () => {
    const payloads = ["' OR 1=1 --", '"><script>alert(1)</script>', '{{ 7*7 }}', '${7*7}', '{% raw %}', '../../etc/passwd', 'javascript:alert(1)'];
    for (const p of payloads) {
      const res = await client.post('/profile', { form: { display_name: p, bio: p } });
      assert.equal(res.status, 200, p);
      const account = res.json<{ account: Account }>().account;
      assert.equal(account.display_name, p);
      assert.equal(account.bio, p);
    }
  });

  test('dates with trailing SQL or impossible days are refused', async () => {
    for (const born of ["2024-01-01'; drop table x; --", '2023-02-29', '2024-1-1', '99999-01-01']) {
      assert.deepEqual(await errorsFor({ display_name: 'x', born }), { born: ['Enter a valid date (YYYY-MM-DD).'] }, born);
    }
  });

  test('lengths count characters, not UTF-16 units', async () => {
    const r = await ProfileForm.validate({ display_name: '😀'.repeat(50) });
    assert.equal(r.valid, true);
    const over = await ProfileForm.validate({ display_name: '😀'.repeat(51) });
    assert.deepEqual(over.errors, { display_name: ['Ensure this value has at most 50 characters (it has 51).'] });
  });
});

describe('bodies that are not forms', () => {
  const client = testClient(makeApp());

  test('another content type is a 415 naming the accepted ones', async () => {
    const res = await client.post('/profile', { body: 'display_name=x', headers: { 'content-type': 'text/plain' } });
    assert.equal(res.status, 415);
    assert.deepEqual(res.json(), {
      error: { status: 415, message: 'Expected a form (application/x-www-form-urlencoded or multipart/form-data) or JSON (application/json).', code: 'E_BODY_MEDIA_TYPE' },
    });
  });

  test('invalid UTF-8 and malformed JSON are 400s', async () => {
    const bad = await client.post('/profile', { body: Buffer.from([0x64, 0x3d, 0xff, 0xfe]), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json<FormErrorBody>().error.code, 'E_BODY_INVALID_UTF8');
    const json = await client.post('/profile', { body: '{"display_name":', headers: { 'content-type': 'application/json' } });
    assert.equal(json.status, 400);
    assert.equal(json.json<FormErrorBody>().error.code, 'E_BODY_JSON_MALFORMED');
  });

  test('a POST with no body and no type is an empty submission', async () => {
    const res = await client.post('/profile');
    assert.equal(res.status, 422);
    assert.deepEqual(fieldErrors(res), { display_name: ['This field is required.'] });
  });
});
