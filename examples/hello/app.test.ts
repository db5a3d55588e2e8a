import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testClient, type TestResponse } from 'rampart/testing';
import { app } from './app.js';

const client = testClient(app);

const CSP_WITHOUT_NONCE =
  "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** The nonce the page's CSP allows; asserts the inline style carries that same nonce. */
function nonceOf(res: TestResponse): string {
  const csp = res.header('content-security-policy') ?? '';
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
  assert.ok(nonce !== undefined, `no nonce in CSP: ${csp}`);
  assert.equal(
    csp,
    `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'`,
  );
  assert.ok(res.text.includes(`<style nonce="${nonce}">`), 'the inline style carries the nonce');
  return nonce;
}

function assertSecurityHeaders(res: TestResponse): void {
  assert.equal(res.header('x-frame-options'), 'DENY');
  assert.equal(res.header('x-content-type-options'), 'nosniff');
  assert.equal(res.header('referrer-policy'), 'same-origin');
  assert.equal(res.header('cross-origin-opener-policy'), 'same-origin');
  assert.equal(res.header('cross-origin-resource-policy'), 'same-origin');
}

const STYLE = `  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  .error { color: #b00020; }`;

/** The whole document templates/base.html renders around a page's title, head elements and content. */
function layout(nonce: string, title: string, content: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title} · Rampart</title>
${head}<style nonce="${nonce}">
${STYLE}
</style>
</head>
<body>
${content}</body>
</html>
`;
}

const NOTE_1 = 'Every value in a template is escaped for where it lands.';
const NOTE_2 = 'A plain string is sent as text/plain, never as HTML.';
const SEED_ITEMS = `  <li><a href="/notes/1">${NOTE_1}</a></li>\n  <li><a href="/notes/2">${NOTE_2}</a></li>\n`;

/** The content block of templates/notes.html: the list, then the form (with an error, if any). */
function notesContent(items: string, form: { value?: string; error?: string } = {}): string {
  return `<h1>Notes</h1>
<ul>
${items}</ul>
<form method="post" action="/notes">
  <label for="text">New note</label>
${form.error === undefined ? '' : `  <p class="error" id="text-error">${form.error}</p>\n`}  <textarea id="text" name="text" maxlength="200" required>${form.value ?? ''}</textarea>
  <button type="submit">Add</button>
</form>
<p>The same notes as JSON: <a href="/api/notes">/api/notes</a></p>
`;
}

describe('hello example: pages', () => {
  it('GET / renders templates/notes.html in the layout, with the nonce of the CSP on the inline style', async () => {
    const res = await client.get('/');
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), 'text/html; charset=utf-8');
    assertSecurityHeaders(res);
    const nonce = nonceOf(res);
    assert.equal(res.text, layout(nonce, 'Notes', notesContent(SEED_ITEMS)));
  });

  it('the POST form gets no CSRF field while the app has no CSRF layer (none is faked)', async () => {
    const res = await client.get('/');
    assert.ok(res.text.includes('<form method="post" action="/notes">\n  <label for="text">New note</label>\n'));
    assert.ok(!res.text.includes('csrf_token'));
    assert.ok(!res.text.includes('type="hidden"'));
  });

  it('HEAD / answers like GET without a body', async () => {
    const res = await client.head('/');
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.text, '');
  });

  it('GET /notes/1 renders one note; the int param is typed and converted', async () => {
    const res = await client.get('/notes/1');
    assert.equal(res.status, 200);
    const nonce = nonceOf(res);
    assert.equal(
      res.text,
      layout(
        nonce,
        'Note 1',
        `<h1>Note 1</h1>\n<p>${NOTE_1}</p>\n<p><a href="/">All notes</a></p>\n`,
        `<meta name="description" content="${NOTE_1}">\n`,
      ),
    );
  });

  it('every template compiles (as at a production start)', () => {
    assert.doesNotThrow(() => app.templates?.precompile?.());
  });

  it('answers 404 for a note that does not exist, and for ids that are not integers', async () => {
    const missing = await client.get('/notes/999');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), { error: { status: 404, message: 'There is no note 999.', code: 'E_HTTP_NOT_FOUND' } });
    for (const path of ['/notes/abc', '/notes/-1', '/notes/01', '/notes/1.5']) {
      const res = await client.get(path);
      assert.equal(res.status, 404, path);
      assert.deepEqual(res.json(), { error: { status: 404, message: `No route for ${path}.`, code: 'E_HTTP_NOT_FOUND' } });
    }
  });

  it('answers 405 with Allow for a known path and the wrong method', async () => {
    const res = await client.delete('/notes/1');
    assert.equal(res.status, 405);
    assert.equal(res.header('allow'), 'GET, HEAD, OPTIONS');
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_HTTP_METHOD_NOT_ALLOWED');
  });
});

describe('hello example: error pages', () => {
  it('GET /missing throws notFound(): an HTML page for browsers', async () => {
    const res = await client.get('/missing', { headers: { accept: 'text/html' } });
    assert.equal(res.status, 404);
    assert.equal(res.header('content-type'), 'text/html; charset=utf-8');
    assertSecurityHeaders(res);
    assert.equal(
      res.text,
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>404 Not Found</title></head>' +
        '<body><h1>404 Not Found</h1><p>This page was never written.</p></body></html>',
    );
  });

  it('GET /missing throws notFound(): JSON for other clients', async () => {
    const res = await client.get('/missing');
    assert.equal(res.status, 404);
    assert.equal(res.header('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(res.json(), { error: { status: 404, message: 'This page was never written.', code: 'E_HTTP_NOT_FOUND' } });
  });

  it('GET /boom throws an Error: a visitor sees a bare 500, never the message or stack', async () => {
    const html = await client.get('/boom', { headers: { accept: 'text/html' }, remoteAddress: '203.0.113.7' });
    assert.equal(html.status, 500);
    assert.equal(
      html.text,
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>500 Internal Server Error</title></head>' +
        '<body><h1>500 Internal Server Error</h1><p>Internal Server Error</p></body></html>',
    );
    const json = await client.get('/boom', { remoteAddress: '203.0.113.7' });
    assert.equal(json.status, 500);
    assert.deepEqual(json.json(), { error: { status: 500, message: 'Internal Server Error' } });
  });

  it('GET /boom in development shows the stack to a client on this machine only', async () => {
    const res = await client.get('/boom');
    assert.equal(res.status, 500);
    const body = res.json<{ error: { status: number; message: string; debug: { name: string; message: string; stack: string[] } } }>();
    assert.equal(body.error.status, 500);
    assert.equal(body.error.message, 'Internal Server Error');
    assert.equal(body.error.debug.name, 'Error');
    assert.equal(body.error.debug.message, 'Something broke inside the handler.');
    assert.equal(body.error.debug.stack[0], 'Error: Something broke inside the handler.');
  });

  it('keeps serving after a handler threw', async () => {
    await client.get('/boom', { remoteAddress: '203.0.113.7' });
    const res = await client.get('/notes/1');
    assert.equal(res.status, 200);
  });
});

describe('hello example: the /api group', () => {
  it('GET /api/notes is JSON with the links built by urlFor, and the group middleware adds its headers', async () => {
    const res = await client.get('/api/notes');
    assert.equal(res.status, 200);
    assert.equal(res.header('content-type'), 'application/json; charset=utf-8');
    assert.equal(res.header('x-api-version'), '1');
    assert.equal(res.header('cache-control'), 'no-store');
    assert.equal(res.header('content-security-policy'), CSP_WITHOUT_NONCE);
    assertSecurityHeaders(res);
    assert.deepEqual(res.json(), [
      { id: 1, text: NOTE_1, url: '/api/notes/1' },
      { id: 2, text: NOTE_2, url: '/api/notes/2' },
    ]);
  });

  it('GET /api/notes/:id<int> returns one note', async () => {
    const res = await client.get('/api/notes/2');
    assert.equal(res.status, 200);
    assert.equal(res.header('x-api-version'), '1');
    assert.deepEqual(res.json(), { id: 2, text: NOTE_2 });
  });

  it('GET /api/notes/:id<int> answers a JSON 404 for an unknown note', async () => {
    const res = await client.get('/api/notes/42');
    assert.equal(res.status, 404);
    assert.deepEqual(res.json(), { error: { status: 404, message: 'There is no note 42.', code: 'E_HTTP_NOT_FOUND' } });
  });

  it('the group middleware does not run for routes outside the group', async () => {
    const res = await client.get('/');
    assert.equal(res.header('x-api-version'), undefined);
  });

  it('redirects GET /api/notes/ to the registered form with 308', async () => {
    const res = await client.get('/api/notes/?x=1');
    assert.equal(res.status, 308);
    assert.equal(res.header('location'), '/api/notes?x=1');
  });

  it('names routes so handlers and tests can build URLs', () => {
    assert.equal(app.urlFor('home'), '/');
    assert.equal(app.urlFor('note', { id: 7 }), '/notes/7');
    assert.equal(app.urlFor('api.notes'), '/api/notes');
    assert.equal(app.urlFor('api.note', { id: 7 }), '/api/notes/7');
  });
});

describe('hello example: the form', () => {
  it('refuses an empty note with 422 and shows the form again with the error', async () => {
    const res = await client.post('/notes', { form: { text: '   ' } });
    assert.equal(res.status, 422);
    assert.equal(res.header('content-type'), 'text/html; charset=utf-8');
    assertSecurityHeaders(res);
    const nonce = nonceOf(res);
    assert.equal(res.text, layout(nonce, 'Notes', notesContent(SEED_ITEMS, { value: '   ', error: 'Write something first.' })));
  });

  it('refuses a form without the field with 422', async () => {
    const res = await client.post('/notes', { form: { other: 'x' } });
    assert.equal(res.status, 422);
    assert.equal(res.text, layout(nonceOf(res), 'Notes', notesContent(SEED_ITEMS, { value: '', error: 'Write something first.' })));
  });

  it('refuses a note over 200 characters with 422 and re-renders the input escaped', async () => {
    const long = '<b>' + 'x'.repeat(198);
    const res = await client.post('/notes', { form: { text: long } });
    assert.equal(res.status, 422);
    assert.equal(
      res.text,
      layout(
        nonceOf(res),
        'Notes',
        notesContent(SEED_ITEMS, { value: `&lt;b&gt;${'x'.repeat(198)}`, error: 'A note has at most 200 characters; this one has 201.' }),
      ),
    );
    assert.ok(!res.text.includes('<b>x'));
  });

  it('accepts exactly 200 characters (counted as characters, not UTF-16 units)', async () => {
    const res = await client.post('/notes', { form: { text: '😀'.repeat(200) } });
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/notes/3');
  });

  it('refuses a body that is not urlencoded with 415', async () => {
    const res = await client.post('/notes', { json: { text: 'hi' } });
    assert.equal(res.status, 415);
    assert.deepEqual(res.json(), {
      error: { status: 415, message: 'Expected Content-Type: application/x-www-form-urlencoded.', code: 'E_BODY_MEDIA_TYPE' },
    });
  });

  it('stores a valid note, redirects with 303 to its named URL, and escapes it everywhere', async () => {
    const attack = '<script>alert("x")</script> & \'friends\'';
    const res = await client.post('/notes', { form: { text: `  ${attack}  ` } });
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/notes/4');
    assert.equal(res.text, '');

    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;';
    const page = await client.get('/notes/4');
    assert.equal(page.status, 200);
    assert.equal(
      page.text,
      layout(
        nonceOf(page),
        'Note 4',
        `<h1>Note 4</h1>\n<p>${escaped}</p>\n<p><a href="/">All notes</a></p>\n`,
        `<meta name="description" content="${escaped}">\n`,
      ),
    );
    assert.ok(!page.text.includes('<script>'));

    const home = await client.get('/');
    assert.ok(home.text.includes(`<li><a href="/notes/4">${escaped}</a></li>\n</ul>`));

    const api = await client.get('/api/notes/4');
    assert.deepEqual(api.json(), { id: 4, text: attack });
  });
});

describe('hello example: escaping by context', () => {
  // A note that tries every way out: a script URL (with the `//` that passes the `link` test and a
  // %0A that would end the JS comment), a quote and `>` to leave an attribute, and a <script> element.
  const attack = 'javascript://x.test/%0Aalert(1)//"><script>alert(2)</script>';
  const escaped = 'javascript://x.test/%0Aalert(1)//&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;';

  it('neutralises <script> and javascript: in text, in an attribute and in an href', async () => {
    const res = await client.post('/notes', { form: { text: attack } });
    assert.equal(res.status, 303);
    assert.equal(res.header('location'), '/notes/5');

    const page = await client.get('/notes/5');
    assert.equal(page.status, 200);
    assert.equal(
      page.text,
      layout(
        nonceOf(page),
        'Note 5',
        // text: HTML-escaped; href: a script scheme is replaced by an inert URL.
        `<h1>Note 5</h1>\n<p>${escaped}</p>\n` +
          '<p><a href="about:invalid#rampart-blocked" rel="nofollow noopener">Open this link</a></p>\n' +
          '<p><a href="/">All notes</a></p>\n',
        // attribute: the quote cannot end the value, so no attribute or element is added.
        `<meta name="description" content="${escaped}">\n`,
      ),
    );
    assert.ok(!page.text.includes('<script'));
    assert.ok(!/href="\s*javascript:/i.test(page.text));

    const home = await client.get('/');
    assert.ok(home.text.includes(`<li><a href="/notes/5">${escaped}</a></li>\n</ul>`));
    assert.ok(!home.text.includes('<script'));
  });

  it('keeps an http(s) link working, with & escaped in the href', async () => {
    const res = await client.post('/notes', { form: { text: 'https://example.com/search?q=rampart&lang=en' } });
    assert.equal(res.header('location'), '/notes/6');
    const page = await client.get('/notes/6');
    assert.ok(page.text.includes('<p><a href="https://example.com/search?q=rampart&amp;lang=en" rel="nofollow noopener">Open this link</a></p>'));
    assert.ok(page.text.includes('<p>https://example.com/search?q=rampart&amp;lang=en</p>'));
  });

  it('offers no link for a note that is not a URL', async () => {
    const page = await client.get('/notes/2');
    assert.ok(!page.text.includes('Open this link'));
  });

  it('gives the inline style of every page the nonce the response header allows, a fresh one per response', async () => {
    const first = nonceOf(await client.get('/'));
    const second = nonceOf(await client.get('/'));
    assert.notEqual(first, second);
    assert.match(first, /^[A-Za-z0-9+/]{22}==$/);
  });
});
