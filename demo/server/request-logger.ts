import type { MiddlewareHandler } from 'hono';
import type { DemoState } from './demo-state.js';
import { redactCredentials } from './redact-credentials.js';
import type { AuthorizationScheme } from './request-log.js';

/**
 * Records every request in the request log before anything else can answer it. Only the
 * Authorization scheme is kept, never its value; credentials in the URL become markers.
 */
export function requestLogger(state: DemoState): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const { path, query } = redactCredentials(url.pathname, url.search.slice(1), state.recogniseCredential);
    state.requestLog.record({
      method: c.req.method,
      path,
      query,
      authorization: authorizationScheme(c.req.header('Authorization')),
      origin: c.req.header('Origin') ?? null,
      at: state.options.now(),
    });
    if (c.req.method === 'OPTIONS' && c.req.header('Access-Control-Request-Method') !== undefined) {
      state.counters.preflights += 1;
    }
    await next();
  };
}

function authorizationScheme(header: string | undefined): AuthorizationScheme {
  if (header === undefined || header.trim() === '') return 'none';
  return /^bearer(\s|$)/i.test(header.trim()) ? 'bearer' : 'other';
}
