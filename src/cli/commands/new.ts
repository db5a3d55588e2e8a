/**
 * `rampart new <dir>`: a small project with the secure defaults on, ready for
 * `npm install && npm run dev`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeMigrations } from '../../db/index.js';
import { SessionEntry } from '../../sessions/index.js';
import { stringOption, type Command } from '../command.js';
import { CliError, EXIT_CODES } from '../errors.js';
import { scaffoldFiles } from '../scaffold/files.js';
import { Note } from '../scaffold/note-model.js';

/** The folder of the rampart package this command runs from. */
const PACKAGE_ROOT = realpathSync(fileURLToPath(new URL('../../..', import.meta.url)));

/**
 * The dependency spec of a new project: the package's version range when rampart was installed
 * from a registry, else (a clone, not published) the clone itself by path.
 */
export function rampartDependency(root: string = PACKAGE_ROOT, version = '0.1.0'): string {
  return root.split(sep).includes('node_modules') ? `^${version}` : `file:${root}`;
}

/** A package name from a folder name: lower case, letters, digits, `-`, `.` and `_`. */
export function packageName(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name === '' ? 'rampart-app' : name.slice(0, 214);
}

export const newCommand: Command = {
  name: 'new',
  summary: 'create a project: app, model, migration, templates, static files, a test',
  args: '<dir>',
  positionals: [1, 1],
  options: {
    rampart: { type: 'string', value: 'SPEC', help: 'the rampart dependency (default: this copy of rampart)' },
  },
  async run(ctx) {
    const dir = resolve(ctx.cwd, ctx.positionals[0]!);
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      throw new CliError('E_CLI_NEW_EXISTS', `${dir} exists and is not empty; nothing was written.`, { hint: 'Choose a new folder name, or empty the folder first.' });
    }
    const files = scaffoldFiles({
      name: packageName(dir),
      rampart: stringOption(ctx.values, 'rampart') ?? rampartDependency(),
      secretKey: randomBytes(48).toString('base64url'),
    });
    for (const [path, text] of Object.entries(files)) {
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text, { flag: 'wx' });
    }
    const migration = await makeMigrations({ models: [Note, SessionEntry], dir: join(dir, 'migrations') });
    const rel = relative(ctx.cwd, dir);
    const shown = rel === '' ? '.' : rel.startsWith('..') ? dir : rel;
    ctx.io.out(`Created ${shown}: ${Object.keys(files).length + (migration.changed ? 1 : 0)} files.`);
    ctx.io.out('');
    ctx.io.out('Next:');
    ctx.io.out(`  cd ${shown}`);
    ctx.io.out('  npm install');
    ctx.io.out('  npm run dev     # http://127.0.0.1:8000');
    ctx.io.out('  npm test');
    return EXIT_CODES.ok;
  },
};
