import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH_OPTIONS } from './tests/engines/chromium-engine.js';
import type { EngineName } from './tests/engines/engine.js';
import { ENGINE_LACKS, ENGINE_NAMES, needs, type Capability } from './tests/engines/engine.js';

/**
 * The browser tier: the real built worker, served by the real demo server, in Debian's browsers.
 * Test tools cannot download browsers here, so executables are given (CHROMIUM_PATH,
 * FIREFOX_PATH, WEBKIT_WEBDRIVER_PATH, WEBKIT_BROWSER_PATH override them). The servers are
 * started by the fixtures on free loopback ports.
 *
 * - `chromium`, `firefox`, `webkit`: tests/engines, each scenario written once and run in every
 *   engine through a thin driver (tests/engines/engine.ts). A scenario tagged `@needs-<capability>`
 *   is left out of the engines that lack it (ENGINE_LACKS), never silently skipped.
 * - `chromium-playwright`: tests/e2e, scenarios that need Playwright's page API or DevTools
 *   (locators, init scripts, CDP reloads, worker console capture).
 *
 * One engine alone: `npx playwright test --project=firefox`; the Chromium-only tier alone:
 * `--project=chromium-playwright --no-deps`.
 */
function lacking(name: (typeof ENGINE_NAMES)[number]): RegExp | undefined {
  const lacks = Object.keys(ENGINE_LACKS[name]) as Capability[];
  return lacks.length === 0 ? undefined : new RegExp(lacks.map(needs).join('|'));
}

export default defineConfig<object, { engineName: EngineName }>({
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['./tests/engines/support-reporter.ts']],
  outputDir: 'test-results',
  projects: [
    ...ENGINE_NAMES.map((name) => ({
      name,
      testDir: 'tests/engines',
      use: { engineName: name },
      ...(lacking(name) ? { grepInvert: lacking(name)! } : {}),
    })),
    {
      name: 'chromium-playwright',
      testDir: 'tests/e2e',
      // After the engine tier, not beside it: its fault suite measures timeouts, and a MiniBrowser
      // or Firefox starting in the other worker takes a whole core.
      dependencies: [...ENGINE_NAMES],
      use: {
        headless: true,
        trace: 'retain-on-failure',
        launchOptions: CHROMIUM_LAUNCH_OPTIONS,
      },
    },
  ],
});
