/**
 * rampart/cli: what a project's `rampart.config.ts` imports. The `rampart` command itself is
 * `bin/rampart.mjs`; see docs/cli.md.
 *
 * @example
 * // rampart.config.ts
 * import { defineConfig } from 'rampart/cli';
 * export default defineConfig({ app: './src/app.ts' });
 *
 * @module
 */
export { defineConfig, CONFIG_DEFAULTS } from './config.js';
export type { RampartConfig } from './config.js';
export { CliError, EXIT_CODES } from './errors.js';
export type { ExitCode } from './errors.js';
