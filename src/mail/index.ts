/**
 * rampart/mail: send mail through SMTP, or print, keep or file it in development and tests. One
 * setting, `EMAIL_URL`, picks the mailer; header injection is refused by every mailer.
 *
 * @module
 */
export { MAIL_DEFAULTS } from './defaults.js';
export type { Mailer, MailMessage, SentMail, CheckedMessage } from './message.js';
export { ConsoleMailer } from './console-mailer.js';
export type { ConsoleMailerOptions } from './console-mailer.js';
export { FileMailer } from './file-mailer.js';
export type { FileMailerOptions, SentMailFile } from './file-mailer.js';
export { MemoryMailer } from './memory-mailer.js';
export type { OutboxMessage } from './memory-mailer.js';
export { SmtpMailer, isLoopbackHost } from './smtp-mailer.js';
export type { SmtpMailerOptions } from './smtp-mailer.js';
export { mailerFromUrl, mailerFromEnv } from './mailer-from-url.js';
export type { MailerUrlOptions } from './mailer-from-url.js';
export { MailMessageError, MailHeaderInjectionError, MailConfigError, MailSendError } from './errors.js';
