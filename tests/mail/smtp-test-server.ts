// A real SMTP server (smtp-server) on 127.0.0.1 for the SMTP mailer tests: it records every
// message it accepts, with the envelope and whether the session was encrypted.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export const CERT = readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url), 'utf8');
const KEY = readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url), 'utf8');

export interface Received {
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
  user: string | undefined;
}

export interface TestSmtpServer {
  port: number;
  received: Received[];
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  /** Implicit TLS from the first byte. */
  secure?: boolean;
  /** Offer STARTTLS (with the fixture certificate). @default true */
  starttls?: boolean;
  /** Require this user and password. */
  credentials?: { user: string; password: string };
  /** Recipients the server refuses at RCPT TO. */
  refuse?: string[];
}

export async function startSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const received: Received[] = [];
  const refuse = new Set(options.refuse ?? []);
  const config: SMTPServerOptions = {
    secure: options.secure ?? false,
    key: KEY,
    cert: CERT,
    logger: false,
    disabledCommands: options.starttls === false ? ['STARTTLS'] : [],
    authOptional: options.credentials === undefined,
    allowInsecureAuth: true, // the tests check that the client, not the server, insists on TLS
    size: 1024 * 1024,
    onAuth(auth, _session, callback) {
      const c = options.credentials;
      if (c !== undefined && auth.username === c.user && auth.password === c.password) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address)) callback(new Error(`Mailbox ${address.address} unavailable`));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        received.push({
          from: mailFrom === false ? '' : mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(config);
  // A client that refuses the certificate drops the socket mid-handshake; the server reports that
  // as an error event, which is expected in the TLS tests.
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
