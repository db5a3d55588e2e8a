/**
 * Passwords: hashers (argon2id by default, Django's formats accepted and upgraded on login) and
 * validators. Re-exported by `rampart/auth`.
 *
 * @module
 */
export { PASSWORD_DEFAULTS } from './defaults.js';
export { MAX_CONCURRENT_HASHES } from './hash-slots.js';
export type { PasswordHasher, HasherSafetyOptions } from './hasher.js';
export { Argon2idHasher } from './argon2id-hasher.js';
export type { Argon2idOptions } from './argon2id-hasher.js';
export { Pbkdf2Sha256Hasher } from './pbkdf2-hasher.js';
export type { Pbkdf2Sha256Options } from './pbkdf2-hasher.js';
export { BcryptSha256Hasher, BcryptHasher } from './bcrypt-hasher.js';
export type { BcryptOptions } from './bcrypt-hasher.js';
export { PasswordHashers, passwordHashers, unusablePassword, isPasswordUsable, UNUSABLE_PASSWORD_PREFIX } from './hasher-list.js';
export type { PasswordCheck, PasswordHashersOptions } from './hasher-list.js';
export {
  DEFAULT_PASSWORD_VALIDATORS,
  validatePassword,
  assertValidPassword,
  passwordHelpTexts,
  minimumLengthValidator,
  maximumLengthValidator,
  userAttributeSimilarityValidator,
  numericPasswordValidator,
  commonPasswordValidator,
} from './validators.js';
export type { PasswordValidator, PasswordUser } from './validators.js';
export { COMMON_PASSWORDS_FILE } from './common-passwords.js';
export { PasswordValidationError, PasswordTooLongError, PasswordHasherConfigError, PasswordListError } from './errors.js';
