/**
 * argon2id in the standard PHC string format, with `@node-rs/argon2` (native, run on the libuv
 * thread pool so the event loop keeps serving requests while a password hashes).
 *
 * @module
 */
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { PASSWORD_DEFAULTS } from './defaults.js';
import { withHashSlot } from './hash-slots.js';
import { integerOption, requireStrength, type HasherSafetyOptions, type PasswordHasher } from './hasher.js';

/** Options of {@link Argon2idHasher}. */
export interface Argon2idOptions extends HasherSafetyOptions {
  /** Memory per hash in KiB (`m=`). @default 19456 (19 MiB) */
  memoryKiB?: number;
  /** Passes over the memory (`t=`). @default 2 */
  timeCost?: number;
  /** Lanes (`p=`). @default 1 */
  parallelism?: number;
  /** Largest `m=` a stored hash may ask for before it fails unrun. @default 262144 (256 MiB) */
  maxMemoryKiB?: number;
}

// `Algorithm` and `Version` are const enums in the package typings, which isolatedModules cannot
// read; these are their values (Algorithm.Argon2id, Version.V0x13).
const ALGORITHM_ARGON2ID = 2;
const VERSION_0X13 = 1;
const SALT_BYTES = 16; // RFC 9106: 128-bit salt
const OUTPUT_BYTES = 32;
const PREFIX = '$argon2id$';
// Django stores `argon2` + the PHC string of argon2-cffi (argon2id since Django 3.2, argon2i before).
const DJANGO_PREFIX = 'argon2$argon2';

const PHC = /^\$argon2(id|i)\$(?:v=(16|19)\$)?m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{16,})$/;

interface ParsedArgon2 {
  variant: 'id' | 'i';
  version: number;
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
  saltBytes: number;
  outputBytes: number;
  phc: string;
  django: boolean;
}

/**
 * The default hasher: argon2id at OWASP's parameters, stored as
 * `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. It also verifies Django's `argon2$argon2id$…`
 * and `argon2$argon2i$…` hashes, which it reports as needing an upgrade.
 *
 * @example
 * const hasher = new Argon2idHasher();
 * const encoded = await hasher.hash('correct horse battery staple');
 * // '$argon2id$v=19$m=19456,t=2,p=1$…'
 * @see docs/passwords.md
 */
export class Argon2idHasher implements PasswordHasher {
  readonly algorithm = 'argon2id';
  readonly memoryKiB: number;
  readonly timeCost: number;
  readonly parallelism: number;
  readonly #maxMemoryKiB: number;

  constructor(options: Argon2idOptions = {}) {
    const d = PASSWORD_DEFAULTS.argon2;
    const limits = PASSWORD_DEFAULTS.argon2Limits;
    this.#maxMemoryKiB = integerOption('Argon2idHasher', 'maxMemoryKiB', options.maxMemoryKiB ?? limits.maxMemoryKiB, 8, 4_194_304);
    this.parallelism = integerOption('Argon2idHasher', 'parallelism', options.parallelism ?? d.parallelism, 1, limits.maxParallelism);
    this.timeCost = integerOption('Argon2idHasher', 'timeCost', options.timeCost ?? d.timeCost, 1, limits.maxTimeCost);
    this.memoryKiB = integerOption('Argon2idHasher', 'memoryKiB', options.memoryKiB ?? d.memoryKiB, 8 * this.parallelism, this.#maxMemoryKiB);
    const min = PASSWORD_DEFAULTS.argon2Minimum;
    requireStrength('Argon2idHasher', `memoryKiB=${this.memoryKiB}`, this.memoryKiB < min.memoryKiB, options);
    requireStrength('Argon2idHasher', `timeCost=${this.timeCost}`, this.timeCost < min.timeCost, options);
  }

  identifies(encoded: string): boolean {
    return encoded.startsWith(PREFIX) || encoded.startsWith(DJANGO_PREFIX);
  }

  async hash(password: string): Promise<string> {
    return withHashSlot(() =>
      argon2Hash(password, {
        algorithm: ALGORITHM_ARGON2ID,
        version: VERSION_0X13,
        memoryCost: this.memoryKiB,
        timeCost: this.timeCost,
        parallelism: this.parallelism,
        outputLen: OUTPUT_BYTES,
      }),
    );
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const parsed = this.#parse(encoded);
    if (parsed === null) return false;
    try {
      return await withHashSlot(() => argon2Verify(parsed.phc, password));
    } catch {
      return false;
    }
  }

  needsUpgrade(encoded: string): boolean {
    const p = this.#parse(encoded);
    if (p === null) return false;
    return (
      p.django ||
      p.variant !== 'id' ||
      p.version !== 19 ||
      p.memoryKiB !== this.memoryKiB ||
      p.timeCost !== this.timeCost ||
      p.parallelism !== this.parallelism ||
      p.saltBytes < SALT_BYTES ||
      p.outputBytes < OUTPUT_BYTES
    );
  }

  /**
   * Reads the parameters before anything runs: the library would allocate whatever `m=` says, so a
   * row asking for more than the ceiling is refused here (threat: memory exhaustion by a bad row).
   */
  #parse(encoded: string): ParsedArgon2 | null {
    const django = encoded.startsWith(DJANGO_PREFIX);
    const phc = django ? encoded.slice('argon2'.length) : encoded;
    if (!django && !phc.startsWith(PREFIX)) return null;
    const m = PHC.exec(phc);
    if (m === null) return null;
    const limits = PASSWORD_DEFAULTS.argon2Limits;
    const memoryKiB = Number(m[3]);
    const timeCost = Number(m[4]);
    const parallelism = Number(m[5]);
    if (parallelism < 1 || parallelism > limits.maxParallelism) return null;
    if (timeCost < 1 || timeCost > limits.maxTimeCost) return null;
    if (memoryKiB < 8 * parallelism || memoryKiB > this.#maxMemoryKiB) return null;
    return {
      variant: m[1] === 'id' ? 'id' : 'i',
      version: m[2] === undefined ? 16 : Number(m[2]),
      memoryKiB,
      timeCost,
      parallelism,
      saltBytes: Math.floor((m[6]!.length * 3) / 4),
      outputBytes: Math.floor((m[7]!.length * 3) / 4),
      phc,
      django,
    };
  }
}
