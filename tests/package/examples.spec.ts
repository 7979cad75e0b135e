import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startDemoServer, type DemoServer } from '../e2e/fixtures/demo-server.js';
import { startAppScript } from './fixtures/app-process.js';
import { npm } from './fixtures/npm.js';
import { installPackedApp, removeApp, repo } from './fixtures/packed-app.js';
import { serveDirectory } from './fixtures/serve-directory.js';
import { packedTarball } from './pack-tarball.js';

/**
 * examples/ as a user runs them: each copied out of the repo, the packed tarball installed into
 * it, type-checked with its own `npm run typecheck`, then served by its own `npm run dev` and, built
 * with its own `npm run build`, by a static server; in Chromium against the demo server on another
 * origin (the API and its token endpoint, CORS for any origin). In each: sign in, a protected call,
 * then the access token expires under two open tabs and both calls succeed after one refresh.
 */

interface Example {
  name: string;
  /** The environment variable its builds read the API's origin from. */
  apiOriginVariable: string;
  /** Arguments for its `npm run dev` (a free port), and where it prints its URL. */
  dev: { args: string[]; urlPattern: RegExp };
}

const VITE_DEV = { args: ['--port', '0'], urlPattern: /Local:\s+(http:\/\/localhost:\d+)/ };
const EXAMPLES: Example[] = [
  { name: 'vite', apiOriginVariable: 'VITE_API_ORIGIN', dev: VITE_DEV },
  { name: 'vite-plugin-pwa', apiOriginVariable: 'VITE_API_ORIGIN', dev: VITE_DEV },
  {
    name: 'webpack',
    apiOriginVariable: 'API_ORIGIN',
    dev: { args: ['--port', '0', '--host', 'localhost'], urlPattern: /Loopback: (http:\/\/localhost:\d+)/ },
  },
];

let api: DemoServer | undefined;
const apps = new Map<string, string>();

test.beforeAll(async () => {
  test.setTimeout(240_000);
  // Access tokens that live an hour: only the test's own expiry may start a refresh.
  api = await startDemoServer({ ACCESS_TOKEN_TTL: '3600' });
  // All at once: the installs mostly wait for the disk and the npm cache.
  const { path } = packedTarball();
  await Promise.all(EXAMPLES.map(async ({ name }) => apps.set(name, await installPackedApp(join(repo, 'examples', name), path))));
});

test.afterAll(async () => {
  await api?.stop();
  await Promise.all([...apps.values()].map((app) => removeApp(app)));
});

test.beforeEach(async () => {
  await api!.reset();
});

for (const example of EXAMPLES) {
  test.describe(`examples/${example.name}`, () => {
    const env = (): Record<string, string> => ({ [example.apiOriginVariable]: api!.origin });

    test('type-checks against the installed package', async () => {
      await npm(['run', 'typecheck'], apps.get(example.name)!);
    });

    test('dev server: sign in, a protected call, one refresh for two tabs', async ({ context }) => {
      const dev = await startAppScript({ cwd: apps.get(example.name)!, script: 'dev', env: env(), ...example.dev });
      try {
        await signInAndExpireAcrossTabs(context, dev.origin, api!);
      } finally {
        await dev.stop();
      }
    });

    test('production build: sign in, a protected call, one refresh for two tabs', async ({ context }) => {
      const app = apps.get(example.name)!;
      await npm(['run', 'build'], app, env());
      const host = await serveDirectory(join(app, 'dist'));
      try {
        await signInAndExpireAcrossTabs(context, host.origin, api!);
      } finally {
        await host.stop();
      }
    });
  });
}

/** A tab of the example, once its page says the worker is ready; page errors fail the test. */
async function openTab(context: BrowserContext, origin: string, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(origin + '/');
  await expect(page.locator('#status')).toHaveText('Ready: sign in.', { timeout: 60_000 });
  return page;
}

async function signInAndExpireAcrossTabs(context: BrowserContext, origin: string, server: DemoServer): Promise<void> {
  expect(new URL(origin).origin).not.toBe(server.origin); // the API is on another origin
  const errors: string[] = [];
  const first = await openTab(context, origin, errors);

  await first.fill('[name=username]', 'ada');
  await first.fill('[name=password]', 'secret');
  await first.getByRole('button', { name: 'Sign in' }).click();
  await expect(first.locator('#status')).toHaveText('Signed in.');
  await first.getByRole('button', { name: 'Load profile' }).click();
  await expect(first.locator('#status')).toHaveText('Profile: ada.');

  const second = await openTab(context, origin, errors);
  await server.expireAccessTokens();
  await Promise.all([first, second].map((tab) => tab.getByRole('button', { name: 'Load profile' }).click()));
  for (const tab of [first, second]) await expect(tab.locator('#status')).toHaveText('Profile: ada.');

  const stats = await server.stats();
  expect(stats).toMatchObject({ loginCalls: 1, refreshCalls: 1, reuseDetected: 0 });
  expect(stats.unauthorized).toBeGreaterThanOrEqual(1); // the expired token was met and replayed
  const calls = (await server.requests()).filter((request) => request.method === 'GET' && request.path === '/api/me');
  expect(calls.length).toBeGreaterThanOrEqual(3);
  for (const call of calls) expect(call).toMatchObject({ authorization: 'bearer', origin: new URL(origin).origin });
  expect(errors).toEqual([]);
}
