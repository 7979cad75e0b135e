import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false, // the output goes into public/; do not copy public/ into itself
  build: {
    outDir: 'public',
    emptyOutDir: false, // public/ holds your other static files too
    lib: { entry: 'src/auth-sw.ts', formats: ['iife'], name: 'AuthSw', fileName: () => 'auth-sw.js' },
  },
});
