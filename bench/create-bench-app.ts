import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { createDemoApp } from '../demo/server/create-demo-app.js';
import type { DemoAppOptions } from '../demo/server/demo-app-options.js';
import { renderSwVariantScript, type SwVariantConfig } from '../demo/server/sw-variants.js';

/** The bench arms that get a page; `none` registers nothing. */
export const BENCH_ARMS = ['none', 'bare', 'header', 'idb', 'proxy', 'dpop'] as const;
export type BenchArm = (typeof BENCH_ARMS)[number];

/**
 * The floor for any service-worker design: every request goes through a fetch listener and
 * `fetch()` again, nothing else. It claims its pages like the proxy does, so neither needs a reload.
 */
export const BARE_WORKER_SCRIPT = `self.addEventListener('install', (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (event) => event.respondWith(fetch(event.request)));
`;

/**
 * The floor for attaching a token in a worker at all: the bare worker plus what any such worker
 * must do per request, built the way the proxy builds it (\`authorizedRequest\`): a new Request from
 * the page's (keeping its referrer, not following redirects) with the Authorization header set. The
 * page hands it the header once, by message; the CPU step compares the proxy with it.
 */
export const HEADER_WORKER_SCRIPT = `self.addEventListener('install', (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
let authorization = null;
self.addEventListener('message', (event) => {
  authorization = event.data.authorization;
  event.ports[0].postMessage('ok');
});
self.addEventListener('fetch', (event) => {
  const page = event.request;
  const request = new Request(page, { referrer: page.referrer, referrerPolicy: page.referrerPolicy, redirect: 'manual' });
  request.headers.set('authorization', authorization);
  event.respondWith(fetch(request));
});
`;

/** The IndexedDB database of {@link IDB_WORKER_SCRIPT}: its own, so the proxy's session is not touched. */
export const IDB_WORKER_DATABASE = 'bench-idb-floor';

/**
 * The floor for a worker that keeps its token where it survives a worker stop, as any
 * token-attaching worker must (a stopped worker loses its memory): the header worker, with the
 * token in IndexedDB. The script opens its database and starts reading the token while it is
 * evaluated, and each fetch waits for that read, so a cold start pays the open and the read as
 * the proxy does. Plain IndexedDB, no library: a library's own load would not be part of the floor.
 * The page hands it the header once, by message, and the worker writes it to its database.
 */
export const IDB_WORKER_SCRIPT = `self.addEventListener('install', (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
const settled = (request) =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
const opening = indexedDB.open('${IDB_WORKER_DATABASE}', 1);
opening.onupgradeneeded = () => opening.result.createObjectStore('state');
const database = settled(opening);
let authorization = database.then((db) => settled(db.transaction('state').objectStore('state').get('authorization')));
self.addEventListener('message', (event) => {
  const value = event.data.authorization;
  const written = database.then((db) => {
    const transaction = db.transaction('state', 'readwrite');
    transaction.objectStore('state').put(value, 'authorization');
    return new Promise((resolve, reject) => {
      transaction.oncomplete = resolve;
      transaction.onerror = () => reject(transaction.error);
    });
  });
  authorization = written.then(() => value);
  event.waitUntil(written.then(() => event.ports[0].postMessage('ok')));
});
self.addEventListener('fetch', (event) => {
  const page = event.request;
  event.respondWith(
    authorization.then((value) => {
      const request = new Request(page, { referrer: page.referrer, referrerPolicy: page.referrerPolicy, redirect: 'manual' });
      request.headers.set('authorization', value);
      return fetch(request);
    }),
  );
});
`;

/** The proxy arm's config: the demo's, as the browser tests' variants use it. */
export const BENCH_PROXY_CONFIG: SwVariantConfig = {
  protectedOrigins: [{ origin: '{{self}}', pathPrefixes: ['/api'] }],
  tokenEndpoints: ['/auth/login'],
  refreshEndpoint: '/auth/token',
  clientId: 'demo-spa',
};

/**
 * The DPoP arm: the same config with `dpop: true`, in a database of its own (the two workers share
 * the origin, and each has its own session).
 */
export const BENCH_DPOP_CONFIG: SwVariantConfig = {
  ...BENCH_PROXY_CONFIG,
  dpop: true,
  databaseName: 'sw-auth-proxy-dpop',
  channelName: 'sw-auth-proxy-dpop',
};

/** Options of {@link createBenchApp}. */
export interface BenchAppOptions extends DemoAppOptions {
  /** The built bench page (`index.html` and `assets/`), from `bench/vite.config.ts`. */
  benchDir: string;
  /**
   * The proxy arm's `refreshAhead.minMs`: how long before expiry its proactive refresh starts at
   * the least (the expiry-latency server's short tokens need a lead shorter than the default's 5 s).
   * @default the worker's default
   */
  refreshAheadMinMs?: number;
}

/**
 * The unchanged demo app with the bench pages in front of it, so every arm is the same origin and
 * hits the same `/api/*` routes:
 * - `/bench/<arm>/`: the bench page (one file for all arms; arms differ by the worker registered);
 * - `/bench/bare/sw.js`: {@link BARE_WORKER_SCRIPT}, scope `/bench/bare/`;
 * - `/bench/header/sw.js`: {@link HEADER_WORKER_SCRIPT}, scope `/bench/header/`;
 * - `/bench/idb/sw.js`: {@link IDB_WORKER_SCRIPT}, scope `/bench/idb/`;
 * - `/bench/proxy/sw.js`: `importScripts('/sw-auth-proxy.js')` (the real built worker) and
 *   `installAuthProxy`, rendered by the demo server's own variant code; scope `/bench/proxy/`;
 * - `/bench/dpop/sw.js`: the same with `dpop: true` (every request signed; the server verifies
 *   each proof with jose); scope `/bench/dpop/`.
 * `/bench/none/` is outside both scopes, so a page there is never controlled.
 */
export function createBenchApp(options: BenchAppOptions): Hono {
  const { benchDir, refreshAheadMinMs, ...demoOptions } = options;
  const proxyConfig: SwVariantConfig =
    refreshAheadMinMs === undefined ? BENCH_PROXY_CONFIG : { ...BENCH_PROXY_CONFIG, refreshAhead: { minMs: refreshAheadMinMs } };
  const app = new Hono();

  app.use('/bench/*', async (c, next) => {
    await next();
    // A worker script served stale would measure the wrong build.
    c.res.headers.set('Cache-Control', 'no-cache');
    if (c.req.path.endsWith('.js')) c.res.headers.set('Content-Type', 'text/javascript');
  });
  app.get('/bench/bare/sw.js', (c) => c.body(BARE_WORKER_SCRIPT));
  app.get('/bench/header/sw.js', (c) => c.body(HEADER_WORKER_SCRIPT));
  app.get('/bench/idb/sw.js', (c) => c.body(IDB_WORKER_SCRIPT));
  app.get('/bench/proxy/sw.js', (c) => c.body(renderSwVariantScript(proxyConfig, new URL(c.req.url).origin)));
  app.get('/bench/dpop/sw.js', (c) => c.body(renderSwVariantScript(BENCH_DPOP_CONFIG, new URL(c.req.url).origin)));
  app.get('/bench/:arm/', async (c) => {
    if (!(BENCH_ARMS as readonly string[]).includes(c.req.param('arm'))) return c.notFound();
    // Deliberately not cross-origin isolated: COOP/COEP would give 5 µs timers instead of 100 µs,
    // but with them the bare worker's cold start went from ~+10 ms to +45–90 ms (most likely the
    // isolated page no longer shares a process with its worker), which is not what apps see.
    return c.html(await readFile(join(benchDir, 'index.html'), 'utf8'));
  });
  app.get('/bench/assets/*', serveStatic({ root: benchDir, rewriteRequestPath: (path) => path.replace(/^\/bench/, '') }));

  app.route('/', createDemoApp(demoOptions));
  return app;
}
