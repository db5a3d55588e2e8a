// Checks the dependency direction of STYLE.md section 1 on every import in src/**/*.ts (tests
// excluded):
//   - the core (src/*.ts, src/http/, src/routing/) imports no battery;
//   - a battery imports the core and batteries of lower layers only:
//       1 security, templates, db, static, mail · 2 sessions, forms, cache · 3 auth · 4 admin · 5 testing, cli
//   - nothing outside src/cli/ imports src/cli/;
//   - src/routing/ imports no IO module (node:fs, node:net, node:http, node:https,
//     node:child_process, with or without the node: prefix); `import type` is allowed, it is erased.
// A folder of src/ that is in no layer is reported, so a new battery gets a place in the table.
// Relative imports, dynamic `import('…')`, `export … from` and self-imports through the package
// name (`rampart`, `rampart/testing`) are all followed; comments are ignored.
//
// Usage: node scripts/check-boundaries.mjs [root]   (root defaults to the repository)
// Exit 0 when no import breaks a rule, 1 with every violation listed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const srcDir = join(root, 'src');

const CORE = 'core';
const LAYERS = new Map([
  [CORE, 0],
  ['http', 0],
  ['routing', 0],
  ['security', 1],
  ['templates', 1],
  ['db', 1],
  ['static', 1],
  ['mail', 1],
  ['sessions', 2],
  ['forms', 2],
  ['cache', 2],
  ['auth', 3],
  ['admin', 4],
  ['testing', 5],
  ['cli', 5],
]);
const IO_MODULES = new Set(['fs', 'net', 'http', 'https', 'child_process']);

function sourceFiles(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|mts|tsx)$/.test(e.name) && !/\.test(-d)?\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

/**
 * Blanks out comments, keeping strings (import specifiers live there) and line numbers. Regular
 * expression literals are skipped so a quote or `//` inside one does not confuse the scan.
 */
function stripComments(text) {
  let out = '';
  let i = 0;
  let lastSignificant = '';
  const n = text.length;
  while (i < n) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < n && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      lastSignificant = c;
      continue;
    }
    if (c === '/' && (lastSignificant === '' || '(,=:[!&|?{};+-*%<>~^'.includes(lastSignificant))) {
      // A regular expression literal: skip to its closing slash (outside character classes).
      let j = i + 1;
      let inClass = false;
      while (j < n && text[j] !== '\n') {
        const d = text[j];
        if (d === '\\') j++;
        else if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        j++;
      }
      out += text.slice(i, j + 1);
      i = j + 1;
      lastSignificant = '/';
      continue;
    }
    out += c;
    if (!/\s/.test(c)) lastSignificant = /[A-Za-z0-9_$)\]]/.test(c) ? 'w' : c;
    i++;
  }
  return out;
}

/** Every import of a file: { specifier, line, typeOnly }. */
function importsOf(text) {
  const code = stripComments(text);
  const found = [];
  const lineAt = (index) => code.slice(0, index).split('\n').length;
  const patterns = [
    // import x from '…', import { a } from '…', import type { T } from '…', export { a } from '…', export * from '…'
    /\b(import|export)(\s+type\b)?(?:[\s\w*{},$]*?)\bfrom\s*(['"])([^'"\n]+)\3/g,
    // import '…' (side effects only)
    /\bimport\s*(['"])([^'"\n]+)\1/g,
    // import('…')
    /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g,
  ];
  for (const m of code.matchAll(patterns[0])) found.push({ specifier: m[4], line: lineAt(m.index), typeOnly: m[2] !== undefined });
  for (const m of code.matchAll(patterns[1])) found.push({ specifier: m[2], line: lineAt(m.index), typeOnly: false });
  for (const m of code.matchAll(patterns[2])) found.push({ specifier: m[2], line: lineAt(m.index), typeOnly: false });
  return found;
}

/** The src/ file a package self-import names, through package.json "exports". */
function selfImportTarget(specifier) {
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  } catch {
    return null;
  }
  if (typeof pkg.name !== 'string' || (specifier !== pkg.name && !specifier.startsWith(pkg.name + '/'))) return null;
  const sub = '.' + specifier.slice(pkg.name.length);
  let target = pkg.exports?.[sub];
  while (target !== null && typeof target === 'object') target = Object.values(target)[0];
  return typeof target === 'string' ? resolve(root, target) : resolve(srcDir, sub.slice(2) || 'index.ts');
}

/** The area of a path inside src/: 'core' for top-level files, else its first folder; null outside src/. */
function areaOf(file) {
  const rel = relative(srcDir, file);
  if (rel.startsWith('..') || rel === '') return null;
  const parts = rel.split(sep);
  return parts.length === 1 ? CORE : parts[0];
}

const layerOf = (area) => LAYERS.get(area);
const isCore = (area) => layerOf(area) === 0;
const describe = (area) => (area === CORE ? 'the core' : `${area}/`);

const violations = [];
const unknown = new Set();
const files = sourceFiles(srcDir).sort();
let count = 0;

for (const file of files) {
  const from = areaOf(file);
  const where = (line) => `${relative(root, file)}:${line}`;
  if (layerOf(from) === undefined) unknown.add(from);
  for (const imp of importsOf(readFileSync(file, 'utf8'))) {
    count++;
    const spec = imp.specifier;
    if (spec.startsWith('node:') || IO_MODULES.has(spec.split('/')[0])) {
      const name = spec.replace(/^node:/, '').split('/')[0];
      if (from === 'routing' && IO_MODULES.has(name) && !imp.typeOnly) {
        violations.push(`${where(imp.line)}: routing/ does no IO, but imports '${spec}'.`);
      }
      continue;
    }
    let target;
    if (spec.startsWith('.')) target = resolve(dirname(file), spec);
    else target = selfImportTarget(spec);
    if (target === null) continue; // a dependency from node_modules
    const to = areaOf(target);
    if (to === null || to === from) continue;
    if (to === 'cli') {
      violations.push(`${where(imp.line)}: nothing imports cli/, but ${describe(from)} imports '${spec}'.`);
      continue;
    }
    const fromLayer = layerOf(from);
    const toLayer = layerOf(to);
    if (toLayer === undefined) {
      unknown.add(to);
      continue;
    }
    if (fromLayer === undefined) continue; // reported once as an unknown folder
    if (isCore(from) && !isCore(to)) {
      violations.push(`${where(imp.line)}: the core never imports a battery, but imports ${describe(to)} ('${spec}').`);
    } else if (!isCore(to) && toLayer >= fromLayer) {
      violations.push(
        `${where(imp.line)}: ${describe(from)} (layer ${fromLayer}) may import the core and lower layers only, but imports ${describe(to)} (layer ${toLayer}) ('${spec}').`,
      );
    }
  }
}

for (const area of [...unknown].sort()) {
  violations.push(`src/${area}/ is in no layer of STYLE.md section 1; add it to LAYERS in scripts/check-boundaries.mjs.`);
}

if (violations.length > 0) {
  console.error(`check-boundaries: ${violations.length} violation(s):`);
  for (const v of violations) console.error(`  ${v}`);
  process.exit(1);
}
console.log(`check-boundaries: ${count} imports in ${files.length} files follow the dependency direction`);
