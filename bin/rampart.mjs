#!/usr/bin/env node
// The `rampart` command. It registers tsx so the project's TypeScript (rampart.config.ts, the app,
// migrations) loads without a build step, then runs the CLI. See docs/cli.md.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
