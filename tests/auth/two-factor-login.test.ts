/**
 * TOTP through the views: enrolment with a code the test computes from the secret shown on the
 * page, recovery codes shown once, the second login step (half-authenticated until the code),
 * replay refusal, recovery codes accepted once each, the step's timeout and throttle, turning it off.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decryptTotpSecret, setPassword, totpCode, User, verifySecondFactor, type AuthUser } from 'rampart/auth';
import type { TestClient } from 'rampart/testing';
import { accountsApp, accountsDb, FAST_HASHERS, HTML, logIn, makeUser, PASSWORD, submit, whoami, type AccountsApp, type AccountsDb } from './support.ts';

let env: AccountsDb;
before(async () => {
  env = await accountsDb('sqlite');
});
after(() => env.done());

interface Enrolled {
  readonly app: AccountsApp;
  readonly user: AuthUser;
  readonly secret: string;
  readonly codes: string[];
  readonly client: TestClient;
}

/** Logs in, enrols TOTP through the views, and returns the secret and recovery codes. */
async function enrolled(): Promise<Enrolled> {
  const user = await makeUser(env.db);
  const app = accountsApp(env.db);
  const client = app.client();
  await logIn(client, user.username);
  const page = await client.get('/accounts/two-factor', { headers: HTML });
  assert.equal(page.status, 200);
  assert.match(page.text, /<figure class="qr"><svg /);
  const shown = /Or type this key: <code>([A-Z2-7 ]+)<\/code>/.exec(page.text);
  assert.ok(shown !== null, page.text);
  assert.match(shown[1]!, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  const secret = shown[1]!.replace(/ /g, '');
  const res = await submit(client, '/accounts/two-factor', { code: totpCode(secret, { time: app.clock.now() }) });
  assert.equal(res.status, 200, res.text);
  const codes = [...res.text.matchAll(/<li>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})<\/li>/g)].map((m) => m[1]!);
  assert.equal(codes.length, 10);
  assert.equal(res.header('cache-control'), 'private, no-store');
  return { app, user, secret, codes, client };
}

/** Logs out the enrolled client and logs in with the password: it lands on the code step. */
async function passwordStep(e: Enrolled, client = e.app.client(), next?: string): Promise<TestClient> {
  const res = await logIn(client, e.user.username, PASSWORD, next);
  assert.equal(res.status, 303);
  assert.equal(res.header('location'), '/accounts/login/verify');
  return client;
}

describe('TOTP enrolment', () => {
  test('stores the secret encrypted, the step used, and only hashes of the recovery codes', async () => {
    const e = await enrolled();
    const row = (await env.db.query(User).get(e.user.id))!;
    assert.equal(row.totp_enabled, true);
    assert.ok(row.totp_secret !== null && !row.totp_secret.includes(e.secret));
    assert.equal(decryptTotpSecret(row.totp_secret, e.app.app.settings.secretKey), e.secret);
    assert.equal(row.totp_last_step, Math.floor(e.app.clock.now() / 30_000));
    const hashes = row.totp_recovery_codes.split(' ');
    assert.equal(hashes.length, 10);
    for (const h of hashes) assert.match(h, /^sha256\$[0-9a-f]{64}$/);
    for (const c of e.codes) assert.ok(!row.totp_recovery_codes.includes(c));
    const status = await e.client.get('/accounts/two-factor', { headers: HTML });
    assert.match(status.text, /Two-factor authentication is on\. You have 10 unused recovery codes\./);
  });

  test('a wrong code does not turn it on; a reload shows the same secret', async () => {
    const user = await makeUser(env.db);
    const app = accountsApp(env.db);
    const c = app.client();
    await logIn(c, user.username);
    const first = await c.get('/accounts/two-factor', { headers: HTML });
    const again = await c.get('/accounts/two-factor', { headers: HTML });
    const key = (html: string) => /<code>([A-Z2-7 ]+)<\/code>/.exec(html)![1];
    assert.equal(key(first.text), key(again.text));
    const res = await submit(c, '/accounts/two-factor', { code: '000000' });
    assert.equal(res.status, 422);
    assert.match(res.text, /That code is not valid\./);
    assert.equal((await env.db.query(User).get(user.id))!.totp_enabled, false);
  });

  test('anonymous visitors are sent to log in', async () => {
    const res = await accountsApp(env.db).client().get('/accounts/two-factor', { headers: HTML });
    assert.equal(res.status, 302);
    assert.equal(res.header('location'), '/accounts/login?next=%2Faccounts%2Ftwo-factor');
  });
});

describe('TOTP at login', () => {
  test('the password alone leaves the session anonymous; the code completes the login', async () => {
    const e = await enrolled();
    const c = await passwordStep(e, undefined, '/after');
    assert.equal(await whoami(c), null);
    assert.equal((await c.get('/accounts/password/change', { headers: HTML })).status, 302);
    const page = await c.get('/accounts/login/verify', { headers: HTML });
    assert.equal(page.status, 200);
    assert.match(page.text, /autocomplete="one-time-code"/);
    e.app.clock.advance(30); // the enrolment used this step's code
    const res = await submit(c, '/accounts/login/verify', { code: totpCode(e.secret, { time: e.app.clock.now() }) });
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/after');
    assert.equal(await whoami(c), e.user.username);
  });

  test('a wrong code is refused with 422 and the session stays anonymous', async () => {
    const e = await enrolled();
    const c = await passwordStep(e);
    const good = totpCode(e.secret, { time: e.app.clock.now() + 30_000 });
    const wrong = good === '123456' ? '654321' : '123456';
    const res = await submit(c, '/accounts/login/verify', { code: wrong });
    assert.equal(res.status, 422);
    assert.match(res.text, /Enter the 6-digit code from your authenticator app, or one of your recovery codes\./);
    assert.equal(await whoami(c), null);
  });

  test('a code already used is refused (replay), a later one works', async () => {
    const e = await enrolled();
    e.app.clock.advance(30);
    const code = totpCode(e.secret, { time: e.app.clock.now() });
    const first = await passwordStep(e);
    assert.equal((await submit(first, '/accounts/login/verify', { code })).status, 303);
    const second = await passwordStep(e);
    assert.equal((await submit(second, '/accounts/login/verify', { code })).status, 422);
    assert.equal(await whoami(second), null);
    e.app.clock.advance(30);
    assert.equal((await submit(second, '/accounts/login/verify', { code: totpCode(e.secret, { time: e.app.clock.now() }) })).status, 303);
    assert.equal(await whoami(second), e.user.username);
  });

  test('a recovery code logs in once; the second use is refused', async () => {
    const e = await enrolled();
    const code = e.codes[3]!;
    const first = await passwordStep(e);
    assert.equal((await submit(first, '/accounts/login/verify', { code: code.toUpperCase().replace(/-/g, ' ') })).status, 303);
    assert.equal(await whoami(first), e.user.username);
    const second = await passwordStep(e);
    const res = await submit(second, '/accounts/login/verify', { code });
    assert.equal(res.status, 422);
    assert.equal(await whoami(second), null);
    const row = (await env.db.query(User).get(e.user.id))!;
    assert.equal(row.totp_recovery_codes.split(' ').length, 9);
    assert.equal((await submit(second, '/accounts/login/verify', { code: e.codes[4]! })).status, 303);
  });

  test('the code step dies after five minutes', async () => {
    const e = await enrolled();
    const c = await passwordStep(e);
    e.app.clock.advance(301);
    const res = await submit(c, '/accounts/login', { code: totpCode(e.secret, { time: e.app.clock.now() }) }, '/accounts/login/verify');
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/accounts/login');
    assert.equal(await whoami(c), null);
    assert.equal((await c.get('/accounts/login/verify', { headers: HTML })).header('location'), '/accounts/login');
  });

  test('a password change between the two steps voids the code step', async () => {
    const e = await enrolled();
    const c = await passwordStep(e);
    await setPassword(env.db, e.user, 'something else entirely', { hashers: FAST_HASHERS });
    e.app.clock.advance(30);
    const res = await submit(c, '/accounts/login', { code: totpCode(e.secret, { time: e.app.clock.now() }) }, '/accounts/login/verify');
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/accounts/login');
    assert.equal(await whoami(c), null);
    const direct = await c.get('/accounts/login/verify', { headers: HTML });
    assert.equal(direct.status, 303);
    assert.equal(direct.header('location'), '/accounts/login');
  });

  test('guessing codes is throttled: the 6th attempt is 429 even with the right code', async () => {
    const e = await enrolled();
    const c = await passwordStep(e);
    for (let i = 0; i < 5; i++) assert.equal((await submit(c, '/accounts/login/verify', { code: `00000${i}` })).status, 422);
    e.app.clock.advance(30);
    const res = await submit(c, '/accounts/login/verify', { code: totpCode(e.secret, { time: e.app.clock.now() }) });
    assert.equal(res.status, 429);
    assert.ok(Number(res.header('retry-after')) > 0);
    assert.equal(await whoami(c), null);
  });

  test('the verify page without a pending login goes back to the login page', async () => {
    const res = await accountsApp(env.db).client().get('/accounts/login/verify', { headers: HTML });
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/accounts/login');
  });
});

describe('verifySecondFactor', () => {
  test('two concurrent uses of one code: exactly one succeeds', async () => {
    const e = await enrolled();
    const secretKey = e.app.app.settings.secretKey;
    const load = async () => (await env.db.query(User).get(e.user.id))!;
    const [a, b] = await Promise.all([load(), load()]);
    const results = await Promise.all([verifySecondFactor(env.db, a, e.codes[0]!, secretKey), verifySecondFactor(env.db, b, e.codes[0]!, secretKey)]);
    assert.deepEqual(results.map((r) => r.valid).sort(), [false, true]);
    const now = e.app.clock.now() + 30_000;
    const code = totpCode(e.secret, { time: now });
    const [c, d] = await Promise.all([load(), load()]);
    const totp = await Promise.all([verifySecondFactor(env.db, c, code, secretKey, now), verifySecondFactor(env.db, d, code, secretKey, now)]);
    assert.deepEqual(totp.map((r) => r.method).sort(), [null, 'totp']);
  });

  test('a user without TOTP, and codes of the wrong shape, are refused', async () => {
    const user = await makeUser(env.db);
    assert.deepEqual(await verifySecondFactor(env.db, user, '123456', 'k'.repeat(40)), { valid: false, method: null });
    const e = await enrolled();
    for (const code of ['', '12345', 'x'.repeat(100), '1234567890123']) {
      assert.equal((await verifySecondFactor(env.db, e.user, code, e.app.app.settings.secretKey)).valid, false, code);
    }
  });
});

describe('turning TOTP off', () => {
  test('needs the password; afterwards the password alone logs in', async () => {
    const e = await enrolled();
    const wrong = await submit(e.client, '/accounts/two-factor', { password: 'nope' }, '/accounts/two-factor/disable');
    assert.equal(wrong.status, 422);
    assert.match(wrong.text, /Your password was entered incorrectly\./);
    assert.equal((await env.db.query(User).get(e.user.id))!.totp_enabled, true);
    const res = await submit(e.client, '/accounts/two-factor', { password: PASSWORD }, '/accounts/two-factor/disable');
    assert.equal(res.status, 303);
    const row = (await env.db.query(User).get(e.user.id))!;
    assert.deepEqual([row.totp_enabled, row.totp_secret, row.totp_last_step, row.totp_recovery_codes], [false, null, null, '']);
    const c = e.app.client();
    assert.equal((await logIn(c, e.user.username)).header('location'), '/');
    assert.equal(await whoami(c), e.user.username);
  });
});
