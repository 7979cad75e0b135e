import { chromium, type Browser } from '@playwright/test';
import playwrightConfig from '../playwright.config.js';

/**
 * Debian's Chromium (or CHROMIUM_PATH), headless, with exactly the quiet launch arguments of the
 * browser tests, read from playwright.config.ts so the two never drift apart.
 */
export function launchBenchBrowser(): Promise<Browser> {
  return chromium.launch({
    headless: true,
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [...(playwrightConfig.use?.launchOptions?.args ?? [])],
  });
}
