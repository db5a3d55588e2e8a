// Run settings, from environment variables. BENCH_QUICK=1 only changes the defaults; any variable
// set explicitly still wins.
import { randomInt } from 'node:crypto';
import { ENDPOINTS, TARGETS } from './targets.js';

/** BENCH_TOOL: which load generator to use; 'auto' picks wrk when it is installed. */
export type ToolRequest = 'auto' | 'wrk' | 'autocannon';

export interface Settings {
  readonly quick: boolean;
  readonly rounds: number;
  /** Length of one measurement, seconds. */
  readonly seconds: number;
  /** Warm-up per target × endpoint before the first round, seconds. */
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly pipelining: number;
  /** Load generator asked for (BENCH_TOOL); the one actually used is in the run record. */
  readonly tool: ToolRequest;
  /** Idle time between two measurements, so the previous one's sockets are closed. */
  readonly pauseMs: number;
  /** How often a measurement disturbed by other processes is repeated before it is kept anyway. */
  readonly retries: number;
  /** Pin servers to core 1 and the load generator to core 0 (needs taskset and 2 cores). */
  readonly pin: boolean;
  readonly seed: number;
  readonly targetIds: readonly string[];
  readonly endpointIds: readonly string[];
}

export const SERVER_CPU = 1;
export const LOADGEN_CPU = 0;

function numberFromEnv(name: string, fallback: number, min: number, max: number, integer: boolean): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(`${name}=${JSON.stringify(raw)}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

function flagFromEnv(name: string, fallback: boolean): boolean {
  const raw = process.env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${name}=${JSON.stringify(raw)}: expected 1 or 0`);
}

function toolFromEnv(name: string): ToolRequest {
  const raw = process.env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'auto') return 'auto';
  if (raw === 'wrk' || raw === 'autocannon') return raw;
  throw new Error(`${name}=${JSON.stringify(raw)}: expected wrk, autocannon or auto`);
}

function listFromEnv(name: string, known: readonly string[]): readonly string[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return known;
  const ids = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0 || ids.length === 0) {
    throw new Error(`${name}=${JSON.stringify(raw)}: unknown ${unknown.join(', ') || '(empty)'}; known: ${known.join(', ')}`);
  }
  // Keep the canonical order (it is the order of the report), drop duplicates.
  return known.filter((id) => ids.includes(id));
}

export function loadSettings(): Settings {
  const quick = flagFromEnv('BENCH_QUICK', false);
  return {
    quick,
    rounds: numberFromEnv('BENCH_ROUNDS', quick ? 1 : 5, 1, 100, true),
    seconds: numberFromEnv('BENCH_SECONDS', quick ? 1 : 5, 1, 300, false),
    warmupSeconds: numberFromEnv('BENCH_WARMUP', quick ? 0.5 : 2, 0, 60, false),
    connections: numberFromEnv('BENCH_CONNECTIONS', 50, 1, 1000, true),
    pipelining: numberFromEnv('BENCH_PIPELINING', 1, 1, 64, true),
    tool: toolFromEnv('BENCH_TOOL'),
    pauseMs: numberFromEnv('BENCH_PAUSE_MS', quick ? 100 : 250, 0, 10_000, true),
    retries: numberFromEnv('BENCH_RETRIES', quick ? 0 : 2, 0, 10, true),
    pin: flagFromEnv('BENCH_PIN', true),
    seed: numberFromEnv('BENCH_SEED', randomInt(0, 2 ** 31), 0, 2 ** 32 - 1, true),
    targetIds: listFromEnv('BENCH_TARGETS', TARGETS.map((t) => t.id)),
    endpointIds: listFromEnv('BENCH_ENDPOINTS', ENDPOINTS.map((e) => e.id)),
  };
}
