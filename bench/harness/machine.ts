// Facts about the machine and software a result depends on, and CPU pinning of this process.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

export const PEER_PACKAGES = ['fastify', 'express', 'hono', '@hono/node-server', 'autocannon', 'tsx'] as const;

export interface MachineInfo {
  readonly cpuModel: string;
  /** Logical CPUs in the machine. */
  readonly cpus: number;
  /** CPUs this process may run on (affinity, cgroup limits). */
  readonly availableCpus: number;
  readonly os: string;
  readonly node: string;
  readonly v8: string;
  readonly loadAverage: readonly number[];
  readonly totalMemoryMiB: number;
}

export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1]!.trim();
  } catch {
    // Not Linux: keep what os.cpus() says.
  }
  return {
    cpuModel,
    cpus: os.cpus().length,
    availableCpus: os.availableParallelism(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
    totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
  };
}

function readJson(path: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Installed versions of the compared frameworks and tools, from node_modules. */
export function packageVersions(root: string): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of PEER_PACKAGES) {
    const pkg = readJson(join(root, 'node_modules', name, 'package.json'));
    versions[name] = typeof pkg?.version === 'string' ? pkg.version : 'not installed';
  }
  return versions;
}

/** Rampart's package version and the git commit the work tree is at (+dirty when it has changes). */
export function rampartVersion(root: string): { version: string; commit: string } {
  const pkg = readJson(join(root, 'package.json'));
  const version = typeof pkg?.version === 'string' ? pkg.version : 'unknown';
  const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8', timeout: 5000 });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return { version, commit: 'unknown' };
  const dirty = git('status', '--porcelain', '--', 'src').stdout.trim() !== '';
  return { version, commit: `${head.stdout.trim()}${dirty ? '+dirty (src/ has uncommitted changes)' : ''}` };
}

export function hasTaskset(): boolean {
  const r = spawnSync('taskset', ['--version'], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0;
}

/**
 * Pin every thread of this process to `cpu` (taskset -a -p). Threads started later inherit
 * the affinity, so the load generator stays off the server's core without re-executing ourselves.
 */
export function pinSelf(cpu: number): { ok: boolean; detail: string } {
  const r = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], {
    encoding: 'utf8',
    timeout: 5000,
  });
  return r.status === 0
    ? { ok: true, detail: `load generator pinned to CPU ${cpu}` }
    : { ok: false, detail: `taskset failed: ${(r.stderr || r.error?.message || '').trim()}` };
}

export function rampartSourcePresent(root: string): boolean {
  return existsSync(join(root, 'src', 'index.ts'));
}

/**
 * Busy CPU time of the whole machine so far, all cores, in seconds (steal included: time the
 * hypervisor gave to someone else is interference too); null where /proc/stat is missing.
 * Subtracting what the server and the load generator used leaves what everything else used.
 */
export function machineBusySeconds(clockTicks: number): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
    return busy / clockTicks;
  } catch {
    return null;
  }
}

/** Clock ticks per second, the unit of /proc CPU times. */
export const CLOCK_TICKS = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 });
  const n = Number(r.stdout?.trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
})();

/** Fraction of the machine's cores busy over `ms` (0 = idle, 1 = one core's worth), or null. */
export async function sampleMachineBusy(ms: number): Promise<number | null> {
  const a = machineBusySeconds(CLOCK_TICKS);
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = machineBusySeconds(CLOCK_TICKS);
  return a === null || b === null ? null : (b - a) / (ms / 1000);
}
