// Forms read from real requests: typed data from urlencoded, JSON and query strings, coercion of
// each kind, required/blank/nullable/default semantics, custom messages, cross-field and async
// validators, bound forms for re-rendering, the 422 for JSON clients, and Standard Schema.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { rampart, type App } from 'rampart';
import { field } from 'rampart/db';
import { form, formField, FormValidationError, FORM_DEFAULTS, type BoundForm, type FormOutput } from 'rampart/forms';
import { testClient } from 'rampart/testing';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { FormErrorBody } from './fixtures-forms/support.ts';
import { capture } from '../helpers/log-capture.ts';

const NoteForm = form({
  title: field.string({ maxLength: 20 }),
  body: field.text({ blank: true }),
  stars: formField.integer({ min: 1, max: 5, nullable: true }),
  price: formField.decimal({ maxDigits: 6, decimalPlaces: 2, nullable: true }),
  ratio: formField.float({ default: 0.5 }),
  big: formField.bigint({ nullable: true }),
  pinned: formField.checkbox(),
  day: formField.date({ nullable: true }),
  at: formField.datetime({ nullable: true }),
  status: formField.choice(['draft', 'live'], { default: 'draft' }),
  tags: formField.multipleChoice(['a', 'b', 'c']),
});

// Compile-time: the data is typed from the fields.
type Note = FormOutput<typeof NoteForm.fields>;
const typed: Note = {
  title: 't',
  body: '',
  stars: null,
  price: null,
  ratio: 1,
  big: null,
  pinned: false,
  day: null,
  at: new Date(),
  status: 'live',
  tags: ['a'],
};
void typed;
// @ts-expect-error a checkbox is a boolean
const wrongType: Note['pinned'] = 'on';
void wrongType;

function appFor(f: typeof NoteForm): App {
  const app = rampart({ env: 'test', logLevel: 'silent' });
  app.post('/data', async (req) => ({ data: await req.form(f) }));
  app.get('/search', async (req) => {
    const bound = await f.bind(req);
    return { valid: bound.valid, errors: bound.errors, data: bound.data };
  });
  return app;
}

const client = testClient(appFor(NoteForm));

function fields(res: { json<T>(): T }): Record<string, string[]> {
  return res.json<FormErrorBody>().error.details.fields;
}

describe('urlencoded bodies', () => {
  test('coerce every kind to its type', async () => {
    const res = await client.post('/data', {
      form: {
        title: '  Hello  ',
        body: '',
        stars: '4',
        price: '19.99',
        ratio: '2.5e-1',
        pinned: 'on',
        day: '2024-02-29',
        at: '2024-05-01T10:30',
        status: 'live',
        tags: ['c', 'a', 'c'],
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), {
      data: {
        title: 'Hello',
        body: '',
        stars: 4,
        price: '19.99',
        ratio: 0.25,
        big: null,
        pinned: true,
        day: '2024-02-29',
        at: '2024-05-01T10:30:00.000Z',
        status: 'live',
        tags: ['a', 'c'],
      },
    });
  });

  test('the data object holds the typed values, a bigint included', async () => {
    const result = await NoteForm.validate(new URLSearchParams('title=x&big=9007199254740993&at=2024-05-01T10:30:15&tags=b'));
    assert.equal(result.valid, true);
    assert.ok(result.valid);
    assert.equal(result.data.big, 9007199254740993n);
    assert.deepEqual(result.data.at, new Date('2024-05-01T10:30:15Z'));
    assert.deepEqual(result.data.tags, ['b']);
    assert.equal(result.data.pinned, false);
  });

  test('empty and absent fields: null when nullable, "" when blank, the default when left out', async () => {
    const res = await client.post('/data', { form: { title: 'x', stars: '', price: '', day: '', at: '' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), {
      data: { title: 'x', body: '', stars: null, price: null, ratio: 0.5, big: null, pinned: false, day: null, at: null, status: 'draft', tags: [] },
    });
  });

  test('a required field sent empty or left out is "This field is required."', async () => {
    for (const body of [{ title: '' }, { title: '   ' }, {}] as Record<string, string>[]) {
      const res = await client.post('/data', { form: body });
      assert.equal(res.status, 422);
      assert.deepEqual(fields(res), { title: ['This field is required.'] });
    }
  });

  test('a choice field sent empty is required even though it has a default', async () => {
    const res = await client.post('/data', { form: { title: 'x', status: '' } });
    assert.deepEqual(fields(res), { status: ['This field is required.'] });
  });

  test('unreadable values get the model messages', async () => {
    const res = await client.post('/data', {
      form: { title: 'x'.repeat(21), stars: '4.5', price: '1.999', ratio: 'NaN', big: '12abc', day: '2023-02-29', at: '2024-13-01T10:00', status: 'gone', tags: ['a', 'zz'] },
    });
    assert.equal(res.status, 422);
    assert.deepEqual(fields(res), {
      title: ['Ensure this value has at most 20 characters (it has 21).'],
      stars: ['Enter a whole number.'],
      price: ['Ensure there are no more than 2 decimal places.'],
      ratio: ['Enter a number.'],
      big: ['Enter a whole number (a bigint).'],
      day: ['Enter a valid date (YYYY-MM-DD).'],
      at: ['Enter a valid date and time.'],
      status: ['Choose one of: draft, live.'],
      tags: ['Select a valid choice.'],
    });
  });

  test('ranges are checked after coercion', async () => {
    const res = await client.post('/data', { form: { title: 'x', stars: '6' } });
    assert.deepEqual(fields(res), { stars: ['Ensure this value is less than or equal to 5.'] });
    const low = await client.post('/data', { form: { title: 'x', stars: '0' } });
    assert.deepEqual(fields(low), { stars: ['Ensure this value is greater than or equal to 1.'] });
  });

  test('an unticked checkbox is false, and "false"/"0"/"off" are false too', async () => {
    for (const value of ['false', '0', 'off', 'no', '']) {
      const r = await NoteForm.validate(new URLSearchParams({ title: 'x', pinned: value }));
      assert.ok(r.valid);
      assert.equal(r.data.pinned, false, value);
    }
  });
});

describe('JSON bodies', () => {
  test('typed values are taken as they are', async () => {
    const res = await client.post('/data', { json: { title: 'Hi', stars: 2, price: 3.5, pinned: true, at: '2024-05-01T10:30:00+02:00', tags: ['b'] } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), {
      data: { title: 'Hi', body: '', stars: 2, price: '3.5', ratio: 0.5, big: null, pinned: true, day: null, at: '2024-05-01T08:30:00.000Z', status: 'draft', tags: ['b'] },
    });
    const r = await NoteForm.validate({ title: 'x', big: '1234567890123456789', ratio: 3 });
    assert.ok(r.valid);
    assert.equal(r.data.big, 1234567890123456789n);
    assert.equal(r.data.ratio, 3);
  });

  test('strings where numbers and booleans are expected are wrong types, not coerced', async () => {
    const res = await client.post('/data', { json: { title: 5, stars: '2', pinned: 'yes', tags: 'a', day: 20240101 } });
    assert.equal(res.status, 422);
    assert.deepEqual(fields(res), {
      title: ['Enter text.'],
      stars: ['Enter a whole number.'],
      pinned: ['Enter true or false.'],
      day: ['Enter a valid date (YYYY-MM-DD).'],
      tags: ['Enter a list of values.'],
    });
  });

  test('null is empty: null for a nullable field, required otherwise', async () => {
    const res = await client.post('/data', { json: { title: null, stars: null } });
    assert.deepEqual(fields(res), { title: ['This field is required.'] });
  });

  test('a body that is not an object is an error of the whole form', async () => {
    for (const json of [[{ title: 'x' }], 'title', 42]) {
      const res = await client.post('/data', { json });
      assert.equal(res.status, 422);
      assert.deepEqual(fields(res), { __all__: ['Expected a JSON object of field values.'] });
    }
  });
});

describe('GET requests', () => {
  test('a bound form reads the query string', async () => {
    const res = await client.get('/search?title=x&stars=3&tags=a&tags=b');
    assert.deepEqual(res.json<{ valid: boolean; data: { stars: number; tags: string[] } }>().data.stars, 3);
    assert.deepEqual(res.json<{ data: { tags: string[] } }>().data.tags, ['a', 'b']);
  });
});

describe('the 422 answer', () => {
  test('has the code, a summary message, and every message by field', async () => {
    const res = await client.post('/data', { form: { title: '', stars: 'x' } });
    assert.equal(res.status, 422);
    assert.deepEqual(res.json(), {
      error: {
        status: 422,
        message: 'The form is invalid: title: This field is required. (and 1 more field)',
        code: 'E_FORM_INVALID',
        details: { fields: { title: ['This field is required.'], stars: ['Enter a whole number.'] } },
      },
    });
  });

  test('FormValidationError carries the bound form for an error handler', async () => {
    const app = rampart({ env: 'test', logLevel: 'silent' });
    app.post('/x', async (req) => req.form(NoteForm));
    app.onError((err) => {
      if (err instanceof FormValidationError) {
        return { rerender: err.form.fields.title?.value, errors: err.errors };
      }
      return undefined;
    });
    const res = await testClient(app).post('/x', { form: { title: 'x'.repeat(25) } });
    assert.deepEqual(res.json(), { rerender: 'x'.repeat(25), errors: { title: ['Ensure this value has at most 20 characters (it has 25).'] } });
  });
});

describe('custom messages', () => {
  const F = form(
    {
      name: formField.string({ maxLength: 5, messages: { required: 'Tell us your name.', maxLength: 'Five letters at most.' } }),
      age: formField.integer({ min: 18, messages: { invalid: 'Age is a number.', min: 'Adults only.' } }),
      code: field.string({ maxLength: 4, validators: [(v) => (v.startsWith('X') ? undefined : 'Codes start with X.')] }),
    },
    { messages: { code: { maxLength: 'Four characters.' } } },
  );

  test('replace the built-in message of a rule, per field', async () => {
    const a = await F.validate({ name: '', age: 'x', code: 'X12345' });
    assert.deepEqual(a.errors, { name: ['Tell us your name.'], age: ['Age is a number.'], code: ['Four characters.'] });
    const b = await F.validate({ name: 'abcdef', age: 12, code: 'A1' });
    assert.deepEqual(b.errors, { name: ['Five letters at most.'], age: ['Adults only.'], code: ['Codes start with X.'] });
  });

  test('a message for a field the form does not have is refused when declaring', () => {
    assert.throws(() => form({ a: field.string() }, { messages: { b: { required: 'x' } } as never }), { code: 'E_FORM_FIELD_UNKNOWN' });
  });
});

describe('cross-field and async validation', () => {
  const taken = new Set(['ada']);
  const seen: string[] = [];
  const SignupForm = form(
    {
      username: formField.string({
        maxLength: 20,
        asyncValidators: [
          async (v, ctx) => {
            seen.push(`${v}:${ctx.req === null ? 'no-req' : ctx.req.method}`);
            await new Promise((r) => setTimeout(r, 1));
            return taken.has(v.toLowerCase()) ? 'This username is taken.' : undefined;
          },
        ],
      }),
      password: formField.password({ minLength: 8, autocomplete: 'new-password' }),
      confirm: formField.password({ autocomplete: 'new-password' }),
    },
    {
      async validate(data, ctx) {
        if (data.password !== data.confirm) ctx.addError('confirm', 'The two passwords do not match.');
        if (data.username === data.password) ctx.addError(null, 'Your password cannot be your username.');
      },
    },
  );
  const app = rampart({ env: 'test', logLevel: 'silent' });
  app.post('/signup', async (req) => {
    const bound = await SignupForm.bind(req);
    return { valid: bound.valid, errors: bound.errors, values: bound.values };
  });
  const c = testClient(app);

  test('the form hook adds errors to a field and to the whole form', async () => {
    const res = await c.post('/signup', { form: { username: 'grace', password: 'correct horse', confirm: 'correct hors' } });
    assert.deepEqual(res.json(), { valid: false, errors: { confirm: ['The two passwords do not match.'] }, values: { username: ['grace'], password: [], confirm: [] } });
    const same = await c.post('/signup', { form: { username: 'longenough', password: 'longenough', confirm: 'longenough' } });
    assert.deepEqual(same.json<{ errors: unknown }>().errors, { __all__: ['Your password cannot be your username.'] });
  });

  test('an async validator refuses a taken username and gets the request', async () => {
    seen.length = 0;
    const res = await c.post('/signup', { form: { username: 'Ada', password: 'correct horse', confirm: 'correct horse' } });
    assert.deepEqual(res.json<{ errors: unknown }>().errors, { username: ['This username is taken.'] });
    assert.deepEqual(seen, ['Ada:POST']);
  });

  test('async validators do not run for a value that already failed, and the hook waits for valid fields', async () => {
    seen.length = 0;
    const res = await c.post('/signup', { form: { username: 'x'.repeat(21), password: 'short', confirm: 'other' } });
    assert.deepEqual(res.json<{ errors: unknown }>().errors, {
      username: ['Ensure this value has at most 20 characters (it has 21).'],
      password: ['Ensure this value has at least 8 characters (it has 5).'],
    });
    assert.deepEqual(seen, []);
  });

  test('a valid submission passes every check, and passwords are never trimmed', async () => {
    const r = await SignupForm.validate({ username: ' grace ', password: ' secret pass ', confirm: ' secret pass ' });
    assert.ok(r.valid);
    assert.deepEqual(r.data, { username: 'grace', password: ' secret pass ', confirm: ' secret pass ' });
  });
});

describe('bound and unbound forms', () => {
  test('unbound() shows defaults and initial values, formatted for their inputs', () => {
    const empty = NoteForm.unbound();
    assert.equal(empty.bound, false);
    assert.equal(empty.valid, false);
    assert.equal(empty.data, null);
    assert.deepEqual(empty.errors, {});
    assert.equal(empty.fields.ratio.value, '0.5');
    assert.equal(empty.fields.status.value, 'draft');
    const filled = NoteForm.unbound({ title: 'T', at: new Date('2024-05-01T10:30:00Z'), pinned: true, tags: ['a', 'c'], big: 5n });
    assert.equal(filled.fields.title.value, 'T');
    assert.equal(filled.fields.at.value, '2024-05-01T10:30');
    assert.deepEqual(filled.fields.pinned.values, ['on']);
    assert.deepEqual(filled.fields.tags.values, ['a', 'c']);
    assert.equal(filled.fields.big.value, '5');
  });

  test('a form time zone reads and shows datetime-local values in it', async () => {
    const F = form({ at: formField.datetime() }, { timeZone: 'Europe/Paris' });
    const r = await F.validate(new URLSearchParams('at=2024-07-01T12:00'));
    assert.ok(r.valid);
    assert.equal(r.data.at.toISOString(), '2024-07-01T10:00:00.000Z');
    assert.equal(F.unbound({ at: new Date('2024-01-15T08:00:00Z') }).fields.at.value, '2024-01-15T09:00');
    assert.throws(() => form({ at: formField.datetime() }, { timeZone: 'Mars/Olympus' }), { code: 'E_FORM_OPTIONS_INVALID' });
  });

  test('addError() after validation makes the form invalid', async () => {
    const r: BoundForm<typeof NoteForm.fields> = await NoteForm.validate({ title: 'x' });
    assert.deepEqual([r.valid, r.data?.title], [true, 'x']);
    r.addError('title', 'Saved by someone else meanwhile.');
    assert.deepEqual([r.valid, r.data], [false, null]);
    assert.deepEqual(r.fields.title.errors, ['Saved by someone else meanwhile.']);
    assert.throws(() => r.addError('nope' as 'title', 'x'), TypeError);
  });
});

describe('declaration mistakes', () => {
  test('the defaults are frozen and as documented', () => {
    assert.equal(Object.isFrozen(FORM_DEFAULTS), true);
    assert.deepEqual({ ...FORM_DEFAULTS }, { timeZone: 'UTC', idPrefix: 'id_', maxNumberTextLength: 100, maxPasswordLength: 1024, maxFilesPerField: 10 });
  });

  test('reserved and malformed names are refused', () => {
    for (const name of ['__proto__', 'constructor', 'csrf_token', '__all__', '1abc', 'a-b', '']) {
      assert.throws(() => form({ [name]: field.string() }), { code: 'E_FORM_FIELD_NAME' }, name);
    }
  });

  test('a file field without storage, and a file field without accept, are refused', () => {
    assert.throws(() => form({ f: formField.file({ accept: ['image/png'] }) }), { code: 'E_FORM_STORAGE_MISSING' });
    assert.throws(() => form({ f: formField.file({ accept: [] }) }, { storage: {} as never }), { code: 'E_FORM_FIELD_INVALID' });
  });

  test('a many-to-many field is refused', () => {
    assert.throws(() => form({ tags: field.manyToMany(() => null as never) }), { code: 'E_FORM_FIELD_UNSUPPORTED' });
  });
});

describe('Standard Schema', () => {
  // A hand-written Standard Schema: an object with a non-empty `name` string.
  const NameSchema: StandardSchemaV1<unknown, { name: string }> = {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate(value) {
        const v = value as { name?: unknown };
        if (typeof value !== 'object' || value === null) return { issues: [{ message: 'Expected an object.' }] };
        if (typeof v.name !== 'string' || v.name === '') return { issues: [{ message: 'Name is required.', path: ['name'] }, { message: 'Really.', path: [{ key: 'name' }] }] };
        return { value: { name: v.name } };
      },
    },
  };
  const app = rampart({ env: 'test', logLevel: 'silent' });
  app.post('/schema', async (req) => {
    const v = await req.json(NameSchema);
    return { hello: v.name };
  });
  app.post('/async-schema', async (req) => req.json({ '~standard': { version: 1, vendor: 'test', validate: async (value: unknown) => ({ value: { got: value } }) } }));
  app.post('/form-as-schema', async (req) => req.json(NoteForm));
  const c = testClient(app);

  test('req.json(schema) returns the output of any Standard Schema, sync or async', async () => {
    assert.deepEqual((await c.post('/schema', { json: { name: 'Ada', admin: true } })).json(), { hello: 'Ada' });
    assert.deepEqual((await c.post('/async-schema', { json: [1] })).json(), { got: [1] });
  });

  test('issues become a 422 with messages keyed by path', async () => {
    const res = await c.post('/schema', { json: { name: '' } });
    assert.deepEqual(res.json(), {
      error: { status: 422, message: 'The JSON body is invalid: name: Name is required.', code: 'E_BODY_SCHEMA', details: { fields: { name: ['Name is required.', 'Really.'] } } },
    });
    const root = await c.post('/schema', { json: 'x' });
    assert.deepEqual(root.json<FormErrorBody>().error.details.fields, { __all__: ['Expected an object.'] });
  });

  test('a form is itself a Standard Schema', async () => {
    const ok = await c.post('/form-as-schema', { json: { title: 'x' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.json<{ title: string; ratio: number }>().ratio, 0.5);
    const bad = await c.post('/form-as-schema', { json: { title: '' } });
    assert.deepEqual(bad.json<FormErrorBody>().error.details.fields, { title: ['This field is required.'] });
  });

  test('something that is not a schema is a programming error: a 500, its code in the log', async () => {
    const log = capture();
    const a = rampart({ env: 'test', envFile: false, logLevel: 'info', logStream: log.stream });
    a.post('/x', async (req) => req.json({} as never));
    const res = await testClient(a).post('/x', { json: {} });
    assert.equal(res.status, 500);
    await log.waitFor((l) => JSON.stringify(l).includes('E_BODY_SCHEMA_UNSUPPORTED'), 'the error code');
  });
});
