/**
 * Templates on disk: folders searched in order, symlinks that lead outside refused, recompilation
 * on change with `reload: true` (and none without), `precompile()`, and a production app that
 * refuses to start with a broken template.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rampart, type App } from 'rampart';
import { templates } from 'rampart/templates';
import { testClient } from 'rampart/testing';
import { thrown } from './helpers.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'rampart-templates-'));
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh folder under the temp root with the given files. */
function folder(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(root, 'f-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Rewrites a file and moves its mtime forward, so the change is seen whatever the clock resolution. */
function edit(path: string, text: string, secondsLater: number): void {
  writeFileSync(path, text);
  const t = new Date(Date.now() + secondsLater * 1000);
  utimesSync(path, t, t);
}

describe('fixture folder', () => {
  test('pages extend a layout and include a partial from sub-folders', () => {
    const t = templates({ folders: [FIXTURES], reload: false });
    assert.equal(
      t.render('pages/home.html', { user: { name: '<Ada>' }, notes: ['a', 'b'] }).toString(),
      '<!doctype html>\n<html>\n<head>\n  <title>Home - Notes</title>\n</head>\n<body>\n' +
        '<nav><a href="/">Notes</a> &lt;Ada&gt;</nav>\n<main>\n<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n</main>\n</body>\n</html>\n',
    );
  });
});

describe('folders', () => {
  test('several folders are searched in order; the first that has the name wins', () => {
    const a = folder({ 'page.html': 'from a {% include "shared.html" %}' });
    const b = folder({ 'page.html': 'from b', 'shared.html': 'shared from b', 'only-b.html': 'only b' });
    const t = templates({ folders: [a, b], reload: false });
    assert.equal(t.render('page.html').toString(), 'from a shared from b');
    assert.equal(t.render('only-b.html').toString(), 'only b');
  });

  test('a missing name in folders: E_TEMPLATE_NOT_FOUND', () => {
    const t = templates({ folders: [folder({})], reload: false });
    assert.equal(thrown(() => t.render('nope.html')).code, 'E_TEMPLATE_NOT_FOUND');
  });

  test('a directory name is not a template', () => {
    const t = templates({ folders: [folder({ 'sub/x.html': 'x' })], reload: false });
    assert.equal(thrown(() => t.render('sub')).code, 'E_TEMPLATE_NOT_FOUND');
  });

  test('names that climb out are refused even when the target exists', () => {
    const outside = folder({ 'secret.html': 'SECRET' });
    const inside = join(outside, 'templates');
    mkdirSync(inside);
    const t = templates({ folders: [inside], reload: false });
    for (const name of ['../secret.html', `${outside}/secret.html`, '..\\secret.html', 'sub/../../secret.html']) {
      const err = thrown(() => t.render(name));
      assert.equal(err.code, 'E_TEMPLATE_NAME_INVALID', name);
    }
    const e = templates({ folders: [inside], reload: false });
    writeFileSync(join(inside, 'inc.html'), '{% include "../secret.html" %}');
    assert.equal(thrown(() => e.render('inc.html')).code, 'E_TEMPLATE_NAME_INVALID');
  });

  test('a symlink in a templates folder that points outside it is not found', () => {
    const outside = folder({ 'secret.html': 'SECRET {{ 1 }}', 'dir/x.html': 'X' });
    const dir = folder({ 'ok.html': 'ok' });
    symlinkSync(join(outside, 'secret.html'), join(dir, 'link.html'));
    symlinkSync(join(outside, 'dir'), join(dir, 'linkdir'));
    writeFileSync(join(dir, 'inc.html'), '{% include "link.html" %}');
    const t = templates({ folders: [dir], reload: false });
    for (const name of ['link.html', 'linkdir/x.html', 'inc.html']) {
      const err = thrown(() => t.render(name));
      assert.equal(err.code, 'E_TEMPLATE_NOT_FOUND', `${name}: ${err.message}`);
      assert.ok(!err.message.includes('SECRET'));
    }
  });

  test('a symlink that stays inside the folder is followed', () => {
    const dir = folder({ 'real.html': 'real' });
    symlinkSync(join(dir, 'real.html'), join(dir, 'alias.html'));
    const t = templates({ folders: [dir], reload: false });
    assert.equal(t.render('alias.html').toString(), 'real');
  });
});

describe('reload', () => {
  test('reload: true: editing a file changes the next render', () => {
    const dir = folder({ 'page.html': '<p>one {{ n }}</p>' });
    const t = templates({ folders: [dir], reload: true });
    assert.equal(t.render('page.html', { n: 1 }).toString(), '<p>one 1</p>');
    edit(join(dir, 'page.html'), '<p>two {{ n }}!</p>', 5);
    assert.equal(t.render('page.html', { n: 2 }).toString(), '<p>two 2!</p>');
  });

  test('reload: true: editing a parent changes the child render', () => {
    const dir = folder({ 'base.html': '<main>{% block c %}{% endblock %}</main>', 'child.html': '{% extends "base.html" %}{% block c %}C{% endblock %}' });
    const t = templates({ folders: [dir], reload: true });
    assert.equal(t.render('child.html').toString(), '<main>C</main>');
    edit(join(dir, 'base.html'), '<section>{% block c %}{% endblock %}</section>', 5);
    assert.equal(t.render('child.html').toString(), '<section>C</section>');
  });

  test('reload: true: editing an included file changes the including render', () => {
    const dir = folder({ 'page.html': '[{% include "part.html" %}]', 'part.html': 'a' });
    const t = templates({ folders: [dir], reload: true });
    assert.equal(t.render('page.html').toString(), '[a]');
    edit(join(dir, 'part.html'), 'bb', 5);
    assert.equal(t.render('page.html').toString(), '[bb]');
  });

  test('reload: true: a file that appears in an earlier folder takes over', () => {
    const first = folder({});
    const second = folder({ 'page.html': 'second' });
    const t = templates({ folders: [first, second], reload: true });
    assert.equal(t.render('page.html').toString(), 'second');
    writeFileSync(join(first, 'page.html'), 'first');
    assert.equal(t.render('page.html').toString(), 'first');
  });

  test('reload: true: a file broken by an edit is reported, and fixed by the next edit', () => {
    const dir = folder({ 'page.html': 'ok' });
    const t = templates({ folders: [dir], reload: true });
    assert.equal(t.render('page.html').toString(), 'ok');
    edit(join(dir, 'page.html'), '{% if %}', 5);
    assert.equal(thrown(() => t.render('page.html')).code, 'E_TEMPLATE_SYNTAX');
    edit(join(dir, 'page.html'), 'fixed', 10);
    assert.equal(t.render('page.html').toString(), 'fixed');
  });

  test('reload: false: the first compilation is kept', () => {
    const dir = folder({ 'page.html': '<p>one</p>', 'base.html': '<main>{% block c %}{% endblock %}</main>', 'child.html': '{% extends "base.html" %}{% block c %}C{% endblock %}' });
    const t = templates({ folders: [dir], reload: false });
    assert.equal(t.render('page.html').toString(), '<p>one</p>');
    assert.equal(t.render('child.html').toString(), '<main>C</main>');
    edit(join(dir, 'page.html'), '<p>two, longer</p>', 5);
    edit(join(dir, 'base.html'), '<section>{% block c %}{% endblock %}</section>', 5);
    assert.equal(t.render('page.html').toString(), '<p>one</p>');
    assert.equal(t.render('child.html').toString(), '<main>C</main>');
  });
});

describe('precompile', () => {
  test('compiles every file in every folder and returns their names', () => {
    const a = folder({ 'a.html': 'a', 'sub/b.html': '{% extends "a.html" %}', 'sub/deeper/c.txt': '{{ x }}' });
    const b = folder({ 'd.html': '{% include "a.html" %}' });
    const names = templates({ folders: [a, b], reload: false }).precompile();
    assert.deepEqual([...names].sort(), ['a.html', 'd.html', 'sub/b.html', 'sub/deeper/c.txt']);
  });

  test('throws for a broken file, naming it', () => {
    const dir = folder({ 'ok.html': 'ok', 'pages/broken.html': '<p>\n{{ x + }}' });
    const err = thrown(() => templates({ folders: [dir], reload: false }).precompile());
    assert.equal(err.code, 'E_TEMPLATE_SYNTAX');
    assert.equal(err.template, 'pages/broken.html');
    assert.equal(err.line, 2);
  });

  test('throws for a context error', () => {
    assert.equal(thrown(() => templates({ folders: [folder({ 'x.html': '<a {{ v }}>' })] }).precompile()).code, 'E_TEMPLATE_CONTEXT');
  });

  test('throws for a child whose parent does not exist', () => {
    const err = thrown(() => templates({ folders: [folder({ 'x.html': '{% extends "gone.html" %}{% block b %}{% endblock %}' })] }).precompile());
    assert.equal(err.code, 'E_TEMPLATE_NOT_FOUND');
    assert.match(err.message, /gone\.html/);
  });

  test('a missing folder is skipped', () => {
    assert.deepEqual(templates({ folders: [join(root, 'does-not-exist')] }).precompile(), []);
  });
});

describe('production start', () => {
  const secretKey = randomBytes(32).toString('base64url');

  function productionApp(engine: ReturnType<typeof templates>): App {
    const app = rampart({ env: 'production', secretKey, allowedHosts: ['example.com', '127.0.0.1'], logLevel: 'silent', templates: engine });
    app.get('/', (req) => req.render('ok.html'));
    return app;
  }

  /** What starting the app fails with (thrown or rejected); fails the test if it starts. */
  async function startError(app: App): Promise<Error & { code?: string; template?: string }> {
    try {
      const server = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
      await server.close();
    } catch (err) {
      return err as Error & { code?: string };
    }
    assert.fail('the app started');
  }

  test('a broken template in the folders refuses listen', async () => {
    const dir = folder({ 'ok.html': 'ok', 'broken.html': '{% for x in %}{% endfor %}' });
    const err = await startError(productionApp(templates({ folders: [dir] })));
    assert.equal(err.code, 'E_TEMPLATE_SYNTAX');
    assert.equal(err.template, 'broken.html');
  });

  test('a template with an unsafe output refuses listen', async () => {
    const dir = folder({ 'ok.html': 'ok', 'bad.html': '<div {{ attrs }}></div>' });
    assert.equal((await startError(productionApp(templates({ folders: [dir] })))).code, 'E_TEMPLATE_CONTEXT');
  });

  test('a broken template given as sources refuses listen too', async () => {
    const err = await startError(productionApp(templates({ sources: { 'ok.html': 'ok', 'broken.html': '{% if %}' } })));
    assert.equal(err.code, 'E_TEMPLATE_SYNTAX');
  });

  test('good templates: the app starts and serves', async () => {
    const dir = folder({ 'ok.html': '<p>ok</p>' });
    const app = productionApp(templates({ folders: [dir] }));
    const server = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
    try {
      const res = await fetch(server.url + '/');
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '<p>ok</p>');
    } finally {
      await server.close();
    }
  });

  test('outside production a broken template only fails the page that uses it', async () => {
    const dir = folder({ 'ok.html': '<p>ok</p>', 'broken.html': '{% if %}' });
    const app = rampart({ env: 'test', templates: templates({ folders: [dir] }) });
    app.get('/', (req) => req.render('ok.html'));
    app.get('/broken', (req) => req.render('broken.html'));
    const client = testClient(app);
    assert.equal((await client.get('/')).text, '<p>ok</p>');
    assert.equal((await client.get('/broken')).status, 500);
  });
});
