// Turning samples into medians and ratios, and writing them out as a table, RESULTS.md and
// results.json.
import type { Settings } from './config.js';
import type { LoadResult, LoadTool } from './load.js';
import type { MachineInfo } from './machine.js';
import { median, relativeSpread } from './stats.js';
import { BASELINE_ID, CEILING_ID, type Endpoint, type Target } from './targets.js';
import type { EndpointCheck } from './verify.js';

export interface Sample {
  readonly round: number;
  /** Position in the round's shuffled order. */
  readonly position: number;
  readonly target: string;
  readonly endpoint: string;
  /** Earlier attempts thrown away because other processes were using the CPU. */
  readonly retries: number;
  /** Other processes used more than OTHER_CPU_LIMIT even in the kept attempt. */
  readonly disturbed: boolean;
  readonly result: LoadResult;
}

/** A server (or load generator) this busy is taken to be the limit. */
const SATURATED = 0.9;

/**
 * What capped the req/s: the server's core ('server'), the load generator's ('load generator',
 * so the server may be faster than shown), both ('both': differences among the fastest targets
 * are compressed), or neither reached 90% ('unclear').
 */
export type Limit = 'server' | 'load generator' | 'both' | 'unclear';

export interface Summary {
  readonly target: string;
  readonly endpoint: string;
  readonly rps: number;
  readonly rpsRounds: readonly number[];
  readonly rpsSpread: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Median req/s relative to Fastify's median; null when Fastify was not measured. */
  readonly vsBaseline: number | null;
  /** Smallest and largest ratio to Fastify within a single round. */
  readonly vsBaselineRange: readonly [number, number] | null;
  readonly vsCeiling: number | null;
  readonly vsCeilingRange: readonly [number, number] | null;
  /**
   * Median over rounds of server CPU time per completed response, µs; null without /proc. Less
   * sensitive than req/s to a noisy machine and to a saturated load generator.
   */
  readonly serverUsPerRequest: number | null;
  /** Median µs/req relative to Fastify's median (lower is better); null when Fastify was not measured. */
  readonly usPerRequestVsBaseline: number | null;
  /** Smallest and largest µs/req ratio to Fastify within a single round. */
  readonly usPerRequestVsBaselineRange: readonly [number, number] | null;
  readonly usPerRequestVsCeiling: number | null;
  readonly usPerRequestVsCeilingRange: readonly [number, number] | null;
  readonly serverCpu: number | null;
  /** null when the load generator's CPU time could not be read. */
  readonly loadgenCpu: number | null;
  /** CPU used by other processes during the runs, fraction of a core; null without /proc. */
  readonly otherCpu: number | null;
  readonly limit: Limit;
  /** Errors, timeouts included, plus non-2xx responses, over all rounds. */
  readonly failures: number;
}

export interface Goal {
  readonly description: string;
  readonly endpoint: string;
  readonly ratio: number;
  readonly range: readonly [number, number];
  readonly threshold: number;
  readonly met: boolean;
  /**
   * Supporting evidence, not part of the goal: server CPU per request relative to the same
   * reference (lower is better; a req/s ratio of r on a saturated server core corresponds to a
   * CPU ratio of about 1/r), with its single-round range; null without /proc.
   */
  readonly cpuPerRequest: { readonly ratio: number; readonly range: readonly [number, number]; readonly reference: string } | null;
}

function failuresOf(r: LoadResult): number {
  return r.errors + r.non2xx;
}

type Metric = (r: LoadResult) => number | null;
const rpsOf: Metric = (r) => r.rps;
const usPerRequestOf: Metric = (r) => r.serverUsPerRequest;

/** Per-round ratios of `target` to `reference` on one endpoint, pairing samples of the same round. */
function roundRatios(samples: readonly Sample[], target: string, reference: string, endpoint: string, metric: Metric = rpsOf): number[] {
  const ratios: number[] = [];
  for (const s of samples) {
    if (s.target !== target || s.endpoint !== endpoint) continue;
    const ref = samples.find((o) => o.target === reference && o.endpoint === endpoint && o.round === s.round);
    const mine = metric(s.result);
    const theirs = ref ? metric(ref.result) : null;
    if (mine !== null && theirs !== null && theirs > 0) ratios.push(mine / theirs);
  }
  return ratios;
}

/** Median of a metric over samples, null if there are none or any sample lacks it. */
function medianOf(values: readonly (number | null)[]): number | null {
  if (values.length === 0 || values.some((v) => v === null)) return null;
  return median(values as number[]);
}

function range(values: readonly number[]): readonly [number, number] | null {
  return values.length === 0 ? null : [Math.min(...values), Math.max(...values)];
}

export function summarize(samples: readonly Sample[], targets: readonly Target[], endpoints: readonly Endpoint[]): Summary[] {
  const medianMetric = (target: string, endpoint: string, metric: Metric): number | null =>
    medianOf(samples.filter((s) => s.target === target && s.endpoint === endpoint).map((s) => metric(s.result)));
  const medianRps = (target: string, endpoint: string) => medianMetric(target, endpoint, rpsOf);

  const out: Summary[] = [];
  for (const endpoint of endpoints) {
    const baseline = medianRps(BASELINE_ID, endpoint.id);
    const ceiling = medianRps(CEILING_ID, endpoint.id);
    const baselineUs = medianMetric(BASELINE_ID, endpoint.id, usPerRequestOf);
    const ceilingUs = medianMetric(CEILING_ID, endpoint.id, usPerRequestOf);
    for (const target of targets) {
      const mine = samples.filter((s) => s.target === target.id && s.endpoint === endpoint.id);
      if (mine.length === 0) continue;
      const results = mine.map((s) => s.result);
      const rpsRounds = results.map((r) => r.rps);
      const rps = median(rpsRounds);
      const serverCpu = medianOf(results.map((r) => r.serverCpu));
      const loadgenCpu = medianOf(results.map((r) => r.loadgenCpu));
      const usPerRequest = medianOf(results.map(usPerRequestOf));
      const serverBusy = serverCpu !== null && serverCpu >= SATURATED;
      const loadgenBusy = loadgenCpu !== null && loadgenCpu >= SATURATED;
      const limit: Limit = serverBusy ? (loadgenBusy ? 'both' : 'server') : loadgenBusy ? 'load generator' : 'unclear';
      out.push({
        target: target.id,
        endpoint: endpoint.id,
        rps,
        rpsRounds,
        rpsSpread: relativeSpread(rpsRounds),
        p50Ms: median(results.map((r) => r.p50Ms)),
        p99Ms: median(results.map((r) => r.p99Ms)),
        vsBaseline: baseline ? rps / baseline : null,
        vsBaselineRange: baseline ? range(roundRatios(samples, target.id, BASELINE_ID, endpoint.id)) : null,
        vsCeiling: ceiling ? rps / ceiling : null,
        vsCeilingRange: ceiling ? range(roundRatios(samples, target.id, CEILING_ID, endpoint.id)) : null,
        serverUsPerRequest: usPerRequest,
        usPerRequestVsBaseline: usPerRequest !== null && baselineUs ? usPerRequest / baselineUs : null,
        usPerRequestVsBaselineRange: baselineUs
          ? range(roundRatios(samples, target.id, BASELINE_ID, endpoint.id, usPerRequestOf))
          : null,
        usPerRequestVsCeiling: usPerRequest !== null && ceilingUs ? usPerRequest / ceilingUs : null,
        usPerRequestVsCeilingRange: ceilingUs
          ? range(roundRatios(samples, target.id, CEILING_ID, endpoint.id, usPerRequestOf))
          : null,
        serverCpu,
        loadgenCpu,
        otherCpu: medianOf(results.map((r) => r.otherCpu)),
        limit,
        failures: results.reduce((n, r) => n + failuresOf(r), 0),
      });
    }
  }
  return out;
}

/** The project's performance goals, for the endpoints where both sides were measured. */
export function evaluateGoals(summaries: readonly Summary[], endpoints: readonly Endpoint[]): Goal[] {
  const goals: Goal[] = [];
  for (const endpoint of endpoints) {
    const find = (target: string) => summaries.find((s) => s.target === target && s.endpoint === endpoint.id);
    const secure = find('rampart');
    if (secure?.vsBaseline != null && secure.vsBaselineRange) {
      goals.push({
        description: 'Rampart (secure) ≥ 1.00× Fastify',
        endpoint: endpoint.id,
        ratio: secure.vsBaseline,
        range: secure.vsBaselineRange,
        threshold: 1,
        met: secure.vsBaseline >= 1,
        cpuPerRequest:
          secure.usPerRequestVsBaseline !== null && secure.usPerRequestVsBaselineRange
            ? { ratio: secure.usPerRequestVsBaseline, range: secure.usPerRequestVsBaselineRange, reference: 'Fastify' }
            : null,
      });
    }
    const insecure = find('rampart-insecure');
    if (insecure?.vsCeiling != null && insecure.vsCeilingRange) {
      goals.push({
        description: 'Rampart (defaults off) ≥ 0.90× node:http',
        endpoint: endpoint.id,
        ratio: insecure.vsCeiling,
        range: insecure.vsCeilingRange,
        threshold: 0.9,
        met: insecure.vsCeiling >= 0.9,
        cpuPerRequest:
          insecure.usPerRequestVsCeiling !== null && insecure.usPerRequestVsCeilingRange
            ? { ratio: insecure.usPerRequestVsCeiling, range: insecure.usPerRequestVsCeilingRange, reference: 'node:http' }
            : null,
      });
    }
  }
  return goals;
}

// ---------------------------------------------------------------------------------------------
// Formatting

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (n: number | null) => (n === null ? '–' : `${n.toFixed(2)}×`);
const pct = (n: number | null) => (n === null ? '–' : `${Math.round(n * 100)}%`);
const ms = (n: number) => (Number.isNaN(n) ? '–' : n.toFixed(2));
const us = (n: number | null) => (n === null ? '–' : n.toFixed(1));
const rangeText = (r: readonly [number, number] | null) => (r === null ? '' : `${r[0].toFixed(2)}–${r[1].toFixed(2)}`);

/** A Markdown table with padded columns, so it reads the same in a terminal and rendered. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const cell = (text: string, i: number) => (rightAligned[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAligned[i] ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** Marks after req/s: † capped by the load generator, ‡ load generator near its limit too. */
const LIMIT_MARKS: Record<Limit, string> = { server: '', both: ' ‡', 'load generator': ' †', unclear: '' };

export const LIMIT_LEGEND =
  '† = capped by the load generator (≥ 90% CPU) while the server was not: the server may be faster than shown. ' +
  '‡ = server and load generator both ≥ 90% CPU: differences among the fastest targets are compressed.';

export function resultTables(summaries: readonly Summary[], targets: readonly Target[], endpoints: readonly Endpoint[]): string {
  const label = (id: string) => targets.find((t) => t.id === id)?.label ?? id;
  const headers = [
    'Target',
    'req/s',
    'spread',
    'p99 ms',
    'vs Fastify',
    'vs node:http',
    'server µs/req',
    'µs/req vs Fastify',
    'server CPU',
    'loadgen CPU',
    'errors',
  ];
  const right = [false, true, true, true, true, true, true, true, true, true, true];
  const sections: string[] = [];
  for (const endpoint of endpoints) {
    const rows = summaries
      .filter((s) => s.endpoint === endpoint.id)
      .map((s) => [
        label(s.target),
        `${int(s.rps)}${LIMIT_MARKS[s.limit]}`,
        `±${(s.rpsSpread * 50).toFixed(1)}%`,
        ms(s.p99Ms),
        ratio(s.vsBaseline),
        ratio(s.vsCeiling),
        us(s.serverUsPerRequest),
        ratio(s.usPerRequestVsBaseline),
        pct(s.serverCpu),
        pct(s.loadgenCpu),
        s.failures === 0 ? '0' : `${int(s.failures)} ⚠`,
      ]);
    if (rows.length === 0) continue;
    sections.push(`### GET ${endpoint.route}\n\n${markdownTable(headers, rows, right)}`);
  }
  return sections.join('\n\n');
}

export function goalsText(goals: readonly Goal[], rounds: number): string {
  if (goals.length === 0) return 'No goal could be evaluated (needs Rampart and Fastify or node:http in the run).';
  const lines = goals.map((g) => {
    const cpu = g.cpuPerRequest;
    // The CPU-per-request ratio that corresponds to the req/s threshold on a saturated server core.
    const cpuLimit = 1 / g.threshold;
    const evidence =
      cpu === null
        ? ''
        : `; server CPU per request ${cpu.ratio.toFixed(2)}× ${cpu.reference}'s (single rounds ${rangeText(cpu.range)}; ` +
          `≤ ${cpuLimit.toFixed(2)}× needed: ${cpu.ratio <= cpuLimit ? 'met' : 'NOT met'})`;
    return (
      `- ${g.met ? 'met' : 'NOT met'}: ${g.description} on ${g.endpoint}: ${g.ratio.toFixed(2)}× ` +
      `(single rounds ${rangeText(g.range)})${evidence}`
    );
  });
  if (rounds < 3) lines.push(`- (only ${rounds} round${rounds === 1 ? '' : 's'}: indicative at best)`);
  return lines.join('\n');
}

export interface RunRecord {
  readonly date: string;
  readonly settings: Settings;
  readonly machine: MachineInfo;
  /** Fraction of a core busy in the second before the run (other processes). */
  readonly busyBefore: number | null;
  readonly loadAverageAfter: readonly number[];
  readonly pinning: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly loadTool: LoadTool;
  /** How the load generator ran, for the report. */
  readonly loadToolDetail: string;
  readonly rampart: { readonly version: string; readonly commit: string };
  readonly targets: readonly Target[];
  readonly endpoints: readonly Endpoint[];
  readonly checks: readonly EndpointCheck[];
  readonly samples: readonly Sample[];
  readonly summaries: readonly Summary[];
  readonly goals: readonly Goal[];
  readonly warnings: readonly string[];
  /** False when any measured request failed (error, timeout or non-2xx) or a measurement got no response. */
  readonly clean: boolean;
  /** Samples kept although other processes were using the CPU. */
  readonly disturbed: number;
  readonly elapsedS: number;
}

/** More than a tenth of the samples disturbed: the machine was not quiet enough to trust the run. */
export function isUntrustworthy(run: Pick<RunRecord, 'disturbed' | 'samples'>): boolean {
  return run.disturbed > run.samples.length / 10;
}

export function disturbedText(run: Pick<RunRecord, 'disturbed' | 'samples'>): string {
  return (
    `Other processes were using the CPU during ${run.disturbed} of ${run.samples.length} measurements, ` +
    'even after retries: the machine was not quiet, do not trust these numbers.'
  );
}

export function resultsJson(run: RunRecord): string {
  // Schema 2: load tool recorded, server CPU per request added, loadgenCpu may be null.
  return `${JSON.stringify({ schema: 2, ...run }, null, 2)}\n`;
}

export function resultsMarkdown(run: RunRecord): string {
  const s = run.settings;
  const m = run.machine;
  const label = (id: string) => run.targets.find((t) => t.id === id)?.label ?? id;
  const out: string[] = [];
  out.push('# Rampart benchmark results', '');
  if (s.quick) out.push('> **Quick mode (smoke test of the harness).** One short round: these numbers are not a measurement.', '');
  if (!run.clean) {
    out.push('> **This run had failed requests (errors, timeouts or non-2xx) or measurements without any response; see the errors column and the warnings.**', '');
  }
  if (isUntrustworthy(run)) out.push(`> **${disturbedText(run)}**`, '');
  out.push(
    'Generated by `npm run bench` (bench/run.ts); see bench/README.md for how to run it and read it.',
    '',
    `- Date: ${run.date}`,
    `- Node ${m.node} (V8 ${m.v8}), ${m.os}`,
    `- CPU: ${m.cpuModel}; ${m.cpus} logical CPUs (${m.availableCpus} available to the run), ${m.totalMemoryMiB} MiB RAM`,
    `- Pinning: ${run.pinning}`,
    `- Other load: ${run.busyBefore === null ? 'unknown' : `${Math.round(run.busyBefore * 100)}% of a core`} busy in the second before the run; ` +
      `load average before / after: ${m.loadAverage.join(' ')} / ${run.loadAverageAfter.join(' ')}`,
    `- Settings: ${s.rounds} round(s) × ${s.seconds} s per target × endpoint, ${s.warmupSeconds} s warm-up each, ` +
      `${s.connections} connections, pipelining ${s.pipelining}, ${s.pauseMs} ms pause between runs, ` +
      `order shuffled per round (seed ${s.seed}), a measurement disturbed by other processes repeated up to ` +
      `${s.retries} time(s); ${Math.round(run.elapsedS)} s in all`,
    `- Load generator: ${run.loadTool.name} ${run.loadTool.version}${run.loadTool.path ? ` (${run.loadTool.path})` : ''}, ${run.loadToolDetail}`,
    '',
    '| Package | Version |',
    '|:--|--:|',
    `| rampart | ${run.rampart.version} @ ${run.rampart.commit} |`,
    ...Object.entries(run.versions).map(([name, v]) => `| ${name} | ${v} |`),
    '',
    '## Results',
    '',
    'Medians over rounds. **spread**: ±half the range of req/s across rounds, relative to the median. ' +
      '**vs Fastify / vs node:http**: ratio of median req/s. **server µs/req**: server CPU time during the ' +
      'measurement divided by the responses completed, in microseconds: the cost of one request to the server, ' +
      'steadier than req/s on a noisy machine and not capped by the load generator. **µs/req vs Fastify**: ' +
      'its ratio to Fastify\'s (lower is better; 0.90× = 10% less CPU per request than Fastify). ' +
      '**server / loadgen CPU**: CPU time over wall time (100% = one core busy). ' + LIMIT_LEGEND,
    '',
    resultTables(run.summaries, run.targets, run.endpoints),
    '',
    '## Goals',
    '',
    'The goals are req/s ratios. Server CPU per request relative to the same reference is given as supporting ' +
      'evidence: with the server core saturated, a req/s ratio r goes with a CPU-per-request ratio of about 1/r, ' +
      'and the CPU ratio is the steadier of the two.',
    '',
    goalsText(run.goals, s.rounds),
    '',
    '## Response headers',
    '',
    'What each target sends with `GET /plaintext` (from the check before measuring). More headers means more ' +
      'bytes per response, part of what the secure defaults cost.',
    '',
  );
  const plain = run.checks.filter((c) => c.endpoint === 'plaintext');
  if (plain.length > 0) {
    out.push(
      markdownTable(
        ['Target', 'bytes', 'headers'],
        plain.map((c) => [label(c.target), String(c.headerBytes), c.headerNames.join(', ')]),
        [false, true, false],
      ),
    );
  } else {
    out.push('(/plaintext not measured)');
  }
  out.push('', '## Warnings', '', run.warnings.length === 0 ? 'None.' : run.warnings.map((w) => `- ${w}`).join('\n'), '');
  return out.join('\n');
}
