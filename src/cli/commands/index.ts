/**
 * Every command of `rampart`, in the order `rampart --help` lists them.
 *
 * @module
 */
import type { Command } from '../command.js';
import { auditCommand } from './audit.js';
import { checkCommand } from './check.js';
import { devCommand } from './dev.js';
import { clearsessionsCommand, collectstaticCommand } from './maintenance.js';
import { makemigrationsCommand, migrateCommand, showmigrationsCommand, sqlmigrateCommand } from './migrations.js';
import { newCommand } from './new.js';
import { routesCommand } from './routes.js';
import { serveCommand } from './serve.js';
import { shellCommand } from './shell.js';
import { startCommand } from './start.js';
import { testCommand } from './test.js';
import { changepasswordCommand, createsuperuserCommand } from './users.js';

export const COMMANDS: readonly Command[] = Object.freeze([
  newCommand,
  devCommand,
  startCommand,
  serveCommand,
  testCommand,
  makemigrationsCommand,
  migrateCommand,
  showmigrationsCommand,
  sqlmigrateCommand,
  createsuperuserCommand,
  changepasswordCommand,
  clearsessionsCommand,
  collectstaticCommand,
  routesCommand,
  shellCommand,
  checkCommand,
  auditCommand,
]);
