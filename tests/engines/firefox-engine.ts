import puppeteer, { type Browser } from 'puppeteer-core';
import type { BrowserSession, Engine, SessionOptions } from './engine.js';
import { openPageTab } from './page-tab.js';

/**
 * How long a Firefox service worker may sit without events before Firefox terminates it (the
 * `dom.serviceWorkers.idle_timeout` pref; 30 s by default). Short, so a scenario can stop the
 * worker the way Firefox itself does; every other Firefox scenario meets such restarts too, as
 * users' workers do.
 */
const IDLE_TIMEOUT_MS = 1000;
/** Tries at stopping the worker by idling, each one idle period plus margin for a busy machine. */
const STOP_TRIES = 5;

/**
 * Debian's Firefox ESR over WebDriver BiDi with puppeteer-core (Playwright's Firefox build is not
 * downloadable here, and its `moz-firefox` channel fails on ESR 153; Debian has no geckodriver).
 */
export async function launchFirefox(): Promise<Engine> {
  const launch = (prefs: Record<string, unknown> = {}) =>
    puppeteer.launch({
      browser: 'firefox',
      executablePath: process.env['FIREFOX_PATH'] ?? '/usr/bin/firefox-esr',
      headless: true,
      extraPrefsFirefox: { 'dom.serviceWorkers.idle_timeout': IDLE_TIMEOUT_MS, ...prefs },
    });
  const browser = await launch();
  /**
   * Prefs hold for a whole browser, not a context: sessions without service workers (as in a
   * private window) get a second Firefox, started when first asked for.
   */
  let withoutWorkers: Promise<Browser> | undefined;
  return {
    name: 'firefox',
    version: (await browser.version()).replace(/^firefox\//, ''),
    async close() {
      await browser.close();
      if (withoutWorkers) await (await withoutWorkers).close();
    },
    async newSession(options: SessionOptions = {}): Promise<BrowserSession> {
      const host =
        options.serviceWorkers === 'block' ? await (withoutWorkers ??= launch({ 'dom.serviceWorkers.enabled': false })) : browser;
      // A BiDi user context: its own cookies, storage and service worker registrations.
      const context = await host.createBrowserContext();
      return {
        openTab: async (url) => openPageTab(await context.newPage(), url),
        async stopWorker(restarted) {
          // No automation command stops a Firefox worker; Firefox terminates it once idle. Asking
          // `restarted()` is itself an event, so each try idles again.
          for (let attempt = 1; attempt <= STOP_TRIES; attempt++) {
            await new Promise((resolve) => setTimeout(resolve, IDLE_TIMEOUT_MS * 2 * attempt));
            if (await restarted()) return;
          }
          throw new Error(`Failed to stop the worker: Firefox kept it running through ${STOP_TRIES} idle periods`);
        },
        close: () => context.close(),
      };
    },
  };
}
