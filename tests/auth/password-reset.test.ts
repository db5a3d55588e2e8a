/**
 * Password reset by email: the same answer whether or not the address has an account, a link in
 * the mail, a new password set through it; the token refused after use, after expiry, after a
 * password change, after a login, and when tampered with; Referrer-Policy: no-referrer on the
 * reset pages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkPasswordResetToken, makePasswordResetToken, setPassword, User, type AuthUser } from 'rampart/auth';
import type { MemoryMailer, OutboxMessage } from 'rampart/mail';
import type { TestClient } from 'rampart/testing';
import { accountsApp, accountsDb, FAST_HASHERS, HTML, logIn, makeUser, submit, whoami, type AccountsApp, type AccountsDb } from './support.ts';

const NEW = 'fresh lemon tide 42';
const INVALID_LINK = /<h1>This link does not work<\/h1>/;

let env: AccountsDb;
before(async () => {
  env = await accountsDb('sqlite');
});
after(() => env.done());

/** Waits (bounded) until the mailer has `n` messages: reset mail is sent after the response. */
async function mails(mailer: MemoryMailer, n: number): Promise<OutboxMessage[]> {
  for (let i = 0; i < 200 && mailer.outbox.length < n; i++) await sleep(5);
  assert.equal(mailer.outbox.length, n);
  return mailer.outbox;
}

function linkIn(message: OutboxMessage): string {
  const m = /http:\/\/localhost(\/accounts\/password\/reset\/confirm\/[^\s]+)/.exec(message.text);
  assert.ok(m !== null, message.text);
  return m[1]!;
}

async function requestReset(app: AccountsApp, email: string): Promise<string> {
  const res = await submit(app.client(), '/accounts/password/reset', { email });
  assert.equal(res.status, 303);
  assert.equal(res.header('location'), '/accounts/password/reset/sent');
  return linkIn((await mails(app.mailer, app.mailer.outbox.length + 1)).at(-1)!);
}

async function setNew(client: TestClient, link: string, password = NEW) {
  return submit(client, link, { new_password1: password, new_password2: password });
}

describe('password reset', () => {
  test('the full flow: request, mail, link, new password, log in with it', async () => {
    const user = await makeUser(env.db);
    const app = accountsApp(env.db);
    const link = await requestReset(app, user.email);
    const mail = app.mailer.outbox[0]!;
    assert.deepEqual(mail.to, [user.email]);
    assert.equal(mail.subject, 'Password reset on localhost');
    assert.ok(mail.text.includes(`the account "${user.username}" on localhost`));
    assert.ok(mail.text.includes('within 60 minutes'));
    const c = app.client();
    const form = await c.get(link, { headers: HTML });
    assert.equal(form.status, 200);
    assert.equal(form.header('referrer-policy'), 'no-referrer');
    assert.match(form.text, /<h1>Choose a new password<\/h1>/);
    const res = await setNew(c, link);
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/accounts/password/reset/complete');
    assert.equal(res.header('referrer-policy'), 'no-referrer');
    assert.equal((await logIn(app.client(), user.username)).status, 422);
    assert.equal((await logIn(app.client(), user.username, NEW)).status, 303);
  });

  test('the same answer for an unknown address, and no mail', async () => {
    const user = await makeUser(env.db);
    const app = accountsApp(env.db);
    const unknown = await submit(app.client(), '/accounts/password/reset', { email: 'nobody@example.com' });
    const known = await submit(app.client(), '/accounts/password/reset', { email: user.email.toUpperCase() });
    for (const res of [unknown, known]) {
      assert.equal(res.status, 303);
      assert.equal(res.header('location'), '/accounts/password/reset/sent');
      assert.equal(res.text, '');
    }
    const outbox = await mails(app.mailer, 1);
    assert.deepEqual(outbox[0]!.to, [user.email]);
    const sent = await app.client().get('/accounts/password/reset/sent', { headers: HTML });
    assert.match(sent.text, /If an account has this address, we sent it a link/);
    assert.equal(sent.header('referrer-policy'), 'no-referrer');
  });

  test('inactive accounts and accounts without a usable password get no mail', async () => {
    const inactive = await makeUser(env.db, { is_active: false });
    const invited = await makeUser(env.db, { password: null });
    const app = accountsApp(env.db);
    for (const u of [inactive, invited]) assert.equal((await submit(app.client(), '/accounts/password/reset', { email: u.email })).status, 303);
    const probe = await makeUser(env.db);
    await requestReset(app, probe.email); // a mail that does go out, after the others would have
    assert.deepEqual(app.mailer.outbox.map((m) => m.to[0]), [probe.email]);
  });

  test('an empty or malformed address is a form error', async () => {
    const app = accountsApp(env.db);
    const res = await submit(app.client(), '/accounts/password/reset', { email: 'not an address' });
    assert.equal(res.status, 422);
    assert.match(res.text, /<li>Enter a valid email address\.<\/li>/);
  });

  test('a few mails per address per window, then silence with the same answer', async () => {
    const user = await makeUser(env.db);
    const app = accountsApp(env.db);
    for (let i = 0; i < 7; i++) assert.equal((await submit(app.client(), '/accounts/password/reset', { email: user.email })).status, 303);
    await mails(app.mailer, 5);
    await sleep(50);
    assert.equal(app.mailer.outbox.length, 5);
  });
});

describe('reset tokens', () => {
  async function linkFor(app: AccountsApp, user: AuthUser): Promise<string> {
    return requestReset(app, user.email);
  }

  test('refused after use', async () => {
    const user = await makeUser(env.db);
    const app = accountsApp(env.db);
    const link = await linkFor(app, user);
    assert.equal((await setNew(app.client(), link)).status, 303);
    const again = await app.client().get(link, { headers: HTML });
    assert.equal(again.status, 400);
    assert.match(again.text, INVALID_LINK);
  });

  test('refused after an hour, accepted just before', async () => {
    const user = await makeUser(env.db);
    const app = accountsApp(env.db);
    const link = await linkFor(app, user);
    app.clock.advance(3599);
    assert.equal((await app.client().get(link, { headers: HTML })).status, 200);
    app.clock.advance(2);
    const res = await app.client().get(link, { headers: HTML });
    assert.equal(res.status, 400);
    assert.match(res.text, INVALID_LINK);
    const post = await submit(app.client(), '/accounts/password/reset', { email: 'x@example.com' }, link);
    assert.equal(post.status, 400);
    assert.equal((await env.db.query(User).get(user.id))!.password, user.password);
  });

  test('refused after the password changed another way', async () => {
    const user = await makeUser(env.db);
    const app = accountsApp(env.db);
    const link = await linkFor(app, user);
    await setPassword(env.db, user, 'changed elsewhere 123', { hashers: FAST_HASHERS });
    assert.equal((await app.client().get(link, { headers: HTML })).status, 400);
  });

  test('refused after the user logged in', async () => {
    const user = await makeUser(env.db);
    const app = accountsApp(env.db);
    const link = await linkFor(app, user);
    app.clock.advance(1);
    await logIn(app.client(), user.username);
    assert.equal((await app.client().get(link, { headers: HTML })).status, 400);
  });

  test('refused when tampered with, and the password stays', async () => {
    const user = await makeUser(env.db);
    const other = await makeUser(env.db);
    const app = accountsApp(env.db);
    const link = await linkFor(app, user);
    const token = link.slice(link.lastIndexOf('/') + 1);
    const [id, ts, mac] = token.split('-') as [string, string, string];
    const forged = [
      `${id}-${ts}-${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      `${other.id.toString(36)}-${ts}-${mac}`,
      `${id}-${(parseInt(ts, 36) + 3600).toString(36)}-${mac}`,
      `${id}-${ts}`,
      'garbage',
      `${id}-${ts}-${mac}x`,
    ];
    for (const t of forged) {
      const res = await app.client().get(`/accounts/password/reset/confirm/${encodeURIComponent(t)}`, { headers: HTML });
      assert.equal(res.status, 400, t);
      assert.match(res.text, INVALID_LINK);
    }
    const post = await submit(app.client(), '/accounts/password/reset', { email: 'x@example.com' }, `/accounts/password/reset/confirm/${forged[1]}`);
    assert.equal(post.status, 400);
    assert.equal((await env.db.query(User).get(other.id))!.password, other.password);
  });

  test('a weak new password is refused and the link still works', async () => {
    const user = await makeUser(env.db);
    const app = accountsApp(env.db);
    const link = await linkFor(app, user);
    const res = await setNew(app.client(), link, 'password');
    assert.equal(res.status, 422);
    assert.match(res.text, /<li>This password is too common\.<\/li>/);
    assert.equal((await setNew(app.client(), link)).status, 303);
  });

  test('a reset ends every session of the user', async () => {
    const user = await makeUser(env.db);
    const app = accountsApp(env.db);
    const c = app.client();
    await logIn(c, user.username);
    app.clock.advance(1);
    const link = await linkFor(app, user);
    await setNew(app.client(), link);
    assert.equal(await whoami(c), null);
  });

  test('makePasswordResetToken and checkPasswordResetToken work without the views', async () => {
    const user = await makeUser(env.db);
    const secret = 'x'.repeat(40);
    const now = Date.parse('2031-05-05T10:00:00Z');
    const token = makePasswordResetToken(user, secret, now);
    assert.match(token, /^[0-9a-z]+-[0-9a-z]+-[A-Za-z0-9_-]{43}$/);
    assert.equal((await checkPasswordResetToken(env.db, token, secret, { now }))?.id, user.id);
    assert.equal(await checkPasswordResetToken(env.db, token, 'y'.repeat(40), { now }), null);
    assert.equal(await checkPasswordResetToken(env.db, token, secret, { now: now + 601_000, maxAgeSeconds: 600 }), null);
    assert.equal(await checkPasswordResetToken(env.db, token, secret, { now: now - 3_600_000 }), null); // from the future
  });
});
