/**
 * Time-based one-time passwords (RFC 6238, on HOTP of RFC 4226): secrets, codes and verification
 * with replay protection.
 *
 * @module
 */
import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../passwords/hasher.js';
import { base32Decode, base32Encode } from './base32.js';
import { TotpError, TotpOptionsError } from './errors.js';

/** The HMAC hash of a TOTP. Most authenticator apps support only SHA1 (several ignore the setting). */
export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** Parameters shared by generation, verification and the `otpauth://` URI. */
export interface TotpOptions {
  /** @default 'SHA1' */
  algorithm?: TotpAlgorithm;
  /** @default 6 */
  digits?: 6 | 8;
  /** @default 30 */
  periodSeconds?: number;
}

/** Options of {@link totpCode}. */
export interface TotpCodeOptions extends TotpOptions {
  /** The moment, as a Date or milliseconds since the epoch. @default Date.now() */
  time?: Date | number;
}

/** Options of {@link verifyTotp}. */
export interface TotpVerifyOptions extends TotpCodeOptions {
  /** Steps accepted either side of the current one, for clock drift and typing time. @default 1 */
  window?: number;
  /**
   * The step of the last code this user logged in with. Codes of that step or earlier are
   * refused, so a code seen over a shoulder or phished cannot be used again.
   */
  lastUsedStep?: number | null;
}

/** Result of {@link verifyTotp}: on success, the time step the code belongs to. Store it as `lastUsedStep`. */
export type TotpVerification = { readonly valid: true; readonly step: number } | { readonly valid: false; readonly step: null };

/**
 * Defaults, chosen for what every authenticator app understands. Secrets are 160 bits (RFC 4226's
 * recommendation) so guessing the key is out of reach; the ±1 step window accepts 30 s of clock
 * drift either way while keeping an online guesser at 3 codes in 10^6 per try.
 */
export const TOTP_DEFAULTS = Object.freeze({
  algorithm: 'SHA1' as TotpAlgorithm,
  digits: 6 as 6 | 8,
  periodSeconds: 30,
  window: 1,
  secretBytes: 20,
});
/** RFC 4226 requires secrets of at least 128 bits; shorter ones are refused. */
export const TOTP_MIN_SECRET_BYTES = 16;
const MAX_SECRET_BYTES = 64;
const MAX_WINDOW = 10;

const HMAC_NAMES: Readonly<Record<TotpAlgorithm, string>> = Object.freeze({ SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' });

interface Resolved {
  algorithm: TotpAlgorithm;
  digits: 6 | 8;
  periodSeconds: number;
}

function resolve(options: TotpOptions): Resolved {
  const algorithm = options.algorithm ?? TOTP_DEFAULTS.algorithm;
  const digits = options.digits ?? TOTP_DEFAULTS.digits;
  const periodSeconds = options.periodSeconds ?? TOTP_DEFAULTS.periodSeconds;
  if (!Object.hasOwn(HMAC_NAMES, algorithm)) {
    throw new TotpOptionsError('E_TOTP_OPTIONS_INVALID', `Unknown TOTP algorithm ${JSON.stringify(algorithm)}; use 'SHA1', 'SHA256' or 'SHA512'.`);
  }
  if (digits !== 6 && digits !== 8) {
    throw new TotpOptionsError('E_TOTP_OPTIONS_INVALID', `TOTP digits must be 6 or 8, got ${String(digits)}.`);
  }
  if (!Number.isSafeInteger(periodSeconds) || periodSeconds < 1 || periodSeconds > 300) {
    throw new TotpOptionsError('E_TOTP_OPTIONS_INVALID', `TOTP periodSeconds must be an integer from 1 to 300, got ${String(periodSeconds)}.`);
  }
  return { algorithm, digits, periodSeconds };
}

/** The secret's bytes: a base32 string (as stored and shown to users) or the raw bytes. */
export function totpSecretBytes(secret: string | Uint8Array): Buffer {
  const bytes = typeof secret === 'string' ? base32Decode(secret) : Buffer.from(secret);
  if (bytes === null) {
    throw new TotpError('E_TOTP_SECRET_INVALID', 'The TOTP secret is not valid base32 (letters A-Z and digits 2-7).', {
      hint: 'Store the string generateTotpSecret() returned, unchanged.',
    });
  }
  if (bytes.length < TOTP_MIN_SECRET_BYTES) {
    throw new TotpError('E_TOTP_SECRET_INVALID', `The TOTP secret has ${bytes.length * 8} bits; at least ${TOTP_MIN_SECRET_BYTES * 8} are required (RFC 4226).`, {
      hint: 'Generate secrets with generateTotpSecret() (160 bits) and enrol the user again.',
    });
  }
  return bytes;
}

/**
 * A new random secret, base32 without padding: 32 characters for the default 160 bits.
 *
 * @example
 * const secret = generateTotpSecret(); // 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'-like
 * @see docs/passwords.md#two-factor-authentication-totp
 */
export function generateTotpSecret(options: { bytes?: number } = {}): string {
  const n = options.bytes ?? TOTP_DEFAULTS.secretBytes;
  if (!Number.isSafeInteger(n) || n < TOTP_MIN_SECRET_BYTES || n > MAX_SECRET_BYTES) {
    throw new TotpOptionsError('E_TOTP_OPTIONS_INVALID', `TOTP secret bytes must be an integer from ${TOTP_MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES}, got ${String(n)}.`);
  }
  return base32Encode(randomBytes(n));
}

/**
 * The time step (RFC 6238's T) a moment falls in.
 *
 * @example
 * totpStep(59_000) // 1
 */
export function totpStep(time: Date | number = Date.now(), periodSeconds: number = TOTP_DEFAULTS.periodSeconds): number {
  const ms = typeof time === 'number' ? time : time.getTime();
  return Math.floor(ms / 1000 / periodSeconds);
}

function hotp(key: Buffer, step: number, o: Resolved): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac(HMAC_NAMES[o.algorithm], key).update(counter).digest();
  // RFC 4226 5.3 dynamic truncation: 31 bits from the offset the last nibble names.
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** o.digits).padStart(o.digits, '0');
}

/**
 * The code for a secret at a moment (now by default).
 *
 * @example
 * totpCode(secret) // '492039'
 * totpCode(secret, { time: Date.parse('2030-01-01T00:00:00Z'), digits: 8, algorithm: 'SHA256' })
 */
export function totpCode(secret: string | Uint8Array, options: TotpCodeOptions = {}): string {
  const o = resolve(options);
  return hotp(totpSecretBytes(secret), totpStep(options.time, o.periodSeconds), o);
}

/**
 * Checks a code typed by the user. Spaces in the code are ignored. Every step of the window is
 * computed and compared in constant time, so timing does not tell which step was close.
 *
 * @example
 * const result = verifyTotp(user.totpSecret, form.code, { lastUsedStep: user.totpLastStep });
 * if (result.valid) await saveLastStep(user, result.step); // refuse a replay of this code
 * @see docs/passwords.md#two-factor-authentication-totp
 */
export function verifyTotp(secret: string | Uint8Array, code: string, options: TotpVerifyOptions = {}): TotpVerification {
  const o = resolve(options);
  const window = options.window ?? TOTP_DEFAULTS.window;
  if (!Number.isSafeInteger(window) || window < 0 || window > MAX_WINDOW) {
    throw new TotpOptionsError('E_TOTP_OPTIONS_INVALID', `TOTP window must be an integer from 0 to ${MAX_WINDOW}, got ${String(window)}.`);
  }
  const key = totpSecretBytes(secret);
  const typed = code.replace(/\s/g, '');
  const wellFormed = typed.length === o.digits && /^\d+$/.test(typed);
  const current = totpStep(options.time, o.periodSeconds);
  const last = options.lastUsedStep ?? -1;
  let matched: number | null = null;
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue;
    const equal = constantTimeEqual(hotp(key, step, o), wellFormed ? typed : '');
    if (equal && step > last && matched === null) matched = step;
  }
  return matched === null ? { valid: false, step: null } : { valid: true, step: matched };
}
