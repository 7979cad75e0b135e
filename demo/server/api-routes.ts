import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { streamSSE } from 'hono/streaming';
import type { AccessTokenClaims } from './access-token-issuer.js';
import type { DemoState } from './demo-state.js';

/** Context variables the API routes see once the bearer token checked out. */
interface ApiEnv {
  Variables: { claims: AccessTokenClaims };
}

/** The most events one `/api/events` stream sends, to keep a typo from streaming forever. */
const MAX_EVENTS = 100;

/**
 * `/api/*`: the protected resource server. Every route needs a valid bearer token (signature,
 * `exp`, family not revoked, issued after the last `/demo/expire`); everything else gets the RFC
 * 6750 §3.1 `invalid_token` challenge, which is what makes the worker refresh and replay.
 */
export function createApiRoutes(state: DemoState): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();

  routes.use('*', async (c, next) => {
    // Preflights are the browser's, not the caller's, and carry no token: not API calls.
    const isPreflight = c.req.method === 'OPTIONS' && c.req.header('Access-Control-Request-Method') !== undefined;
    if (!isPreflight) state.counters.apiCalls += 1;
    await next();
    if (c.res.status === 401) state.counters.unauthorized += 1;
    c.res.headers.set('Cache-Control', 'no-store');
  });

  const unauthorized = (): Response =>
    new Response(JSON.stringify({ error: 'invalid_token' }), {
      status: 401,
      headers: { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    });
  routes.use(
    '*',
    bearerAuth<ApiEnv>({
      verifyToken: async (token, c) => {
        const claims = await state.accessTokens.verify(token);
        if (!claims || state.sessions.isRevoked(claims.sid)) return false;
        c.set('claims', claims);
        return true;
      },
      // The contract answers 401 invalid_token for a missing, malformed or bad token alike; the
      // worker only has to recognise one shape.
      noAuthenticationHeader: { message: unauthorized },
      invalidAuthenticationHeader: { message: unauthorized },
      invalidToken: { message: unauthorized },
    }),
  );

  routes.get('/me', (c) => {
    const { sub, sid, exp } = c.get('claims');
    return c.json({ sub, sid, exp });
  });

  routes.get('/items/:id', (c) => c.json({ id: c.req.param('id') }));

  // Raw bytes in, the same bytes out: replay tests compare them byte for byte, so nothing here may
  // parse or re-serialise the body.
  routes.on(['POST', 'PUT', 'PATCH'], '/echo', async (c) => {
    const body = await c.req.arrayBuffer();
    const contentType = c.req.header('Content-Type');
    return new Response(body, { status: 200, headers: contentType === undefined ? {} : { 'Content-Type': contentType } });
  });

  // Server-sent events resuming after Last-Event-ID, for workers that proxy EventSource requests.
  routes.get('/events', (c) => {
    const lastEventId = Number.parseInt(c.req.header('Last-Event-ID') ?? '0', 10);
    const first = Number.isSafeInteger(lastEventId) && lastEventId > 0 ? lastEventId + 1 : 1;
    const requested = Number.parseInt(c.req.query('count') ?? '3', 10);
    const count = Number.isSafeInteger(requested) ? Math.min(Math.max(requested, 0), MAX_EVENTS) : 3;
    const { sub } = c.get('claims');
    return streamSSE(c, async (stream) => {
      for (let id = first; id < first + count; id += 1) {
        await stream.writeSSE({ id: String(id), event: 'tick', data: JSON.stringify({ id, sub }) });
      }
    });
  });

  routes.all('*', (c) => c.json({ error: 'not_found' }, 404));

  return routes;
}
