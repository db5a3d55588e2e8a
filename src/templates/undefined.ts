/**
 * The value of a variable or attribute that does not exist, when the engine runs leniently.
 *
 * Filters and tests treat it exactly like JavaScript `undefined` (`default` replaces it, `length`
 * of it is 0, `is defined` is false); it carries the name that was looked up so a warning or a
 * later error can say what was missing.
 *
 * @module
 */

/** An undefined template variable or attribute, named by what was looked up (`user.email`). */
export class Undefined {
  readonly name: string;

  constructor(name: string) {
    this.name = name;
    Object.freeze(this);
  }

  /** Renders as nothing if something stringifies it anyway. */
  toString(): string {
    return '';
  }
}

Object.freeze(Undefined.prototype);

/** True for an {@link Undefined} sentinel (not for JavaScript `undefined`). */
export function isUndefined(v: unknown): v is Undefined {
  return v instanceof Undefined;
}
