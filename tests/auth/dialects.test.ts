/**
 * The accounts queries that are not plain model queries, on SQLite, PostgreSQL and MariaDB: email
 * lookups with lower(), the case-insensitive username check of signup, the conditional UPDATEs that
 * spend TOTP steps and recovery codes, and a password reset from request to new password.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { enableTotp, generateTotpSecret, totpCode, totpStep, User, verifySecondFactor } from 'rampart/auth';
import { databaseTargets } from '../helpers/databases.ts';
import { accountsApp, accountsDb, HTML, logIn, makeUser, submit, whoami, type AccountsDb } from './support.ts';

const GOOD = 'violet kettle harbour';

for (const target of databaseTargets()) {
  describe(`accounts queries on ${target.name}`, { skip: target.skip }, () => {
    let env: AccountsDb;
    before(async () => {
      env = await accountsDb(target.name);
    });
    after(() => env?.done());

    test('login by email ignores the case of the address', async () => {
      const user = await makeUser(env.db, { email: `Case.${target.name}@Example.com` });
      const c = accountsApp(env.db, { routes: { loginWithEmail: true } }).client();
      assert.equal((await logIn(c, `CASE.${target.name}@EXAMPLE.COM`)).status, 303);
      assert.equal(await whoami(c), user.username);
    });

    test('signup refuses a username taken in another case', async () => {
      await makeUser(env.db, { username: `Zed_${target.name}` });
      const c = accountsApp(env.db, { routes: { signup: true } }).client();
      const res = await submit(c, '/accounts/signup', { username: `zed_${target.name}`, email: 'z@example.com', password1: GOOD, password2: GOOD });
      assert.equal(res.status, 422);
      assert.match(res.text, /A user with that username already exists\./);
    });

    test('a reset request finds the account by address in any case, and the link sets the password', async () => {
      const user = await makeUser(env.db, { email: `reset.${target.name}@example.com` });
      const app = accountsApp(env.db);
      assert.equal((await submit(app.client(), '/accounts/password/reset', { email: `RESET.${target.name}@example.com` })).status, 303);
      for (let i = 0; i < 200 && app.mailer.outbox.length === 0; i++) await sleep(5);
      const link = /http:\/\/localhost(\/accounts\/password\/reset\/confirm\/\S+)/.exec(app.mailer.outbox[0]!.text)![1]!;
      assert.equal((await app.client().get(link, { headers: HTML })).status, 200);
      assert.equal((await submit(app.client(), link, { new_password1: GOOD, new_password2: GOOD })).status, 303);
      assert.equal((await logIn(app.client(), user.username, GOOD)).status, 303);
      assert.equal((await app.client().get(link, { headers: HTML })).status, 400);
    });

    test('a TOTP step and a recovery code are each spent once, also when raced', async () => {
      const user = await makeUser(env.db);
      const secret = generateTotpSecret();
      const key = 's'.repeat(40);
      const now = Date.parse('2030-06-01T12:00:00Z');
      const codes = await enableTotp(env.db, user, secret, totpStep(now) - 1, key);
      const load = async () => (await env.db.query(User).get(user.id))!;
      const code = totpCode(secret, { time: now });
      const [a, b] = await Promise.all([load(), load()]);
      const totp = await Promise.all([verifySecondFactor(env.db, a, code, key, now), verifySecondFactor(env.db, b, code, key, now)]);
      assert.deepEqual(totp.map((r) => r.valid).sort(), [false, true]);
      assert.equal((await load()).totp_last_step, totpStep(now));
      const [c, d] = await Promise.all([load(), load()]);
      const recovery = await Promise.all([verifySecondFactor(env.db, c, codes[0]!, key, now), verifySecondFactor(env.db, d, codes[0]!, key, now)]);
      assert.deepEqual(recovery.map((r) => r.method).sort(), [null, 'recovery']);
      assert.equal((await load()).totp_recovery_codes.split(' ').length, 9);
    });
  });
}
