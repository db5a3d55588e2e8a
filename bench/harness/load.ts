// One load run against one server, with wrk (a child process) or autocannon (programmatic, in
// this process), plus CPU accounting for both sides: which side was the limit, and how much
// server CPU each request cost.
//
// CPU sources, all read right before the run starts and right after it ended:
// - server: utime + stime of the server process from /proc/<pid>/stat (all its threads);
// - wrk: this process's *children* CPU time (cutime + cstime in /proc/self/stat). The kernel adds
//   a child's total CPU time (all threads) to its parent's when the parent reaps it, and Node reaps
//   a child before it emits 'exit'; runWrk resolves after 'close', so the difference over the run
//   is exactly wrk's CPU time, start-up included. This is exact, unlike polling /proc/<wrk pid>/stat,
//   which misses whatever wrk used after the last poll. It relies on no other child of the harness
//   exiting during a measurement: the servers run all along and nothing else is spawned meanwhile;
//   `taskset -c 0 wrk` execs wrk, so it is the same child.
// - autocannon: process.cpuUsage() of this process (autocannon runs in it);
// - the machine: busy time of all cores from /proc/stat; what the server, the load generator and
//   this harness did not use is "other" (interference).
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import type { ToolRequest } from './config.js';
import { CLOCK_TICKS, machineBusySeconds } from './machine.js';
import type { ServerProcess } from './servers.js';
import { LatencyHistogram } from './stats.js';
import { findWrk, runWrk, wrkVersion } from './wrk.js';

export interface LoadTool {
  readonly name: 'wrk' | 'autocannon';
  readonly version: string;
  /** Executable (wrk), or null (autocannon runs in this process). */
  readonly path: string | null;
}

/**
 * BENCH_TOOL=wrk: wrk, or an error if it is missing. BENCH_TOOL=autocannon: autocannon.
 * Unset (auto): wrk when /usr/bin/wrk or a `wrk` on PATH exists, else autocannon with a warning.
 */
export function selectLoadTool(request: ToolRequest, autocannonVersion: string): { tool: LoadTool; warning: string | null } {
  const autocannonTool: LoadTool = { name: 'autocannon', version: autocannonVersion, path: null };
  if (request === 'autocannon') return { tool: autocannonTool, warning: null };
  const wrkPath = findWrk();
  if (wrkPath !== null) return { tool: { name: 'wrk', version: wrkVersion(wrkPath), path: wrkPath }, warning: null };
  if (request === 'wrk') {
    throw new Error('BENCH_TOOL=wrk, but wrk is not installed (neither /usr/bin/wrk nor `wrk` on PATH)');
  }
  return {
    tool: autocannonTool,
    warning:
      'wrk not found (/usr/bin/wrk or PATH), so autocannon generated the load: its single JavaScript thread ' +
      'saturates before the fastest servers do, which compresses their ratios (see † and ‡); install wrk for a better measurement',
  };
}

export interface LoadOptions {
  readonly seconds: number;
  readonly connections: number;
  readonly pipelining: number;
  /** Core to pin a wrk child to (this process is pinned there already), or null. */
  readonly loadgenCpuCore: number | null;
}

export interface LoadResult {
  /** Completed responses (any status). */
  readonly requests: number;
  readonly durationS: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connection (connect, read, write) errors and timeouts. */
  readonly errors: number;
  readonly timeouts: number;
  /** Responses with a status other than 2xx (autocannon); with wrk, status ≥ 400. */
  readonly non2xx: number;
  /** Count per status code (autocannon); wrk only counts `>=400`. */
  readonly statusCodes: Readonly<Record<string, number>>;
  /** Server CPU time during the run, seconds; null without /proc. */
  readonly serverCpuS: number | null;
  /** Server CPU time per completed response, µs; null without /proc or without responses. */
  readonly serverUsPerRequest: number | null;
  /** Server CPU time / wall time (1 = one core busy the whole time); null without /proc. */
  readonly serverCpu: number | null;
  /** Load-generator CPU time / wall time (wrk child, or this process for autocannon); null if unknown. */
  readonly loadgenCpu: number | null;
  /** CPU used by everything else on the machine / wall time (interference); null without /proc. */
  readonly otherCpu: number | null;
}

/** What a load tool measured; the CPU accounting around it is common. */
interface ToolResult {
  readonly requests: number;
  readonly durationS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly statusCodes: Readonly<Record<string, number>>;
}

/** Extra time allowed past the nominal duration before an autocannon run is declared hung. */
const WATCHDOG_GRACE_MS = 15_000;

/** CPU time (user + system) of this process's reaped children, seconds; null without /proc. */
function childrenCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // After the command name (in parentheses): state is field 3, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);

export async function runLoad(server: ServerProcess, path: string, options: LoadOptions, tool: LoadTool): Promise<LoadResult> {
  const url = `http://127.0.0.1:${server.port}${path}`;
  const machine0 = machineBusySeconds(CLOCK_TICKS);
  const serverCpu0 = server.cpuSeconds();
  const children0 = childrenCpuSeconds();
  const self0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();

  const r =
    tool.name === 'wrk'
      ? await wrkRun(tool.path!, url, options)
      : await autocannonRun(url, options, `${server.target.id} ${path}`);

  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const self = process.cpuUsage(self0);
  const children1 = childrenCpuSeconds();
  const serverCpu1 = server.cpuSeconds();
  const machine1 = machineBusySeconds(CLOCK_TICKS);

  const serverCpuS = diff(serverCpu0, serverCpu1);
  const selfS = (self.user + self.system) / 1e6;
  const loadgenS = tool.name === 'wrk' ? diff(children0, children1) : selfS;
  // This harness's own CPU counts as neither server nor interference; with autocannon it is the load generator.
  const oursS = loadgenS === null ? null : tool.name === 'wrk' ? selfS + loadgenS : selfS;
  const machineS = diff(machine0, machine1);

  return {
    ...r,
    rps: r.durationS > 0 ? r.requests / r.durationS : 0,
    serverCpuS,
    serverUsPerRequest: serverCpuS !== null && r.requests > 0 ? (serverCpuS / r.requests) * 1e6 : null,
    serverCpu: serverCpuS === null ? null : serverCpuS / wallS,
    loadgenCpu: loadgenS === null ? null : loadgenS / wallS,
    otherCpu:
      machineS === null || serverCpuS === null || oursS === null ? null : Math.max(0, (machineS - serverCpuS - oursS) / wallS),
  };
}

async function wrkRun(wrkPath: string, url: string, options: LoadOptions): Promise<ToolResult> {
  const report = await runWrk(wrkPath, {
    url,
    seconds: options.seconds,
    connections: options.connections,
    pipelining: options.pipelining,
    cpu: options.loadgenCpuCore,
  });
  const e = report.errors;
  const answered = report.requests > 0;
  return {
    requests: report.requests,
    // wrk's own duration: from its start to all its threads having stopped (they stop on their next
    // 100 ms tick after -d), the span its request count belongs to.
    durationS: report.durationUs / 1e6,
    p50Ms: answered ? report.latencyUs.p50 / 1000 : Number.NaN,
    p99Ms: answered ? report.latencyUs.p99 / 1000 : Number.NaN,
    errors: e.connect + e.read + e.write + e.timeout,
    timeouts: e.timeout,
    non2xx: e.status,
    statusCodes: e.status > 0 ? { '>=400': e.status } : {},
  };
}

async function autocannonRun(url: string, options: LoadOptions, what: string): Promise<ToolResult> {
  const latency = new LatencyHistogram();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    // Declared first: autocannon reports invalid options through the callback synchronously.
    let watchdog: NodeJS.Timeout | undefined;
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        pipelining: options.pipelining,
        duration: options.seconds,
        timeout: 10,
      },
      (err, res) => {
        clearTimeout(watchdog);
        if (err) reject(err);
        else resolve(res);
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => latency.record(responseTimeMs));
    watchdog = setTimeout(() => {
      instance.stop();
      reject(new Error(`load run against ${what} did not finish in time`));
    }, options.seconds * 1000 + WATCHDOG_GRACE_MS);
  });

  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = count;
  return {
    requests: result.requests.total,
    // Total over the actual duration: autocannon's per-second average is off when the run
    // ends between two of its one-second samples.
    durationS: result.duration,
    p50Ms: latency.percentile(50),
    p99Ms: latency.percentile(99),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
  };
}
