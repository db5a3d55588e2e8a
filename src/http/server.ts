/**
 * The server: `node:http` (or `node:https`) with safe timeouts and header limits, and graceful
 * shutdown.
 *
 * @module
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ConfigError } from '../errors.js';
import type { ResolvedSettings } from '../settings.js';

/** What the server needs from the app. */
export interface Servable {
  readonly settings: ResolvedSettings;
  readonly logger: Logger;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  closing: boolean;
  /** Runs the hooks registered with `onClose` (database pools, Redis clients) after the last response. */
  runCloseHooks(): Promise<void>;
}

export interface ListenOptions {
  /** @default settings.port (PORT, 8000); 0 picks a free port */
  port?: number;
  /** @default settings.host (HOST, 127.0.0.1) */
  host?: string;
  /** Serve HTTPS directly with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Install SIGTERM/SIGINT handlers that shut down gracefully and exit 0. @default true */
  handleSignals?: boolean;
}

/** A listening server. */
export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly host: string;
  /** `http://host:port` */
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish (bounded by shutdownTimeoutMs), then resolves. */
  close(): Promise<void>;
}

/** Starts a server for the app. See `App.listen`. */
export async function listen(app: Servable, options: ListenOptions): Promise<RunningServer> {
  const s = app.settings;
  if (s.headersTimeoutMs > s.requestTimeoutMs) {
    throw new ConfigError('E_CONFIG_INVALID', `headersTimeoutMs (${s.headersTimeoutMs}) must not exceed requestTimeoutMs (${s.requestTimeoutMs}).`);
  }
  const serverOptions = {
    maxHeaderSize: s.maxHeaderBytes,
    requestTimeout: s.requestTimeoutMs,
    headersTimeout: s.headersTimeoutMs,
    keepAliveTimeout: s.keepAliveTimeoutMs,
    // How often Node checks for timed-out requests; at most a quarter of the headers timeout so a
    // slowloris client is cut off close to the limit, not up to 30 s later (Node's default).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(s.headersTimeoutMs / 4))),
  };
  const server: Server =
    options.tls === undefined
      ? createHttpServer(serverOptions, app.handler)
      : (createHttpsServer({ ...serverOptions, key: options.tls.key, cert: options.tls.cert }, app.handler) as unknown as Server);
  const host = options.host ?? s.host;
  const port = options.port ?? s.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${options.tls === undefined ? 'http' : 'https'}://${shownHost}:${address.port}`;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      app.closing = true;
      const timer = setTimeout(() => {
        app.logger.warn({ timeoutMs: s.shutdownTimeoutMs }, 'shutdown timeout reached: closing remaining connections');
        server.closeAllConnections();
      }, s.shutdownTimeoutMs);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        app.runCloseHooks().then(resolve, (err: unknown) => {
          app.logger.error({ err }, 'a close hook failed');
          resolve();
        });
      });
      server.closeIdleConnections();
    });
    return closing;
  };

  if (options.handleSignals !== false) {
    const onSignal = (signal: NodeJS.Signals): void => {
      app.logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
      void close().then(() => {
        app.logger.info('shutdown complete');
        process.exit(0);
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    server.once('close', () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    });
  }
  app.logger.info({ url, env: s.env }, `listening on ${url}`);
  return { server, port: address.port, host: address.address, url, close };
}
