/**
 * `rampart.config.ts`: where the `rampart` command finds the app, its models, migrations, static
 * files and templates. Every path is relative to the folder of the config file.
 *
 * @module
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { CliError } from './errors.js';

/** What `rampart.config.ts` declares. Only `app` is required. */
export interface RampartConfig {
  /**
   * The module that exports `app` (made with `rampart()`), and optionally `db` (from `connect()`)
   * and `models` (the list given to `connect()`). It must not call `app.listen()`.
   */
  readonly app: string;
  /** A module exporting `models`, when they are not exported by the app module. @default the app module */
  readonly models?: string;
  /** The migrations folder. @default 'migrations' */
  readonly migrations?: string;
  /** The app's static folder(s), collected in order (the first wins). @default 'static' */
  readonly static?: string | readonly { readonly dir: string; readonly prefix?: string }[];
  /** Where `rampart collectstatic` writes. @default 'staticfiles' */
  readonly staticOut?: string;
  /** Template folders: watched by `rampart dev`, scanned by `rampart check`. @default 'templates' */
  readonly templates?: string | readonly string[];
  /** Source folders: watched by `rampart dev`, scanned by `rampart check`. @default the app module's folder */
  readonly sources?: string | readonly string[];
  /** Check ids `rampart check` does not report, e.g. `['security.W021']`. @default [] */
  readonly silencedChecks?: readonly string[];
}

/** The config with every path absolute and every default filled in. */
export interface ResolvedConfig {
  /** The project folder: where the config file (or package.json) is. */
  readonly root: string;
  /** The config file, or null when the app came from package.json `main`. */
  readonly file: string | null;
  readonly app: string;
  readonly models: string | null;
  readonly migrations: string;
  readonly static: readonly { readonly dir: string; readonly prefix?: string }[];
  readonly staticOut: string;
  readonly templates: readonly string[];
  readonly sources: readonly string[];
  readonly silencedChecks: readonly string[];
}

/** The defaults of `defineConfig()`. */
export const CONFIG_DEFAULTS = Object.freeze({
  migrations: 'migrations',
  static: 'static',
  staticOut: 'staticfiles',
  templates: 'templates',
});

const CONFIG_KEYS = new Set(['app', 'models', 'migrations', 'static', 'staticOut', 'templates', 'sources', 'silencedChecks']);
const CHECK_ID = /^[a-z]+\.[WEI]\d{3}$/;

function invalid(message: string): CliError {
  return new CliError('E_CLI_CONFIG_INVALID', `rampart.config.ts: ${message}`, {
    hint: "Write it as: export default defineConfig({ app: './src/app.ts' }). See docs/cli.md#configuration.",
  });
}

function path(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(`${name} must be a non-empty path, got ${JSON.stringify(value)}.`);
  if (value.includes('\0')) throw invalid(`${name} contains a NUL character.`);
  return value;
}

function paths(name: string, value: unknown): string[] {
  if (typeof value === 'string') return [path(name, value)];
  if (!Array.isArray(value) || value.length === 0) throw invalid(`${name} must be a path or a non-empty list of paths.`);
  return value.map((v, i) => path(`${name}[${i}]`, v));
}

/**
 * Declares the project for the `rampart` command: checks every option now, so a typo fails
 * with a clear message instead of a missing file later.
 *
 * @example
 * // rampart.config.ts
 * import { defineConfig } from 'rampart/cli';
 * export default defineConfig({ app: './src/app.ts', migrations: 'migrations', static: 'static' });
 * @see docs/cli.md#configuration
 */
export function defineConfig(config: RampartConfig): Readonly<RampartConfig> {
  if (typeof config !== 'object' || config === null) throw invalid('defineConfig() takes an object such as { app: "./src/app.ts" }.');
  for (const key of Object.keys(config)) {
    if (!CONFIG_KEYS.has(key)) throw invalid(`unknown option '${key}' (options: ${[...CONFIG_KEYS].join(', ')}).`);
  }
  path('app', config.app);
  if (config.models !== undefined) path('models', config.models);
  if (config.migrations !== undefined) path('migrations', config.migrations);
  if (config.staticOut !== undefined) path('staticOut', config.staticOut);
  if (config.templates !== undefined) paths('templates', config.templates);
  if (config.sources !== undefined) paths('sources', config.sources);
  if (config.static !== undefined && typeof config.static !== 'string') {
    if (!Array.isArray(config.static) || config.static.length === 0) throw invalid('static must be a folder or a list of { dir, prefix? }.');
    config.static.forEach((s, i) => {
      if (typeof s !== 'object' || s === null) throw invalid(`static[${i}] must be { dir, prefix? }.`);
      path(`static[${i}].dir`, s.dir);
      if (s.prefix !== undefined && typeof s.prefix !== 'string') throw invalid(`static[${i}].prefix must be a string.`);
    });
  } else if (config.static !== undefined) path('static', config.static);
  if (config.silencedChecks !== undefined) {
    if (!Array.isArray(config.silencedChecks)) throw invalid('silencedChecks must be a list of check ids such as security.W021.');
    for (const id of config.silencedChecks) {
      if (typeof id !== 'string' || !CHECK_ID.test(id)) throw invalid(`silencedChecks has ${JSON.stringify(id)}, which is not a check id such as security.W021.`);
    }
  }
  return Object.freeze({ ...config });
}

/** Applies the defaults and makes every path absolute, relative to `root`. */
export function resolveConfig(config: Readonly<RampartConfig>, root: string, file: string | null): ResolvedConfig {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(root, p));
  const app = abs(config.app);
  const staticValue = config.static ?? CONFIG_DEFAULTS.static;
  const staticDirs = typeof staticValue === 'string' ? [{ dir: abs(staticValue) }] : staticValue.map((s) => ({ ...s, dir: abs(s.dir) }));
  const list = (v: string | readonly string[]): string[] => (typeof v === 'string' ? [abs(v)] : v.map(abs));
  return Object.freeze({
    root,
    file,
    app,
    models: config.models === undefined ? null : abs(config.models),
    migrations: abs(config.migrations ?? CONFIG_DEFAULTS.migrations),
    static: staticDirs,
    staticOut: abs(config.staticOut ?? CONFIG_DEFAULTS.staticOut),
    templates: list(config.templates ?? CONFIG_DEFAULTS.templates),
    sources: config.sources === undefined ? [dirname(app)] : list(config.sources),
    silencedChecks: config.silencedChecks ?? [],
  });
}
