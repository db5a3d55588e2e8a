/**
 * The entry point `bin/rampart.mjs` runs (under tsx): runs one command line and exits with its
 * code. The exit is explicit because an app may leave handles open (a Redis client, a pool
 * without a close hook) that would otherwise keep a finished command alive.
 *
 * @module
 */
import { runCli } from './cli.js';

// `rampart routes | head` closes the pipe early: stop quietly, as other command-line tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const code = await runCli(process.argv.slice(2));
// Let stdout and stderr drain before exiting (they are asynchronous when piped on some systems).
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
process.exit(code);
