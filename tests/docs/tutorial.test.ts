/**
 * docs/tutorial.md, run as written: its blocks are executed in order in a temp folder (files
 * written, shell blocks run with bash, outputs compared), the servers it starts are driven over
 * HTTP like a browser (log in with a CSRF token, create a task), and the project's own tests
 * pass. The tutorial starts in the folder of a clone ("cd rampart"): the temp folder gets a
 * `rampart/` whose entries link to this repository, so `npx rampart new ../tasks` lands next to it.
 * npm runs with --offline: the project's only dependency is this clone, by path.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CookieJar } from 'rampart/testing';
import { ROOT, freePort, getUntil, killAll, run, start } from '../cli/support.ts';
import { normalizeOutput, parseSteps, type Step } from './markdown-steps.ts';

const TUTORIAL = join(ROOT, 'docs', 'tutorial.md');
/** The whole tutorial, npm install and three test runs included, must finish within this. */
const TUTORIAL_TIMEOUT_MS = 600_000;
/** Any one shell block. */
const BLOCK_TIMEOUT_MS = 180_000;

const parent = mkdtempSync(join(tmpdir(), 'rampart-tutorial-'));
after(() => {
  killAll();
  rmSync(parent, { recursive: true, force: true });
});

/** The clone as the tutorial's reader has it: `rampart/` beside the folder they create. */
function linkClone(): void {
  const clone = join(parent, 'rampart');
  mkdirSync(clone);
  for (const entry of readdirSync(ROOT)) {
    if (entry === '.git') continue;
    symlinkSync(join(ROOT, entry), join(clone, entry));
  }
}

const NPM_ENV = {
  npm_config_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};

function npmMissing(): string | false {
  const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });
  const bash = spawnSync('bash', ['--version'], { encoding: 'utf8' });
  if (npm.status !== 0) return 'npm is not installed';
  if (bash.status !== 0) return 'bash is not installed';
  return false;
}

interface Shell {
  cwd: string;
  /** The merged output of the last run block. */
  lastOutput: string;
}

async function runBlock(shell: Shell, step: Extract<Step, { kind: 'run' }>): Promise<void> {
  const cwdFile = join(parent, '.cwd');
  // One bash per block, as if typed in one terminal: `cd` carries over to the next block.
  const script = `set -eo pipefail\ntrap 'pwd > "${cwdFile}"' EXIT\nexec 2>&1\n${step.script}`;
  const result = await run('bash', ['-c', script], { cwd: shell.cwd, env: NPM_ENV, timeoutMs: BLOCK_TIMEOUT_MS });
  shell.lastOutput = normalizeOutput(result.stdout + result.stderr);
  assert.equal(result.code, step.exit, `tutorial.md line ${step.line}: ${step.script}exited ${result.code}, expected ${step.exit}\n${result.stdout}${result.stderr}`);
  shell.cwd = readFileSync(cwdFile, 'utf8').trim();
}

function checkOutput(shell: Shell, step: Extract<Step, { kind: 'output' }>): void {
  const where = `tutorial.md line ${step.line}`;
  if (step.mode === 'exact') {
    assert.equal(shell.lastOutput, step.text, `${where}: the output differs`);
    return;
  }
  const lines = new Set(shell.lastOutput.split('\n'));
  for (const line of step.text.split('\n').filter((l) => l !== '')) {
    assert.ok(lines.has(line), `${where}: no line "${line}" in the output:\n${shell.lastOutput}`);
  }
}

/** A small browser: cookies kept, redirects not followed, Origin sent on POST as browsers do. */
function browser(base: string) {
  const jar = new CookieJar();
  async function request(method: string, path: string, form?: Record<string, string>) {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = jar.header(path);
    if (cookie !== undefined) headers['cookie'] = cookie;
    let body: string | undefined;
    if (form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['origin'] = base;
      headers['sec-fetch-site'] = 'same-origin';
      body = new URLSearchParams(form).toString();
    }
    const res = await fetch(base + path, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    jar.store(res.headers.getSetCookie());
    return { status: res.status, location: res.headers.get('location'), headers: res.headers, text: await res.text() };
  }
  return {
    get: (path: string) => request('GET', path),
    post: (path: string, form: Record<string, string>) => request('POST', path, form),
  };
}

function csrfToken(html: string): string {
  const token = /<input type="hidden" name="csrf_token" value="([^"]+)">/.exec(html)?.[1];
  assert.ok(token !== undefined, `the page has a POST form with its CSRF field:\n${html}`);
  return token;
}

/** The username and password the tutorial's createsuperuser block sets. */
function superuser(steps: readonly Step[]): { username: string; password: string } {
  const script = steps.find((s): s is Extract<Step, { kind: 'run' }> => s.kind === 'run' && s.script.includes('createsuperuser'))?.script ?? '';
  const username = /RAMPART_SUPERUSER_USERNAME=(\S+)/.exec(script)?.[1];
  const password = /RAMPART_SUPERUSER_PASSWORD='([^']+)'/.exec(script)?.[1];
  assert.ok(username !== undefined && password !== undefined, 'the tutorial creates a superuser with a username and a quoted password');
  return { username, password };
}

type Check = (base: string, steps: readonly Step[]) => Promise<void>;

const CHECKS: Record<string, Check> = {
  // The project as `rampart new` wrote it: the notes page, protected, and a note added through it.
  async scaffold(base) {
    const b = browser(base);
    const home = await b.get('/');
    assert.equal(home.status, 200);
    assert.equal(home.headers.get('x-frame-options'), 'DENY');
    assert.match(home.text, /<h1>Notes<\/h1>/);
    const added = await b.post('/notes', { text: '<i>first</i>', csrf_token: csrfToken(home.text) });
    assert.equal(added.status, 303);
    const after = await b.get('/');
    assert.ok(after.text.includes('<li>&lt;i&gt;first&lt;/i&gt;</li>'), after.text);
    const forged = await b.post('/notes', { text: 'forged' });
    assert.equal(forged.status, 403);
  },

  // The finished app: sent to the login page, log in with the superuser, create a task, log out.
  async tasks(base, steps) {
    const { username, password } = superuser(steps);
    const b = browser(base);
    const home = await b.get('/');
    assert.equal(home.status, 302);
    assert.equal(home.location, '/tasks');
    const list = await b.get('/tasks');
    assert.equal(list.status, 302);
    assert.equal(list.location, '/accounts/login?next=%2Ftasks');

    const loginPage = await b.get('/accounts/login?next=%2Ftasks');
    assert.equal(loginPage.status, 200);
    assert.match(loginPage.text, /<h1>Log in<\/h1>/);
    assert.match(loginPage.text, /<link rel="stylesheet" href="\/static\/css\/app\.css">/, 'the accounts pages use the layout of the app');
    const wrong = await b.post('/accounts/login', { username, password: 'not the password', next: '/tasks', csrf_token: csrfToken(loginPage.text) });
    assert.equal(wrong.status, 422);
    const login = await b.post('/accounts/login', { username, password, next: '/tasks', csrf_token: csrfToken(wrong.text) });
    assert.equal(login.status, 303);
    assert.equal(login.location, '/tasks');

    const empty = await b.get('/tasks');
    assert.equal(empty.status, 200);
    assert.ok(empty.text.includes(`Signed in as ${username}`), empty.text);
    assert.match(empty.text, /<li>Nothing to do\.<\/li>/);
    const form = await b.get('/tasks/new');
    const created = await b.post('/tasks/new', { title: 'Water the <plants>', notes: '', csrf_token: csrfToken(form.text) });
    assert.equal(created.status, 303);
    assert.equal(created.location, '/tasks');
    const one = await b.get('/tasks');
    assert.match(one.text, /<a href="\/tasks\/1\/edit">Water the &lt;plants&gt;<\/a>/);
    const tooLong = await b.post('/tasks/new', { title: 'x'.repeat(201), csrf_token: csrfToken(one.text) });
    assert.equal(tooLong.status, 422);
    assert.match(tooLong.text, /Ensure this value has at most 200 characters \(it has 201\)\./);

    const logout = await b.post('/accounts/logout', { csrf_token: csrfToken(tooLong.text) });
    assert.equal(logout.status, 303);
    assert.equal((await b.get('/tasks')).status, 302);
  },
};

async function serve(shell: Shell, step: Extract<Step, { kind: 'serve' }>, steps: readonly Step[]): Promise<void> {
  const check = CHECKS[step.check];
  assert.ok(check !== undefined, `tutorial.md line ${step.line}: no check named "${step.check}" in this test`);
  const port = await freePort();
  // A process group of its own (bash, npm, rampart dev and the app), stopped by its PID below.
  const server = start('bash', ['-c', step.script], { cwd: shell.cwd, env: { ...NPM_ENV, PORT: String(port), LOG_LEVEL: 'warn' }, group: true });
  try {
    await server.waitFor(new RegExp(`serving http://127\\.0\\.0\\.1:${port}`), 90_000);
    await getUntil(`http://127.0.0.1:${port}/static/css/app.css`, 30_000, {}, (status) => status === 200);
    await check(`http://127.0.0.1:${port}`, steps);
  } finally {
    process.kill(-server.child.pid!, 'SIGTERM');
    const exit = await server.waitForExit(30_000);
    assert.notEqual(exit, null, `tutorial.md line ${step.line}: ${step.script.trim()} did not stop on SIGTERM\n${server.output()}`);
  }
  // npm exits first; the app finishes its requests in flight. Every process of the group must end.
  assert.ok(await groupGone(server.child.pid!, 30_000), `tutorial.md line ${step.line}: processes of ${step.script.trim()} still run 30 s after SIGTERM`);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) }), 'the server is stopped');
}

/** Whether the process group `pgid` has no process left, polled for at most `ms`. */
async function groupGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const missing = npmMissing();

test('docs/tutorial.md runs as written', { skip: missing, timeout: TUTORIAL_TIMEOUT_MS }, async () => {
  const steps = parseSteps(readFileSync(TUTORIAL, 'utf8'));
  assert.ok(steps.some((s) => s.kind === 'serve'), 'the tutorial starts the app');
  linkClone();
  const shell: Shell = { cwd: parent, lastOutput: '' };
  for (const step of steps) {
    switch (step.kind) {
      case 'run':
        await runBlock(shell, step);
        break;
      case 'output':
        checkOutput(shell, step);
        break;
      case 'file': {
        const file = join(shell.cwd, step.path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, step.text);
        break;
      }
      case 'excerpt': {
        const file = join(shell.cwd, step.path);
        assert.ok(existsSync(file), `tutorial.md line ${step.line}: ${step.path} does not exist`);
        assert.ok(readFileSync(file, 'utf8').includes(step.text), `tutorial.md line ${step.line}: the excerpt is not in ${step.path}:\n${readFileSync(file, 'utf8')}`);
        break;
      }
      case 'exists':
        for (const p of step.paths) assert.ok(existsSync(join(shell.cwd, p)), `tutorial.md line ${step.line}: ${p} does not exist in ${shell.cwd}`);
        break;
      case 'serve':
        await serve(shell, step, steps);
        break;
    }
  }

  // The code of the tutorial type-checks (with the project's own tsconfig.json, as an editor would).
  const tsc = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', shell.cwd], { cwd: shell.cwd, timeoutMs: BLOCK_TIMEOUT_MS });
  assert.equal(tsc.code, 0, tsc.stdout + tsc.stderr);
});
