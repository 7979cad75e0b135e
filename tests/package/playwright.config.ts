import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH_OPTIONS } from '../engines/chromium-engine.js';

/**
 * The packed-package test (`npm run test:package`): its own run, after the browser tests, because
 * it packs, installs and builds a whole app before its one browser check, and must not compete
 * with the timing-sensitive e2e scenarios for the CPU. Debian's Chromium, launched as the browser tier does.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  workers: 1,
  forbidOnly: true,
  retries: 0,
  timeout: 240_000,
  // npm pack once; every spec installs that tarball (pack-tarball.ts).
  globalSetup: './pack-tarball.ts',
  expect: { timeout: 10_000 },
  reporter: [['list']],
  // Apart from the e2e run's results: each run empties its own output directory.
  outputDir: '../../test-results/package',
  use: { headless: true, launchOptions: CHROMIUM_LAUNCH_OPTIONS },
});
