/**
 * The message a mailer sends, the checks every mailer runs on it, and its composition into an
 * RFC 5322 message by nodemailer.
 *
 * @module
 */
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import type { SafeHtml } from '../http/html.js';
import { MailHeaderInjectionError, MailMessageError } from './errors.js';

/** A message to send. Addresses are `ada@example.com` or `Ada Lovelace <ada@example.com>`. */
export interface MailMessage {
  /** One address or a list; at least one. */
  to: string | readonly string[];
  subject: string;
  /** The plain-text body; every message has one, for clients that do not show HTML. */
  text: string;
  /** An HTML alternative, from `html\`…\`` or a rendered template. */
  html?: string | SafeHtml;
  /** @default the mailer's `from`, else `MAIL_DEFAULTS.from` */
  from?: string;
  cc?: string | readonly string[];
  bcc?: string | readonly string[];
  replyTo?: string;
}

/** What a mailer reports after sending. */
export interface SentMail {
  /** The `Message-ID` header of the message, `<…@…>`. */
  readonly messageId: string;
  /** Recipients the server (or the console, file, memory mailer) took. */
  readonly accepted: readonly string[];
  /** Recipients the server refused; the others still got the message. */
  readonly rejected: readonly string[];
}

/**
 * Sends mail. The built-in mailers are `ConsoleMailer`, `FileMailer`, `MemoryMailer` and
 * `SmtpMailer`; `mailerFromUrl()` picks one from a setting.
 *
 * @example
 * const mailer: Mailer = mailerFromEnv();
 * await mailer.send({ to: 'ada@example.com', subject: 'Welcome', text: 'Hello Ada' });
 */
export interface Mailer {
  send(message: MailMessage): Promise<SentMail>;
}

/** A message after the checks: every address list is an array, `from` is filled in. */
export interface CheckedMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly replyTo: string | undefined;
  readonly subject: string;
  readonly text: string;
  readonly html: string | undefined;
}

// Any C0 control character or DEL: CR and LF end a header line, NUL truncates in some MTAs.
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_RECIPIENTS = 100; // one send() is one message, not a mailing list run through a form
const MAX_SUBJECT_CHARS = 998; // RFC 5322's line limit

function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? value.slice(0, 80) + '…' : value);
}

function noControl(field: string, value: string): void {
  if (CONTROL.test(value)) {
    throw new MailHeaderInjectionError(
      'E_MAIL_HEADER_INJECTION',
      field,
      `The ${field} of the message contains a line break or control character (${shown(value)}); it was not sent.`,
      { hint: 'A line break in a header lets the text after it add headers such as Bcc. Remove line breaks from user input before using it in a subject or address.' },
    );
  }
}

/** Checks one entry is exactly one address, so a display name cannot smuggle in more recipients. */
function oneAddress(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new MailMessageError('E_MAIL_ADDRESS_INVALID', field, `The ${field} address must be a string, got ${typeof value}.`);
  noControl(field, value);
  const parsed = addressparser(value);
  const first = parsed[0];
  if (parsed.length !== 1 || first === undefined || !('address' in first) || !/^[^\s@]+@[^\s@]+$/.test(first.address)) {
    throw new MailMessageError('E_MAIL_ADDRESS_INVALID', field, `The ${field} entry ${shown(value)} is not exactly one email address.`, {
      hint: "Write 'ada@example.com' or 'Ada Lovelace <ada@example.com>'; pass several recipients as an array.",
    });
  }
  return value.trim();
}

function addressList(field: string, value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : [...value];
  return list.map((v) => oneAddress(field, v));
}

/**
 * Runs the checks every mailer runs before sending: no control characters in the subject or any
 * address, each address entry exactly one address, at least one recipient, a text body.
 */
export function checkMessage(message: MailMessage, defaultFrom: string): CheckedMessage {
  if (typeof message.subject !== 'string') throw new MailMessageError('E_MAIL_MESSAGE_INVALID', 'subject', 'The message needs a subject string.');
  noControl('subject', message.subject);
  if (message.subject.length > MAX_SUBJECT_CHARS) {
    throw new MailMessageError('E_MAIL_MESSAGE_INVALID', 'subject', `The subject is ${message.subject.length} characters long; keep it under ${MAX_SUBJECT_CHARS}.`);
  }
  if (typeof message.text !== 'string') {
    throw new MailMessageError('E_MAIL_MESSAGE_INVALID', 'text', 'The message needs a text body (a string), even when it has an HTML one.');
  }
  const to = addressList('to', message.to);
  const cc = addressList('cc', message.cc);
  const bcc = addressList('bcc', message.bcc);
  if (to.length === 0) throw new MailMessageError('E_MAIL_MESSAGE_INVALID', 'to', 'The message has no recipient: give at least one address in to.');
  if (to.length + cc.length + bcc.length > MAX_RECIPIENTS) {
    throw new MailMessageError('E_MAIL_MESSAGE_INVALID', 'to', `The message has more than ${MAX_RECIPIENTS} recipients; send it in batches.`);
  }
  return Object.freeze({
    from: oneAddress('from', message.from ?? defaultFrom),
    to,
    cc,
    bcc,
    replyTo: message.replyTo === undefined ? undefined : oneAddress('replyTo', message.replyTo),
    subject: message.subject,
    text: message.text,
    html: message.html === undefined ? undefined : message.html.toString(),
  });
}

/** The options nodemailer's `sendMail` takes for a checked message; files and URLs are never read. */
export function nodemailerOptions(m: CheckedMessage): nodemailer.SendMailOptions {
  return {
    from: m.from,
    to: [...m.to],
    cc: m.cc.length > 0 ? [...m.cc] : undefined,
    bcc: m.bcc.length > 0 ? [...m.bcc] : undefined,
    replyTo: m.replyTo,
    subject: m.subject,
    text: m.text,
    html: m.html,
    // Defence in depth: nodemailer can read a local file or fetch a URL named in a message;
    // Rampart messages carry only strings, so both are off.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** The addresses of a checked message's recipients, without display names. */
export function recipients(m: CheckedMessage): string[] {
  return [...m.to, ...m.cc, ...m.bcc].map((a) => {
    const first = addressparser(a)[0];
    return first !== undefined && 'address' in first ? first.address : a;
  });
}

/**
 * Composes the whole message (headers and MIME body) as text, with `\r\n` or `\n` line ends.
 * A transport of our own builds it: nodemailer's stream transport would keep the Bcc header,
 * which must never reach a file or a log that someone forwards.
 */
export async function composeMessage(m: CheckedMessage, newline: 'windows' | 'unix'): Promise<{ raw: string; messageId: string }> {
  const builder: nodemailer.Transport<Composed> = {
    name: 'rampart-compose',
    version: '1',
    send(mail, callback) {
      mail.message.build((err, message) => {
        if (err) callback(err, { messageId: '', message: Buffer.alloc(0) });
        else callback(null, { messageId: mail.message.messageId(), message });
      });
    },
  };
  // The typings give every custom transport SMTP's result type; ours resolves with Composed.
  const info = (await nodemailer.createTransport(builder).sendMail(nodemailerOptions(m))) as unknown as Composed;
  const raw = info.message.toString('utf8');
  return { raw: newline === 'unix' ? raw.replace(/\r\n/g, '\n') : raw, messageId: info.messageId };
}

interface Composed {
  messageId: string;
  message: Buffer;
}
