/**
 * `rampart routes`: method, path, name, guards and CSRF state of every route, as a table and JSON.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG, fixtureProject, rampartRun, removeProjects } from './support.ts';

after(removeProjects);

const APP = `import { rampart, group, type Middleware } from 'rampart';
import { MemoryStore, sessions } from 'rampart/sessions';

export const app = rampart();
app.use(sessions({ store: new MemoryStore() }));
app.get('/', { name: 'home' }, () => 'home');
app.post('/webhook', { csrf: false, name: 'hook' }, () => 'ok');
app.all('/any', () => 'any');

// A guard: a named middleware function, as rampart/auth's requireLogin() returns.
function requireLogin(): Middleware {
  return async function requireLogin(_req, next) { return next(); };
}
const account = group().use(requireLogin());
account.get('/', { name: 'index' }, () => 'account');
account.post('/email', { name: 'email' }, () => 'changed');
const admin = group().use(async (_req, next) => next());
admin.delete('/users/:id<int>', () => 'gone');
account.mount('/admin', admin);
app.mount('/account', account, { name: 'account' });
`;

test('the table lists method, path, name, guards and CSRF, app middleware above it', async () => {
  const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': APP });
  const r = await rampartRun(['routes'], { cwd: p.dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      'App middleware: sessions',
      '',
      'METHOD  PATH                           NAME           GUARDS                     CSRF',
      '------  -----------------------------  -------------  -------------------------  ----',
      'GET     /                              home                                      -',
      'POST    /webhook                       hook                                      off',
      'ANY     /any                                                                     on',
      'GET     /account                       account.index  requireLogin               -',
      'POST    /account/email                 account.email  requireLogin               on',
      'DELETE  /account/admin/users/:id<int>                 requireLogin, (anonymous)  on',
      '',
    ].join('\n'),
  );
});

test('--json gives the same rows for scripts', async () => {
  const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': APP });
  const r = await rampartRun(['routes', '--json'], { cwd: p.dir });
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { method: string; path: string; name: string | null; guards: string[]; csrf: string }[];
  assert.deepEqual(rows[1], { method: 'POST', path: '/webhook', name: 'hook', guards: [], csrf: 'off' });
  assert.deepEqual(rows[5], { method: 'DELETE', path: '/account/admin/users/:id<int>', name: null, guards: ['requireLogin', '(anonymous)'], csrf: 'on' });
});

test('an unsafe route with no CSRF layer is "none"', async () => {
  const p = fixtureProject({ 'rampart.config.ts': CONFIG, 'src/app.ts': `import { rampart } from 'rampart';\nexport const app = rampart();\napp.post('/api/items', () => ({}));\n` });
  const r = await rampartRun(['routes', '--json'], { cwd: p.dir });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [{ method: 'POST', path: '/api/items', name: null, guards: [], csrf: 'none' }]);
});

test('routes that conflict across groups fail as they would at startup', async () => {
  const p = fixtureProject({
    'rampart.config.ts': CONFIG,
    'src/app.ts': `import { rampart, group } from 'rampart';\nexport const app = rampart();\napp.get('/a/:id', () => 'x');\nconst g = group();\ng.get('/:name', () => 'y');\napp.mount('/a', g);\n`,
  });
  const r = await rampartRun(['routes'], { cwd: p.dir });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[E_ROUTE_CONFLICT\]$/m);
});
