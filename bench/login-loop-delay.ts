// Logins and the event loop: `npm run bench:login`.
//
// Builds an app with the accounts battery on a temporary SQLite database (tables made by
// makeMigrations + migrate, sessions in the database), creates CONCURRENCY users with the default
// argon2id parameters, then runs ROUNDS rounds of CONCURRENCY concurrent logins through the real
// login view (GET the form for its CSRF token, POST the password), twice: with the in-process test
// client (the load generator shares the event loop), then with the app in a child process and the
// load over real sockets (the child measures its own loop). perf_hooks.monitorEventLoopDelay
// samples how late the event loop runs; a timer ticking every millisecond keeps the loop busy with
// work to be late for. Prints p50/p99/max delay and the login throughput, with the machine it ran
// on. Not a test: nothing is asserted.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { rampart } from 'rampart';
import { AUTH_TEMPLATES, auth, authModels, authRoutes, createUser, PASSWORD_DEFAULTS, passwordHashers } from 'rampart/auth';
import { connect, makeMigrations, migrate, type AnyModel, type Database } from 'rampart/db';
import { MemoryMailer } from 'rampart/mail';
import { DatabaseStore, SessionEntry, sessions } from 'rampart/sessions';
import { templates } from 'rampart/templates';
import { testClient, type TestClient } from 'rampart/testing';

const CONCURRENCY = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PASSWORD = 'correct horse battery staple';

const ms = (ns: number) => (ns / 1e6).toFixed(2);

async function loginOnce(client: TestClient, username: string): Promise<void> {
  const page = await client.get('/accounts/login', { headers: { accept: 'text/html' } });
  const token = /name="csrf_token" value="([^"]+)"/.exec(page.text)?.[1];
  if (token === undefined) throw new Error(`no CSRF field on the login page (status ${page.status})`);
  const res = await client.post('/accounts/login', {
    headers: { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' },
    form: { csrf_token: token, username, password: PASSWORD },
  });
  if (res.status !== 303) throw new Error(`login of ${username} answered ${res.status}`);
}

interface Setup {
  app: ReturnType<typeof rampart>;
  usernames: string[];
  cleanup(): Promise<void>;
}

/** A temporary SQLite database with the accounts tables and CONCURRENCY users, and the app. */
async function setup(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-login-'));
  const models = [...authModels, SessionEntry] as const;
  await makeMigrations({ models, dir });
  const url = `sqlite:${join(dir, 'db.sqlite3')}`;
  const { error } = await migrate({ url, dir });
  if (error !== undefined) throw error;
  const db: Database<typeof models> = await connect({ url, models });
  const hashers = passwordHashers();
  const usernames = Array.from({ length: CONCURRENCY }, (_, i) => `bench${i}`);
  for (const username of usernames) await createUser(db, { username, password: PASSWORD }, { hashers });
  const app = rampart({ env: 'test', logLevel: 'silent', templates: templates({ folders: [AUTH_TEMPLATES], reload: false }) });
  app.use(sessions({ store: new DatabaseStore(db) }), auth({ db }));
  app.mount('/accounts', authRoutes({ db, hashers, mailer: new MemoryMailer() }));
  return {
    app,
    usernames,
    async cleanup() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Delay {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

function report(where: string, d: Delay, logins: number, elapsedNs: number): void {
  console.log(`${where}: event-loop delay p50 ${ms(d.p50)} ms, p99 ${ms(d.p99)} ms, max ${ms(d.max)} ms (${d.count} samples); ${((logins * 1e9) / elapsedNs).toFixed(1)} logins/s`);
}

/** In-process: the test client (the load generator) shares the event loop with the app. */
async function inProcess(): Promise<void> {
  const { app, usernames, cleanup } = await setup();
  try {
    // Warm-up round, not measured: compiles the templates, loads argon2 and the modules first used
    // on a login, makes the dummy hash, and lets V8 optimise the hot paths.
    await Promise.all(usernames.map((username, i) => loginOnce(testClient(app, { remoteAddress: `10.1.0.${i}` }), username)));
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    const ticker = setInterval(() => {}, 1);
    histogram.enable();
    const started = process.hrtime.bigint();
    let logins = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(
        usernames.map(async (username, i) => {
          await loginOnce(testClient(app, { remoteAddress: `10.0.${round}.${i}` }), username);
          logins++;
        }),
      );
    }
    const elapsedNs = Number(process.hrtime.bigint() - started);
    histogram.disable();
    clearInterval(ticker);
    report('in-process client (shares the loop)', { p50: histogram.percentile(50), p99: histogram.percentile(99), max: histogram.max, count: histogram.count }, logins, elapsedNs);
  } finally {
    await cleanup();
  }
}

/** One login over HTTP: GET the form (session cookie + token), POST it. */
async function loginHttp(base: string, username: string): Promise<void> {
  const page = await fetch(`${base}/accounts/login`, { headers: { accept: 'text/html' } });
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const token = /name="csrf_token" value="([^"]+)"/.exec(await page.text())?.[1];
  if (token === undefined) throw new Error(`no CSRF field on the login page (status ${page.status})`);
  const res = await fetch(`${base}/accounts/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, origin: base, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf_token: token, username, password: PASSWORD }).toString(),
  });
  await res.arrayBuffer();
  if (res.status !== 303) throw new Error(`login of ${username} answered ${res.status}`);
}

/** Child process: serves the app and measures its own event loop between 'start' and 'stop'. */
async function serveChild(): Promise<void> {
  const { app, cleanup } = await setup();
  const server = await app.listen({ port: 0, handleSignals: false });
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const ticker = setInterval(() => {}, 1);
  process.on('message', (m) => {
    if (m === 'start') {
      histogram.reset();
      histogram.enable();
    } else if (m === 'stop') {
      histogram.disable();
      clearInterval(ticker);
      const d: Delay = { p50: histogram.percentile(50), p99: histogram.percentile(99), max: histogram.max, count: histogram.count };
      process.send!(d, () => {
        void server.close().then(cleanup).then(() => process.exit(0));
      });
    }
  });
  process.send!({ url: server.url });
}

/** The app in a child process, the load from this one over real sockets. */
async function overSockets(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  try {
    const next = (): Promise<unknown> => new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const { url } = (await next()) as { url: string };
    const usernames = Array.from({ length: CONCURRENCY }, (_, i) => `bench${i}`);
    await Promise.all(usernames.map((u) => loginHttp(url, u)));
    child.send('start');
    const started = process.hrtime.bigint();
    let logins = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(
        usernames.map(async (u) => {
          await loginHttp(url, u);
          logins++;
        }),
      );
    }
    const elapsedNs = Number(process.hrtime.bigint() - started);
    const result = next();
    child.send('stop');
    report('server in its own process, load over sockets', (await result) as Delay, logins, elapsedNs);
  } finally {
    clearTimeout(killTimer);
    if (child.exitCode === null) child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const { memoryKiB, timeCost, parallelism } = PASSWORD_DEFAULTS.argon2;
  const cpu = cpus()[0];
  console.log(`login view, argon2id m=${memoryKiB} KiB, t=${timeCost}, p=${parallelism}, sessions in SQLite; ${ROUNDS} rounds of ${CONCURRENCY} concurrent logins (each a GET of the form and a POST)`);
  console.log(`machine: ${cpus().length} × ${cpu?.model ?? 'unknown CPU'}, Node ${process.version}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`);
  await inProcess();
  await overSockets();
}

if (process.argv.includes('--serve')) await serveChild();
else await main();
