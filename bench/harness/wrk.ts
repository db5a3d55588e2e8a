// wrk as the load generator: finding it, its version, and one run as a child process.
//
// wrk (C, epoll) costs several times less CPU per request than autocannon (one JS thread), so a
// single wrk thread on its own core can drive the fastest Node servers to their limit, and the
// response size weighs much less on the client side. It runs as
//   [taskset -c 0] wrk -t1 -c<connections> -d<seconds>s --timeout 10s --latency
//                      -s bench/harness/wrk-report.lua <url> -- <pipelining>
// and the Lua script's done() prints one JSON line, which is all that is read of its output.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WRK_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'wrk-report.lua');
const DEFAULT_WRK = '/usr/bin/wrk';
const REPORT_MARKER = 'RAMPART_BENCH_WRK ';
/** Per-request timeout, as for autocannon: a response slower than this counts as a timeout error. */
const TIMEOUT_S = 10;
/** Extra time allowed past the nominal duration before the run is declared hung. */
const WATCHDOG_GRACE_MS = 15_000;
const OUTPUT_CHARS_KEPT = 4000;

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** /usr/bin/wrk, else the first `wrk` on PATH, else null. */
export function findWrk(): string | null {
  if (isExecutableFile(DEFAULT_WRK)) return DEFAULT_WRK;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'wrk');
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/**
 * wrk's version, e.g. `4.1.0 [epoll]` or, from Debian's package, `debian/4.1.0-3+b2 [epoll]`.
 * `wrk -v` prints "wrk <version> [<event API>] Copyright (C) 2012 Will Glozer" and then its usage
 * text to stdout, and exits 1 (no URL given); both streams are searched, the status is ignored.
 */
export function wrkVersion(path: string): string {
  const r = spawnSync(path, ['-v'], { encoding: 'utf8', timeout: 5000 });
  const m = /^wrk\s+(\S+)(?:\s+(\[[^\]]+\]))?/m.exec(`${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  return m ? `${m[1]}${m[2] ? ` ${m[2]}` : ''}` : 'unknown version';
}

/** What wrk-report.lua prints. Times in microseconds. */
export interface WrkReport {
  /** Completed responses, any status. */
  readonly requests: number;
  readonly durationUs: number;
  readonly bytes: number;
  readonly errors: {
    readonly connect: number;
    readonly read: number;
    readonly write: number;
    /** Responses with a status above 399 (wrk does not count 3xx). */
    readonly status: number;
    /** Responses that took longer than --timeout. */
    readonly timeout: number;
  };
  readonly latencyUs: { readonly p50: number; readonly p99: number; readonly max: number };
}

export interface WrkOptions {
  readonly url: string;
  readonly seconds: number;
  readonly connections: number;
  readonly pipelining: number;
  /** Core to pin wrk to with taskset, or null for no pinning. */
  readonly cpu: number | null;
}

/** wrk takes whole seconds only (`-d0.5s` is refused), so shorter or fractional runs round up. */
export const wrkSeconds = (seconds: number) => Math.max(1, Math.ceil(seconds));

/** The wrk child running now, if any, so an interrupted harness can end it. */
let current: ChildProcess | null = null;

/** Synchronous, for the process 'exit' hook: SIGKILL a wrk run still going. */
export function killWrkNow(): void {
  const child = current;
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function parseReport(line: string): WrkReport {
  const r = JSON.parse(line) as WrkReport;
  const numbers = [
    r.requests,
    r.durationUs,
    r.bytes,
    r.errors?.connect,
    r.errors?.read,
    r.errors?.write,
    r.errors?.status,
    r.errors?.timeout,
    r.latencyUs?.p50,
    r.latencyUs?.p99,
  ];
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) {
    throw new Error(`unexpected wrk report: ${line}`);
  }
  return r;
}

/**
 * One wrk run. Resolves with its report once the process has exited and been reaped (so its CPU
 * time is in this process's children CPU time, see load.ts); rejects if it fails to start, exits
 * without a report, or outlives the duration by WATCHDOG_GRACE_MS.
 */
export function runWrk(wrkPath: string, options: WrkOptions): Promise<WrkReport> {
  const seconds = wrkSeconds(options.seconds);
  const wrkArgs = [
    '-t1',
    `-c${options.connections}`,
    `-d${seconds}s`,
    '--timeout',
    `${TIMEOUT_S}s`,
    '--latency',
    '-s',
    WRK_SCRIPT,
    options.url,
    '--',
    String(options.pipelining),
  ];
  const [command, args] =
    options.cpu === null ? [wrkPath, wrkArgs] : ['taskset', ['-c', String(options.cpu), wrkPath, ...wrkArgs]];

  return new Promise<WrkReport>((resolve, reject) => {
    let settled = false;
    let hung = false;
    let stdout = '';
    let stderr = '';
    // Same process group as the harness: a Ctrl-C at the terminal reaches wrk too, which then
    // stops early and reports; the harness shuts down anyway.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-OUTPUT_CHARS_KEPT);
    });
    const watchdog = setTimeout(() => {
      hung = true;
      killWrkNow();
    }, seconds * 1000 + WATCHDOG_GRACE_MS);

    const finish = (err: Error | null, report?: WrkReport) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      if (current === child) current = null;
      if (err) reject(err);
      else resolve(report!);
    };
    child.once('error', (err) => finish(new Error(`could not start ${command}: ${err.message}`)));
    // 'close': exited, reaped, and both pipes drained.
    child.once('close', (code, signal) => {
      const what = `wrk against ${options.url}`;
      if (hung) return finish(new Error(`${what} did not finish in time`));
      const line = stdout.split('\n').find((l) => l.startsWith(REPORT_MARKER));
      if (code !== 0 || line === undefined) {
        const status = signal ? `signal ${signal}` : `exit code ${code}`;
        const output = `${stdout.slice(-OUTPUT_CHARS_KEPT)}${stderr}`.trim();
        return finish(new Error(`${what} ended with ${status}${line === undefined ? ' and no report' : ''}\n${output}`));
      }
      try {
        finish(null, parseReport(line.slice(REPORT_MARKER.length)));
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}
