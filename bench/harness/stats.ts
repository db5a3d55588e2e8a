// Small statistics helpers: median, spread, a seeded shuffle, and a fixed-resolution latency
// histogram.

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** (max - min) / median: how far apart the rounds were, as a fraction of the median. */
export function relativeSpread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = median(values);
  return m === 0 ? 0 : (Math.max(...values) - Math.min(...values)) / m;
}

/** mulberry32: a tiny, good-enough PRNG, so a run's measurement order can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle into a new array. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Latency histogram with 10 µs buckets up to 2 s (larger values are kept exactly in a list).
 * autocannon's own histogram truncates to whole milliseconds, too coarse for a p99 of 2-5 ms on
 * loopback; recording here costs one array increment per response.
 */
export class LatencyHistogram {
  private static readonly BUCKET_MS = 0.01;
  private static readonly BUCKETS = 200_000; // 2 s / 10 µs
  private readonly counts = new Uint32Array(LatencyHistogram.BUCKETS);
  private readonly overflow: number[] = [];
  private total = 0;

  record(ms: number): void {
    const bucket = Math.floor(ms / LatencyHistogram.BUCKET_MS);
    if (bucket < LatencyHistogram.BUCKETS) this.counts[bucket < 0 ? 0 : bucket]!++;
    else this.overflow.push(ms);
    this.total++;
  }

  get count(): number {
    return this.total;
  }

  /** Value at percentile p (0-100), as the upper edge of its bucket; NaN when empty. */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return (i + 1) * LatencyHistogram.BUCKET_MS;
    }
    const sorted = [...this.overflow].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, rank - seen - 1)]!;
  }
}
