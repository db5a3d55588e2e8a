/**
 * Django's default hasher, PBKDF2-HMAC-SHA256, so a Django user table can be imported as is and
 * upgraded to argon2id on each user's next login.
 *
 * @module
 */
import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { PASSWORD_DEFAULTS } from './defaults.js';
import { withHashSlot } from './hash-slots.js';
import { constantTimeEqual, integerOption, randomSalt, requireStrength, saltBits, type HasherSafetyOptions, type PasswordHasher } from './hasher.js';

const pbkdf2Async = promisify(pbkdf2);

/** Options of {@link Pbkdf2Sha256Hasher}. */
export interface Pbkdf2Sha256Options extends HasherSafetyOptions {
  /** Iterations for new hashes. @default 1000000 (Django 5.2) */
  iterations?: number;
}

const PREFIX = 'pbkdf2_sha256$';
const KEY_BYTES = 32; // Django's dklen: the SHA-256 digest size
const SALT_CHARS = 22; // Django's salt: 22 letters and digits, about 131 bits
const MIN_SALT_BITS = 128; // Django asks for an upgrade below this
const FORMAT = /^pbkdf2_sha256\$(\d{1,9})\$([^$]{1,128})\$([A-Za-z0-9+/]{43}=)$/;

/**
 * Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`. Verifies Django hashes, and can
 * hash too (as Django does) if you put it first in a list. Runs on the libuv thread pool.
 *
 * @example
 * const hasher = new Pbkdf2Sha256Hasher();
 * await hasher.verify('lètmein', 'pbkdf2_sha256$1000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps='); // true
 * @see docs/passwords.md
 */
export class Pbkdf2Sha256Hasher implements PasswordHasher {
  readonly algorithm = 'pbkdf2_sha256';
  readonly iterations: number;

  constructor(options: Pbkdf2Sha256Options = {}) {
    this.iterations = integerOption('Pbkdf2Sha256Hasher', 'iterations', options.iterations ?? PASSWORD_DEFAULTS.pbkdf2Iterations, 1, PASSWORD_DEFAULTS.pbkdf2MaxIterations);
    requireStrength('Pbkdf2Sha256Hasher', `iterations=${this.iterations}`, this.iterations < PASSWORD_DEFAULTS.pbkdf2MinIterations, options);
  }

  identifies(encoded: string): boolean {
    return encoded.startsWith(PREFIX);
  }

  async hash(password: string): Promise<string> {
    const salt = randomSalt(SALT_CHARS);
    const key = await withHashSlot(() => pbkdf2Async(password, salt, this.iterations, KEY_BYTES, 'sha256'));
    return `${PREFIX}${this.iterations}$${salt}$${key.toString('base64')}`;
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const parsed = parse(encoded);
    if (parsed === null) return false;
    const key = await withHashSlot(() => pbkdf2Async(password, parsed.salt, parsed.iterations, KEY_BYTES, 'sha256'));
    return constantTimeEqual(key, parsed.key);
  }

  needsUpgrade(encoded: string): boolean {
    const parsed = parse(encoded);
    if (parsed === null) return false;
    return parsed.iterations < this.iterations || saltBits(parsed.salt) < MIN_SALT_BITS;
  }
}

function parse(encoded: string): { iterations: number; salt: string; key: Buffer } | null {
  const m = FORMAT.exec(encoded);
  if (m === null) return null;
  const iterations = Number(m[1]);
  // A row asking for more work than the ceiling fails unrun (threat: CPU exhaustion by a bad row).
  if (iterations < 1 || iterations > PASSWORD_DEFAULTS.pbkdf2MaxIterations) return null;
  return { iterations, salt: m[2]!, key: Buffer.from(m[3]!, 'base64') };
}
