import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The bench page (`vite build --config bench/vite.config.ts`): one HTML page and its script, with
 * the real axios and axios-auth-refresh bundled in, into `dist/bench/`. The bench server serves it
 * under `/bench/<arm>/` with absolute asset URLs, so one build serves every arm.
 */
export default defineConfig({
  root: fileURLToPath(new URL('pages', import.meta.url)),
  base: '/bench/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/bench', import.meta.url)),
    emptyOutDir: true,
    // Development-only warnings and checks would tilt the axios arm.
    minify: true,
  },
});
