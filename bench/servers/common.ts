// Shared plumbing for the benchmark servers: port from env, the `ready <port>` handshake the
// harness waits for, clean SIGTERM shutdown and exit when the harness itself has gone away.
// Nothing here runs per request, so it does not affect what is measured.
import type { Server as NetServer } from 'node:net';

export const HOST = '127.0.0.1';

export const PLAINTEXT_BODY = 'Hello, World!';
export const JSON_BODY = { message: 'Hello, World!' } as const;

/** Port from env `PORT` (default 3000). The harness passes 0 and reads the real port back from
 *  the `ready` line: letting the OS pick avoids the race between choosing a free port and binding. */
export function portFromEnv(): number {
  const raw = process.env.PORT ?? '3000';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid PORT ${JSON.stringify(raw)}: expected an integer 0-65535`);
  }
  return port;
}

/** The bound port of a listening server. */
export function portOf(server: Pick<NetServer, 'address'>): number {
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error(`server is not listening on a TCP port (address: ${String(address)})`);
  }
  return address.port;
}

/** The handshake line the harness waits for. */
export function announceReady(port: number): void {
  process.stdout.write(`ready ${port}\n`);
}

/**
 * When started by the harness (which opens an IPC channel), exit if that channel closes: the
 * harness died without ending us, and an orphaned server would keep its port and a pinned core.
 * The channel is unref'd so it never keeps a shutting-down server's event loop alive.
 */
export function exitWhenOrphaned(onOrphan: () => void = () => process.exit(0)): void {
  if (!process.connected) return;
  process.once('disconnect', onOrphan);
  process.channel?.unref();
}

/** On SIGTERM run `close`, then exit 0 (1 if closing failed or took longer than 3 s). */
export function closeOnSigterm(close: () => Promise<void>): void {
  process.once('SIGTERM', () => {
    setTimeout(() => {
      console.error('shutdown took longer than 3 s; exiting anyway');
      process.exit(1);
    }, 3000).unref();
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('shutdown failed:', err);
        process.exit(1);
      },
    );
  });
}

/** Stop accepting, drop keep-alive connections (the load generator's may linger) and wait. */
export function closeServer(server: NetServer & { closeAllConnections?: () => void }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections?.();
  });
}
