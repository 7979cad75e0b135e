import { loginInPage, test as serverTest } from '../e2e/fixtures/test.js';
import type { BrowserSession, Engine, EngineName, Tab } from './engine.js';
import { launchEngine } from './launch-engine.js';

export { expect } from '../e2e/fixtures/test.js';

interface Fixtures {
  /** A fresh browser profile of this project's engine, closed after the test. */
  session: BrowserSession;
}

interface WorkerFixtures {
  /** Set per project in playwright.config.ts. */
  engineName: EngineName;
  /** One browser per test worker; each test opens its own session in it. */
  engine: Engine;
}

/**
 * The cross-engine tier: the same scenario runs in every project of playwright.config.ts, with
 * the demo servers of the Chromium tier and a browser session from the project's engine.
 */
export const test = serverTest.extend<Fixtures, WorkerFixtures>({
  engineName: ['chromium', { option: true, scope: 'worker' }],
  engine: [
    async ({ engineName }, use) => {
      const engine = await launchEngine(engineName);
      await use(engine);
      await engine.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  session: [
    // Playwright's own `serviceWorkers` option (`test.use({ serviceWorkers: 'block' })`), honoured
    // by every engine's driver.
    async ({ engine, serviceWorkers }, use, testInfo) => {
      const session = await engine.newSession({ serviceWorkers });
      // Read by support-reporter.ts for the README's browser-support table.
      testInfo.annotations.push({ type: 'engine-version', description: engine.version });
      await use(session);
      await session.close();
    },
    // Its own time, not the test's: a driver that has to start a browser twice (webkit-engine.ts)
    // must not eat into the scenario's budget.
    { timeout: 45_000 },
  ],
});

/** How long an in-page wait for an event may take before it fails the test. */
const EVENT_TIMEOUT_MS = 10_000;

/** Open the demo page (or a variant's copy of it) and wait until the proxy controls it. */
export async function openApp(session: BrowserSession, url: string): Promise<Tab> {
  const tab = await session.openTab(url);
  // The app's module runs before `load`; a WebKit navigation was once seen handing the page over
  // before that (window.authProxy not yet defined), so wait for it in the page.
  await tab.evaluate(() =>
    new Promise<void>((resolve) => {
      if (document.readyState === 'complete') resolve();
      else addEventListener('load', () => resolve(), { once: true });
    }).then(() => window.authProxy.ready.then(() => undefined)),
  );
  return tab;
}

/** Open `count` tabs on the same page. */
export async function openApps(session: BrowserSession, url: string, count: number): Promise<Tab[]> {
  const tabs: Tab[] = [];
  for (let i = 0; i < count; i++) tabs.push(await openApp(session, url));
  return tabs;
}

/** Log in through the page's own fetch; resolves with what the page got to read. */
export async function login(tab: Tab, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return tab.evaluate(loginInPage, extra);
}

declare global {
  interface Window {
    /** Set by {@link fireRequests}: the statuses of the requests it started in this tab. */
    firedRequests?: Promise<number[]>;
  }
}

/**
 * Fire `count` concurrent GETs in every tab at once, and resolve with each tab's statuses (0 for a
 * network error). Started in every tab before any is awaited, so the tabs really overlap in every
 * engine, also where the driver runs one command at a time.
 */
export async function fireRequests(tabs: Tab | Tab[], count: number, path = '/api/items'): Promise<number[][]> {
  const all = Array.isArray(tabs) ? tabs : [tabs];
  for (const tab of all) {
    await tab.evaluate(
      ({ count, path }) => {
        window.firedRequests = Promise.all(
          Array.from({ length: count }, (_, i) =>
            fetch(`${path}/${i}`).then(
              (r) => r.status,
              () => 0,
            ),
          ),
        );
      },
      { count, path },
    );
  }
  const results: number[][] = [];
  for (const tab of all) results.push(await tab.evaluate(() => window.firedRequests!));
  return results;
}

/** The events this tab's AuthProxy has dispatched so far. */
export async function eventsOf(tab: Tab): Promise<{ type: string; detail: unknown }[]> {
  return tab.evaluate(() => window.authEvents.map(({ type, detail }) => ({ type, detail })));
}

/** Wait, in the page, until this tab has received an event of `type` (listening, not polling). */
export async function waitForEvent(tab: Tab, type: string): Promise<void> {
  await tab.evaluate(
    ({ type, timeoutMs }) =>
      new Promise<void>((resolve, reject) => {
        if (window.authEvents.some((event) => event.type === type)) return resolve();
        const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeoutMs} ms`)), timeoutMs);
        window.authProxy.addEventListener(type as 'logged-in', () => {
          clearTimeout(timer);
          resolve();
        });
      }),
    { type, timeoutMs: EVENT_TIMEOUT_MS },
  );
}

/** Asks the worker whether it is a fresh one: its in-memory request counter starts at zero. */
export const freshWorker = (tab: Tab) => (): Promise<boolean> =>
  tab.evaluate(() => window.authProxy.ready.then(() => window.authProxy.status()).then((status) => status.counters.requests === 0));
