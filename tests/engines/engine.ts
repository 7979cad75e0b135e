/**
 * The one seam between a browser scenario and the browser that runs it. A scenario is written
 * once against these interfaces; a thin driver per engine implements them (Playwright for
 * Chromium, puppeteer-core over WebDriver BiDi for Firefox, selenium-webdriver against
 * WebKitWebDriver for WebKitGTK).
 */

export type EngineName = 'chromium' | 'firefox' | 'webkit';

export const ENGINE_NAMES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

/**
 * Something a scenario needs beyond tabs and script, which not every engine's automation offers.
 * A scenario that needs one is tagged `@needs-<capability>`; the config leaves it out of the
 * projects of engines that lack it, and the README's browser-support table names what was left out.
 */
export type Capability = 'stop-worker';

/** What each engine's automation cannot do, and why: the one list the config and README use. */
export const ENGINE_LACKS: Record<EngineName, Partial<Record<Capability, string>>> = {
  chromium: {},
  firefox: {},
  webkit: {},
};

export const needs = (capability: Capability): string => `@needs-${capability}`;

/** A script to run in a tab: serialised by its source text, so it must not close over anything. */
export type PageFunction<A, R> = (arg: A) => R | Promise<R>;

/** One tab (or window) of a session. */
export interface Tab {
  /** Navigate and wait for the load event. */
  goto(url: string): Promise<void>;
  /**
   * Run `fn(arg)` in the page and resolve with its (JSON-serialisable) result. Concurrent calls
   * on different tabs may be run one after the other by an engine (WebDriver is one command at a
   * time): start concurrent work in the page and collect it in a second call.
   */
  evaluate<R, A = undefined>(fn: PageFunction<A, R>, arg?: A): Promise<R>;
  close(): Promise<void>;
}

/**
 * One browser profile with nothing in it: no service worker registration, no IndexedDB, no
 * cookies. Each test gets its own.
 */
export interface BrowserSession {
  openTab(url: string): Promise<Tab>;
  /**
   * Make the engine stop the service worker of this session's origin, by the only means its
   * automation offers, until `restarted()` (asked of the app) says a fresh worker answers.
   * Throws when the worker did not stop. A scenario that calls it is tagged `needs('stop-worker')`.
   */
  stopWorker(restarted: () => Promise<boolean>): Promise<void>;
  close(): Promise<void>;
}

/** How a session's browser is set up. */
export interface SessionOptions {
  /**
   * `'block'`: no service worker can register, as in a Firefox private window or with a policy
   * that disables them (Chromium: Playwright's `serviceWorkers: 'block'`; Firefox: the
   * `dom.serviceWorkers.enabled` pref; WebKit: the MiniBrowser's `--features=-ServiceWorkers`).
   * @default 'allow'
   */
  serviceWorkers?: 'allow' | 'block';
}

/** A launched browser: sessions are opened in it, one per test. */
export interface Engine {
  name: EngineName;
  /** The browser's own version string, e.g. `156.0.8078.114`. */
  version: string;
  newSession(options?: SessionOptions): Promise<BrowserSession>;
  close(): Promise<void>;
}
