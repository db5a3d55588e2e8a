/**
 * What the blog's tests share: a fresh blog on its own SQLite file and upload folder in a temp
 * directory (built like server.ts builds it: migrations, permissions), and the steps a browser
 * takes (read the CSRF field of a page, post a form, sign up, log in, send a multipart form).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'rampart';
import { syncPermissions } from 'rampart/auth';
import { connect, migrate } from 'rampart/db';
import { LocalStorage } from 'rampart/forms';
import { MemoryMailer } from 'rampart/mail';
import type { SessionStore } from 'rampart/sessions';
import { testClient, type TestClient, type TestResponse } from 'rampart/testing';
import { createBlog, type BlogDatabase, type BlogOptions } from '../app.js';
import { BLOG_DIR, MIGRATIONS_DIR, STATIC_DIR } from '../config.js';
import { BLOG_MODELS, MODELS } from '../models.js';

/** A password the validators accept. */
export const PASSWORD = 'violet rampart morning tea';
/** The PNG of the demo data, as an upload. */
export const PNG = readFileSync(join(BLOG_DIR, 'seed', 'rampart.png'));

export interface BlogEnv {
  readonly app: App;
  readonly db: BlogDatabase;
  readonly uploads: LocalStorage;
  readonly uploadsDir: string;
  readonly mailer: MemoryMailer;
  /** A new browser: its own cookie jar. */
  client(): TestClient;
  /** The files in the upload folder (a stored image is two: the bytes and `<key>.json`). */
  storedFiles(): string[];
  done(): Promise<void>;
}

export interface BlogEnvOptions {
  /** `DATABASE_URL` of an empty database. @default a SQLite file in the temp folder */
  readonly url?: string;
  readonly sessionStore?: SessionStore;
  readonly throttle?: BlogOptions['throttle'];
}

/** A fresh blog: its own database and upload folder, the migrations applied, no demo data. */
export async function blogEnv(options: BlogEnvOptions = {}): Promise<BlogEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-blog-'));
  const db = await connect({ url: options.url ?? `sqlite:${join(dir, 'blog.sqlite3')}`, models: MODELS });
  const { error } = await migrate({ kysely: db.kysely, dialect: db.dialect, dir: MIGRATIONS_DIR });
  assert.equal(error, undefined);
  await syncPermissions(db, BLOG_MODELS);
  const uploadsDir = join(dir, 'uploads');
  const uploads = new LocalStorage(uploadsDir, { staticRoots: [STATIC_DIR] });
  const mailer = new MemoryMailer({ from: 'blog@example.com' });
  const app = createBlog({
    db,
    uploads,
    mailer,
    settings: { env: 'test' },
    ...(options.sessionStore === undefined ? {} : { sessionStore: options.sessionStore }),
    ...(options.throttle === undefined ? {} : { throttle: options.throttle }),
  });
  return {
    app,
    db,
    uploads,
    uploadsDir,
    mailer,
    client: () => testClient(app),
    storedFiles: () => {
      try {
        return readdirSync(uploadsDir).sort();
      } catch {
        return [];
      }
    },
    async done() {
      await app.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a browser sends with a same-origin form POST to http://localhost. */
export const SAME_ORIGIN = Object.freeze({ origin: 'http://localhost', 'sec-fetch-site': 'same-origin' });
/** A browser's Accept header: guards then redirect to the login page instead of answering 401. */
export const HTML = Object.freeze({ accept: 'text/html,application/xhtml+xml' });

/** The CSRF field the template engine put in a page's POST form. */
export function csrfField(html: string): string {
  const m = /<input type="hidden" name="csrf_token" value="([^"]+)">/.exec(html);
  assert.ok(m !== null, `no CSRF field in: ${html.slice(0, 400)}`);
  return m[1]!;
}

/** GETs a page with a form and POSTs fields back to it (or to `postPath`) with its CSRF field, like a browser. */
export async function submit(client: TestClient, formPath: string, fields: Record<string, string>, postPath = formPath): Promise<TestResponse> {
  const page = await client.get(formPath, { headers: HTML });
  assert.equal(page.status, 200, `GET ${formPath}: ${page.status} ${page.text.slice(0, 300)}`);
  return client.post(postPath, { headers: { ...SAME_ORIGIN, ...HTML }, form: { csrf_token: csrfField(page.text), ...fields } });
}

/** Signs up through /accounts/signup (which logs the new user in). */
export async function signUp(client: TestClient, username: string): Promise<void> {
  const res = await submit(client, '/accounts/signup', { username, email: `${username}@example.com`, password1: PASSWORD, password2: PASSWORD });
  assert.equal(res.status, 303, res.text.slice(0, 2000));
}

/** Logs in through /accounts/login; returns the POST's response. */
export function logIn(client: TestClient, username: string, password = PASSWORD): Promise<TestResponse> {
  return submit(client, '/accounts/login', { username, password });
}

/** A part of a multipart body: a field, or a file with its bytes. */
export type Part = { name: string; value: string } | { name: string; filename: string; type: string; data: Buffer };

const BOUNDARY = '----blog-test-boundary';

/** A multipart/form-data body and its Content-Type, parts in the given order. */
export function multipart(parts: readonly Part[]): { body: Buffer; type: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if ('value' in p) {
      chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    } else {
      chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type}\r\n\r\n`), p.data, Buffer.from('\r\n'));
    }
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${BOUNDARY}` };
}

/**
 * GETs the form page, then POSTs a multipart body to `postPath`: the CSRF field first (as the
 * template engine places it), then the fields and files.
 */
export async function submitMultipart(client: TestClient, formPath: string, parts: readonly Part[], postPath = formPath): Promise<TestResponse> {
  const page = await client.get(formPath, { headers: HTML });
  assert.equal(page.status, 200, `GET ${formPath}: ${page.status}`);
  const { body, type } = multipart([{ name: 'csrf_token', value: csrfField(page.text) }, ...parts]);
  return client.post(postPath, { headers: { ...SAME_ORIGIN, ...HTML, 'content-type': type }, body });
}

/** Publishes a post through the page form; returns its id. */
export async function publish(client: TestClient, fields: { title: string; body: string; tags?: string }, image?: Buffer): Promise<number> {
  const parts: Part[] = [
    { name: 'title', value: fields.title },
    { name: 'body', value: fields.body },
    { name: 'tags', value: fields.tags ?? '' },
  ];
  if (image !== undefined) parts.push({ name: 'image', filename: 'picture.png', type: 'image/png', data: image });
  const res = await submitMultipart(client, '/posts/new', parts);
  assert.equal(res.status, 303, res.text.slice(0, 2000));
  const m = /^\/posts\/(\d+)$/.exec(res.header('location') ?? '');
  assert.ok(m !== null, `redirected to ${res.header('location')}`);
  return Number(m[1]);
}

/** A CSRF token for scripts, from /api/csrf (creates the session's secret if needed). */
export async function apiToken(client: TestClient): Promise<string> {
  const res = await client.get('/api/csrf');
  assert.equal(res.status, 200);
  const { csrfToken } = res.json<{ csrfToken: string | null }>();
  assert.ok(typeof csrfToken === 'string' && csrfToken.length > 40);
  return csrfToken;
}

/** The error object of a JSON error response. */
export function errorOf(res: TestResponse): { status: number; message: string; code?: string; details?: unknown } {
  return res.json<{ error: { status: number; message: string; code?: string; details?: unknown } }>().error;
}
