/**
 * The login view: CSRF on the POST, the redirect, last_login, the same answer (and about the same
 * time) for an unknown user, a wrong password and an inactive account, hash upgrade on login,
 * login by email, and logout.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { passwordHashers, User, createUser, type AuthUser } from 'rampart/auth';
import type { TestClient, TestResponse } from 'rampart/testing';
import { accountsApp, accountsDb, csrfField, HTML, logIn, makeUser, PASSWORD, SAME_ORIGIN, sessionCookie, submit, whoami, type AccountsDb } from './support.ts';

const INVALID = 'Please enter a correct username and password. Note that both fields may be case-sensitive.';

let env: AccountsDb;
before(async () => {
  env = await accountsDb('sqlite');
});
after(() => env.done());

describe('login', () => {
  test('the login page is a form with the CSRF field, posting to the login view', async () => {
    const res = await accountsApp(env.db).client().get('/accounts/login', { headers: HTML });
    assert.equal(res.status, 200);
    assert.match(res.text, /<form method="post" action="\/accounts\/login"><input type="hidden" name="csrf_token" value="[^"]+">/);
    assert.match(res.text, /<input id="id_username" name="username" value=""/);
    assert.equal(res.header('cache-control'), 'private, no-store');
  });

  test('a POST without the CSRF token is refused with 403 and logs nobody in', async () => {
    const user = await makeUser(env.db);
    const client = accountsApp(env.db).client();
    await client.get('/accounts/login', { headers: HTML });
    const res = await client.post('/accounts/login', { headers: SAME_ORIGIN, form: { username: user.username, password: PASSWORD } });
    assert.equal(res.status, 403);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_CSRF_FAILED');
    assert.equal(await whoami(client), null);
    assert.equal((await env.db.query(User).get(user.id))?.last_login, null);
  });

  test('a POST with a token from another session is refused with 403', async () => {
    const user = await makeUser(env.db);
    const { client } = accountsApp(env.db);
    const attacker = client();
    const token = csrfField((await attacker.get('/accounts/login', { headers: HTML })).text);
    const victim = client();
    await victim.get('/accounts/login', { headers: HTML });
    const res = await victim.post('/accounts/login', { headers: SAME_ORIGIN, form: { csrf_token: token, username: user.username, password: PASSWORD } });
    assert.equal(res.status, 403);
    assert.equal(await whoami(victim), null);
  });

  test('a correct password logs in, redirects to / and sets last_login', async () => {
    const user = await makeUser(env.db);
    const { client, clock } = accountsApp(env.db);
    const c = client();
    const res = await logIn(c, user.username);
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/');
    assert.equal(await whoami(c), user.username);
    const row = await env.db.query(User).get(user.id);
    assert.equal(row?.last_login?.getTime(), clock.t);
  });

  test('next= is honoured for a same-origin path', async () => {
    const user = await makeUser(env.db);
    const res = await logIn(accountsApp(env.db).client(), user.username, PASSWORD, '/notes/7?page=2#top');
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/notes/7?page=2#top');
  });

  test('the username may have spaces around it; the password may not differ by a character', async () => {
    const user = await makeUser(env.db);
    const { client } = accountsApp(env.db);
    assert.equal((await logIn(client(), `  ${user.username} `)).status, 303);
    assert.equal((await logIn(client(), user.username, PASSWORD + ' ')).status, 422);
    assert.equal((await logIn(client(), user.username.toUpperCase())).status, 422);
  });

  test('empty fields are each reported as required, with 422', async () => {
    const res = await submit(accountsApp(env.db).client(), '/accounts/login', { username: '', password: '' });
    assert.equal(res.status, 422);
    assert.equal(res.text.match(/<li>This field is required\.<\/li>/g)?.length, 2);
  });

  test('reading req.user makes the response private; a route that does not stays cacheable', async () => {
    const user = await makeUser(env.db);
    const c = accountsApp(env.db).client();
    await logIn(c, user.username);
    assert.equal((await c.get('/whoami')).header('cache-control'), 'private, no-store');
    assert.equal((await c.get('/')).header('cache-control'), undefined);
  });
});

describe('mounted elsewhere', () => {
  test('the views link and redirect to each other under their own prefix', async () => {
    const user = await makeUser(env.db);
    const c = accountsApp(env.db, { mount: '/people' }).client();
    const anon = await c.get('/people/password/change', { headers: HTML });
    assert.equal(anon.header('location'), '/people/login?next=%2Fpeople%2Fpassword%2Fchange');
    const page = await c.get('/people/login', { headers: HTML });
    assert.match(page.text, /<form method="post" action="\/people\/login">/);
    assert.match(page.text, /<a href="\/people\/password\/reset">Forgot your password\?<\/a>/);
    const res = await c.post('/people/login', { headers: SAME_ORIGIN, form: { csrf_token: csrfField(page.text), username: user.username, password: PASSWORD } });
    assert.equal(res.status, 303);
    assert.equal(await whoami(c), user.username);
  });
});

describe('user enumeration', () => {
  /** The page with the parts that must differ (the CSRF token, the username typed) blanked. */
  function normalized(res: TestResponse, username: string): string {
    return res.text
      .replace(/name="csrf_token" value="[^"]+"/, 'name="csrf_token" value=""')
      .replace(/<style nonce="[^"]+">/, '<style nonce="">')
      .replace(`value="${username}"`, 'value="USERNAME"');
  }

  test('an unknown user, a wrong password and an inactive account get the same status and page', async () => {
    const active = await makeUser(env.db);
    const inactive = await makeUser(env.db, { is_active: false });
    const { client } = accountsApp(env.db);
    const unknown = await logIn(client(), 'nobody_at_all');
    const wrong = await logIn(client(), active.username, 'wrong password');
    const disabled = await logIn(client(), inactive.username); // correct password
    for (const res of [unknown, wrong, disabled]) {
      assert.equal(res.status, 422);
      assert.ok(res.text.includes(`<p class="error" role="alert">${INVALID}</p>`));
    }
    assert.equal(normalized(wrong, active.username), normalized(unknown, 'nobody_at_all'));
    assert.equal(normalized(disabled, inactive.username), normalized(unknown, 'nobody_at_all'));
  });

  test('an unknown user and a wrong password take about the same time (medians within 2x)', async () => {
    // Real hashing parameters, so each answer is dominated by the argon2id work (or its dummy).
    const hashers = passwordHashers();
    const user = await createUser(env.db, { username: `timing_${process.pid}`, password: PASSWORD }, { hashers });
    const { client } = accountsApp(env.db, { routes: { hashers, throttle: false } });
    const c = client();
    const token = csrfField((await c.get('/accounts/login', { headers: HTML })).text);
    const attempt = async (username: string): Promise<number> => {
      const start = performance.now();
      const res = await c.post('/accounts/login', { headers: SAME_ORIGIN, form: { csrf_token: token, username, password: 'not the password' } });
      const took = performance.now() - start;
      assert.equal(res.status, 422);
      return took;
    };
    await attempt('warm_up_unknown'); // the dummy hash is made on first use
    await attempt(user.username);
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 9; i++) {
      unknown.push(await attempt(`unknown_${i}`));
      wrong.push(await attempt(user.username));
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const [u, w] = [median(unknown), median(wrong)];
    assert.ok(Math.max(u, w) / Math.min(u, w) < 2, `median unknown user ${u.toFixed(1)} ms, wrong password ${w.toFixed(1)} ms`);
  });
});

describe('hash upgrade', () => {
  test("a Django pbkdf2_sha256 hash becomes argon2id at login, and the new hash verifies", async () => {
    // Django's own test vector for 'lètmein'.
    const django = 'pbkdf2_sha256$1000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps=';
    const user = await makeUser(env.db);
    await env.db.query(User).filter({ id: user.id }).update({ password: django });
    const c = accountsApp(env.db).client();
    const res = await logIn(c, user.username, 'lètmein');
    assert.equal(res.status, 303);
    assert.equal(await whoami(c), user.username);
    const stored = (await env.db.query(User).get(user.id))!.password;
    assert.match(stored, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    const check = await passwordHashers().verify('lètmein', stored);
    assert.deepEqual(check, { valid: true, needsRehash: true }); // weaker than the defaults, hashed by the test's fast hasher
    // The session stays valid: it is bound to the new hash.
    assert.equal(await whoami(c), user.username);
  });

  test('an up-to-date hash is left alone', async () => {
    const user = await makeUser(env.db);
    await logIn(accountsApp(env.db).client(), user.username);
    assert.equal((await env.db.query(User).get(user.id))!.password, user.password);
  });
});

describe('login by email', () => {
  test('off by default: an email address in the username field is an unknown user', async () => {
    const user = await makeUser(env.db);
    assert.equal((await logIn(accountsApp(env.db).client(), user.email)).status, 422);
  });

  test('with loginWithEmail, the address logs in whatever its case', async () => {
    const user = await makeUser(env.db, { email: `Mixed.${process.pid}@Example.COM` });
    const c = accountsApp(env.db, { routes: { loginWithEmail: true } }).client();
    assert.equal((await logIn(c, `mixed.${process.pid}@example.com`)).status, 303);
    assert.equal(await whoami(c), user.username);
  });

  test('an address two accounts share logs into neither', async () => {
    const email = `shared.${process.pid}@example.com`;
    await makeUser(env.db, { email });
    await makeUser(env.db, { email });
    const c = accountsApp(env.db, { routes: { loginWithEmail: true } }).client();
    assert.equal((await logIn(c, email)).status, 422);
    assert.equal(await whoami(c), null);
  });
});

describe('logout', () => {
  async function loggedIn(): Promise<{ client: TestClient; user: AuthUser }> {
    const user = await makeUser(env.db);
    const client = accountsApp(env.db).client();
    assert.equal((await logIn(client, user.username)).status, 303);
    return { client, user };
  }

  test('GET /accounts/logout is 405: a link or an image cannot log anyone out', async () => {
    const { client, user } = await loggedIn();
    const res = await client.get('/accounts/logout');
    assert.equal(res.status, 405);
    assert.equal(res.header('allow'), 'OPTIONS, POST');
    assert.equal(await whoami(client), user.username);
  });

  test('POST logs out and redirects; the old cookie replayed afterwards is anonymous', async () => {
    const { client } = await loggedIn();
    const old = sessionCookie(client)!;
    const page = await client.get('/accounts/password/change', { headers: HTML });
    const res = await client.post('/accounts/logout', { headers: SAME_ORIGIN, form: { csrf_token: csrfField(page.text) } });
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/');
    assert.equal(await whoami(client), null);
    const replay = await client.get('/whoami', { headers: { cookie: `sessionid=${old}` } });
    assert.deepEqual(replay.json(), { user: null });
  });

  test('POST without the CSRF token is 403 and the user stays logged in', async () => {
    const { client, user } = await loggedIn();
    const res = await client.post('/accounts/logout', { headers: SAME_ORIGIN });
    assert.equal(res.status, 403);
    assert.equal(await whoami(client), user.username);
  });
});
