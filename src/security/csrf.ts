/**
 * CSRF protection, in three layers, for every request with an unsafe method (anything but GET,
 * HEAD, OPTIONS, TRACE) unless its route says `csrf: false`:
 *
 * 1. Fetch metadata: `Sec-Fetch-Site: cross-site` or `same-site` is refused unless the Origin is in
 *    CSRF_TRUSTED_ORIGINS (as Rails 8 and Go's CrossOriginProtection do; Django 5 ignores the header).
 * 2. Origin: `Origin` must be the app's own origin or a trusted one, `null` never; without Origin,
 *    an HTTPS request must carry a same-origin `Referer` (Django's rule).
 * 3. Token: a per-session secret, sent back masked (`req.csrfToken()`) in the `csrf_token` form
 *    field or the `X-CSRF-Token` header, compared in constant time.
 *
 * `sessions()` installs it with the secret in the session; `csrf()` alone keeps the secret in a
 * signed HttpOnly cookie.
 *
 * @module
 */
import type { Context } from '../http/context.js';
import { isFormContentType, parseMediaType } from '../http/media-type.js';
import type { Middleware } from '../routing/group.js';
import type { ResolvedSettings } from '../settings.js';
import { csrfTokenMatches, isCsrfSecret, isCsrfTokenShape, maskCsrfSecret, newCsrfSecret } from './csrf-token.js';
import { CsrfError, SecurityError, type CsrfFailureReason } from './errors.js';
import { MultipartFieldScanner, peekStreamField, scanBufferedField } from './multipart-token.js';
import { originOf, requestOrigin, trustedOriginMatcher } from './origin.js';
import { markPrivate } from './private-response.js';
import { sign, unsign } from './signing.js';

/** Options of `csrf()` and of `sessions({ csrf })`. */
export interface CsrfOptions {
  /** Request header carrying the token (fetch, HTMX). @default 'x-csrf-token' */
  headerName?: string;
  /** Form field carrying the token; the template engine writes `csrf_token`. @default 'csrf_token' */
  fieldName?: string;
  /** Cookie holding the secret when there is no session (`__Host-` added under HTTPS). @default 'csrftoken' */
  cookieName?: string;
  /** Lifetime of that cookie. @default 31536000 (one year, as Django) */
  cookieMaxAgeSeconds?: number;
  /** How much of a multipart body is read, at most, to find the token field. @default 65536 */
  maxMultipartPeekBytes?: number;
}

/**
 * The defaults, with the threat each stops.
 *
 * @example csrf({ ...CSRF_DEFAULTS, headerName: 'x-xsrf-token' })
 */
export const CSRF_DEFAULTS = Object.freeze({
  // A custom header: a cross-site HTML form cannot send one, and cross-origin fetch() needs a CORS
  // preflight the app does not grant.
  headerName: 'x-csrf-token',
  fieldName: 'csrf_token',
  // HttpOnly, SameSite=Lax, signed with SECRET_KEY: scripts cannot read it, other sites cannot
  // send it on POSTs, and a cookie planted by a sibling subdomain does not verify.
  cookieName: 'csrftoken',
  cookieMaxAgeSeconds: 365 * 24 * 3600,
  // DoS: the check reads a bounded prefix of an upload, never the whole upload, before the handler.
  maxMultipartPeekBytes: 64 * 1024,
});

/** Where the CSRF secret lives: the session, or a cookie. */
export interface CsrfSecretSource {
  /** The current secret, or null when none was issued (or it expired with its session). */
  get(): string | null;
  /** Creates and stores a new secret (called only when a page needs a token). */
  create(): string;
  /** Called each time a token is issued, so the response can be marked private. */
  issued?(): void;
}

// Methods that must not change state (RFC 9110 section 9.2.1); everything else is checked,
// including custom methods.
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
// Credentials a browser attaches by itself to cross-site requests: a request carrying them is as
// forgeable as a cookie-authenticated one, so only other schemes (Bearer…) skip the check.
const AMBIENT_AUTH_SCHEMES = new Set(['basic', 'digest', 'negotiate', 'ntlm']);
const COOKIE_PURPOSE = 'rampart.csrf.cookie';
const MAX_BOUNDARY_LENGTH = 70; // RFC 2046

const REASONS: Readonly<Record<CsrfFailureReason, string>> = Object.freeze({
  'cross-site': 'Sec-Fetch-Site says the request was made by another site. Add its origin to CSRF_TRUSTED_ORIGINS if it is yours.',
  'same-site': 'Sec-Fetch-Site says the request was made by another origin of this site (a sibling subdomain). Add its origin to CSRF_TRUSTED_ORIGINS if it should be trusted.',
  'origin-null': "the Origin header is 'null' (a sandboxed frame, a file: page or a cross-origin redirect); such requests are never trusted.",
  'origin-malformed': 'the Origin header is not an origin (scheme://host[:port]).',
  'origin-untrusted': "the Origin header is neither this app's origin nor in CSRF_TRUSTED_ORIGINS.",
  'referer-missing': 'an HTTPS request without Origin must carry a Referer, and this one has none. Keep the default Referrer-Policy (same-origin).',
  'referer-malformed': 'the Referer header is not a URL.',
  'referer-insecure': 'the Referer is an http:// page, and this request is HTTPS.',
  'referer-untrusted': "the Referer is neither this app's origin nor in CSRF_TRUSTED_ORIGINS.",
  'secret-missing': 'no CSRF secret: the session (or csrftoken cookie) is missing or expired. Load the form again, and make sure cookies reach the app.',
  'token-missing': "no token: send the form field 'csrf_token' (req.render() adds it to POST forms) or the X-CSRF-Token header with the value of req.csrfToken().",
  'token-malformed': 'the token is not one that req.csrfToken() produces.',
  'token-incorrect': 'the token does not belong to this session (another session, or one from before login or logout). Load the form again.',
});

const GUARDED = new WeakSet<Context<unknown>>();
const matchers = new WeakMap<ResolvedSettings, (origin: string) => boolean>();

function trusted(settings: ResolvedSettings): (origin: string) => boolean {
  let m = matchers.get(settings);
  if (m === undefined) {
    m = trustedOriginMatcher(settings.csrfTrustedOrigins);
    matchers.set(settings, m);
  }
  return m;
}

function header(req: Context<unknown>, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function hasTokenCredentials(req: Context<unknown>): boolean {
  const auth = req.headers.authorization;
  if (auth === undefined || auth === '') return false;
  const space = auth.indexOf(' ');
  return !AMBIENT_AUTH_SCHEMES.has((space === -1 ? auth : auth.slice(0, space)).toLowerCase());
}

/** Layers 1 and 2: where the request comes from. */
function checkOrigin(req: Context<unknown>): CsrfFailureReason | null {
  const isTrusted = trusted(req.settings);
  const site = header(req, 'sec-fetch-site');
  const origin = header(req, 'origin');
  if (site === 'cross-site' || site === 'same-site') {
    // A sibling subdomain may be less trusted than the app (user content, an old marketing site),
    // so same-site needs an explicit entry just like cross-site.
    if (origin !== undefined && originOf(origin, true) !== null && isTrusted(origin)) return null;
    return site;
  }
  if (origin !== undefined) {
    if (origin === 'null') return 'origin-null';
    const o = originOf(origin, true);
    if (o === null) return 'origin-malformed';
    return o === requestOrigin(req) || isTrusted(o) ? null : 'origin-untrusted';
  }
  if (req.protocol === 'https') {
    // Without Origin (older browsers), HTTPS lets us demand a same-origin Referer: a network attacker
    // who can forge an http:// page of this host cannot make an https:// Referer for it, which is
    // what keeps an HTTP man-in-the-middle from planting a form that posts to the HTTPS site.
    const referer = header(req, 'referer');
    if (referer === undefined) return 'referer-missing';
    const r = originOf(referer, false);
    if (r === null) return 'referer-malformed';
    if (!r.startsWith('https://')) return 'referer-insecure';
    return r === requestOrigin(req) || isTrusted(r) ? null : 'referer-untrusted';
  }
  // Plain HTTP without Origin: a non-browser client or a very old browser; the token decides.
  return null;
}

async function tokenFromBody(req: Context<unknown>, fieldName: string, maxPeek: number): Promise<string | null> {
  const type = header(req, 'content-type');
  if (type === undefined) return null;
  if (isFormContentType(type)) return (await req.form()).get(fieldName);
  const media = parseMediaType(type);
  if (media === null || media.essence !== 'multipart/form-data') return null;
  const boundary = media.parameters.get('boundary');
  if (boundary === undefined || boundary === '' || boundary.length > MAX_BOUNDARY_LENGTH) return null;
  const encoding = header(req, 'content-encoding');
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return null;
  const raw = req.raw;
  if (raw.readableEnded || raw.readableFlowing === true) {
    // Another middleware is reading (or has read) the body: take it whole from the cache.
    return scanBufferedField(await req.bytes(), boundary, fieldName, maxPeek);
  }
  return peekStreamField(raw, new MultipartFieldScanner(boundary, fieldName, maxPeek));
}

interface Resolved {
  readonly headerName: string;
  readonly fieldName: string;
  readonly cookieName: string;
  readonly cookieMaxAgeSeconds: number;
  readonly maxMultipartPeekBytes: number;
}

function resolve(options: CsrfOptions): Resolved {
  const r = { ...CSRF_DEFAULTS, ...options };
  for (const key of ['headerName', 'fieldName', 'cookieName'] as const) {
    if (typeof r[key] !== 'string' || !/^[A-Za-z0-9_-]+$/.test(r[key])) {
      throw new SecurityError('E_CSRF_OPTIONS_INVALID', `csrf option ${key} must be a token of letters, digits, '-' and '_', got ${JSON.stringify(r[key])}.`);
    }
  }
  for (const key of ['cookieMaxAgeSeconds', 'maxMultipartPeekBytes'] as const) {
    if (!Number.isSafeInteger(r[key]) || r[key] <= 0) {
      throw new SecurityError('E_CSRF_OPTIONS_INVALID', `csrf option ${key} must be a positive integer, got ${String(r[key])}.`);
    }
  }
  return { ...r, headerName: r.headerName.toLowerCase() };
}

function refuse(req: Context<unknown>, reason: CsrfFailureReason): never {
  const origin = header(req, 'origin');
  let detail = REASONS[reason];
  if (reason === 'origin-untrusted' || reason === 'referer-untrusted') {
    // Shown in development only: the values make a proxy misconfiguration obvious.
    const sent = (reason === 'origin-untrusted' ? origin : header(req, 'referer'))?.slice(0, 200);
    detail += ` Sent: ${JSON.stringify(sent)}; this app's origin: ${JSON.stringify(requestOrigin(req))}. Behind a proxy that changes Host or ends TLS, list it in TRUSTED_PROXIES.`;
  }
  req.log.warn(
    { event: 'security.csrf', reason, method: req.method, path: req.path.slice(0, 2048), origin: origin?.slice(0, 200), ip: req.ip },
    `CSRF check failed: ${detail}`,
  );
  throw new CsrfError(reason, detail, req.settings.debug);
}

/**
 * @internal The check itself, shared by `csrf()` and `sessions()`: installs the token provider,
 * then refuses the request with a `CsrfError` (403) if it is unsafe and fails a layer.
 */
export function csrfGuard(options: CsrfOptions = {}): (req: Context, source: CsrfSecretSource) => Promise<void> {
  const cfg = resolve(options);
  return async (req, source) => {
    // With both sessions() and csrf() installed, the first one checks and the other steps aside.
    if (GUARDED.has(req)) return;
    GUARDED.add(req);
    req.setCsrfTokenProvider(() => {
      source.issued?.();
      return maskCsrfSecret(source.get() ?? source.create());
    });
    if (SAFE_METHODS.has(req.method)) return;
    // No route: the request ends in a 404/405 and no handler runs.
    if (req.route === null || req.route.csrf === false || hasTokenCredentials(req)) return;
    const failure = checkOrigin(req) ?? (await checkToken(req, source, cfg));
    if (failure !== null) refuse(req, failure);
  };
}

async function checkToken(req: Context, source: CsrfSecretSource, cfg: Resolved): Promise<CsrfFailureReason | null> {
  const secret = source.get();
  if (secret === null) return 'secret-missing';
  let token: string | null | undefined = header(req, cfg.headerName);
  if (token === undefined) token = await tokenFromBody(req, cfg.fieldName, cfg.maxMultipartPeekBytes);
  if (token === null || token === '') return 'token-missing';
  token = token.trim();
  if (!isCsrfTokenShape(token)) return 'token-malformed';
  return csrfTokenMatches(token, secret) ? null : 'token-incorrect';
}

/** @internal True when the request already went through a CSRF guard. */
export function isCsrfGuarded(req: Context): boolean {
  return GUARDED.has(req);
}

function cookieSource(req: Context, cfg: Resolved): CsrfSecretSource & { tokens: number } {
  const name = req.settings.https ? `__Host-${cfg.cookieName}` : cfg.cookieName;
  let secret: string | null | undefined;
  return {
    tokens: 0,
    get() {
      if (secret === undefined) {
        const raw = req.cookies[name];
        const value = raw === undefined ? null : unsign(raw, req.settings.secretKey, COOKIE_PURPOSE);
        secret = isCsrfSecret(value) ? value : null;
      }
      return secret;
    },
    create() {
      const fresh = newCsrfSecret();
      secret = fresh;
      req.setCookie(name, sign(fresh, req.settings.secretKey, COOKIE_PURPOSE), {
        maxAgeSeconds: cfg.cookieMaxAgeSeconds,
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
      });
      return fresh;
    },
    issued() {
      this.tokens++;
    },
  };
}

/**
 * CSRF protection without sessions: the secret lives in a signed, HttpOnly `csrftoken` cookie
 * (`__Host-csrftoken` under HTTPS), set the first time a page asks for a token. With `sessions()`
 * you do not need it: sessions install the same check with the secret in the session.
 *
 * @example
 * app.use(csrf())
 * app.get('/contact', (req) => req.render('contact.html'))   // the form gets the hidden field
 * app.post('/contact', async (req) => { const form = await req.form(); ... })  // checked before this runs
 * @see docs/csrf.md
 */
export function csrf(options: CsrfOptions = {}): Middleware {
  const cfg = resolve(options);
  const guard = csrfGuard(options);
  return async function csrf(req, next) {
    if (GUARDED.has(req)) return next();
    const source = cookieSource(req, cfg);
    await guard(req, source);
    const res = await next();
    if (source.tokens > 0) markPrivate(res);
    return res;
  };
}
