import { Hono } from 'hono';
import type { DemoState } from './demo-state.js';

/**
 * `/demo/*`: test hooks. They observe (stats, request log) and force the server-side events a
 * worker must survive (access tokens expiring, every session revoked) without waiting for clocks.
 */
export function createDemoControlRoutes(state: DemoState): Hono {
  const routes = new Hono();

  routes.use('*', async (c, next) => {
    await next();
    c.res.headers.set('Cache-Control', 'no-store');
  });

  routes.get('/stats', (c) =>
    c.json({ ...state.counters, ...state.sessions.counts(), accessTokenTtl: state.options.accessTokenTtl }),
  );

  routes.get('/requests', (c) => c.json(state.requestLog.entries()));

  routes.post('/reset', (c) => {
    state.reset();
    return c.body(null, 204);
  });

  // Models "the access token expired" now: refresh tokens keep working, so the next 401 refreshes.
  routes.post('/expire', (c) => {
    state.accessTokens.invalidateIssued();
    return c.body(null, 204);
  });

  // Models an administrator ending every session: the next refresh fails and the user is logged out.
  routes.post('/revoke', (c) => {
    state.sessions.revokeAll();
    return c.body(null, 204);
  });

  return routes;
}
