/**
 * serveStatic(): content types, validators and 304s, HEAD, byte ranges, precompressed variants,
 * cache policy, dotfiles and directories, and the errors it throws at startup.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { group, rampart, RampartError, type RunningServer } from 'rampart';
import { serveStatic, StaticError, STATIC_DEFAULTS } from 'rampart/static';
import { liveServer, testClient } from 'rampart/testing';
import { capture } from '../helpers/log-capture.ts';
import { openRaw, portOf, rawGet, rawRequest } from '../helpers/raw-http.ts';
import { makeSite, QUIET } from './fixture.ts';

const CSS = 'body { color: rebeccapurple; }\n'.repeat(40);
const site = makeSite({
  'css/app.css': CSS,
  'css/app.css.br': brotliCompressSync(CSS),
  'css/app.css.gz': gzipSync(CSS),
  'js/app.js': 'console.log(1)\n',
  'js/mod.mjs': 'export {}\n',
  'index.html': '<!doctype html><p>hi</p>',
  'img/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'img/logo.svg.gz': gzipSync('<svg xmlns="http://www.w3.org/2000/svg"/>'),
  'img/LOGO.PNG': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'fonts/a.woff2': Buffer.from('wOF2'),
  'data/x.json': '{"a":1}',
  'data/blob.xyz': 'unknown',
  LICENSE: 'MIT',
  'empty.txt': '',
  'digits.txt': '0123456789',
  '.env': 'SECRET_KEY=dotfile',
  '.git/config': '[core]',
  'css/.hidden.css': 'hidden',
  '.well-known/security.txt': 'Contact: mailto:security@example.com',
});
after(() => site.remove());

function appWith(options: Parameters<typeof serveStatic>[0], pattern = '/static/*path') {
  const app = rampart(QUIET);
  app.get(pattern, serveStatic(options));
  return testClient(app);
}

const client = appWith({ dir: site.dir });
const EPOCH = new Date('2024-01-02T03:04:05Z');
for (const f of ['css/app.css', 'digits.txt']) utimesSync(join(site.dir, f), EPOCH, EPOCH);

describe('serving a file', () => {
  test('GET answers the bytes with type, length, validators, cache policy and the security headers', async () => {
    const res = await client.get('/static/css/app.css');
    assert.equal(res.status, 200);
    assert.equal(res.text, CSS);
    assert.equal(res.header('content-type'), 'text/css; charset=utf-8');
    assert.equal(res.header('content-length'), String(Buffer.byteLength(CSS)));
    assert.match(res.header('etag')!, /^"[0-9a-f]+-[0-9a-f]+"$/);
    assert.equal(res.header('last-modified'), EPOCH.toUTCString());
    assert.equal(res.header('cache-control'), 'no-cache');
    assert.equal(res.header('accept-ranges'), 'bytes');
    assert.equal(res.header('vary'), 'accept-encoding');
    assert.equal(res.header('content-encoding'), undefined);
    assert.equal(res.header('x-content-type-options'), 'nosniff');
    assert.equal(res.header('x-frame-options'), 'DENY');
    assert.match(res.header('content-security-policy')!, /default-src 'self'/);
  });

  for (const [path, type] of [
    ['js/app.js', 'text/javascript; charset=utf-8'],
    ['js/mod.mjs', 'text/javascript; charset=utf-8'],
    ['index.html', 'text/html; charset=utf-8'],
    ['img/logo.svg', 'image/svg+xml; charset=utf-8'],
    ['img/LOGO.PNG', 'image/png'],
    ['fonts/a.woff2', 'font/woff2'],
    ['data/x.json', 'application/json; charset=utf-8'],
    ['digits.txt', 'text/plain; charset=utf-8'],
    ['data/blob.xyz', 'application/octet-stream'],
    ['LICENSE', 'application/octet-stream'],
    ['css/app.css.br', 'application/x-brotli'],
  ] as const) {
    test(`${path} is served as ${type}`, async () => {
      const res = await client.get(`/static/${path}`);
      assert.equal(res.status, 200);
      assert.equal(res.header('content-type'), type);
    });
  }

  test('HEAD sends the headers of GET and no body', async () => {
    const get = await client.get('/static/css/app.css');
    const head = await client.head('/static/css/app.css');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    for (const name of ['content-type', 'content-length', 'etag', 'last-modified', 'cache-control', 'vary', 'accept-ranges']) {
      assert.equal(head.header(name), get.header(name), name);
    }
  });

  test('an empty file is a 200 with an empty body', async () => {
    const res = await client.get('/static/empty.txt');
    assert.equal(res.status, 200);
    assert.equal(res.header('content-length'), '0');
    assert.equal(res.body.length, 0);
  });

  test('a percent-encoded name is decoded once: %2F inside the wildcard is a separator, %25 a percent sign', async () => {
    const res = await client.get('/static/css%2Fapp.css');
    assert.equal(res.status, 200);
    assert.equal(res.text, CSS);
    site.write('static/100%.txt', 'percent');
    const pct = await client.get('/static/100%25.txt');
    assert.equal(pct.status, 200);
    assert.equal(pct.text, 'percent');
  });

  for (const path of ['/static/css', '/static/css/', '/static/nope.css', '/static/css/app.css/x', '/static/img']) {
    test(`${path} (a directory or a missing file) → 404`, async () => {
      const res = await client.get(path);
      assert.equal(res.status, 404);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_HTTP_NOT_FOUND');
    });
  }

  for (const path of ['/static/.env', '/static/.git/config', '/static/css/.hidden.css', '/static/.well-known/security.txt']) {
    test(`dotfile ${path} → 404`, async () => {
      const res = await client.get(path);
      assert.equal(res.status, 404);
      assert.doesNotMatch(res.text, /dotfile|\[core\]|hidden|Contact/);
    });
  }

  test('a symlink inside the folder to a dotfile is a 404 too (checked after links are resolved)', async () => {
    symlinkSync('.env', join(site.dir, 'visible-env'));
    const res = await client.get('/static/visible-env');
    assert.equal(res.status, 404);
    assert.doesNotMatch(res.text, /dotfile/);
  });

  test('dotfiles: true serves them', async () => {
    const res = await appWith({ dir: site.dir, dotfiles: true }).get('/static/.well-known/security.txt');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'Contact: mailto:security@example.com');
  });

  test('maxAgeSeconds sets a public max-age', async () => {
    const res = await appWith({ dir: site.dir, maxAgeSeconds: 3600 }).get('/static/js/app.js');
    assert.equal(res.header('cache-control'), 'public, max-age=3600');
  });

  test('works under any wildcard name and inside a mounted group', async () => {
    const a = await appWith({ dir: site.dir }, '/assets/*file').get('/assets/js/app.js');
    assert.equal(a.status, 200);
    assert.equal(a.text, 'console.log(1)\n');
    const app = rampart(QUIET);
    const g = group();
    g.get('/files/*rest', serveStatic({ dir: site.dir }));
    app.mount('/v1', g);
    const b = await testClient(app).get('/v1/files/digits.txt');
    assert.equal(b.status, 200);
    assert.equal(b.text, '0123456789');
  });

  test('other methods on an app.all route → 405 with Allow: GET, HEAD', async () => {
    const app = rampart(QUIET);
    app.all('/static/*path', serveStatic({ dir: site.dir }));
    const res = await testClient(app).post('/static/digits.txt', { body: 'x', headers: { 'content-type': 'text/plain', origin: 'http://localhost' } });
    assert.equal(res.status, 405);
    assert.equal(res.header('allow'), 'GET, HEAD');
    assert.doesNotMatch(res.text, /0123456789/);
  });

  test('a route without a *wildcard answers 500 and logs E_STATIC_ROUTE_NO_WILDCARD', async () => {
    const logs = capture();
    const app = rampart({ ...QUIET, logLevel: 'error', logStream: logs.stream });
    app.get('/logo', serveStatic({ dir: site.dir }));
    const res = await testClient(app).get('/logo');
    assert.equal(res.status, 500);
    const line = await logs.waitFor((l) => (l['err'] as { code?: string } | undefined)?.code === 'E_STATIC_ROUTE_NO_WILDCARD', 'the static error');
    assert.match(String((line['err'] as { message: string }).message), /'\/logo', which does not end in a \*wildcard/);
  });
});

describe('conditional requests', () => {
  test('If-None-Match with the ETag → 304 with validators and no body', async () => {
    const first = await client.get('/static/css/app.css');
    const etag = first.header('etag')!;
    const res = await client.get('/static/css/app.css', { headers: { 'if-none-match': etag } });
    assert.equal(res.status, 304);
    assert.equal(res.body.length, 0);
    assert.equal(res.header('etag'), etag);
    assert.equal(res.header('cache-control'), 'no-cache');
    assert.equal(res.header('vary'), 'accept-encoding');
    assert.equal(res.header('content-type'), undefined);
  });

  test('a list, a weak form of the tag, and * all match', async () => {
    const etag = (await client.get('/static/digits.txt')).header('etag')!;
    for (const inm of [`"nope", ${etag}`, `W/${etag}`, '*']) {
      const res = await client.get('/static/digits.txt', { headers: { 'if-none-match': inm } });
      assert.equal(res.status, 304, inm);
    }
  });

  test('If-None-Match wins over If-Modified-Since', async () => {
    const future = new Date(Date.now() + 86_400_000).toUTCString();
    const res = await client.get('/static/digits.txt', { headers: { 'if-none-match': '"other"', 'if-modified-since': future } });
    assert.equal(res.status, 200);
    assert.equal(res.text, '0123456789');
    const etag = (await client.get('/static/digits.txt')).header('etag')!;
    const past = new Date(0).toUTCString();
    const matched = await client.get('/static/digits.txt', { headers: { 'if-none-match': etag, 'if-modified-since': past } });
    assert.equal(matched.status, 304);
  });

  test('If-Modified-Since: at or after Last-Modified → 304, before → 200, not a date → 200', async () => {
    const at = await client.get('/static/digits.txt', { headers: { 'if-modified-since': EPOCH.toUTCString() } });
    assert.equal(at.status, 304);
    const later = await client.get('/static/digits.txt', { headers: { 'if-modified-since': new Date(EPOCH.getTime() + 5000).toUTCString() } });
    assert.equal(later.status, 304);
    const before = await client.get('/static/digits.txt', { headers: { 'if-modified-since': new Date(EPOCH.getTime() - 1000).toUTCString() } });
    assert.equal(before.status, 200);
    assert.equal(before.text, '0123456789');
    const garbage = await client.get('/static/digits.txt', { headers: { 'if-modified-since': 'yesterday' } });
    assert.equal(garbage.status, 200);
  });

  test('HEAD gets the 304 too', async () => {
    const etag = (await client.get('/static/digits.txt')).header('etag')!;
    const res = await client.head('/static/digits.txt', { headers: { 'if-none-match': etag } });
    assert.equal(res.status, 304);
  });

  test('a changed file gets a new ETag, and the old one no longer matches', async () => {
    const path = site.write('static/changing.txt', 'v1');
    utimesSync(path, EPOCH, EPOCH);
    const old = (await client.get('/static/changing.txt')).header('etag')!;
    writeFileSync(path, 'v2');
    const res = await client.get('/static/changing.txt', { headers: { 'if-none-match': old } });
    assert.equal(res.status, 200);
    assert.equal(res.text, 'v2');
    assert.notEqual(res.header('etag'), old);
  });
});

describe('byte ranges', () => {
  const cases: [string, number, string | null, string][] = [
    ['bytes=0-3', 206, 'bytes 0-3/10', '0123'],
    ['bytes=-4', 206, 'bytes 6-9/10', '6789'],
    ['bytes=5-', 206, 'bytes 5-9/10', '56789'],
    ['bytes=8-1000', 206, 'bytes 8-9/10', '89'],
    ['bytes=-1000', 206, 'bytes 0-9/10', '0123456789'],
    ['BYTES=2-2', 206, 'bytes 2-2/10', '2'],
    ['bytes=0-1,4-5', 200, null, '0123456789'],
    ['bytes=abc', 200, null, '0123456789'],
    ['bytes=5-2', 200, null, '0123456789'],
    ['items=0-1', 200, null, '0123456789'],
    ['bytes=10-', 416, 'bytes */10', ''],
    ['bytes=99999999999999999999-', 416, 'bytes */10', ''],
    ['bytes=-0', 416, 'bytes */10', ''],
  ];
  for (const [range, status, contentRange, body] of cases) {
    test(`Range: ${range} → ${status}${contentRange === null ? '' : ` (${contentRange})`}`, async () => {
      const res = await client.get('/static/digits.txt', { headers: { range } });
      assert.equal(res.status, status);
      assert.equal(res.header('content-range'), contentRange ?? undefined);
      assert.equal(res.text, body);
      assert.equal(res.header('content-length'), String(Buffer.byteLength(body)));
    });
  }

  test('If-Range with the current ETag or Last-Modified applies the range; a stale one sends the whole file', async () => {
    const full = await client.get('/static/digits.txt');
    const byTag = await client.get('/static/digits.txt', { headers: { range: 'bytes=0-1', 'if-range': full.header('etag')! } });
    assert.equal(byTag.status, 206);
    assert.equal(byTag.text, '01');
    const byDate = await client.get('/static/digits.txt', { headers: { range: 'bytes=0-1', 'if-range': full.header('last-modified')! } });
    assert.equal(byDate.status, 206);
    const stale = await client.get('/static/digits.txt', { headers: { range: 'bytes=0-1', 'if-range': '"old"' } });
    assert.equal(stale.status, 200);
    assert.equal(stale.text, '0123456789');
    const weak = await client.get('/static/digits.txt', { headers: { range: 'bytes=0-1', 'if-range': `W/${full.header('etag')!}` } });
    assert.equal(weak.status, 200);
  });

  test('HEAD with a range → 206 headers, no body', async () => {
    const res = await client.head('/static/digits.txt', { headers: { range: 'bytes=0-3' } });
    assert.equal(res.status, 206);
    assert.equal(res.header('content-range'), 'bytes 0-3/10');
    assert.equal(res.header('content-length'), '4');
    assert.equal(res.body.length, 0);
  });

  test('ranges: false ignores Range and does not advertise it', async () => {
    const res = await appWith({ dir: site.dir, ranges: false }).get('/static/digits.txt', { headers: { range: 'bytes=0-3' } });
    assert.equal(res.status, 200);
    assert.equal(res.text, '0123456789');
    assert.equal(res.header('accept-ranges'), undefined);
  });
});

describe('precompressed variants', () => {
  const br = brotliCompressSync(CSS);
  const gz = gzipSync(CSS);

  test('a client accepting br gets the .br file with Content-Encoding, Vary and its own ETag', async () => {
    const res = await client.get('/static/css/app.css', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(res.status, 200);
    assert.equal(res.header('content-encoding'), 'br');
    assert.equal(res.header('content-type'), 'text/css; charset=utf-8');
    assert.equal(res.header('vary'), 'accept-encoding');
    assert.equal(res.header('content-length'), String(br.length));
    assert.equal(brotliDecompressSync(res.body).toString(), CSS);
    assert.match(res.header('etag')!, /-br"$/);
  });

  test('gzip only → the .gz file', async () => {
    const res = await client.get('/static/css/app.css', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.header('content-encoding'), 'gzip');
    assert.equal(res.header('content-length'), String(gz.length));
    assert.equal(gunzipSync(res.body).toString(), CSS);
    assert.match(res.header('etag')!, /-gzip"$/);
  });

  test('the three representations have three different ETags', async () => {
    const tags = new Set<string>();
    for (const ae of ['br', 'gzip', 'identity']) tags.add((await client.get('/static/css/app.css', { headers: { 'accept-encoding': ae } })).header('etag')!);
    assert.equal(tags.size, 3);
  });

  for (const [header, expected] of [
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['*', 'br'],
    ['x-gzip', 'gzip'],
    ['identity', undefined],
    ['br;q=0, gzip;q=0', undefined],
    ['identity;q=1, br;q=0.5', undefined],
    ['deflate', undefined],
  ] as const) {
    test(`Accept-Encoding: ${header} → ${expected ?? 'the plain file'}`, async () => {
      const res = await client.get('/static/css/app.css', { headers: { 'accept-encoding': header } });
      assert.equal(res.status, 200);
      assert.equal(res.header('content-encoding'), expected);
      assert.equal(res.header('vary'), 'accept-encoding');
    });
  }

  test("a tag validated for one coding does not answer another coding's request with 304", async () => {
    const brTag = (await client.get('/static/css/app.css', { headers: { 'accept-encoding': 'br' } })).header('etag')!;
    const res = await client.get('/static/css/app.css', { headers: { 'accept-encoding': 'gzip', 'if-none-match': brTag } });
    assert.equal(res.status, 200);
    assert.equal(res.header('content-encoding'), 'gzip');
    const again = await client.get('/static/css/app.css', { headers: { 'accept-encoding': 'br', 'if-none-match': brTag } });
    assert.equal(again.status, 304);
  });

  test('only the variants that exist are used: logo.svg has a .gz and no .br', async () => {
    const res = await client.get('/static/img/logo.svg', { headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(res.header('content-encoding'), 'gzip');
    assert.equal(gunzipSync(res.body).toString(), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  });

  test('a variant older than its file is stale and never served', async () => {
    site.write('static/stale.js', 'new()\n');
    const variant = site.write('static/stale.js.br', brotliCompressSync('old()\n'));
    utimesSync(variant, EPOCH, EPOCH);
    const res = await client.get('/static/stale.js', { headers: { 'accept-encoding': 'br' } });
    assert.equal(res.header('content-encoding'), undefined);
    assert.equal(res.text, 'new()\n');
  });

  test('a range applies to the representation sent', async () => {
    const res = await client.get('/static/css/app.css', { headers: { 'accept-encoding': 'br', range: 'bytes=0-9' } });
    assert.equal(res.status, 206);
    assert.equal(res.header('content-encoding'), 'br');
    assert.equal(res.header('content-range'), `bytes 0-9/${br.length}`);
    assert.deepEqual(res.body, br.subarray(0, 10));
  });

  test('precompressed: false serves the plain file and sends no Vary', async () => {
    const res = await appWith({ dir: site.dir, precompressed: false }).get('/static/css/app.css', { headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(res.header('content-encoding'), undefined);
    assert.equal(res.header('vary'), undefined);
    assert.equal(res.text, CSS);
  });

  test('an image without variants has no Vary', async () => {
    const res = await client.get('/static/img/LOGO.PNG', { headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(res.header('vary'), undefined);
    assert.equal(res.header('content-encoding'), undefined);
  });
});

describe('startup errors', () => {
  function code(fn: () => unknown): string {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof StaticError);
      assert.ok(err instanceof RampartError);
      return err.code;
    }
    assert.fail('no error thrown');
  }

  test('a missing folder → E_STATIC_DIR_MISSING naming it', () => {
    assert.throws(() => serveStatic({ dir: join(site.root, 'nope') }), (err: StaticError) => {
      assert.equal(err.code, 'E_STATIC_DIR_MISSING');
      assert.match(err.message, /'.*nope' .* does not exist or is not a folder/);
      return true;
    });
  });

  test('a file instead of a folder → E_STATIC_DIR_MISSING', () => {
    assert.equal(code(() => serveStatic({ dir: join(site.root, 'secret.txt') })), 'E_STATIC_DIR_MISSING');
  });

  test('the filesystem root, an empty dir, or a bad maxAgeSeconds → E_STATIC_OPTIONS_INVALID', () => {
    assert.equal(code(() => serveStatic({ dir: '/' })), 'E_STATIC_OPTIONS_INVALID');
    assert.equal(code(() => serveStatic({ dir: '' })), 'E_STATIC_OPTIONS_INVALID');
    assert.equal(code(() => serveStatic({ dir: site.dir, maxAgeSeconds: -1 })), 'E_STATIC_OPTIONS_INVALID');
    assert.equal(code(() => serveStatic({ dir: site.dir, maxAgeSeconds: 1.5 })), 'E_STATIC_OPTIONS_INVALID');
  });

  test('manifest: true without a manifest file → E_STATIC_MANIFEST_NOT_FOUND', () => {
    assert.equal(code(() => serveStatic({ dir: site.dir, manifest: true })), 'E_STATIC_MANIFEST_NOT_FOUND');
  });

  test('a manifest that is not JSON, not an object, or has a path outside the folder → E_STATIC_MANIFEST_INVALID', () => {
    const bad = site.write('bad.json', '{nope');
    assert.equal(code(() => serveStatic({ dir: site.dir, manifest: bad })), 'E_STATIC_MANIFEST_INVALID');
    const arr = site.write('arr.json', '[]');
    assert.equal(code(() => serveStatic({ dir: site.dir, manifest: arr })), 'E_STATIC_MANIFEST_INVALID');
    assert.equal(code(() => serveStatic({ dir: site.dir, manifest: { 'a.css': '../a.css' } })), 'E_STATIC_MANIFEST_INVALID');
    assert.equal(code(() => serveStatic({ dir: site.dir, manifest: { '/etc/passwd': 'a.css' } })), 'E_STATIC_MANIFEST_INVALID');
  });

  test('STATIC_DEFAULTS is frozen and holds the secure values', () => {
    assert.ok(Object.isFrozen(STATIC_DEFAULTS));
    assert.equal(STATIC_DEFAULTS.dotfiles, false);
    assert.equal(STATIC_DEFAULTS.maxAgeSeconds, 0);
    assert.equal(STATIC_DEFAULTS.immutableMaxAgeSeconds, 31_536_000);
  });
});

describe('over a real socket', () => {
  const BIG = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < BIG.length; i++) BIG[i] = i % 251;
  site.write('static/big.bin', BIG);
  const app = rampart(QUIET);
  app.get('/static/*path', serveStatic({ dir: site.dir }));
  let server: RunningServer;
  before(async () => {
    server = await liveServer(app);
  });
  after(() => server.close());

  test('a 4 MiB file streams whole, with its length, and a range of it exactly', async () => {
    const res = await rawGet(portOf(server.url), '/static/big.bin', { timeoutMs: 10_000 });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], String(BIG.length));
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    assert.ok(res.body.equals(BIG));
    const part = await rawRequest(portOf(server.url), { path: '/static/big.bin', headers: [['Range', 'bytes=1000000-1000099']] });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 1000000-1000099/${BIG.length}`);
    assert.ok(part.body.equals(BIG.subarray(1_000_000, 1_000_100)));
  });

  test('304 and HEAD on the wire carry no body', async () => {
    const first = await rawGet(portOf(server.url), '/static/digits.txt');
    const etag = first.headers['etag']!;
    const cached = await rawRequest(portOf(server.url), { path: '/static/digits.txt', headers: [['If-None-Match', etag]] });
    assert.equal(cached.status, 304);
    assert.equal(cached.body.length, 0);
    const head = await rawRequest(portOf(server.url), { method: 'HEAD', path: '/static/digits.txt', connection: 'close' }, { waitForClose: true });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '10');
    assert.ok(!head.raw.toString('latin1').includes('0123456789'));
  });

  test('a client that goes away mid-download leaves the server serving, and no file open', async () => {
    const openFiles = (): number => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).endsWith('big.bin');
      } catch {
        return false;
      }
    }).length;
    for (let i = 0; i < 5; i++) {
      const conn = await openRaw(portOf(server.url));
      await conn.write(`GET /static/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      for (let j = 0; j < 200 && !conn.hasResponseHead; j++) await new Promise((r) => setTimeout(r, 5));
      conn.destroy();
    }
    const res = await rawGet(portOf(server.url), '/static/digits.txt');
    assert.equal(res.status, 200);
    assert.equal(res.text, '0123456789');
    if (existsSync('/proc/self/fd')) {
      for (let i = 0; i < 100 && openFiles() > 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(openFiles(), 0, 'a file descriptor of big.bin is still open');
    }
  });
});
