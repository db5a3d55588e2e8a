/**
 * Mail errors: messages that cannot be sent safely, settings that cannot be used, and servers that
 * refused.
 *
 * @module
 */
import { RampartError } from '../errors.js';

/**
 * A message cannot be sent as given (`E_MAIL_MESSAGE_INVALID`, `E_MAIL_ADDRESS_INVALID`). `field`
 * names the offending field (`to`, `subject`…).
 *
 * @example
 * await mailer.send({ to: [], subject: 'Hi', text: '' }) // throws, code E_MAIL_MESSAGE_INVALID
 */
export class MailMessageError extends RampartError {
  readonly field: string;

  constructor(code: string, field: string, message: string, options?: { hint?: string }) {
    super(code, message, options);
    this.field = field;
  }
}

/**
 * A subject or address contains a line break or another control character
 * (`E_MAIL_HEADER_INJECTION`): written into a header, it would let the text after it add headers
 * such as `Bcc:` and turn the site into a spam relay. Refused, never cleaned up.
 *
 * @example
 * await mailer.send({ to: 'a@example.com', subject: 'Hi\r\nBcc: x@evil.test', text: '' }) // throws
 */
export class MailHeaderInjectionError extends MailMessageError {}

/**
 * A mail setting cannot be used (`E_MAIL_URL_INVALID`), or production has none
 * (`E_MAIL_NOT_CONFIGURED`). Thrown when the mailer is created, never while sending.
 *
 * @example
 * mailerFromUrl('smtp:/mail.example.com') // throws, code E_MAIL_URL_INVALID
 */
export class MailConfigError extends RampartError {}

/**
 * The mail server refused the message or could not be reached (`E_MAIL_SEND_FAILED`). The cause
 * holds the server's answer.
 *
 * @example
 * try { await mailer.send(msg) } catch (err) { if (err instanceof MailSendError) retryLater(msg) }
 */
export class MailSendError extends RampartError {}
