import type { Page } from '@playwright/test';

/**
 * Hands `authorization` to the worker that controls `page` (the header and idb floors, which have
 * no login of their own) and resolves once the worker answered: by then it uses the header, and
 * the idb worker has it in its database.
 */
export async function giveWorkerToken(page: Page, authorization: string): Promise<void> {
  await page.evaluate(
    (value) =>
      new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = resolve;
        navigator.serviceWorker.controller!.postMessage({ authorization: value }, [channel.port2]);
      }),
    authorization,
  );
}
