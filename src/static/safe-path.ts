/**
 * Turning a URL path into a file that is certainly inside the static folder.
 *
 * Two independent checks, so that a mistake in one is caught by the other:
 * 1. the decoded path is split on `/` and every segment must be a plain name: no empty segment
 *    (an absolute path `/etc/passwd`, or `a//b`), no `.` or `..`, no backslash (a separator on
 *    Windows), no NUL or control character, no `:` (drive letters and NTFS streams), and no
 *    leading dot unless dotfiles are allowed. Nothing is decoded here: the router decoded the
 *    path once, and `%2e%2e` arriving now is a literal file name, never `..` (no double decoding);
 * 2. the real path of the result (every symlink resolved by the OS) must be inside the real path
 *    of the folder. A symlink that stays inside is served; one that points outside is a 404.
 *
 * The file is then opened with `O_NOFOLLOW` and checked with `fstat` on the open descriptor, so
 * what is streamed is the file that was checked, and a directory is never served.
 *
 * @module
 */
import { constants, type Stats } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

// O_NOFOLLOW does not exist on Windows; there the realpath containment check stands alone.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/**
 * The segments of a relative static path, or null when one of them is not a plain file name.
 *
 * @example
 * safeSegments('css/app.css', false)  // ['css', 'app.css']
 * safeSegments('../etc/passwd', false) // null
 */
export function safeSegments(path: string, allowDotfiles: boolean, maxLength: number): string[] | null {
  if (path.length === 0 || path.length > maxLength) return null;
  const segments = path.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') return null;
    if (!allowDotfiles && s.charCodeAt(0) === 46) return null;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 32 || c === 127 || c === 92 || c === 58) return null;
    }
  }
  return segments;
}

/** An open file that passed both checks. The caller closes `handle` (streaming it closes it). */
export interface OpenedFile {
  readonly handle: FileHandle;
  readonly stats: Stats;
  /** Real path relative to the folder, with `/` separators. */
  readonly relative: string;
}

/**
 * Opens `segments` below `root` (a real path, see `realpathSync`) if the file's real path is
 * inside `root`, is a regular file, and (unless `allowDotfiles`) has no dot-named part after
 * symlinks are resolved. Returns null in every other case: missing, a directory, outside, a
 * symlink swapped in after the check.
 */
export async function openInside(root: string, segments: readonly string[], allowDotfiles: boolean): Promise<OpenedFile | null> {
  let real: string;
  try {
    real = await realpath(join(root, ...segments));
  } catch {
    return null; // ENOENT, ENOTDIR, ELOOP, EACCES: all look the same to the client
  }
  const rel = relative(root, real);
  if (rel === '' || rel.startsWith('..' + sep) || rel === '..' || !real.startsWith(root + sep)) return null;
  const parts = rel.split(sep);
  if (!allowDotfiles && parts.some((p) => p.charCodeAt(0) === 46)) return null;
  let handle: FileHandle;
  try {
    handle = await open(real, OPEN_FLAGS);
  } catch {
    return null;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      return null;
    }
    return { handle, stats, relative: parts.join('/') };
  } catch {
    await handle.close().catch(() => undefined);
    return null;
  }
}
