/**
 * Choosing between a file and its precompressed `.br` / `.gz` siblings from `Accept-Encoding`
 * (RFC 9110 §12.5.3).
 *
 * @module
 */

/** A content coding Rampart serves precompressed files in, with the suffix of its file. */
export interface Coding {
  /** The `Content-Encoding` value. */
  readonly name: 'br' | 'gzip';
  /** Appended to the file name: `app.css.br`. */
  readonly suffix: '.br' | '.gz';
}

/** Preferred first: brotli bodies are smaller than gzip ones for the same text. */
export const CODINGS: readonly Coding[] = Object.freeze([
  Object.freeze({ name: 'br', suffix: '.br' }),
  Object.freeze({ name: 'gzip', suffix: '.gz' }),
] as const);

/** The q-value of each coding named in the header (`x-gzip` counts as `gzip`), `*` included. */
function qValues(header: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of header.split(',')) {
    const parts = item.split(';');
    let name = (parts[0] ?? '').trim().toLowerCase();
    if (name === '') continue;
    if (name === 'x-gzip') name = 'gzip';
    let q = 1;
    for (let i = 1; i < parts.length; i++) {
      const p = (parts[i] ?? '').trim();
      if (p.length > 1 && (p[0] === 'q' || p[0] === 'Q') && p[1] === '=') {
        const n = Number(p.slice(2));
        q = Number.isFinite(n) && n >= 0 && n <= 1 ? n : 0;
      }
    }
    // The highest q wins when a coding is named twice; a client that repeats itself means "yes".
    out.set(name, Math.max(q, out.get(name) ?? 0));
  }
  return out;
}

/**
 * The codings the client accepts, best first, by q-value and then by our preference
 * (br before gzip). Codings it does not name are not accepted unless `*` is; `q=0` refuses one.
 * An absent header accepts none: the plain file is always acceptable and always available.
 *
 * @example
 * acceptedCodings('gzip, deflate, br') // [br, gzip]
 * acceptedCodings('gzip;q=1, br;q=0.5') // [gzip, br]
 * acceptedCodings('br;q=0, *')          // [gzip]
 */
export function acceptedCodings(header: string | undefined): Coding[] {
  if (header === undefined || header === '') return [];
  const q = qValues(header);
  const star = q.get('*') ?? 0;
  // Only an explicit `identity;q=…` ranks the plain body; by default it is merely acceptable.
  const identity = q.get('identity');
  const ranked: { coding: Coding; q: number }[] = [];
  for (const coding of CODINGS) {
    const value = q.get(coding.name) ?? star;
    // A client that prefers the plain body over a coding does not get that coding.
    if (value > 0 && !(identity !== undefined && identity > value)) ranked.push({ coding, q: value });
  }
  // Array.prototype.sort is stable, so equal q-values keep the br-before-gzip order.
  ranked.sort((a, b) => b.q - a.q);
  return ranked.map((r) => r.coding);
}
