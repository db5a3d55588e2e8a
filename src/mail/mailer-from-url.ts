/**
 * One setting picks the mailer: `EMAIL_URL`.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { ConsoleMailer } from './console-mailer.js';
import { MailConfigError } from './errors.js';
import { FileMailer } from './file-mailer.js';
import { MemoryMailer } from './memory-mailer.js';
import type { Mailer } from './message.js';
import { SmtpMailer, type SmtpMailerOptions } from './smtp-mailer.js';

/** Options of {@link mailerFromUrl} and {@link mailerFromEnv}. */
export interface MailerUrlOptions {
  /** Sender when a message names none. @default EMAIL_FROM, else 'webmaster@localhost' */
  from?: string;
  /** Stream of the console mailer. @default process.stdout */
  stream?: NodeJS.WritableStream;
  /** TLS options of the SMTP mailer, e.g. a private CA. */
  tls?: SmtpMailerOptions['tls'];
}

const SCHEMES = 'console:, memory:, file:<folder>, smtp://[user:password@]host[:port] or smtps://…';
const SMTP_PARAMS = new Set(['tls']);

function invalid(message: string): MailConfigError {
  return new MailConfigError('E_MAIL_URL_INVALID', message, { hint: `EMAIL_URL takes ${SCHEMES}. See docs/mail.md.` });
}

function smtpMailer(raw: string, options: MailerUrlOptions): SmtpMailer {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The URL may hold a password: the message names only the scheme.
    throw invalid(`EMAIL_URL is not a valid ${raw.slice(0, raw.indexOf(':'))} URL.`);
  }
  const secure = url.protocol === 'smtps:';
  if (url.hostname === '') throw invalid(`EMAIL_URL has no host: write ${url.protocol}//mail.example.com.`);
  if (url.pathname !== '' && url.pathname !== '/') throw invalid(`EMAIL_URL has a path (${url.pathname}); an SMTP URL is ${url.protocol}//[user:password@]host[:port].`);
  for (const key of url.searchParams.keys()) {
    if (!SMTP_PARAMS.has(key)) throw invalid(`EMAIL_URL has an unknown parameter '${key}'; the only one is tls=required|optional.`);
  }
  const tls = url.searchParams.get('tls');
  if (tls !== null && tls !== 'required' && tls !== 'optional') throw invalid(`EMAIL_URL tls must be 'required' or 'optional', got '${tls}'.`);
  if (secure && tls !== null) throw invalid('EMAIL_URL: smtps:// is always TLS; tls= applies to smtp:// (STARTTLS) only.');
  const user = url.username === '' ? undefined : decodeURIComponent(url.username);
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  return new SmtpMailer({
    host: url.hostname,
    port: url.port === '' ? undefined : Number(url.port),
    secure,
    user,
    password: user !== undefined ? (password ?? '') : password,
    requireTls: tls === null ? undefined : tls === 'required',
    tls: options.tls,
    from: options.from,
  });
}

/**
 * The mailer an `EMAIL_URL` value names:
 * `console:` (print), `memory:` (keep, for tests), `file:./var/mail` (write `.eml` files),
 * `smtp://user:password@host:587` (STARTTLS, required except on loopback; `?tls=optional` to
 * allow plain text) or `smtps://user:password@host:465` (implicit TLS). Percent-encode special
 * characters in the user and password.
 *
 * @example
 * const mailer = mailerFromUrl('smtp://apikey:s3cr%40t@smtp.example.com:587', { from: 'Example <no-reply@example.com>' });
 * @see docs/mail.md
 */
export function mailerFromUrl(url: string, options: MailerUrlOptions = {}): Mailer {
  const value = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'console':
      if (value.replace(/^console:(\/\/)?/i, '') !== '') throw invalid('EMAIL_URL console: takes nothing after the colon.');
      return new ConsoleMailer({ stream: options.stream, from: options.from });
    case 'memory':
      if (value.replace(/^memory:(\/\/)?/i, '') !== '') throw invalid('EMAIL_URL memory: takes nothing after the colon.');
      return new MemoryMailer({ from: options.from });
    case 'file': {
      const rest = value.slice('file:'.length);
      const dir = rest.startsWith('//') ? fileURLToPath(value) : rest;
      if (dir === '') throw invalid('EMAIL_URL file: needs a folder, e.g. file:./var/mail or file:///var/mail.');
      return new FileMailer({ dir, from: options.from });
    }
    case 'smtp':
    case 'smtps':
      return smtpMailer(value, options);
    default:
      throw invalid(value === '' ? 'EMAIL_URL is empty.' : `EMAIL_URL has an unknown scheme '${scheme ?? value.slice(0, 20)}'.`);
  }
}

/**
 * The mailer the environment configures: `EMAIL_URL` (see {@link mailerFromUrl}) and
 * `EMAIL_FROM`. Without `EMAIL_URL`, development and test print mail to the console, and
 * production refuses to start (`E_MAIL_NOT_CONFIGURED`) rather than lose mail.
 *
 * @example
 * const mailer = mailerFromEnv(); // reads process.env
 * @see docs/mail.md
 */
export function mailerFromEnv(env: Readonly<Record<string, string | undefined>> = process.env, options: MailerUrlOptions = {}): Mailer {
  const url = env.EMAIL_URL === '' ? undefined : env.EMAIL_URL;
  const from = options.from ?? (env.EMAIL_FROM === '' ? undefined : env.EMAIL_FROM);
  if (url === undefined) {
    if (env.NODE_ENV === 'production') {
      throw new MailConfigError('E_MAIL_NOT_CONFIGURED', 'Refusing to start in production without EMAIL_URL: password-reset and other mail would be lost.', {
        hint: 'Set EMAIL_URL, e.g. smtps://user:password@smtp.example.com, and EMAIL_FROM. See docs/mail.md.',
      });
    }
    return new ConsoleMailer({ stream: options.stream, from });
  }
  return mailerFromUrl(url, { ...options, from });
}
