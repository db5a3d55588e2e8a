/**
 * The `rampart` command as a script sees it: help, exit codes (0 ok, 1 failure, 2 usage), how the
 * app is found (rampart.config.ts, --config, package.json main) and the errors when it is not.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG, fixtureProject, rampartRun, removeProjects } from './support.ts';

after(removeProjects);

const HELLO_APP = `import { rampart } from 'rampart';\nexport const app = rampart();\napp.get('/', () => 'hello');\n`;

describe('rampart: help and usage', () => {
  test('--help lists every command and the exit codes, exit 0', async () => {
    const r = await rampartRun(['--help'], { cwd: fixtureProject({}).dir });
    assert.equal(r.code, 0);
    for (const name of ['new', 'dev', 'start', 'makemigrations', 'migrate', 'showmigrations', 'sqlmigrate', 'createsuperuser', 'changepassword', 'clearsessions', 'collectstatic', 'routes', 'shell', 'check', 'audit']) {
      assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'), name);
    }
    assert.match(r.stdout, /Exit codes: 0 ok, 1 failure or findings, 2 wrong command line, 3 registry unavailable \(audit\)\./);
    assert.equal(r.stderr, '');
  });

  test('<command> --help shows its usage and options without loading any app, exit 0', async () => {
    const r = await rampartRun(['makemigrations', '--help'], { cwd: fixtureProject({}).dir });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: rampart makemigrations \[options\]$/m);
    assert.match(r.stdout, /--rename OLD=NEW/);
    assert.match(r.stdout, /--noinput/);
    assert.match(r.stdout, /--config FILE/);
  });

  test('--version prints the package version', async () => {
    const r = await rampartRun(['--version'], { cwd: fixtureProject({}).dir });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '0.1.0\n');
  });

  test('an unknown command exits 2 and suggests the close one', async () => {
    const r = await rampartRun(['migrat'], { cwd: fixtureProject({}).dir });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^rampart: Unknown command 'migrat'\. Did you mean migrate\? \[E_CLI_USAGE\]$/m);
  });

  test('an unknown option exits 2 and names it', async () => {
    const r = await rampartRun(['start', '--wrkers', '2'], { cwd: fixtureProject({}).dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^rampart: start: Unknown option '--wrkers'\. \[E_CLI_USAGE\]$/m);
  });

  test('a missing argument exits 2 with the usage line', async () => {
    const r = await rampartRun(['sqlmigrate'], { cwd: fixtureProject({}).dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^rampart: sqlmigrate needs <name>\. \[E_CLI_USAGE\]$/m);
    assert.match(r.stderr, /^  hint: Usage: rampart sqlmigrate <name> \[options\]$/m);
  });

  test('an invalid option value exits 2 and nothing starts', async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': HELLO_APP });
    const r = await rampartRun(['start', '--workers', 'lots'], { cwd: p.dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--workers must be a whole number from 1 to 256, got "lots"\./);
  });
});

describe('rampart: finding the app', () => {
  test('no config and no package.json main: exit 1 with what to create', async () => {
    const r = await rampartRun(['routes'], { cwd: fixtureProject({}).dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: No app found in .+: there is no rampart\.config\.ts, and package\.json has no "main"\. \[E_CLI_APP_NOT_FOUND\]$/m);
    assert.match(r.stderr, /hint: .*export default defineConfig\(\{ app: '\.\/src\/app\.ts' \}\)/);
  });

  test('rampart.config.ts points at the app module', async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': HELLO_APP });
    const r = await rampartRun(['routes', '--json'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [{ method: 'GET', path: '/', name: null, guards: [], csrf: '-' }]);
  });

  test('package.json main is used when there is no config file', async () => {
    const p = fixtureProject({ 'package.json': JSON.stringify({ name: 'x', type: 'module', main: 'server/app.ts' }), 'server/app.ts': HELLO_APP });
    const r = await rampartRun(['routes', '--json'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout)[0].path, '/');
  });

  test('--config names a config elsewhere; its paths are relative to it', async () => {
    const p = fixtureProject({ 'site/rampart.config.ts': CONFIG, 'site/src/app.ts': HELLO_APP });
    const r = await rampartRun(['routes', '--json', '--config', 'site/rampart.config.ts'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).length, 1);
  });

  test('--config naming a missing file exits 1', async () => {
    const r = await rampartRun(['routes', '--config', 'nope.ts'], { cwd: fixtureProject({}).dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: The config file nope\.ts does not exist\. \[E_CLI_CONFIG_NOT_FOUND\]$/m);
  });

  test('an unknown option in the config is refused by defineConfig', async () => {
    const p = fixtureProject({
      'rampart.config.ts': `import { defineConfig } from 'rampart/cli';\nexport default defineConfig({ app: './src/app.ts', migration: 'db' } as never);\n`,
      'src/app.ts': HELLO_APP,
    });
    const r = await rampartRun(['routes'], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: rampart\.config\.ts: unknown option 'migration' \(options: app, models, migrations, static, staticOut, templates, sources, silencedChecks\)\. \[E_CLI_CONFIG_INVALID\]$/m);
  });

  test('a config whose app module is missing exits 1 naming the path', async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG });
    const r = await rampartRun(['routes'], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: The app module src\/app\.ts does not exist\. \[E_CLI_MODULE_NOT_FOUND\]$/m);
  });

  test('an app module without an `app` export exits 1', async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': `export const application = 1;\n` });
    const r = await rampartRun(['routes'], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: The app module src\/app\.ts does not export `app` \(an app made with rampart\(\)\)\. \[E_CLI_APP_EXPORT\]$/m);
  });

  test('an app module that throws while loading: exit 1 with the error and where it happened', async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': `import { rampart } from 'rampart';\nexport const app = rampart();\nthrow new Error('boom at load');\n` });
    const r = await rampartRun(['routes'], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: Loading the app module src\/app\.ts failed: boom at load \[E_CLI_APP_LOAD_FAILED\]$/m);
    assert.match(r.stderr, /Error: boom at load\n\s+at .*src\/app\.ts:3/);
  });

  test("a setting the app refuses is reported with the app's own error code", async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': HELLO_APP });
    const r = await rampartRun(['routes'], { cwd: p.dir, env: { NODE_ENV: 'production' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: Refusing to start in production: SECRET_KEY is not set\. .*\[E_CONFIG_SECRET_KEY\]$/m);
  });
});

test('a project whose package.json is not ESM is told to add "type": "module"', async () => {
  const p = fixtureProject({ 'package.json': JSON.stringify({ name: 'cjs-app', private: true }), 'rampart.config.ts': CONFIG, 'src/app.ts': HELLO_APP });
  const r = await rampartRun(['routes'], { cwd: p.dir });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[E_CLI_APP_LOAD_FAILED\]\n {2}hint: Add "type": "module" to package\.json: Rampart projects are ES modules\.$/m);
});
