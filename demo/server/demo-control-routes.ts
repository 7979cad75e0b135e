import { Hono } from 'hono';
import type { DemoCounters } from './demo-counters.js';
import type { DemoState } from './demo-state.js';
import { createResilienceControlRoutes } from './resilience-control-routes.js';
import type { FamilyCounts } from './session-store.js';

/** The body of `GET /demo/stats`: the counters, the live refresh-token families and sockets, and the access-token lifetime. */
export type DemoStats = DemoCounters &
  FamilyCounts & {
    wsOpen: number;
    accessTokenTtl: number;
    /** DPoP proofs accepted and refused (RFC 9449), at the token endpoint and the API together. */
    dpopProofs: number;
    dpopRefused: number;
    /** Time the server spent checking them (the bench's server share of DPoP's cost). */
    dpopVerifyMs: number;
  };

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
    c.json({
      ...state.counters,
      ...state.sessions.counts(),
      wsOpen: state.sockets.openCount,
      accessTokenTtl: state.options.accessTokenTtl,
      dpopProofs: state.dpop.verified,
      dpopRefused: state.dpop.refused,
      dpopVerifyMs: state.dpop.verifyMs,
    } satisfies DemoStats),
  );

  // DPoP (RFC 9449): `requireNonce` makes every proof carry the server's nonce (§8, §9);
  // `rotateNonce` draws a new one without telling anyone, so the next proof meets `use_dpop_nonce`.
  // Answers with the last good proof's claims (never a token) for the dashboard.
  routes.get('/dpop', (c) => c.json({ requireNonce: state.dpop.requireNonce, lastProof: state.dpop.lastProof }));
  routes.post('/dpop', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { requireNonce?: unknown; rotateNonce?: unknown };
    if (typeof body.requireNonce === 'boolean') state.dpop.requireNonce = body.requireNonce;
    if (body.rotateNonce === true) state.dpop.rotateNonce();
    return c.json({ requireNonce: state.dpop.requireNonce, lastProof: state.dpop.lastProof });
  });

  routes.get('/requests', (c) => c.json(state.requestLog.entries()));

  routes.post('/reset', (c) => {
    state.reset();
    return c.body(null, 204);
  });

  // Models "the access token expired" now: refresh tokens keep working, so the next 401 refreshes.
  // Event streams end and WebSockets close (4401) with the token they were opened with.
  routes.post('/expire', (c) => {
    state.accessTokens.invalidateIssued();
    state.sockets.sweep();
    return c.body(null, 204);
  });

  // Models an administrator ending every session: the next refresh fails and the user is logged out.
  routes.post('/revoke', (c) => {
    state.sessions.revokeAll();
    state.sockets.sweep();
    return c.body(null, 204);
  });

  // The WebSocket side crashes (open sockets dropped, browser sees 1006) and refuses upgrades with
  // 503 until `/demo/ws/up`; HTTP keeps working. Deterministic, unlike restarting a process.
  routes.post('/ws/down', (c) => {
    state.sockets.down();
    return c.json({ ...state.counters });
  });

  routes.post('/ws/up', (c) => {
    state.sockets.up();
    // The counters at the moment upgrades were allowed again, for "no attempt failed after this".
    return c.json({ ...state.counters });
  });

  // Open WebSockets go quiet (no echo, no heartbeat) without closing: a half-open connection.
  routes.post('/ws/stall', (c) => c.json({ stalled: state.sockets.stall() }));

  routes.get('/chat/:tag', (c) => {
    const progress = state.chatStreams.progress(c.req.param('tag'));
    return progress ? c.json(progress) : c.json({ error: 'not_found' }, 404);
  });

  routes.post('/chat/:tag/resume', (c) =>
    state.chatStreams.resume(c.req.param('tag')) ? c.body(null, 204) : c.json({ error: 'not_paused' }, 409),
  );

  // Faults, refresh log, clock shift and worker build number, for the resilience suite.
  routes.route('/', createResilienceControlRoutes(state));

  return routes;
}
