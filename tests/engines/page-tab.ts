import type { PageFunction, Tab } from './engine.js';

/** What a Playwright or a puppeteer page has in common, and all a {@link Tab} needs of one. */
export interface ScriptablePage {
  goto(url: string): Promise<unknown>;
  evaluate<R>(fn: (arg: unknown) => R, arg: unknown): Promise<R>;
  close(): Promise<void>;
}

/** A tab on a driver's page object, navigated to `url`. */
export async function openPageTab(page: ScriptablePage, url: string): Promise<Tab> {
  await page.goto(url);
  return {
    goto: async (next) => void (await page.goto(next)),
    // The drivers' own types describe handles too; these scripts take and return plain JSON.
    evaluate: <R, A>(fn: PageFunction<A, R>, arg?: A) => page.evaluate(fn as (arg: unknown) => R, arg) as Promise<R>,
    close: () => page.close(),
  };
}
