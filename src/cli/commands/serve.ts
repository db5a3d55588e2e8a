/**
 * `rampart serve`: one process serving the app, no supervisor. `rampart dev` runs it as its child
 * and `rampart start` as each worker; run it directly where a container platform supervises.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { stringOption, type Command } from '../command.js';
import { UsageError } from '../errors.js';

/** The launcher, for the child processes of `dev` and `start`. */
export const BIN_PATH = fileURLToPath(new URL('../../../bin/rampart.mjs', import.meta.url));

/** The message a served child sends its parent (dev) over IPC once it listens. */
export interface ListeningMessage {
  readonly rampart: 'listening';
  readonly url: string;
}

/** `--port`'s value as a port number. */
export function portOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new UsageError(`--port must be a port number from 0 to 65535, got ${JSON.stringify(value)}.`);
  return Number(value);
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the app in this process (no reload, no workers)',
  description: 'PORT and HOST come from the environment (default 127.0.0.1:8000). SIGTERM/SIGINT finish the requests in flight and exit 0.',
  options: {
    port: { type: 'string', value: 'PORT', help: 'port to listen on (default: PORT, else 8000)' },
    host: { type: 'string', value: 'HOST', help: 'address to listen on (default: HOST, else 127.0.0.1)' },
  },
  async run(ctx) {
    const { loaded } = await ctx.app();
    const port = portOption(stringOption(ctx.values, 'port'));
    const host = stringOption(ctx.values, 'host');
    const server = await loaded.app.listen({ ...(port === undefined ? {} : { port }), ...(host === undefined ? {} : { host }) });
    if (process.send !== undefined) process.send({ rampart: 'listening', url: server.url } satisfies ListeningMessage);
    // The server's signal handlers close it and exit the process; until then this command runs.
    return new Promise<number>(() => {});
  },
};
