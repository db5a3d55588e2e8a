/**
 * Linear-time checks that do not depend on how busy the machine is: the time of a large input is
 * compared with the time of an input `factor` times smaller (best of several runs each), never
 * with a fixed budget. Linear work gives a ratio near `factor`; quadratic work gives `factor²`.
 */
import assert from 'node:assert/strict';

function best(run: () => void, times: number): number {
  run(); // warm up: the first call includes compilation
  let min = Infinity;
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    run();
    min = Math.min(min, performance.now() - t);
  }
  return Math.max(min, 0.01);
}

/**
 * Asserts that `run(make(n))` grows about linearly from `n / factor` to `n`.
 *
 * @example assertLinear('lexer', (n) => '{ '.repeat(n), (s) => tokenize('t', s), 200_000)
 */
export function assertLinear<T>(label: string, make: (n: number) => T, run: (input: T) => unknown, n: number, options: { factor?: number; times?: number } = {}): void {
  const factor = options.factor ?? 20;
  const times = options.times ?? 5;
  const small = make(Math.max(1, Math.floor(n / factor)));
  const large = make(n);
  const ratio = best(() => run(large), times) / best(() => run(small), times);
  // Linear is `factor`; quadratic is `factor²`. The bound sits just under quadratic: garbage
  // collection makes building large strings somewhat superlinear, and a busy machine adds noise
  // (ratios up to ~9x `factor` were seen with the CPU shared by several test processes).
  assert.ok(ratio < factor * factor * 0.75, `${label}: ${factor}x the input costs ${ratio.toFixed(1)}x the time (quadratic would be ${factor * factor}x)`);
}
