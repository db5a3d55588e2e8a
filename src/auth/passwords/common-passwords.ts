/**
 * The list of common passwords shipped with Rampart (`common-passwords.txt`), read once on first
 * use.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { PasswordListError } from './errors.js';

/** The list shipped with the package: the 20,000 most common passwords (see the file's header). */
export const COMMON_PASSWORDS_FILE: URL = new URL('./common-passwords.txt', import.meta.url);

const cache = new Map<string, ReadonlySet<string>>();

/**
 * Reads a list file (one password per line, `#` starts a comment line) into a set of lower-cased,
 * trimmed entries. Cached per path.
 */
export function loadPasswordList(file: string | URL = COMMON_PASSWORDS_FILE): ReadonlySet<string> {
  const key = file.toString();
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PasswordListError('E_PASSWORD_LIST_UNREADABLE', `Cannot read the common-password list ${key}: ${(err as Error).message}`, {
      hint: 'Pass an existing file to commonPasswordValidator({ file }), one password per line.',
      cause: err,
    });
  }
  const set = new Set<string>();
  for (const line of text.split('\n')) {
    const word = line.trim().toLowerCase();
    if (word !== '' && !word.startsWith('#')) set.add(word);
  }
  cache.set(key, set);
  return set;
}
