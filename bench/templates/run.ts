// Template rendering benchmark: `npm run bench:templates` (see "Templates" in bench/README.md).
//
// Renders two pages, TechEmpower "fortunes" and a complex page (3-level layout, 200 rows, 3
// includes, 10 filters), with Rampart, Nunjucks, Eta, EJS and Handlebars, all in this one process:
// each engine in a worker thread of its own (its own V8 isolate, where no other engine is loaded),
// or with BENCH_ISOLATION=shared all in the main thread. First every engine's pages are checked (fortunes against the reference, the complex page for its
// rows, escaping and equivalence with Rampart's); then each engine × scenario is warmed up; then
// rounds: each round renders every engine × scenario for BENCH_SECONDS, in a freshly shuffled
// order, so slow drift of the machine hits all alike. Reports median pages/s over rounds, the ratio
// to the fastest peer and the winner; writes bench/TEMPLATES.md and bench/templates-results.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { machineInfo, rampartVersion, type MachineInfo } from '../harness/machine.js';
import { markdownTable } from '../harness/report.js';
import { median, relativeSpread, seededRandom, shuffled } from '../harness/stats.js';
import { ENGINE_IDS, SCENARIO_IDS, SCENARIO_TITLES, createEngine, type EngineId, type ScenarioId } from './engines.js';
import { measure, warmUp, type Measurement } from './measure.js';
import type { Reply, Request, WorkerInit } from './worker.js';
import { checkPage, comparePages } from './verify.js';

const HERE = import.meta.dirname;
const BENCH_DIR = join(HERE, '..');
const ROOT = join(BENCH_DIR, '..');

/** CPU used by other processes during a measurement (fraction of a core) above which it is flagged. */
const OTHER_CPU_LIMIT = 0.15;

const log = (line = '') => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------
// Settings

/** worker: each engine in a worker thread of its own; shared: all engines in the main thread. */
type Isolation = 'worker' | 'shared';

interface Settings {
  readonly quick: boolean;
  readonly isolation: Isolation;
  readonly rounds: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly seed: number;
  readonly engines: readonly EngineId[];
  readonly scenarios: readonly ScenarioId[];
}

function numberFromEnv(name: string, fallback: number, min: number, max: number, integer: boolean): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(`${name}=${JSON.stringify(raw)}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

function listFromEnv<T extends string>(name: string, known: readonly T[]): readonly T[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return known;
  const ids = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = ids.filter((id) => !(known as readonly string[]).includes(id));
  if (unknown.length > 0 || ids.length === 0) {
    throw new Error(`${name}=${JSON.stringify(raw)}: unknown ${unknown.join(', ') || '(empty)'}; known: ${known.join(', ')}`);
  }
  return known.filter((id) => ids.includes(id));
}

function loadSettings(): Settings {
  const quickRaw = process.env['BENCH_QUICK']?.trim().toLowerCase() ?? '';
  const quick = ['1', 'true', 'yes', 'on'].includes(quickRaw);
  const isolation = process.env['BENCH_ISOLATION']?.trim().toLowerCase() || 'worker';
  if (isolation !== 'worker' && isolation !== 'shared') throw new Error(`BENCH_ISOLATION=${JSON.stringify(isolation)}: expected worker or shared`);
  return {
    quick,
    isolation,
    rounds: numberFromEnv('BENCH_ROUNDS', quick ? 1 : 7, 1, 100, true),
    seconds: numberFromEnv('BENCH_SECONDS', quick ? 0.5 : 1, 0.05, 60, false),
    warmupSeconds: numberFromEnv('BENCH_WARMUP', quick ? 0.25 : 1, 0, 60, false),
    seed: numberFromEnv('BENCH_SEED', Math.floor(Math.random() * 2 ** 31), 0, 2 ** 32 - 1, true),
    engines: listFromEnv('BENCH_ENGINES', ENGINE_IDS),
    scenarios: listFromEnv('BENCH_SCENARIOS', SCENARIO_IDS),
  };
}

// ---------------------------------------------------------------------------------------------
// Running the engines

/** Characters rendered, summed over every measurement (kept in the results). */
let checksum = 0;

interface Runner {
  readonly id: EngineId;
  readonly pkg: string | null;
  readonly notes: string;
  render(scenario: ScenarioId): Promise<string>;
  warmUp(scenario: ScenarioId, seconds: number): Promise<{ batch: number; characters: number }>;
  measure(scenario: ScenarioId, seconds: number, batch: number): Promise<Measurement>;
  close(): Promise<void>;
}

/** The engine in this thread, next to the others (BENCH_ISOLATION=shared). */
async function sharedRunner(id: EngineId): Promise<Runner> {
  const engine = await createEngine(id);
  return {
    id,
    pkg: engine.pkg,
    notes: engine.notes,
    render: async (scenario) => engine.render[scenario](),
    warmUp: async (scenario, seconds) => warmUp(engine.render[scenario], seconds),
    measure: async (scenario, seconds, batch) => measure(engine.render[scenario], seconds, batch),
    close: async () => {},
  };
}

/** A request to a worker, without the id the runner adds. */
type RequestBody = Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** The engine in a worker thread of its own (the default). */
async function workerRunner(id: EngineId): Promise<Runner> {
  const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: { engine: id } satisfies WorkerInit });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failure: Error | null = null;
  const failAll = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (reply: Reply) => {
    const p = pending.get(reply.id);
    if (p === undefined) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new Error(`${id} worker: ${reply.error}`));
  });
  worker.on('error', (err) => failAll(new Error(`${id} worker failed: ${err.stack ?? err.message}`)));
  worker.on('exit', (code) => failAll(new Error(`${id} worker exited (${code})`)));
  const call = <T>(req: RequestBody | null): Promise<T> => {
    if (failure !== null) return Promise.reject(failure);
    const reqId = req === null ? 0 : nextId++;
    const promise = new Promise<T>((resolve, reject) => pending.set(reqId, { resolve: resolve as (v: unknown) => void, reject }));
    if (req !== null) worker.postMessage({ ...req, id: reqId });
    return promise;
  };
  // The worker announces itself (request 0) once its engine is set up.
  const info = await call<{ pkg: string | null; notes: string }>(null);
  return {
    id,
    pkg: info.pkg,
    notes: info.notes,
    render: (scenario) => call({ op: 'render', scenario }),
    warmUp: (scenario, seconds) => call({ op: 'warmup', scenario, seconds }),
    measure: (scenario, seconds, batch) => call({ op: 'measure', scenario, seconds, batch }),
    close: async () => {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Results

interface Sample extends Measurement {
  readonly round: number;
  readonly position: number;
  readonly engine: EngineId;
  readonly scenario: ScenarioId;
}

interface Row {
  readonly engine: EngineId;
  readonly scenario: ScenarioId;
  readonly pagesPerSecond: number;
  readonly microsPerPage: number;
  /** (max - min) / median of pages/s over rounds. */
  readonly spread: number;
  /** Median pages/s / the fastest peer's median (null: no peer measured). */
  readonly vsFastestPeer: number | null;
  readonly pageBytes: number;
}

interface ScenarioSummary {
  readonly scenario: ScenarioId;
  readonly rows: readonly Row[];
  readonly winner: EngineId;
  readonly fastestPeer: EngineId | null;
  /** Rampart / fastest peer within each round: [min, max]; null without both. */
  readonly rampartRoundRatios: readonly [number, number] | null;
}

function summarize(samples: readonly Sample[], settings: Settings, pageBytes: ReadonlyMap<string, number>): ScenarioSummary[] {
  return settings.scenarios.map((scenario) => {
    const pps = (engine: EngineId) => samples.filter((s) => s.scenario === scenario && s.engine === engine).map((s) => s.pagesPerSecond);
    const medians = new Map(settings.engines.map((e) => [e, median(pps(e))] as const));
    const peers = settings.engines.filter((e) => e !== 'rampart');
    const fastestPeer = peers.length === 0 ? null : peers.reduce((a, b) => (medians.get(b)! > medians.get(a)! ? b : a));
    const peerMedian = fastestPeer === null ? null : medians.get(fastestPeer)!;
    const rows = settings.engines
      .map((engine): Row => {
        const m = medians.get(engine)!;
        return {
          engine,
          scenario,
          pagesPerSecond: m,
          microsPerPage: 1e6 / m,
          spread: relativeSpread(pps(engine)),
          vsFastestPeer: peerMedian === null ? null : m / peerMedian,
          pageBytes: pageBytes.get(`${engine}/${scenario}`) ?? 0,
        };
      })
      .sort((a, b) => b.pagesPerSecond - a.pagesPerSecond);
    let rampartRoundRatios: [number, number] | null = null;
    if (fastestPeer !== null && settings.engines.includes('rampart')) {
      const ratios: number[] = [];
      for (let round = 1; round <= settings.rounds; round++) {
        const at = (engine: EngineId) => samples.find((s) => s.round === round && s.scenario === scenario && s.engine === engine);
        const r = at('rampart');
        const p = at(fastestPeer);
        if (r !== undefined && p !== undefined) ratios.push(r.pagesPerSecond / p.pagesPerSecond);
      }
      rampartRoundRatios = [Math.min(...ratios), Math.max(...ratios)];
    }
    return { scenario, rows, winner: rows[0]!.engine, fastestPeer, rampartRoundRatios };
  });
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtRatio = (n: number | null) => (n === null ? '–' : `${n.toFixed(2)}×`);

function table(summary: ScenarioSummary): string {
  return markdownTable(
    ['engine', 'pages/s', 'spread', 'µs/page', 'vs fastest peer', 'page bytes'],
    summary.rows.map((r) => [
      r.engine === summary.winner ? `**${r.engine}**` : r.engine,
      fmtInt(r.pagesPerSecond),
      `±${((r.spread / 2) * 100).toFixed(1)}%`,
      r.microsPerPage.toFixed(1),
      r.engine === summary.fastestPeer ? '1.00× (fastest peer)' : fmtRatio(r.vsFastestPeer),
      fmtInt(r.pageBytes),
    ]),
    [false, true, true, true, true, true],
  );
}

function goalLine(summary: ScenarioSummary, rounds: number): string | null {
  const rampart = summary.rows.find((r) => r.engine === 'rampart');
  if (rampart === undefined || summary.fastestPeer === null || rampart.vsFastestPeer === null) return null;
  const ratio = rampart.vsFastestPeer;
  const range = summary.rampartRoundRatios;
  const rangeText = range === null ? '' : `, ${range[0].toFixed(3)}–${range[1].toFixed(3)}× within single rounds`;
  const met = ratio >= 1 && (range === null || range[0] >= 1);
  const verdict = met ? 'met' : ratio >= 1 ? 'met on the median but not in every round' : 'NOT met';
  const caveat = rounds < 5 ? ' (fewer than 5 rounds: indicative only)' : '';
  return `${SCENARIO_TITLES[summary.scenario]}: Rampart ${ratio.toFixed(3)}× ${summary.fastestPeer}${rangeText}: ${verdict}${caveat}.`;
}

interface RunRecord {
  readonly date: string;
  readonly settings: Settings;
  readonly machine: MachineInfo;
  readonly rampart: { version: string; commit: string };
  readonly versions: Readonly<Record<string, string>>;
  readonly engines: readonly { id: EngineId; notes: string }[];
  readonly summaries: readonly ScenarioSummary[];
  readonly samples: readonly Sample[];
  readonly warnings: readonly string[];
  readonly checksum: number;
}

function markdown(run: RunRecord): string {
  const m = run.machine;
  const s = run.settings;
  const versions = Object.entries(run.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const parts = [
    '# Template rendering benchmark',
    '',
    `Generated by \`npm run bench:templates\` (bench/templates/run.ts); see "Templates" in bench/README.md.`,
    '',
    `- Date: ${run.date}`,
    `- Node ${m.node} (V8 ${m.v8}), ${m.os}`,
    `- CPU: ${m.cpuModel}, ${m.availableCpus} of ${m.cpus} logical CPUs available, load average before the run ${m.loadAverage.join(' / ')}`,
    `- Rampart ${run.rampart.version} at ${run.rampart.commit}; ${versions}`,
    `- Settings: ${s.rounds} round(s) × ${s.seconds} s per engine × scenario, warm-up ${s.warmupSeconds} s each, seed ${s.seed}, ` +
      `${s.isolation === 'worker' ? 'each engine in a worker thread of its own (BENCH_ISOLATION=worker)' : 'all engines in the main thread (BENCH_ISOLATION=shared)'}` +
      `${s.quick ? ' (BENCH_QUICK: a smoke test, not a measurement)' : ''}`,
    '',
    'pages/s: median over rounds, all engines in one process, rounds interleaved in shuffled order. ' +
      'spread: ± half the range across rounds. vs fastest peer: median pages/s / the median of the fastest ' +
      'engine other than Rampart. Every page was checked before measuring (bench/templates/verify.ts).',
    '',
  ];
  for (const summary of run.summaries) {
    parts.push(`## ${SCENARIO_TITLES[summary.scenario]}`, '', table(summary), '', `Winner: **${summary.winner}**.`, '');
  }
  const goals = run.summaries.map((x) => goalLine(x, s.rounds)).filter((x): x is string => x !== null);
  if (goals.length > 0) {
    parts.push('## Goal', '', 'Rampart, with its context-aware escaping on, renders at least as many pages per second as the fastest peer (≥ 1.00×).', '');
    for (const g of goals) parts.push(`- ${g}`);
    if (run.summaries.some((x) => (x.rows.find((r) => r.engine === 'rampart')?.vsFastestPeer ?? 1) < 1)) {
      parts.push('', 'Where Rampart loses, `node --import tsx bench/templates/profile.ts <scenario>` shows where its time goes.');
    }
    parts.push('');
  }
  parts.push('## How each engine renders the pages', '', 'Templates: bench/templates/views/<engine>/.', '');
  for (const e of run.engines) parts.push(`- **${e.id}**: ${e.notes}`);
  parts.push('');
  if (run.warnings.length > 0) {
    parts.push('## Warnings', '');
    for (const w of run.warnings) parts.push(`- ${w}`);
    parts.push('');
  }
  return parts.join('\n');
}

function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'not installed';
  }
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const settings = loadSettings();
  const machine = machineInfo();
  const warnings: string[] = [];
  if (machine.loadAverage[0]! > 0.5) warnings.push(`load average ${machine.loadAverage[0]} before the run: the machine was not idle`);

  log(`Template rendering: ${settings.engines.join(', ')} × ${settings.scenarios.join(', ')}`);
  log(
    `${settings.rounds} round(s) × ${settings.seconds} s, warm-up ${settings.warmupSeconds} s, seed ${settings.seed}, ` +
      `${settings.isolation === 'worker' ? 'one worker thread per engine' : 'all engines in the main thread'}; Node ${machine.node}, ${machine.cpuModel}`,
  );

  const runners: Runner[] = [];
  try {
    for (const id of settings.engines) runners.push(await (settings.isolation === 'worker' ? workerRunner(id) : sharedRunner(id)));
    return await measureAll(settings, machine, warnings, runners);
  } finally {
    for (const r of runners) await r.close();
  }
}

async function measureAll(settings: Settings, machine: MachineInfo, warnings: string[], runners: readonly Runner[]): Promise<number> {
  // 1. Check every page.
  const pageBytes = new Map<string, number>();
  let failed = false;
  for (const scenario of settings.scenarios) {
    let reference: { engine: EngineId; html: string } | null = null;
    for (const runner of runners) {
      let problems: string[];
      let html = '';
      try {
        html = await runner.render(scenario);
        problems = checkPage(scenario, html);
        if (reference !== null) problems.push(...comparePages(html, reference.html, reference.engine));
      } catch (err) {
        problems = [`rendering threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`];
      }
      reference ??= { engine: runner.id, html };
      pageBytes.set(`${runner.id}/${scenario}`, Buffer.byteLength(html));
      if (problems.length > 0) {
        failed = true;
        log(`✗ ${runner.id} / ${scenario}:`);
        for (const p of problems) log(`    ${p}`);
      }
    }
  }
  if (failed) {
    log('\nSome pages are wrong: nothing measured.');
    return 1;
  }
  log(`✓ all pages checked (fortunes against the reference; complex page: 200 rows, escaping, equivalent to ${runners[0]!.id}'s)`);

  // 2. Warm up, and size the batches.
  const cases = settings.scenarios.flatMap((scenario) => runners.map((runner) => ({ runner, scenario, batch: 1 })));
  log(`warming up ${cases.length} engine × scenario pairs…`);
  for (const c of cases) {
    const w = await c.runner.warmUp(c.scenario, settings.warmupSeconds);
    c.batch = w.batch;
    checksum += w.characters;
  }

  // 3. Rounds.
  const random = seededRandom(settings.seed);
  const samples: Sample[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    const order = shuffled(cases, random);
    const line: string[] = [];
    for (const [position, c] of order.entries()) {
      const m = await c.runner.measure(c.scenario, settings.seconds, c.batch);
      checksum += m.characters;
      samples.push({ ...m, round, position, engine: c.runner.id, scenario: c.scenario });
      line.push(`${c.runner.id}/${c.scenario} ${fmtInt(m.pagesPerSecond)}`);
    }
    log(`round ${round}/${settings.rounds}: ${line.join(', ')}`);
  }

  const disturbed = samples.filter((s) => (s.otherCpu ?? 0) > OTHER_CPU_LIMIT);
  if (disturbed.length > 0) {
    const others = disturbed.map((s) => s.otherCpu!);
    warnings.push(
      `${disturbed.length} of ${samples.length} measurements ran while other processes used more than ${OTHER_CPU_LIMIT * 100}% of a core ` +
        `(median ${(median(others) * 100).toFixed(0)}%, at most ${(Math.max(...others) * 100).toFixed(0)}%; \`otherCpu\` of each sample in the JSON): ` +
        'the figures are noisier than on a quiet machine',
    );
  }
  if (machine.availableCpus < 2) warnings.push("one CPU only: the garbage collector's helper threads compete with rendering");

  const summaries = summarize(samples, settings, pageBytes);
  const versions: Record<string, string> = {};
  for (const r of runners) if (r.pkg !== null) versions[r.pkg] = packageVersion(r.pkg);
  versions['tsx'] = packageVersion('tsx');
  const run: RunRecord = {
    date: new Date().toISOString(),
    settings,
    machine,
    rampart: rampartVersion(ROOT),
    versions,
    engines: runners.map((r) => ({ id: r.id, notes: r.notes })),
    summaries,
    samples,
    warnings,
    checksum,
  };

  log('');
  for (const summary of summaries) {
    log(`${SCENARIO_TITLES[summary.scenario]}`);
    log(table(summary));
    log(`Winner: ${summary.winner}`);
    log('');
  }
  for (const summary of summaries) {
    const g = goalLine(summary, settings.rounds);
    if (g !== null) log(`Goal: ${g}`);
  }
  for (const w of warnings) log(`Warning: ${w}`);

  const md = settings.quick ? join(HERE, 'TEMPLATES.quick.md') : join(BENCH_DIR, 'TEMPLATES.md');
  const json = settings.quick ? join(HERE, 'results.quick.json') : join(BENCH_DIR, 'templates-results.json');
  writeFileSync(md, `${markdown(run)}\n`);
  writeFileSync(json, `${JSON.stringify(run, null, 2)}\n`);
  log(`\nwrote ${md.slice(ROOT.length + 1)} and ${json.slice(ROOT.length + 1)}`);
  return 0;
}

process.exitCode = await main();
