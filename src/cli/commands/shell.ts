/**
 * `rampart shell`: a Node REPL with the app module loaded: `app`, `db`, `models` and every export
 * of the app module in scope, and top-level `await` for queries.
 *
 * @module
 */
import { start } from 'node:repl';
import type { Command } from '../command.js';
import { EXIT_CODES } from '../errors.js';

export const shellCommand: Command = {
  name: 'shell',
  summary: 'a REPL with the app, db and models loaded',
  description: 'Everything the app module exports is in scope, plus `app`, `db` and `models`. Use await for queries: await db.query(Post).count()',
  async run(ctx) {
    const { loaded } = await ctx.app();
    const names = ['app', ...(loaded.db === null ? [] : ['db']), ...(loaded.models === null ? [] : ['models'])];
    const extra = Object.keys(loaded.exports).filter((k) => !names.includes(k));
    ctx.io.err(`In scope: ${[...names, ...extra].join(', ')}. Exit with .exit or Ctrl-D.`);
    const repl = start({ prompt: 'rampart> ', input: ctx.stdin, output: process.stdout, terminal: ctx.stdin.isTTY === true, useGlobal: false });
    Object.assign(repl.context, loaded.exports, { app: loaded.app, db: loaded.db, models: loaded.models });
    await new Promise<void>((resolve) => repl.once('exit', () => resolve()));
    return EXIT_CODES.ok;
  },
};
