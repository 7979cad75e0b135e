import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  plugins: [
    VitePWA({
      strategies: 'injectManifest', // your own worker: src/sw.ts, built to /sw.js
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false, // the page registers it, with registerAuthProxy
      manifest: false, // add your web app manifest here if you have one
      // `vite` serves the worker too, as an ES module at /dev-sw.js?dev-sw.
      devOptions: { enabled: true, type: 'module' },
    }),
  ],
});
