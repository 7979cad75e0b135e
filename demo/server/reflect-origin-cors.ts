import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * CORS for the auth, OAuth, API and control routes: any origin is reflected with credentials, so
 * the demo page on a second origin can call them (the cross-origin protected-origin scenario).
 * `Date`, `WWW-Authenticate` and `DPoP-Nonce` are exposed because none is CORS-safelisted and a
 * cross-origin caller may want the clock, the 401 challenge or the DPoP nonce.
 */
export function reflectOriginCors(): MiddlewareHandler {
  return cors({
    // Without an Origin header there is nothing to reflect, and no header is better than `*`
    // (which browsers reject together with credentials anyway).
    origin: (origin) => (origin === '' ? null : origin),
    credentials: true,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID', 'Idempotency-Key', 'DPoP'],
    // RFC 9449 §8, §9: a DPoP client must read the nonce and the challenge that asks for it.
    exposeHeaders: ['Date', 'WWW-Authenticate', 'DPoP-Nonce'],
    maxAge: 600,
  });
}
