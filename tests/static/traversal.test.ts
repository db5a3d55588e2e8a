/**
 * Path traversal against serveStatic(): every encoding of `..`, backslashes, NUL, double
 * encoding, absolute paths and symlinks that lead out of the folder. Secrets sit just outside the
 * static folder (next to it, and in a sibling folder whose name starts with the same letters);
 * each case asserts the exact status and that no secret byte is in the response.
 *
 * Every case runs twice: through the in-process test client, and over a real socket, because only
 * a socket delivers the path exactly as an attacker wrote it (fetch and most clients remove dot
 * segments before sending).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { rampart, type RunningServer } from 'rampart';
import { serveStatic } from 'rampart/static';
import { liveServer, testClient } from 'rampart/testing';
import { portOf, rawGet } from '../helpers/raw-http.ts';
import { leaks, makeSite, QUIET, SECRET } from './fixture.ts';

const site = makeSite({ 'ok.txt': 'fine', 'sub/inner.txt': 'inner' });
// Links that stay inside are served; links that lead outside are not, however they are reached.
symlinkSync(join(site.root, 'secret.txt'), join(site.dir, 'escape.txt'));
symlinkSync(join(site.root, 'static-private'), join(site.dir, 'escape-dir'));
symlinkSync('../secret.txt', join(site.dir, 'relative-escape.txt'));
symlinkSync(site.root, join(site.dir, 'up'));
symlinkSync('sub/inner.txt', join(site.dir, 'inner-link.txt'));
symlinkSync('sub', join(site.dir, 'sub-link'));
symlinkSync('missing.txt', join(site.dir, 'dangling.txt'));
symlinkSync('loop-b', join(site.dir, 'loop-a'));
symlinkSync('loop-a', join(site.dir, 'loop-b'));

const app = rampart(QUIET);
app.get('/static/*path', serveStatic({ dir: site.dir }));
const client = testClient(app);
let server: RunningServer;
before(async () => {
  server = await liveServer(app);
});
after(async () => {
  await server.close();
  site.remove();
});

/** [path as sent, expected status, why]. */
const HOSTILE: readonly [string, number, string][] = [
  ['/static/../secret.txt', 404, 'plain dot-dot'],
  ['/static/sub/../../secret.txt', 404, 'dot-dot after a real folder'],
  ['/static/./../secret.txt', 404, 'dot then dot-dot'],
  ['/static/%2e%2e/secret.txt', 404, 'encoded dots'],
  ['/static/%2E%2E/secret.txt', 404, 'encoded dots, upper case'],
  ['/static/%2e%2e%2fsecret.txt', 404, 'encoded dots and slash in one segment'],
  ['/static/..%2fsecret.txt', 404, 'encoded slash after dots'],
  ['/static/sub%2f..%2f..%2fsecret.txt', 404, 'whole traversal in one encoded segment'],
  ['/static/.%2e/secret.txt', 404, 'half-encoded dot-dot'],
  ['/static/..%5csecret.txt', 404, 'encoded backslash'],
  ['/static/..%5c..%5csecret.txt', 404, 'encoded backslashes'],
  ['/static/..\\secret.txt', 404, 'raw backslash'],
  ['/static/sub\\..\\..\\secret.txt', 404, 'raw backslashes'],
  ['/static/%252e%252e%252fsecret.txt', 404, 'double encoding (a literal file name after one decode)'],
  ['/static/%252e%252e/secret.txt', 404, 'double-encoded dots'],
  ['/static//etc/passwd', 404, 'absolute path through an empty segment'],
  ['/static/%2fetc%2fpasswd', 404, 'encoded absolute path'],
  ['/static/%2f..%2fsecret.txt', 404, 'encoded absolute dot-dot'],
  ['/static/..', 404, 'bare dot-dot'],
  ['/static/%2e%2e', 404, 'bare encoded dot-dot'],
  ['/static/escape.txt', 404, 'absolute symlink to a file outside'],
  ['/static/relative-escape.txt', 404, 'relative symlink to a file outside'],
  ['/static/escape-dir/secret.txt', 404, 'symlinked folder outside (sibling with the same name prefix)'],
  ['/static/up/secret.txt', 404, 'symlink to the parent folder'],
  ['/static/up/static-private/secret.txt', 404, 'symlink to the parent, then down into the sibling'],
  ['/static/dangling.txt', 404, 'dangling symlink'],
  ['/static/loop-a', 404, 'symlink loop'],
  ['/static/C:%5cWindows%5cwin.ini', 404, 'drive letter'],
  ['/static/ok.txt::$DATA', 404, 'NTFS stream name'],
  ['/static/%00', 400, 'encoded NUL (refused by the core before routing)'],
  ['/static/ok.txt%00.png', 400, 'NUL truncation (refused by the core before routing)'],
  ['/static/%c0%ae%c0%ae/secret.txt', 400, 'overlong UTF-8 dots (refused by the core before routing)'],
  ['/static/%', 400, 'malformed percent-encoding'],
  ['/static/' + 'a/'.repeat(600) + 'x', 404, 'a path longer than maxPathLength'],
];

describe('traversal through the test client', () => {
  for (const [path, status, why] of HOSTILE) {
    test(`${why}: ${path.length > 80 ? path.slice(0, 80) + '…' : path} → ${status}`, async () => {
      const res = await client.get(path);
      assert.equal(res.status, status);
      assert.equal(leaks(res.body), false, 'a secret leaked');
    });
  }
});

describe('traversal over a real socket', () => {
  for (const [path, status, why] of HOSTILE) {
    test(`${why}: ${path.length > 80 ? path.slice(0, 80) + '…' : path} → ${status}`, async () => {
      const res = await rawGet(portOf(server.url), path);
      assert.equal(res.status, status);
      assert.equal(leaks(res.raw), false, 'a secret leaked');
    });
  }

  test('a raw NUL byte in the request line never reaches the disk', async () => {
    const res = await rawGet(portOf(server.url), '/static/ok.txt\0.png');
    assert.equal(res.status, 400);
    assert.equal(leaks(res.raw), false);
  });
});

describe('what stays inside is served', () => {
  for (const [path, body] of [
    ['/static/ok.txt', 'fine'],
    ['/static/sub/inner.txt', 'inner'],
    ['/static/inner-link.txt', 'inner'],
    ['/static/sub-link/inner.txt', 'inner'],
  ] as const) {
    test(`${path} → 200 over both transports`, async () => {
      const a = await client.get(path);
      assert.equal(a.status, 200);
      assert.equal(a.text, body);
      const b = await rawGet(portOf(server.url), path);
      assert.equal(b.status, 200);
      assert.equal(b.text, body);
    });
  }

  test('the secret file exists where the attacks aim (so the 404s above are meaningful)', async () => {
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(join(site.dir, '..', 'secret.txt'), 'utf8'), SECRET);
  });
});
