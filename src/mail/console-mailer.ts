/**
 * The development mailer: prints each message to a stream instead of sending it.
 *
 * @module
 */
import { MAIL_DEFAULTS } from './defaults.js';
import { checkMessage, composeMessage, recipients, type MailMessage, type Mailer, type SentMail } from './message.js';

/** Options of {@link ConsoleMailer}. */
export interface ConsoleMailerOptions {
  /** Where messages are written. @default process.stdout */
  stream?: NodeJS.WritableStream;
  /** Sender when the message names none. @default 'webmaster@localhost' */
  from?: string;
}

const SEPARATOR = '-'.repeat(79);

/**
 * Writes every message, headers and MIME body, to a stream, followed by a line of dashes. The
 * default when `EMAIL_URL` is not set outside production.
 *
 * @example
 * const mailer = new ConsoleMailer();
 * await mailer.send({ to: 'ada@example.com', subject: 'Reset your password', text: link });
 * @see docs/mail.md
 */
export class ConsoleMailer implements Mailer {
  readonly #stream: NodeJS.WritableStream;
  readonly #from: string;

  constructor(options: ConsoleMailerOptions = {}) {
    this.#stream = options.stream ?? process.stdout;
    this.#from = options.from ?? MAIL_DEFAULTS.from;
  }

  async send(message: MailMessage): Promise<SentMail> {
    const checked = checkMessage(message, this.#from);
    const { raw, messageId } = await composeMessage(checked, 'unix');
    await new Promise<void>((resolve, reject) => {
      this.#stream.write(`${raw.trimEnd()}\n${SEPARATOR}\n`, (err) => (err ? reject(err) : resolve()));
    });
    return Object.freeze({ messageId, accepted: Object.freeze(recipients(checked)), rejected: Object.freeze([]) });
  }
}
