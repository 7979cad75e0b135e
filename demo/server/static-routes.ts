import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import type { ResolvedDemoAppOptions } from './demo-app-options.js';
import { SW_VARIANT_NAME_PATTERN, findSwVariant, renderSwVariantConfig, renderSwVariantScript } from './sw-variants.js';
import { readWorkerScript, withWorkerBuild, type WorkerBuild } from './worker-build.js';

/** What `/` says when the demo page has not been built yet (the API keeps working). */
export const NOT_BUILT_MESSAGE = 'The demo page is not built: run npm run build first.\n';

/**
 * The built demo page at `/`, the classic worker bundle at `/sw-auth-proxy.js`, and the SW variants
 * at `/variants/<name>/` (same page, a worker script generated from the server's environment).
 *
 * Everything is `Cache-Control: no-cache`: a worker script served stale is exactly the kind of bug
 * the tests must not hide, and the demo is rebuilt between runs. Worker scripts end in a
 * `// worker build <n>` line (see {@link WorkerBuild}).
 */
export function createStaticRoutes(options: ResolvedDemoAppOptions, workerBuild: WorkerBuild): Hono {
  const demoDir = join(options.distDir, 'demo');
  const bundlePath = join(options.distDir, 'sw-auth-proxy.js');
  const isBuilt = (): boolean => existsSync(join(demoDir, 'index.html'));
  const routes = new Hono();

  routes.use('*', async (c, next) => {
    await next();
    if (c.res.status >= 400) return;
    c.res.headers.set('Cache-Control', 'no-cache');
    // Workers must be served as JavaScript; a plain `text/javascript` keeps the check simple.
    if (c.req.path.endsWith('.js')) c.res.headers.set('Content-Type', 'text/javascript');
  });

  const knownVariant: MiddlewareHandler = async (c, next) => {
    const name = c.req.param('name') ?? '';
    if (!SW_VARIANT_NAME_PATTERN.test(name) || !findSwVariant(options.swVariants, name)) {
      return c.text('Unknown SW variant.\n', 404);
    }
    await next();
    return undefined;
  };

  routes.get('/variants/:name', knownVariant, (c) => c.redirect(`/variants/${c.req.param('name')}/`, 302));

  routes.get('/variants/:name/auth-sw.js', knownVariant, (c) => {
    const config = findSwVariant(options.swVariants, c.req.param('name')) ?? {};
    const script = renderSwVariantScript(config, new URL(c.req.url).origin);
    return c.body(withWorkerBuild(script, workerBuild.current), 200, {
      'Content-Type': 'text/javascript',
    });
  });

  // The same config for the variant's page, which runs it itself where no worker can (page mode).
  routes.get('/variants/:name/auth-config.json', knownVariant, (c) => {
    const config = findSwVariant(options.swVariants, c.req.param('name')) ?? {};
    return c.json(renderSwVariantConfig(config, new URL(c.req.url).origin));
  });

  // The page and its assets, resolved relative to the variant's directory.
  routes.get(
    '/variants/:name/*',
    knownVariant,
    requireBuilt(isBuilt),
    lazyServeStatic(() => serveStatic({ root: demoDir, rewriteRequestPath: (path) => path.replace(/^\/variants\/[^/]+/, '') })),
  );

  routes.get(
    '/sw-auth-proxy.js',
    requireBuilt(() => existsSync(bundlePath)),
    lazyServeStatic(() => serveStatic({ path: bundlePath })),
  );

  // Read per request rather than served statically: the build line must follow POST /demo/sw-build.
  routes.get('/auth-sw.js', requireBuilt(isBuilt), async (c) => {
    const script = await readWorkerScript(join(demoDir, 'auth-sw.js'));
    if (script === undefined) return c.notFound();
    return c.body(withWorkerBuild(script, workerBuild.current), 200, { 'Content-Type': 'text/javascript' });
  });

  routes.get(
    '*',
    requireBuilt(isBuilt),
    lazyServeStatic(() => serveStatic({ root: demoDir })),
  );

  return routes;
}

function requireBuilt(isBuilt: () => boolean): MiddlewareHandler {
  return async (c, next) => {
    if (!isBuilt()) return c.text(NOT_BUILT_MESSAGE, 503);
    await next();
    return undefined;
  };
}

/**
 * Creates the static middleware on first use: serveStatic complains on stderr when its root is
 * missing, and the server must start quietly before the first build.
 */
function lazyServeStatic(create: () => MiddlewareHandler): MiddlewareHandler {
  let middleware: MiddlewareHandler | undefined;
  return (c, next) => {
    middleware ??= create();
    return middleware(c, next);
  };
}
