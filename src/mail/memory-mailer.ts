/**
 * A mailer that keeps messages in memory, for tests (Django's `mail.outbox`).
 *
 * @module
 */
import { MAIL_DEFAULTS } from './defaults.js';
import { checkMessage, composeMessage, recipients, type CheckedMessage, type MailMessage, type Mailer, type SentMail } from './message.js';

/** A message in {@link MemoryMailer.outbox}: the checked fields, and the composed message. */
export interface OutboxMessage extends CheckedMessage {
  readonly messageId: string;
  /** The whole message as it would be sent: headers and MIME body. */
  readonly raw: string;
}

/**
 * Keeps every message in `outbox`, in sending order. Runs the same checks as the real mailers,
 * so a test sees the refusal a production send would get.
 *
 * @example
 * const mailer = new MemoryMailer();
 * await requestPasswordReset(mailer, 'ada@example.com');
 * assert.equal(mailer.outbox[0]?.subject, 'Reset your password');
 * @see docs/mail.md
 */
export class MemoryMailer implements Mailer {
  readonly outbox: OutboxMessage[] = [];
  readonly #from: string;

  constructor(options: { from?: string } = {}) {
    this.#from = options.from ?? MAIL_DEFAULTS.from;
  }

  async send(message: MailMessage): Promise<SentMail> {
    const checked = checkMessage(message, this.#from);
    const { raw, messageId } = await composeMessage(checked, 'unix');
    this.outbox.push(Object.freeze({ ...checked, messageId, raw }));
    return Object.freeze({ messageId, accepted: Object.freeze(recipients(checked)), rejected: Object.freeze([]) });
  }

  /** Empties the outbox. */
  clear(): void {
    this.outbox.length = 0;
  }
}
