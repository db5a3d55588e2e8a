/**
 * Password validators: small objects with `validate(password, user?)` and a help text, all on by
 * default through {@link validatePassword}.
 *
 * @module
 */
import { loadPasswordList, COMMON_PASSWORDS_FILE } from './common-passwords.js';
import { PASSWORD_DEFAULTS } from './defaults.js';
import { PasswordValidationError } from './errors.js';
import { similarityRatio } from './similarity.js';

/** The user a password is for, when known: the similarity validator compares it with these fields. */
export interface PasswordUser {
  readonly username?: string | null;
  readonly email?: string | null;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly [attribute: string]: unknown;
}

/**
 * One password rule. `validate` returns a message that reads well under a form field, or `null`
 * when the password passes; `helpText` tells the user the rule before they type.
 *
 * @example
 * const noSeason: PasswordValidator = {
 *   name: 'no-season',
 *   helpText: 'Your password can’t be a season and a year.',
 *   validate: (pw) => (/^(spring|summer|autumn|winter)\d*$/i.test(pw) ? 'This password is a season and a year.' : null),
 * };
 */
export interface PasswordValidator {
  readonly name: string;
  readonly helpText: string;
  validate(password: string, user?: PasswordUser): string | null;
}

/**
 * At least `minLength` characters (code points). @default 8
 *
 * @example
 * minimumLengthValidator({ minLength: 12 }).validate('short') // 'This password is too short. It must contain at least 12 characters.'
 */
export function minimumLengthValidator(options: { minLength?: number } = {}): PasswordValidator {
  const min = options.minLength ?? PASSWORD_DEFAULTS.minLength;
  return Object.freeze({
    name: 'minimum-length',
    helpText: `Your password must contain at least ${min} characters.`,
    validate: (password: string) =>
      [...password].length < min ? `This password is too short. It must contain at least ${min} characters.` : null,
  });
}

/**
 * At most `maxBytes` UTF-8 bytes, so nobody can make the server hash megabytes. @default 4096
 *
 * @example
 * maximumLengthValidator().validate('x'.repeat(5000)) // 'This password is too long. It can be at most 4096 bytes long.'
 */
export function maximumLengthValidator(options: { maxBytes?: number } = {}): PasswordValidator {
  const max = options.maxBytes ?? PASSWORD_DEFAULTS.maxPasswordBytes;
  return Object.freeze({
    name: 'maximum-length',
    helpText: `Your password can be at most ${max} bytes long.`,
    validate: (password: string) =>
      Buffer.byteLength(password, 'utf8') > max ? `This password is too long. It can be at most ${max} bytes long.` : null,
  });
}

/** Labels for the built-in attributes; others are spelled out from their camelCase name. */
const ATTRIBUTE_LABELS: Readonly<Record<string, string>> = Object.freeze({
  username: 'username',
  email: 'email address',
  firstName: 'first name',
  lastName: 'last name',
});
// Longer attribute values are compared by their first 256 characters: the comparison's cost is
// bounded by the attribute, and a 256-character value is not something anyone types as a password.
const MAX_ATTRIBUTE_CHARS = 256;

function label(attribute: string): string {
  return ATTRIBUTE_LABELS[attribute] ?? attribute.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
}

/** The strings a password is compared with for one attribute value. */
function parts(attribute: string, value: string): string[] {
  const lower = [...value.toLowerCase()].slice(0, MAX_ATTRIBUTE_CHARS).join('');
  const out = new Set([lower, ...lower.split(/[^\p{L}\p{N}]+/u)]);
  if (attribute === 'email') {
    const at = lower.lastIndexOf('@');
    if (at > 0) {
      out.add(lower.slice(0, at)); // local part
      out.add(lower.slice(at + 1)); // domain
    }
  }
  out.delete('');
  return [...out];
}

/**
 * Not too similar to the user's username, email address (whole, local part, domain), first or
 * last name. Similarity is compared with each attribute and each word of it.
 *
 * @example
 * userAttributeSimilarityValidator().validate('adalovelace1', { username: 'adalovelace' }) // 'The password is too similar to the username.'
 */
export function userAttributeSimilarityValidator(
  options: { attributes?: readonly string[]; maxSimilarity?: number } = {},
): PasswordValidator {
  const attributes = Object.freeze([...(options.attributes ?? ['username', 'email', 'firstName', 'lastName'])]);
  const maxSimilarity = options.maxSimilarity ?? PASSWORD_DEFAULTS.maxSimilarity;
  return Object.freeze({
    name: 'user-attribute-similarity',
    helpText: 'Your password can’t be too similar to your other personal information.',
    validate(password: string, user?: PasswordUser) {
      if (user === undefined) return null;
      const pw = [...password.toLowerCase()];
      for (const attribute of attributes) {
        const value = user[attribute];
        if (typeof value !== 'string' || value === '') continue;
        for (const part of parts(attribute, value)) {
          if (similarityRatio(pw, part, maxSimilarity) >= maxSimilarity) return `The password is too similar to the ${label(attribute)}.`;
        }
      }
      return null;
    },
  });
}

/**
 * Not made only of digits (a PIN, a date, a phone number).
 *
 * @example
 * numericPasswordValidator().validate('20240131') // 'This password is entirely numeric.'
 */
export function numericPasswordValidator(): PasswordValidator {
  return Object.freeze({
    name: 'numeric',
    helpText: 'Your password can’t be entirely numeric.',
    validate: (password: string) => (/^\p{Nd}+$/u.test(password) ? 'This password is entirely numeric.' : null),
  });
}

/**
 * Not in a list of common passwords, compared lower-cased. The default list is the 20,000 most
 * common passwords shipped with Rampart; `file` replaces it with yours (one per line).
 *
 * @example
 * commonPasswordValidator().validate('Password1') // 'This password is too common.'
 */
export function commonPasswordValidator(options: { file?: string | URL } = {}): PasswordValidator {
  const file = options.file ?? COMMON_PASSWORDS_FILE;
  return Object.freeze({
    name: 'common',
    helpText: 'Your password can’t be a commonly used password.',
    validate: (password: string) => (loadPasswordList(file).has(password.trim().toLowerCase()) ? 'This password is too common.' : null),
  });
}

/**
 * The validators {@link validatePassword} runs when given none: minimum length 8, maximum 4096
 * bytes, user attribute similarity, not numeric, not common.
 */
export const DEFAULT_PASSWORD_VALIDATORS: readonly PasswordValidator[] = Object.freeze([
  minimumLengthValidator(),
  maximumLengthValidator(),
  userAttributeSimilarityValidator(),
  numericPasswordValidator(),
  commonPasswordValidator(),
]);

/**
 * Runs every validator and returns all their messages, in validator order; an empty array means
 * the password is acceptable.
 *
 * @example
 * validatePassword('12345678', { username: 'ada' })
 * // ['This password is entirely numeric.', 'This password is too common.']
 * @see docs/passwords.md
 */
export function validatePassword(
  password: string,
  user?: PasswordUser,
  validators: readonly PasswordValidator[] = DEFAULT_PASSWORD_VALIDATORS,
): string[] {
  const messages: string[] = [];
  for (const v of validators) {
    const message = v.validate(password, user);
    if (message !== null) messages.push(message);
  }
  return messages;
}

/**
 * Like {@link validatePassword}, but throws a {@link PasswordValidationError} carrying the
 * messages when there is any.
 *
 * @example
 * assertValidPassword(form.password, { username: form.username });
 */
export function assertValidPassword(
  password: string,
  user?: PasswordUser,
  validators: readonly PasswordValidator[] = DEFAULT_PASSWORD_VALIDATORS,
): void {
  const messages = validatePassword(password, user, validators);
  if (messages.length > 0) throw new PasswordValidationError(messages);
}

/**
 * The help texts of the validators, to show next to a new-password field.
 *
 * @example
 * passwordHelpTexts() // ['Your password must contain at least 8 characters.', …]
 */
export function passwordHelpTexts(validators: readonly PasswordValidator[] = DEFAULT_PASSWORD_VALIDATORS): string[] {
  return validators.map((v) => v.helpText);
}
