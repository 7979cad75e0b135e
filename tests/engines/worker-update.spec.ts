import type { DemoServer } from '../e2e/fixtures/demo-server.js';
import { expect, fireRequests, login, openApps, test } from './fixtures.js';

declare global {
  interface Window {
    /** Settles when another worker takes control of the tab. */
    controllerChanged: Promise<void>;
    /** Settles when the registration starts installing a new version. */
    updateFound: Promise<void>;
  }
}

async function bumpWorkerBuild(server: DemoServer): Promise<void> {
  const response = await fetch(`${server.origin}/demo/sw-build`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });
  if (!response.ok) throw new Error(`/demo/sw-build answered ${response.status}`);
}

// The same for a bearer session and a DPoP-bound one: the new version signs with the key the old
// one stored.
for (const [kind, page] of [
  ['', '/'],
  [' (DPoP)', '/variants/dpop/'],
] as const) {
  test(`worker updated to a new version mid-session: still logged in, one refresh${kind}`, async ({ session, app }) => {
    const tabs = await openApps(session, `${app.origin}${page}`, 2);
    await login(tabs[0]!);
    expect(await fireRequests(tabs[0]!, 2)).toEqual([[200, 200]]);

    // Listen before the new build exists: a browser may run its own update check after a
    // navigation, and that check may be the one that finds the new build.
    await tabs[1]!.evaluate(() => {
      window.controllerChanged = new Promise<void>((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }),
      );
    });
    await tabs[0]!.evaluate(async () => {
      const registration = (await navigator.serviceWorker.getRegistration())!;
      window.updateFound = new Promise<void>((resolve) => registration.addEventListener('updatefound', () => resolve(), { once: true }));
    });
    await bumpWorkerBuild(app);
    await tabs[0]!.evaluate(async () => {
      const registration = (await navigator.serviceWorker.getRegistration())!;
      let found = false;
      void window.updateFound.then(() => (found = true));
      // update() joins a check already under way, which may have read the script before the bump
      // and then finds nothing new; ask again until a new version is installing.
      while (!found) await registration.update();
    });
    await tabs[1]!.evaluate(() => window.controllerChanged); // the new version took over without a reload

    expect((await fireRequests(tabs, 5)).flat()).toEqual(Array(10).fill(200));
    await app.expireAccessTokens();
    expect(await fireRequests(tabs[1]!, 5)).toEqual([Array(5).fill(200)]);
    const stats = await app.stats();
    expect(stats.loginCalls).toBe(1);
    expect(stats.refreshCalls).toBe(1);
    expect(stats.reuseDetected).toBe(0);
    expect(stats.dpopApiRefusals).toBe(0);
  });
}
