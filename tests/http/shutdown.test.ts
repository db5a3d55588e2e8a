/**
 * Graceful shutdown, tested on a real process: tests/fixtures/shutdown-app.ts is spawned with
 * `node --import tsx`, gets SIGTERM/SIGINT by its PID, and must stop accepting, finish the request
 * in flight (bounded by SHUTDOWN_TIMEOUT_MS) and exit 0.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { buildRequest, openRaw, portOf, rawGet } from '../helpers/raw-http.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = 'tests/fixtures/shutdown-app.ts';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when the process exited */
  at: number;
}

interface AppProcess {
  child: ChildProcess;
  port: number;
  /** Resolves when a stdout line equal to `line` has been printed, rejects after `ms`. */
  waitForLine(line: string, ms?: number): Promise<void>;
  /** Resolves with the exit, or null if it did not exit within `ms`. */
  waitForExit(ms: number): Promise<Exit | null>;
  output(): string;
}

const children: ChildProcess[] = [];

after(() => {
  // Anything still running (a failed test) is ended here, by its own PID.
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

async function startApp(env: Readonly<Record<string, string>> = {}): Promise<AppProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const lines: string[] = [];
  const waiters: { line: string; resolve: () => void }[] = [];
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    stdout += chunk;
    let i: number;
    while ((i = stdout.indexOf('\n')) !== -1) {
      const line = stdout.slice(0, i);
      stdout = stdout.slice(i + 1);
      lines.push(line);
      for (const w of waiters.filter((w) => w.line === line || line.startsWith(w.line + ' '))) w.resolve();
    }
  });
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  let exit: Exit | null = null;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal, at: performance.now() };
      resolve(exit);
    });
  });
  const output = (): string => `stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`;

  const waitForLine = (line: string, ms = 10_000): Promise<void> => {
    if (lines.some((l) => l === line || l.startsWith(line + ' '))) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${line}" from the fixture within ${ms} ms\n${output()}`)), ms);
      waiters.push({
        line,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      void exited.then(() => {
        clearTimeout(timer);
        if (!lines.some((l) => l === line || l.startsWith(line + ' '))) reject(new Error(`the fixture exited before "${line}"\n${output()}`));
      });
    });
  };

  await waitForLine('LISTENING', 15_000);
  const url = lines.find((l) => l.startsWith('LISTENING '))!.slice('LISTENING '.length);
  return {
    child,
    port: portOf(url),
    waitForLine,
    waitForExit: (ms) =>
      exit !== null
        ? Promise.resolve(exit)
        : Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), ms).unref())]),
    output,
  };
}

/** Tries to open a TCP connection: 'connected', or the error code (ECONNREFUSED). */
function tryConnect(port: number, ms = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('timeout');
    }, ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code ?? err.message);
    });
  });
}

describe('graceful shutdown (a real child process)', () => {
  test('SIGTERM during a request: the request completes with 200, new connections are refused, exit code 0', async () => {
    const app = await startApp({ SLOW_MS: '1000', SHUTDOWN_TIMEOUT_MS: '5000' });
    const ok = await rawGet(app.port, '/ok');
    assert.equal(ok.status, 200, 'the fixture does not serve');

    const conn = await openRaw(app.port, { timeoutMs: 8000 });
    await conn.write(buildRequest(app.port, { path: '/slow', connection: 'keep-alive' }));
    await app.waitForLine('SLOW_STARTED');
    const sentAt = performance.now();
    assert.equal(app.child.kill('SIGTERM'), true);
    await app.waitForLine('SIGNAL');

    assert.equal(await tryConnect(app.port), 'ECONNREFUSED', 'the server still accepts connections after SIGTERM');

    const res = await conn.response;
    assert.equal(res.timedOut, false);
    assert.equal(res.status, 200, `in-flight request: ${res.raw.toString('latin1')}\n${app.output()}`);
    assert.equal(res.text, 'slow done');
    assert.equal(res.headers['connection'], 'close', 'a response during shutdown must close its connection');

    const exit = await app.waitForExit(5000);
    assert.ok(exit !== null, `the process did not exit within 5 s of SIGTERM\n${app.output()}`);
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
    assert.ok(exit.at - sentAt < 4000, `exit took ${Math.round(exit.at - sentAt)} ms after SIGTERM`);
  });

  test('SIGTERM with no request in flight: exit code 0, quickly', async () => {
    const app = await startApp();
    const sentAt = performance.now();
    assert.equal(app.child.kill('SIGTERM'), true);
    const exit = await app.waitForExit(3000);
    assert.ok(exit !== null, `the idle process did not exit within 3 s of SIGTERM\n${app.output()}`);
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
    assert.ok(exit.at - sentAt < 2000, `exit took ${Math.round(exit.at - sentAt)} ms`);
  });

  test('SIGINT with an idle kept-alive connection open: exit code 0 without waiting for the keep-alive timeout', async () => {
    const app = await startApp();
    const conn = await openRaw(app.port, { timeoutMs: 8000, waitForClose: true });
    await conn.write(buildRequest(app.port, { path: '/ok', connection: 'keep-alive' }));
    while (!conn.hasResponseHead && !conn.isClosed) await new Promise((r) => setTimeout(r, 10));
    const sentAt = performance.now();
    assert.equal(app.child.kill('SIGINT'), true);
    const exit = await app.waitForExit(3000);
    assert.ok(exit !== null, `the process did not exit within 3 s of SIGINT\n${app.output()}`);
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
    assert.ok(exit.at - sentAt < 2000, `exit took ${Math.round(exit.at - sentAt)} ms: the idle connection held it open`);
    const res = await conn.response;
    assert.equal(res.status, 200);
    assert.equal(res.closed, true);
  });

  test('a request slower than SHUTDOWN_TIMEOUT_MS is cut off and the process still exits 0, within the bound', async () => {
    const app = await startApp({ SLOW_MS: '20000', SHUTDOWN_TIMEOUT_MS: '1000' });
    const conn = await openRaw(app.port, { timeoutMs: 8000 });
    await conn.write(buildRequest(app.port, { path: '/slow' }));
    await app.waitForLine('SLOW_STARTED');
    const sentAt = performance.now();
    assert.equal(app.child.kill('SIGTERM'), true);
    const exit = await app.waitForExit(5000);
    assert.ok(exit !== null, `the process did not exit within 5 s of SIGTERM with a 1 s shutdown timeout\n${app.output()}`);
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
    const took = exit.at - sentAt;
    assert.ok(took >= 900 && took < 3500, `exit took ${Math.round(took)} ms with SHUTDOWN_TIMEOUT_MS=1000`);
    const res = await conn.response;
    assert.equal(res.timedOut, false);
    assert.equal(res.closed, true);
    assert.equal(res.status, null, 'the cut-off request should get no response');
  });
});
