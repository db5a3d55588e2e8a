// The example application as a user runs it: cold start to listening, memory after 10,000
// requests, and the security headers of its home page (issue 7's measurements).
//
// The blog runs in its own process, started exactly as `npm start` starts it (node + tsx on
// examples/blog/server.ts), in production mode on SQLite in a temporary folder, behind a
// pretend TLS proxy (HTTPS=true, X-Forwarded-Proto from 127.0.0.1) so HSTS shows as it would.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { machineInfo } from './harness/machine.js';
import { writeSection } from './harness/sections.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REQUESTS = 10_000;
const CONNECTIONS = 10;
const WARM_STARTS = 5;
const START_LIMIT_MS = 60_000;
const PROXY_HEADERS = { 'x-forwarded-proto': 'https' };

// What a header scan (OWASP Secure Headers Project's list) looks for on an HTML page.
const EXPECTED = [
  'strict-transport-security',
  'content-security-policy',
  'x-frame-options',
  'x-content-type-options',
  'referrer-policy',
  'permissions-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
] as const;
const LEAKY = ['server', 'x-powered-by', 'x-aspnet-version'] as const;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  /** Milliseconds from spawn to the first 200 on `/`. */
  readonly startMs: number;
}

async function start(dataDir: string): Promise<Running> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    SECRET_KEY: randomBytes(48).toString('base64url'),
    ALLOWED_HOSTS: '127.0.0.1',
    HTTPS: 'true',
    TRUSTED_PROXIES: '127.0.0.1',
    EMAIL_URL: 'memory:',
    BLOG_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'silent',
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples/blog/server.ts')], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = t0 + START_LIMIT_MS;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the blog exited with ${child.exitCode} before listening`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: PROXY_HEADERS });
      await res.arrayBuffer();
      if (res.status === 200) return { child, port, startMs: performance.now() - t0 };
      throw new Error(`GET / answered ${res.status}`);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('GET /')) throw err;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`the blog did not answer within ${START_LIMIT_MS} ms`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Resident and peak resident memory of a process, MiB (Linux). */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function load(port: number, path: string): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url: `http://127.0.0.1:${port}${path}`, amount: REQUESTS, connections: CONNECTIONS, headers: PROXY_HEADERS, timeout: 10 }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rampart-bench-blog-'));
  try {
    // First run: empty folder, so migrations, permissions and the demo data (one argon2 hash) too.
    const first = await start(dataDir);
    await stop(first.child);
    const warm: number[] = [];
    for (let i = 0; i < WARM_STARTS - 1; i++) {
      const r = await start(dataDir);
      warm.push(r.startMs);
      await stop(r.child);
    }
    const run = await start(dataDir);
    warm.push(run.startMs);
    const pid = run.child.pid!;
    const before = memory(pid);

    const page = await fetch(`http://127.0.0.1:${run.port}/`, { headers: PROXY_HEADERS });
    await page.arrayBuffer();
    const headers = Object.fromEntries(page.headers);

    const result = await load(run.port, '/');
    const after = memory(pid);
    await stop(run.child);

    const statuses = Object.entries(result.statusCodeStats).map(([code, { count }]) => `${count} x ${code}`).join(', ');
    const m = machineInfo();
    const scan = [
      ...EXPECTED.map((h) => `| \`${h}\` | ${headers[h] === undefined ? '**missing**' : `\`${headers[h]}\``} |`),
      ...LEAKY.map((h) => `| \`${h}\` (should be absent) | ${headers[h] === undefined ? 'absent' : `**present: \`${headers[h]}\`**`} |`),
      `| \`cache-control\` | ${headers['cache-control'] === undefined ? 'none' : `\`${headers['cache-control']}\``} |`,
      `| \`set-cookie\` | ${headers['set-cookie'] === undefined ? 'none (an anonymous visit to the home page sets no cookie)' : `\`${headers['set-cookie']}\``} |`,
    ];
    const missing = EXPECTED.filter((h) => headers[h] === undefined).length + LEAKY.filter((h) => headers[h] !== undefined).length;
    const lines = [
      '## Example application (`npm run bench:blog`)',
      '',
      `examples/blog started as \`npm start\` starts it (node + tsx, production mode, SQLite), ${m.cpus} x ${m.cpuModel}, Node ${m.node}.`,
      '',
      '| measurement | value |',
      '| --- | --- |',
      `| cold start, empty data folder (migrations, permissions, demo data with one argon2 hash) to the first 200 | ${first.startMs.toFixed(0)} ms |`,
      `| cold start, existing data, median of ${WARM_STARTS} | ${median(warm).toFixed(0)} ms (${warm.map((w) => w.toFixed(0)).join(', ')}) |`,
      `| RSS after start and one page | ${before.rss.toFixed(1)} MiB |`,
      `| RSS after ${REQUESTS.toLocaleString('en')} GET / (${CONNECTIONS} connections) | ${after.rss.toFixed(1)} MiB (peak ${after.peak.toFixed(1)} MiB) |`,
      `| those requests | ${statuses}; ${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms |`,
      '',
      `Security headers of \`GET /\` (HTTPS behind a proxy); ${missing === 0 ? 'every header the scan expects is present and none that leaks is' : `${missing} finding(s)`}:`,
      '',
      '| header | value |',
      '| --- | --- |',
      ...scan,
      '',
    ];
    console.log(lines.join('\n'));
    writeSection(join(ROOT, 'bench/RESULTS.md'), 'Example application', lines.join('\n'));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
