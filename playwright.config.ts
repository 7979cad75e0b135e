import { defineConfig } from '@playwright/test';

/**
 * Browser tests: the real built worker, served by the real demo server, in Debian's Chromium.
 * Test tools cannot download browsers here, so the executable is given (override with
 * CHROMIUM_PATH). The servers are started by the fixtures on free loopback ports.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    headless: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      // Quiet on a closed network: without these Chromium keeps dialling out and logging failures.
      args: [
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-gpu',
        '--no-sandbox',
      ],
    },
  },
});
