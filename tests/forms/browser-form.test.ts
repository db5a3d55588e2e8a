// A real browser (Debian's chromium, driven by playwright-core) fills a sign-up form rendered by the
// template engine, with sessions and CSRF on. A submission with errors comes back with the values
// kept (never the passwords), the inputs marked aria-invalid, and each message in a role="alert"
// element that Chromium's accessibility tree gives as the input's description — what a screen
// reader announces. A hostile value is shown as text. Skips, with the reason, without chromium.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rampart, type RunningServer } from 'rampart';
import { form, formField } from 'rampart/forms';
import { sessions, MemoryStore } from 'rampart/sessions';
import { templates } from 'rampart/templates';
import { liveServer } from 'rampart/testing';
import type { Browser, CDPSession, Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `chromium not found at ${CHROMIUM}`;
const WAIT_MS = 10_000;
const HOSTILE = '"><script>window.pwned=1</script>';

const taken = new Set(['ada']);
const SignupForm = form(
  {
    username: formField.string({
      maxLength: 40,
      autocomplete: 'username',
      helpText: 'Letters, digits and underscores.',
      validators: [(v) => (/^[a-z0-9_]+$/.test(v) ? undefined : 'Use lower-case letters, digits and underscores.')],
      asyncValidators: [async (v) => (taken.has(v) ? 'This username is taken.' : undefined)],
    }),
    email: formField.email({ autocomplete: 'email' }),
    password: formField.password({ minLength: 8, autocomplete: 'new-password' }),
    confirm: formField.password({ autocomplete: 'new-password', label: 'Password again' }),
    plan: formField.choice(['free', 'pro'], { widget: 'radio', labels: { free: 'Free', pro: 'Pro' } }),
    terms: formField.checkbox({ required: true, label: 'I accept the terms' }),
  },
  {
    validate(data, ctx) {
      if (data.password !== data.confirm) ctx.addError('confirm', 'The two passwords do not match.');
    },
  },
);

const PAGE =
  '<!doctype html><html lang="en"><head><title>{{ title }}</title></head><body><h1>{{ title }}</h1>' +
  '<form method="post" action="/signup">{{ form.render() }}<button id="send" type="submit">Sign up</button></form></body></html>';

interface AxNode {
  role?: { value?: string };
  name?: { value?: string };
  description?: { value?: string };
  properties?: { name: string; value: { value?: unknown } }[];
}

describe('a form in a real browser', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  const created: string[] = [];

  before(async () => {
    const app = rampart({ env: 'test', envFile: false, logLevel: 'silent', templates: templates({ strict: true, reload: false, sources: { 'signup.html': PAGE } }) });
    app.use(sessions({ store: new MemoryStore() }));
    app.get('/signup', (req) => req.render('signup.html', { title: 'Sign up', form: SignupForm.unbound({ plan: 'free' }) }));
    app.post('/signup', async (req) => {
      const bound = await SignupForm.bind(req);
      if (!bound.valid) return req.render('signup.html', { title: 'Please fix the errors', form: bound }, { status: 422 });
      created.push(bound.data.username);
      return req.redirect('/welcome', 303);
    });
    app.get('/welcome', () => 'Welcome!');
    server = await liveServer(app);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      timeout: WAIT_MS,
    });
    const context = await browser.newContext();
    context.setDefaultTimeout(WAIT_MS);
    context.setDefaultNavigationTimeout(WAIT_MS);
    page = await context.newPage();
    cdp = await context.newCDPSession(page);
    await cdp.send('Accessibility.enable');
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** What Chromium's accessibility tree says about an element: its role, name, description, invalid state. */
  async function accessible(selector: string): Promise<{ role: string; name: string; description: string; invalid: string }> {
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    assert.notEqual(nodeId, 0, `no element ${selector}`);
    const { nodes } = (await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false })) as { nodes: AxNode[] };
    const n = nodes[0]!;
    const invalid = n.properties?.find((p) => p.name === 'invalid')?.value.value;
    return { role: n.role?.value ?? '', name: n.name?.value ?? '', description: n.description?.value ?? '', invalid: String(invalid ?? 'false') };
  }

  async function submit(values: { username: string; email: string; password: string; confirm: string; plan: 'free' | 'pro'; terms: boolean }): Promise<number> {
    await page.goto(`${server.url}/signup`);
    await page.fill('#id_username', values.username);
    await page.fill('#id_email', values.email);
    await page.fill('#id_password', values.password);
    await page.fill('#id_confirm', values.confirm);
    await page.check(values.plan === 'pro' ? '#id_plan_1' : '#id_plan_0');
    if (values.terms) await page.check('#id_terms');
    const [response] = await Promise.all([page.waitForResponse((r) => r.url() === `${server.url}/signup` && r.request().method() === 'POST'), page.click('#send')]);
    await page.waitForLoadState('domcontentloaded');
    return response.status();
  }

  test('a taken username comes back with the values kept, aria-invalid, and the error announced', async () => {
    const status = await submit({ username: 'ada', email: 'ada@example.com', password: 'correct horse', confirm: 'correct horse', plan: 'pro', terms: true });
    assert.equal(status, 422);
    assert.equal(await page.title(), 'Please fix the errors');
    // Values kept, passwords never sent back.
    assert.equal(await page.inputValue('#id_username'), 'ada');
    assert.equal(await page.inputValue('#id_email'), 'ada@example.com');
    assert.equal(await page.inputValue('#id_password'), '');
    assert.equal(await page.inputValue('#id_confirm'), '');
    assert.equal(await page.isChecked('#id_plan_1'), true);
    assert.equal(await page.isChecked('#id_terms'), true);
    // The error is in a role=alert element, and it is the input's accessible description (before the help).
    assert.equal(await page.getAttribute('#id_username', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#id_username_errors', 'role'), 'alert');
    assert.deepEqual(await page.getByRole('alert').allTextContents(), ['This username is taken.']);
    const ax = await accessible('#id_username');
    assert.deepEqual(ax, { role: 'textbox', name: 'Username', description: 'This username is taken. Letters, digits and underscores.', invalid: 'true' });
    // Fields without errors are not marked invalid.
    assert.equal((await accessible('#id_email')).invalid, 'false');
    assert.deepEqual(created, []);
  });

  test('two passwords that differ: the cross-field error is announced on the second one', async () => {
    const status = await submit({ username: 'grace', email: 'grace@example.com', password: 'correct horse', confirm: 'correct horsE', plan: 'free', terms: true });
    assert.equal(status, 422);
    assert.equal(await page.inputValue('#id_username'), 'grace');
    const ax = await accessible('#id_confirm');
    assert.deepEqual(ax, { role: 'textbox', name: 'Password again', description: 'The two passwords do not match.', invalid: 'true' });
    assert.equal(await page.textContent('#id_confirm_errors'), 'The two passwords do not match.');
    assert.deepEqual(created, []);
  });

  test('a hostile value is shown back as text in the input, and no script runs', async () => {
    const status = await submit({ username: HOSTILE, email: 'x@example.com', password: 'correct horse', confirm: 'correct horse', plan: 'free', terms: true });
    assert.equal(status, 422);
    assert.equal(await page.inputValue('#id_username'), HOSTILE);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned), undefined);
    assert.equal(await page.locator('script').count(), 0);
    assert.equal((await accessible('#id_username')).description, 'Use lower-case letters, digits and underscores. Letters, digits and underscores.');
  });

  test('a valid submission goes through the CSRF check and redirects', async () => {
    const status = await submit({ username: 'linus', email: 'linus@example.com', password: 'correct horse', confirm: 'correct horse', plan: 'pro', terms: true });
    assert.equal(status, 303);
    await page.waitForURL(`${server.url}/welcome`);
    assert.equal(await page.textContent('body'), 'Welcome!');
    assert.deepEqual(created, ['linus']);
  });
});
