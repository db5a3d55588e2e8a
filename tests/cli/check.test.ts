/**
 * `rampart check [--deploy]`: each deploy check warns on an insecure setting, stays silent when
 * its feature is not installed, and stays silent on a secure setting; every finding is asserted
 * by its exact id. The fixture app turns features on and off through FIX_* variables.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG, STRONG_SECRET, fixtureProject, rampartRun, removeProjects, type Project } from './support.ts';

after(removeProjects);

const APP = `import { rampart } from 'rampart';
import { csrf } from 'rampart/security';
import { MemoryStore, sessions } from 'rampart/sessions';

const on = (name: string): boolean => process.env['FIX_' + name] === '1';
const headers = on('HEADERS_OFF')
  ? false
  : {
      ...(on('FRAME_OFF') ? { frameOptions: false as const } : {}),
      ...(on('CSP_OFF') ? { contentSecurityPolicy: false } : {}),
      ...(on('CSP_UNSAFE') ? { contentSecurityPolicy: { 'script-src': ["'self'", "'unsafe-inline'"] } } : {}),
      ...(on('NOSNIFF_OFF') ? { contentTypeOptions: false } : {}),
      ...(on('REFERRER_UNSAFE') ? { referrerPolicy: 'unsafe-url' } : {}),
      ...(on('COOP_OFF') ? { crossOriginOpenerPolicy: false } : {}),
      ...(on('PERMISSIONS_OFF') ? { permissionsPolicy: false } : {}),
    };

export const app = rampart({ headers });
if (on('SESSIONS')) app.use(sessions({ store: new MemoryStore() }));
if (on('CSRF_COOKIE')) app.use(csrf());
app.get('/', () => 'home');
app.post('/notes', () => 'saved');
if (on('EXEMPT')) app.post('/webhook', { csrf: false }, () => 'ok');
if (on('ROUTE_HEADERS_OFF')) app.get('/widget', { headers: false }, () => 'widget');
`;

// Never imported: only read by the source scan, the way it reads an app's real modules.
const UNSAFE_SOURCE = `import { trustedHtml } from 'rampart';
import { authRoutes } from 'rampart/auth';
import { formField } from 'rampart/forms';
import { MemoryStore, sessions } from 'rampart/sessions';

export const banner = trustedHtml('<b>Welcome</b>');
// trustedHtml('in a comment is not a finding')
export const lax = () => sessions({ store: new MemoryStore(), csrf: false });
export const accounts = (db: never) => authRoutes({ db, throttle: false } as never);
export const attachment = () => formField.file({ accept: ['application/octet-stream'] });
`;

/** Production as `rampart start` runs it, with every setting secure. */
const SECURE_ENV = { SECRET_KEY: STRONG_SECRET, ALLOWED_HOSTS: 'example.com', HTTPS: 'true', HSTS_PRELOAD: 'true', FIX_SESSIONS: '1' };

interface Finding {
  id: string;
  level: string;
  message: string;
  fix: string;
  where?: string[];
}

function project(extra: Record<string, string> = {}): Project {
  return fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': APP, ...extra });
}

async function check(p: Project, env: Record<string, string>, args: string[] = ['--deploy']): Promise<{ code: number | null; findings: Finding[] }> {
  const r = await rampartRun(['check', ...args, '--json'], { cwd: p.dir, env });
  assert.equal(r.stderr, '', r.stderr);
  return { code: r.code, findings: JSON.parse(r.stdout) as Finding[] };
}

const ids = (findings: readonly Finding[]): string[] => findings.map((f) => f.id);

describe('rampart check --deploy: silent on a secure app', () => {
  test('production settings, HTTPS with HSTS preload, sessions, no exemption: no finding, exit 0', async () => {
    const p = project();
    const r = await rampartRun(['check', '--deploy'], { cwd: p.dir, env: SECURE_ENV });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, 'No issues found.\n');
  });
});

describe('rampart check --deploy: settings', () => {
  test('features not installed: no sessions and no csrf() mean no cookie findings, only HTTPS off (security.W008)', async () => {
    const { code, findings } = await check(project(), { ...SECURE_ENV, HTTPS: 'false', FIX_SESSIONS: '0' });
    assert.equal(code, 1);
    assert.deepEqual(ids(findings), ['security.W008']);
    assert.equal(findings[0]!.level, 'warning');
    assert.match(findings[0]!.fix, /set HTTPS=true/);
  });

  test('insecure headers, cookies without Secure, exempt routes and unsafe source: each finding by id, exit 1', async () => {
    const p = project({ 'src/unsafe.ts': UNSAFE_SOURCE });
    const env = {
      ...SECURE_ENV,
      HTTPS: 'false',
      FIX_CSRF_COOKIE: '1',
      FIX_FRAME_OFF: '1',
      FIX_CSP_OFF: '1',
      FIX_NOSNIFF_OFF: '1',
      FIX_REFERRER_UNSAFE: '1',
      FIX_COOP_OFF: '1',
      FIX_PERMISSIONS_OFF: '1',
      FIX_EXEMPT: '1',
      FIX_ROUTE_HEADERS_OFF: '1',
    };
    const { code, findings } = await check(p, env);
    assert.equal(code, 1);
    assert.deepEqual(ids(findings), [
      'auth.W001',
      'csrf.W001',
      'csrf.W002',
      'security.W006',
      'security.W008',
      'security.W012',
      'security.W016',
      'security.W019',
      'security.W022',
      'security.W024',
      'security.W030',
      'security.W033',
      'security.W034',
      'templates.W001',
      'uploads.W001',
    ]);
    const byId = new Map(findings.map((f) => [f.id, f]));
    assert.deepEqual(byId.get('csrf.W001')!.where, ['POST /webhook']);
    assert.deepEqual(byId.get('security.W033')!.where, ['GET /widget']);
    assert.deepEqual(byId.get('templates.W001')!.where, ['src/unsafe.ts:6']);
    assert.deepEqual(byId.get('csrf.W002')!.where, ['src/unsafe.ts:8']);
    assert.deepEqual(byId.get('auth.W001')!.where, ['src/unsafe.ts:9']);
    assert.deepEqual(byId.get('uploads.W001')!.where, ['src/unsafe.ts:10 (accepts application/octet-stream)']);
    assert.match(byId.get('security.W022')!.message, /'unsafe-url'/);
  });

  test('HTTPS with HSTS_SECONDS=0: security.W004', async () => {
    const { code, findings } = await check(project(), { ...SECURE_ENV, HSTS_SECONDS: '0' });
    assert.equal(code, 1);
    assert.deepEqual(ids(findings), ['security.W004']);
  });

  test('HSTS without subdomains (security.W005, a warning) and without preload (security.W021, a note)', async () => {
    const { code, findings } = await check(project(), { ...SECURE_ENV, HSTS_INCLUDE_SUBDOMAINS: 'false', HSTS_PRELOAD: 'false' });
    assert.equal(code, 1);
    assert.deepEqual(findings.map((f) => [f.id, f.level]), [
      ['security.W005', 'warning'],
      ['security.W021', 'info'],
    ]);
  });

  test('a note alone does not fail the check: exit 0', async () => {
    const p = project();
    const r = await rampartRun(['check', '--deploy'], { cwd: p.dir, env: { ...SECURE_ENV, HSTS_PRELOAD: 'false' } });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^security\.W021 info: HSTS preload is off/m);
    assert.match(r.stdout, /^No issues found \(1 note\)\.$/m);
  });

  test('every security header off (headers: false): security.W002, and HSTS is not sent (security.W004)', async () => {
    const { findings } = await check(project(), { ...SECURE_ENV, FIX_HEADERS_OFF: '1' });
    assert.deepEqual(ids(findings), ['security.W002', 'security.W004']);
  });

  test("a CSP that allows 'unsafe-inline' scripts: security.W031", async () => {
    const { findings } = await check(project(), { ...SECURE_ENV, FIX_CSP_UNSAFE: '1' });
    assert.deepEqual(ids(findings), ['security.W031']);
  });

  test('development mode: security.W018, with the random key (W009) and local hosts (W020)', async () => {
    const { code, findings } = await check(project(), { NODE_ENV: 'development', HTTPS: 'true', HSTS_PRELOAD: 'true', FIX_SESSIONS: '1' });
    assert.equal(code, 1);
    assert.deepEqual(ids(findings), ['security.W009', 'security.W018', 'security.W020']);
    assert.match(findings[0]!.message, /^SECRET_KEY is not set \(this run uses a random key\)\./);
  });

  test('no SECRET_KEY nor ALLOWED_HOSTS: the app would refuse to start; both reported as errors', async () => {
    const { code, findings } = await check(project(), { HTTPS: 'true' });
    assert.equal(code, 1);
    assert.deepEqual(findings.map((f) => [f.id, f.level]), [
      ['security.W009', 'error'],
      ['security.W020', 'error'],
    ]);
    assert.match(findings[0]!.message, /^SECRET_KEY is not set; the app refuses to start in production\./);
  });

  test('a placeholder SECRET_KEY: security.W009', async () => {
    const { findings } = await check(project(), { ...SECURE_ENV, SECRET_KEY: 'changeme-changeme-changeme-changeme-changeme-1234567' });
    assert.deepEqual(ids(findings), ['security.W009']);
  });

  test("ALLOWED_HOSTS='*': security.W020", async () => {
    const { findings } = await check(project(), { ...SECURE_ENV, ALLOWED_HOSTS: '*' });
    assert.deepEqual(ids(findings), ['security.W020']);
    assert.match(findings[0]!.message, /contains '\*'/);
  });

  test('routes outside the CSRF layer of a group: csrf.W003', async () => {
    const app = `import { rampart, group } from 'rampart';
import { MemoryStore, sessions } from 'rampart/sessions';
export const app = rampart();
const site = group().use(sessions({ store: new MemoryStore() }));
site.post('/notes', () => 'saved');
app.mount('/site', site);
app.post('/api/items', () => ({}));
`;
    const { findings } = await check(fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': app }), { ...SECURE_ENV });
    assert.deepEqual(ids(findings), ['csrf.W003']);
    assert.deepEqual(findings[0]!.where, ['POST /api/items']);
  });

  test('silencedChecks in the config hides a reviewed finding and says so', async () => {
    const p = project();
    p.write('rampart.config.ts', `import { defineConfig } from 'rampart/cli';\nexport default defineConfig({ app: './src/app.ts', silencedChecks: ['security.W008', 'security.W012'] });\n`);
    const r = await rampartRun(['check', '--deploy'], { cwd: p.dir, env: { ...SECURE_ENV, HTTPS: 'false' } });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.stdout, 'No issues found (2 silenced).\n');
  });

  test('the text report: id, level, message, where and fix', async () => {
    const p = project();
    const r = await rampartRun(['check', '--deploy'], { cwd: p.dir, env: { ...SECURE_ENV, FIX_EXEMPT: '1' } });
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /^csrf\.W001 warning: 1 route is exempt from the CSRF check \(csrf: false\); .*\n {4}at POST \/webhook\n {2}fix: Keep csrf: false only for requests authenticated another way.*\n\n1 issue found\.\n$/,
    );
  });
});

describe('rampart check: templates and migrations', () => {
  test('|safe in a template: templates.E001 with file and line, exit 1 (without --deploy too)', async () => {
    const p = project({ 'templates/profile.html': '<h1>{{ name }}</h1>\n<p>{{ bio | safe }}</p>\n' });
    const { code, findings } = await check(p, {}, []);
    assert.equal(code, 1);
    assert.deepEqual(ids(findings), ['templates.E001']);
    assert.deepEqual(findings[0]!.where, ['templates/profile.html:2']);
  });

  test('templates without |safe and a plain check: exit 0', async () => {
    const p = project({ 'templates/profile.html': '<p>{{ bio | sanitize }}</p>\n' });
    const r = await rampartRun(['check'], { cwd: p.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, 'No issues found.\n');
  });

  test('models changed without a migration: migrations.W001 lists the changes; after makemigrations it is silent', async () => {
    const app = `import { rampart } from 'rampart';
import { field, model } from 'rampart/db';
export const Post = model('blog_post', { title: field.string({ maxLength: 100 }) });
export const models = [Post];
export const app = rampart();
`;
    const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': app });
    const before = await check(p, {}, []);
    assert.equal(before.code, 1);
    assert.deepEqual(ids(before.findings), ['migrations.W001']);
    assert.deepEqual(before.findings[0]!.where, ['Create table blog_post']);
    const made = await rampartRun(['makemigrations'], { cwd: p.dir });
    assert.equal(made.code, 0, made.stderr);
    const afterwards = await check(p, {}, []);
    assert.equal(afterwards.code, 0);
    assert.deepEqual(afterwards.findings, []);
  });
});
