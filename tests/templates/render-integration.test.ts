/**
 * Templates rendered for a request with `req.render()`: the hidden CSRF field in every POST form,
 * the response's CSP nonce on every inline <script> and <style>, and the `url_for`, `static` and
 * `request` globals wired to the app.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rampart, type App } from 'rampart';
import { templates, CSRF_FIELD_NAME, type TemplatesOptions } from 'rampart/templates';
import { testClient, type TestResponse } from 'rampart/testing';
import { capture } from '../helpers/log-capture.ts';

const field = (token: string): string => `<input type="hidden" name="csrf_token" value="${token}">`;

/** An app that renders `sources[name]` at `/name`, with a CSRF provider unless `?csrf=none`. */
function appWith(sources: Readonly<Record<string, string>>, options: TemplatesOptions = {}, token: string | null = 'tok-123'): App {
  const app = rampart({ env: 'test', templates: templates({ sources, strict: true, reload: false, ...options }) });
  app.use(async (req, next) => {
    const mode = req.query.get('csrf');
    if (mode !== 'none') req.setCsrfTokenProvider(() => (mode === 'null' ? null : token));
    return next();
  });
  app.get('/notes/:id<int>', { name: 'note' }, (req) => ({ id: req.params.id }));
  app.get('/files/*path', { name: 'file' }, (req) => ({ path: req.params.path }));
  app.get('/r/*name', (req) => req.render(String(req.params.name), { v: req.query.get('v') ?? 'x', nonce: req.cspNonce }));
  app.get('/plain/*name', (req) => req.render(String(req.params.name), { v: req.query.get('v') ?? 'x' }));
  app.get('/status', (req) => req.render('status.html', {}, { status: 201, headers: { 'x-extra': '1' } }));
  return app;
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** The nonce the CSP header carries in both script-src and style-src (fails when absent). */
function cspNonce(res: TestResponse): string {
  const csp = res.header('content-security-policy') ?? '';
  const script = /script-src [^;]*'nonce-([^']+)'/.exec(csp);
  const style = /style-src [^;]*'nonce-([^']+)'/.exec(csp);
  assert.ok(script !== null && style !== null, `no nonce in the CSP: ${csp}`);
  assert.equal(script[1], style[1]);
  return script[1]!;
}

describe('CSRF field in POST forms', () => {
  const sources = {
    'forms.html':
      '<form method="post" action="/a"><input name="x"></form>' +
      '<form method=POST><p>x</p></form>' +
      "<FORM METHOD='Post'></FORM>" +
      '<form action="/b" class="c" method="post" id="f"></form>' +
      '<form method = "post"\n  action="/c"\n></form>' +
      '<form method="post" data-note="<form method=post>"></form>',
    'get-forms.html': '<form method="get"></form><form></form><form method="dialog"></form><form method="GET" action="/s"></form><form method="get" method="post"></form>',
    'not-forms.html':
      '<!-- <form method="post"> --><textarea><form method="post"></textarea><p>{{ v }}</p>' +
      '<p>&lt;form method="post"&gt;</p><script>var s = "<form method=post>";</script><title><form method="post"></title>',
    'nested.html':
      '{% from "macros.html" import post_form %}{% for i in [1, 2] %}<form method="post" data-i="{{ i }}"></form>{% endfor %}' +
      '{% include "form-part.html" %}{{ post_form("/m") }}',
    'macros.html': '{% macro post_form(action) %}<form method="post" action="{{ action }}"><button>go</button></form>{% endmacro %}',
    'form-part.html': '<form method="post" class="inc"></form>',
    'base.html': '<body>{% block body %}{% endblock %}</body>',
    'child.html': '{% extends "base.html" %}{% block body %}<form method="post" class="child"></form>{% endblock %}',
    'csrf-global.html': '<meta name="csrf-token" content="{{ csrf_token() }}">',
  };
  const client = testClient(appWith(sources));

  test('every POST form, however written, gets exactly one field right after its start tag', async () => {
    const res = await client.get('/r/forms.html');
    assert.equal(res.status, 200);
    assert.equal(
      res.text,
      `<form method="post" action="/a">${field('tok-123')}<input name="x"></form>` +
        `<form method=POST>${field('tok-123')}<p>x</p></form>` +
        `<FORM METHOD='Post'>${field('tok-123')}</FORM>` +
        `<form action="/b" class="c" method="post" id="f">${field('tok-123')}</form>` +
        `<form method = "post"\n  action="/c"\n>${field('tok-123')}</form>` +
        `<form method="post" data-note="<form method=post>">${field('tok-123')}</form>`,
    );
    assert.equal(count(res.text, `name="${CSRF_FIELD_NAME}"`), 6);
  });

  test('GET, dialog and method-less forms get none', async () => {
    const res = await client.get('/r/get-forms.html');
    assert.equal(res.text, sources['get-forms.html']);
  });

  test('text that only looks like a form gets none', async () => {
    const res = await client.get('/r/not-forms.html', { query: { v: '<form method="post">' } });
    assert.equal(
      res.text,
      '<!-- <form method="post"> --><textarea><form method="post"></textarea><p>&lt;form method=&quot;post&quot;&gt;</p>' +
        '<p>&lt;form method="post"&gt;</p><script nonce="' + cspNonce(res) + '">var s = "<form method=post>";</script><title><form method="post"></title>',
    );
    assert.equal(count(res.text, 'csrf_token'), 0);
  });

  test('forms in loops, includes, macros and child blocks each get one', async () => {
    const res = await client.get('/r/nested.html');
    assert.equal(
      res.text,
      `<form method="post" data-i="1">${field('tok-123')}</form><form method="post" data-i="2">${field('tok-123')}</form>` +
        `<form method="post" class="inc">${field('tok-123')}</form>` +
        `<form method="post" action="/m">${field('tok-123')}<button>go</button></form>`,
    );
    assert.equal((await client.get('/r/child.html')).text, `<body><form method="post" class="child">${field('tok-123')}</form></body>`);
  });

  test('no provider, or a provider that returns null: no field', async () => {
    for (const mode of ['none', 'null']) {
      const res = await client.get('/r/forms.html', { query: { csrf: mode } });
      assert.equal(count(res.text, 'csrf_token'), 0, mode);
      assert.ok(res.text.startsWith('<form method="post" action="/a"><input name="x"></form>'), mode);
    }
  });

  test('the token is escaped in the field', async () => {
    const app = appWith(sources, {}, 'a"b<c>&\'d');
    const res = await testClient(app).get('/r/form-part.html');
    assert.equal(res.text, '<form method="post" class="inc"><input type="hidden" name="csrf_token" value="a&quot;b&lt;c&gt;&amp;&#39;d"></form>');
  });

  test('the token is asked per render, from this request', async () => {
    let n = 0;
    const app = rampart({ env: 'test', templates: templates({ sources }) });
    app.use(async (req, next) => {
      const mine = `t${++n}`;
      req.setCsrfTokenProvider(() => mine);
      return next();
    });
    app.get('/', (req) => req.render('form-part.html'));
    const c = testClient(app);
    assert.equal((await c.get('/')).text, `<form method="post" class="inc">${field('t1')}</form>`);
    assert.equal((await c.get('/')).text, `<form method="post" class="inc">${field('t2')}</form>`);
  });

  test('the csrf_token() global gives the token, for meta tags and scripts', async () => {
    assert.equal((await client.get('/r/csrf-global.html')).text, '<meta name="csrf-token" content="tok-123">');
    assert.equal((await client.get('/r/csrf-global.html', { query: { csrf: 'none' } })).text, '<meta name="csrf-token" content="">');
  });

  test('rendered without a request, a POST form gets no field', () => {
    const t = templates({ sources });
    assert.equal(t.render('form-part.html').toString(), '<form method="post" class="inc"></form>');
  });
});

describe('CSP nonce on inline <script> and <style>', () => {
  const sources = {
    'inline.html':
      '<head><script>var a = {{ v }};</script><style>p { color: red }</style><SCRIPT type="module">import x from "/x.js";</SCRIPT>' +
      '<style media="print">p{}</style></head>',
    'has-nonce.html': '<script nonce="{{ nonce }}">1</script><style nonce="{{ nonce }}">p{}</style>',
    'no-inline.html': '<p>{{ v }}</p><!-- <script>x</script> --><textarea><script>y</script></textarea>',
    'data-script.html': '<p>{{ v }}</p>',
    'base.html': '<head>{% block head %}<script>1</script>{% endblock %}</head><body>{% block body %}{% endblock %}</body>',
    'child.html': '{% extends "base.html" %}{% block head %}{{ super() }}<style>p{}</style>{% endblock %}{% block body %}{% include "widget.html" %}{% endblock %}',
    'widget.html': '<div></div><script>2</script>',
    'status.html': '<p>created</p>',
  };
  const client = testClient(appWith(sources));

  test('every inline script and style carries the nonce of the CSP header', async () => {
    const res = await client.get('/r/inline.html', { query: { v: '</script>' } });
    const nonce = cspNonce(res);
    assert.match(nonce, /^[A-Za-z0-9+/_-]{16,}={0,2}$/);
    assert.equal(
      res.text,
      `<head><script nonce="${nonce}">var a = "\\u003c/script\\u003e";</script><style nonce="${nonce}">p { color: red }</style>` +
        `<SCRIPT type="module" nonce="${nonce}">import x from "/x.js";</SCRIPT><style media="print" nonce="${nonce}">p{}</style></head>`,
    );
  });

  test('each response gets its own nonce', async () => {
    const a = await client.get('/r/inline.html');
    const b = await client.get('/r/inline.html');
    assert.notEqual(cspNonce(a), cspNonce(b));
    assert.ok(b.text.includes(`nonce="${cspNonce(b)}"`));
    assert.ok(!b.text.includes(cspNonce(a)));
  });

  test('an existing nonce attribute is not duplicated', async () => {
    const res = await client.get('/r/has-nonce.html');
    const nonce = cspNonce(res);
    assert.equal(res.text, `<script nonce="${nonce}">1</script><style nonce="${nonce}">p{}</style>`);
    assert.equal(count(res.text, 'nonce='), 2);
  });

  test('scripts and styles in parents, blocks and includes get it too', async () => {
    const res = await client.get('/r/child.html');
    const nonce = cspNonce(res);
    assert.equal(res.text, `<head><script nonce="${nonce}">1</script><style nonce="${nonce}">p{}</style></head><body><div></div><script nonce="${nonce}">2</script></body>`);
  });

  test('a page without inline script or style has no nonce in its CSP', async () => {
    const res = await client.get('/plain/no-inline.html', { query: { v: '<script>alert(1)</script>' } });
    assert.equal(res.text, '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><!-- <script>x</script> --><textarea><script>y</script></textarea>');
    assert.ok(!/nonce/.test(res.header('content-security-policy') ?? ''), res.header('content-security-policy'));
    assert.ok(!res.text.includes('nonce'));
  });

  test('a script tag that arrives as data gets no nonce', async () => {
    const res = await client.get('/plain/data-script.html', { query: { v: '<script>alert(1)</script><style>' } });
    assert.equal(res.text, '<p>&lt;script&gt;alert(1)&lt;/script&gt;&lt;style&gt;</p>');
    assert.ok(!/nonce/.test(res.header('content-security-policy') ?? ''));
  });

  test('rendered without a request, scripts get no nonce attribute', () => {
    assert.equal(templates({ sources }).render('widget.html').toString(), '<div></div><script>2</script>');
  });

  test('req.render answers text/html with the status and headers given', async () => {
    const res = await client.get('/status');
    assert.equal(res.status, 201);
    assert.equal(res.header('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.header('x-extra'), '1');
    assert.equal(res.text, '<p>created</p>');
  });
});

describe('url_for, static and request globals', () => {
  const sources = {
    'links.html':
      '<a href="{{ url_for(\'note\', {\'id\': 5}) }}">n</a>' +
      '<a href="{{ url_for(\'file\', {\'path\': \'a b/c.txt\'}) }}">f</a>' +
      '<a href="{{ url_for(\'note\', {\'id\': 7}, {\'q\': \'x y&z\'}) }}">q</a>' +
      '<img src="{{ static(\'img/logo.png\') }}"><link rel="stylesheet" href="{{ static(\'css/a b.css\') }}">' +
      '<p>{{ request.path }} {{ request.method }} {{ request.query.get("v") }}</p>',
    'bad-route.html': '{{ url_for("nope") }}',
    'bad-static.html': '{{ static("../secret.txt") }}',
  };
  const client = testClient(appWith(sources));

  test('build app URLs and static URLs, escaped for their attribute', async () => {
    const res = await client.get('/r/links.html', { query: { v: '<v>' } });
    assert.equal(
      res.text,
      '<a href="/notes/5">n</a><a href="/files/a%20b/c.txt">f</a><a href="/notes/7?q=x+y%26z">q</a>' +
        '<img src="/static/img/logo.png"><link rel="stylesheet" href="/static/css/a%20b.css">' +
        '<p>/r/links.html GET &lt;v&gt;</p>',
    );
  });

  test('url_for takes the params as keyword arguments too', async () => {
    const app = appWith({ 'kw.html': '<a href="{{ url_for("note", id=9) }}">n</a>' });
    assert.equal((await testClient(app).get('/r/kw.html')).text, '<a href="/notes/9">n</a>');
  });

  test('an unknown route name fails the render', async () => {
    const res = await client.get('/r/bad-route.html');
    assert.equal(res.status, 500);
  });

  test('static() refuses paths that leave the static folder', () => {
    const t = templates({ sources: {} });
    for (const path of ['../secret.txt', 'css/../../x', '/etc/passwd', 'a//b', './a', 'a\\b', '']) {
      assert.throws(() => t.renderString('{{ static(p) }}', { p: path }), (err: Error & { code?: string }) => err.code === 'E_TEMPLATE_RUNTIME' && /static\(\)/.test(err.message), path);
    }
  });

  test('static() through req.render with ../: a 500, not a file path', async () => {
    const res = await client.get('/r/bad-static.html');
    assert.equal(res.status, 500);
    assert.ok(!res.text.includes('/static/../'));
  });

  test('static() uses the staticUrl option', () => {
    const t = templates({ sources: { 'p.html': '<img src="{{ static(\'a.png\') }}">' }, staticUrl: 'https://cdn.example.com/assets/' });
    assert.equal(t.render('p.html').toString(), '<img src="https://cdn.example.com/assets/a.png">');
  });

  test('url_for is not defined outside a request', () => {
    const t = templates({ sources: { 'p.html': '{{ url_for("note", {"id": 1}) }}' } });
    assert.equal(((): string | undefined => {
      try {
        t.render('p.html');
      } catch (err) {
        return (err as { code?: string }).code;
      }
      return undefined;
    })(), 'E_TEMPLATE_RUNTIME');
  });
});

describe('lenient undefined values in a request', () => {
  test('render empty and log one template.warning per place to the app log', async () => {
    const log = capture();
    const app = rampart({ env: 'test', logLevel: 'warn', logStream: log.stream, templates: templates({ sources: { 'p.html': '<p>{{ nope }}</p>' }, strict: false }) });
    app.get('/', (req) => req.render('p.html'));
    const client = testClient(app);
    assert.equal((await client.get('/')).text, '<p></p>');
    assert.equal((await client.get('/')).text, '<p></p>');
    const line = await log.waitFor((l) => l['event'] === 'template.warning', 'template.warning');
    assert.match(JSON.stringify(line), /p\.html, line 1, column 4: 'nope' is undefined/);
    assert.equal(log.lines().filter((l) => l['event'] === 'template.warning').length, 1);
  });
});

describe('an app without a template engine', () => {
  test('req.render answers 500 with E_TEMPLATES_NOT_CONFIGURED', async () => {
    const app = rampart({ env: 'test' });
    let code: string | undefined;
    app.onError((err) => {
      code = (err as { code?: string }).code;
      return undefined;
    });
    app.get('/', (req) => req.render('x.html'));
    const res = await testClient(app).get('/');
    assert.equal(res.status, 500);
    assert.equal(code, 'E_TEMPLATES_NOT_CONFIGURED');
  });
});
