// Turning samples into medians and ratios, and writing them out as a table, RESULTS.md and
// results.json.
import type { Settings } from './config.js';
import type { LoadResult } from './load.js';
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
  readonly serverCpu: number | null;
  readonly loadgenCpu: number;
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
}

function failuresOf(r: LoadResult): number {
  return r.errors + r.non2xx;
}

/** Per-round ratios of `target` to `reference` on one endpoint, pairing samples of the same round. */
function roundRatios(samples: readonly Sample[], target: string, reference: string, endpoint: string): number[] {
  const ratios: number[] = [];
  for (const s of samples) {
    if (s.target !== target || s.endpoint !== endpoint) continue;
    const ref = samples.find((o) => o.target === reference && o.endpoint === endpoint && o.round === s.round);
    if (ref && ref.result.rps > 0) ratios.push(s.result.rps / ref.result.rps);
  }
  return ratios;
}

function range(values: readonly number[]): readonly [number, number] | null {
  return values.length === 0 ? null : [Math.min(...values), Math.max(...values)];
}

export function summarize(samples: readonly Sample[], targets: readonly Target[], endpoints: readonly Endpoint[]): Summary[] {
  const medianRps = (target: string, endpoint: string): number | null => {
    const values = samples.filter((s) => s.target === target && s.endpoint === endpoint).map((s) => s.result.rps);
    return values.length === 0 ? null : median(values);
  };

  const out: Summary[] = [];
  for (const endpoint of endpoints) {
    const baseline = medianRps(BASELINE_ID, endpoint.id);
    const ceiling = medianRps(CEILING_ID, endpoint.id);
    for (const target of targets) {
      const mine = samples.filter((s) => s.target === target.id && s.endpoint === endpoint.id);
      if (mine.length === 0) continue;
      const results = mine.map((s) => s.result);
      const rpsRounds = results.map((r) => r.rps);
      const rps = median(rpsRounds);
      const serverCpuValues = results.map((r) => r.serverCpu).filter((v): v is number => v !== null);
      const serverCpu = serverCpuValues.length === results.length ? median(serverCpuValues) : null;
      const loadgenCpu = median(results.map((r) => r.loadgenCpu));
      const serverBusy = serverCpu !== null && serverCpu >= SATURATED;
      const loadgenBusy = loadgenCpu >= SATURATED;
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
        serverCpu,
        loadgenCpu,
        otherCpu: results.every((r) => r.otherCpu !== null) ? median(results.map((r) => r.otherCpu!)) : null,
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
  const headers = ['Target', 'req/s', 'spread', 'p99 ms', 'vs Fastify', 'vs node:http', 'server CPU', 'loadgen CPU', 'errors'];
  const right = [false, true, true, true, true, true, true, true, true];
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
  const lines = goals.map(
    (g) =>
      `- ${g.met ? 'met' : 'NOT met'}: ${g.description} on ${g.endpoint}: ${g.ratio.toFixed(2)}× ` +
      `(single rounds ${rangeText(g.range)})`,
  );
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
  return `${JSON.stringify({ schema: 1, ...run }, null, 2)}\n`;
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
    `- Load generator: autocannon ${run.versions.autocannon}, in-process, one thread`,
    '',
    '| Package | Version |',
    '|:--|--:|',
    `| rampart | ${run.rampart.version} @ ${run.rampart.commit} |`,
    ...Object.entries(run.versions).map(([name, v]) => `| ${name} | ${v} |`),
    '',
    '## Results',
    '',
    'Medians over rounds. **spread**: ±half the range of req/s across rounds, relative to the median. ' +
      '**vs Fastify / vs node:http**: ratio of median req/s. **server / loadgen CPU**: CPU time over wall time ' +
      '(100% = one core busy). ' + LIMIT_LEGEND,
    '',
    resultTables(run.summaries, run.targets, run.endpoints),
    '',
    '## Goals',
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
