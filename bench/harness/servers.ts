// Starting, watching and ending the server child processes.
//
// Each server runs as `[taskset -c 1] node --import tsx bench/servers/<x>.ts` in its own process
// group (detached), so a Ctrl-C at the terminal reaches only the harness, which then ends every
// server by PID; an IPC channel lets a server notice if the harness dies without doing so.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CLOCK_TICKS } from './machine.js';
import type { Target } from './targets.js';

const READY_LINE = /^ready (\d+)$/;
const OUTPUT_LINES_KEPT = 40;


export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StartOptions {
  readonly root: string;
  /** Core to pin the server to, or null for no pinning. */
  readonly cpu: number | null;
  readonly readyTimeoutMs: number;
}

/** Every server process started and not yet known to have exited, for cleanup. */
const running = new Set<ServerProcess>();

export class ServerProcess {
  readonly target: Target;
  readonly port: number;
  private readonly child: ChildProcess;
  private readonly outputTail: string[];
  private exitInfo: ExitInfo | null = null;
  private readonly exited: Promise<ExitInfo>;

  private constructor(target: Target, child: ChildProcess, port: number, outputTail: string[], exited: Promise<ExitInfo>) {
    this.target = target;
    this.child = child;
    this.port = port;
    this.outputTail = outputTail;
    this.exited = exited.then((info) => {
      this.exitInfo = info;
      running.delete(this);
      return info;
    });
  }

  /** Spawn the target's server and wait for its `ready <port>` line. */
  static async start(target: Target, options: StartOptions): Promise<ServerProcess> {
    const script = join(options.root, 'bench', 'servers', target.script);
    const nodeArgs = ['--import', 'tsx', script, ...target.args];
    const [command, args] =
      options.cpu === null
        ? [process.execPath, nodeArgs]
        : ['taskset', ['-c', String(options.cpu), process.execPath, ...nodeArgs]];

    const child = spawn(command, args, {
      cwd: options.root,
      // PORT=0: the OS picks a free port and the server reports it. NODE_ENV=production for all,
      // since that is how they would be deployed (Express, for one, behaves differently).
      env: { ...process.env, PORT: '0', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });

    const tail: string[] = [];
    const keep = (stream: string) => (line: string) => {
      tail.push(`[${stream}] ${line}`);
      if (tail.length > OUTPUT_LINES_KEPT) tail.shift();
    };
    // Both pipes are read until the end: a server blocked on a full stdout pipe would stall.
    createInterface({ input: child.stderr! }).on('line', keep('stderr'));
    const stdout = createInterface({ input: child.stdout! });
    stdout.on('line', keep('stdout'));

    const exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    const spawnError = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(new Error(`${target.id}: could not start ${command}: ${err.message}`)));
    });

    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<number>((resolve) => {
      stdout.on('line', (line) => {
        const m = READY_LINE.exec(line.trim());
        if (m) resolve(Number(m[1]));
      });
    });
    const failure = Promise.race([
      spawnError,
      exited.then((info): never => {
        throw new Error(`${target.id}: exited before it was ready (${describeExit(info)})\n${tail.join('\n')}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${target.id}: not ready after ${options.readyTimeoutMs} ms\n${tail.join('\n')}`)),
          options.readyTimeoutMs,
        );
      }),
    ]);

    // Registered before waiting, so a server that fails to get ready is still ended on cleanup.
    const pending = { pid: child.pid, child };
    pendingChildren.add(pending);
    try {
      const port = await Promise.race([ready, failure]);
      const server = new ServerProcess(target, child, port, tail, exited);
      running.add(server);
      return server;
    } catch (err) {
      killQuietly(child.pid, 'SIGKILL');
      throw err;
    } finally {
      clearTimeout(timer);
      pendingChildren.delete(pending);
      failure.catch(() => {}); // the losing branches of the race must not surface as unhandled
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  get exit(): ExitInfo | null {
    return this.exitInfo;
  }

  /** Last lines the server printed, for diagnostics. */
  output(): string {
    return this.outputTail.join('\n');
  }

  /** CPU time (user + system, all threads) used so far, in seconds; null where /proc is missing. */
  cpuSeconds(): number | null {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may contain spaces:
      // state is field 3, utime 14 and stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      return null;
    }
  }

  /** SIGTERM, wait up to `timeoutMs`, then SIGKILL. */
  async stop(timeoutMs: number): Promise<{ exit: ExitInfo; forced: boolean }> {
    if (this.exitInfo) return { exit: this.exitInfo, forced: false };
    killQuietly(this.pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const exit = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (exit) return { exit, forced: false };
    killQuietly(this.pid, 'SIGKILL');
    return { exit: await this.exited, forced: true };
  }

  /** Synchronous last resort, for the process 'exit' hook. */
  killNow(): void {
    if (this.alive) killQuietly(this.pid, 'SIGKILL');
  }
}

/** Children spawned but not yet ready (not yet in `running`). */
const pendingChildren = new Set<{ pid: number | undefined; child: ChildProcess }>();

function killQuietly(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

export function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
}

/** End every server this process started, in parallel; bounded by `timeoutMs` each. */
export async function stopAllServers(timeoutMs: number): Promise<void> {
  for (const p of pendingChildren) killQuietly(p.pid, 'SIGKILL');
  await Promise.all([...running].map((s) => s.stop(timeoutMs)));
}

/** Synchronous variant for the 'exit' hook: SIGKILL whatever is still running. */
export function killAllServersNow(): void {
  for (const p of pendingChildren) killQuietly(p.pid, 'SIGKILL');
  for (const s of running) s.killNow();
}
