/**
 * `LocalStorage`: uploads on the local disk, under random names, in a folder that is never served
 * as static files.
 *
 * Each file is two entries: `<key>` (the bytes) and `<key>.json` (its sanitized name and sniffed
 * type). Bytes are written to `<key>.part` and renamed when complete, so a key never names a
 * half-written file, and a failed save leaves nothing behind.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConfigError } from '../../errors.js';
import { UPLOAD_CONFIG_ERRORS } from '../uploads/errors.js';
import type { Storage, StoredFileInfo, StoredFileMeta } from './storage.js';

/** Options of `LocalStorage`. */
export interface LocalStorageOptions {
  /**
   * Folders served as static files, relative to the working directory or absolute. The upload
   * folder may not be one of them or inside one. Give the folder your `serveStatic()` uses.
   * @default ['static', 'public']
   */
  readonly staticRoots?: readonly string[];
}

/** Secure defaults of `LocalStorage`, each with the threat it stops. */
export const LOCAL_STORAGE_DEFAULTS = Object.freeze({
  // Uploads inside a static folder would be served as-is: an uploaded .html or .svg becomes the
  // site's own page (stored XSS), bypassing serveUpload()'s attachment and sandbox headers.
  staticRoots: Object.freeze(['static', 'public']) as readonly string[],
  // 128 random bits per name: nobody can guess the key of someone else's file.
  keyBytes: 16,
  // Other local accounts cannot read or list uploads.
  fileMode: 0o600,
  dirMode: 0o700,
  // What removeStale() treats as abandoned: no upload takes a day (REQUEST_TIMEOUT_MS is 30 s).
  staleAfterMs: 24 * 60 * 60 * 1000,
});

const KEY = /^[0-9a-f]{32}$/;
const META_SUFFIX = '.json';
const PART_SUFFIX = '.part';

/** The real path of `p`, resolving symlinks in the part of it that exists. */
function realPath(p: string): string {
  let existing = p;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(basename(existing));
    existing = parent;
  }
  return join(realpathSync(existing), ...rest);
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel));
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/**
 * Stores uploads in a local folder (created on first use, mode 0700) under random 128-bit names.
 * Refuses, when created, a folder inside a static root.
 *
 * @example
 * const uploads = new LocalStorage('var/uploads', { staticRoots: ['static'] })
 * const form = await parseMultipart(req, { storage: uploads, files: { avatar: { accept: ['image/png'] } } })
 */
export class LocalStorage implements Storage {
  /** The absolute path of the folder. */
  readonly dir: string;
  #ready: Promise<void> | undefined;

  /** @throws ConfigError `E_UPLOAD_DIR_IN_STATIC` when `dir` is, or is inside, a static root. */
  constructor(dir: string, options: LocalStorageOptions = {}) {
    if (typeof dir !== 'string' || dir === '') {
      throw new ConfigError(UPLOAD_CONFIG_ERRORS.options, 'LocalStorage needs a folder, e.g. new LocalStorage(\'var/uploads\').');
    }
    this.dir = resolve(dir);
    const real = realPath(this.dir);
    for (const root of options.staticRoots ?? LOCAL_STORAGE_DEFAULTS.staticRoots) {
      const realRoot = realPath(resolve(root));
      if (isInside(real, realRoot)) {
        throw new ConfigError(
          UPLOAD_CONFIG_ERRORS.dirInStatic,
          `The upload folder ${this.dir} is inside the static folder ${realRoot}: uploaded files would be served as the site's own files.`,
          { hint: "Keep uploads outside every static folder, e.g. new LocalStorage('var/uploads'), and serve them with serveUpload()." },
        );
      }
    }
  }

  async save(stream: Readable, meta: StoredFileMeta): Promise<StoredFileInfo> {
    await (this.#ready ??= mkdir(this.dir, { recursive: true, mode: LOCAL_STORAGE_DEFAULTS.dirMode }).then(() => undefined));
    const key = randomBytes(LOCAL_STORAGE_DEFAULTS.keyBytes).toString('hex');
    const data = join(this.dir, key);
    const part = data + PART_SUFFIX;
    const metaPath = data + META_SUFFIX;
    // Opened (and so created) before streaming: the cleanup below always finds what it removes.
    const handle = await open(part, 'wx', LOCAL_STORAGE_DEFAULTS.fileMode);
    try {
      const out = handle.createWriteStream();
      await pipeline(stream, out);
      const size = out.bytesWritten;
      const record: StoredFileMeta = { filename: meta.filename, contentType: meta.contentType };
      await writeFile(metaPath, JSON.stringify(record), { flag: 'wx', mode: LOCAL_STORAGE_DEFAULTS.fileMode });
      await rename(part, data);
      return { key, size, ...record };
    } catch (err) {
      await handle.close().catch(() => undefined);
      await Promise.all([rm(part, { force: true }), rm(metaPath, { force: true })]);
      throw err;
    }
  }

  async open(key: string): Promise<Readable | null> {
    if (!KEY.test(key)) return null;
    try {
      const handle = await open(join(this.dir, key), 'r');
      return handle.createReadStream();
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async stat(key: string): Promise<StoredFileInfo | null> {
    if (!KEY.test(key)) return null;
    try {
      const [info, text] = await Promise.all([stat(join(this.dir, key)), readFile(join(this.dir, key + META_SUFFIX), 'utf8')]);
      const meta = JSON.parse(text) as Partial<StoredFileMeta> | null;
      if (!info.isFile() || typeof meta?.filename !== 'string' || typeof meta.contentType !== 'string') return null;
      return { key, size: info.size, filename: meta.filename, contentType: meta.contentType };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<boolean> {
    if (!KEY.test(key)) return false;
    let existed = true;
    try {
      await unlink(join(this.dir, key));
    } catch (err) {
      if (!isMissing(err)) throw err;
      existed = false;
    }
    await rm(join(this.dir, key + META_SUFFIX), { force: true });
    return existed;
  }

  /**
   * Removes what interrupted saves left behind: `.part` files of uploads that never finished (the
   * process died mid-upload) and metadata whose file is gone, once older than `olderThanMs` (so
   * uploads in progress are never touched). Returns how many entries it removed. Run it at startup
   * or on a schedule.
   *
   * @example await uploads.removeStale() // entries older than a day
   */
  async removeStale(olderThanMs: number = LOCAL_STORAGE_DEFAULTS.staleAfterMs): Promise<number> {
    if (!Number.isFinite(olderThanMs) || olderThanMs < 0) {
      throw new ConfigError(UPLOAD_CONFIG_ERRORS.options, `removeStale() takes an age in milliseconds (0 or more), got ${String(olderThanMs)}.`);
    }
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (isMissing(err)) return 0;
      throw err;
    }
    const present = new Set(names);
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    const removeIfOld = async (name: string): Promise<void> => {
      try {
        const info = await lstat(join(this.dir, name));
        if (!info.isFile() || info.mtimeMs > cutoff) return;
        await unlink(join(this.dir, name));
        present.delete(name);
        removed++;
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    };
    // Only names this class writes (a key and a known suffix); unfinished files first, so the
    // metadata of one that died before its rename is an orphan in the same pass.
    const keyOf = (name: string, suffix: string): string | null => (name.endsWith(suffix) && KEY.test(name.slice(0, -suffix.length)) ? name.slice(0, -suffix.length) : null);
    for (const name of names) if (keyOf(name, PART_SUFFIX) !== null) await removeIfOld(name);
    for (const name of names) {
      const key = keyOf(name, META_SUFFIX);
      if (key !== null && !present.has(key) && !present.has(key + PART_SUFFIX)) await removeIfOld(name);
    }
    return removed;
  }
}
