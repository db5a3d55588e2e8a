/**
 * Checks that read the project's files instead of the running app: markup marked as trusted in
 * code, `|safe` in templates, options that turn a protection off inside a middleware's closure
 * (`sessions({ csrf: false })`, `authRoutes({ throttle: false })`), and upload fields whose type
 * list lets anything through. A scan sees literal code only; it is a reviewer's aid, not a proof.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { finding, type Finding } from './finding.js';

const SOURCE_EXT = new Set(['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx']);
const SKIPPED_DIRS = new Set(['node_modules', 'staticfiles', 'dist', 'build', 'coverage']);
/** Bounds of the scan: a huge or looping tree cannot stall `rampart check`. */
const MAX_FILES = 5000;
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_DEPTH = 12;
const OCTET_STREAM = /['"`]application\/octet-stream['"`]/;
/** How far after `name(` the arguments of a call are read. */
const MAX_CALL_CHARS = 4000;

interface SourceFile {
  readonly path: string;
  readonly shown: string;
  readonly text: string;
}

function walk(dir: string, keep: (name: string) => boolean, out: string[], depth: number): void {
  if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || SKIPPED_DIRS.has(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, keep, out, depth + 1);
    else if (e.isFile() && keep(e.name) && out.length < MAX_FILES) out.push(p);
  }
}

/** Reads the files under `dirs` that `keep` selects (deduplicated, size-bounded). */
export function readFiles(root: string, dirs: readonly string[], keep: (name: string) => boolean): SourceFile[] {
  const paths: string[] = [];
  for (const d of dirs) walk(d, keep, paths, 0);
  return [...new Set(paths)].sort().flatMap((path) => {
    try {
      if (statSync(path).size > MAX_FILE_BYTES) return [];
      return [{ path, shown: relative(root, path), text: readFileSync(path, 'utf8') }];
    } catch {
      return [];
    }
  });
}

/** Application source files, tests left out (a test may use anything). */
export function isSourceFile(name: string): boolean {
  return SOURCE_EXT.has(extname(name)) && !/\.(test|spec)\.[cm]?[jt]sx?$/.test(name) && !name.endsWith('.d.ts');
}

/** Blanks comments out (keeping line breaks) so a word in a comment is not a finding. */
export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|(^|[^:\\'"`])\/\/[^\n]*/g, (m, lead: string | undefined) =>
    m.startsWith('/*') ? m.replace(/[^\n]/g, ' ') : `${lead ?? ''}${' '.repeat(m.length - (lead ?? '').length)}`,
  );
}

function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** The text between the parentheses of each call of `callee` (balanced, bounded). */
export function callArguments(text: string, callee: RegExp): { args: string; index: number }[] {
  const out: { args: string; index: number }[] = [];
  const re = new RegExp(`${callee.source}\\s*\\(`, 'g');
  for (const m of text.matchAll(re)) {
    const start = m.index + m[0].length;
    let depth = 1;
    let i = start;
    const end = Math.min(text.length, start + MAX_CALL_CHARS);
    for (; i < end && depth > 0; i++) {
      const c = text[i];
      if (c === '(' || c === '{' || c === '[') depth++;
      else if (c === ')' || c === '}' || c === ']') depth--;
    }
    out.push({ args: text.slice(start, i - 1), index: m.index });
  }
  return out;
}

/** templates.W001, csrf.W002, auth.W001, uploads.W001: scans of the source folders. */
export function sourceChecks(root: string, sources: readonly string[]): Finding[] {
  const files = readFiles(root, sources, isSourceFile).map((f) => ({ ...f, text: stripComments(f.text) }));
  const trusted: string[] = [];
  const noCsrf: string[] = [];
  const noThrottle: string[] = [];
  const uploads: string[] = [];
  for (const f of files) {
    for (const m of f.text.matchAll(/\btrustedHtml\s*\(/g)) trusted.push(`${f.shown}:${lineAt(f.text, m.index)}`);
    for (const c of callArguments(f.text, /\bsessions/)) if (/\bcsrf\s*:\s*false\b/.test(c.args)) noCsrf.push(`${f.shown}:${lineAt(f.text, c.index)}`);
    for (const c of callArguments(f.text, /\bauthRoutes/)) if (/\bthrottle\s*:\s*false\b/.test(c.args)) noThrottle.push(`${f.shown}:${lineAt(f.text, c.index)}`);
    for (const c of callArguments(f.text, /\bparseMultipart/)) {
      if (OCTET_STREAM.test(c.args)) uploads.push(`${f.shown}:${lineAt(f.text, c.index)} (accepts application/octet-stream)`);
    }
    for (const c of callArguments(f.text, /\b(?:formField|field)\.file/)) {
      if (OCTET_STREAM.test(c.args)) uploads.push(`${f.shown}:${lineAt(f.text, c.index)} (accepts application/octet-stream)`);
      else if (!/\baccept\s*:/.test(c.args)) uploads.push(`${f.shown}:${lineAt(f.text, c.index)} (no accept list)`);
    }
  }
  const out: Finding[] = [];
  if (trusted.length > 0) {
    out.push(
      finding(
        'templates.W001',
        'warning',
        `trustedHtml() marks markup as safe in ${trusted.length} place${trusted.length === 1 ? '' : 's'}: its value is inserted unescaped. If any part of it comes from a user, that is an XSS hole.`,
        "Build markup with the html`` tag (it escapes values) or a template; for user rich text use the |sanitize filter. Silence with silencedChecks: ['templates.W001'] once each use is reviewed.",
        trusted,
      ),
    );
  }
  if (noCsrf.length > 0) {
    out.push(finding('csrf.W002', 'warning', 'sessions() is used with csrf: false: no unsafe request of the app is checked for CSRF.', 'Remove csrf: false; exempt single routes with { csrf: false } on the route instead.', noCsrf));
  }
  if (noThrottle.length > 0) {
    out.push(finding('auth.W001', 'warning', 'authRoutes() is used with throttle: false: passwords and TOTP codes can be guessed without limit.', 'Remove throttle: false; tune it with throttle: { maxFailures, windowSeconds } or share counters with throttle: { redis }.', noThrottle));
  }
  if (uploads.length > 0) {
    out.push(
      finding(
        'uploads.W001',
        'warning',
        'An upload field has no real type allowlist: application/octet-stream lets through any file no detector recognises (or the accept list is missing).',
        "List the types the field needs, as sniffed from the bytes: accept: ['image/png', 'image/jpeg'].",
        uploads,
      ),
    );
  }
  return out;
}

/** templates.E001: `|safe` in a template (the compiler refuses it, so the page fails to render). */
export function templateChecks(root: string, folders: readonly string[]): Finding[] {
  const files = readFiles(root, folders, () => true);
  const hits: string[] = [];
  for (const f of files) {
    for (const m of f.text.matchAll(/\{[{%](?:(?![}%]\}).)*?\|\s*safe\b/gs)) hits.push(`${f.shown}:${lineAt(f.text, m.index + m[0].length)}`);
  }
  if (hits.length === 0) return [];
  return [
    finding(
      'templates.E001',
      'error',
      'A template uses |safe, which Rampart templates refuse: the page fails to render. Plain strings are always escaped.',
      'Pass a SafeHtml value built in code with the html`` tag, or use |sanitize for user rich text.',
      hits,
    ),
  ];
}
