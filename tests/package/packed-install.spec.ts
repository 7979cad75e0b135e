import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { build } from 'vite';
import { startDemoServer, type DemoServer } from '../e2e/fixtures/demo-server.js';

/**
 * What a user gets from the registry: `npm pack` the built package, install the tarball into a
 * fresh app outside the repo, type-check that app against the installed declarations, build it
 * with Vite (page from `sw-auth-proxy/client`, worker bundled from `sw-auth-proxy/sw`), serve it
 * from the demo server, and make one authorized request through the installed worker.
 *
 * Needs `npm run build` first (`npm test` does it), and the npm registry (or its cache) for the
 * package's own dependencies.
 */

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const consumer = fileURLToPath(new URL('./consumer/', import.meta.url));
const tsc = join(repo, 'node_modules/typescript/bin/tsc');

/** npm as the one running this (`npm test`), else the one on the PATH. */
async function npm(args: string[], cwd: string): Promise<string> {
  const npmCli = process.env['npm_execpath'];
  const [file, fullArgs] = npmCli?.endsWith('.js') ? [process.execPath, [npmCli, ...args]] : ['npm', args];
  const { stdout } = await run(file, fullArgs, { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

interface PackResult {
  filename: string;
  files: { path: string }[];
}

let app: string;
let server: DemoServer | undefined;
let packed: PackResult;

test.beforeAll(async () => {
  test.setTimeout(200_000);
  app = await mkdtemp(join(tmpdir(), 'sw-auth-proxy-consumer-'));
  packed = (JSON.parse(await npm(['pack', '--json', '--pack-destination', app], repo)) as PackResult[])[0]!;

  await cp(consumer, app, { recursive: true });
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', `./${packed.filename}`], app);

  // The app's own type check, against the declarations that came with the tarball.
  await run(process.execPath, [tsc, '-b', 'tsconfig.json'], { cwd: app }).catch((error: Error & { stdout?: string }) => {
    throw new Error(`The consumer app does not type-check against the packed package:\n${error.stdout ?? error.message}`);
  });

  // Laid out as the demo server serves a build: <dist>/demo/{index.html, auth-sw.js}.
  const outDir = join(app, 'dist/demo');
  await build({ configFile: false, logLevel: 'warn', root: app, build: { outDir, emptyOutDir: true } });
  await build({
    configFile: false,
    logLevel: 'warn',
    root: app,
    build: {
      outDir,
      emptyOutDir: false,
      lib: { entry: join(app, 'auth-sw.ts'), formats: ['iife'], name: 'AuthSw', fileName: () => 'auth-sw.js' },
    },
  });
  server = await startDemoServer({ DEMO_DIST: join(app, 'dist') });
});

test.afterAll(async () => {
  await server?.stop();
  if (app !== undefined) await rm(app, { recursive: true, force: true });
});

test('the packed tarball holds the built entries, their types and nothing else', () => {
  const paths = packed.files.map((file) => file.path).sort();
  for (const expected of [
    'package.json',
    'README.md',
    'dist/sw.js',
    'dist/client.js',
    'dist/sw-auth-proxy.js',
    'dist/types/sw/index.d.ts',
    'dist/types/sw/classic-global.d.ts',
    'dist/types/client/index.d.ts',
  ]) {
    expect(paths).toContain(expected);
  }
  expect(paths.filter((path) => !/^(dist\/|package\.json$|README\.md$|SECURITY\.md$|LICENSE)/.test(path))).toEqual([]);
  expect(paths.filter((path) => /^dist\/(demo|types\/(node|unit|demo))|\.tsbuildinfo$/.test(path))).toEqual([]);
});

test('an app built with Vite against the installed package registers its worker and makes an authorized request', async ({ page }) => {
  await page.goto(server!.origin + '/');
  const ready = await page.evaluate(() => window.authProxy.ready);
  expect(ready.workerVersion).toMatch(/^\d+\.\d+\.\d+/);
  await expect(page.locator('#status')).toHaveText('controlled, anonymous');

  const answered = await page.evaluate(async () => {
    const login = await fetch('/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'ada', password: 'secret' }),
    });
    const tokens = (await login.json()) as Record<string, unknown>;
    const me = await fetch('/api/me');
    return { tokens, status: me.status, body: (await me.json()) as Record<string, unknown> };
  });

  // The installed worker captured the login (the page got a placeholder) and attached the token.
  expect(answered.tokens['refresh_token']).toBeUndefined();
  expect(answered.tokens['access_token']).toMatch(/^sw-auth-proxy\./);
  expect(answered).toMatchObject({ status: 200, body: { sub: 'ada' } });
  const requests = await server!.requests();
  expect(requests.find((request) => request.path === '/api/me')?.authorization).toBe('bearer');
});
