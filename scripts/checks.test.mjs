// Runs the repository checks against the repository (they must pass) and against small fixture
// trees with a deliberate violation (they must fail and name it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const scripts = dirname(fileURLToPath(import.meta.url));
const temps = [];

function run(script, root) {
  const args = [join(scripts, script)];
  if (root !== undefined) args.push(root);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** Writes a fixture tree: { 'src/app.ts': '...', ... } under a fresh temporary directory. */
function fixture(files) {
  const root = mkdtempSync(join(tmpdir(), 'rampart-checks-'));
  temps.push(root);
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

after(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

const STATUS_TEXT = "export const STATUS_TEXT = Object.freeze({\n  404: 'Not Found',\n  422: 'Unprocessable Content',\n});\n";
const PACKAGE = JSON.stringify({ name: 'rampart', type: 'module', exports: { '.': './src/index.ts', './testing': './src/testing/index.ts' } });

describe('the repository passes its checks', () => {
  for (const script of ['check-exports.mjs', 'check-errors-doc.mjs', 'check-boundaries.mjs']) {
    it(`${script} exits 0`, () => {
      const r = run(script);
      assert.equal(r.status, 0, r.out);
    });
  }
});

describe('check-errors-doc', () => {
  const docs = (rows) => `# Errors\n\n| Code | What happened | How to fix |\n| --- | --- | --- |\n${rows.map((r) => `| \`${r}\` | x | y |`).join('\n')}\n`;

  it('passes when the docs list exactly the codes of the source', () => {
    const root = fixture({
      'src/http/errors.ts': STATUS_TEXT,
      'src/app.ts': "throw new HttpError(400, 'bad', { code: 'E_HOST_INVALID' });\n",
      'docs/errors.md': docs(['E_HOST_INVALID', 'E_HTTP_NOT_FOUND', 'E_HTTP_UNPROCESSABLE_CONTENT']),
    });
    const r = run('check-errors-doc.mjs', root);
    assert.equal(r.status, 0, r.out);
  });

  it('fails on an undocumented code, a derived E_HTTP_ code and a stale row, and names them', () => {
    const root = fixture({
      'src/http/errors.ts': STATUS_TEXT,
      'src/app.ts': "throw new HttpError(400, 'bad', { code: 'E_HOST_INVALID' }); const v = process.env.NODE_ENV;\n",
      'src/app.test.ts': "assert.equal(code, 'E_ONLY_IN_A_TEST');\n",
      'docs/errors.md': docs(['E_HTTP_NOT_FOUND', 'E_REMOVED_LONG_AGO']),
    });
    const r = run('check-errors-doc.mjs', root);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /missing from docs\/errors\.md \(2\):\n {2}E_HOST_INVALID {2}\(src\/app\.ts:1\)\n {2}E_HTTP_UNPROCESSABLE_CONTENT /);
    assert.match(r.out, /no longer produces \(1\):\n {2}E_REMOVED_LONG_AGO {2}\(docs\/errors\.md:6\)/);
    assert.doesNotMatch(r.out, /E_ONLY_IN_A_TEST|NODE_ENV/);
  });

  it('fails on a row that is not a code', () => {
    const root = fixture({
      'src/http/errors.ts': STATUS_TEXT,
      'docs/errors.md': docs(['E_HTTP_NOT_FOUND', 'E_HTTP_UNPROCESSABLE_CONTENT', 'E_HTTP_<status>']),
    });
    const r = run('check-errors-doc.mjs', root);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /docs\/errors\.md:7: '`E_HTTP_<status>`' is not an error code/);
  });
});

describe('check-exports', () => {
  it('passes when every export exists and every battery index.ts is exported', () => {
    const root = fixture({
      'package.json': PACKAGE,
      'src/index.ts': '',
      'src/http/context.ts': '',
      'src/testing/index.ts': '',
    });
    const r = run('check-exports.mjs', root);
    assert.equal(r.status, 0, r.out);
  });

  it('fails on a missing target, an unexported index.ts and a battery without index.ts', () => {
    const root = fixture({
      'package.json': PACKAGE,
      'src/index.ts': '',
      'src/routing/router.ts': '',
      'src/security/index.ts': '',
      'src/cache/memory-store.ts': '',
    });
    const r = run('check-exports.mjs', root);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /exports\["\.\/testing"\] → \.\/src\/testing\/index\.ts: no such file\./);
    assert.match(r.out, /src\/security\/index\.ts has no entry in package\.json "exports"/);
    assert.match(r.out, /src\/cache\/ has no index\.ts/);
    assert.doesNotMatch(r.out, /routing/);
  });
});

describe('check-boundaries', () => {
  it('passes when every import follows the layers', () => {
    const root = fixture({
      'package.json': PACKAGE,
      'src/index.ts': "export { App } from './app.js';\n",
      'src/app.ts': "import { Router } from './routing/router.js';\nimport { createServer } from 'node:http';\n",
      'src/routing/router.ts': "import type { IncomingMessage } from 'node:http';\nimport { HttpError } from '../http/errors.js';\n",
      'src/auth/index.ts': "import { sign } from '../security/signing.js';\nimport { Session } from '../sessions/index.js';\nimport { App } from 'rampart';\n",
      'src/testing/index.ts': "import type { App } from '../app.js';\n// import { main } from '../cli/main.js' is only a comment\nconst re = /'/;\n",
    });
    const r = run('check-boundaries.mjs', root);
    assert.equal(r.status, 0, r.out);
  });

  it('fails on every kind of violation and names file and line', () => {
    const root = fixture({
      'package.json': PACKAGE,
      'src/index.ts': "export { App } from './app.js';\n",
      'src/app.ts': "import { App } from './routing/group.js';\nimport { csrf } from './security/csrf.js';\n",
      'src/http/send.ts': "const { store } = await import('../sessions/index.js');\n",
      'src/routing/router.ts': "import { readFileSync } from 'node:fs';\nimport * as net from 'net';\n",
      'src/sessions/index.ts': "export { login } from '../auth/index.js';\n",
      'src/forms/index.ts': "import { get } from '../cache/index.js';\n",
      'src/testing/index.ts': "import {\n  main,\n} from '../cli/main.js';\nimport { client } from 'rampart/testing';\n",
      'src/plugins/index.ts': "import { App } from '../app.js';\n",
    });
    const r = run('check-boundaries.mjs', root);
    assert.equal(r.status, 1, r.out);
    const expected = [
      "src/app.ts:2: the core never imports a battery, but imports security/ ('./security/csrf.js').",
      "src/http/send.ts:1: the core never imports a battery, but imports sessions/ ('../sessions/index.js').",
      "src/routing/router.ts:1: routing/ does no IO, but imports 'node:fs'.",
      "src/routing/router.ts:2: routing/ does no IO, but imports 'net'.",
      "src/sessions/index.ts:1: sessions/ (layer 2) may import the core and lower layers only, but imports auth/ (layer 3) ('../auth/index.js').",
      "src/forms/index.ts:1: forms/ (layer 2) may import the core and lower layers only, but imports cache/ (layer 2) ('../cache/index.js').",
      "src/testing/index.ts:1: nothing imports cli/, but testing/ imports '../cli/main.js'.",
      'src/plugins/ is in no layer of STYLE.md section 1',
    ];
    for (const line of expected) assert.ok(r.out.includes(line), `missing: ${line}\n--- output ---\n${r.out}`);
    assert.match(r.out, /check-boundaries: 8 violation\(s\)/);
  });
});
