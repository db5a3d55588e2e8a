/**
 * collectstatic, clearsessions and shell through the command.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CONFIG, fixtureProject, rampartRun, removeProjects } from './support.ts';

after(removeProjects);

const SESSION_APP = `import { rampart } from 'rampart';
import { connect, field, model } from 'rampart/db';
import { DatabaseStore, SessionEntry, sessions } from 'rampart/sessions';
export const Note = model('notes_note', { text: field.string({ maxLength: 100 }) });
export const db = await connect({ models: [Note, SessionEntry] });
export const app = rampart();
app.use(sessions({ store: new DatabaseStore(db) }));
app.get('/', () => 'home');
app.onClose(() => db.close());
`;

describe('rampart collectstatic', () => {
  test('copies the static folder into staticfiles with hashed names and a manifest', async () => {
    const p = fixtureProject({
      'rampart.config.ts': CONFIG,
      'src/app.ts': `import { rampart } from 'rampart';\nexport const app = rampart();\n`,
      'static/css/app.css': 'body { color: #123; }\n',
      'static/img/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"></svg>\n',
    });
    const r = await rampartRun(['collectstatic', '--no-compress'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Collected 2 files into staticfiles (manifest: staticfiles/manifest.json).\n');
    const manifest = JSON.parse(readFileSync(join(p.dir, 'staticfiles/manifest.json'), 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(manifest), ['css/app.css', 'img/logo.svg']);
    assert.match(manifest['css/app.css']!, /^css\/app\.[0-9a-f]{8}\.css$/);
    assert.equal(readFileSync(join(p.dir, 'staticfiles', manifest['css/app.css']!), 'utf8'), 'body { color: #123; }\n');
    assert.equal(existsSync(join(p.dir, 'staticfiles/css/app.css.gz')), false, '--no-compress writes no .gz');
  });

  test('config sources with prefixes, first wins; a missing source exits 1', async () => {
    const p = fixtureProject({
      'rampart.config.ts': `import { defineConfig } from 'rampart/cli';\nexport default defineConfig({ app: './src/app.ts', static: [{ dir: 'static' }, { dir: 'vendor', prefix: 'vendor' }], staticOut: 'public' });\n`,
      'src/app.ts': `import { rampart } from 'rampart';\nexport const app = rampart();\n`,
      'static/app.js': 'console.log(1);\n',
      'vendor/lib.js': 'console.log(2);\n',
    });
    const r = await rampartRun(['collectstatic'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Collected 2 files into public (manifest: public/manifest.json).\n');
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(join(p.dir, 'public/manifest.json'), 'utf8'))), ['app.js', 'vendor/lib.js']);

    const missing = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': `import { rampart } from 'rampart';\nexport const app = rampart();\n` });
    const none = await rampartRun(['collectstatic'], { cwd: missing.dir });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /\[E_STATIC_COLLECT_SOURCE_MISSING\]/);
  });
});

describe('rampart clearsessions', () => {
  test('deletes expired database sessions and keeps live ones', async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': SESSION_APP });
    assert.equal((await rampartRun(['makemigrations'], { cwd: p.dir })).code, 0);
    assert.equal((await rampartRun(['migrate'], { cwd: p.dir })).code, 0);
    const db = new Database(join(p.dir, 'db.sqlite3'));
    const insert = db.prepare('insert into rampart_session (key, user_id, data, created_at, last_seen_at, expires_at) values (?, null, ?, ?, ?, ?)');
    const now = Date.now();
    insert.run('a'.repeat(64), '{}', now - 10_000, now - 10_000, now - 1_000); // expired
    insert.run('b'.repeat(64), '{}', now - 10_000, now - 10_000, now - 5_000); // expired
    insert.run('c'.repeat(64), '{}', now, now, now + 3_600_000); // live
    db.close();
    const r = await rampartRun(['clearsessions'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Deleted 2 expired sessions.\n');
    const check = new Database(join(p.dir, 'db.sqlite3'), { readonly: true });
    assert.deepEqual(check.prepare('select key from rampart_session').all(), [{ key: 'c'.repeat(64) }]);
    check.close();
  });

  test('an app without database sessions exits 1 and says why', async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': `import { rampart } from 'rampart';\nexport const app = rampart();\n` });
    const r = await rampartRun(['clearsessions'], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: clearsessions has nothing to clear: the app has no database sessions \(SessionEntry is not among its models\)\. \[E_CLI_NO_SESSION_TABLE\]$/m);
  });
});

describe('rampart shell', () => {
  test('evaluates input with app, db, models and the exports in scope, with await', async () => {
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': SESSION_APP });
    assert.equal((await rampartRun(['makemigrations'], { cwd: p.dir })).code, 0);
    assert.equal((await rampartRun(['migrate'], { cwd: p.dir })).code, 0);
    const input = [
      // One line: without a terminal the REPL does not wait for one line's await before the next.
      'await db.query(Note).create({ text: "from the shell" }); console.log("COUNT=" + (await db.query(Note).count()))',
      'console.log("ROUTES=" + JSON.stringify(app.routeTable()))',
      'console.log("MODELS=" + models.map((m) => m.table).join(","))',
      '.exit',
      '',
    ].join('\n');
    const r = await rampartRun(['shell'], { cwd: p.dir, input });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^In scope: app, db, models, Note\. Exit with \.exit or Ctrl-D\.$/m);
    assert.match(r.stdout, /COUNT=1$/m);
    assert.match(r.stdout, /ROUTES=\[\{"method":"GET","pattern":"\/"\}\]$/m);
    assert.match(r.stdout, /MODELS=notes_note,rampart_session$/m);
  });
});
