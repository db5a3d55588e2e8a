// Checks that docs/errors.md documents every error code the source can produce, and nothing else.
//
// Codes in the source: every `E_…` identifier in src/**/*.ts (tests excluded), plus the codes
// HttpError derives from a status (`E_HTTP_` + the reason phrase of every status in STATUS_TEXT,
// src/http/errors.ts). Codes in the docs: the first cell of every row of the tables in
// docs/errors.md whose first header is "Code".
//
// Usage: node scripts/check-errors-doc.mjs [root]   (root defaults to the repository)
// Exit 0 when both lists agree, 1 with the differences listed, 2 when a file cannot be read.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const srcDir = join(root, 'src');
const docPath = join(root, 'docs', 'errors.md');

// A code is E_ followed by upper-case words joined by single underscores. The word boundaries keep
// `NODE_ENV` and template prefixes such as `E_HTTP_${status}` from counting.
const CODE = /\bE_[A-Z0-9]+(?:_[A-Z0-9]+)*\b/g;
const CODE_EXACT = /^E_[A-Z0-9]+(?:_[A-Z0-9]+)*$/;

function fail(message) {
  console.error(`check-errors-doc: ${message}`);
  process.exit(2);
}

function sourceFiles(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.test-d.ts')) out.push(p);
  }
  return out;
}

/** code → first place it appears, for the report. */
function codesInSource() {
  const found = new Map();
  let files;
  try {
    files = sourceFiles(srcDir).sort();
  } catch (err) {
    fail(`cannot read ${srcDir}: ${err.message}`);
  }
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const m of line.matchAll(CODE)) if (!found.has(m[0])) found.set(m[0], `${relative(root, file)}:${i + 1}`);
    });
  }
  return found;
}

/** The E_HTTP_* codes HttpError derives from STATUS_TEXT, computed as src/http/errors.ts does. */
function derivedHttpCodes() {
  const file = join(srcDir, 'http', 'errors.ts');
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    fail(`cannot read ${file}: ${err.message}`);
  }
  const start = text.indexOf('STATUS_TEXT');
  const open = text.indexOf('{', start);
  const close = text.indexOf('}', open);
  if (start === -1 || open === -1 || close === -1) fail(`no STATUS_TEXT object literal in ${relative(root, file)}`);
  const out = new Map();
  for (const m of text.slice(open, close).matchAll(/(\d{3})\s*:\s*(['"])([^'"]+)\2/g)) {
    out.set(`E_HTTP_${m[3].toUpperCase().replace(/ /g, '_')}`, `${relative(root, file)} (STATUS_TEXT ${m[1]})`);
  }
  if (out.size === 0) fail(`STATUS_TEXT in ${relative(root, file)} has no entries this script can read`);
  return out;
}

function cells(line) {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  // Split on pipes that are not escaped (`\|` may appear inside a cell).
  return inner.split(/(?<!\\)\|/).map((c) => c.trim());
}

/** code → line in docs/errors.md; plus the rows whose first cell is not a code. */
function codesInDocs() {
  let text;
  try {
    text = readFileSync(docPath, 'utf8');
  } catch (err) {
    fail(`cannot read ${docPath}: ${err.message}`);
  }
  const found = new Map();
  let tables = 0;
  const duplicates = [];
  const malformed = [];
  const lines = text.split('\n');
  let inTable = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim().startsWith('|')) {
      inTable = false;
      continue;
    }
    const row = cells(line);
    if (!inTable) {
      // A header row starts a table; only tables whose first column is "Code" are the registry.
      inTable = row[0]?.toLowerCase() === 'code';
      if (inTable) tables++;
      i++; // the separator row
      continue;
    }
    const code = (row[0] ?? '').replace(/`/g, '');
    if (!CODE_EXACT.test(code)) malformed.push(`docs/errors.md:${i + 1}: '${row[0]}' is not an error code`);
    else if (found.has(code)) duplicates.push(`${code} (docs/errors.md:${found.get(code)} and ${i + 1})`);
    else found.set(code, i + 1);
  }
  return { found, tables, duplicates, malformed };
}

const source = new Map([...codesInSource(), ...derivedHttpCodes()]);
const docs = codesInDocs();
const missing = [...source.keys()].filter((c) => !docs.found.has(c)).sort();
const stale = [...docs.found.keys()].filter((c) => !source.has(c)).sort();

const problems = [];
if (missing.length > 0) {
  problems.push(`Codes used in src/ but missing from docs/errors.md (${missing.length}):`);
  for (const c of missing) problems.push(`  ${c}  (${source.get(c)})`);
}
if (stale.length > 0) {
  problems.push(`Codes in docs/errors.md that src/ no longer produces (${stale.length}):`);
  for (const c of stale) problems.push(`  ${c}  (docs/errors.md:${docs.found.get(c)})`);
}
if (docs.duplicates.length > 0) {
  problems.push('Codes listed twice in docs/errors.md:');
  for (const d of docs.duplicates) problems.push(`  ${d}`);
}
if (docs.malformed.length > 0) {
  problems.push('Rows of a Code table whose first cell is not a code:');
  for (const m of docs.malformed) problems.push(`  ${m}`);
}
if (docs.tables === 0) problems.push('docs/errors.md has no table whose first column is "Code".');

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error('\nAdd a row (Code | What happened | How to fix) for each new code, remove rows of deleted ones.');
  process.exit(1);
}
console.log(`check-errors-doc: ${source.size} error codes, all documented in docs/errors.md`);
