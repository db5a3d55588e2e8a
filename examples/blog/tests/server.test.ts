/**
 * The server entry as `npm start` runs it: a real process on a free port with a temporary data
 * folder. It applies the migrations, seeds the demo data once (printing the password), answers,
 * and stops cleanly on SIGTERM. Every wait is bounded; the process is stopped by its PID.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BLOG_DIR } from '../config.js';

const ROOT = join(BLOG_DIR, '..', '..');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
}

const children = new Set<ChildProcess>();
const dataDir = mkdtempSync(join(tmpdir(), 'rampart-blog-server-'));
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `node --import tsx examples/blog/server.ts` and waits for its "listening on" line. */
function start(): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/blog/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: '0',
      HOST: '127.0.0.1',
      BLOG_DATA_DIR: dataDir,
      // The defaults, whatever the environment of the test run says.
      DATABASE_URL: '',
      REDIS_URL: '',
      SECRET_KEY: '',
      EMAIL_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${START_TIMEOUT_MS} ms:\n${out}`));
    }, START_TIMEOUT_MS);
    const check = (): void => {
      const m = /"msg":"listening on (http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      resolve({ child, url: m[1]!, output: () => out });
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${out}`));
    });
  });
}

/** Sends SIGTERM to the PID and waits (bounded) for the exit code. */
function stop(running: Running): Promise<number | null> {
  const { child } = running;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not stop within ${STOP_TIMEOUT_MS} ms:\n${running.output()}`));
    }, STOP_TIMEOUT_MS);
    child.removeAllListeners('exit');
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    process.kill(child.pid!, 'SIGTERM');
  });
}

/** Logs in over HTTP like a browser: GET the form (session cookie + CSRF field), POST it back. */
async function logInOverHttp(url: string, username: string, password: string): Promise<Response> {
  const form = await fetch(`${url}/accounts/login`, { headers: { accept: 'text/html' } });
  const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
  const token = /name="csrf_token" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  return fetch(`${url}/accounts/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, origin: url, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ csrf_token: token, username, password }).toString(),
  });
}

describe('examples/blog/server.ts', () => {
  test('first start: migrates, seeds, prints the demo password, serves, stops on SIGTERM', async () => {
    const server = await start();
    const home = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
    assert.equal(home.status, 200);
    assert.ok((await home.text()).includes('<h2><a href="/posts/3">Welcome to the Rampart blog</a></h2>'));
    const css = await fetch(`${server.url}/static/css/blog.css`);
    assert.equal(css.status, 200);
    await css.arrayBuffer();

    assert.match(server.output(), /Applied migration 0001_initial/);
    const password = /Log in as "demo" with the password: (\S+)/.exec(server.output())?.[1];
    assert.ok(password !== undefined, server.output());
    const login = await logInOverHttp(server.url, 'demo', password);
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/');

    assert.equal(await stop(server), 0);
    assert.match(server.output(), /shutdown complete/);

    assert.ok(existsSync(join(dataDir, 'blog.sqlite3')));
    assert.equal(statSync(join(dataDir, 'secret_key')).mode & 0o777, 0o600);
    assert.equal(readdirSync(join(dataDir, 'uploads')).length, 2); // the demo image and its metadata
  });

  test('second start: same data, nothing migrated or seeded again, same secret key', async () => {
    const key = readFileSync(join(dataDir, 'secret_key'), 'utf8');
    const server = await start();
    const res = await fetch(`${server.url}/api/posts`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { posts: unknown[] }).posts.length, 3);
    assert.equal(await stop(server), 0);
    assert.doesNotMatch(server.output(), /Applied migration/);
    assert.doesNotMatch(server.output(), /Demo data created/);
    assert.equal(readFileSync(join(dataDir, 'secret_key'), 'utf8'), key);
  });
});
