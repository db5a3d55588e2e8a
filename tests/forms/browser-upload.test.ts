// A real browser (Debian's chromium, driven by playwright-core) uploads files through a form and
// follows the links to them: an uploaded HTML page and an SVG with a script are downloaded, never
// rendered (no markup in the DOM, no script run, no request made by them); a PNG asked inline is
// shown as an image. Skips, with the reason, when chromium is not installed.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { html, rampart, type RunningServer } from 'rampart';
import { parseMultipart, serveUpload } from 'rampart/forms';
import { liveServer } from 'rampart/testing';
import type { Browser, Page } from 'playwright-core';
import { PNG, SVG_WITH_SCRIPT, tempUploads } from './fixtures-uploads/multipart.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `chromium not found at ${CHROMIUM}`;
const WAIT_MS = 10_000;

const EVIL_HTML =
  '<!doctype html><html><head><title>evil</title></head><body><div id="marker">PWNED-MARKER</div>' +
  '<script>document.title = "pwned"; fetch("/pwned?by=script")</script><img src="/pwned?by=img"></body></html>';
const EVIL_SVG = SVG_WITH_SCRIPT.replace('alert(1)', 'fetch("/pwned?by=svg")');

describe('uploads in a real browser', { skip }, () => {
  const t = tempUploads();
  const pwned: string[] = [];
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    const app = rampart({ env: 'test', envFile: false, logLevel: 'silent' });
    app.get('/', () => html`<!doctype html><html><head><title>upload</title></head><body>
      <form method="post" action="/upload" enctype="multipart/form-data">
        <input type="file" name="doc"><input type="text" name="note" value="hello"><button id="send" type="submit">Send</button>
      </form></body></html>`);
    app.post('/upload', async (req) => {
      const form = await parseMultipart(req, { storage: t.storage, files: { doc: { accept: ['application/octet-stream', 'image/svg+xml', 'image/png'] } } });
      const file = form.file('doc')!;
      return html`<!doctype html><html><head><title>uploaded</title></head><body>
        <p id="type">${file.contentType}</p><p id="note">${form.fields.get('note')}</p>
        <a id="download" href="/files/${file.key}">download</a> <a id="inline" href="/inline/${file.key}">view</a></body></html>`;
    });
    app.get('/files/:key', (req) => serveUpload(t.storage, String(req.params.key)));
    app.get('/inline/:key', (req) => serveUpload(t.storage, String(req.params.key), { inline: true }));
    app.get('/pwned', (req) => {
      pwned.push(req.query.get('by') ?? '?');
      return 'no';
    });
    server = await liveServer(app);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      timeout: WAIT_MS,
    });
    const context = await browser.newContext({ acceptDownloads: true });
    context.setDefaultTimeout(WAIT_MS);
    context.setDefaultNavigationTimeout(WAIT_MS);
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    t.cleanup();
  });

  /** Uploads through the form and returns once the result page is shown. */
  async function uploadThroughForm(name: string, mimeType: string, data: string | Buffer): Promise<void> {
    await page.goto(`${server.url}/`);
    await page.setInputFiles('input[name=doc]', { name, mimeType, buffer: Buffer.from(data) });
    await Promise.all([page.waitForURL(`${server.url}/upload`), page.click('#send')]);
    assert.equal(await page.title(), 'uploaded');
    assert.equal(await page.textContent('#note'), 'hello');
  }

  /** Clicks a link and expects a download of exactly `data` named `filename`; the page stays put. */
  async function expectDownload(link: string, filename: string, data: string | Buffer): Promise<void> {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: WAIT_MS }), page.click(link)]);
    assert.equal(download.suggestedFilename(), filename);
    const path = await download.path();
    assert.deepEqual(readFileSync(path), Buffer.from(data));
    assert.equal(page.url(), `${server.url}/upload`);
    assert.equal(await page.title(), 'uploaded');
    const dom = await page.content();
    assert.equal(dom.includes('PWNED-MARKER'), false);
    assert.equal(dom.includes('<script'), false);
  }

  test('an uploaded HTML page is downloaded, not rendered, and its script never runs', async () => {
    await uploadThroughForm('evil.html', 'text/html', EVIL_HTML);
    assert.equal(await page.textContent('#type'), 'application/octet-stream');
    await expectDownload('#download', 'evil.html', EVIL_HTML);
    await expectDownload('#inline', 'evil.html', EVIL_HTML);
    assert.deepEqual(pwned, []);
  });

  test('an HTML file stored as text/html (by older code) is still downloaded, thanks to the attachment header', async () => {
    const info = await t.storage.save(Readable.from([Buffer.from(EVIL_HTML)]), { filename: 'legacy.html', contentType: 'text/html' });
    await page.setContent(`<a id="legacy" href="${server.url}/inline/${info.key}">legacy</a>`);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: WAIT_MS }), page.click('#legacy')]);
    assert.equal(download.suggestedFilename(), 'legacy.html');
    assert.equal((await page.content()).includes('PWNED-MARKER'), false);
    assert.deepEqual(pwned, []);
  });

  test('an allowed SVG with a script is downloaded even through the inline route', async () => {
    await uploadThroughForm('logo.svg', 'image/svg+xml', EVIL_SVG);
    assert.equal(await page.textContent('#type'), 'image/svg+xml');
    await expectDownload('#inline', 'logo.svg', EVIL_SVG);
    assert.deepEqual(pwned, []);
  });

  test('a PNG asked inline is displayed as an image, not downloaded', async () => {
    await uploadThroughForm('dot.png', 'image/png', PNG);
    assert.equal(await page.textContent('#type'), 'image/png');
    const href = await page.getAttribute('#inline', 'href');
    const response = await page.goto(`${server.url}${href}`);
    assert.ok(response !== null);
    assert.equal(response.status(), 200);
    assert.equal(response.headers()['content-type'], 'image/png');
    assert.equal(response.headers()['content-security-policy'], 'sandbox');
    // The browser's own image document shows the 1×1 PNG (DevTools can inspect it even though the
    // sandbox forbids the document's scripts).
    // (An expression string: the test compiles without the DOM typings.)
    const size = await page.evaluate('(() => { const img = document.querySelector("img"); return img && [img.naturalWidth, img.naturalHeight]; })()');
    assert.deepEqual(size, [1, 1]);
    assert.deepEqual(pwned, []);
  });
});
