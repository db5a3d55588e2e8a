/**
 * A throwaway site for static-file tests: a `static/` folder with the given files, and secrets
 * placed just outside it (next to it, and in a sibling folder whose name starts like it), so a
 * traversal that works would show their bytes.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const QUIET = { env: 'test', envFile: false, logLevel: 'silent', headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 1000, shutdownTimeoutMs: 500 } as const;

/** Contents of the files outside the static folder; never allowed in a response. */
export const SECRET = 'TOP-SECRET-2b7e151628aed2a6';
export const SIBLING_SECRET = 'SIBLING-SECRET-abf7158809cf4f3c';

export interface Site {
  /** The temporary folder holding everything. */
  readonly root: string;
  /** `<root>/static`, the folder served. */
  readonly dir: string;
  /** Writes a file below the root (folders created), returns its absolute path. */
  write(path: string, content: string | Buffer): string;
  remove(): void;
}

/** Creates `<tmp>/static` with `files`, `<tmp>/secret.txt`, and `<tmp>/static-private/secret.txt`. */
export function makeSite(files: Readonly<Record<string, string | Buffer>> = {}): Site {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'rampart-static-')));
  const write = (path: string, content: string | Buffer): string => {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    return full;
  };
  mkdirSync(join(root, 'static'));
  write('secret.txt', SECRET);
  write('static-private/secret.txt', SIBLING_SECRET);
  for (const [path, content] of Object.entries(files)) write(join('static', path), content);
  return { root, dir: join(root, 'static'), write, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** True when a response leaks either secret. */
export function leaks(body: Buffer | string): boolean {
  const text = typeof body === 'string' ? body : body.toString('latin1');
  return text.includes(SECRET) || text.includes(SIBLING_SECRET);
}
