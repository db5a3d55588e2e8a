/**
 * Finding the project (`rampart.config.ts`, else package.json `main`) and loading its app, database
 * and models the way the app itself would run.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { App } from '../app.js';
import type { Database } from '../db/database.js';
import type { AnyModel } from '../db/model.js';
import { RampartError } from '../errors.js';
import { loadEnvFile } from '../settings.js';
import { defineConfig, resolveConfig, type RampartConfig, type ResolvedConfig } from './config.js';
import { explainDatabaseError, databaseUrl } from './database-errors.js';
import { CliError } from './errors.js';

/** Config file names looked for in the working directory, in this order. */
export const CONFIG_FILES = Object.freeze(['rampart.config.ts', 'rampart.config.mts', 'rampart.config.js', 'rampart.config.mjs']);

/** What the app module gave. */
export interface LoadedApp {
  readonly app: App;
  /** The `db` export, when the module has one. */
  readonly db: Database | null;
  /** The `models` export of the models module or app module, else `db.models`, else null. */
  readonly models: readonly AnyModel[] | null;
  /** Every export of the app module (the shell puts them in scope). */
  readonly exports: Readonly<Record<string, unknown>>;
}

/** Reads `.env` into the environment (outside production), as `rampart()` does. */
export function loadDotEnv(root: string): void {
  if (process.env['NODE_ENV'] !== 'production') loadEnvFile(join(root, '.env'));
}

function short(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

async function importModule(file: string, what: string): Promise<Record<string, unknown>> {
  if (!existsSync(file)) {
    throw new CliError('E_CLI_MODULE_NOT_FOUND', `The ${what} ${short(file)} does not exist.`, {
      hint: 'Fix the path in rampart.config.ts (paths are relative to the folder of the config file).',
    });
  }
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof RampartError) throw err;
    const db = explainDatabaseError(err, databaseUrl());
    if (db !== err) throw db;
    // A .ts file in a package without "type": "module" is compiled as CommonJS, which cannot
    // require Rampart's ES modules.
    const commonJs = /^ERR_REQUIRE_(CYCLE_MODULE|ESM|ASYNC_MODULE)$/.test(String((err as { code?: unknown }).code));
    throw new CliError('E_CLI_APP_LOAD_FAILED', `Loading the ${what} ${short(file)} failed: ${err instanceof Error ? err.message : String(err)}`, {
      hint: commonJs
        ? 'Add "type": "module" to package.json: Rampart projects are ES modules.'
        : 'Fix the error above (the stack shows where it happened); run the module with `npx tsx` to see it alone.',
      cause: err,
    });
  }
}

/**
 * The project of `cwd`: `--config` when given, else `rampart.config.ts` (or .mts/.js/.mjs),
 * else the `main` of package.json as the app module.
 */
export async function findProject(cwd: string, explicit?: string): Promise<ResolvedConfig> {
  if (explicit !== undefined) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file)) {
      throw new CliError('E_CLI_CONFIG_NOT_FOUND', `The config file ${explicit} does not exist.`, { hint: 'Check the --config path.' });
    }
    return readConfigFile(file);
  }
  for (const name of CONFIG_FILES) {
    const file = join(cwd, name);
    if (existsSync(file)) return readConfigFile(file);
  }
  const pkgFile = join(cwd, 'package.json');
  if (existsSync(pkgFile)) {
    let main: unknown;
    try {
      main = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { main?: unknown }).main;
    } catch (err) {
      throw new CliError('E_CLI_CONFIG_INVALID', `package.json in ${cwd} is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof main === 'string' && main !== '') return resolveConfig(defineConfig({ app: main }), cwd, null);
  }
  throw new CliError('E_CLI_APP_NOT_FOUND', `No app found in ${cwd}: there is no rampart.config.ts, and package.json has no "main".`, {
    hint: "Run the command from the project folder, or create rampart.config.ts with: export default defineConfig({ app: './src/app.ts' }) (import defineConfig from 'rampart/cli'). `rampart new <dir>` makes a project with one.",
  });
}

async function readConfigFile(file: string): Promise<ResolvedConfig> {
  const mod = await importModule(file, 'config file');
  const value = (mod['default'] ?? mod['config']) as RampartConfig | undefined;
  if (value === undefined) {
    throw new CliError('E_CLI_CONFIG_INVALID', `${short(file)} exports no config.`, {
      hint: "Add: export default defineConfig({ app: './src/app.ts' }) (import defineConfig from 'rampart/cli').",
    });
  }
  return resolveConfig(defineConfig(value), dirname(file), file);
}

function isApp(value: unknown): value is App {
  const v = value as Partial<App> | null;
  return typeof v === 'object' && v !== null && typeof v.routeTable === 'function' && typeof v.listen === 'function' && typeof v.settings === 'object';
}

function isDatabase(value: unknown): value is Database {
  const v = value as Partial<Database> | null;
  return typeof v === 'object' && v !== null && typeof v.query === 'function' && typeof v.close === 'function' && Array.isArray(v.models);
}

function isModelList(value: unknown): value is readonly AnyModel[] {
  return Array.isArray(value) && value.every((m) => typeof m === 'object' && m !== null && typeof (m as AnyModel).table === 'string');
}

/**
 * Loads the app module (and the models module): the working directory becomes the project folder
 * first, so the app's relative paths (`static`, `templates`, `sqlite:./db.sqlite3`) mean what they
 * mean when it runs.
 */
export async function loadApp(config: ResolvedConfig): Promise<LoadedApp> {
  process.chdir(config.root);
  loadDotEnv(config.root);
  const mod = await importModule(config.app, 'app module');
  if (!isApp(mod['app'])) {
    throw new CliError('E_CLI_APP_EXPORT', `The app module ${short(config.app)} does not export \`app\` (an app made with rampart()).`, {
      hint: "Add `export const app = rampart()` to it, or point rampart.config.ts's app option at the module that does.",
    });
  }
  const db = isDatabase(mod['db']) ? mod['db'] : null;
  let models: readonly AnyModel[] | null = null;
  if (config.models !== null) {
    const m = await importModule(config.models, 'models module');
    if (!isModelList(m['models'])) {
      throw new CliError('E_CLI_MODELS_NOT_FOUND', `The models module ${short(config.models)} does not export \`models\` (a list of models).`, {
        hint: 'Add `export const models = [Post, Comment, ...]` to it.',
      });
    }
    models = m['models'];
  } else if (isModelList(mod['models'])) models = mod['models'];
  else if (db !== null) models = db.models;
  return { app: mod['app'], db, models, exports: mod };
}

/** The models, or a clear error for the commands that need them. */
export function requireModels(loaded: LoadedApp, config: ResolvedConfig): readonly AnyModel[] {
  if (loaded.models !== null) return loaded.models;
  throw new CliError('E_CLI_MODELS_NOT_FOUND', `No models found: ${short(config.app)} exports neither \`models\` nor \`db\`.`, {
    hint: "Export the list given to connect() (`export const models = [...]`), export `db`, or set `models: './src/models.ts'` in rampart.config.ts.",
  });
}
