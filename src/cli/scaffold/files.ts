/**
 * The files of a new project (`rampart new`), read from `project/` next to this module: each
 * `*.tpl` file is copied with `__NAME__`, `__RAMPART__` and `__SECRET_KEY__` filled in, a leading
 * `_` standing for the dot of `.env`, `.gitignore` (npm leaves dot files out of packages). The
 * first migration is written by `makeMigrations` (see new.ts).
 *
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the files are made from. */
export interface ScaffoldValues {
  /** The package name (lower case, `a-z0-9-._`). */
  readonly name: string;
  /** The version spec of the `rampart` dependency: `file:/path/to/clone` or a range. */
  readonly rampart: string;
  /** A fresh SECRET_KEY for the development `.env`. */
  readonly secretKey: string;
}

const TEMPLATE_DIR = fileURLToPath(new URL('./project', import.meta.url));

function templates(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) templates(p, out);
    else if (e.name.endsWith('.tpl')) out.push(p);
  }
  return out;
}

/** Every file of a new project but the first migration, by relative path (`/`-separated). */
export function scaffoldFiles(v: ScaffoldValues): Record<string, string> {
  const files: Record<string, string> = {};
  for (const file of templates(TEMPLATE_DIR).sort()) {
    const path = relative(TEMPLATE_DIR, file).split(sep).join('/').replace(/\.tpl$/, '').replace(/(^|\/)_/, '$1.');
    files[path] = readFileSync(file, 'utf8').replaceAll('__NAME__', v.name).replaceAll('__RAMPART__', v.rampart).replaceAll('__SECRET_KEY__', v.secretKey);
  }
  const pkg = {
    name: v.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=20.12' },
    scripts: {
      dev: 'rampart migrate && rampart dev',
      start: 'rampart start',
      build: 'rampart collectstatic',
      test: 'rampart test',
      migrate: 'rampart migrate',
      makemigrations: 'rampart makemigrations',
      check: 'rampart check --deploy',
    },
    dependencies: { rampart: v.rampart },
  };
  files['package.json'] = JSON.stringify(pkg, null, 2) + '\n';
  return files;
}
