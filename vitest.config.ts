import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (main) and ESM (module). Node hands the dependencies
    // (type-graphql, Apollo) the CommonJS build; Vite would give our files the ESM one, and
    // two graphql instances cannot share a schema. One build for everyone.
    alias: [{ find: /^graphql$/, replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    globalSetup: ['test/helpers/global-setup.ts', 'test/helpers/web-build.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file owns its own database; two workers match the machine's two cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
