/**
 * Password errors: refused passwords, and hasher options that cannot be used.
 *
 * @module
 */
import { RampartError } from '../../errors.js';
import { HttpError } from '../../http/errors.js';

/**
 * A password failed one or more validators (`E_PASSWORD_INVALID`, 422). `messages` holds every
 * reason, each a sentence that can be shown under the password field of a form. Thrown by
 * {@link assertValidPassword}; when a handler lets it escape, the client gets a 422 whose JSON
 * body lists the messages in `details.messages`.
 *
 * @example
 * try { assertValidPassword('123', { username: 'ada' }) } catch (err) {
 *   if (err instanceof PasswordValidationError) form.errors.password = err.messages;
 * }
 */
export class PasswordValidationError extends HttpError {
  readonly messages: readonly string[];

  constructor(messages: readonly string[]) {
    const frozen = Object.freeze([...messages]);
    super(422, frozen.join(' '), { code: 'E_PASSWORD_INVALID', details: { messages: frozen } });
    this.messages = frozen;
  }
}

/**
 * `hash()` was given a password longer than `maxPasswordBytes` (`E_PASSWORD_TOO_LONG`, 422).
 * The length validator refuses such passwords first; this guards code that hashes without
 * validating.
 *
 * @example
 * await hashers.hash('x'.repeat(5000)) // throws PasswordTooLongError
 */
export class PasswordTooLongError extends HttpError {
  constructor(maxBytes: number) {
    super(422, `This password is too long. It can be at most ${maxBytes} bytes long.`, { code: 'E_PASSWORD_TOO_LONG' });
  }
}

/**
 * Options given to a password hasher or a hasher list cannot be used (`E_PASSWORD_HASHER_CONFIG`),
 * or would hash below the recommended strength without saying so (`E_PASSWORD_HASHER_WEAK`).
 * Thrown when the hasher is created, never per request.
 *
 * @example
 * new Argon2idHasher({ memoryKiB: 1024 }) // throws, code E_PASSWORD_HASHER_WEAK
 */
export class PasswordHasherConfigError extends RampartError {}

/**
 * The common-password list could not be read (`E_PASSWORD_LIST_UNREADABLE`).
 *
 * @example
 * commonPasswordValidator({ file: './missing.txt' }).validate('x') // throws
 */
export class PasswordListError extends RampartError {}
