import type { MiddlewareHandler } from 'hono';
import type { DemoClock } from './demo-clock.js';

/**
 * Sets the HTTP `Date` header of every response from the server's shifted clock. Node would add
 * its own from the real clock otherwise, and a client estimating skew from `Date` must see the
 * same time the tokens were stamped with.
 */
export function clockDateHeader(clock: DemoClock): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set('Date', new Date(clock.now()).toUTCString());
  };
}
