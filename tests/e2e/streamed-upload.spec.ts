import type { Page } from '@playwright/test';
import { CHROMIUM_LAUNCH_OPTIONS } from '../engines/chromium-engine.js';
import { eventsOf, expect, login, openApp, test } from './fixtures/test.js';

// The upload API's certificate is self-signed for localhost. `ignoreHTTPSErrors` does not reach
// a service worker's fetches; the command-line switch does.
test.use({ launchOptions: { ...CHROMIUM_LAUNCH_OPTIONS, args: [...CHROMIUM_LAUNCH_OPTIONS.args, '--ignore-certificate-errors'] } });

declare global {
  interface Window {
    /** Set by {@link startUpload}: ends the stream body the page is writing. */
    endUpload?: () => void;
  }
}

/**
 * Start, in the page, a stream upload to `url` that sends `first` and then stays open until
 * `window.endUpload()` (or closes at once with `ends`). Resolves with the status and body text.
 */
function startUpload(page: Page, url: string, { ends }: { ends: boolean }): Promise<{ status: number; text: string }> {
  return page.evaluate(
    ({ url, ends }) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('part one, '));
          window.endUpload = () => {
            controller.enqueue(new TextEncoder().encode('part two'));
            controller.close();
          };
          if (ends) window.endUpload();
        },
      });
      // `duplex` is required for a stream body but not yet in TypeScript's RequestInit.
      return fetch(url, { method: 'POST', body, duplex: 'half' } as RequestInit).then(async (response) => ({
        status: response.status,
        text: await response.text(),
      }));
    },
    { url, ends },
  );
}

test('over HTTP/2 a stream upload that ended is replayed byte for byte after its 401, with the refreshed token', async ({
  context,
  app,
  uploads,
}) => {
  const page = await openApp(context, `${app.origin}/variants/h2/`);
  await login(page);

  const result = await startUpload(page, `${uploads.origin}/upload/ended`, { ends: true });

  expect(result).toEqual({ status: 200, text: 'part one, part two' });
  const seen = uploads.uploads();
  expect(seen.map((entry) => entry.body)).toEqual(['part one, part two', 'part one, part two']);
  // The replay carried the refreshed token, not the one the 401 refused.
  expect(seen[1]!.authorization).toMatch(/^Bearer eyJ/);
  expect(seen[1]!.authorization).not.toBe(seen[0]!.authorization);
  expect((await app.stats()).refreshCalls).toBe(1);
});

test('a stream upload the page keeps open goes out at once; its 401 comes back with replay-skipped body-streaming', async ({
  context,
  app,
  uploads,
}) => {
  const page = await openApp(context, `${app.origin}/variants/h2/`);
  await login(page);

  const result = await startUpload(page, `${uploads.origin}/upload/open?early`, { ends: false });

  expect(result).toEqual({ status: 401, text: 'token expired' });
  // The server had the request while the page was still writing it: nothing waited for the body's end.
  expect(uploads.uploads()).toEqual([{ tag: 'open', authorization: expect.stringMatching(/^Bearer eyJ/), body: expect.any(String) }]);
  const skipped = (await eventsOf(page)).filter((event) => event.type === 'replay-skipped');
  expect(skipped.map((event) => event.detail)).toEqual([
    { method: 'POST', url: `${uploads.origin}/upload/open`, reason: 'body-streaming', clientId: expect.any(String) },
  ]);
  const status = await page.evaluate(() => window.authProxy.status());
  expect(status.pendingRequests).toBe(0);
  expect(status.counters.replaysSkipped).toBe(1);
});
