import type { BrowserContext, Page } from '@playwright/test';
import type { BenchArm } from './create-bench-app.js';

/**
 * Opens the bench page of `arm` and checks who answers its requests: for every arm but `none` the
 * arm's worker controls the page; for `none`, nothing does. A page that is not what its arm says
 * would make every figure of it meaningless, so a mismatch throws.
 */
export async function openArmPage(context: BrowserContext, origin: string, arm: BenchArm): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/bench/${arm}/`);
  await page.waitForFunction(() => 'bench' in window);
  if (arm !== 'none') {
    const scriptUrl = `${origin}/bench/${arm}/sw.js`;
    const controller = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null);
    if (controller !== scriptUrl) await page.evaluate((url) => window.bench.useWorker(url), scriptUrl);
  }
  const { controlled } = await page.evaluate(() => window.bench.workerState());
  if (controlled !== (arm !== 'none')) {
    throw new Error(`Failed to open the ${arm} arm: the page is ${controlled ? '' : 'not '}controlled by a worker`);
  }
  return page;
}
