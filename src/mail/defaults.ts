/**
 * The mail defaults, in one place. Each value names the problem it prevents.
 *
 * @module
 */

/**
 * Secure defaults for the mailers.
 *
 * @example
 * mailerFromUrl('smtp://mail.example.com', { from: 'Example <no-reply@example.com>' })
 */
export const MAIL_DEFAULTS = Object.freeze({
  /** Sender when neither the message nor the mailer names one (Django's DEFAULT_FROM_EMAIL). Set a real one in production. */
  from: 'webmaster@localhost',
  /** Port of `smtp://` URLs: message submission with STARTTLS (RFC 6409). */
  smtpPort: 587,
  /** Port of `smtps://` URLs: submission over implicit TLS (RFC 8314). */
  smtpsPort: 465,
  /**
   * `smtp://` to a host other than loopback refuses to send unless the server upgrades the
   * connection with STARTTLS: the password and the messages (reset links) never cross the
   * network in clear text, and a man in the middle cannot strip STARTTLS to downgrade.
   */
  requireTls: true,
  /** Time to open the connection: a dead mail server does not hold a request for minutes (nodemailer: 2 min). */
  connectionTimeoutMs: 10_000,
  /** Time to the server's greeting (nodemailer: 30 s). */
  greetingTimeoutMs: 10_000,
  /** Idle time allowed on the connection (nodemailer: 10 min). */
  socketTimeoutMs: 30_000,
  /** Mode of `.eml` files the file mailer writes: mail holds password-reset links, readable by the owner only. */
  fileMode: 0o600,
  /** Mode of the folder the file mailer creates. */
  dirMode: 0o700,
});
