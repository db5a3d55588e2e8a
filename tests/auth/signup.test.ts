/**
 * Signup: off by default; when on, it creates an active non-staff user with a checked password and
 * logs them in; usernames are unique whatever their case or Unicode form.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { User } from 'rampart/auth';
import { accountsApp, accountsDb, FAST_HASHERS, HTML, makeUser, submit, whoami, type AccountsDb } from './support.ts';

const GOOD = 'violet kettle harbour';

let env: AccountsDb;
before(async () => {
  env = await accountsDb('sqlite');
});
after(() => env.done());

describe('signup', () => {
  test('is off by default: the page does not exist and the login page does not link to it', async () => {
    const c = accountsApp(env.db).client();
    assert.equal((await c.get('/accounts/signup', { headers: HTML })).status, 404);
    assert.doesNotMatch((await c.get('/accounts/login', { headers: HTML })).text, /Sign up/);
  });

  test('when on, creates the account, logs it in and redirects', async () => {
    const app = accountsApp(env.db, { routes: { signup: true } });
    const c = app.client();
    assert.match((await c.get('/accounts/login', { headers: HTML })).text, /<a href="\/accounts\/signup">Sign up<\/a>/);
    const res = await submit(c, '/accounts/signup', { username: `newbie_${process.pid}`, email: 'newbie@example.com', password1: GOOD, password2: GOOD });
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/');
    assert.equal(await whoami(c), `newbie_${process.pid}`);
    const row = (await env.db.query(User).filter({ username: `newbie_${process.pid}` }).first())!;
    assert.deepEqual([row.is_active, row.is_staff, row.is_superuser, row.email], [true, false, false, 'newbie@example.com']);
    assert.equal((await FAST_HASHERS.verify(GOOD, row.password)).valid, true);
    assert.equal(row.last_login?.getTime(), app.clock.t);
  });

  test('a taken username, in any case or Unicode form, is refused', async () => {
    const taken = await makeUser(env.db, { username: `Taken_${process.pid}` });
    const c = accountsApp(env.db, { routes: { signup: true } }).client();
    for (const username of [taken.username, taken.username.toLowerCase(), taken.username.replace('T', 'Ｔ')]) {
      const res = await submit(c, '/accounts/signup', { username, email: 'a@example.com', password1: GOOD, password2: GOOD });
      assert.equal(res.status, 422, username);
      assert.match(res.text, /<li>A user with that username already exists\.<\/li>/);
    }
    assert.equal(await env.db.query(User).filter({ email: 'a@example.com' }).count(), 0);
  });

  test('bad fields are reported together with 422, and nothing is created', async () => {
    const c = accountsApp(env.db, { routes: { signup: true } }).client();
    const res = await submit(c, '/accounts/signup', { username: 'has space', email: 'nope', password1: 'password', password2: 'password' });
    assert.equal(res.status, 422);
    for (const message of [
      'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
      'Enter a valid email address.',
      'This password is too common.',
    ]) {
      assert.ok(res.text.includes(`<li>${message}</li>`), message);
    }
    const mismatch = await submit(c, '/accounts/signup', { username: 'fine_name', email: 'f@example.com', password1: GOOD, password2: `${GOOD}x` });
    assert.match(mismatch.text, /<li>The two password fields didn’t match\.<\/li>/);
    const similar = await submit(c, '/accounts/signup', { username: 'marguerite_dupont', email: 'f@example.com', password1: 'marguerite_dupont1', password2: 'marguerite_dupont1' });
    assert.match(similar.text, /<li>The password is too similar to the username\.<\/li>/);
    assert.equal(await env.db.query(User).filter({ username__in: ['has space', 'fine_name', 'marguerite_dupont'] }).count(), 0);
    assert.equal(await whoami(c), null);
  });
});
