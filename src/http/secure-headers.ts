/**
 * Security response headers, computed once per app (and per route that adjusts them), never per
 * request: the only per-response work is splicing a nonce into the CSP when a page asked for one.
 *
 * @module
 */
import { randomFillSync } from 'node:crypto';
import { JSON_TYPE, TEXT_TYPE } from './response.js';

/** CSP directives, each a list of sources. The nonce is added to `script-src` and `style-src`. */
export type CspDirectives = Readonly<Record<string, readonly string[]>>;

/**
 * Options for the security headers. For each header: `true` (or absent) keeps the secure
 * default, `false` removes it, a string replaces its value.
 */
export interface SecureHeadersOptions {
  /**
   * Content-Security-Policy: directives merged over the defaults, or a full policy string (taken
   * verbatim: no nonce is added), or `false`.
   * @default CSP_DEFAULTS
   */
  contentSecurityPolicy?: boolean | string | CspDirectives;
  /** X-Frame-Options. @default 'DENY' */
  frameOptions?: boolean | 'DENY' | 'SAMEORIGIN';
  /** X-Content-Type-Options. @default 'nosniff' */
  contentTypeOptions?: boolean;
  /** Referrer-Policy. @default 'same-origin' */
  referrerPolicy?: boolean | string;
  /** Cross-Origin-Opener-Policy. @default 'same-origin' */
  crossOriginOpenerPolicy?: boolean | string;
  /** Cross-Origin-Resource-Policy. @default 'same-origin' */
  crossOriginResourcePolicy?: boolean | string;
  /**
   * Permissions-Policy, sent with HTML responses only (browsers apply it to documents alone).
   * @default 'camera=(), microphone=(), geolocation=(), payment=(), usb=()'
   */
  permissionsPolicy?: boolean | string;
}

/**
 * The default policy. Each directive names what it stops:
 * - `default-src 'self'`: loading anything from another origin unless allowed below;
 * - `script-src`/`style-src 'self'` plus a per-response nonce: injected inline script and style (XSS);
 * - `object-src 'none'`: plugin-based script execution;
 * - `base-uri 'none'`: a `<base>` tag redirecting relative script URLs;
 * - `frame-ancestors 'none'`: clickjacking (with X-Frame-Options for old browsers);
 * - `form-action 'self'`: injected forms posting credentials elsewhere.
 */
export const CSP_DEFAULTS: CspDirectives = Object.freeze({
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'self'"],
});

export const SECURE_HEADERS_DEFAULTS = Object.freeze({
  frameOptions: 'DENY', // clickjacking
  contentTypeOptions: 'nosniff', // MIME sniffing turning uploads or JSON into script
  referrerPolicy: 'same-origin', // leaking private URLs (tokens in paths) to other sites
  crossOriginOpenerPolicy: 'same-origin', // cross-window attacks (XS-Leaks, tabnabbing)
  crossOriginResourcePolicy: 'same-origin', // other sites embedding our responses (Spectre-style leaks)
  // An injected script or a third-party frame using the camera, microphone, location, payments or
  // USB devices through a page of ours. Browsers apply it to documents only, so it goes with HTML
  // responses and costs API and file responses nothing.
  permissionsPolicy: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
});

/** HSTS settings, taken from the app settings. */
export interface HstsSettings {
  readonly https: boolean;
  readonly hstsSeconds: number;
  readonly hstsIncludeSubdomains: boolean;
  readonly hstsPreload: boolean;
}

/** A precomputed header set: flat `[name, value, ...]` arrays ready for `writeHead`. */
export interface HeaderSet {
  /** Headers with the nonce-less CSP. */
  readonly plain: readonly string[];
  /** Index of the CSP value in `plain`, or -1 when no nonce can be added. */
  readonly cspIndex: number;
  /** Builds the CSP value that carries `nonce`. */
  readonly cspWithNonce: ((nonce: string) => string) | null;
  /**
   * `plain` + content-type text/plain + a content-length slot, for the hot path. The writer sets
   * the last element and hands the array to `writeHead`, which copies it into the header block
   * synchronously, so one array per set serves every request without an allocation.
   */
  readonly textHead: string[];
  /** The same for JSON. */
  readonly jsonHead: string[];
  /** Headers added to HTML responses only. */
  readonly documentOnly: readonly string[];
}

function freezeSet(
  plain: readonly string[],
  cspIndex: number,
  cspWithNonce: ((nonce: string) => string) | null,
  documentOnly: readonly string[] = [],
): HeaderSet {
  return Object.freeze({
    plain: Object.freeze(plain),
    cspIndex,
    cspWithNonce,
    documentOnly: Object.freeze(documentOnly),
    textHead: [...plain, 'content-type', TEXT_TYPE, 'content-length', '0'],
    jsonHead: [...plain, 'content-type', JSON_TYPE, 'content-length', '0'],
  });
}

function pick(option: boolean | string | undefined, fallback: string): string | null {
  if (option === false) return null;
  if (option === undefined || option === true) return fallback;
  return option;
}

function serializeCsp(directives: CspDirectives, nonce: string | null): string {
  const parts: string[] = [];
  const fallback = (directives['default-src'] ?? []).join(' ');
  for (const [name, sources] of Object.entries(directives)) {
    const nonceable = name === 'script-src' || name === 'style-src';
    // Without a nonce, a script-src/style-src equal to default-src says nothing the fallback
    // does not: leave it out and send 40 bytes less on every response.
    if (nonce === null && nonceable && sources.join(' ') === fallback) continue;
    const list = nonce !== null && nonceable ? [...sources, `'nonce-${nonce}'`] : sources;
    parts.push(list.length > 0 ? `${name} ${list.join(' ')}` : name);
  }
  return parts.join('; ');
}

/**
 * Computes the header set for one combination of options. Called at startup per app and per
 * route that overrides headers.
 */
export function buildHeaderSet(options: SecureHeadersOptions | false, hsts: HstsSettings): HeaderSet {
  if (options === false) return freezeSet([], -1, null);
  const out: string[] = [];
  let cspIndex = -1;
  let cspWithNonce: ((nonce: string) => string) | null = null;
  const csp = options.contentSecurityPolicy;
  if (csp !== false) {
    if (typeof csp === 'string') {
      out.push('content-security-policy', csp);
    } else {
      const directives: CspDirectives = csp === undefined || csp === true ? CSP_DEFAULTS : { ...CSP_DEFAULTS, ...csp };
      out.push('content-security-policy', serializeCsp(directives, null));
      cspIndex = out.length - 1;
      // Split around a marker once, so adding a nonce per response is two string concatenations.
      const marker = '\u0000';
      const pieces = serializeCsp(directives, marker).split(marker);
      cspWithNonce = (nonce) => {
        let s = pieces[0]!;
        for (let i = 1; i < pieces.length; i++) s += nonce + pieces[i]!;
        return s;
      };
    }
  }
  const frame = pick(options.frameOptions, SECURE_HEADERS_DEFAULTS.frameOptions);
  if (frame !== null) out.push('x-frame-options', frame);
  if (options.contentTypeOptions !== false) out.push('x-content-type-options', 'nosniff');
  const referrer = pick(options.referrerPolicy, SECURE_HEADERS_DEFAULTS.referrerPolicy);
  if (referrer !== null) out.push('referrer-policy', referrer);
  const coop = pick(options.crossOriginOpenerPolicy, SECURE_HEADERS_DEFAULTS.crossOriginOpenerPolicy);
  if (coop !== null) out.push('cross-origin-opener-policy', coop);
  const corp = pick(options.crossOriginResourcePolicy, SECURE_HEADERS_DEFAULTS.crossOriginResourcePolicy);
  if (corp !== null) out.push('cross-origin-resource-policy', corp);
  if (hsts.https && hsts.hstsSeconds > 0) {
    let v = `max-age=${hsts.hstsSeconds}`;
    if (hsts.hstsIncludeSubdomains) v += '; includeSubDomains';
    if (hsts.hstsPreload) v += '; preload';
    out.push('strict-transport-security', v);
  }
  const permissions = pick(options.permissionsPolicy, SECURE_HEADERS_DEFAULTS.permissionsPolicy);
  return freezeSet(out, cspIndex, cspWithNonce, permissions === null ? [] : ['permissions-policy', permissions]);
}

/** Merges route-level header options over the app's. */
export function mergeHeaderOptions(
  app: SecureHeadersOptions | false,
  route: SecureHeadersOptions | false | undefined,
): SecureHeadersOptions | false {
  if (route === undefined) return app;
  if (route === false) return false;
  if (app === false) return route;
  const merged: SecureHeadersOptions = { ...app, ...route };
  const a = app.contentSecurityPolicy;
  const r = route.contentSecurityPolicy;
  if (typeof a === 'object' && typeof r === 'object') merged.contentSecurityPolicy = { ...a, ...r };
  return merged;
}

// Nonces come from a pooled buffer: one randomFillSync per 256 nonces instead of one per page.
const NONCE_BYTES = 16; // 128 bits, as CSP3 recommends
const POOL_NONCES = 256;
const pool = Buffer.allocUnsafe(NONCE_BYTES * POOL_NONCES);
let poolOffset = pool.length;

/** A fresh base64 nonce of 128 bits from the OS random source. */
export function createNonce(): string {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const s = pool.toString('base64', poolOffset, poolOffset + NONCE_BYTES);
  poolOffset += NONCE_BYTES;
  return s;
}
