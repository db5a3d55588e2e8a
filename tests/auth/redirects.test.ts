/**
 * Open redirect: after login (and logout), `next` is followed only for a same-origin path. Each
 * hostile payload, given in the query string or the form, lands on the default page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { accountsApp, accountsDb, csrfField, HTML, logIn, makeUser, PASSWORD, SAME_ORIGIN, submit, type AccountsDb } from './support.ts';

const PAYLOADS = [
  '//evil.example',
  '/\\evil.example',
  'https://evil.example',
  'javascript:alert(document.cookie)',
  '/%2F%2Fevil.example',
  '/\t/evil.example',
  '/\r\n/evil.example',
  '/\u0000/evil.example',
  '\\\\evil',
  'http:evil.example',
  '///evil.example',
];

let env: AccountsDb;
before(async () => {
  env = await accountsDb('sqlite');
});
after(() => env.done());

describe('next after login', () => {
  for (const payload of PAYLOADS) {
    test(`next=${JSON.stringify(payload)} in the query lands on /`, async () => {
      const user = await makeUser(env.db);
      const res = await logIn(accountsApp(env.db).client(), user.username, PASSWORD, payload);
      assert.equal(res.status, 303);
      assert.equal(res.header('location'), '/');
    });
  }

  test('the payloads in the form field land on / too, and the login page does not echo them', async () => {
    const { client } = accountsApp(env.db);
    for (const payload of PAYLOADS) {
      const user = await makeUser(env.db);
      const c = client();
      const page = await c.get(`/accounts/login?next=${encodeURIComponent(payload)}`, { headers: HTML });
      assert.doesNotMatch(page.text, /name="next"/);
      const res = await c.post('/accounts/login', { headers: SAME_ORIGIN, form: { csrf_token: csrfField(page.text), username: user.username, password: PASSWORD, next: payload } });
      assert.equal(res.header('location'), '/', JSON.stringify(payload));
    }
  });

  test('a same-origin path is kept through the form and honoured', async () => {
    const user = await makeUser(env.db);
    const c = accountsApp(env.db).client();
    const page = await c.get('/accounts/login?next=%2Fnotes%3Fpage%3D2', { headers: HTML });
    assert.match(page.text, /<input type="hidden" name="next" value="\/notes\?page=2">/);
    const res = await c.post('/accounts/login', { headers: SAME_ORIGIN, form: { csrf_token: csrfField(page.text), username: user.username, password: PASSWORD, next: '/notes?page=2' } });
    assert.equal(res.header('location'), '/notes?page=2');
  });

  test('the configured loginRedirectUrl is the default', async () => {
    const user = await makeUser(env.db);
    const res = await logIn(accountsApp(env.db, { routes: { loginRedirectUrl: '/dashboard' } }).client(), user.username, PASSWORD, '//evil.example');
    assert.equal(res.header('location'), '/dashboard');
  });
});

describe('next after logout', () => {
  test('a hostile next lands on the logout page default; a local one is kept', async () => {
    const user = await makeUser(env.db);
    const c = accountsApp(env.db).client();
    await logIn(c, user.username);
    const evil = await submit(c, '/accounts/password/change', { next: '//evil.example' }, '/accounts/logout');
    assert.equal(evil.header('location'), '/');
    await logIn(c, user.username);
    const local = await submit(c, '/accounts/password/change', { next: '/bye' }, '/accounts/logout');
    assert.equal(local.header('location'), '/bye');
  });
});
