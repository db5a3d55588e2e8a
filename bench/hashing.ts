// Password hashing and the event loop: `npm run bench:hashing`.
//
// Runs ROUNDS rounds of CONCURRENCY concurrent argon2id hash+verify pairs with the default
// parameters (PASSWORD_DEFAULTS.argon2) while perf_hooks.monitorEventLoopDelay samples how late
// the event loop runs. argon2 runs on the libuv thread pool, so the loop should stay free for
// requests: the figure is p99 delay under 20 ms. A timer ticking every millisecond keeps
// the loop busy with work to be late for, as a server under load would. Prints p50/p99/max delay,
// and the hashing throughput, with the machine it ran on. Not a test: nothing is asserted.
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PASSWORD_DEFAULTS, passwordHashers } from 'rampart/auth';

const CONCURRENCY = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const ms = (ns: number) => (ns / 1e6).toFixed(2);

async function main(): Promise<void> {
  const hashers = passwordHashers();
  // Warm-up: loads the native module and lets the thread pool start.
  await hashers.verify('warm-up', await hashers.hash('warm-up'));

  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const ticker = setInterval(() => {}, 1);
  histogram.enable();
  const started = process.hrtime.bigint();
  let pairs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, i) => {
        const password = `correct horse battery staple ${round}-${i}`;
        const stored = await hashers.hash(password);
        const check = await hashers.verify(password, stored);
        if (!check.valid) throw new Error('verification failed');
        pairs++;
      }),
    );
  }
  const elapsedNs = Number(process.hrtime.bigint() - started);
  histogram.disable();
  clearInterval(ticker);

  const { memoryKiB, timeCost, parallelism } = PASSWORD_DEFAULTS.argon2;
  const cpu = cpus()[0];
  console.log(`argon2id m=${memoryKiB} KiB, t=${timeCost}, p=${parallelism}; ${ROUNDS} rounds of ${CONCURRENCY} concurrent hash+verify (${pairs} pairs)`);
  console.log(`machine: ${cpus().length} × ${cpu?.model ?? 'unknown CPU'}, Node ${process.version}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`);
  console.log(`event-loop delay: p50 ${ms(histogram.percentile(50))} ms, p99 ${ms(histogram.percentile(99))} ms, max ${ms(histogram.max)} ms (${histogram.count} samples)`);
  console.log(`throughput: ${((pairs * 1e9) / elapsedNs).toFixed(1)} hash+verify pairs/s, ${(elapsedNs / 1e6 / pairs).toFixed(1)} ms per pair on average`);
  const p99 = histogram.percentile(99) / 1e6;
  console.log(`p99 under 20 ms: ${p99 < 20 ? 'yes' : 'no'}`);
}

await main();
