/**
 * Test support for the `rampart` command: fixture projects in temp folders (with
 * `node_modules/rampart` linked to this repository, as an installed project has it), and the real
 * command run as a child process with every wait bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'rampart.mjs');

/** Settings variables a test never inherits from the runner's environment. */
const CLEARED = /^(NODE_ENV|NODE_TEST_CONTEXT|SECRET_KEY|ALLOWED_HOSTS|TRUSTED_PROXIES|HTTPS|HSTS_.*|CSRF_TRUSTED_ORIGINS|DATABASE_URL|PORT|HOST|LOG_.*|SHUTDOWN_TIMEOUT_MS|RAMPART_.*|npm_.*)$/;

/** A strong key for production runs of fixtures. */
export const STRONG_SECRET = 'q3Jx9vR2mK7tL5wP8zN4bC6dF1gH0jQeYsUaVoXiTrWk';

/** The environment of a child: the runner's, minus its settings, plus `env`. */
export function childEnv(env: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!CLEARED.test(k)) out[k] = v;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

export interface Project {
  readonly dir: string;
  write(path: string, text: string): void;
  remove(): void;
}

const projects: Project[] = [];

/** A project folder with `files` (and an ESM package.json unless given) and `node_modules/rampart` linked to this repository. */
export function fixtureProject(files: Readonly<Record<string, string>>, options: { link?: boolean } = {}): Project {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-cli-'));
  if (options.link !== false) {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'rampart'), 'dir');
  }
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  // Like a real project (and the scaffold): ESM, so .ts files load as modules.
  if (!('package.json' in files)) write('package.json', JSON.stringify({ name: 'fixture', private: true, type: 'module' }));
  for (const [path, text] of Object.entries(files)) write(path, text);
  const project = { dir, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
  projects.push(project);
  return project;
}

/** Removes every fixture project made so far (call it in `after`). */
export function removeProjects(): void {
  for (const p of projects.splice(0)) p.remove();
}

export interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `rampart ...args` to completion (killed after `timeoutMs`) and returns its exit and output. */
export function rampartRun(
  args: readonly string[],
  options: { cwd: string; env?: Readonly<Record<string, string | undefined>>; input?: string; timeoutMs?: number },
): Promise<Result> {
  return run(process.execPath, [BIN, ...args], options);
}

/** Runs any command to completion, bounded. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Readonly<Record<string, string | undefined>>; input?: string; timeoutMs?: number; rawEnv?: boolean },
): Promise<Result> {
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: options.rawEnv === true ? { ...process.env, ...options.env } : childEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin.end(options.input ?? '');
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A long-running child (dev, start, serve) with bounded waits on its output. */
export interface Running {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves when the combined output matches `pattern` (after `from` characters), rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number, from?: number): Promise<void>;
  /** Resolves with the exit, or null when the child is still running after `ms`. */
  waitForExit(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null>;
}

const running: ChildProcess[] = [];
const spawnedStdin = new WeakMap<ChildProcess, NodeJS.WritableStream>();

/** Starts `command args` in the background. `group: true` makes it a process group leader (killed with -pid). */
export function start(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Readonly<Record<string, string | undefined>>; group?: boolean; rawEnv?: boolean; stdin?: boolean },
): Running {
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: options.rawEnv === true ? { ...process.env, ...options.env } : childEnv(options.env),
    stdio: [options.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    detached: options.group === true,
  });
  if (child.stdin !== null) spawnedStdin.set(child, child.stdin);
  running.push(child);
  let out = '';
  const waiters: (() => void)[] = [];
  const onData = (s: string): void => {
    out += s;
    for (const w of waiters.slice()) w();
  };
  child.stdout!.setEncoding('utf8').on('data', onData);
  child.stderr!.setEncoding('utf8').on('data', onData);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
      for (const w of waiters.slice()) w();
    }),
  );
  return {
    child,
    output: () => out,
    waitFor(pattern, ms = 30_000, from = 0) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(out.slice(from))) {
            cleanup();
            resolve();
          } else if (exit !== null) {
            cleanup();
            reject(new Error(`exited (${JSON.stringify(exit)}) before printing ${pattern}\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} within ${ms} ms\n${out}`));
        }, ms);
        const cleanup = (): void => {
          clearTimeout(timer);
          const i = waiters.indexOf(check);
          if (i !== -1) waiters.splice(i, 1);
        };
        waiters.push(check);
        check();
      });
    },
    async waitForExit(ms) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
      const result = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      return result;
    },
  };
}

/** Kills every background child still running (by its PID, or its group's), for `after`. */
export function killAll(): void {
  for (const c of running.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) continue;
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      c.kill('SIGKILL');
    }
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** GETs a URL, retrying until it answers or `ms` pass; resolves to status and body. */
export async function getUntil(url: string, ms: number, headers: Record<string, string> = {}, ok: (status: number, body: string) => boolean = () => true): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + ms;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
      const body = await res.text();
      if (ok(res.status, body)) return { status: res.status, body };
      last = `${res.status} ${body.slice(0, 200)}`;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} did not answer as expected within ${ms} ms (last: ${String(last)})`);
}

/** A config file pointing at `src/app.ts`. */
export const CONFIG = `import { defineConfig } from 'rampart/cli';\nexport default defineConfig({ app: './src/app.ts' });\n`;

/**
 * Runs `rampart ...args` in a pseudo-terminal (util-linux `script`) and answers like a person:
 * each answer is typed only once its prompt has appeared, so the terminal's mode at that moment
 * (echo on or off) is what the output shows.
 */
export async function converse(
  cwd: string,
  args: string,
  steps: readonly (readonly [prompt: RegExp, answer: string])[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<{ code: number | null; output: string }> {
  const bin = join(cwd, 'node_modules/rampart/bin/rampart.mjs');
  const child = start('script', ['-qec', `node ${bin} ${args}`, '/dev/null'], { cwd, env, stdin: true });
  const stdin = spawnedStdin.get(child.child)!;
  let from = 0;
  for (const [prompt, answer] of steps) {
    await child.waitFor(prompt, 30_000, from);
    from = child.output().length;
    stdin.write(answer + '\r');
  }
  const exit = await child.waitForExit(30_000);
  if (exit === null) throw new Error(`rampart ${args} did not exit\n${child.output()}`);
  return { code: exit.code, output: child.output() };
}
