import { defineConfig } from 'rampart/cli';

// Where the `rampart` command finds the app; paths are relative to this file.
export default defineConfig({
  app: './src/app.ts',
  migrations: 'migrations',
  static: 'static',
  staticOut: 'staticfiles',
  templates: 'templates',
});
