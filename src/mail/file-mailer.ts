/**
 * A mailer that writes each message to a `.eml` file, for development and for inspecting mail
 * from end-to-end tests.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MAIL_DEFAULTS } from './defaults.js';
import { checkMessage, composeMessage, recipients, type MailMessage, type Mailer, type SentMail } from './message.js';

/** Options of {@link FileMailer}. */
export interface FileMailerOptions {
  /** The folder, created if missing (mode 0700). */
  dir: string;
  /** Sender when the message names none. @default 'webmaster@localhost' */
  from?: string;
}

/** What {@link FileMailer.send} reports: also the file written. */
export interface SentMailFile extends SentMail {
  readonly path: string;
}

/**
 * Writes each message as `<UTC time>-<random>.eml` (mode 0600: mail holds reset links) in a
 * folder. Any mail client opens these files. Never overwrites a file.
 *
 * @example
 * const mailer = new FileMailer({ dir: './var/mail' });
 * const sent = await mailer.send({ to: 'ada@example.com', subject: 'Hi', text: 'Hello' });
 * sent.path; // '/app/var/mail/20250131-101500-1a2b3c4d5e6f.eml'
 * @see docs/mail.md
 */
export class FileMailer implements Mailer {
  readonly dir: string;
  readonly #from: string;

  constructor(options: FileMailerOptions) {
    this.dir = resolve(options.dir);
    this.#from = options.from ?? MAIL_DEFAULTS.from;
  }

  async send(message: MailMessage): Promise<SentMailFile> {
    const checked = checkMessage(message, this.#from);
    const { raw, messageId } = await composeMessage(checked, 'windows');
    await mkdir(this.dir, { recursive: true, mode: MAIL_DEFAULTS.dirMode });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const path = join(this.dir, `${stamp}-${randomBytes(6).toString('hex')}.eml`);
    await writeFile(path, raw, { mode: MAIL_DEFAULTS.fileMode, flag: 'wx' });
    return Object.freeze({ messageId, accepted: Object.freeze(recipients(checked)), rejected: Object.freeze([]), path });
  }
}
