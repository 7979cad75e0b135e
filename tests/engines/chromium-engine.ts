import { chromium } from '@playwright/test';
import type { BrowserSession, Engine, SessionOptions } from './engine.js';
import { openPageTab } from './page-tab.js';

/** Debian's Chromium; the Chromium-only tier (playwright.config.ts) launches it the same way. */
export const CHROMIUM_LAUNCH_OPTIONS = {
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
};

/** Debian's Chromium, driven by Playwright. */
export async function launchChromium(): Promise<Engine> {
  const browser = await chromium.launch({ ...CHROMIUM_LAUNCH_OPTIONS, headless: true });
  return {
    name: 'chromium',
    version: browser.version(),
    close: () => browser.close(),
    async newSession(options: SessionOptions = {}): Promise<BrowserSession> {
      const context = await browser.newContext({ serviceWorkers: options.serviceWorkers ?? 'allow' });
      return {
        openTab: async (url) => openPageTab(await context.newPage(), url),
        async stopWorker(restarted) {
          // DevTools can stop a worker outright; wait until it reports the worker stopped.
          const cdp = await context.newCDPSession(context.pages()[0]!);
          await cdp.send('ServiceWorker.enable');
          const stopped = new Promise<void>((resolve) => {
            cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
              if (versions.some((version) => version.runningStatus === 'stopped')) resolve();
            });
          });
          await cdp.send('ServiceWorker.stopAllWorkers');
          await stopped;
          await cdp.detach();
          if (!(await restarted())) throw new Error('Failed to stop the worker: Chromium reported it stopped, but the same worker answers');
        },
        close: () => context.close(),
      };
    },
  };
}
