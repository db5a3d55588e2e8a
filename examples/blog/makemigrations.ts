/**
 * Writes a migration for what changed in models.ts: `npx tsx examples/blog/makemigrations.ts`.
 * Read the new file in migrations/ and commit it with the model change.
 *
 * @module
 */
import { makeMigrations } from 'rampart/db';
import { MIGRATIONS_DIR } from './config.js';
import { MODELS } from './models.js';

const result = await makeMigrations({ models: MODELS, dir: MIGRATIONS_DIR });
if (result.changed) console.log(`Wrote ${result.path}\n  ${result.operations.join('\n  ')}`);
else console.log(result.message);
