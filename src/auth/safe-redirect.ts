/**
 * `next=` checking: a redirect target taken from the request is followed only when it is a path
 * on this site. Everything else (other hosts, schemes, protocol-relative and backslash tricks,
 * encoded slashes, control characters) falls back to a fixed page.
 *
 * @module
 */

const MAX_LENGTH = 2048;
// C0 controls, DEL and C1 controls: browsers strip tabs and newlines from URLs ("/\t/evil.example"
// becomes "//evil.example"), and a CR or LF in a Location header is response splitting.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const PROBE_ORIGIN = 'http://rampart.invalid';

function decodeOnce(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

function pathPart(value: string): string {
  const end = value.search(/[?#]/);
  return end === -1 ? value : value.slice(0, end);
}

function looksSafe(value: string): boolean {
  // One leading slash, then not a second slash or a backslash: "//host" and "/\host" are
  // protocol-relative to browsers. Backslashes in the path are refused too, since browsers read
  // them as slashes in http(s) URLs.
  return value.startsWith('/') && value[1] !== '/' && !pathPart(value).includes('\\') && !CONTROL.test(value);
}

/**
 * The candidate when it is a same-origin path (`/notes?page=2`), else `fallback`. Refused:
 * absolute URLs (`https://evil.example`), schemes (`javascript:`), `//evil.example`,
 * `/\evil.example`, `\\evil`, `/%2F%2Fevil.example` (and other encodings that decode to those),
 * control characters anywhere, and values over 2048 characters.
 *
 * @example
 * return req.redirect(safeRedirectPath(req.query.get('next'), '/'), 303)
 * @see docs/auth.md#redirects-after-login
 */
export function safeRedirectPath(candidate: string | null | undefined, fallback: string): string {
  if (typeof candidate !== 'string' || candidate === '' || candidate.length > MAX_LENGTH) return fallback;
  if (!looksSafe(candidate)) return fallback;
  // A server or proxy that decodes the path before redirecting again would turn "/%2F%2Fevil" into
  // "//evil": refuse what is unsafe after one (and two) rounds of decoding too.
  const once = decodeOnce(pathPart(candidate));
  if (once === null || !looksSafe(once)) return fallback;
  const twice = decodeOnce(once);
  if (twice === null || !looksSafe(twice)) return fallback;
  // Last word to the URL parser browsers follow: it must stay on the origin it is resolved against.
  let url: URL;
  try {
    url = new URL(candidate, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  return url.origin === PROBE_ORIGIN ? candidate : fallback;
}
