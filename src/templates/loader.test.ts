import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TemplateNotFoundError } from './errors.js';
import { FileSystemLoader, MemoryLoader, normalizeTemplateName } from './loader.js';

const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'rampart-loader-')));
after(() => rmSync(root, { recursive: true, force: true }));

let dirCount = 0;
function makeDir(files: Record<string, string>): string {
  const dir = path.join(root, `d${dirCount++}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}

function invalid(name: string, reason: RegExp): void {
  assert.throws(() => normalizeTemplateName(name), (err: unknown) => {
    assert.ok(err instanceof TemplateNotFoundError, String(err));
    assert.equal(err.code, 'E_TEMPLATE_NAME_INVALID');
    assert.match(err.message, /^Invalid template name /);
    assert.match(err.message, reason);
    assert.match(err.hint ?? '', /relative path inside the template folders/);
    return true;
  }, name);
}

test('normalizeTemplateName accepts relative names and strips a leading ./', () => {
  assert.equal(normalizeTemplateName('index.html'), 'index.html');
  assert.equal(normalizeTemplateName('pages/home.html'), 'pages/home.html');
  assert.equal(normalizeTemplateName('./pages/home.html'), 'pages/home.html');
  assert.equal(normalizeTemplateName('a/.hidden.html'), 'a/.hidden.html');
  assert.equal(normalizeTemplateName('a..b/c..html'), 'a..b/c..html');
  assert.equal(normalizeTemplateName('%2e%2e/%2fx'), '%2e%2e/%2fx'); // not decoded: plain file names
  assert.equal(normalizeTemplateName('é/日本.html'), 'é/日本.html');
  assert.equal(normalizeTemplateName('x'.repeat(512)), 'x'.repeat(512));
});

test('normalizeTemplateName refuses traversal and odd names with a reason', () => {
  invalid('', /the name is empty/);
  invalid('x'.repeat(513), /longer than 512 characters/);
  invalid('x\0y', /NUL character/);
  invalid('a\nb', /control character/);
  invalid('a\u007fb', /control character/);
  invalid('a\u0085b', /control character/);
  invalid('C:\\x', /backslashes are not allowed/);
  invalid('a\\..\\b', /backslashes are not allowed/);
  invalid('/etc/passwd', /absolute paths are not allowed/);
  invalid('//server/share', /absolute paths are not allowed/);
  invalid('C:/x', /colons are not allowed/);
  invalid('C:x', /colons are not allowed/);
  invalid('file:///etc/passwd', /colons are not allowed/);
  invalid('a.html:stream', /colons are not allowed/);
  invalid('../x', /"\.\." segments are not allowed/);
  invalid('a/../../x', /"\.\." segments are not allowed/);
  invalid('a/..', /"\.\." segments are not allowed/);
  invalid('..', /"\.\." segments are not allowed/);
  invalid('a/./b', /"\." segments are not allowed/);
  invalid('.', /"\." segments are not allowed/);
  invalid('...', /"\.\.\." segments are not allowed/);
  invalid('./', /no file part/);
  invalid('././a', /"\." segments are not allowed/);
  invalid('a//b', /empty path segments/);
  invalid('a/', /empty path segments/);
  invalid(42 as unknown as string, /must be a string/);
});

test('the error message shows the name safely', () => {
  assert.throws(() => normalizeTemplateName('x\0y'), { message: /^Invalid template name "x\\u0000y": / });
});

test('FileSystemLoader loads from the first folder that has the name', () => {
  const a = makeDir({ 'only-a.html': 'A only', 'both.html': 'from A' });
  const b = makeDir({ 'both.html': 'from B', 'sub/only-b.html': 'B only' });
  const loader = new FileSystemLoader([a, b]);
  const both = loader.load('both.html');
  assert.deepEqual(
    { ...both },
    { name: 'both.html', source: 'from A', path: path.join(a, 'both.html'), mtimeMs: both!.mtimeMs },
  );
  assert.ok(both!.mtimeMs > 0);
  assert.ok(Object.isFrozen(both));
  assert.equal(loader.load('only-a.html')?.source, 'A only');
  assert.equal(loader.load('./sub/only-b.html')?.source, 'B only');
  assert.equal(loader.load('sub/only-b.html')?.name, 'sub/only-b.html');
  assert.equal(loader.load('sub/only-b.html')?.path, path.join(b, 'sub', 'only-b.html'));
  assert.equal(new FileSystemLoader([b, a]).load('both.html')?.source, 'from B');
  assert.deepEqual(loader.folders, [a, b]);
});

test('FileSystemLoader returns null when no folder has the name', () => {
  const a = makeDir({ 'x.html': 'x' });
  const loader = new FileSystemLoader([a, path.join(root, 'does-not-exist')]);
  assert.equal(loader.load('missing.html'), null);
  assert.equal(loader.load('x.html/inner'), null); // ENOTDIR
  assert.equal(new FileSystemLoader([]).load('x.html'), null);
});

test('FileSystemLoader reads UTF-8, relative folders resolved', () => {
  const a = makeDir({ 'u.html': 'héllo ✓ 😀' });
  const relative = path.relative(process.cwd(), a);
  const loader = new FileSystemLoader([relative], { encoding: 'utf8' });
  assert.equal(loader.load('u.html')?.source, 'héllo ✓ 😀');
  assert.deepEqual(loader.folders, [a]);
});

test('FileSystemLoader refuses traversal names before touching the disk', () => {
  const outer = makeDir({ 'secret.txt': 'SECRET', 'templates/ok.html': 'ok' });
  const loader = new FileSystemLoader([path.join(outer, 'templates')]);
  for (const name of ['../secret.txt', 'a/../../secret.txt', '/etc/passwd', path.join(outer, 'secret.txt'), 'C:\\x', 'a\\..\\b', 'x\0y', '..\\secret.txt']) {
    assert.throws(() => loader.load(name), { code: 'E_TEMPLATE_NAME_INVALID' }, name);
  }
  assert.equal(loader.load('ok.html')?.source, 'ok');
});

test('FileSystemLoader refuses a symlink that points outside the folder', () => {
  const outer = makeDir({ 'secret.txt': 'SECRET', 'secrets/key.txt': 'KEY', 'templates/ok.html': 'ok' });
  const folder = path.join(outer, 'templates');
  symlinkSync(path.join(outer, 'secret.txt'), path.join(folder, 'leak.html'));
  symlinkSync(path.join(outer, 'secrets'), path.join(folder, 'dir-link'));
  symlinkSync('/etc/passwd', path.join(folder, 'passwd.html'));
  const loader = new FileSystemLoader([folder]);
  assert.equal(loader.load('leak.html'), null);
  assert.equal(loader.load('dir-link/key.txt'), null);
  assert.equal(loader.load('passwd.html'), null);
  // A later folder still gets its chance.
  const fallback = makeDir({ 'leak.html': 'fallback' });
  assert.equal(new FileSystemLoader([folder, fallback]).load('leak.html')?.source, 'fallback');
});

test('FileSystemLoader follows symlinks that stay inside the folder, and symlinked folders', () => {
  const folder = makeDir({ 'real/page.html': 'page' });
  symlinkSync(path.join(folder, 'real', 'page.html'), path.join(folder, 'alias.html'));
  symlinkSync('real', path.join(folder, 'linked'));
  const loader = new FileSystemLoader([folder]);
  assert.equal(loader.load('alias.html')?.source, 'page');
  assert.equal(loader.load('linked/page.html')?.source, 'page');
  const folderLink = path.join(root, `link-to-${path.basename(folder)}`);
  symlinkSync(folder, folderLink);
  assert.equal(new FileSystemLoader([folderLink]).load('real/page.html')?.source, 'page');
});

test('FileSystemLoader refuses directories', () => {
  const a = makeDir({ 'dir.html/inner.html': 'inner' });
  const b = makeDir({ 'dir.html': 'file in b' });
  assert.equal(new FileSystemLoader([a]).load('dir.html'), null);
  assert.equal(new FileSystemLoader([a, b]).load('dir.html')?.source, 'file in b');
});

test('FileSystemLoader constructor checks its arguments', () => {
  assert.throws(() => new FileSystemLoader('templates' as unknown as string[]), { name: 'TypeError', message: 'FileSystemLoader: folders must be a list of folder paths' });
  assert.throws(() => new FileSystemLoader(['']), { message: 'FileSystemLoader: folders must be a list of folder paths' });
  assert.throws(() => new FileSystemLoader(['x'], { encoding: 'latin1' as 'utf8' }), { message: `FileSystemLoader: encoding must be 'utf8', got "latin1"` });
});

test('isStale sees a rewritten file, a deleted file and a shadowing file', () => {
  const a = makeDir({});
  const b = makeDir({ 'page.html': 'v1' });
  const loader = new FileSystemLoader([a, b]);
  const file = path.join(b, 'page.html');
  const v1 = loader.load('page.html')!;
  assert.equal(loader.isStale(v1), false);

  writeFileSync(file, 'v2');
  const later = new Date(Date.now() + 10_000);
  utimesSync(file, later, later);
  assert.equal(loader.isStale(v1), true);
  const v2 = loader.load('page.html')!;
  assert.equal(v2.source, 'v2');
  assert.equal(loader.isStale(v2), false);

  // Same mtime, different size: still stale.
  writeFileSync(file, 'v3 longer');
  utimesSync(file, later, later);
  assert.equal(loader.isStale(v2), true);
  const v3 = loader.load('page.html')!;

  // A file appearing in an earlier folder shadows it.
  writeFileSync(path.join(a, 'page.html'), 'shadow');
  assert.equal(loader.isStale(v3), true);
  assert.equal(loader.load('page.html')?.source, 'shadow');
  unlinkSync(path.join(a, 'page.html'));

  unlinkSync(file);
  assert.equal(loader.isStale(v3), true);
  assert.equal(loader.load('page.html'), null);
});

test('isStale for a source from elsewhere compares the mtime of its path', () => {
  const a = makeDir({ 'p.html': 'x' });
  const loader = new FileSystemLoader([a]);
  const src = loader.load('p.html')!;
  const copy = { ...src };
  assert.equal(loader.isStale(copy), false);
  assert.equal(loader.isStale({ ...src, mtimeMs: 1 }), true);
  assert.equal(loader.isStale({ ...src, path: path.join(a, 'gone.html') }), true);
  assert.equal(loader.isStale({ name: 'm', source: '', path: null, mtimeMs: 0 }), false);
});

test('MemoryLoader serves templates by normalized name and never goes stale', () => {
  const loader = new MemoryLoader({ 'base.html': '<html>', 'pages/a.html': 'A' });
  const base = loader.load('base.html');
  assert.deepEqual({ ...base }, { name: 'base.html', source: '<html>', path: null, mtimeMs: 0 });
  assert.equal(loader.load('./pages/a.html')?.source, 'A');
  assert.equal(loader.load('missing.html'), null);
  assert.equal(loader.load('toString'), null);
  assert.equal(loader.isStale(base!), false);
  assert.throws(() => loader.load('../base.html'), { code: 'E_TEMPLATE_NAME_INVALID' });
  assert.throws(() => new MemoryLoader({ '../x': 'y' }), { code: 'E_TEMPLATE_NAME_INVALID' });
  assert.throws(() => new MemoryLoader({ x: 1 as unknown as string }), { message: 'MemoryLoader: the source of "x" must be a string' });
  const input: Record<string, string> = { 'a.html': 'first' };
  const snapshot = new MemoryLoader(input);
  input['a.html'] = 'changed';
  assert.equal(snapshot.load('a.html')?.source, 'first');
});
