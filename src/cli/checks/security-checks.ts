/**
 * Deploy checks on the loaded app: its settings (mode, secret key, hosts, HTTPS, HSTS), its
 * security headers, and its routes (CSRF exemptions, headers turned off per route).
 *
 * @module
 */
import type { App } from '../../app.js';
import type { CspDirectives, SecureHeadersOptions } from '../../http/secure-headers.js';
import { DEV_ALLOWED_HOSTS, isGeneratedSecretKey, secretKeyWeakness } from '../../settings.js';
import { CSRF_MIDDLEWARE_NAMES, listRoutes, usesMiddleware } from '../route-list.js';
import { finding, type Finding } from './finding.js';

const LOCAL_HOSTS = new Set([...DEV_ALLOWED_HOSTS, 'localhost', '127.0.0.1', '[::1]', '::1']);
const WEAK_REFERRER = new Set(['unsafe-url', 'no-referrer-when-downgrade', 'origin-when-cross-origin']);

/** Checks of the mode, secret key and hosts (also reported when the app refused to load, see check.ts). */
export function modeChecks(app: App): Finding[] {
  const s = app.settings;
  const out: Finding[] = [];
  if (s.env !== 'production') {
    out.push(
      finding(
        'security.W018',
        'warning',
        `The app runs in ${s.env} mode (NODE_ENV=${s.env}): error pages show stack traces to local clients, .env is read, and a missing SECRET_KEY is replaced by a random one per process.`,
        'Run it with NODE_ENV=production (rampart start sets it), and check again with NODE_ENV unset or production.',
      ),
    );
  }
  // The per-process random key of development is never judged as if a user had chosen it: a
  // random string can contain a placeholder-looking run by chance.
  const weakness = isGeneratedSecretKey(s.secretKey) ? 'SECRET_KEY is not set (this run uses a random key)' : secretKeyWeakness(s.secretKey);
  if (weakness !== null) out.push(secretKeyFinding(weakness));
  const hosts = s.allowedHosts;
  if (hosts.includes('*')) out.push(hostsFinding("ALLOWED_HOSTS contains '*': any Host header is accepted, so absolute URLs (password-reset links) can point at an attacker's host"));
  else if (hosts.length === 0 || hosts.every((h) => LOCAL_HOSTS.has(h))) out.push(hostsFinding('ALLOWED_HOSTS names only local hosts, so the app answers 400 to its real domain'));
  return out;
}

/** security.W009 */
export function secretKeyFinding(weakness: string): Finding {
  return finding(
    'security.W009',
    'error',
    `${weakness}. Signed cookies, CSRF tokens, password-reset links and encrypted TOTP secrets all depend on it.`,
    "Set SECRET_KEY in the environment (never in the repository) to 32+ random bytes: node -e \"console.log(require('node:crypto').randomBytes(48).toString('base64url'))\"",
  );
}

/** security.W020 */
export function hostsFinding(problem: string): Finding {
  return finding('security.W020', 'error', `${problem}.`, 'Set ALLOWED_HOSTS to the host names the app is served under: ALLOWED_HOSTS=example.com,www.example.com');
}

function pickValue(option: boolean | string | undefined, fallback: string): string | null {
  if (option === false) return null;
  return option === undefined || option === true ? fallback : option;
}

function scriptSources(csp: SecureHeadersOptions['contentSecurityPolicy']): string {
  if (typeof csp === 'string') return csp;
  if (typeof csp === 'object') {
    const d = csp as CspDirectives;
    return [...(d['script-src'] ?? []), ...(d['default-src'] ?? [])].join(' ');
  }
  return '';
}

/** Checks of HTTPS, HSTS, cookies and the security headers. */
export function transportAndHeaderChecks(app: App): Finding[] {
  const s = app.settings;
  const out: Finding[] = [];
  const h = s.headers;
  if (!s.https) {
    out.push(
      finding(
        'security.W008',
        'warning',
        'HTTPS is off: plain-HTTP requests are not redirected to https://, no Strict-Transport-Security is sent, and cookies lack the Secure flag.',
        'Serve the app over TLS (directly, or behind a proxy listed in TRUSTED_PROXIES that sends X-Forwarded-Proto) and set HTTPS=true.',
      ),
    );
    if (usesMiddleware(app, new Set(['sessions']))) {
      out.push(finding('security.W012', 'warning', 'The session cookie is sent without Secure (HTTPS is off): anyone on the network path can read it and take over the session.', 'Set HTTPS=true once the app is served over TLS; the cookie then becomes Secure and __Host- prefixed.'));
    }
    if (usesMiddleware(app, new Set(['csrf']))) {
      out.push(finding('security.W016', 'warning', 'The CSRF cookie of csrf() is sent without Secure (HTTPS is off).', 'Set HTTPS=true once the app is served over TLS; the cookie then becomes Secure and __Host- prefixed.'));
    }
  } else if (h === false || s.hstsSeconds === 0) {
    out.push(finding('security.W004', 'warning', 'HTTPS is on but Strict-Transport-Security is not sent: a first plain-HTTP visit can be intercepted (SSL stripping).', 'Keep HSTS_SECONDS at 31536000 (the default) and the security headers on.'));
  } else {
    if (!s.hstsIncludeSubdomains) {
      out.push(finding('security.W005', 'warning', 'HSTS does not cover subdomains: a plain-HTTP subdomain can set cookies for the whole domain.', 'Set HSTS_INCLUDE_SUBDOMAINS=true (the default) once every subdomain is served over HTTPS.'));
    }
    if (!s.hstsPreload) {
      out.push(finding('security.W021', 'info', 'HSTS preload is off: browsers trust HSTS only after a first visit.', 'When every subdomain is HTTPS for good, set HSTS_PRELOAD=true and submit the domain at https://hstspreload.org (hard to undo).'));
    }
  }
  if (h === false) {
    out.push(finding('security.W002', 'warning', 'The security headers are turned off (headers: false): no X-Frame-Options, CSP, nosniff, Referrer-Policy or COOP on any response.', 'Remove headers: false from rampart(); adjust single headers instead.'));
    return out;
  }
  if (h.frameOptions === false) out.push(finding('security.W019', 'warning', 'X-Frame-Options is off: other sites can frame the pages (clickjacking).', "Remove frameOptions: false, or use 'SAMEORIGIN' if the app frames its own pages."));
  if (h.contentSecurityPolicy === false) {
    out.push(finding('security.W030', 'warning', 'The Content-Security-Policy is off: an injected script runs, and other sites can frame the pages.', 'Remove contentSecurityPolicy: false; allow the sources you need in the directives instead.'));
  } else if (/'unsafe-inline'|'unsafe-eval'/.test(scriptSources(h.contentSecurityPolicy))) {
    out.push(finding('security.W031', 'warning', "The Content-Security-Policy allows 'unsafe-inline' or 'unsafe-eval' scripts, which undoes its protection against injected scripts.", "Remove them; templates add a nonce to every <script>, and move inline event handlers to script files."));
  }
  if (h.contentTypeOptions === false) out.push(finding('security.W006', 'warning', 'X-Content-Type-Options: nosniff is off: browsers may run an upload or a JSON response as script.', 'Remove contentTypeOptions: false.'));
  const referrer = pickValue(h.referrerPolicy, 'same-origin');
  if (referrer === null || WEAK_REFERRER.has(referrer.toLowerCase())) {
    out.push(finding('security.W022', 'warning', `The Referrer-Policy is ${referrer === null ? 'off' : `'${referrer}'`}: full URLs (with tokens in paths or queries) leak to other sites.`, "Use 'same-origin' (the default) or 'strict-origin-when-cross-origin'."));
  }
  const coop = pickValue(h.crossOriginOpenerPolicy, 'same-origin');
  if (coop === null || coop.toLowerCase() === 'unsafe-none') {
    out.push(finding('security.W024', 'warning', `Cross-Origin-Opener-Policy is ${coop === null ? 'off' : "'unsafe-none'"}: a page opened from another site keeps a handle on the app's window (XS-Leaks, tabnabbing).`, "Use 'same-origin' (the default), or 'same-origin-allow-popups' for OAuth popups."));
  }
  if (h.permissionsPolicy === false) {
    out.push(finding('security.W034', 'info', 'Permissions-Policy is off: an injected script or an embedded frame can ask for the camera, microphone, location, payments or USB devices through the pages.', "Remove permissionsPolicy: false; allow only the features the app uses, e.g. permissionsPolicy: 'camera=(self)'."));
  }
  return out;
}

/** Checks of the routes: CSRF exemptions and security headers removed per route. */
export function routeChecks(app: App): Finding[] {
  const routes = listRoutes(app);
  const out: Finding[] = [];
  const exempt = routes.filter((r) => r.csrf === 'off').map((r) => `${r.method} ${r.path}`);
  if (exempt.length > 0) {
    out.push(
      finding(
        'csrf.W001',
        'warning',
        `${exempt.length} route${exempt.length === 1 ? ' is' : 's are'} exempt from the CSRF check (csrf: false); a browser that visits another site can be made to call them with the user's cookies.`,
        "Keep csrf: false only for requests authenticated another way (a signed webhook, a bearer token), and verify that signature in the handler. Silence with silencedChecks: ['csrf.W001'] once reviewed.",
        exempt,
      ),
    );
  }
  const unsafe = routes.filter((r) => r.csrf === 'none').map((r) => `${r.method} ${r.path}`);
  if (unsafe.length > 0 && usesMiddleware(app, CSRF_MIDDLEWARE_NAMES)) {
    out.push(finding('csrf.W003', 'warning', 'Some routes that change data are outside every sessions()/csrf() layer, so no CSRF check runs for them.', 'Add sessions() (or csrf()) with app.use() so it runs for every route, not only for one group.', unsafe));
  }
  const noHeaders = routes.filter((r) => r.headers === false).map((r) => `${r.method} ${r.path}`);
  if (noHeaders.length > 0) {
    out.push(finding('security.W033', 'warning', 'Some routes turn the security headers off (headers: false).', 'Turn off only the header the route needs to change, e.g. headers: { frameOptions: false } for an embeddable widget.', noHeaders));
  }
  return out;
}
