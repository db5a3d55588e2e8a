/**
 * The production mailer: SMTP with nodemailer, TLS required by default.
 *
 * @module
 */
import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import { MAIL_DEFAULTS } from './defaults.js';
import { MailConfigError, MailSendError } from './errors.js';
import { checkMessage, nodemailerOptions, type MailMessage, type Mailer, type SentMail } from './message.js';

/** Options of {@link SmtpMailer}. */
export interface SmtpMailerOptions {
  host: string;
  /** @default 465 when `secure`, else 587 */
  port?: number;
  /** Implicit TLS from the first byte (`smtps://`, port 465). @default false (STARTTLS) */
  secure?: boolean;
  user?: string;
  password?: string;
  /**
   * Refuse to send unless the server upgrades the connection with STARTTLS. Off only for loopback
   * hosts (a local relay), or when set to `false` explicitly. @default true (false for loopback)
   */
  requireTls?: boolean;
  /** TLS options for a private CA: `{ ca: fs.readFileSync('ca.pem') }`. Certificates are always verified. */
  tls?: { ca?: string | Buffer | Array<string | Buffer>; servername?: string };
  /** Sender when the message names none. @default 'webmaster@localhost' */
  from?: string;
  /** @default 10000 */
  connectionTimeoutMs?: number;
  /** @default 10000 */
  greetingTimeoutMs?: number;
  /** @default 30000 */
  socketTimeoutMs?: number;
}

/**
 * Whether a host is this machine, where a plain-text connection never crosses a network.
 *
 * @example
 * isLoopbackHost('127.0.0.1') // true
 * isLoopbackHost('smtp.example.com') // false
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

/**
 * Sends through an SMTP server. Certificates are verified, STARTTLS is required for any host but
 * loopback, and timeouts are short enough that a dead server fails a request in seconds.
 *
 * @example
 * const mailer = new SmtpMailer({ host: 'smtp.example.com', user: 'apikey', password: process.env.SMTP_PASSWORD });
 * await mailer.send({ to: 'ada@example.com', subject: 'Welcome', text: 'Hello' });
 * @see docs/mail.md
 */
export class SmtpMailer implements Mailer {
  readonly host: string;
  readonly port: number;
  /** Whether sending fails unless the server upgrades the connection with STARTTLS. */
  readonly requireTls: boolean;
  readonly #from: string;
  readonly #transport: nodemailer.Transporter;

  constructor(options: SmtpMailerOptions) {
    if (typeof options.host !== 'string' || options.host === '') throw new MailConfigError('E_MAIL_URL_INVALID', 'SmtpMailer needs a host.');
    const secure = options.secure ?? false;
    const port = options.port ?? (secure ? MAIL_DEFAULTS.smtpsPort : MAIL_DEFAULTS.smtpPort);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new MailConfigError('E_MAIL_URL_INVALID', `SMTP port must be an integer from 1 to 65535, got ${String(port)}.`);
    }
    if ((options.user === undefined) !== (options.password === undefined)) {
      throw new MailConfigError('E_MAIL_URL_INVALID', 'SMTP needs both a user and a password, or neither.');
    }
    this.host = options.host.replace(/^\[|\]$/g, '');
    this.port = port;
    this.#from = options.from ?? MAIL_DEFAULTS.from;
    this.requireTls = !secure && (options.requireTls ?? (isLoopbackHost(this.host) ? false : MAIL_DEFAULTS.requireTls));
    this.#transport = nodemailer.createTransport({
      host: this.host,
      port,
      secure,
      requireTLS: this.requireTls,
      auth: options.user === undefined ? undefined : { user: options.user, pass: options.password },
      tls: { ...options.tls, rejectUnauthorized: true, minVersion: 'TLSv1.2' },
      connectionTimeout: options.connectionTimeoutMs ?? MAIL_DEFAULTS.connectionTimeoutMs,
      greetingTimeout: options.greetingTimeoutMs ?? MAIL_DEFAULTS.greetingTimeoutMs,
      socketTimeout: options.socketTimeoutMs ?? MAIL_DEFAULTS.socketTimeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  async send(message: MailMessage): Promise<SentMail> {
    const checked = checkMessage(message, this.#from);
    let info: { messageId: string; accepted: Array<string | { address: string }>; rejected: Array<string | { address: string }> };
    try {
      info = await this.#transport.sendMail(nodemailerOptions(checked));
    } catch (err) {
      throw new MailSendError('E_MAIL_SEND_FAILED', `The SMTP server ${this.host}:${this.port} did not take the message: ${(err as Error).message}`, {
        hint: 'Check EMAIL_URL (host, port, user, password) and that the server offers STARTTLS; the cause has the server’s answer.',
        cause: err,
      });
    }
    const plain = (list: Array<string | { address: string }>) => Object.freeze(list.map((a) => (typeof a === 'string' ? a : a.address)));
    return Object.freeze({ messageId: info.messageId, accepted: plain(info.accepted), rejected: plain(info.rejected) });
  }

  /** Closes pooled connections (none are kept by default); call when shutting down. */
  close(): void {
    this.#transport.close();
  }
}
