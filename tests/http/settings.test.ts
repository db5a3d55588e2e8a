// Settings: environment variables, precedence, validation, production refusals and .env files.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { rampart, resolveSettings, secretKeyWeakness, ConfigError, RampartError, SETTINGS_DEFAULTS, DEV_ALLOWED_HOSTS, type Settings } from 'rampart';
import { liveServer } from 'rampart/testing';
// `loadEnvFile` is not exported from 'rampart' (see the report); imported from its module.
import { loadEnvFile } from '../../src/settings.ts';

const STRONG_SECRET = 'q8Zr3VtX1mKp9LwYc4Hn7Bd2Fs6Gj0Ue5Ao_Ri-Tl8Ny3Qx';

function configError(fn: () => unknown, code: string): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError ${code}, got ${String(caught)}`);
  assert.ok(caught instanceof RampartError);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

function production(input: Settings = {}, env: Record<string, string> = {}) {
  return resolveSettings({ env: 'production', ...input }, env);
}

describe('defaults and the environment', () => {
  test('with an empty environment every setting has its documented default', () => {
    const s = resolveSettings({}, {});
    assert.equal(s.env, 'development');
    assert.equal(s.debug, true);
    assert.equal(s.port, 8000);
    assert.equal(s.host, '127.0.0.1');
    assert.equal(s.https, false);
    assert.equal(s.hstsSeconds, 31_536_000);
    assert.equal(s.hstsIncludeSubdomains, true);
    assert.equal(s.hstsPreload, false);
    assert.equal(s.logLevel, 'info');
    assert.equal(s.logRequests, true);
    assert.equal(s.maxBodyBytes, 1_048_576);
    assert.equal(s.maxJsonDepth, 64);
    assert.equal(s.maxFormFields, 1000);
    assert.equal(s.maxHeaderBytes, 16_384);
    assert.equal(s.headersTimeoutMs, 10_000);
    assert.equal(s.requestTimeoutMs, 30_000);
    assert.equal(s.keepAliveTimeoutMs, 5_000);
    assert.equal(s.shutdownTimeoutMs, 10_000);
    assert.deepEqual(s.allowedHosts, DEV_ALLOWED_HOSTS);
    assert.deepEqual(s.trustedProxies, []);
    assert.equal(SETTINGS_DEFAULTS.port, 8000);
  });

  test('the resolved settings are frozen', () => {
    const s = resolveSettings({}, {});
    assert.equal(Object.isFrozen(s), true);
    assert.throws(() => {
      (s as { port: number }).port = 1;
    }, TypeError);
  });

  test('outside production a missing SECRET_KEY becomes a random strong key per process', () => {
    const a = resolveSettings({}, {}).secretKey;
    const b = resolveSettings({}, {}).secretKey;
    assert.notEqual(a, b);
    assert.equal(secretKeyWeakness(a), null);
    assert.equal(a.length, 64);
  });

  test('the test environment is silent and does not log requests', () => {
    const s = resolveSettings({ env: 'test' }, {});
    assert.equal(s.logLevel, 'silent');
    assert.equal(s.logRequests, false);
    assert.equal(s.debug, true);
  });

  test('every field is read from its environment variable', () => {
    const s = resolveSettings(
      {},
      {
        NODE_ENV: 'test',
        SECRET_KEY: STRONG_SECRET,
        ALLOWED_HOSTS: 'Example.com, .example.org ,,',
        TRUSTED_PROXIES: '10.0.0.0/8, loopback',
        HTTPS: 'true',
        HSTS_SECONDS: '600',
        HSTS_INCLUDE_SUBDOMAINS: 'no',
        HSTS_PRELOAD: 'on',
        PORT: '9000',
        HOST: '0.0.0.0',
        LOG_LEVEL: 'warn',
        LOG_REQUESTS: 'yes',
        MAX_BODY_BYTES: '2048',
        MAX_JSON_DEPTH: '10',
        MAX_FORM_FIELDS: '5',
        MAX_HEADER_BYTES: '8192',
        HEADERS_TIMEOUT_MS: '1000',
        REQUEST_TIMEOUT_MS: '2000',
        KEEP_ALIVE_TIMEOUT_MS: '3000',
        SHUTDOWN_TIMEOUT_MS: '4000',
      },
    );
    assert.equal(s.env, 'test');
    assert.equal(s.secretKey, STRONG_SECRET);
    assert.deepEqual(s.allowedHosts, ['example.com', '.example.org']);
    assert.deepEqual(s.trustedProxies, ['10.0.0.0/8', 'loopback']);
    assert.equal(s.https, true);
    assert.equal(s.hstsSeconds, 600);
    assert.equal(s.hstsIncludeSubdomains, false);
    assert.equal(s.hstsPreload, true);
    assert.equal(s.port, 9000);
    assert.equal(s.host, '0.0.0.0');
    assert.equal(s.logLevel, 'warn');
    assert.equal(s.logRequests, true);
    assert.equal(s.maxBodyBytes, 2048);
    assert.equal(s.maxJsonDepth, 10);
    assert.equal(s.maxFormFields, 5);
    assert.equal(s.maxHeaderBytes, 8192);
    assert.equal(s.headersTimeoutMs, 1000);
    assert.equal(s.requestTimeoutMs, 2000);
    assert.equal(s.keepAliveTimeoutMs, 3000);
    assert.equal(s.shutdownTimeoutMs, 4000);
  });

  test('NODE_ENV=production in the environment means production', () => {
    const s = resolveSettings({}, { NODE_ENV: 'production', SECRET_KEY: STRONG_SECRET, ALLOWED_HOSTS: 'example.com' });
    assert.equal(s.env, 'production');
    assert.equal(s.debug, false);
    assert.equal(s.logRequests, true);
  });

  test('booleans accept 1/0, true/false, yes/no, on/off in any case', () => {
    for (const v of ['1', 'true', 'TRUE', 'Yes', 'on']) assert.equal(resolveSettings({}, { HTTPS: v }).https, true, v);
    for (const v of ['0', 'false', 'False', 'NO', 'off']) assert.equal(resolveSettings({}, { HSTS_INCLUDE_SUBDOMAINS: v }).hstsIncludeSubdomains, false, v);
  });

  test('an empty variable counts as unset', () => {
    const s = resolveSettings({}, { PORT: '', HTTPS: '', ALLOWED_HOSTS: '' });
    assert.equal(s.port, 8000);
    assert.equal(s.https, false);
    assert.deepEqual(s.allowedHosts, DEV_ALLOWED_HOSTS);
  });

  test('an explicit setting beats the environment', () => {
    const s = resolveSettings(
      { env: 'test', port: 1234, https: false, allowedHosts: ['explicit.example'], logRequests: false, maxBodyBytes: 10, secretKey: STRONG_SECRET },
      { NODE_ENV: 'production', PORT: '9000', HTTPS: 'true', ALLOWED_HOSTS: 'env.example', LOG_REQUESTS: 'true', MAX_BODY_BYTES: '99', SECRET_KEY: 'x'.repeat(50) },
    );
    assert.equal(s.env, 'test');
    assert.equal(s.port, 1234);
    assert.equal(s.https, false);
    assert.deepEqual(s.allowedHosts, ['explicit.example']);
    assert.equal(s.logRequests, false);
    assert.equal(s.maxBodyBytes, 10);
    assert.equal(s.secretKey, STRONG_SECRET);
  });

  test('the app exposes its resolved settings', () => {
    const a = rampart({ env: 'test', maxBodyBytes: 4096 });
    assert.equal(a.settings.maxBodyBytes, 4096);
    assert.equal(a.settings.env, 'test');
  });
});

describe('invalid values', () => {
  test('a value that is not a boolean is E_CONFIG_INVALID naming the variable', () => {
    for (const [key, value] of [
      ['HTTPS', 'maybe'],
      ['LOG_REQUESTS', '2'],
      ['HSTS_PRELOAD', 'enabled'],
    ] as const) {
      const err = configError(() => resolveSettings({}, { [key]: value }), 'E_CONFIG_INVALID');
      assert.equal(err.message, `${key}=${JSON.stringify(value)} is not a boolean.`);
      assert.equal(err.hint, `Set ${key} to true or false.`);
    }
  });

  test('a value that is not a non-negative integer is E_CONFIG_INVALID naming the variable', () => {
    for (const [key, value] of [
      ['PORT', '80a'],
      ['PORT', '-1'],
      ['PORT', '1.5'],
      ['PORT', 'eighty'],
      ['MAX_BODY_BYTES', '1MB'],
      ['HSTS_SECONDS', '9007199254740993'],
    ] as const) {
      const err = configError(() => resolveSettings({}, { [key]: value }), 'E_CONFIG_INVALID');
      assert.equal(err.message, `${key}=${JSON.stringify(value)} is not a non-negative integer.`);
    }
  });

  test('a PORT above 65535 is E_CONFIG_INVALID at creation, not a crash at listen', () => {
    configError(() => resolveSettings({}, { PORT: '70000' }), 'E_CONFIG_INVALID');
    configError(() => resolveSettings({ port: 65536 }, {}), 'E_CONFIG_INVALID');
  });

  test('a zero or negative limit is E_CONFIG_INVALID', () => {
    configError(() => resolveSettings({}, { MAX_BODY_BYTES: '0' }), 'E_CONFIG_INVALID');
    configError(() => resolveSettings({ maxBodyBytes: -1 }, {}), 'E_CONFIG_INVALID');
    configError(() => resolveSettings({ maxFormFields: Number.NaN }, {}), 'E_CONFIG_INVALID');
    configError(() => rampart({ env: 'test', maxJsonDepth: 0 }), 'E_CONFIG_INVALID');
  });

  test('an unknown NODE_ENV is E_CONFIG_INVALID', () => {
    const err = configError(() => resolveSettings({}, { NODE_ENV: 'staging' }), 'E_CONFIG_INVALID');
    assert.equal(err.message, 'NODE_ENV="staging" is not one of development, production, test.');
  });

  test('a headers timeout longer than the request timeout is refused before the server listens', async () => {
    const a = rampart({ env: 'test', headersTimeoutMs: 5000, requestTimeoutMs: 1000 });
    let server: Awaited<ReturnType<typeof liveServer>> | undefined;
    let caught: unknown;
    try {
      server = await liveServer(a);
    } catch (err) {
      caught = err;
    } finally {
      await server?.close();
    }
    assert.ok(caught instanceof ConfigError);
    assert.equal(caught.code, 'E_CONFIG_INVALID');
  });
});

const HOWTO =
  "Set SECRET_KEY to at least 32 random bytes, e.g. the output of: node -e \"console.log(require('node:crypto').randomBytes(48).toString('base64url'))\"";

describe('production refusals', () => {
  test('production refuses to start without SECRET_KEY and says how to generate one', () => {
    const err = configError(() => production({ allowedHosts: ['example.com'] }), 'E_CONFIG_SECRET_KEY');
    assert.equal(err.message, 'Refusing to start in production: SECRET_KEY is not set. ' + HOWTO);
    assert.match(err.hint ?? '', /randomBytes\(48\)/);
    // The command in the hint really prints an acceptable key.
    const command = /node -e "(.+)"$/.exec(err.hint ?? '')?.[1];
    assert.ok(command !== undefined, err.hint);
    const key = execFileSync(process.execPath, ['-e', command], { encoding: 'utf8' }).trim();
    assert.equal(secretKeyWeakness(key), null);
    assert.equal(production({ allowedHosts: ['example.com'], secretKey: key }).secretKey, key);
  });

  test('rampart() itself refuses a production app without SECRET_KEY', () => {
    configError(() => rampart({ env: 'production', allowedHosts: ['example.com'], logLevel: 'silent' }), 'E_CONFIG_SECRET_KEY');
  });

  test('production refuses a short SECRET_KEY', () => {
    const err = configError(() => production({ allowedHosts: ['example.com'], secretKey: 'abc' }), 'E_CONFIG_SECRET_KEY');
    assert.equal(err.message, 'Refusing to start in production: SECRET_KEY has 3 characters; it needs at least 43 (32 random bytes). ' + HOWTO);
    configError(() => production({ allowedHosts: ['example.com'], secretKey: STRONG_SECRET.slice(0, 42) }), 'E_CONFIG_SECRET_KEY');
  });

  test('production refuses a placeholder SECRET_KEY', () => {
    for (const [key, word] of [
      ['changeme-' + STRONG_SECRET, 'changeme'],
      ['django-insecure-' + STRONG_SECRET, 'django-insecure'],
      [STRONG_SECRET + '-your-secret-here', 'secret'],
    ] as const) {
      const err = configError(() => production({ allowedHosts: ['example.com'], secretKey: key }), 'E_CONFIG_SECRET_KEY');
      assert.equal(err.message, `Refusing to start in production: SECRET_KEY looks like a placeholder (contains '${word}'). ${HOWTO}`);
    }
  });

  test('production refuses a long SECRET_KEY of few distinct characters', () => {
    for (const key of ['a'.repeat(64), 'ab'.repeat(40), '0123'.repeat(20)]) {
      const err = configError(() => production({ allowedHosts: ['example.com'], secretKey: key }), 'E_CONFIG_SECRET_KEY');
      assert.equal(err.message, 'Refusing to start in production: SECRET_KEY repeats too few distinct characters to be random. ' + HOWTO);
    }
  });

  test('production refuses a SECRET_KEY that is mostly one repeated character', () => {
    // 11 distinct characters, but about 75 bits of entropy: far from 32 random bytes.
    configError(() => production({ allowedHosts: ['example.com'], secretKey: 'a'.repeat(60) + 'bcdefghijk' }), 'E_CONFIG_SECRET_KEY');
  });

  test('production reads SECRET_KEY from the environment and accepts real random keys', () => {
    assert.equal(production({}, { SECRET_KEY: STRONG_SECRET, ALLOWED_HOSTS: 'example.com' }).secretKey, STRONG_SECRET);
    for (const key of [randomBytes(32).toString('hex'), randomBytes(32).toString('base64'), randomBytes(48).toString('base64url')]) {
      assert.equal(secretKeyWeakness(key), null, key);
      assert.equal(production({ allowedHosts: ['example.com'], secretKey: key }).secretKey, key);
    }
  });

  test('production refuses an empty ALLOWED_HOSTS and says what to set', () => {
    const err = configError(() => production({ secretKey: STRONG_SECRET }), 'E_CONFIG_ALLOWED_HOSTS');
    assert.equal(err.message, 'Refusing to start in production: ALLOWED_HOSTS is empty.');
    assert.match(err.hint ?? '', /ALLOWED_HOSTS=example\.com/);
    configError(() => production({ secretKey: STRONG_SECRET, allowedHosts: [] }), 'E_CONFIG_ALLOWED_HOSTS');
    configError(() => production({ secretKey: STRONG_SECRET }, { ALLOWED_HOSTS: ' , ' }), 'E_CONFIG_ALLOWED_HOSTS');
  });

  test("production refuses '*' in ALLOWED_HOSTS, alone or with other hosts", () => {
    for (const allowedHosts of [['*'], ['example.com', '*']]) {
      const err = configError(() => production({ secretKey: STRONG_SECRET, allowedHosts }), 'E_CONFIG_ALLOWED_HOSTS');
      assert.equal(err.message, "Refusing to start in production: ALLOWED_HOSTS contains '*'.");
    }
    configError(() => production({ secretKey: STRONG_SECRET }, { ALLOWED_HOSTS: 'example.com,*' }), 'E_CONFIG_ALLOWED_HOSTS');
  });

  test("'*' is allowed outside production", () => {
    assert.deepEqual(resolveSettings({ allowedHosts: ['*'] }, {}).allowedHosts, ['*']);
  });

  test('secretKeyWeakness explains each weakness and accepts a strong key', () => {
    assert.equal(secretKeyWeakness(undefined), 'SECRET_KEY is not set');
    assert.equal(secretKeyWeakness(''), 'SECRET_KEY is not set');
    assert.equal(secretKeyWeakness('short'), 'SECRET_KEY has 5 characters; it needs at least 43 (32 random bytes)');
    assert.equal(secretKeyWeakness(STRONG_SECRET), null);
  });
});

describe('.env files', () => {
  function tempEnvFile(content: string): { path: string; cleanup: () => void } {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-env-'));
    const path = join(dir, '.env');
    writeFileSync(path, content);
    return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }

  test('loadEnvFile fills missing keys of the target and never overrides existing ones', () => {
    const file = tempEnvFile('# comment\nPORT=8123\nSECRET_KEY="from file"\nHOST=0.0.0.0\nexport_ME=1\n');
    try {
      const target: Record<string, string | undefined> = { HOST: 'already.set' };
      assert.equal(loadEnvFile(file.path, target), true);
      assert.deepEqual(target, { HOST: 'already.set', PORT: '8123', SECRET_KEY: 'from file', export_ME: '1' });
    } finally {
      file.cleanup();
    }
  });

  test('loadEnvFile returns false for a missing file and leaves the target alone', () => {
    const target: Record<string, string | undefined> = { A: '1' };
    assert.equal(loadEnvFile(join(tmpdir(), 'rampart-no-such-dir', '.env'), target), false);
    assert.deepEqual(target, { A: '1' });
  });

  test('in development the app reads its .env file for variables the environment does not set', () => {
    const file = tempEnvFile('MAX_FORM_FIELDS=77\nMAX_JSON_DEPTH=12\n');
    const before = { fields: process.env['MAX_FORM_FIELDS'], depth: process.env['MAX_JSON_DEPTH'] };
    delete process.env['MAX_FORM_FIELDS'];
    process.env['MAX_JSON_DEPTH'] = '33';
    try {
      const s = resolveSettings({ env: 'development', envFile: file.path });
      assert.equal(s.maxFormFields, 77);
      assert.equal(s.maxJsonDepth, 33, 'the real environment wins over the file');
    } finally {
      file.cleanup();
      restore('MAX_FORM_FIELDS', before.fields);
      restore('MAX_JSON_DEPTH', before.depth);
    }
  });

  test('in production the .env file is not read', () => {
    const file = tempEnvFile('MAX_FORM_FIELDS=55\n');
    const before = process.env['MAX_FORM_FIELDS'];
    delete process.env['MAX_FORM_FIELDS'];
    try {
      const s = resolveSettings({ env: 'production', envFile: file.path, secretKey: STRONG_SECRET, allowedHosts: ['example.com'] });
      assert.equal(s.maxFormFields, 1000);
      assert.equal(process.env['MAX_FORM_FIELDS'], undefined);
    } finally {
      file.cleanup();
      restore('MAX_FORM_FIELDS', before);
    }
  });

  test("the default '.env' of the working directory is read, and envFile: false turns reading off", () => {
    const file = tempEnvFile('MAX_FORM_FIELDS=66\n');
    const before = process.env['MAX_FORM_FIELDS'];
    const cwd = process.cwd();
    delete process.env['MAX_FORM_FIELDS'];
    process.chdir(dirname(file.path));
    try {
      assert.equal(resolveSettings({ env: 'development', envFile: false }).maxFormFields, 1000);
      assert.equal(process.env['MAX_FORM_FIELDS'], undefined);
      assert.equal(resolveSettings({ env: 'development' }).maxFormFields, 66);
    } finally {
      process.chdir(cwd);
      file.cleanup();
      restore('MAX_FORM_FIELDS', before);
    }
  });

  function restore(key: string, value: string | undefined): void {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});
