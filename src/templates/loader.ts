/**
 * Template loaders: where template source comes from, by name. A name is a relative, `/`-separated
 * path inside the template folders (`pages/home.html`); {@link normalizeTemplateName} refuses any
 * name that could leave them, and {@link FileSystemLoader} also refuses files that only look inside
 * (a symlink pointing out of the folder).
 *
 * @module
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { TemplateNotFoundError } from './errors.js';

/** Longest template name accepted, in UTF-16 code units. */
export const MAX_TEMPLATE_NAME_LENGTH = 512;

/** A template's text and where it came from. */
export interface TemplateSource {
  /** The normalized name (`pages/home.html`). */
  readonly name: string;
  readonly source: string;
  /** The file it was read from, or null for templates that are not files. */
  readonly path: string | null;
  /** Modification time of the file when read (0 when not a file). */
  readonly mtimeMs: number;
}

/** Where the engine gets templates from. */
export interface TemplateLoader {
  /** The template, or null when this loader has none by that name. Throws for an invalid name. */
  load(name: string): TemplateSource | null;
  /** True when the template changed since it was loaded (development recompilation). */
  isStale(src: TemplateSource): boolean;
}

// Control characters (C0, DEL, C1) have no business in a file name, and some (NUL) truncate paths.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

function invalidName(name: string, reason: string): TemplateNotFoundError {
  const shown = JSON.stringify(name.length > 80 ? name.slice(0, 80) + '…' : name);
  return new TemplateNotFoundError('E_TEMPLATE_NAME_INVALID', `Invalid template name ${shown}: ${reason}`, {
    hint: 'A template name is a relative path inside the template folders, with "/" between folders, like "pages/home.html".',
  });
}

/**
 * Checks a template name and returns it normalized (a leading `./` removed). Names are not URLs
 * and are not decoded: `%2e%2e` is a file called `%2e%2e`.
 *
 * @throws TemplateNotFoundError (`E_TEMPLATE_NAME_INVALID`) for a name that is empty, longer than
 *   512 characters, contains NUL or another control character, a backslash or a colon (drive letters,
 *   `file:` URLs, Windows alternate data streams), is absolute, or has an empty, `.` or `..` segment
 *   (any segment made only of dots).
 * @example
 * normalizeTemplateName('./pages/home.html'); // 'pages/home.html'
 * normalizeTemplateName('../secrets.txt');     // throws E_TEMPLATE_NAME_INVALID
 */
export function normalizeTemplateName(name: string): string {
  if (typeof name !== 'string') throw invalidName(String(name), 'a template name must be a string');
  if (name === '') throw invalidName(name, 'the name is empty');
  if (name.length > MAX_TEMPLATE_NAME_LENGTH) throw invalidName(name, `the name is longer than ${MAX_TEMPLATE_NAME_LENGTH} characters`);
  if (name.includes('\0')) throw invalidName(name, 'the name contains a NUL character');
  if (CONTROL_RE.test(name)) throw invalidName(name, 'the name contains a control character');
  if (name.includes('\\')) throw invalidName(name, 'backslashes are not allowed (use "/" between folders)');
  if (name.startsWith('/')) throw invalidName(name, 'absolute paths are not allowed');
  // A colon starts a drive (C:x, C:/x), a URL scheme (file:) or a Windows alternate data stream.
  if (name.includes(':')) throw invalidName(name, 'colons are not allowed (no drive letters or URLs)');
  const relative = name.startsWith('./') ? name.slice(2) : name;
  if (relative === '') throw invalidName(name, 'the name has no file part');
  for (const segment of relative.split('/')) {
    if (segment === '') throw invalidName(name, 'empty path segments ("a//b", a trailing "/") are not allowed');
    // "..", "." and "..." (which some Windows APIs read as a parent) are all refused.
    if (/^\.+$/.test(segment)) throw invalidName(name, `"${segment}" segments are not allowed`);
  }
  return relative;
}

/** FileSystemLoader options. */
export interface FileSystemLoaderOptions {
  /** Encoding of the template files. @default 'utf8' */
  readonly encoding?: 'utf8';
}

interface FileInfo {
  readonly folderIndex: number;
  readonly realPath: string;
  readonly mtimeMs: number;
  readonly size: number;
  readonly ino: number;
}

const NOT_FOUND_CODES: ReadonlySet<string> = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'EISDIR']);
// O_NOFOLLOW: the path opened is already the real path; if someone swaps it for a symlink in the
// meantime, the open fails instead of following it out of the folder.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && NOT_FOUND_CODES.has(String((err as { code?: unknown }).code));
}

function isInside(folder: string, file: string): boolean {
  const rel = path.relative(folder, file);
  return rel !== '' && rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel);
}

/**
 * Loads templates from folders on disk, trying each folder in order. A name that resolves to a
 * directory, or to a file whose real path (symlinks followed) is outside the folder's real path,
 * is treated as absent from that folder. Files are read synchronously: the engine loads a template
 * once when it compiles it and caches the result.
 *
 * @example
 * const loader = new FileSystemLoader(['app/templates', 'node_modules/some-lib/templates']);
 * loader.load('pages/home.html'); // { name, source, path: '/abs/app/templates/pages/home.html', mtimeMs }
 */
export class FileSystemLoader implements TemplateLoader {
  readonly #folders: readonly string[];
  // What was read, per loaded source: isStale compares against it. A WeakMap keeps TemplateSource a
  // plain interface while staleness can look at more than the mtime.
  readonly #files = new WeakMap<TemplateSource, FileInfo>();

  constructor(folders: readonly string[], options: FileSystemLoaderOptions = {}) {
    if (!Array.isArray(folders) || folders.some((f) => typeof f !== 'string' || f === '')) {
      throw new TypeError('FileSystemLoader: folders must be a list of folder paths');
    }
    if (options.encoding !== undefined && options.encoding !== 'utf8') {
      throw new TypeError(`FileSystemLoader: encoding must be 'utf8', got ${JSON.stringify(options.encoding)}`);
    }
    this.#folders = Object.freeze(folders.map((f) => path.resolve(f)));
  }

  /** The folders searched, resolved to absolute paths, in order. */
  get folders(): readonly string[] {
    return this.#folders;
  }

  load(name: string): TemplateSource | null {
    const normalized = normalizeTemplateName(name);
    for (let i = 0; i < this.#folders.length; i++) {
      const found = this.#read(i, normalized);
      if (found === null) continue;
      const src: TemplateSource = Object.freeze({
        name: normalized,
        source: found.source,
        path: path.resolve(this.#folders[i]!, normalized),
        mtimeMs: found.info.mtimeMs,
      });
      this.#files.set(src, found.info);
      return src;
    }
    return null;
  }

  isStale(src: TemplateSource): boolean {
    const info = this.#files.get(src);
    if (info === undefined) {
      // Not loaded by this loader: all there is to compare is the mtime of its path.
      if (src.path === null) return false;
      try {
        return statSync(src.path).mtimeMs !== src.mtimeMs;
      } catch {
        return true;
      }
    }
    // A file now in an earlier folder would shadow this one.
    for (let i = 0; i < info.folderIndex; i++) {
      if (this.#resolve(i, src.name) !== null) return true;
    }
    const realPath = this.#resolve(info.folderIndex, src.name);
    if (realPath !== info.realPath) return true;
    try {
      const st = statSync(realPath);
      return st.mtimeMs !== info.mtimeMs || st.size !== info.size || st.ino !== info.ino;
    } catch {
      return true;
    }
  }

  /** Real path of `name` in folder `index` if it is a file inside the folder, else null. */
  #resolve(index: number, name: string): string | null {
    const folder = this.#folders[index]!;
    let folderReal: string;
    let real: string;
    try {
      folderReal = realpathSync(folder);
      const candidate = path.resolve(folder, name);
      // normalizeTemplateName already guarantees this; checked again in case the two ever drift.
      if (!isInside(folder, candidate)) return null;
      real = realpathSync(candidate);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    return isInside(folderReal, real) ? real : null;
  }

  #read(index: number, name: string): { source: string; info: FileInfo } | null {
    const real = this.#resolve(index, name);
    if (real === null) return null;
    let fd: number;
    try {
      fd = openSync(real, OPEN_FLAGS);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return null;
      const source = readFileSync(fd, 'utf8');
      return { source, info: { folderIndex: index, realPath: real, mtimeMs: st.mtimeMs, size: st.size, ino: st.ino } };
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * Templates held in memory, by name: for tests and templates embedded in code. Names are checked
 * like file names; sources never go stale.
 *
 * @example
 * const loader = new MemoryLoader({ 'base.html': '<html>{% block body %}{% endblock %}</html>' });
 */
export class MemoryLoader implements TemplateLoader {
  readonly #templates = new Map<string, TemplateSource>();

  constructor(templates: Readonly<Record<string, string>>) {
    if (typeof templates !== 'object' || templates === null) throw new TypeError('MemoryLoader: templates must be an object of name → source');
    for (const [name, source] of Object.entries(templates)) {
      if (typeof source !== 'string') throw new TypeError(`MemoryLoader: the source of ${JSON.stringify(name)} must be a string`);
      const normalized = normalizeTemplateName(name);
      this.#templates.set(normalized, Object.freeze({ name: normalized, source, path: null, mtimeMs: 0 }));
    }
  }

  load(name: string): TemplateSource | null {
    return this.#templates.get(normalizeTemplateName(name)) ?? null;
  }

  isStale(_src: TemplateSource): boolean {
    return false;
  }
}
