/**
 * TOTP and recovery-code errors. All are programming or configuration errors: a wrong code typed
 * by a user is a `{ valid: false }` result, never an exception.
 *
 * @module
 */
import { RampartError } from '../../errors.js';

/**
 * A TOTP secret is not base32, or is shorter than 128 bits (`E_TOTP_SECRET_INVALID`).
 *
 * @example
 * totpCode('not base32!') // throws TotpError, code E_TOTP_SECRET_INVALID
 */
export class TotpError extends RampartError {}

/**
 * Options of a TOTP or recovery-code function cannot be used (`E_TOTP_OPTIONS_INVALID`,
 * `E_RECOVERY_CODES_OPTIONS_INVALID`): an unknown algorithm, digits other than 6 or 8, a window
 * too wide, a label with a colon, a code count out of range.
 *
 * @example
 * totpCode(secret, { digits: 7 }) // throws TotpOptionsError, code E_TOTP_OPTIONS_INVALID
 */
export class TotpOptionsError extends RampartError {}
