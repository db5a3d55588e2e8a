// Minimal types for the part of autocannon's programmatic API the harness uses (autocannon ships
// no types, and @types/autocannon is not a dependency). Field meanings follow autocannon 8's
// lib/run.js and lib/aggregateResult.js.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      pipelining?: number;
      /** Seconds. */
      duration?: number;
      /** Stop after this many requests (instead of after `duration`). */
      amount?: number;
      /** Per-request timeout, seconds. */
      timeout?: number;
      method?: string;
      headers?: Record<string, string>;
    }

    /** Summary of an HDR histogram; latency values are in whole milliseconds. */
    interface HistogramSummary {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total?: number;
      p50: number;
      p90: number;
      p99: number;
      p99_9: number;
    }

    interface Result {
      url: string;
      connections: number;
      pipelining: number;
      /** Wall-clock seconds actually run. */
      duration: number;
      /** Connection errors, including timeouts. */
      errors: number;
      timeouts: number;
      /** Responses whose status was not 2xx. */
      non2xx: number;
      resets: number;
      mismatches: number;
      '2xx': number;
      statusCodeStats: Record<string, { count: number }>;
      latency: HistogramSummary;
      /** Per-second request counts; `total` is all completed responses. */
      requests: HistogramSummary & { total: number; sent: number };
      throughput: HistogramSummary & { total: number };
    }

    interface Instance extends EventEmitter {
      stop(): void;
      on(
        event: 'response',
        listener: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void,
      ): this;
      on(event: string, listener: (...args: unknown[]) => void): this;
    }
  }

  function autocannon(
    options: autocannon.Options,
    callback: (err: Error | null, result: autocannon.Result) => void,
  ): autocannon.Instance;

  export = autocannon;
}
