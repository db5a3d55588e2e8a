// Where Rampart's rendering time goes: `node --import tsx bench/templates/profile.ts [scenario] [seconds]`
// (scenario: complex (default), fortunes or all; seconds: 5).
//
// Runs a Rampart-only render loop in a child `node --cpu-prof` (after a 1 s warm-up) and prints
// the functions with the most self time, with inclusive time and their place in the TypeScript
// source: the samples of the warm-up and of start-up are left out, and positions in the code tsx
// generated are mapped back through its source maps. The .cpuprofile is kept (its path is printed)
// for Chrome DevTools or speedscope.
//
// Environment: PROFILE_INTERVAL_US (sampling interval, default 100), PROFILE_TOP (rows, default 30).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIO_IDS, createEngine, type ScenarioId } from './engines.js';

const HERE = import.meta.dirname;
const ROOT = join(HERE, '..', '..');
const CHILD_FLAG = '--profile-child';
const START_MARK = 'RAMPART_PROFILE_START_US';

function parseArgs(args: readonly string[]): { scenarios: ScenarioId[]; seconds: number } {
  const [scenarioArg = 'complex', secondsArg = '5'] = args;
  const scenarios =
    scenarioArg === 'all' ? [...SCENARIO_IDS] : SCENARIO_IDS.includes(scenarioArg as ScenarioId) ? [scenarioArg as ScenarioId] : null;
  const seconds = Number(secondsArg);
  if (scenarios === null || !(seconds > 0)) {
    throw new Error(`usage: profile.ts [${SCENARIO_IDS.join('|')}|all] [seconds]; got ${args.join(' ')}`);
  }
  return { scenarios, seconds };
}

// ---------------------------------------------------------------------------------------------
// The child: warm up, print the start time (the profile's clock), render in a loop.

async function child(scenarios: readonly ScenarioId[], seconds: number): Promise<void> {
  const engine = await createEngine('rampart');
  const renders = scenarios.map((s) => engine.render[s]);
  let sink = 0;
  const loop = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end) for (const r of renders) for (let i = 0; i < 10; i++) sink += r().length;
  };
  loop(1000);
  process.stdout.write(`${START_MARK} ${process.hrtime.bigint() / 1000n}\n`);
  loop(seconds * 1000);
  process.stdout.write(`rendered ${sink} characters\n`);
}

// ---------------------------------------------------------------------------------------------
// The parent: run the child, read its profile.

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** `file:line` in the original source, for a function that starts at (line, column) of the generated code. */
function location(frame: CallFrame): string {
  if (frame.url === '') return frame.functionName.startsWith('(') || frame.functionName.startsWith('RegExp:') ? '' : '(compiled template code, new Function)';
  if (!frame.url.startsWith('file://')) return `${frame.url}:${frame.lineNumber + 1}`;
  const path = fileURLToPath(frame.url);
  const shown = relative(ROOT, path);
  const map = findSourceMap(path);
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry !== undefined && 'originalLine' in entry && typeof entry.originalLine === 'number') return `${shown}:${entry.originalLine + 1}`;
  return `${shown}:${frame.lineNumber + 1} (generated code)`;
}

interface Row {
  name: string;
  where: string;
  selfUs: number;
  totalUs: number;
}

function analyse(profile: CpuProfile, fromUs: number | null): { rows: Row[]; measuredUs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: ProfileNode) => `${n.callFrame.functionName}|${n.callFrame.url}|${n.callFrame.lineNumber}|${n.callFrame.columnNumber}`;
  const rows = new Map<string, Row>();
  const rowOf = (n: ProfileNode): Row => {
    const k = key(n);
    let row = rows.get(k);
    if (row === undefined) {
      row = { name: n.callFrame.functionName || '(anonymous)', where: location(n.callFrame), selfUs: 0, totalUs: 0 };
      rows.set(k, row);
    }
    return row;
  };
  let t = profile.startTime;
  let measuredUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    // A sample stands for the time until the next one.
    const dt = profile.timeDeltas[i + 1] ?? 0;
    if (fromUs !== null && t < fromUs) continue;
    const node = byId.get(profile.samples[i]!)!;
    measuredUs += dt;
    rowOf(node).selfUs += dt;
    const seen = new Set<Row>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const row = rowOf(byId.get(id)!);
      if (!seen.has(row)) {
        seen.add(row);
        row.totalUs += dt;
      }
    }
  }
  return { rows: [...rows.values()].filter((r) => r.name !== '(root)'), measuredUs };
}

function parent(args: readonly string[]): number {
  const { scenarios, seconds } = parseArgs(args);
  const dir = join(ROOT, 'tmp', 'templates-profile', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  const interval = process.env['PROFILE_INTERVAL_US'] ?? '100';
  const top = Number(process.env['PROFILE_TOP'] ?? '30');
  process.stdout.write(`profiling Rampart rendering ${scenarios.join(' + ')} for ${seconds} s (sampling every ${interval} µs)…\n`);
  const r = spawnSync(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', interval, '--import', 'tsx', fileURLToPath(import.meta.url), CHILD_FLAG, ...args],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (r.status !== 0) {
    process.stderr.write(`the profiled process failed (${r.status ?? r.signal}): ${r.stdout}\n`);
    return 1;
  }
  const mark = new RegExp(`^${START_MARK} (\\d+)$`, 'm').exec(r.stdout);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) {
    process.stderr.write(`no .cpuprofile in ${dir}\n`);
    return 1;
  }
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const { rows, measuredUs } = analyse(profile, mark === null ? null : Number(mark[1]));
  const pct = (us: number) => `${((us / measuredUs) * 100).toFixed(1)}%`.padStart(6);
  process.stdout.write(`\nprofile: ${relative(ROOT, join(dir, file))}\n`);
  process.stdout.write(`${(measuredUs / 1e6).toFixed(2)} s of samples after the warm-up; top ${top} by self time:\n\n`);
  process.stdout.write(`  self   total  function  (source)\n`);
  for (const row of rows.sort((a, b) => b.selfUs - a.selfUs).slice(0, top)) {
    process.stdout.write(`${pct(row.selfUs)}  ${pct(row.totalUs)}  ${row.name}${row.where === '' ? '' : `  ${row.where}`}\n`);
  }
  // Self time summed per source file: which module the time goes to.
  const byFile = new Map<string, number>();
  for (const row of rows) {
    const file = row.where === '' ? row.name : row.where.replace(/:\d+.*$/, '');
    byFile.set(file, (byFile.get(file) ?? 0) + row.selfUs);
  }
  process.stdout.write(`\nself time per file:\n`);
  for (const [f, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 12)) process.stdout.write(`${pct(us)}  ${f}\n`);
  return 0;
}

const args = process.argv.slice(2);
if (args[0] === CHILD_FLAG) {
  const { scenarios, seconds } = parseArgs(args.slice(1));
  await child(scenarios, seconds);
} else {
  // The parent loads Rampart too: findSourceMap() only knows modules this process has loaded.
  await createEngine('rampart');
  process.exitCode = parent(args);
}
