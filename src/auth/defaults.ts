/**
 * The accounts defaults in one place, each with the threat it stops.
 *
 * @module
 */

/**
 * Defaults of `auth()` and `authRoutes()`.
 *
 * @example authRoutes({ db, mailer, resetTokenMaxAgeSeconds: AUTH_DEFAULTS.resetTokenMaxAgeSeconds / 2 })
 */
export const AUTH_DEFAULTS = Object.freeze({
  /** Where guards send anonymous browsers: the login view when mounted at `/accounts`. */
  loginUrl: '/accounts/login',
  /** Where a login lands without a (safe) `next`. Open redirect: `next` is only ever a same-origin path. */
  loginRedirectUrl: '/',
  /** Where a logout lands. */
  logoutRedirectUrl: '/',
  /**
   * A password-reset link dies after an hour (Django: 3 days). A link in a mailbox read by someone
   * else later (a shared inbox, a breached account) is useless by then.
   */
  resetTokenMaxAgeSeconds: 3600,
  /**
   * Time between the password and the TOTP code. The half-authenticated state in the session dies
   * after five minutes, so a password typed on a shared computer is not a standing half-login.
   */
  secondFactorTimeoutSeconds: 300,
  /** Signup is off: an app opts in to let strangers create accounts. */
  signup: false,
  /** Login by username only; email login is opt-in (emails are not unique by default). */
  loginWithEmail: false,
});

/**
 * Login throttling defaults. Brute force and password spraying: after 5 failures in 15 minutes
 * for one account, or from one client address, further attempts are refused with 429 whatever the
 * password, so a correct guess after the limit gets no confirmation.
 *
 * @example authRoutes({ db, mailer, throttle: { ...LOGIN_THROTTLE_DEFAULTS, maxFailuresPerAddress: 50 } })
 */
export const LOGIN_THROTTLE_DEFAULTS = Object.freeze({
  maxFailures: 5,
  maxFailuresPerAddress: 5,
  windowSeconds: 15 * 60,
});
