/**
 * Django's two bcrypt hashers, with `bcryptjs`, so users hashed by a Django site that used
 * bcrypt can log in and be upgraded to argon2id.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { PASSWORD_DEFAULTS } from './defaults.js';
import { constantTimeEqual, integerOption, requireStrength, type HasherSafetyOptions, type PasswordHasher } from './hasher.js';

/** Options of {@link BcryptSha256Hasher} and {@link BcryptHasher}. */
export interface BcryptOptions extends HasherSafetyOptions {
  /** Cost (log2 of the rounds) of new hashes. @default 12 (Django) */
  rounds?: number;
}

// $2a$ (original), $2b$ (current, what Django's bcrypt library writes), $2y$ (PHP): one algorithm.
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

abstract class DjangoBcrypt implements PasswordHasher {
  abstract readonly algorithm: string;
  readonly rounds: number;

  constructor(name: string, options: BcryptOptions) {
    this.rounds = integerOption(name, 'rounds', options.rounds ?? PASSWORD_DEFAULTS.bcryptRounds, 4, PASSWORD_DEFAULTS.bcryptMaxRounds);
    requireStrength(name, `rounds=${this.rounds}`, this.rounds < PASSWORD_DEFAULTS.bcryptMinRounds, options);
  }

  /** The string bcrypt actually hashes. */
  protected abstract input(password: string): string;

  identifies(encoded: string): boolean {
    return encoded.startsWith(`${this.algorithm}$`);
  }

  async hash(password: string): Promise<string> {
    const salt = await bcrypt.genSalt(this.rounds);
    return `${this.algorithm}$${await bcrypt.hash(this.input(password), salt)}`;
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const inner = this.#inner(encoded);
    if (inner === null) return false;
    try {
      // Recompute with the stored salt and compare in constant time, as Django does. The version
      // tag is normalised to $2b$ for bcryptjs and left out of the comparison.
      const again = await bcrypt.hash(this.input(password), `$2b$${inner.slice(4, 29)}`);
      return constantTimeEqual(again.slice(4), inner.slice(4));
    } catch {
      return false;
    }
  }

  needsUpgrade(encoded: string): boolean {
    const inner = this.#inner(encoded);
    return inner !== null && Number(inner.slice(4, 6)) !== this.rounds;
  }

  #inner(encoded: string): string | null {
    if (!this.identifies(encoded)) return null;
    const inner = encoded.slice(this.algorithm.length + 1);
    const m = BCRYPT.exec(inner);
    if (m === null) return null;
    const rounds = Number(m[1]);
    // A cost above the ceiling fails unrun (threat: CPU exhaustion by a bad row; cost 31 is days).
    return rounds >= 4 && rounds <= PASSWORD_DEFAULTS.bcryptMaxRounds ? inner : null;
  }
}

/**
 * Django's `bcrypt_sha256$$2b$12$…`: bcrypt of the hex SHA-256 of the password, so passwords
 * longer than bcrypt's 72-byte limit are not truncated.
 *
 * @example
 * await new BcryptSha256Hasher().verify('lètmein', 'bcrypt_sha256$$2b$04$uhBmIJdu7ddK2COAkpmhcu99Mu3dpBbi3tTEDNiMj1TkMUtUTmv9.') // true
 * @see docs/passwords.md
 */
export class BcryptSha256Hasher extends DjangoBcrypt {
  readonly algorithm = 'bcrypt_sha256';

  constructor(options: BcryptOptions = {}) {
    super('BcryptSha256Hasher', options);
  }

  protected input(password: string): string {
    return createHash('sha256').update(password, 'utf8').digest('hex');
  }
}

/**
 * Django's `bcrypt$$2b$12$…`: plain bcrypt, which only reads the first 72 bytes of a password.
 * Kept to verify old rows; do not hash new passwords with it.
 *
 * @example
 * await new BcryptHasher().verify('lètmein', 'bcrypt$$2b$04$H7MRAaN6rPTeeWZD3rOI/OMmbfZI0C7DyGM4ePyGgL6IhaAylEmta') // true
 * @see docs/passwords.md
 */
export class BcryptHasher extends DjangoBcrypt {
  readonly algorithm = 'bcrypt';

  constructor(options: BcryptOptions = {}) {
    super('BcryptHasher', options);
  }

  protected input(password: string): string {
    return password;
  }
}
