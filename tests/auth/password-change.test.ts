/**
 * Password change: needs the old password, checks the new one against the validators, logs the
 * user's other sessions out and keeps this one; and the sessions page ("log out everywhere else").
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { passwordHashers, User } from 'rampart/auth';
import { CookieStore } from 'rampart/sessions';
import { accountsApp, accountsDb, FAST_HASHERS, HTML, logIn, makeUser, PASSWORD, submit, whoami, type AccountsDb } from './support.ts';

const NEW = 'quietly opening amber doors';

let env: AccountsDb;
before(async () => {
  env = await accountsDb('sqlite');
});
after(() => env.done());

describe('password change', () => {
  test('anonymous visitors are sent to log in first', async () => {
    const res = await accountsApp(env.db).client().get('/accounts/password/change', { headers: HTML });
    assert.equal(res.status, 302);
    assert.equal(res.header('location'), '/accounts/login?next=%2Faccounts%2Fpassword%2Fchange');
  });

  test('changing the password ends the other sessions and keeps this one', async () => {
    const user = await makeUser(env.db);
    const { client } = accountsApp(env.db);
    const here = client();
    const laptop = client();
    const phone = client();
    for (const c of [here, laptop, phone]) assert.equal((await logIn(c, user.username)).status, 303);
    const before = here.cookies.get('sessionid');
    const res = await submit(here, '/accounts/password/change', { old_password: PASSWORD, new_password1: NEW, new_password2: NEW });
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/accounts/password/change/done');
    assert.notEqual(here.cookies.get('sessionid'), before); // rotated
    assert.equal(await whoami(here), user.username);
    assert.equal(await whoami(laptop), null);
    assert.equal(await whoami(phone), null);
    const done = await here.get('/accounts/password/change/done', { headers: HTML });
    assert.match(done.text, /<h1>Password changed<\/h1>/);
    assert.equal((await logIn(client(), user.username)).status, 422);
    assert.equal((await logIn(client(), user.username, NEW)).status, 303);
    const stored = (await env.db.query(User).get(user.id))!.password;
    assert.equal((await FAST_HASHERS.verify(NEW, stored)).valid, true);
  });

  test('with the cookie store, other sessions end too (through the password hash)', async () => {
    const user = await makeUser(env.db);
    const { client } = accountsApp(env.db, { store: new CookieStore() });
    const here = client();
    const other = client();
    await logIn(here, user.username);
    await logIn(other, user.username);
    assert.equal((await submit(here, '/accounts/password/change', { old_password: PASSWORD, new_password1: NEW, new_password2: NEW })).status, 303);
    assert.equal(await whoami(here), user.username);
    assert.equal(await whoami(other), null);
  });

  test('a wrong old password, a mismatch and a weak password are each refused with 422; nothing changes', async () => {
    const user = await makeUser(env.db);
    const c = accountsApp(env.db).client();
    await logIn(c, user.username);
    const cases: Array<[Record<string, string>, string]> = [
      [{ old_password: 'nope', new_password1: NEW, new_password2: NEW }, 'Your old password was entered incorrectly. Please enter it again.'],
      [{ old_password: PASSWORD, new_password1: NEW, new_password2: `${NEW}!` }, 'The two password fields didn’t match.'],
      [{ old_password: PASSWORD, new_password1: 'password', new_password2: 'password' }, 'This password is too common.'],
      [{ old_password: PASSWORD, new_password1: '12345', new_password2: '12345' }, 'This password is too short. It must contain at least 8 characters.'],
      [{ old_password: PASSWORD, new_password1: user.username, new_password2: user.username }, 'The password is too similar to the username.'],
      [{ old_password: '', new_password1: '', new_password2: '' }, 'This field is required.'],
    ];
    for (const [fields, message] of cases) {
      const res = await submit(c, '/accounts/password/change', fields);
      assert.equal(res.status, 422, message);
      assert.ok(res.text.includes(`<li>${message}</li>`), `${message} in ${res.text}`);
    }
    assert.equal((await env.db.query(User).get(user.id))!.password, user.password);
    assert.equal(await whoami(c), user.username);
  });

  test('guessing the old password is throttled like a login', async () => {
    const user = await makeUser(env.db);
    const c = accountsApp(env.db).client();
    await logIn(c, user.username);
    for (let i = 0; i < 5; i++) assert.equal((await submit(c, '/accounts/password/change', { old_password: `guess${i}`, new_password1: NEW, new_password2: NEW })).status, 422);
    const res = await submit(c, '/accounts/password/change', { old_password: PASSWORD, new_password1: NEW, new_password2: NEW });
    assert.equal(res.status, 429);
    assert.equal(res.header('retry-after'), '900');
    assert.equal((await env.db.query(User).get(user.id))!.password, user.password);
  });

  test('the new password is hashed with the app’s hashers', async () => {
    const user = await makeUser(env.db);
    const c = accountsApp(env.db).client();
    await logIn(c, user.username);
    await submit(c, '/accounts/password/change', { old_password: PASSWORD, new_password1: NEW, new_password2: NEW });
    const stored = (await env.db.query(User).get(user.id))!.password;
    assert.match(stored, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    assert.equal((await passwordHashers().verify(NEW, stored)).valid, true);
  });
});

describe('sessions page', () => {
  test('lists the user’s sessions with this one marked, and logs out the others', async () => {
    const user = await makeUser(env.db);
    const { client, clock } = accountsApp(env.db);
    const here = client();
    const other = client();
    await logIn(other, user.username);
    clock.advance(120);
    await logIn(here, user.username);
    const page = await here.get('/accounts/sessions', { headers: HTML });
    assert.equal(page.status, 200);
    const rows = page.text.match(/<tr><td>[^<]+<\/td><td>[^<]+<\/td><td>[^<]*<\/td><\/tr>/g) ?? [];
    assert.deepEqual(rows, [
      '<tr><td>2030-01-01 00:02 UTC</td><td>2030-01-01 00:02 UTC</td><td>This device</td></tr>',
      '<tr><td>2030-01-01 00:00 UTC</td><td>2030-01-01 00:00 UTC</td><td></td></tr>',
    ]);
    const res = await submit(here, '/accounts/sessions', {}, '/accounts/sessions/logout-others');
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/accounts/sessions');
    assert.equal(await whoami(other), null);
    assert.equal(await whoami(here), user.username);
    const after = await here.get('/accounts/sessions', { headers: HTML });
    assert.equal(after.text.match(/<tr><td>/g)?.length, 1);
  });

  test('with the cookie store the page says sessions cannot be listed', async () => {
    const user = await makeUser(env.db);
    const c = accountsApp(env.db, { store: new CookieStore() }).client();
    await logIn(c, user.username);
    const page = await c.get('/accounts/sessions', { headers: HTML });
    assert.equal(page.status, 200);
    assert.match(page.text, /This site keeps sessions in cookies, so they cannot be listed\./);
    const res = await submit(c, '/accounts/password/change', {}, '/accounts/sessions/logout-others');
    assert.equal(res.status, 409);
    assert.match(res.text, /Change your password to log out everywhere\./);
  });
});
