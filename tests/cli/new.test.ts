/**
 * `rampart new` for real: the project is scaffolded into a temp folder, installed with npm (the
 * `file:` dependency links this clone; --offline keeps it off the network), its own tests pass,
 * its migrations match its models, and `npm run dev` serves the home page.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, freePort, getUntil, killAll, rampartRun, run, start } from './support.ts';
import { rmSync } from 'node:fs';

const parent = mkdtempSync(join(tmpdir(), 'rampart-new-'));

after(() => {
  killAll();
  rmSync(parent, { recursive: true, force: true });
});

test('rampart new scaffolds a project that installs, passes its tests and serves its home page', async () => {
  const made = await rampartRun(['new', 'my-notes'], { cwd: parent });
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, /^Created my-notes: 14 files\.\n\nNext:\n {2}cd my-notes\n {2}npm install\n/);
  const dir = join(parent, 'my-notes');
  const files = (sub: string): string[] => readdirSync(join(dir, sub)).sort();
  assert.deepEqual(files('.'), ['.env', '.env.example', '.gitignore', 'README.md', 'migrations', 'package.json', 'rampart.config.ts', 'src', 'static', 'templates', 'tests', 'tsconfig.json']);
  assert.deepEqual(files('migrations'), ['0001_initial.ts']);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string>; scripts: Record<string, string> };
  assert.equal(pkg.name, 'my-notes');
  assert.deepEqual(pkg.dependencies, { rampart: `file:${realpathSync(ROOT).replace(/\/$/, '')}` });
  assert.deepEqual(Object.keys(pkg.scripts).sort(), ['build', 'check', 'dev', 'makemigrations', 'migrate', 'start', 'test']);
  assert.match(readFileSync(join(dir, '.env'), 'utf8'), /^SECRET_KEY=[A-Za-z0-9_-]{64}$/m);
  assert.match(readFileSync(join(dir, '.gitignore'), 'utf8'), /^\.env$/m);

  const again = await rampartRun(['new', 'my-notes'], { cwd: parent });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /\[E_CLI_NEW_EXISTS\]/);

  const install = await run('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: dir, timeoutMs: 180_000 });
  assert.equal(install.code, 0, install.stdout + install.stderr);
  assert.ok(lstatSync(join(dir, 'node_modules/rampart')).isSymbolicLink(), 'rampart is linked from the clone');
  assert.ok(existsSync(join(dir, 'node_modules/.bin/rampart')), 'the rampart command is installed');

  const tests = await run('npm', ['test'], { cwd: dir, timeoutMs: 180_000 });
  assert.equal(tests.code, 0, tests.stdout + tests.stderr);
  assert.match(tests.stdout, /^# pass 5$/m);
  assert.match(tests.stdout, /^# fail 0$/m);

  const current = await run(join(dir, 'node_modules/.bin/rampart'), ['makemigrations', '--check'], { cwd: dir, timeoutMs: 60_000 });
  assert.equal(current.code, 0, current.stdout + current.stderr);
  assert.equal(current.stdout, 'No changes detected\n');

  const port = await freePort();
  const dev = start('npm', ['run', 'dev'], { cwd: dir, env: { PORT: String(port), LOG_LEVEL: 'warn' }, group: true });
  await dev.waitFor(/Apply 0001_initial\.\.\. OK/, 60_000);
  await dev.waitFor(new RegExp(`serving http://127\\.0\\.0\\.1:${port}`), 90_000);
  const home = await getUntil(`http://127.0.0.1:${port}/`, 30_000, { accept: 'text/html' });
  assert.equal(home.status, 200);
  assert.match(home.body, /<h1>Notes<\/h1>/);
  assert.match(home.body, /<input type="hidden" name="csrf_token" value="[^"]+">/);
  assert.match(home.body, /<link rel="stylesheet" href="\/static\/css\/app\.css">/);
  const css = await getUntil(`http://127.0.0.1:${port}/static/css/app.css`, 10_000);
  assert.equal(css.status, 200);

  process.kill(-dev.child.pid!, 'SIGTERM');
  assert.notEqual(await dev.waitForExit(30_000), null, 'npm run dev stops on SIGTERM');
  await assert.rejects(fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) }));
});
