// Runs the type check, then node's test runner over every test file, and fails when no test ran:
// `node --test` on Node 20 does not find .ts files by itself and exits 0 on zero tests.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const roots = ['src', 'tests', 'examples', 'scripts'];
const only = process.argv.slice(2);

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.test\.(ts|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

let files = roots.flatMap((r) => walk(r, [])).sort();
if (only.length > 0) files = files.filter((f) => only.some((o) => f.includes(o)));

if (only.length === 0) {
  const tsc = spawnSync('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('\ntypecheck failed');
    process.exit(1);
  }
  console.log('typecheck passed');
}

if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'rampart-test-'));
const tap = join(dir, 'report.tap');
const run = spawnSync(
  process.execPath,
  [
    '--import', 'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'test' } },
);
const report = readFileSync(tap, 'utf8');
rmSync(dir, { recursive: true, force: true });
const count = (name) => Number(/^# (\w+) (\d+)$/gm.exec ? (report.match(new RegExp(`^# ${name} (\\d+)$`, 'm')) ?? [])[1] ?? 0 : 0);
const tests = count('tests');
const pass = count('pass');
const fail = count('fail');
const skipped = count('skipped');
console.log(`\n${files.length} files, ${tests} tests: ${pass} passed, ${fail} failed, ${skipped} skipped`);
if (tests === 0) {
  console.error('no tests ran: the runner found nothing to execute');
  process.exit(1);
}
process.exit(run.status ?? 1);
