// Checks the package's public entry points against the source tree:
//   1. every target in package.json "exports" (including conditional targets) is an existing file;
//   2. every src/<folder>/index.ts has an "exports" entry that points at it;
//   3. every src/<folder>/ other than the core folders has an index.ts (its public surface).
// The core folders (http, routing) are exported through src/index.ts and have no index.ts of their
// own, so rules 2 and 3 skip them.
//
// Usage: node scripts/check-exports.mjs [root]   (root defaults to the repository)
// Exit 0 when everything matches, 1 with the problems listed, 2 when package.json is unreadable.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const CORE_FOLDERS = new Set(['http', 'routing']);

let pkg;
try {
  pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
} catch (err) {
  console.error(`check-exports: cannot read ${join(root, 'package.json')}: ${err.message}`);
  process.exit(2);
}

const problems = [];

/** [subpath, target] for every string target, walking conditional objects and arrays. */
function targets(subpath, value, out) {
  if (typeof value === 'string') out.push([subpath, value]);
  else if (Array.isArray(value)) for (const v of value) targets(subpath, v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) targets(subpath, v, out);
  return out;
}

const exportsField = pkg.exports;
let entries = [];
if (exportsField === undefined) problems.push('package.json has no "exports" field.');
else if (typeof exportsField === 'string' || Array.isArray(exportsField)) entries = targets('.', exportsField, []);
else {
  const keys = Object.keys(exportsField);
  const subpathKeys = keys.filter((k) => k.startsWith('.'));
  if (subpathKeys.length === 0) entries = targets('.', exportsField, []); // conditions only: the "." entry
  else {
    if (subpathKeys.length !== keys.length) problems.push('package.json "exports" mixes subpaths and conditions at the top level.');
    for (const k of subpathKeys) targets(k, exportsField[k], entries);
  }
}

const exported = new Set();
for (const [subpath, target] of entries) {
  if (target.includes('*')) {
    problems.push(`exports["${subpath}"] → ${target}: pattern exports are not checked; list each entry point.`);
    continue;
  }
  if (!target.startsWith('./')) {
    problems.push(`exports["${subpath}"] → ${target}: a target must start with "./".`);
    continue;
  }
  const file = resolve(root, target);
  if (!file.startsWith(root + sep)) {
    problems.push(`exports["${subpath}"] → ${target}: points outside the package.`);
    continue;
  }
  if (!existsSync(file) || !statSync(file).isFile()) problems.push(`exports["${subpath}"] → ${target}: no such file.`);
  else exported.add(file);
}

const srcDir = join(root, 'src');
let folders = [];
try {
  folders = readdirSync(srcDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
} catch {
  problems.push('there is no src/ folder.');
}
for (const name of folders) {
  if (CORE_FOLDERS.has(name)) continue;
  const index = join(srcDir, name, 'index.ts');
  if (!existsSync(index)) {
    problems.push(`src/${name}/ has no index.ts: a battery's public surface is its index.ts, exported as "./${name}".`);
  } else if (!exported.has(index)) {
    problems.push(`src/${name}/index.ts has no entry in package.json "exports" (add "./${name}": "./src/${name}/index.ts").`);
  }
}
if (!exported.has(join(srcDir, 'index.ts'))) problems.push('src/index.ts (the core) is not exported (add ".": "./src/index.ts").');

if (problems.length > 0) {
  console.error(`check-exports: ${problems.length} problem(s):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`check-exports: ${entries.length} export targets exist; every battery index.ts is exported`);
