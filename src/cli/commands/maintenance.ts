/**
 * `collectstatic` and `clearsessions`: the build step for static files and the cron job for
 * database sessions.
 *
 * @module
 */
import { relative } from 'node:path';
import { connect, type Database } from '../../db/database.js';
import { SessionEntry, DatabaseStore } from '../../sessions/index.js';
import { collectstatic } from '../../static/index.js';
import type { Command } from '../command.js';
import { databaseUrl, withDatabase } from '../database-errors.js';
import { CliError, EXIT_CODES } from '../errors.js';

export const collectstaticCommand: Command = {
  name: 'collectstatic',
  summary: 'copy the static files into one folder with hashed names and a manifest',
  description: 'Sources and output come from rampart.config.ts (static, staticOut). Run it as part of the build, before `rampart start`.',
  options: {
    'no-compress': { type: 'boolean', help: 'do not write .br/.gz files next to text files' },
  },
  async run(ctx) {
    const config = await ctx.project();
    process.chdir(config.root);
    const result = await collectstatic({
      sources: config.static.map((s) => ({ dir: s.dir, ...(s.prefix === undefined ? {} : { prefix: s.prefix }) })),
      out: config.staticOut,
      compress: ctx.values['no-compress'] !== true,
    });
    const count = Object.keys(result.manifest).length;
    ctx.io.out(`Collected ${count} file${count === 1 ? '' : 's'} into ${relative(config.root, result.out) || '.'} (manifest: ${relative(config.root, result.manifestPath)}).`);
    for (const path of result.overridden) ctx.io.out(`  ${path}: provided by more than one source; the first one was used`);
    return EXIT_CODES.ok;
  },
};

export const clearsessionsCommand: Command = {
  name: 'clearsessions',
  summary: 'delete expired sessions from the database (run it from cron)',
  description: 'Needs the DatabaseStore table (SessionEntry among the models). Redis and cookie sessions expire by themselves.',
  async run(ctx) {
    const { loaded } = await ctx.app();
    const hasTable = (models: readonly { table: string }[] | null): boolean => models?.some((m) => m.table === SessionEntry.table) === true;
    if (!hasTable(loaded.db?.models ?? null) && !hasTable(loaded.models)) {
      throw new CliError('E_CLI_NO_SESSION_TABLE', 'clearsessions has nothing to clear: the app has no database sessions (SessionEntry is not among its models).', {
        hint: 'Database sessions need SessionEntry in connect({ models }) and sessions({ store: new DatabaseStore(db) }); Redis and cookie sessions expire by themselves.',
      });
    }
    const url = databaseUrl();
    const own = loaded.db !== null && hasTable(loaded.db.models) ? null : ((await connect({ url, models: [SessionEntry] })) as unknown as Database);
    const db = own ?? loaded.db!;
    try {
      const removed = await withDatabase(url, () => new DatabaseStore(db).clearExpired());
      ctx.io.out(`Deleted ${removed} expired session${removed === 1 ? '' : 's'}.`);
    } finally {
      await own?.close();
    }
    return EXIT_CODES.ok;
  },
};
