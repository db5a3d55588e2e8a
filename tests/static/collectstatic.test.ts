/**
 * collectstatic(), the manifest, staticUrls() and the templates' static() global: the whole
 * hashed-name round trip (collect → manifest → template URL → request → immutable headers → the
 * same bytes), precompression, source precedence, and the errors.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from 'node:zlib';
import { rampart } from 'rampart';
import { collectstatic, hashedName, loadManifest, serveStatic, StaticError, staticUrls } from 'rampart/static';
import { templates } from 'rampart/templates';
import { testClient } from 'rampart/testing';
import { makeSite, QUIET, SECRET } from './fixture.ts';

const CSS = '.button { color: white; background: rebeccapurple; }\n'.repeat(50);
const JS = 'export function hello() { return "hello"; }\n'.repeat(50);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

const site = makeSite({
  'css/app.css': CSS,
  'js/app.min.js': JS,
  'img/logo.png': PNG,
  'tiny.txt': 'x',
  LICENSE: 'MIT',
  '.env': 'SECRET_KEY=dotfile',
  '.git/HEAD': 'ref',
});
// A battery's folder, collected under its prefix; it ships its own brotli file.
const ADMIN_CSS = '.admin { display: grid; }\n'.repeat(40);
site.write('admin-static/admin.css', ADMIN_CSS);
const adminBr = site.write('admin-static/admin.css.br', brotliCompressSync(ADMIN_CSS));
utimesSync(adminBr, new Date(), new Date());
// A second source that provides a path the first already has.
site.write('other-static/css/app.css', 'overridden { }');
site.write('other-static/extra.txt', 'extra');
symlinkSync(join(site.root, 'secret.txt'), join(site.dir, 'linked-secret.txt'));
after(() => site.remove());

const out = join(site.root, 'staticfiles');
const sources = [{ dir: site.dir }, { dir: join(site.root, 'admin-static'), prefix: 'admin' }, { dir: join(site.root, 'other-static') }];
const short = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex').slice(0, 8);

async function collected() {
  return collectstatic({ sources, out });
}
const first = await collected();

describe('collectstatic', () => {
  test('hashedName puts the hash before the last extension', () => {
    assert.equal(hashedName('css/app.css', 'abcd1234'), 'css/app.abcd1234.css');
    assert.equal(hashedName('js/app.min.js', 'abcd1234'), 'js/app.min.abcd1234.js');
    assert.equal(hashedName('LICENSE', 'abcd1234'), 'LICENSE.abcd1234');
    assert.equal(hashedName('v1.2/LICENSE', 'abcd1234'), 'v1.2/LICENSE.abcd1234');
  });

  test('the manifest maps every collected file to its content-hashed name, sorted', () => {
    assert.deepEqual(Object.keys(first.manifest), ['LICENSE', 'admin/admin.css', 'css/app.css', 'extra.txt', 'img/logo.png', 'js/app.min.js', 'tiny.txt']);
    assert.equal(first.manifest['css/app.css'], `css/app.${short(CSS)}.css`);
    assert.equal(first.manifest['js/app.min.js'], `js/app.min.${short(JS)}.js`);
    assert.equal(first.manifest['admin/admin.css'], `admin/admin.${short(ADMIN_CSS)}.css`);
    assert.equal(first.manifest['LICENSE'], `LICENSE.${short('MIT')}`);
    assert.deepEqual(loadManifest(join(out, 'manifest.json')), first.manifest);
    assert.equal(first.manifestPath, join(out, 'manifest.json'));
  });

  test('both the original and the hashed name hold the same bytes', () => {
    for (const [original, hashed] of Object.entries(first.manifest)) {
      assert.deepEqual(readFileSync(join(out, hashed)), readFileSync(join(out, original)), original);
    }
    assert.equal(readFileSync(join(out, 'css/app.css'), 'utf8'), CSS);
    assert.deepEqual(readFileSync(join(out, first.manifest['img/logo.png']!)), PNG);
  });

  test('the first source wins a path several provide, and the result says so', () => {
    assert.deepEqual(first.overridden, ['css/app.css']);
    assert.equal(readFileSync(join(out, 'css/app.css'), 'utf8'), CSS);
    assert.equal(readFileSync(join(out, 'extra.txt'), 'utf8'), 'extra');
  });

  test('text files get .br and .gz next to both names; images and tiny files do not', () => {
    for (const name of ['css/app.css', first.manifest['css/app.css']!, 'js/app.min.js', first.manifest['js/app.min.js']!]) {
      const plain = readFileSync(join(out, name.startsWith('css') ? 'css/app.css' : 'js/app.min.js'), 'utf8');
      assert.equal(brotliDecompressSync(readFileSync(join(out, name + '.br'))).toString(), plain, name);
      assert.equal(gunzipSync(readFileSync(join(out, name + '.gz'))).toString(), plain, name);
    }
    for (const name of ['img/logo.png', 'tiny.txt', 'LICENSE']) {
      assert.equal(existsSync(join(out, name + '.br')), false, name);
      assert.equal(existsSync(join(out, name + '.gz')), false, name);
    }
  });

  test("a source's own .br is copied as is, attached to its file, and not listed in the manifest", () => {
    assert.deepEqual(readFileSync(join(out, 'admin/admin.css.br')), readFileSync(adminBr));
    assert.deepEqual(readFileSync(join(out, first.manifest['admin/admin.css']! + '.br')), readFileSync(adminBr));
    assert.equal(first.manifest['admin/admin.css.br'], undefined);
  });

  test('dotfiles and symlinks that lead outside are not collected', () => {
    assert.equal(existsSync(join(out, '.env')), false);
    assert.equal(existsSync(join(out, '.git')), false);
    assert.equal(existsSync(join(out, 'linked-secret.txt')), false);
    assert.equal(first.manifest['linked-secret.txt'], undefined);
    for (const name of Object.values(first.manifest)) assert.doesNotMatch(readFileSync(join(out, name), 'latin1'), new RegExp(SECRET));
  });

  test('running it again is stable, and compress: false removes the variants it no longer writes', async () => {
    const again = await collected();
    assert.deepEqual(again.manifest, first.manifest);
    await collectstatic({ sources, out, compress: false });
    assert.equal(existsSync(join(out, 'css/app.css.br')), false);
    assert.equal(existsSync(join(out, first.manifest['css/app.css']! + '.gz')), false);
    assert.equal(existsSync(join(out, 'admin/admin.css.br')), true, "a source's own variant is still copied");
    await collected();
    assert.equal(existsSync(join(out, 'css/app.css.br')), true);
  });

  test('errors: no sources, a missing source, overlapping folders, a file where the manifest goes, a bad prefix', async () => {
    const codeOf = async (p: Promise<unknown>): Promise<string> => {
      try {
        await p;
      } catch (err) {
        assert.ok(err instanceof StaticError);
        return err.code;
      }
      assert.fail('no error');
    };
    assert.equal(await codeOf(collectstatic({ sources: [], out })), 'E_STATIC_COLLECT_SOURCE_MISSING');
    assert.equal(await codeOf(collectstatic({ sources: [{ dir: join(site.root, 'nope') }], out })), 'E_STATIC_COLLECT_SOURCE_MISSING');
    assert.equal(await codeOf(collectstatic({ sources: [{ dir: site.dir }], out: join(site.dir, 'collected') })), 'E_STATIC_COLLECT_OVERLAP');
    assert.equal(await codeOf(collectstatic({ sources: [{ dir: out }], out: site.root })), 'E_STATIC_COLLECT_OVERLAP');
    assert.equal(await codeOf(collectstatic({ sources: [{ dir: site.dir }], out: site.dir })), 'E_STATIC_COLLECT_OVERLAP');
    site.write('pwa/manifest.json', '{"name":"app"}');
    assert.equal(await codeOf(collectstatic({ sources: [{ dir: join(site.root, 'pwa') }], out: join(site.root, 'pwa-out') })), 'E_STATIC_COLLECT_CONFLICT');
    assert.equal(await codeOf(collectstatic({ sources: [{ dir: site.dir, prefix: '../up' }], out: join(site.root, 'x-out') })), 'E_STATIC_OPTIONS_INVALID');
    assert.equal(existsSync(join(site.dir, 'collected')), false, 'nothing was written for a refused run');
  });
});

describe('staticUrls', () => {
  const manifestPath = join(out, 'manifest.json');

  test('maps a path to its hashed URL under the prefix', () => {
    const url = staticUrls({ manifest: manifestPath });
    assert.equal(url('css/app.css'), `/static/css/app.${short(CSS)}.css`);
    assert.equal(staticUrls({ manifest: manifestPath, prefix: 'https://cdn.example.com/assets' })('css/app.css'), `https://cdn.example.com/assets/css/app.${short(CSS)}.css`);
  });

  test('strict: an unknown path is an error naming the file and the manifest', () => {
    const url = staticUrls({ manifest: manifestPath, strict: true });
    assert.throws(() => url('css/typo.css'), (err: StaticError) => {
      assert.equal(err.code, 'E_STATIC_MANIFEST_ENTRY_MISSING');
      assert.match(err.message, /staticUrl\('css\/typo\.css'\): the file is not in .*manifest\.json/);
      return true;
    });
  });

  test('not strict: an unknown path, or no manifest file yet, falls back to the plain path', () => {
    assert.equal(staticUrls({ manifest: manifestPath, strict: false })('css/new file.css'), '/static/css/new%20file.css');
    assert.equal(staticUrls({ manifest: join(site.root, 'none.json'), strict: false })('css/app.css'), '/static/css/app.css');
    assert.equal(staticUrls()('css/app.css'), '/static/css/app.css');
  });

  test('strict without a readable manifest fails when created', () => {
    assert.throws(() => staticUrls({ manifest: join(site.root, 'none.json'), strict: true }), { code: 'E_STATIC_MANIFEST_NOT_FOUND' });
  });

  test('strict defaults to NODE_ENV=production', () => {
    const saved = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = 'production';
    try {
      assert.throws(() => staticUrls({ manifest: manifestPath })('nope.css'), { code: 'E_STATIC_MANIFEST_ENTRY_MISSING' });
    } finally {
      process.env['NODE_ENV'] = saved;
    }
    assert.equal(staticUrls({ manifest: manifestPath })('nope.css'), '/static/nope.css');
  });

  for (const bad of ['', '/etc/passwd', '../secret.txt', 'css/../x', 'a//b', 'a\\b', './a']) {
    test(`'${bad}' → E_STATIC_PATH_INVALID`, () => {
      assert.throws(() => staticUrls({ manifest: manifestPath })(bad), { code: 'E_STATIC_PATH_INVALID' });
    });
  }

  test('a manifest key such as __proto__ is just a file name', () => {
    const url = staticUrls({ manifest: JSON.parse('{"__proto__": "x.1.css"}') as Record<string, string>, strict: true });
    assert.equal(url('__proto__'), '/static/x.1.css');
    assert.throws(() => url('constructor'), { code: 'E_STATIC_MANIFEST_ENTRY_MISSING' });
  });
});

describe('the hashed-name round trip', () => {
  const page = `<link rel="stylesheet" href="{{ static('css/app.css') }}"><script src="{{ static('js/app.min.js') }}"></script>`;

  function productionApp() {
    const staticUrl = staticUrls({ manifest: join(out, 'manifest.json'), strict: true });
    const app = rampart({ ...QUIET, templates: templates({ sources: { 'page.html': page, 'typo.html': "{{ static('css/typo.css') }}" }, staticUrl }) });
    app.get('/', (req) => req.render('page.html'));
    app.get('/typo', (req) => req.render('typo.html'));
    app.get('/static/*path', serveStatic({ dir: out, manifest: true }));
    return testClient(app);
  }

  test('collectstatic → manifest → static() → request → immutable headers → the same bytes', async () => {
    const client = productionApp();
    const html = (await client.get('/')).text;
    const cssUrl = /href="([^"]+)"/.exec(html)![1]!;
    const jsUrl = /src="([^"]+)"/.exec(html)![1]!;
    assert.equal(cssUrl, `/static/css/app.${short(CSS)}.css`);
    assert.equal(jsUrl, `/static/js/app.min.${short(JS)}.js`);

    const css = await client.get(cssUrl);
    assert.equal(css.status, 200);
    assert.equal(css.header('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(css.header('content-type'), 'text/css; charset=utf-8');
    assert.equal(css.text, readFileSync(join(site.dir, 'css/app.css'), 'utf8'));

    const js = await client.get(jsUrl, { headers: { 'accept-encoding': 'br' } });
    assert.equal(js.header('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(js.header('content-encoding'), 'br');
    assert.equal(brotliDecompressSync(js.body).toString(), JS);

    const plain = await client.get('/static/css/app.css');
    assert.equal(plain.status, 200);
    assert.equal(plain.header('cache-control'), 'no-cache');
    assert.equal(plain.text, CSS);
  });

  test('a template naming a file the manifest does not know fails with the file name', async () => {
    const res = await productionApp().get('/typo');
    assert.equal(res.status, 500);
    // The test app runs in debug mode for a loopback client, so the error page shows the cause.
    const debug = res.json<{ error: { debug: { name: string; message: string } } }>().error.debug;
    assert.equal(debug.name, 'TemplateRuntimeError');
    assert.match(debug.message, /^staticUrl\('css\/typo\.css'\): the file is not in .*manifest\.json\. \(typo\.html, line 1, column 1\)/);
  });

  test('the string form of staticUrl keeps its behaviour', () => {
    const t = templates({ sources: { a: "{{ static('css/my file.css') }}" }, staticUrl: '/assets/' });
    assert.equal(t.render('a').toString(), '/assets/css/my%20file.css');
    assert.equal(templates({ sources: { a: "{{ static('x.css') }}" } }).render('a').toString(), '/static/x.css');
    assert.throws(() => templates({ sources: { a: "{{ static('../x.css') }}" }, staticUrl: () => 'never' }).render('a'), /not a relative path/);
  });

  test('a development setup: plain URLs from static(), files served from the source folder', async () => {
    const app = rampart({ ...QUIET, templates: templates({ sources: { 'page.html': page }, staticUrl: staticUrls({ strict: false }) }) });
    app.get('/', (req) => req.render('page.html'));
    app.get('/static/*path', serveStatic({ dir: site.dir }));
    const client = testClient(app);
    const html = (await client.get('/')).text;
    assert.match(html, /href="\/static\/css\/app\.css"/);
    const css = await client.get('/static/css/app.css');
    assert.equal(css.text, CSS);
    assert.equal(css.header('cache-control'), 'no-cache');
  });

  test('precompressed variants a source ships are served under the hashed name', async () => {
    const res = await productionApp().get('/static/' + first.manifest['admin/admin.css']!, { headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(res.header('content-encoding'), 'br');
    assert.equal(res.header('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(brotliDecompressSync(res.body).toString(), ADMIN_CSS);
  });
});

describe('stylesheets refer to hashed names', () => {
  const BG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 9, 9, 9]);
  const SITE_CSS = `@import "base.css";\nbody { background: url("../img/bg.png?v=1#top"); }\n.logo { background: url(data:image/png;base64,AAAA); }\n.gone { background: url(../img/missing.png); }\n${'.pad { color: red; }\n'.repeat(40)}`;
  const css = makeSite({
    'css/site.css': SITE_CSS,
    'css/base.css': '@import "loop.css";\nh1 { background: url(../img/bg.png); }\n',
    'css/loop.css': '@import "base.css";\n',
    'img/bg.png': BG,
  });
  after(() => css.remove());
  const cssOut = join(css.root, 'staticfiles');
  const read = (rel: string) => readFileSync(join(cssOut, ...rel.split('/')), 'utf8');

  test('the hashed stylesheet names the hashed files; the original stays as written', async () => {
    const { manifest } = await collectstatic({ sources: [{ dir: css.dir }], out: cssOut });
    const bg = manifest['img/bg.png']!;
    const base = manifest['css/base.css']!;
    const hashedSite = read(manifest['css/site.css']!);
    assert.ok(hashedSite.startsWith(`@import "${base.slice('css/'.length)}";\nbody { background: url("../${bg}?v=1#top"); }`), hashedSite.slice(0, 120));
    assert.ok(hashedSite.includes('url(data:image/png;base64,AAAA)') && hashedSite.includes('url(../img/missing.png)'));
    assert.equal(read('css/site.css'), SITE_CSS);
    assert.equal(manifest['css/site.css'], hashedName('css/site.css', short(hashedSite)), 'the hash is of the rewritten text');
    // A cycle of imports ends: one side keeps the other's plain name.
    assert.ok(read(manifest['css/base.css']!).includes(`url(../${bg})`));
    assert.ok(existsSync(join(cssOut, manifest['css/loop.css']!)));
    // The compressed variant of the hashed stylesheet holds the rewritten text, not the original.
    assert.equal(brotliDecompressSync(readFileSync(join(cssOut, `${manifest['css/site.css']!}.br`))).toString(), hashedSite);
    assert.equal(gunzipSync(readFileSync(join(cssOut, 'css/site.css.gz'))).toString(), SITE_CSS);
  });

  test('a changed image gives the stylesheets that use it new names', async () => {
    const before = (await collectstatic({ sources: [{ dir: css.dir }], out: cssOut })).manifest;
    css.write('static/img/bg.png', Buffer.concat([BG, Buffer.from([1])]));
    const after2 = (await collectstatic({ sources: [{ dir: css.dir }], out: cssOut })).manifest;
    assert.notEqual(after2['img/bg.png'], before['img/bg.png']);
    assert.notEqual(after2['css/site.css'], before['css/site.css']);
    assert.notEqual(after2['css/base.css'], before['css/base.css']);
    assert.ok(read(after2['css/site.css']!).includes(after2['img/bg.png']!));
  });

  test('served from the manifest, the hashed stylesheet and the image it names are both found', async () => {
    const { manifest } = await collectstatic({ sources: [{ dir: css.dir }], out: cssOut });
    const app = rampart({ ...QUIET });
    app.get('/static/*path', serveStatic({ dir: cssOut, manifest: true }));
    const client = testClient(app);
    const sheet = await client.get(`/static/${manifest['css/site.css']!}`);
    assert.equal(sheet.status, 200);
    const ref = /url\("\.\.\/(img\/[^"?]+)\?v=1#top"\)/.exec(sheet.text)![1]!;
    const image = await client.get(`/static/${ref}`);
    assert.equal(image.status, 200);
    assert.equal(image.header('cache-control'), 'public, max-age=31536000, immutable');
  });
});
