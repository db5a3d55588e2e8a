import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInside, safeSegments } from './safe-path.js';

test('plain relative paths split into segments', () => {
  assert.deepEqual(safeSegments('css/app.css', false, 1024), ['css', 'app.css']);
  assert.deepEqual(safeSegments('%2e%2e', false, 1024), ['%2e%2e'], 'nothing is decoded a second time');
  assert.deepEqual(safeSegments('.well-known/x', true, 1024), ['.well-known', 'x']);
});

test('every unsafe shape is refused', () => {
  for (const p of ['', '/etc/passwd', 'a//b', 'a/', '.', '..', 'a/../b', 'a/./b', 'a\\b', '..\\x', 'a\0b', 'a\nb', 'a\x7fb', 'C:x', 'f.txt::$DATA', '.env', 'a/.git/config', 'x'.repeat(1025)]) {
    assert.equal(safeSegments(p, false, 1024), null, JSON.stringify(p.slice(0, 20)));
  }
  assert.equal(safeSegments('..', true, 1024), null, 'dotfiles allowed never allows dot segments');
});

const root = realpathSync(mkdtempSync(join(tmpdir(), 'rampart-safe-')));
after(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'pub', 'dir'), { recursive: true });
writeFileSync(join(root, 'pub', 'a.txt'), 'a');
writeFileSync(join(root, 'outside.txt'), 'out');
symlinkSync(join(root, 'outside.txt'), join(root, 'pub', 'out-link'));
symlinkSync('a.txt', join(root, 'pub', 'in-link'));
const pub = join(root, 'pub');

test('openInside opens regular files inside and nothing else', async () => {
  const a = await openInside(pub, ['a.txt'], false);
  assert.ok(a !== null);
  assert.equal(a.relative, 'a.txt');
  assert.equal(a.stats.size, 1);
  await a.handle.close();
  const link = await openInside(pub, ['in-link'], false);
  assert.equal(link?.relative, 'a.txt');
  await link?.handle.close();
  assert.equal(await openInside(pub, ['out-link'], false), null);
  assert.equal(await openInside(pub, ['dir'], false), null);
  assert.equal(await openInside(pub, ['missing'], false), null);
  assert.equal(await openInside(pub, ['a.txt', 'x'], false), null);
  assert.equal(await openInside(pub, ['..', 'outside.txt'], false), null, 'even if a caller skipped safeSegments');
});
