/**
 * `rampart audit` against a registry stand-in on 127.0.0.1 that answers the advisory endpoint with
 * recorded responses (tests/cli/fixtures/audit): npm itself does the request and the matching, the
 * command reads its report. No test reaches the network.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { fixtureProject, freePort, rampartRun, removeProjects, type Project } from './support.ts';

const FIXTURES = new URL('./fixtures/audit/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

/** What the stand-in answers to the bulk advisory request, switched per test. */
let answer: { status: number; body: string } = { status: 200, body: '{}' };
const requests: { method: string; url: string; body: string }[] = [];
let server: Server;
let registry: string;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      requests.push({ method: req.method ?? '', url: req.url ?? '', body: body.toString('utf8') });
      if (req.method === 'POST' && req.url === '/-/npm/v1/security/advisories/bulk') {
        res.writeHead(answer.status, answer.status === 405 ? { allow: 'GET,HEAD' } : { 'content-type': 'application/json' });
        res.end(answer.status === 405 ? '' : answer.body);
        return;
      }
      // Package documents (npm asks for them to work out fixes): none here.
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"Not found"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(async () => {
  removeProjects();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function audited(): Project {
  return fixtureProject({ 'package.json': fixture('package.json'), 'package-lock.json': fixture('package-lock.json') }, { link: false });
}

// npm retries failed requests for a minute by default; one attempt keeps the unreachable case short.
const NPM_ENV = { npm_config_fetch_retries: '0', npm_config_audit: 'true', npm_config_update_notifier: 'false' };

function audit(p: Project, args: string[] = []): ReturnType<typeof rampartRun> {
  return rampartRun(['audit', '--registry', registry, ...args], { cwd: p.dir, env: NPM_ENV, timeoutMs: 120_000 });
}

describe('rampart audit', () => {
  test('a critical advisory: exit 1 with the package, severity, fix and advisory; the lockfile was sent', async () => {
    answer = { status: 200, body: fixture('bulk-critical.json') };
    requests.length = 0;
    const r = await audit(audited());
    assert.equal(r.code, 1, r.stderr);
    const advisory = 'Prototype Pollution in minimist (https://github.com/advisories/GHSA-xvch-5gv4-984h)';
    assert.equal(
      r.stdout,
      [
        'PACKAGE   SEVERITY  DIRECT  FIX         ADVISORY',
        `--------  --------  ------  ----------  ${'-'.repeat(advisory.length)}`,
        `minimist  critical  yes     no fix yet  ${advisory}`,
        '',
        'Vulnerabilities: 1 moderate, 1 critical; 1 at or above high.',
        '',
      ].join('\n'),
    );
    const bulk = requests.find((q) => q.method === 'POST');
    assert.ok(bulk !== undefined, 'npm asked the advisory endpoint');
    assert.deepEqual(JSON.parse(bulk.body), { minimist: ['1.2.5'], ms: ['0.7.0'] });
  });

  test('--level moderate also fails on the moderate one', async () => {
    answer = { status: 200, body: fixture('bulk-critical.json') };
    const r = await audit(audited(), ['--level', 'moderate']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^minimist +critical /m);
    assert.match(r.stdout, /^ms +moderate +yes +no fix yet +Vercel ms Inefficient Regular Expression Complexity vulnerability/m);
    assert.match(r.stdout, /; 2 at or above moderate\.\n$/);
  });

  test('only advisories below the level: listed in the summary, exit 0', async () => {
    answer = { status: 200, body: fixture('bulk-moderate.json') };
    const r = await audit(audited());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Vulnerabilities: 1 moderate; 0 at or above high.\n');
  });

  test('--production leaves devDependencies out', async () => {
    answer = { status: 200, body: fixture('bulk-moderate.json') };
    requests.length = 0;
    const r = await audit(audited(), ['--production', '--level', 'low']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'No known vulnerabilities; 0 at or above low.\n');
    assert.deepEqual(JSON.parse(requests.find((q) => q.method === 'POST')!.body), { minimist: ['1.2.5'] });
  });

  test('the registry answers 405 (as this machine\'s does): exit 3, nothing audited', async () => {
    answer = { status: 405, body: '' };
    const r = await audit(audited());
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^rampart: The registry could not be asked for advisories: 405 Method Not Allowed - POST http:\/\/127\.0\.0\.1:\d+\/-\/npm\/v1\/security\/advisories\/bulk\. Nothing was audited\. \[E_CLI_AUDIT_UNAVAILABLE\]$/m,
    );
  });

  test('an unreachable registry: exit 3', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/`;
    const r = await rampartRun(['audit', '--registry', closed], { cwd: audited().dir, env: NPM_ENV, timeoutMs: 120_000 });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stderr, /^rampart: The registry could not be asked for advisories: .*ECONNREFUSED.*\[E_CLI_AUDIT_UNAVAILABLE\]$/m);
  });

  test('no lockfile: exit 1 and how to make one', async () => {
    const r = await rampartRun(['audit'], { cwd: fixtureProject({}, { link: false }).dir, env: NPM_ENV });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^rampart: No package-lock\.json in .+: there is nothing to audit\. \[E_CLI_AUDIT_NO_LOCKFILE\]$/m);
  });

  test('an unknown --level exits 2', async () => {
    const r = await rampartRun(['audit', '--level', 'severe'], { cwd: audited().dir, env: NPM_ENV });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--level must be low, moderate, high or critical, got "severe"\./);
  });
});
