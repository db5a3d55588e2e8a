// Rendering: the markup of every widget parsed with parse5 (attributes, labels, ARIA links between
// inputs, help and errors), values kept except for passwords, every value escaped, and the
// template engine rendering a form without |safe, adding the CSRF field itself.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseFragment, type DefaultTreeAdapterMap } from 'parse5';
import { isSafeHtml } from 'rampart';
import { field } from 'rampart/db';
import { form, formField, LocalStorage } from 'rampart/forms';
import { templates } from 'rampart/templates';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

function elements(n: Node, out: Element[] = []): Element[] {
  if ('tagName' in n) out.push(n);
  if ('childNodes' in n) for (const c of n.childNodes) elements(c, out);
  return out;
}

function dom(markup: unknown): Element[] {
  return elements(parseFragment(String(markup)) as unknown as Node);
}

function attr(e: Element | undefined, name: string): string | undefined {
  return e?.attrs.find((a) => a.name === name)?.value;
}

function byId(els: Element[], id: string): Element {
  const found = els.find((e) => attr(e, 'id') === id);
  assert.ok(found !== undefined, `no element #${id}`);
  return found;
}

function text(n: Node): string {
  if ('value' in n && n.nodeName === '#text') return (n as { value: string }).value;
  return 'childNodes' in n ? n.childNodes.map(text).join('') : '';
}

function attrsOf(e: Element): Record<string, string> {
  return Object.fromEntries(e.attrs.map((a) => [a.name, a.value]));
}

const HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>';

const PostForm = form({
  title: field.string({ maxLength: 200, minLength: 3, helpText: 'A short <b>title</b>.', label: 'Title <i>' }),
  body: field.text({ blank: true }),
  email: formField.email({ nullable: true, placeholder: 'you@example.com', autocomplete: 'email' }),
  site: formField.url({ nullable: true }),
  stars: formField.integer({ min: 1, max: 5 }),
  price: formField.decimal({ maxDigits: 6, decimalPlaces: 2, nullable: true }),
  day: formField.date({ nullable: true }),
  at: formField.datetime({ nullable: true }),
  password: formField.password({ minLength: 8, autocomplete: 'new-password' }),
  pinned: formField.checkbox(),
  terms: formField.checkbox({ required: true, label: 'I accept the terms' }),
  status: formField.choice(['draft', 'live'], { labels: { draft: 'Draft <x>', live: 'Live' } }),
  level: formField.choice(['a', 'b'], { nullable: true, widget: 'radio' }),
  tags: formField.multipleChoice(['x', 'y', 'z']),
  colors: formField.multipleChoice(['red', 'blue'], { widget: 'select', minItems: 1 }),
});

describe('widgets', () => {
  test('a text input carries its constraints, its label and no ARIA links when valid and without help', () => {
    const els = dom(PostForm.unbound().field('email'));
    const input = byId(els, 'id_email');
    assert.deepEqual(attrsOf(input), { type: 'email', name: 'email', id: 'id_email', maxlength: '254', placeholder: 'you@example.com', autocomplete: 'email' });
    const label = els.find((e) => e.tagName === 'label')!;
    assert.equal(attr(label, 'for'), 'id_email');
    assert.equal(text(label), 'Email');
  });

  test('required, length, range and step attributes come from the rules', () => {
    const els = dom(PostForm.unbound().render());
    assert.deepEqual(attrsOf(byId(els, 'id_title')), { type: 'text', name: 'title', id: 'id_title', maxlength: '200', minlength: '3', required: '', 'aria-describedby': 'id_title_help' });
    assert.deepEqual(attrsOf(byId(els, 'id_stars')), { type: 'number', name: 'stars', id: 'id_stars', min: '1', max: '5', step: '1', required: '' });
    assert.deepEqual(attrsOf(byId(els, 'id_price')), { type: 'number', name: 'price', id: 'id_price', step: '0.01', inputmode: 'decimal' });
    assert.equal(attr(byId(els, 'id_day'), 'type'), 'date');
    assert.equal(attr(byId(els, 'id_at'), 'type'), 'datetime-local');
    assert.equal(attr(byId(els, 'id_site'), 'type'), 'url');
    assert.equal(byId(els, 'id_body').tagName, 'textarea');
    assert.equal(attr(byId(els, 'id_body'), 'required'), undefined);
  });

  test('the label and help text are escaped, and the help is linked by aria-describedby', () => {
    const els = dom(PostForm.unbound().field('title'));
    assert.equal(text(els.find((e) => e.tagName === 'label')!), 'Title <i>');
    assert.equal(text(byId(els, 'id_title_help')), 'A short <b>title</b>.');
    assert.equal(els.some((e) => e.tagName === 'i' || e.tagName === 'b'), false);
  });

  test('a password is never shown again, whatever was submitted', async () => {
    const bound = await PostForm.validate(new URLSearchParams({ password: 'hunter2-secret', title: 'x' }));
    const markup = bound.field('password').toString();
    assert.equal(markup.includes('hunter2'), false);
    assert.deepEqual(attrsOf(byId(dom(markup), 'id_password')), { type: 'password', name: 'password', id: 'id_password', maxlength: '1024', minlength: '8', autocomplete: 'new-password', required: '' });
    assert.deepEqual(bound.values.password, []);
    assert.equal(bound.fields.password.value, '');
  });

  test('a checkbox is checked from the submission; a required one carries required', async () => {
    const bound = await PostForm.validate(new URLSearchParams({ pinned: 'on' }));
    const els = dom(bound.render());
    assert.equal(attr(byId(els, 'id_pinned'), 'checked'), '');
    assert.equal(attr(byId(els, 'id_pinned'), 'value'), 'on');
    assert.equal(attr(byId(els, 'id_terms'), 'checked'), undefined);
    assert.equal(attr(byId(els, 'id_terms'), 'required'), '');
    assert.equal(attr(byId(els, 'id_terms'), 'aria-invalid'), 'true');
  });

  test('a select marks the submitted choice; labels are escaped; a required select without choice has an empty first option', async () => {
    const blank = dom(PostForm.unbound().field('status'));
    const opts = blank.filter((e) => e.tagName === 'option');
    assert.deepEqual(opts.map((o) => [attr(o, 'value'), text(o)]), [['', '---------'], ['draft', 'Draft <x>'], ['live', 'Live']]);
    const bound = await PostForm.validate(new URLSearchParams({ status: 'live' }));
    const chosen = dom(bound.field('status')).filter((e) => e.tagName === 'option');
    assert.deepEqual(chosen.map((o) => [attr(o, 'value'), attr(o, 'selected')]), [['draft', undefined], ['live', '']]);
  });

  test('radio buttons and checkboxes are a fieldset with a legend, each input with its own label', async () => {
    const bound = await PostForm.validate(new URLSearchParams([['level', 'b'], ['tags', 'x'], ['tags', 'z']]));
    const radio = dom(bound.field('level'));
    assert.equal(radio[0]!.tagName, 'fieldset');
    assert.equal(text(radio.find((e) => e.tagName === 'legend')!), 'Level');
    const inputs = radio.filter((e) => e.tagName === 'input');
    assert.deepEqual(inputs.map((i) => [attr(i, 'type'), attr(i, 'id'), attr(i, 'value'), attr(i, 'checked')]), [['radio', 'id_level_0', 'a', undefined], ['radio', 'id_level_1', 'b', '']]);
    assert.deepEqual(radio.filter((e) => e.tagName === 'label').map((l) => attr(l, 'for')), ['id_level_0', 'id_level_1']);
    const boxes = dom(bound.field('tags')).filter((e) => e.tagName === 'input');
    assert.deepEqual(boxes.map((i) => [attr(i, 'type'), attr(i, 'name'), attr(i, 'checked'), attr(i, 'required')]), [
      ['checkbox', 'tags', '', undefined],
      ['checkbox', 'tags', undefined, undefined],
      ['checkbox', 'tags', '', undefined],
    ]);
  });

  test('a multiple select keeps every submitted value', async () => {
    const bound = await PostForm.validate(new URLSearchParams([['colors', 'red'], ['colors', 'blue']]));
    const els = dom(bound.field('colors'));
    assert.equal(attr(byId(els, 'id_colors'), 'multiple'), '');
    assert.deepEqual(els.filter((e) => e.tagName === 'option').map((o) => attr(o, 'selected')), ['', '']);
  });

  test('a textarea keeps a value starting with a newline', async () => {
    const bound = await PostForm.validate({ body: '\nfirst line kept after a blank one' });
    const area = byId(dom(bound.field('body')), 'id_body');
    assert.equal(text(area), '\nfirst line kept after a blank one');
  });

  test('a datetime with seconds gets step=1 so the browser accepts it', () => {
    const els = dom(PostForm.unbound({ at: new Date('2024-05-01T10:30:15Z') }).field('at'));
    assert.equal(attr(byId(els, 'id_at'), 'value'), '2024-05-01T10:30:15');
    assert.equal(attr(byId(els, 'id_at'), 'step'), '1');
  });

  test('a file input lists the accepted types and never has a value', () => {
    const t = form({ avatar: formField.file({ accept: ['image/png', 'image/jpeg'] }), photos: formField.files({ accept: ['image/png'], required: false }) }, { storage: new LocalStorage('/tmp/rampart-never-written') });
    assert.equal(t.multipart, true);
    const els = dom(t.unbound().render());
    assert.deepEqual(attrsOf(byId(els, 'id_avatar')), { type: 'file', name: 'avatar', id: 'id_avatar', accept: 'image/png,image/jpeg', required: '' });
    assert.deepEqual(attrsOf(byId(els, 'id_photos')), { type: 'file', name: 'photos', id: 'id_photos', accept: 'image/png', multiple: '' });
  });
});

describe('errors and re-display', () => {
  test('an invalid field: value kept and escaped, aria-invalid, aria-describedby naming the errors then the help, errors in role=alert', async () => {
    const bound = await PostForm.validate(new URLSearchParams({ title: HOSTILE + 'x'.repeat(200) }));
    const markup = bound.field('title').toString();
    const els = dom(markup);
    const input = byId(els, 'id_title');
    assert.equal(attr(input, 'value'), HOSTILE + 'x'.repeat(200));
    assert.equal(attr(input, 'aria-invalid'), 'true');
    assert.equal(attr(input, 'aria-describedby'), 'id_title_errors id_title_help');
    const errors = byId(els, 'id_title_errors');
    assert.equal(attr(errors, 'role'), 'alert');
    assert.equal(text(errors), 'Ensure this value has at most 200 characters (it has 255).');
    assert.equal(els.some((e) => e.tagName === 'script' || e.tagName === 'img'), false);
    assert.equal(markup.includes('<script'), false);
  });

  test('the whole form: its own errors first, in role=alert, then every field', async () => {
    const F = form({ a: field.string(), b: field.string() }, { validate: (_d, ctx) => ctx.addError(null, 'A and B <clash>.') });
    const bound = await F.validate({ a: 'x', b: 'y' });
    const els = dom(bound.render());
    const top = byId(els, 'id_form_errors');
    assert.equal(attr(top, 'role'), 'alert');
    assert.equal(text(top), 'A and B <clash>.');
    assert.deepEqual(els.filter((e) => e.tagName === 'input').map((e) => attr(e, 'value')), ['x', 'y']);
  });

  test('asking for a field the form does not have fails, prototype names included', () => {
    for (const name of ['nope', 'constructor', '__proto__', 'toString']) {
      assert.throws(() => PostForm.unbound().field(name as 'title'), { name: 'TypeError', message: `The form has no field '${name}'.` });
    }
  });

  test('another idPrefix keeps two forms on a page apart', () => {
    const F = form({ q: field.string() }, { idPrefix: 'search_' });
    const els = dom(F.unbound().render());
    assert.equal(attr(els.find((e) => e.tagName === 'label'), 'for'), 'search_q');
    assert.equal(attr(byId(els, 'search_q'), 'name'), 'q');
  });

  test('rendering by hand: id, name, label, value, errors, describedBy', async () => {
    const bound = await PostForm.validate(new URLSearchParams({ stars: '9' }));
    const f = bound.fields.stars;
    assert.deepEqual([f.id, f.name, f.label, f.value, f.invalid, f.required, f.widgetType, f.describedBy], ['id_stars', 'stars', 'Stars', '9', true, true, 'number', 'id_stars_errors']);
    assert.deepEqual(f.errors, ['Ensure this value is less than or equal to 5.']);
    assert.ok(isSafeHtml(f.widget()) && isSafeHtml(f.labelTag()) && isSafeHtml(f.errorList()) && isSafeHtml(f.helpTag()));
    assert.deepEqual(bound.fields.status.choices, [{ value: 'draft', label: 'Draft <x>', selected: false }, { value: 'live', label: 'Live', selected: false }]);
  });

  test('extra attributes are added; event handlers, style, URLs and the field own attributes are refused', () => {
    const f = PostForm.unbound().fields.title;
    assert.deepEqual(attrsOf(byId(dom(f.widget({ class: 'wide "x"', autofocus: true, 'data-x': 1 })), 'id_title')), {
      type: 'text', name: 'title', id: 'id_title', maxlength: '200', minlength: '3', required: '', 'aria-describedby': 'id_title_help', class: 'wide "x"', autofocus: '', 'data-x': '1',
    });
    for (const name of ['onclick', 'onfocus', 'style', 'formaction', 'href', 'name', 'id', 'value', 'type', 'x y', '"a', 'a=b']) {
      assert.throws(() => f.widget({ [name]: 'x' }), { code: 'E_FORM_ATTRIBUTE_UNSAFE' }, name);
    }
  });
});

describe('with the template engine', () => {
  const engine = templates({
    strict: true,
    reload: false,
    sources: {
      'whole.html': '<form method="post" action="/p">{{ form.render() }}<button>Save</button></form>',
      'one.html': '<form method="post">{{ form.field("title") }}{{ form.fields.body.widget(class="big") }}</form>',
      'hand.html':
        '<label for="{{ form.fields.title.id }}">{{ form.fields.title.label }}</label><input name="{{ form.fields.title.name }}" value="{{ form.fields.title.value }}">{% for e in form.fields.title.errors %}<p class=e>{{ e }}</p>{% endfor %}',
      'get.html': '<form method="get">{{ form.render() }}</form>',
      'bad.html': '{{ form.fields.title.widget(onclick="steal()") }}',
      'bare.html': '<form method="post" action="/p">{{ form }}<button>Save</button></form>',
      'bare-field.html': '<div>{{ form.fields.title }}</div>',
      'in-attr.html': '<div title="{{ form }}" data-f="{{ form.fields.title }}"></div>',
      'in-url.html': '<a href="/x?f={{ field }}">x</a>',
    },
  });
  const hooks = { csrfToken: () => 'TOKEN123' };

  test('{{ form.render() }} needs no |safe, and the engine adds the CSRF field once, the form none', async () => {
    const bound = await PostForm.validate(new URLSearchParams({ title: HOSTILE }));
    assert.equal(bound.render().toString().includes('csrf_token'), false);
    const page = engine.render('whole.html', { form: bound }, hooks).toString();
    const els = dom(page);
    const hidden = els.filter((e) => attr(e, 'name') === 'csrf_token');
    assert.equal(hidden.length, 1);
    assert.equal(attr(hidden[0], 'value'), 'TOKEN123');
    assert.equal(attr(byId(els, 'id_title'), 'value'), HOSTILE);
    assert.equal(els.some((e) => e.tagName === 'script' || e.tagName === 'img'), false);
    assert.equal(els.filter((e) => e.tagName === 'form').length, 1);
  });

  test('{{ form.field("title") }} and widget(class=...) render as markup, the value escaped', async () => {
    const bound = await PostForm.validate(new URLSearchParams({ title: HOSTILE, body: '</textarea><script>x()</script>' }));
    const els = dom(engine.render('one.html', { form: bound }, hooks));
    assert.equal(attr(byId(els, 'id_title'), 'value'), HOSTILE);
    assert.equal(attr(byId(els, 'id_body'), 'class'), 'big');
    assert.equal(text(byId(els, 'id_body')), '</textarea><script>x()</script>');
    assert.equal(els.some((e) => e.tagName === 'script'), false);
  });

  test('a field rendered by hand from its parts is escaped by the engine', async () => {
    const bound = await PostForm.validate(new URLSearchParams({ title: HOSTILE }));
    const els = dom(engine.render('hand.html', { form: bound }, hooks));
    assert.equal(attr(els.find((e) => e.tagName === 'input'), 'value'), HOSTILE);
    assert.equal(text(els.find((e) => e.tagName === 'label')!), 'Title <i>');
    assert.equal(els.some((e) => e.tagName === 'script'), false);
  });

  test('a GET form gets no CSRF field', () => {
    const page = engine.render('get.html', { form: PostForm.unbound() }, hooks).toString();
    assert.equal(page.includes('csrf_token'), false);
  });

  test('an event handler asked from a template fails the render', () => {
    assert.throws(() => engine.render('bad.html', { form: PostForm.unbound() }, hooks), /cannot be added to a form field/);
  });

  test('{{ form }} renders as {{ form.render() }} does, and {{ form.fields.title }} as the row', async () => {
    const bound = await PostForm.validate(new URLSearchParams({ title: HOSTILE }));
    assert.equal(engine.render('bare.html', { form: bound }, hooks).toString(), engine.render('whole.html', { form: bound }, hooks).toString());
    assert.equal(engine.render('bare-field.html', { form: bound }, hooks).toString(), `<div>${bound.field('title')}</div>`);
    const els = dom(engine.render('bare.html', { form: bound }, hooks));
    assert.equal(attr(byId(els, 'id_title'), 'value'), HOSTILE);
    assert.equal(els.some((e) => e.tagName === 'script' || e.tagName === 'img'), false);
  });

  test('in an attribute a form is not markup: the render fails and says what to print instead', () => {
    assert.throws(() => engine.render('in-attr.html', { form: PostForm.unbound() }, hooks), /renders as markup \(a form or a form field\) is printed outside element text/);
    assert.throws(() => engine.render('in-url.html', { field: PostForm.unbound().fields.title }, hooks), /printed outside element text/);
  });
});
