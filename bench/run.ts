// Rampart benchmark harness: `npm run bench` (see bench/README.md).
//
// Starts every target's server as a child process pinned to CPU 1, pins itself and the load
// generator (wrk as a child process when installed, else autocannon in this process) to CPU 0,
// checks that every target answers every endpoint exactly as expected, warms each up, then
// measures in rounds: each round runs every target × endpoint once, in a freshly shuffled order,
// so slow drift of the machine (thermal, other load) hits all targets alike. Reports medians over
// rounds (req/s, latency, server CPU per request) and writes bench/RESULTS.md and bench/results.json.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOADGEN_CPU, SERVER_CPU, loadSettings, type Settings } from './harness/config.js';
import { runLoad, selectLoadTool, type LoadResult, type LoadTool } from './harness/load.js';
import {
  hasTaskset,
  machineInfo,
  packageVersions,
  pinSelf,
  rampartSourcePresent,
  rampartVersion,
  sampleMachineBusy,
} from './harness/machine.js';
import {
  LIMIT_LEGEND,
  disturbedText,
  evaluateGoals,
  goalsText,
  isUntrustworthy,
  resultTables,
  resultsJson,
  resultsMarkdown,
  summarize,
  type RunRecord,
  type Sample,
} from './harness/report.js';
import { keepOtherSections } from './harness/sections.js';
import { ServerProcess, describeExit, killAllServersNow, stopAllServers } from './harness/servers.js';
import { seededRandom, shuffled } from './harness/stats.js';
import { ENDPOINTS, TARGETS, type Endpoint, type Target } from './harness/targets.js';
import { probeHostCheck, verifyEndpoint, type EndpointCheck } from './harness/verify.js';
import { killWrkNow, wrkSeconds } from './harness/wrk.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);

const READY_TIMEOUT_MS = 30_000; // tsx compiles each server on start; Rampart's src is the largest
const STOP_TIMEOUT_MS = 5_000;
/** CPU used by other processes (fraction of a core) above which a measurement is flagged. */
const OTHER_CPU_LIMIT = 0.15;
const RETRY_PAUSE_MS = 2_000;

const isDisturbed = (r: LoadResult) => (r.otherCpu ?? 0) > OTHER_CPU_LIMIT;

/** Exit codes. */
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_MEASURED_WITH_ERRORS = 3;
const EXIT_INTERRUPTED = 130; // 128 + SIGINT
const EXIT_TERMINATED = 143; // 128 + SIGTERM

const log = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Set once shutdown has begun, so a second signal or a late failure does not start another. */
let shuttingDown = false;

async function shutdown(code: number, reason?: unknown): Promise<never> {
  if (shuttingDown) {
    // A second Ctrl-C: stop waiting for graceful exits.
    killWrkNow();
    killAllServersNow();
    process.exit(code);
  }
  shuttingDown = true;
  killWrkNow();
  if (reason !== undefined) console.error(`\nbench: ${reason instanceof Error ? reason.message : String(reason)}`);
  await stopAllServers(STOP_TIMEOUT_MS);
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(EXIT_INTERRUPTED, 'interrupted'));
process.on('SIGTERM', () => void shutdown(EXIT_TERMINATED, 'terminated'));
// Whatever happens, no server (and no wrk run) outlives the harness.
process.on('exit', () => {
  killWrkNow();
  killAllServersNow();
});

function estimateSeconds(s: Settings, tool: LoadTool, pairs: number, servers: number): number {
  // autocannon stops on its next one-second sampling tick, so a run lasts whole seconds; wrk takes
  // whole seconds only and stops on its next 100 ms tick after that.
  const perRun = (seconds: number) =>
    (tool.name === 'wrk' ? wrkSeconds(seconds) + 0.1 : Math.ceil(seconds)) + s.pauseMs / 1000;
  return servers * 2 + pairs * (s.warmupSeconds > 0 ? perRun(s.warmupSeconds) : 0) + s.rounds * pairs * perRun(s.seconds);
}

function describeResult(r: LoadResult): string {
  const cpu = (v: number | null) => (v === null ? '–' : `${Math.round(v * 100)}%`);
  const failures = r.errors + r.non2xx;
  return (
    `${Math.round(r.rps).toLocaleString('en-US').padStart(8)} req/s  ` +
    `p99 ${(Number.isNaN(r.p99Ms) ? '–' : r.p99Ms.toFixed(2)).padStart(6)} ms  ` +
    `${(r.serverUsPerRequest === null ? '–' : r.serverUsPerRequest.toFixed(1)).padStart(6)} µs/req  ` +
    `server ${cpu(r.serverCpu).padStart(4)}  loadgen ${cpu(r.loadgenCpu).padStart(4)}  other ${cpu(r.otherCpu).padStart(4)}` +
    (failures > 0 ? `  FAILURES: ${r.errors} errors (${r.timeouts} timeouts), ${r.non2xx} non-2xx ${JSON.stringify(r.statusCodes)}` : '')
  );
}

function ensureAlive(server: ServerProcess): void {
  if (!server.alive) {
    throw new Error(`${server.target.id} died (${describeExit(server.exit!)})\n${server.output()}`);
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const settings = loadSettings();
  const targets = TARGETS.filter((t) => settings.targetIds.includes(t.id));
  const endpoints = ENDPOINTS.filter((e) => settings.endpointIds.includes(e.id));
  const warnings: string[] = [];
  const warn = (w: string) => {
    warnings.push(w);
    log(`warning: ${w}`);
  };

  if (targets.some((t) => t.script === 'rampart.ts') && !rampartSourcePresent(ROOT)) {
    throw new Error(
      'src/index.ts does not exist yet, so Rampart cannot be measured. ' +
        'Run without it, e.g. BENCH_TARGETS=node-http,fastify,express,hono npm run bench',
    );
  }

  const machine = machineInfo();
  const versions = packageVersions(ROOT);
  const { tool, warning: toolWarning } = selectLoadTool(settings.tool, versions.autocannon ?? 'unknown');
  if (toolWarning) warn(toolWarning);

  // Pinning: servers on one core, load generator on the other, so they do not compete.
  let serverCpu: number | null = null;
  let loadgenCore: number | null = null;
  let pinning: string;
  if (!settings.pin) {
    pinning = 'off (BENCH_PIN=0)';
  } else if (!hasTaskset()) {
    pinning = 'off (taskset not found)';
  } else if (machine.availableCpus < 2) {
    pinning = `off (only ${machine.availableCpus} CPU available)`;
  } else {
    const pinned = pinSelf(LOADGEN_CPU);
    if (pinned.ok) {
      serverCpu = SERVER_CPU;
      loadgenCore = LOADGEN_CPU;
      pinning = `servers on CPU ${SERVER_CPU}, load generator on CPU ${LOADGEN_CPU} (taskset)`;
    } else {
      pinning = `off (${pinned.detail})`;
    }
  }
  if (serverCpu === null) warn(`CPU pinning ${pinning}: server and load generator share cores, results are noisier`);
  // The load average lags by minutes (a previous run still shows), so look at the last second.
  const busyBefore = await sampleMachineBusy(1000);
  if (busyBefore !== null && busyBefore > OTHER_CPU_LIMIT) {
    warn(`${Math.round(busyBefore * 100)}% of a core was busy just before the run: something else is using the CPU`);
  }

  const pairs = targets.length * endpoints.length;
  log(`Rampart bench${settings.quick ? ' (QUICK mode: smoke test, not a measurement)' : ''}`);
  log(`${machine.cpuModel}, ${machine.cpus} CPUs, Node ${machine.node}; pinning: ${pinning}`);
  const loadToolDetail =
    tool.name === 'wrk'
      ? `one thread, separate process${loadgenCore === null ? '' : ` pinned with taskset -c ${loadgenCore}`}, ` +
        `script bench/harness/wrk-report.lua, latency percentiles as wrk reports them (corrected for coordinated omission)` +
        (settings.pipelining > 1 ? `, pipelining as batches of ${settings.pipelining} requests from the Lua request()` : '') +
        (wrkSeconds(settings.seconds) !== settings.seconds ? `; runs of ${wrkSeconds(settings.seconds)} s (wrk takes whole seconds)` : '')
      : `in-process (programmatic API), one JavaScript thread${loadgenCore === null ? '' : ` pinned to CPU ${loadgenCore}`}`;
  log(`load generator: ${tool.name} ${tool.version}${tool.path ? ` (${tool.path})` : ''}, ${loadToolDetail}`);
  log(
    `targets: ${targets.map((t) => t.id).join(', ')}; endpoints: ${endpoints.map((e) => e.route).join(', ')}\n` +
      `${settings.rounds} round(s) × ${settings.seconds} s, warm-up ${settings.warmupSeconds} s, ` +
      `${settings.connections} connections, pipelining ${settings.pipelining}, seed ${settings.seed}; ` +
      `about ${Math.ceil(estimateSeconds(settings, tool, pairs, targets.length))} s`,
  );

  // Start the servers one after the other (startup compiles TypeScript; no need to overlap it).
  // They all stay up for the whole run: an idle Node process costs nothing measurable, and
  // restarting between rounds would throw away JIT warm-up.
  const servers = new Map<string, ServerProcess>();
  for (const target of targets) {
    const server = await ServerProcess.start(target, { root: ROOT, cpu: serverCpu, readyTimeoutMs: READY_TIMEOUT_MS });
    servers.set(target.id, server);
    log(`started ${target.id.padEnd(17)} pid ${server.pid}, port ${server.port}`);
  }
  const serverOf = (t: Target) => servers.get(t.id)!;

  // Check every response before measuring anything; any mismatch ends the run.
  const checks: EndpointCheck[] = [];
  for (const target of targets) {
    for (const endpoint of endpoints) checks.push(await verifyEndpoint(target, endpoint, serverOf(target).port));
    if (target.checksHost) {
      const problem = await probeHostCheck(target, endpoints[0]!, serverOf(target).port);
      if (problem) warn(problem);
    }
  }
  log(`verified ${checks.length} target × endpoint responses (status 200, exact body, content type)`);
  const secureHeaders = checks.find((c) => c.target === 'rampart' && c.endpoint === endpoints[0]!.id);
  const insecureHeaders = checks.find((c) => c.target === 'rampart-insecure' && c.endpoint === endpoints[0]!.id);
  if (secureHeaders && insecureHeaders && secureHeaders.headerNames.length <= insecureHeaders.headerNames.length) {
    warn('Rampart (secure) sends no more headers than Rampart (defaults off); are the security headers on?');
  }

  const load = (target: Target, endpoint: Endpoint, seconds: number) =>
    runLoad(
      serverOf(target),
      endpoint.path,
      { seconds, connections: settings.connections, pipelining: settings.pipelining, loadgenCpuCore: loadgenCore },
      tool,
    );

  if (settings.warmupSeconds > 0) {
    for (const target of targets) {
      for (const endpoint of endpoints) {
        const r = await load(target, endpoint, settings.warmupSeconds);
        ensureAlive(serverOf(target));
        if (r.errors + r.non2xx > 0) warn(`warm-up of ${target.id} ${endpoint.route}: ${describeResult(r).trim()}`);
        await sleep(settings.pauseMs);
      }
    }
    log(`warmed up ${pairs} target × endpoint pairs (${settings.warmupSeconds} s each)`);
  }

  const random = seededRandom(settings.seed);
  const all = targets.flatMap((target) => endpoints.map((endpoint) => ({ target, endpoint })));
  const samples: Sample[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    const order = shuffled(all, random);
    for (const [i, { target, endpoint }] of order.entries()) {
      let result = await load(target, endpoint, settings.seconds);
      ensureAlive(serverOf(target));
      // Another process took CPU from this measurement (on this shared machine, typically a test
      // run): measure again, a bounded number of times, after letting it settle.
      let retries = 0;
      while ((isDisturbed(result) || result.requests === 0) && retries < settings.retries) {
        retries++;
        log(
          `  ${target.id} ${endpoint.route}: ${result.requests === 0 ? 'no response at all, ' : ''}other processes used ` +
            `${Math.round((result.otherCpu ?? 0) * 100)}% of a core; measuring again (${retries}/${settings.retries})`,
        );
        await sleep(RETRY_PAUSE_MS);
        result = await load(target, endpoint, settings.seconds);
        ensureAlive(serverOf(target));
      }
      const disturbed = isDisturbed(result);
      samples.push({ round, position: i + 1, target: target.id, endpoint: endpoint.id, retries, disturbed, result });
      log(
        `[round ${round}/${settings.rounds} ${String(i + 1).padStart(2)}/${order.length}] ` +
          `${target.id.padEnd(17)} ${endpoint.route.padEnd(22)} ${describeResult(result)}`,
      );
      await sleep(settings.pauseMs);
    }
  }

  // Stop the servers and check that each exited cleanly (exit 0 on SIGTERM).
  for (const server of servers.values()) {
    const { exit, forced } = await server.stop(STOP_TIMEOUT_MS);
    if (forced) warn(`${server.target.id} did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM and was killed`);
    else if (exit.code !== 0) warn(`${server.target.id} ended with ${describeExit(exit)} on SIGTERM, expected exit code 0`);
  }

  const disturbed = samples.filter((s) => s.disturbed).length;
  if (disturbed > 0) {
    warn(
      `${disturbed} of ${samples.length} measurements ran while other processes used more than ` +
        `${OTHER_CPU_LIMIT * 100}% of a core, even after ${settings.retries} retries ("otherCpu" in results.json); ` +
        'the shuffled order spreads this over all targets, but rerun on a quiet machine if it is many',
    );
  }
  const retried = samples.reduce((n, s) => n + s.retries, 0);
  if (retried > 0) log(`${retried} measurement(s) were repeated because other processes were using the CPU`);

  const silent = samples.filter((s) => s.result.requests === 0);
  for (const s of silent) {
    warn(`${s.target} ${s.endpoint} (round ${s.round}): not one response in ${settings.seconds} s; its req/s of 0 is in the medians`);
  }
  const failed = samples.filter((s) => s.result.errors + s.result.non2xx > 0 || s.result.requests === 0);
  if (failed.length > 0) {
    warn(`${failed.length} measurement(s) had failed requests or no response; see the errors column and the above`);
  }

  const summaries = summarize(samples, targets, endpoints);
  const goals = evaluateGoals(summaries, endpoints);
  const record: RunRecord = {
    date: new Date(started).toISOString(),
    settings,
    machine,
    busyBefore,
    loadAverageAfter: machineInfo().loadAverage,
    pinning,
    versions,
    loadTool: tool,
    loadToolDetail,
    rampart: rampartVersion(ROOT),
    targets,
    endpoints,
    checks,
    samples,
    summaries,
    goals,
    warnings,
    clean: failed.length === 0,
    disturbed,
    elapsedS: (Date.now() - started) / 1000,
  };

  log('');
  log(resultTables(summaries, targets, endpoints));
  log('');
  log('Goals:');
  log(goalsText(goals, settings.rounds));
  log(LIMIT_LEGEND);

  // A quick run is a smoke test: it must not replace the committed results of a real run.
  const suffix = settings.quick ? '.quick' : '';
  const mdPath = join(BENCH_DIR, `RESULTS${suffix}.md`);
  const jsonPath = join(BENCH_DIR, `results${suffix}.json`);
  writeFileSync(mdPath, keepOtherSections(mdPath, resultsMarkdown(record)));
  writeFileSync(jsonPath, resultsJson(record));
  log(`\nwrote ${mdPath} and ${jsonPath} (${Math.round(record.elapsedS)} s)`);

  if (isUntrustworthy(record)) log(`\nWARNING: ${disturbedText(record)}`);
  if (!record.clean) {
    log('RUN HAD FAILED REQUESTS OR SILENT MEASUREMENTS: results are marked as such');
    return EXIT_MEASURED_WITH_ERRORS;
  }
  return EXIT_OK;
}

main().then(
  (code) => shutdown(code),
  (err: unknown) => shutdown(EXIT_FAILED, err),
);
