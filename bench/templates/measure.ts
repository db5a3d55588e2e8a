// One measurement: render a page in a loop for a given time, in batches between clock reads. Used
// in the worker threads (one engine each) and, with BENCH_ISOLATION=shared, in the main thread.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CLOCK_TICKS, machineBusySeconds } from '../harness/machine.js';

/** Target length of one batch of renders between two clock reads. */
const BATCH_MS = 5;

// A full collection before each measurement, so none pays for the garbage of the one before it.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface Measurement {
  readonly pages: number;
  readonly seconds: number;
  readonly pagesPerSecond: number;
  /** CPU time of the whole process / wall time (1 = one core busy). */
  readonly ownCpu: number;
  /** CPU other processes used meanwhile, in cores; null where /proc/stat is missing. */
  readonly otherCpu: number | null;
  /** Characters rendered: using every result keeps the renders from being optimised away. */
  readonly characters: number;
}

export function measure(render: () => string, seconds: number, batch: number): Measurement {
  gc();
  const busy0 = machineBusySeconds(CLOCK_TICKS);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let pages = 0;
  let now: number;
  let characters = 0;
  do {
    for (let i = 0; i < batch; i++) characters += render().length;
    pages += batch;
    now = performance.now();
  } while (now < end);
  const cpu = process.cpuUsage(cpu0);
  const busy1 = machineBusySeconds(CLOCK_TICKS);
  const wall = (now - t0) / 1000;
  const own = (cpu.user + cpu.system) / 1e6;
  return {
    pages,
    seconds: wall,
    pagesPerSecond: pages / wall,
    ownCpu: own / wall,
    otherCpu: busy0 === null || busy1 === null ? null : Math.max(0, (busy1 - busy0 - own) / wall),
    characters,
  };
}

/** Renders for `seconds` (at least 20 pages) and returns how many pages make a ~5 ms batch. */
export function warmUp(render: () => string, seconds: number): { batch: number; characters: number } {
  const t0 = performance.now();
  let pages = 0;
  let characters = 0;
  while (pages < 20 || performance.now() - t0 < seconds * 1000) {
    characters += render().length;
    pages++;
  }
  const msPerPage = (performance.now() - t0) / pages;
  return { batch: Math.max(1, Math.round(BATCH_MS / msPerPage)), characters };
}
