/**
 * `rampart dev`, `start` and `serve` as real processes: reload on change with the development
 * error page; workers in production that are restarted when they die, stop gracefully on SIGTERM,
 * and give up when they cannot start. Every wait is bounded; processes are killed by PID.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { CONFIG, STRONG_SECRET, fixtureProject, freePort, getUntil, killAll, removeProjects, start, BIN } from './support.ts';

after(() => {
  killAll();
  removeProjects();
});

const app = (version: string): string => `import { rampart } from 'rampart';
export const app = rampart();
app.get('/', () => '${version}');
app.get('/pid', () => String(process.pid));
app.get('/boom', () => {
  throw new Error('kaboom in handler');
});
app.get('/slow', async () => {
  await new Promise((r) => setTimeout(r, 1500));
  return 'slow done';
});
app.get('/crash', () => {
  setTimeout(() => process.exit(7), 10);
  return 'bye';
});
`;

/** One GET on a fresh connection (so the cluster may route it to any worker). */
function fetchOnce(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => (body += s));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

describe('rampart dev', () => {
  test('serves in development mode, shows the stack to local clients, restarts on change, exits 0 on SIGTERM', async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': app('version 1') });
    const port = await freePort();
    const dev = start(process.execPath, [BIN, 'dev', '--port', String(port)], { cwd: p.dir, env: { LOG_LEVEL: 'warn' } });
    await dev.waitFor(new RegExp(`rampart dev: serving http://127\\.0\\.0\\.1:${port} \\(pid \\d+\\)`), 60_000);
    const base = `http://127.0.0.1:${port}`;
    assert.deepEqual(await fetchOnce(`${base}/`), { status: 200, body: 'version 1' });

    const boom = await fetchOnce(`${base}/boom`, { accept: 'text/html' });
    assert.equal(boom.status, 500);
    assert.match(boom.body, /<h2>Error: kaboom in handler<\/h2>/);
    assert.match(boom.body, /src\/app\.ts:6/);

    let mark = dev.output().length;
    p.write('src/app.ts', app('version 2'));
    await dev.waitFor(/src\/app\.ts changed; restarting/, 30_000, mark);
    await getUntil(`${base}/`, 60_000, {}, (status, body) => status === 200 && body === 'version 2');

    mark = dev.output().length;
    p.write('src/app.ts', 'export const app = ;\n');
    await dev.waitFor(/the app exited \(code 1\); waiting for a change to restart it/, 60_000, mark);
    mark = dev.output().length;
    p.write('src/app.ts', app('version 3'));
    await dev.waitFor(/serving http/, 60_000, mark);
    assert.deepEqual(await fetchOnce(`${base}/`), { status: 200, body: 'version 3' });

    dev.child.kill('SIGTERM');
    const exit = await dev.waitForExit(20_000);
    assert.deepEqual(exit, { code: 0, signal: null });
    await assert.rejects(fetchOnce(`${base}/`), /ECONNREFUSED/);
  });
});

describe('rampart start', () => {
  const env = { SECRET_KEY: STRONG_SECRET, ALLOWED_HOSTS: '127.0.0.1', LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: '5000' };

  test('runs N workers in production, restarts a dead one, and on SIGTERM finishes requests then exits 0', async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': app('prod') });
    const port = await freePort();
    const prod = start(process.execPath, [BIN, 'start', '--workers', '2', '--port', String(port)], { cwd: p.dir, env });
    await prod.waitFor(/primary \d+ starting 2 workers/, 30_000);
    await prod.waitFor(/listening on [\s\S]*listening on/, 90_000);
    const base = `http://127.0.0.1:${port}`;
    assert.deepEqual(await fetchOnce(`${base}/`), { status: 200, body: 'prod' });

    // Production error pages: the status only, never the stack.
    const boom = await fetchOnce(`${base}/boom`, { accept: 'text/html' });
    assert.equal(boom.status, 500);
    assert.ok(!boom.body.includes('kaboom'), 'no error details in production');

    // Both workers answer: the primary spreads new connections over them.
    const pids = new Set<string>();
    for (let i = 0; i < 20 && pids.size < 2; i++) pids.add((await fetchOnce(`${base}/pid`)).body);
    assert.equal(pids.size, 2, 'two worker processes answer');

    const mark = prod.output().length;
    await fetchOnce(`${base}/crash`);
    await prod.waitFor(/worker \d+ died \(code 7\); starting another in 100 ms/, 30_000, mark);
    await prod.waitFor(/worker \d+ listening on/, 90_000, mark);
    assert.deepEqual(await fetchOnce(`${base}/`), { status: 200, body: 'prod' });

    const slow = fetchOnce(`${base}/slow`);
    await new Promise((r) => setTimeout(r, 300)); // the request is in flight
    prod.child.kill('SIGTERM');
    assert.deepEqual(await slow, { status: 200, body: 'slow done' });
    const exit = await prod.waitForExit(30_000);
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.match(prod.output(), /SIGTERM: finishing the requests in flight, then stopping[\s\S]*all workers stopped/);
    await assert.rejects(fetchOnce(`${base}/`), /ECONNREFUSED/);
  });

  test('workers that cannot start: it stops after 5 failures in a row and exits 1', async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': app('broken') });
    const port = await freePort();
    // No SECRET_KEY: the app refuses to start in production, so every worker dies at startup.
    const prod = start(process.execPath, [BIN, 'start', '--workers', '1', '--port', String(port)], { cwd: p.dir, env: { ALLOWED_HOSTS: '127.0.0.1' } });
    const exit = await prod.waitForExit(120_000);
    assert.deepEqual(exit, { code: 1, signal: null }, prod.output());
    assert.match(prod.output(), /\[E_CONFIG_SECRET_KEY\]/);
    assert.match(prod.output(), /workers failed to start 5 times in a row \(last: code 1\); stopping/);
  });
});

describe('rampart serve', () => {
  test('serves in one process and exits 0 on SIGINT', async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': app('single') });
    const port = await freePort();
    const one = start(process.execPath, [BIN, 'serve', '--port', String(port)], { cwd: p.dir, env: { LOG_LEVEL: 'info', LOG_REQUESTS: 'false' } });
    await one.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/, 60_000);
    assert.deepEqual(await fetchOnce(`http://127.0.0.1:${port}/`), { status: 200, body: 'single' });
    one.child.kill('SIGINT');
    assert.deepEqual(await one.waitForExit(20_000), { code: 0, signal: null });
  });
});
