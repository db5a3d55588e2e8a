/**
 * `rampart start`: production. A primary process runs N workers with `node:cluster` (they share
 * the port), restarts a worker that dies with a growing delay, gives up when workers keep failing
 * before they listen (a broken deploy), and on SIGTERM/SIGINT lets every worker finish its requests.
 *
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { stringOption, type Command } from '../command.js';
import { EXIT_CODES, UsageError } from '../errors.js';
import { BIN_PATH, portOption } from './serve.js';

/** Supervisor defaults, each with what it protects against. */
export const START_DEFAULTS = Object.freeze({
  /** First restart delay after a crash; doubles per crash in a row, so a crash loop does not burn the CPU. */
  restartDelayMs: 100,
  /** Longest restart delay. */
  maxRestartDelayMs: 10_000,
  /** A worker that stays up this long after listening resets the crash count. */
  stableAfterMs: 10_000,
  /** Workers that die before listening this many times in a row: the deploy is broken, stop (exit 1). */
  maxStartupFailures: 5,
  /** Added to SHUTDOWN_TIMEOUT_MS before a worker that is still finishing is killed. */
  shutdownGraceMs: 5_000,
  /** Most workers accepted, so a typo (`--workers 800`) does not fork-bomb the machine. */
  maxWorkers: 256,
});

function workerCount(value: string | undefined): number {
  if (value === undefined) return availableParallelism();
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > START_DEFAULTS.maxWorkers) {
    throw new UsageError(`--workers must be a whole number from 1 to ${START_DEFAULTS.maxWorkers}, got ${JSON.stringify(value)}.`);
  }
  return n;
}

function shutdownTimeoutMs(): number {
  const v = Number(process.env['SHUTDOWN_TIMEOUT_MS']);
  return Number.isFinite(v) && v > 0 ? v : 10_000;
}

export const startCommand: Command = {
  name: 'start',
  summary: 'serve the app in production mode with N worker processes',
  description: [
    'NODE_ENV is production: the app refuses to start without SECRET_KEY and ALLOWED_HOSTS.',
    'Workers share PORT (default 8000) on HOST (default 127.0.0.1; put nginx or a load balancer in front).',
    'A worker that dies is restarted with a growing delay; SIGTERM or SIGINT shuts all down gracefully.',
  ].join('\n'),
  options: {
    workers: { type: 'string', value: 'N', help: 'number of worker processes (default: one per core)' },
    port: { type: 'string', value: 'PORT', help: 'port to listen on (default: PORT, else 8000)' },
    host: { type: 'string', value: 'HOST', help: 'address to listen on (default: HOST, else 127.0.0.1)' },
  },
  async run(ctx) {
    const config = await ctx.project(); // fails fast when there is no app to start
    const count = workerCount(stringOption(ctx.values, 'workers'));
    const port = portOption(stringOption(ctx.values, 'port'));
    const host = stringOption(ctx.values, 'host');
    const say = (line: string): void => ctx.io.err(`rampart start: ${line}`);
    const args = ['serve', ...(config.file === null ? [] : ['--config', config.file])];
    if (port !== undefined) args.push('--port', String(port));
    if (host !== undefined) args.push('--host', host);
    process.env['NODE_ENV'] = 'production';
    process.chdir(config.root);
    cluster.setupPrimary({ exec: BIN_PATH, args });

    let stopping = false;
    let crashes = 0;
    let startupFailures = 0;
    const listened = new WeakSet<Worker>();
    const stableTimers = new Map<Worker, NodeJS.Timeout>();
    let finish: (code: number) => void = () => {};
    const done = new Promise<number>((resolve) => (finish = resolve));

    const fork = (): void => {
      const w = cluster.fork();
      w.once('listening', (address) => {
        listened.add(w);
        startupFailures = 0;
        say(`worker ${w.process.pid} listening on ${address.address ?? host ?? '127.0.0.1'}:${address.port}`);
        stableTimers.set(w, setTimeout(() => (crashes = 0), START_DEFAULTS.stableAfterMs).unref());
      });
    };

    const stopAll = async (code: number): Promise<void> => {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      const exits = workers.map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.process.once('exit', () => resolve()))));
      for (const w of workers) if (!w.isDead()) w.process.kill('SIGTERM');
      const killer = setTimeout(() => {
        for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
      }, shutdownTimeoutMs() + START_DEFAULTS.shutdownGraceMs);
      await Promise.all(exits);
      clearTimeout(killer);
      finish(code);
    };

    cluster.on('exit', (w, code, signal) => {
      clearTimeout(stableTimers.get(w));
      stableTimers.delete(w);
      if (stopping) return;
      const how = signal ?? `code ${code}`;
      if (!listened.has(w) && ++startupFailures >= START_DEFAULTS.maxStartupFailures) {
        say(`workers failed to start ${startupFailures} times in a row (last: ${how}); stopping. The error is printed above.`);
        void stopAll(EXIT_CODES.failure);
        return;
      }
      const delay = Math.min(START_DEFAULTS.restartDelayMs * 2 ** crashes, START_DEFAULTS.maxRestartDelayMs);
      crashes++;
      say(`worker ${w.process.pid} died (${how}); starting another in ${delay} ms`);
      setTimeout(() => {
        if (!stopping) fork();
      }, delay);
    });

    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      say(`${signal}: finishing the requests in flight, then stopping`);
      void stopAll(EXIT_CODES.ok);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    say(`primary ${process.pid} starting ${count} worker${count === 1 ? '' : 's'}`);
    for (let i = 0; i < count; i++) fork();
    const code = await done;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    if (code === EXIT_CODES.ok) say('all workers stopped');
    return code;
  },
};
