// Captures an app's pino log lines in memory: pass `stream` as the `logStream` setting.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';

export type LogLine = Record<string, unknown>;

export interface Captured {
  stream: Writable;
  raw: () => string;
  lines: () => LogLine[];
  /** Waits until `pred` holds for some line (request lines are written when the response closes). */
  waitFor: (pred: (l: LogLine) => boolean, what: string) => Promise<LogLine>;
}

export function capture(): Captured {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const raw = (): string => chunks.join('');
  const lines = (): LogLine[] =>
    raw()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as LogLine);
  const waitFor = async (pred: (l: LogLine) => boolean, what: string): Promise<LogLine> => {
    for (let i = 0; i < 100; i++) {
      const hit = lines().find(pred);
      if (hit !== undefined) return hit;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.fail(`no log line for ${what}; got:\n${raw()}`);
  };
  return { stream, raw, lines, waitFor };
}

