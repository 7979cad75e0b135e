import { Hono } from 'hono';
import { apiFaults } from './api-faults.js';
import { createApiRoutes } from './api-routes.js';
import { createAuthRoutes } from './auth-routes.js';
import { clockDateHeader } from './clock-date-header.js';
import { resolveDemoAppOptions, type DemoAppOptions } from './demo-app-options.js';
import { createDemoControlRoutes } from './demo-control-routes.js';
import { createDemoState } from './demo-state.js';
import { echoBody } from './echo-body.js';
import { createOAuthRoutes } from './oauth-routes.js';
import { reflectOriginCors } from './reflect-origin-cors.js';
import { requestLogger } from './request-logger.js';
import { createStaticRoutes } from './static-routes.js';
import { webSocketRoute } from './web-socket-route.js';

/**
 * The demo auth + API server as a Hono app, with its own isolated state. Use it directly with
 * `app.request()` in unit tests, or through {@link startDemoServer} for a real socket.
 *
 * @example
 * ```ts
 * const app = createDemoApp({ accessTokenTtl: 5 });
 * const res = await app.request('/auth/login', {
 *   method: 'POST',
 *   headers: { 'Content-Type': 'application/json' },
 *   body: JSON.stringify({ username: 'ada', password: 'x' }),
 * });
 * ```
 */
export function createDemoApp(options: DemoAppOptions = {}): Hono {
  const state = createDemoState(resolveDemoAppOptions(options));
  const app = new Hono();

  // First, so that every request is logged, including preflights and ones that fail later.
  app.use('*', requestLogger(state));
  // Every response's Date from the server's shifted clock (POST /demo/clock), not Node's.
  app.use('*', clockDateHeader(state.clock));

  const cors = reflectOriginCors();
  for (const prefix of ['/auth/*', '/oauth/*', '/api/*', '/demo/*']) app.use(prefix, cors);
  // Behind CORS (a faulted cross-origin answer stays readable), ahead of every /api route.
  app.use('/api/*', apiFaults(state));

  app.route('/auth', createAuthRoutes(state));
  // Before `/api`: its upgrade must not meet the bearer check (a handshake cannot carry a header).
  app.get('/api/ws', webSocketRoute(state));
  app.route('/oauth', createOAuthRoutes(state));
  app.route('/api', createApiRoutes(state));
  app.route('/demo', createDemoControlRoutes(state));

  // Never any CORS headers here: the target for "a cross-origin request without CORS" scenarios.
  app.get('/nocors/ping', (c) => c.text('pong'));

  // Outside the protected paths: where `/api/to-public` redirects to. The request log says whether
  // an Authorization header arrived.
  app.get('/public/landing', (c) => c.json({ public: true }));
  // The same echo as `/api/echo` where the worker does not answer: what the browser does on its own.
  app.post('/public/echo', echoBody);

  app.route('/', createStaticRoutes(state.options, state.workerBuild));

  return app;
}
