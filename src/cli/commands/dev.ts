/**
 * `rampart dev`: serves the app in a child process in development mode (the error page with the
 * stack for requests from this machine) and restarts it when a source file, a template, the config
 * or `.env` changes.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { stringOption, type Command } from '../command.js';
import { EXIT_CODES } from '../errors.js';
import { BIN_PATH, portOption, type ListeningMessage } from './serve.js';

/** Timings of the reloader. */
export const DEV_DEFAULTS = Object.freeze({
  /** Changes closer together than this are one restart (an editor saving several files, a git checkout). */
  debounceMs: 150,
  /** How long a child may take to finish its requests before it is killed. */
  stopTimeoutMs: 5_000,
});

// Files whose change never needs a restart: editor swap and backup files, the SQLite database,
// logs, and anything in node_modules or a dot folder.
function ignored(path: string): boolean {
  const name = basename(path);
  return (
    path.split(/[\\/]/).some((part) => part === 'node_modules' || (part.startsWith('.') && part !== '.env' && part !== '..' && part !== '.')) ||
    /(~|\.swp|\.swx|\.tmp|\.log|\.sqlite3(-wal|-shm|-journal)?|\.db(-wal|-shm|-journal)?)$/.test(name) ||
    /^\.#|^#.*#$|^4913$/.test(name)
  );
}

export const devCommand: Command = {
  name: 'dev',
  summary: 'serve the app in development mode and restart it when a file changes',
  description: 'Watches the source and template folders of rampart.config.ts, the config file and .env. NODE_ENV is development: errors show the stack to requests from this machine.',
  options: {
    port: { type: 'string', value: 'PORT', help: 'port to listen on (default: PORT, else 8000)' },
    host: { type: 'string', value: 'HOST', help: 'address to listen on (default: HOST, else 127.0.0.1)' },
  },
  async run(ctx) {
    const config = await ctx.project();
    const port = portOption(stringOption(ctx.values, 'port'));
    const host = stringOption(ctx.values, 'host');
    const args = [BIN_PATH, 'serve', ...(config.file === null ? [] : ['--config', config.file])];
    if (port !== undefined) args.push('--port', String(port));
    if (host !== undefined) args.push('--host', host);
    const env = { ...process.env, NODE_ENV: 'development' };
    const say = (line: string): void => ctx.io.err(`rampart dev: ${line}`);

    let child: ChildProcess | null = null;
    let stopping = false;
    let restarting = false;
    let pending: string | null = null;
    let timer: NodeJS.Timeout | null = null;
    const startChild = (): void => {
      const c = spawn(process.execPath, args, { cwd: config.root, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child = c;
      c.on('message', (m: Partial<ListeningMessage>) => {
        if (m?.rampart === 'listening') say(`serving ${m.url} (pid ${c.pid}); watching for changes`);
      });
      c.once('exit', (code, signal) => {
        if (child === c) child = null;
        if (!stopping && !restarting) say(`the app exited (${signal ?? `code ${code}`}); waiting for a change to restart it`);
      });
    };
    const stopChild = async (): Promise<void> => {
      const c = child;
      if (c === null || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), DEV_DEFAULTS.stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    };

    const restart = async (): Promise<void> => {
      if (restarting || stopping) return;
      restarting = true;
      const changed = pending;
      pending = null;
      say(`${changed} changed; restarting`);
      await stopChild();
      restarting = false;
      if (!stopping) startChild();
      if (pending !== null) schedule(pending);
    };
    const schedule = (path: string): void => {
      pending = path;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => void restart(), DEV_DEFAULTS.debounceMs);
    };

    const watchers: FSWatcher[] = [];
    const folders = [...config.sources, ...config.templates].filter((d) => existsSync(d) && statSync(d).isDirectory());
    for (const dir of folders) {
      watchers.push(
        watch(dir, { recursive: true }, (_event, name) => {
          const path = name === null ? dir : join(dir, name.toString());
          if (!ignored(path)) schedule(relative(config.root, path) || path);
        }),
      );
    }
    for (const file of [config.file, join(config.root, '.env')]) {
      if (file !== null && existsSync(file)) watchers.push(watch(file, () => schedule(relative(config.root, file))));
    }
    say(`watching ${folders.map((d) => `${relative(config.root, d) || '.'}/`).join(', ') || '(no folders)'}`);
    startChild();

    await new Promise<void>((resolve) => {
      const shutdown = (): void => {
        if (stopping) return;
        stopping = true;
        if (timer !== null) clearTimeout(timer);
        for (const w of watchers) w.close();
        void stopChild().then(resolve);
      };
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
    });
    return EXIT_CODES.ok;
  },
};
