/**
 * Settings: one typed object, every field settable from the environment.
 *
 * Precedence: a value passed to `rampart({...})` wins, then the environment, then the default
 * below. In development (any `NODE_ENV` but `production`), a `.env` file in the working directory
 * fills environment variables that are not already set.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './errors.js';
import type { SecureHeadersOptions } from './http/secure-headers.js';
import type { TemplateEngine } from './http/template-engine.js';

export type Environment = 'development' | 'production' | 'test';

/** Everything `rampart(settings)` accepts. Every field is optional. */
export interface Settings {
  /** `NODE_ENV`. @default 'development' */
  env?: Environment;
  /**
   * `SECRET_KEY`: signs cookies and tokens. Production refuses to start without one of at least
   * 32 random bytes. @default undefined (a random per-process key in development)
   */
  secretKey?: string;
  /**
   * `ALLOWED_HOSTS` (comma separated): Host header values the app answers; any other is 400.
   * `.example.com` allows the domain and its subdomains, `*` allows all (never in production).
   * @default [] — in development and test: localhost, 127.0.0.1, [::1] and *.localhost
   */
  allowedHosts?: string[];
  /**
   * `TRUSTED_PROXIES` (comma separated IPs or CIDRs): peers whose `X-Forwarded-For`, `-Proto` and
   * `-Host` headers are believed. Use `loopback` for 127.0.0.1/8 and ::1. @default []
   */
  trustedProxies?: string[];
  /**
   * `HTTPS`: the app is served over TLS (directly or behind a trusted proxy). Turns on HSTS,
   * the redirect of plain-HTTP requests to HTTPS, and `Secure` cookies. @default false
   */
  https?: boolean;
  /**
   * `CSRF_TRUSTED_ORIGINS` (comma separated): other origins whose unsafe requests the CSRF check
   * accepts, e.g. `https://shop.example.com` or `https://*.example.com` (scheme required). @default []
   */
  csrfTrustedOrigins?: string[];
  /** `HSTS_SECONDS`: max-age of Strict-Transport-Security when `https` is on. @default 31536000 (1 year) */
  hstsSeconds?: number;
  /** `HSTS_INCLUDE_SUBDOMAINS`. @default true */
  hstsIncludeSubdomains?: boolean;
  /** `HSTS_PRELOAD`: only after reading https://hstspreload.org. @default false */
  hstsPreload?: boolean;
  /** `PORT`. @default 8000 */
  port?: number;
  /** `HOST`. @default '127.0.0.1' */
  host?: string;
  /** `LOG_LEVEL`: pino level. @default 'info' ('silent' when env is test) */
  logLevel?: string;
  /** `LOG_REQUESTS`: one log line per request. @default true (false when env is test) */
  logRequests?: boolean;
  /** Where log lines go; a writable stream (tests capture logs with it). @default process.stdout */
  logStream?: NodeJS.WritableStream;
  /** Security response headers; `false` turns them all off (visible in `rampart check --deploy`). */
  headers?: SecureHeadersOptions | false;
  /** `MAX_BODY_BYTES`. @default 1048576 (1 MiB) */
  maxBodyBytes?: number;
  /** `MAX_JSON_DEPTH`. @default 64 */
  maxJsonDepth?: number;
  /** `MAX_FORM_FIELDS`. @default 1000 */
  maxFormFields?: number;
  /** `MAX_HEADER_BYTES`: total size of the request line and headers; larger is 431. @default 16384 */
  maxHeaderBytes?: number;
  /** `HEADERS_TIMEOUT_MS`: time a client has to send all headers (slowloris). @default 10000 */
  headersTimeoutMs?: number;
  /** `REQUEST_TIMEOUT_MS`: time a client has to send the whole request. @default 30000 */
  requestTimeoutMs?: number;
  /** `KEEP_ALIVE_TIMEOUT_MS`: idle time before a kept-alive connection is closed. @default 5000 */
  keepAliveTimeoutMs?: number;
  /** `SHUTDOWN_TIMEOUT_MS`: how long a graceful shutdown waits for in-flight requests. @default 10000 */
  shutdownTimeoutMs?: number;
  /** Path of the `.env` file read in development, or `false`. @default '.env' */
  envFile?: string | false;
  /**
   * The template engine `req.render()` uses, e.g. `templates()` from `rampart/templates`.
   * In production its templates are all compiled when the server starts.
   */
  templates?: TemplateEngine;
}

/** Settings after defaults, environment and validation: every field present, frozen. */
export interface ResolvedSettings {
  readonly env: Environment;
  readonly debug: boolean;
  readonly secretKey: string;
  readonly allowedHosts: readonly string[];
  readonly trustedProxies: readonly string[];
  readonly https: boolean;
  readonly csrfTrustedOrigins: readonly string[];
  readonly hstsSeconds: number;
  readonly hstsIncludeSubdomains: boolean;
  readonly hstsPreload: boolean;
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  readonly logRequests: boolean;
  readonly logStream: NodeJS.WritableStream | undefined;
  readonly headers: SecureHeadersOptions | false;
  readonly maxBodyBytes: number;
  readonly maxJsonDepth: number;
  readonly maxFormFields: number;
  readonly maxHeaderBytes: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
}

/**
 * The defaults, in one place. Each limit names the attack it bounds.
 */
export const SETTINGS_DEFAULTS = Object.freeze({
  env: 'development' as Environment,
  https: false,
  hstsSeconds: 31_536_000, // one year, the HSTS preload list minimum
  hstsIncludeSubdomains: true,
  hstsPreload: false,
  port: 8000,
  host: '127.0.0.1', // loopback: exposing the app is a decision, not an accident
  logLevel: 'info',
  maxBodyBytes: 1024 * 1024, // 1 MiB: memory exhaustion by large bodies
  maxJsonDepth: 64, // stack exhaustion and slow parses by deeply nested JSON
  maxFormFields: 1000, // hash-flooding and CPU exhaustion by many fields (Django's limit)
  maxHeaderBytes: 16 * 1024, // 16 KiB: memory exhaustion by huge headers (431)
  headersTimeoutMs: 10_000, // slowloris: headers trickled one byte at a time
  requestTimeoutMs: 30_000, // slow bodies
  keepAliveTimeoutMs: 5_000, // idle sockets held open
  shutdownTimeoutMs: 10_000,
});

/** Hosts accepted in development and test when `ALLOWED_HOSTS` is empty (Django does the same). */
export const DEV_ALLOWED_HOSTS: readonly string[] = Object.freeze(['localhost', '.localhost', '127.0.0.1', '[::1]']);

const MIN_SECRET_LENGTH = 43; // 32 bytes in base64url
const MIN_SECRET_DISTINCT_CHARS = 10;
const MIN_SECRET_BITS = 128; // estimated; 32 random bytes in hex or base64 score well above 200
const PLACEHOLDER_SECRETS = ['changeme', 'change-me', 'secret', 'django-insecure', 'your-secret', 'xxxxxxxx'];

const SECRET_KEY_HOWTO =
  "Set SECRET_KEY to at least 32 random bytes, e.g. the output of: node -e \"console.log(require('node:crypto').randomBytes(48).toString('base64url'))\"";

type Env = Readonly<Record<string, string | undefined>>;

function envString(env: Env, key: string): string | undefined {
  const v = env[key];
  return v === undefined || v === '' ? undefined : v;
}

function envList(env: Env, key: string): string[] | undefined {
  const v = envString(env, key);
  return v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

function envBool(env: Env, key: string): boolean | undefined {
  const v = envString(env, key);
  if (v === undefined) return undefined;
  const l = v.toLowerCase();
  if (l === '1' || l === 'true' || l === 'yes' || l === 'on') return true;
  if (l === '0' || l === 'false' || l === 'no' || l === 'off') return false;
  throw new ConfigError('E_CONFIG_INVALID', `${key}=${JSON.stringify(v)} is not a boolean.`, {
    hint: `Set ${key} to true or false.`,
  });
}

function envInt(env: Env, key: string): number | undefined {
  const v = envString(env, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new ConfigError('E_CONFIG_INVALID', `${key}=${JSON.stringify(v)} is not a non-negative integer.`);
  }
  return n;
}

function envEnvironment(env: Env): Environment | undefined {
  const v = envString(env, 'NODE_ENV');
  if (v === undefined) return undefined;
  if (v === 'production' || v === 'development' || v === 'test') return v;
  throw new ConfigError('E_CONFIG_INVALID', `NODE_ENV=${JSON.stringify(v)} is not one of development, production, test.`);
}

/**
 * Reads a `.env` file into `process.env` without overriding variables already set, so the real
 * environment always wins over the file.
 */
export function loadEnvFile(path: string, target: Record<string, string | undefined> = process.env): boolean {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch {
    return false;
  }
  const parsed = parseEnv(text) as Record<string, string>;
  for (const [k, v] of Object.entries(parsed)) if (target[k] === undefined) target[k] = v;
  return true;
}

/** Why a secret key is too weak, or null when it is acceptable. */
export function secretKeyWeakness(key: string | undefined): string | null {
  if (key === undefined || key === '') return 'SECRET_KEY is not set';
  if (key.length < MIN_SECRET_LENGTH) return `SECRET_KEY has ${key.length} characters; it needs at least ${MIN_SECRET_LENGTH} (32 random bytes)`;
  if (new Set(key).size < MIN_SECRET_DISTINCT_CHARS) return 'SECRET_KEY repeats too few distinct characters to be random';
  if (estimatedBits(key) < MIN_SECRET_BITS) return 'SECRET_KEY is too repetitive to be random';
  const lower = key.toLowerCase();
  for (const p of PLACEHOLDER_SECRETS) if (lower.includes(p)) return `SECRET_KEY looks like a placeholder (contains '${p}')`;
  return null;
}

function portNumber(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError('E_CONFIG_INVALID', `PORT must be an integer from 0 to 65535, got ${n}.`);
  }
  return n;
}

/**
 * Estimated entropy of a key in bits: its length times the Shannon entropy of its character
 * distribution. Underestimates a truly random key a little and overestimates none by much, so a
 * key that repeats one character most of the time scores low even with many distinct characters.
 */
function estimatedBits(key: string): number {
  const counts = new Map<string, number>();
  for (const ch of key) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let perChar = 0;
  for (const c of counts.values()) {
    const p = c / key.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * key.length;
}

function positive(name: string, n: number): number {
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError('E_CONFIG_INVALID', `${name} must be a positive number, got ${n}.`);
  return n;
}

/**
 * Merges explicit settings, the environment and the defaults, and refuses unsafe production
 * configurations. Throws `ConfigError` at startup, never per request.
 *
 * @example
 * const s = resolveSettings({ allowedHosts: ['example.com'] }, process.env)
 */
export function resolveSettings(input: Settings = {}, env: Env = process.env): ResolvedSettings {
  const environment = input.env ?? envEnvironment(env) ?? SETTINGS_DEFAULTS.env;
  const production = environment === 'production';
  const envFile = input.envFile ?? '.env';
  if (!production && envFile !== false && env === process.env) loadEnvFile(envFile);

  const explicitSecret = input.secretKey ?? envString(env, 'SECRET_KEY');
  const allowedHosts = (input.allowedHosts ?? envList(env, 'ALLOWED_HOSTS') ?? []).map((h) => h.toLowerCase());

  if (production) {
    const weakness = secretKeyWeakness(explicitSecret);
    if (weakness !== null) {
      throw new ConfigError('E_CONFIG_SECRET_KEY', `Refusing to start in production: ${weakness}. ${SECRET_KEY_HOWTO}`, {
        hint: "Set SECRET_KEY to at least 32 random bytes, e.g. the output of: node -e \"console.log(require('node:crypto').randomBytes(48).toString('base64url'))\"",
      });
    }
    if (allowedHosts.length === 0) {
      throw new ConfigError('E_CONFIG_ALLOWED_HOSTS', 'Refusing to start in production: ALLOWED_HOSTS is empty.', {
        hint: 'Set ALLOWED_HOSTS to the host names the app is served under, e.g. ALLOWED_HOSTS=example.com,www.example.com',
      });
    }
  }

  const test = environment === 'test';
  const s: ResolvedSettings = {
    env: environment,
    debug: !production,
    // Outside production a missing key gets a random one per process: safe, but signed values do
    // not survive a restart. Production has refused above.
    secretKey: explicitSecret ?? randomKey(),
    allowedHosts: allowedHosts.length > 0 ? allowedHosts : production ? [] : DEV_ALLOWED_HOSTS,
    trustedProxies: input.trustedProxies ?? envList(env, 'TRUSTED_PROXIES') ?? [],
    https: input.https ?? envBool(env, 'HTTPS') ?? SETTINGS_DEFAULTS.https,
    csrfTrustedOrigins: (input.csrfTrustedOrigins ?? envList(env, 'CSRF_TRUSTED_ORIGINS') ?? []).map(trustedOrigin),
    hstsSeconds: input.hstsSeconds ?? envInt(env, 'HSTS_SECONDS') ?? SETTINGS_DEFAULTS.hstsSeconds,
    hstsIncludeSubdomains: input.hstsIncludeSubdomains ?? envBool(env, 'HSTS_INCLUDE_SUBDOMAINS') ?? SETTINGS_DEFAULTS.hstsIncludeSubdomains,
    hstsPreload: input.hstsPreload ?? envBool(env, 'HSTS_PRELOAD') ?? SETTINGS_DEFAULTS.hstsPreload,
    port: portNumber(input.port ?? envInt(env, 'PORT') ?? SETTINGS_DEFAULTS.port),
    host: input.host ?? envString(env, 'HOST') ?? SETTINGS_DEFAULTS.host,
    logLevel: input.logLevel ?? envString(env, 'LOG_LEVEL') ?? (test ? 'silent' : SETTINGS_DEFAULTS.logLevel),
    logRequests: input.logRequests ?? envBool(env, 'LOG_REQUESTS') ?? !test,
    logStream: input.logStream,
    headers: input.headers ?? {},
    maxBodyBytes: positive('maxBodyBytes', input.maxBodyBytes ?? envInt(env, 'MAX_BODY_BYTES') ?? SETTINGS_DEFAULTS.maxBodyBytes),
    maxJsonDepth: positive('maxJsonDepth', input.maxJsonDepth ?? envInt(env, 'MAX_JSON_DEPTH') ?? SETTINGS_DEFAULTS.maxJsonDepth),
    maxFormFields: positive('maxFormFields', input.maxFormFields ?? envInt(env, 'MAX_FORM_FIELDS') ?? SETTINGS_DEFAULTS.maxFormFields),
    maxHeaderBytes: positive('maxHeaderBytes', input.maxHeaderBytes ?? envInt(env, 'MAX_HEADER_BYTES') ?? SETTINGS_DEFAULTS.maxHeaderBytes),
    headersTimeoutMs: positive('headersTimeoutMs', input.headersTimeoutMs ?? envInt(env, 'HEADERS_TIMEOUT_MS') ?? SETTINGS_DEFAULTS.headersTimeoutMs),
    requestTimeoutMs: positive('requestTimeoutMs', input.requestTimeoutMs ?? envInt(env, 'REQUEST_TIMEOUT_MS') ?? SETTINGS_DEFAULTS.requestTimeoutMs),
    keepAliveTimeoutMs: positive('keepAliveTimeoutMs', input.keepAliveTimeoutMs ?? envInt(env, 'KEEP_ALIVE_TIMEOUT_MS') ?? SETTINGS_DEFAULTS.keepAliveTimeoutMs),
    shutdownTimeoutMs: positive('shutdownTimeoutMs', input.shutdownTimeoutMs ?? envInt(env, 'SHUTDOWN_TIMEOUT_MS') ?? SETTINGS_DEFAULTS.shutdownTimeoutMs),
  };
  if (production && s.allowedHosts.includes('*')) {
    throw new ConfigError('E_CONFIG_ALLOWED_HOSTS', "Refusing to start in production: ALLOWED_HOSTS contains '*'.", {
      hint: 'List the real host names; a wildcard lets attackers poison absolute URLs (password reset links).',
    });
  }
  return Object.freeze(s);
}

// scheme://host[:port], where host may start with '*.' for every subdomain; no path, no user info.
const TRUSTED_ORIGIN = /^https?:\/\/(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$/;

function trustedOrigin(entry: string): string {
  const value = entry.trim().toLowerCase();
  if (!TRUSTED_ORIGIN.test(value)) {
    throw new ConfigError('E_CONFIG_INVALID', `CSRF_TRUSTED_ORIGINS entry ${JSON.stringify(entry)} is not an origin.`, {
      hint: 'Write scheme://host[:port] with no path, e.g. https://shop.example.com or https://*.example.com for every subdomain.',
    });
  }
  return value;
}

// Keys made here, so deploy checks can tell "no key configured" from a configured key without
// judging a random string as if a user had chosen it.
const generatedKeys = new Set<string>();

function randomKey(): string {
  const key = randomBytes(48).toString('base64url');
  generatedKeys.add(key);
  return key;
}

/** True when `key` is the per-process random key of development, not a configured one. */
export function isGeneratedSecretKey(key: string): boolean {
  return generatedKeys.has(key);
}
