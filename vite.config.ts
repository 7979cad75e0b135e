/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8')) as { version: string };

const define = {
  __SW_AUTH_PROXY_VERSION__: JSON.stringify(version),
};

/**
 * One config, four builds (`vite build --mode <name>`), because a service worker must be one
 * self-contained classic script while the library entries stay ES modules with their dependencies
 * external:
 * - `lib`: `dist/sw.js`, `dist/client.js` and `dist/page.js` (the page engine, which the client
 *   imports lazily) for bundlers;
 * - `sw-classic`: `dist/sw-auth-proxy.js`, the prebuilt script for `importScripts`;
 * - `demo`: the demo page (and `realtime.html`, for the realtime tests) into `dist/demo/`;
 * - `demo-sw`: the demo's worker into `dist/demo/auth-sw.js`.
 * Without a mode (vitest), only the shared `define` and the test settings apply.
 */
export default defineConfig(({ mode }): UserConfig => {
  const worker = (entry: string, outDir: string, fileName: string): UserConfig => ({
    define: { ...define, 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir,
      emptyOutDir: false,
      minify: true,
      // Service workers run in evergreen browsers: keep classes, private fields and async as written.
      target: 'es2022',
      sourcemap: true,
      lib: { entry, formats: ['iife'], name: 'SwAuthProxy', fileName: () => fileName },
    },
  });

  switch (mode) {
    case 'lib':
      return {
        define,
        build: {
          outDir: 'dist',
          emptyOutDir: true,
          minify: false,
          sourcemap: true,
          lib: {
            entry: { sw: 'sw/index.ts', client: 'client/index.ts', websocket: 'client/websocket-entry.ts', page: 'page/index.ts' },
            formats: ['es'],
            fileName: (_format, name) => `${name}.js`,
          },
          rolldownOptions: { external: [/^idb/, /^workbox-/], output: { chunkFileNames: 'shared-[hash].js' } },
        },
      };
    case 'sw-classic':
      return worker('sw/classic.ts', 'dist', 'sw-auth-proxy.js');
    case 'demo-sw':
      return worker('demo/app/auth-sw.ts', 'dist/demo', 'auth-sw.js');
    case 'demo':
      return {
        define,
        root: 'demo/app',
        base: '/',
        build: {
          outDir: `${root}dist/demo`,
          emptyOutDir: true,
          // The demo page, and a bare page exposing connectWebSocket for the realtime tests.
          rolldownOptions: { input: { index: `${root}demo/app/index.html`, realtime: `${root}demo/app/realtime.html` } },
        },
      };
    default:
      return {
        define,
        test: {
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
        },
      };
  }
});
