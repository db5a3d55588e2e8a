/**
 * The defaults of forms, in one place, each with the threat or mistake it stops.
 *
 * @module
 */

/**
 * Defaults of `form()` and `formField.*`.
 *
 * @example form(fields, { timeZone: FORM_DEFAULTS.timeZone })
 * @see docs/forms.md#options
 */
export const FORM_DEFAULTS = Object.freeze({
  // A datetime-local value has no zone; reading it in the server's local zone would make the same
  // form mean different instants on different machines. UTC is the same everywhere.
  timeZone: 'UTC',
  idPrefix: 'id_',
  // CPU: number text longer than this is refused before it is parsed (BigInt parsing of a long
  // string costs quadratic time; no field holds a 100-digit number anyway).
  maxNumberTextLength: 100,
  // CPU: every password is hashed; a megabyte "password" is a request that burns a core.
  maxPasswordLength: 1024,
  // Disk: files one formField.files() accepts per request (the request-wide maxFiles still holds).
  maxFilesPerField: 10,
});
