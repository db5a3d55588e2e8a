/**
 * Two-factor authentication: TOTP (RFC 6238) and recovery codes. Re-exported by `rampart/auth`.
 *
 * @module
 */
export { TOTP_DEFAULTS, TOTP_MIN_SECRET_BYTES, generateTotpSecret, totpCode, verifyTotp, totpStep } from './totp.js';
export type { TotpAlgorithm, TotpOptions, TotpCodeOptions, TotpVerifyOptions, TotpVerification } from './totp.js';
export { totpUri, totpQrSvg, formatTotpSecret } from './enrolment.js';
export type { TotpUriOptions } from './enrolment.js';
export { RECOVERY_CODE_DEFAULTS, generateRecoveryCodes, consumeRecoveryCode, hashRecoveryCode } from './recovery-codes.js';
export type { RecoveryCodes, RecoveryCodeResult } from './recovery-codes.js';
export { TotpError, TotpOptionsError } from './errors.js';
