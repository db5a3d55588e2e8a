// One load run against one server: autocannon (programmatic, in this process) plus CPU
// accounting for both sides, which tells whether the server or the load generator was the limit.
import autocannon from 'autocannon';
import { CLOCK_TICKS, machineBusySeconds } from './machine.js';
import type { ServerProcess } from './servers.js';
import { LatencyHistogram } from './stats.js';

export interface LoadOptions {
  readonly seconds: number;
  readonly connections: number;
  readonly pipelining: number;
}

export interface LoadResult {
  /** Completed responses (any status). */
  readonly requests: number;
  readonly durationS: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connection errors, timeouts included. */
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  /** Server CPU time / wall time (1 = one core busy the whole time); null without /proc. */
  readonly serverCpu: number | null;
  /** Load-generator (this process) CPU time / wall time. */
  readonly loadgenCpu: number;
  /** CPU used by everything else on the machine / wall time (interference); null without /proc. */
  readonly otherCpu: number | null;
}

/** Extra time allowed past the nominal duration before the run is declared hung. */
const WATCHDOG_GRACE_MS = 15_000;

export async function runLoad(server: ServerProcess, path: string, options: LoadOptions): Promise<LoadResult> {
  const latency = new LatencyHistogram();
  const machine0 = machineBusySeconds(CLOCK_TICKS);
  const serverCpu0 = server.cpuSeconds();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    // Declared first: autocannon reports invalid options through the callback synchronously.
    let watchdog: NodeJS.Timeout | undefined;
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${server.port}${path}`,
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
      reject(new Error(`load run against ${server.target.id} ${path} did not finish in time`));
    }, options.seconds * 1000 + WATCHDOG_GRACE_MS);
  });

  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const serverCpu1 = server.cpuSeconds();
  const machine1 = machineBusySeconds(CLOCK_TICKS);
  const serverCpu = serverCpu0 === null || serverCpu1 === null ? null : (serverCpu1 - serverCpu0) / wallS;
  const loadgenCpu = (cpu.user + cpu.system) / 1e6 / wallS;

  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = count;

  return {
    requests: result.requests.total,
    durationS: result.duration,
    // Total over the actual duration: autocannon's per-second average is off when the run
    // ends between two of its one-second samples.
    rps: result.duration > 0 ? result.requests.total / result.duration : 0,
    p50Ms: latency.percentile(50),
    p99Ms: latency.percentile(99),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    serverCpu,
    loadgenCpu,
    otherCpu:
      machine0 === null || machine1 === null || serverCpu === null
        ? null
        : Math.max(0, (machine1 - machine0) / wallS - serverCpu - loadgenCpu),
  };
}
