/**
 * `rampart test`: runs the project's `*.test.ts` files with node's test runner under tsx, with
 * NODE_ENV=test. Node 20's runner finds no .ts file by itself, so the files are listed here.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from '../command.js';
import { CliError, EXIT_CODES } from '../errors.js';

const TEST_FILE = /\.test\.(ts|mts|js|mjs)$/;
/** Folders never searched: dependencies, output and dot folders. */
const SKIPPED = new Set(['node_modules', 'staticfiles', 'dist', 'build', 'coverage']);
/** Bounds the walk, so a symlink loop or a huge tree cannot stall the command. */
const MAX_DEPTH = 12;

function findTests(dir: string, out: string[], depth = 0): string[] {
  if (depth > MAX_DEPTH) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || SKIPPED.has(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) findTests(p, out, depth + 1);
    else if (e.isFile() && TEST_FILE.test(e.name)) out.push(p);
  }
  return out;
}

export const testCommand: Command = {
  name: 'test',
  summary: "run the project's *.test.ts files with node's test runner",
  args: '[filter...]',
  positionals: [0, 100],
  description: 'Filters keep the files whose path contains one of them: rampart test tests/notes',
  async run(ctx) {
    const config = await ctx.project();
    const filters = ctx.positionals;
    const files = findTests(config.root, [])
      .map((f) => relative(config.root, f))
      .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
      .sort();
    if (files.length === 0) {
      throw new CliError('E_CLI_NO_TESTS', `No test files${filters.length > 0 ? ` matching ${filters.join(', ')}` : ''} in ${config.root}.`, {
        hint: 'Test files end in .test.ts (tests/app.test.ts).',
      });
    }
    const tsx = import.meta.resolve('tsx');
    // NODE_TEST_CONTEXT is set for processes started by a test runner; inherited, it would make
    // this run report to that runner instead of printing its own results.
    const { NODE_TEST_CONTEXT: _inherited, ...env } = process.env;
    const child = spawn(process.execPath, ['--import', tsx, '--test', ...files], {
      cwd: config.root,
      env: { ...env, NODE_ENV: 'test' },
      stdio: 'inherit',
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    return code === 0 ? EXIT_CODES.ok : EXIT_CODES.failure;
  },
};
