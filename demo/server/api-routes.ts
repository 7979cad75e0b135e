import { Hono } from 'hono';
import { apiAuthorization } from './api-authorization.js';
import type { ApiEnv } from './api-env.js';
import { chatStream } from './chat-stream.js';
import type { DemoState } from './demo-state.js';
import { echoBody } from './echo-body.js';
import { eventStream } from './event-stream.js';

/**
 * `/api/*`: the protected resource server. Every route needs a valid access token, checked by
 * `apiAuthorization` (bearer, or DPoP-bound with a proof).
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

  routes.use('*', apiAuthorization(state));

  routes.get('/me', (c) => {
    const { sub, sid, exp } = c.get('claims');
    return c.json({ sub, sid, exp });
  });

  routes.get('/items/:id', (c) => c.json({ id: c.req.param('id') }));

  // A protected URL that redirects to an unprotected one (`/public/landing`): the worker must not
  // carry the token there, so it refuses to follow.
  routes.get('/to-public', (c) => c.redirect('/public/landing', 302));
  // The same to another origin, which must not see the token either. Loopback only: this is not
  // an open redirect for anyone who can reach the demo.
  routes.get('/to-origin', (c) => {
    const target = URL.parse('/public/landing', c.req.query('origin') ?? '');
    if (target?.protocol !== 'http:' || !['localhost', '127.0.0.1'].includes(target.hostname)) {
      return c.json({ error: 'origin must be an http loopback origin' }, 400);
    }
    return c.redirect(target.href, 302);
  });

  routes.on(['POST', 'PUT', 'PATCH'], '/echo', echoBody);

  // Server-sent events bound to the token that opened them, resuming after Last-Event-ID.
  routes.get('/events', eventStream(state));

  // A reply streamed word by word, like a chat completion.
  routes.get('/chat/stream', chatStream(state));

  // A one-time ticket for the WebSocket endpoint (`GET /api/ws`), bound to this access token.
  routes.post('/ws-ticket', (c) => {
    const { ticket, expiresIn } = state.wsTickets.issue(c.get('claims'));
    state.counters.wsTicketsIssued += 1;
    return c.json({ ticket, expires_in: expiresIn });
  });

  routes.all('*', (c) => c.json({ error: 'not_found' }, 404));

  return routes;
}
