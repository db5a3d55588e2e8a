/**
 * Errors of the security battery.
 *
 * @module
 */
import { RampartError } from '../errors.js';
import { HttpError } from '../http/errors.js';

/**
 * A security helper was misused (an empty key, an invalid option); thrown at startup or by the call.
 *
 * @example
 * try { csrf({ headerName: 'bad name' }) } catch (err) { if (err instanceof SecurityError) console.error(err.code) }
 * @see docs/csrf.md
 */
export class SecurityError extends RampartError {}

/** Why a request failed the CSRF check; stable strings, logged with every refusal. */
export type CsrfFailureReason =
  | 'cross-site'
  | 'same-site'
  | 'origin-null'
  | 'origin-malformed'
  | 'origin-untrusted'
  | 'referer-missing'
  | 'referer-malformed'
  | 'referer-insecure'
  | 'referer-untrusted'
  | 'secret-missing'
  | 'token-missing'
  | 'token-malformed'
  | 'token-incorrect';

const PUBLIC_MESSAGE = 'The request could not be verified. Reload the page and try again.';

/**
 * 403: the request failed the CSRF check. In development the message names the check; in
 * production it says nothing an attacker could use. Catch it in `app.onError` to render your own
 * page (`err instanceof CsrfError`).
 *
 * @example
 * app.onError((err, req) => err instanceof CsrfError ? req.render('403-csrf.html', {}, { status: 403 }) : undefined)
 */
export class CsrfError extends HttpError {
  /** Which check failed; never shown to the client in production. */
  readonly reason: CsrfFailureReason;

  constructor(reason: CsrfFailureReason, detail: string, showDetail: boolean) {
    super(403, showDetail ? `CSRF check failed: ${detail}` : PUBLIC_MESSAGE, {
      code: 'E_CSRF_FAILED',
      details: showDetail ? { reason } : undefined,
    });
    this.reason = reason;
  }
}
