import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defineConfig, resolveConfig } from './config.js';
import { CliError } from './errors.js';

describe('defineConfig', () => {
  test('returns the options frozen', () => {
    const c = defineConfig({ app: './src/app.ts', migrations: 'db/migrations' });
    assert.deepEqual(c, { app: './src/app.ts', migrations: 'db/migrations' });
    assert.ok(Object.isFrozen(c));
  });

  test('refuses an unknown option, naming it and the known ones', () => {
    assert.throws(
      () => defineConfig({ app: './a.ts', migration: 'x' } as never),
      (err: unknown) =>
        err instanceof CliError &&
        err.code === 'E_CLI_CONFIG_INVALID' &&
        err.message === "rampart.config.ts: unknown option 'migration' (options: app, models, migrations, static, staticOut, templates, sources, silencedChecks).",
    );
  });

  test('refuses an empty app path, a static entry without dir, and a malformed check id', () => {
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (err) {
        return (err as CliError).code;
      }
      return undefined;
    };
    assert.equal(codeOf(() => defineConfig({ app: '' })), 'E_CLI_CONFIG_INVALID');
    assert.equal(codeOf(() => defineConfig({ app: 'a.ts', static: [{ prefix: 'x' } as never] })), 'E_CLI_CONFIG_INVALID');
    assert.equal(codeOf(() => defineConfig({ app: 'a.ts', silencedChecks: ['W021'] })), 'E_CLI_CONFIG_INVALID');
    assert.equal(codeOf(() => defineConfig({ app: 'a.ts', silencedChecks: ['security.W021'] })), undefined);
  });
});

describe('resolveConfig', () => {
  test('makes paths absolute from the root and fills the defaults', () => {
    const c = resolveConfig(defineConfig({ app: './src/app.ts' }), '/srv/site', '/srv/site/rampart.config.ts');
    assert.deepEqual(c, {
      root: '/srv/site',
      file: '/srv/site/rampart.config.ts',
      app: '/srv/site/src/app.ts',
      models: null,
      migrations: '/srv/site/migrations',
      static: [{ dir: '/srv/site/static' }],
      staticOut: '/srv/site/staticfiles',
      templates: ['/srv/site/templates'],
      sources: ['/srv/site/src'],
      silencedChecks: [],
    });
  });

  test('keeps static prefixes and absolute paths', () => {
    const c = resolveConfig(defineConfig({ app: '/opt/app.ts', static: [{ dir: 'a' }, { dir: 'b', prefix: 'vendor' }], sources: ['lib', 'src'] }), '/p', null);
    assert.deepEqual(c.static, [{ dir: '/p/a' }, { dir: '/p/b', prefix: 'vendor' }]);
    assert.equal(c.app, '/opt/app.ts');
    assert.deepEqual(c.sources, ['/p/lib', '/p/src']);
  });
});
