/**
 * Shared setup of the accounts suites: a fresh database per target with the accounts and session
 * tables made by the public migration API, an app with sessions, auth() and the accounts views
 * on it, and the browser steps the tests repeat (read the CSRF field, post a form, log in).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rampart, type App, type Settings } from 'rampart';
import {
  Argon2idHasher,
  AUTH_TEMPLATES,
  auth,
  authModels,
  authRoutes,
  createUser,
  MemoryCounterStore,
  passwordHashers,
  Pbkdf2Sha256Hasher,
  type AuthRoutesOptions,
  type AuthUser,
  type NewUser,
} from 'rampart/auth';
import { connect, field, makeMigrations, migrate, model, type Database } from 'rampart/db';
import { MemoryMailer } from 'rampart/mail';
import { DatabaseStore, SessionEntry, sessions, type CookieStore, type SessionStore } from 'rampart/sessions';
import { templates } from 'rampart/templates';
import { testClient, type TestClient, type TestResponse } from 'rampart/testing';
import { freshDatabase, type TargetName } from '../helpers/databases.ts';

/** An app model, for permission names (`blog.change_post`). */
export const Post = model('blog_post', { title: field.string({ maxLength: 100 }) });
export const MODELS = [...authModels, SessionEntry, Post] as const;

/** Fast hashing for tests (argon2id with weak parameters, said out loud); Django's PBKDF2 verifies too. */
export const FAST_HASHERS = passwordHashers([new Argon2idHasher({ memoryKiB: 1024, timeCost: 1, allowWeakParameters: true }), new Pbkdf2Sha256Hasher()]);

export const PASSWORD = 'correct horse battery staple';

/** A clock tests move by hand. */
export class Clock {
  t = Date.parse('2030-01-01T00:00:00Z');
  readonly now = (): number => this.t;
  advance(seconds: number): void {
    this.t += seconds * 1000;
  }
}

export interface AccountsDb {
  readonly db: Database<typeof MODELS>;
  readonly target: TargetName;
  done(): Promise<void>;
}

/** A fresh database on a target with the accounts, sessions and blog tables, made by makeMigrations + migrate. */
export async function accountsDb(target: TargetName = 'sqlite'): Promise<AccountsDb> {
  const fresh = await freshDatabase(target);
  const dir = mkdtempSync(join(tmpdir(), 'rampart-auth-mig-'));
  const made = await makeMigrations({ models: MODELS, dir });
  assert.equal(made.changed, true);
  const { error } = await migrate({ url: fresh.url, dir });
  assert.equal(error, undefined);
  const db = await connect({ url: fresh.url, models: MODELS });
  return {
    db,
    target,
    async done() {
      await db.close();
      await fresh.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The sessions database store on the test database. DatabaseStore takes the untyped Database, which
 * a database typed by its model list is not assignable to; the cast stands in for that gap.
 */
export function databaseStore(db: Database<typeof MODELS>, now?: () => number): DatabaseStore {
  return new DatabaseStore(db, now === undefined ? {} : { now });
}

let userCounter = 0;

/** A user with a unique username (prefix + counter) and the test password, hashed fast. */
export function makeUser(db: Database<typeof MODELS>, data: Partial<NewUser> = {}): Promise<AuthUser> {
  const username = data.username ?? `user${++userCounter}_${process.pid}`;
  return createUser(db, { email: `${username}@example.com`, password: PASSWORD, ...data, username }, { hashers: FAST_HASHERS });
}

export interface AppOptions {
  store?: SessionStore | CookieStore;
  routes?: Partial<Omit<AuthRoutesOptions, 'db'>>;
  settings?: Settings;
  /** Where the accounts views are mounted. @default '/accounts' */
  mount?: string;
  /** Adds routes before the app is used. */
  extend?: (app: App) => void;
}

export interface AccountsApp {
  readonly app: App;
  readonly mailer: MemoryMailer;
  readonly clock: Clock;
  readonly counters: MemoryCounterStore;
  client(options?: { remoteAddress?: string }): TestClient;
}

/** An app with sessions (database store by default), auth(), the accounts views at /accounts and a few probes. */
export function accountsApp(db: Database<typeof MODELS>, options: AppOptions = {}): AccountsApp {
  const clock = new Clock();
  const mailer = new MemoryMailer({ from: 'site@example.com' });
  const counters = new MemoryCounterStore({ now: clock.now });
  const app = rampart({ env: 'test', templates: templates({ folders: [AUTH_TEMPLATES], reload: false }), ...options.settings });
  app.use(sessions({ store: options.store ?? databaseStore(db, clock.now), now: clock.now }), auth({ db, now: clock.now }));
  app.mount(options.mount ?? '/accounts', authRoutes({ db, mailer, hashers: FAST_HASHERS, now: clock.now, throttle: { store: counters }, ...options.routes }), { name: 'accounts' });
  app.get('/', () => 'home');
  app.get('/whoami', async (req) => ({ user: (await req.user)?.username ?? null }));
  options.extend?.(app);
  return { app, mailer, clock, counters, client: (o) => testClient(app, o) };
}

/** What a browser sends with a same-origin form POST to http://localhost. */
export const SAME_ORIGIN = Object.freeze({ origin: 'http://localhost', 'sec-fetch-site': 'same-origin' });
export const HTML = Object.freeze({ accept: 'text/html,application/xhtml+xml' });

/** The hidden CSRF field of a rendered page. */
export function csrfField(html: string): string {
  const m = /<input type="hidden" name="csrf_token" value="([^"]+)">/.exec(html);
  assert.ok(m !== null, `no CSRF field in: ${html.slice(0, 500)}`);
  return m[1]!;
}

/** GETs a page with a form and POSTs it back with the CSRF field, like a browser. */
export async function submit(client: TestClient, formPath: string, fields: Record<string, string>, postPath = formPath): Promise<TestResponse> {
  const page = await client.get(formPath, { headers: HTML });
  assert.equal(page.status, 200, `GET ${formPath}: ${page.status} ${page.text.slice(0, 300)}`);
  return client.post(postPath, { headers: { ...SAME_ORIGIN, ...HTML }, form: { csrf_token: csrfField(page.text), ...fields } });
}

/** Logs in through the login view; returns the POST's response. */
export function logIn(client: TestClient, username: string, password = PASSWORD, next?: string): Promise<TestResponse> {
  const path = next === undefined ? '/accounts/login' : `/accounts/login?next=${encodeURIComponent(next)}`;
  return submit(client, path, { username, password }, path);
}

/** Who the app thinks the client is. */
export async function whoami(client: TestClient): Promise<string | null> {
  const res = await client.get('/whoami');
  assert.equal(res.status, 200, res.text);
  return res.json<{ user: string | null }>().user;
}

/** The session cookie's value in the client's jar. */
export function sessionCookie(client: TestClient): string | undefined {
  return client.cookies.get('sessionid');
}

/** The error object of a JSON error response. */
export function errorOf(res: TestResponse): { status: number; message: string; code?: string } {
  return res.json<{ error: { status: number; message: string; code?: string } }>().error;
}
