/**
 * The examples of docs/auth.md, run as written: the setup (with the account page in a temporary
 * templates folder and the database in a temporary SQLite file), and the JSON login of "req.user,
 * login and logout".
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { group, rampart, unauthorized } from 'rampart';
import { AUTH_TEMPLATES, auth, authModels, authRoutes, createUser, login, logout, passwordHashers, requireLogin, User } from 'rampart/auth';
import { connect, field, makeMigrations, migrate, model } from 'rampart/db';
import { MemoryMailer } from 'rampart/mail';
import { MemoryStore, sessions } from 'rampart/sessions';
import { templates } from 'rampart/templates';
import { testClient } from 'rampart/testing';
import { csrfField, HTML, SAME_ORIGIN } from './support.ts';

const Post = model('blog_post', { title: field.string({ maxLength: 200 }) });
const models = [...authModels, Post];
const dir = mkdtempSync(join(tmpdir(), 'rampart-auth-guide-'));
const url = `sqlite:${join(dir, 'db.sqlite3')}`;
let db: Awaited<ReturnType<typeof connect<typeof models>>>;

before(async () => {
  await makeMigrations({ models, dir: join(dir, 'migrations') });
  const { error } = await migrate({ url, dir: join(dir, 'migrations') });
  assert.equal(error, undefined);
  db = await connect({ url, models });
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'templates', 'account.html'), '<h1>Hello, {{ user.username }}</h1>\n');
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('docs/auth.md: setting it up', async () => {
  const app = rampart({ env: 'test', templates: templates({ folders: [join(dir, 'templates'), AUTH_TEMPLATES] }) });
  app.use(sessions({ store: new MemoryStore() }), auth({ db }));
  app.mount('/accounts', authRoutes({ db, mailer: new MemoryMailer() }), { name: 'accounts' });
  const account = group().use(requireLogin());
  account.get('/', async (req) => req.render('account.html', { user: await req.user }));
  app.mount('/account', account);

  await createUser(db, { username: 'ada', email: 'ada@example.com', password: 'correct horse battery staple' });
  const client = testClient(app);
  const first = await client.get('/account', { headers: HTML });
  assert.equal(first.status, 302);
  assert.equal(first.header('location'), '/accounts/login?next=%2Faccount');
  const page = await client.get(first.header('location')!, { headers: HTML });
  const res = await client.post('/accounts/login', {
    headers: SAME_ORIGIN,
    form: { csrf_token: csrfField(page.text), username: 'ada', password: 'correct horse battery staple', next: '/account' },
  });
  assert.equal(res.header('location'), '/account');
  const home = await client.get('/account', { headers: HTML });
  assert.equal(home.text, '<h1>Hello, ada</h1>\n');
  assert.equal(app.urlFor('accounts.login'), '/accounts/login');
});

test('docs/auth.md: a JSON login with login() and logout()', async () => {
  const app = rampart({ env: 'test' });
  app.use(sessions({ store: new MemoryStore() }), auth({ db }));
  app.get('/token', (req) => ({ token: req.csrfToken() }));
  app.get('/', async (req) => {
    const user = await req.user;
    return user === null ? 'Hello, stranger' : `Hello, ${user.username}`;
  });
  const hashers = passwordHashers();
  app.post('/api/login', async (req) => {
    const { username, password } = await req.json<{ username: string; password: string }>();
    const user = await db.query(User).filter({ username }).first();
    const check = await hashers.verify(password, user?.password);
    if (user === undefined || !check.valid || !user.is_active) throw unauthorized('Wrong username or password.');
    await login(req, user);
    return { username: user.username };
  });
  app.post('/api/logout', (req) => {
    logout(req);
    return { ok: true };
  });
  await createUser(db, { username: 'bo', password: 'correct horse battery staple' });
  const client = testClient(app);
  const token = async () => ({ ...SAME_ORIGIN, 'x-csrf-token': (await client.get('/token')).json<{ token: string }>().token });
  assert.equal((await client.get('/')).text, 'Hello, stranger');
  const wrong = await client.post('/api/login', { headers: await token(), json: { username: 'bo', password: 'nope' } });
  assert.equal(wrong.status, 401);
  const ok = await client.post('/api/login', { headers: await token(), json: { username: 'bo', password: 'correct horse battery staple' } });
  assert.deepEqual(ok.json(), { username: 'bo' });
  assert.equal((await client.get('/')).text, 'Hello, bo');
  assert.deepEqual((await client.post('/api/logout', { headers: await token() })).json(), { ok: true });
  assert.equal((await client.get('/')).text, 'Hello, stranger');
});
